// The back-office JSON API behind the conversation engine (CONTRACT §4):
//   POST /api/v1/fines                      JSON array -> {inserted, updated, unchanged, rejected:[{index, reason}]}
//   GET  /api/v1/payments?state=pending     {"items":[...]} (state: pending|verified|rejected|all)
//   POST /api/v1/payments/{id}/verify       the violator is told on WhatsApp
//   POST /api/v1/payments/{id}/reject       {reason}
//   GET  /api/v1/reports/{report_no}
//   POST /api/v1/reports/{report_no}/status {status, note}
//   POST /api/v1/shipments/{id}/dispatched  {tracking_no}  (PT Pos hand-off; the user is told)
// Every route needs `Authorization: Bearer <token>` (401 otherwise); errors are {"error": "..."}.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bot/engine.hpp"
#include "bot/router.hpp"

namespace tilang::bot {

struct ApiCaller {
  std::string name;  // who acted (recorded as the deciding officer)
  std::string role;  // "admin" for the API token
};

struct ApiContext {
  Engine* engine = nullptr;      // required; must outlive the router
  std::string api_token;         // TILANGBOT_API_TOKEN; empty: only `authenticate` can admit callers
  std::string business_number;   // office of fines loaded through the API (WA_PHONE_NUMBER_ID)
  // Extra bearer tokens (e.g. console sessions); nullopt = not valid. Optional.
  std::function<std::optional<ApiCaller>(std::string_view token)> authenticate;
  std::function<std::int64_t()> now_ms;  // injected clock; defaults to the system clock
};

void install_api_routes(Router& router, ApiContext context);

}  // namespace tilang::bot

// The back-office JSON API behind the conversation engine (CONTRACT §4):
//   POST /api/v1/fines                      JSON array -> {inserted, updated, unchanged, rejected:[{index, reason}]}
//   GET  /api/v1/payments?state=pending     {"items":[...]} (state: pending|verified|rejected|all)
//   POST /api/v1/payments/{id}/verify       the violator is told on WhatsApp
//   POST /api/v1/payments/{id}/reject       {reason}
//   GET  /api/v1/reports/{report_no}
//   POST /api/v1/reports/{report_no}/status {status, note}
//   POST /api/v1/shipments/{id}/dispatched  {tracking_no}  (PT Pos hand-off; the user is told)
// Every route needs `Authorization: Bearer <token>` or a console session (401 otherwise) and a role
// (403 otherwise): fines need admin, shipments supervisor, the rest any officer. Agents see phone
// numbers and names masked. Errors are {"error": "..."}.
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
  std::string role;  // "admin" for the API token; agent | supervisor | admin (bot/privacy.hpp)
};

// The outcome of authenticating a request: a caller, or the refusal to answer (401 no/expired
// credentials, 403 e.g. a cookie request without its CSRF token).
struct ApiAuth {
  std::optional<ApiCaller> caller;
  int status = 401;
  std::string error = "missing or invalid bearer token";
};

struct ApiContext {
  Engine* engine = nullptr;      // required; must outlive the router
  std::string api_token;         // TILANGBOT_API_TOKEN; empty: only `authenticate` can admit callers
  std::string business_number;   // office of fines loaded through the API (WA_PHONE_NUMBER_ID)
  // Extra bearer tokens (e.g. console sessions); nullopt = not valid. Optional.
  std::function<std::optional<ApiCaller>(std::string_view token)> authenticate;
  std::function<std::int64_t()> now_ms;  // injected clock; defaults to the system clock
  // Authenticates requests the API token did not admit (console sessions: bearer or cookie + CSRF).
  // Optional; when set it is used instead of `authenticate`.
  std::function<ApiAuth(const Request&)> authenticate_request;
  // Records an officer's action or view of personal data (the console's audit log). Optional.
  std::function<void(const ApiCaller&, const Request&, const std::string& action, const std::string& target)> audit;
};

void install_api_routes(Router& router, ApiContext context);

}  // namespace tilang::bot

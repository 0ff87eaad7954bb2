// The e-TLE back-office API (CONTRACT §4):
//   POST /api/v1/etle/notices            JSON array -> {accepted, duplicates, rejected:[{index, reason}], batch}
//   GET  /api/v1/etle/notices/{id}       {notice_id, state, delivery, response, reminders, ...}
//   GET  /api/v1/etle/batches/{batch}    counts: sent, delivered, read, confirmed, failed, expired, ...
//   GET  /api/v1/etle/undelivered        {"items":[...]} notices to send as a letter by post
//                                        (?batch=… filters, ?limit=… caps, default 1000)
// Every route needs `Authorization: Bearer <token>` (401 otherwise); errors are {"error": "..."}.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "bot/api_handlers.hpp"
#include "bot/etle_import.hpp"
#include "bot/router.hpp"

namespace tilang::bot {

struct EtleApiContext {
  std::string db_path;           // the API opens its own EtleStore connection
  std::string api_token;         // TILANGBOT_API_TOKEN (admin)
  std::function<std::optional<ApiCaller>(std::string_view token)> authenticate;  // optional extra tokens
  EtleImportOptions import_options;
  std::function<void()> on_enqueued;     // wakes the sender
  std::function<std::int64_t()> now_ms;  // defaults to the system clock
};

// Posting notices needs role admin or supervisor (403 otherwise); reading needs any valid token.
void install_etle_routes(Router& router, EtleApiContext context);

}  // namespace tilang::bot

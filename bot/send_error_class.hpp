// What a Graph API send result means for the outbox row (CLOUD_API.md §7.6): the sender's error
// policy as a pure table, unit-tested on its own.
#pragma once

#include <string_view>

#include "bot/graph_api.hpp"

namespace tilang::bot {

enum class SendErrorClass {
  accepted,       // Meta took it
  transient,      // retry with exponential backoff and jitter (also: never reached Meta)
  per_user,       // 131056 pair rate: back off for this recipient only
  pause,          // 190 (token): stop sending everything, alert
  window_closed,  // 131047: the 24-hour window is closed, send the template instead
  ambiguous,      // the request may have been processed: retry at most once, after correlating
  permanent,      // fail the row with the code and details
};

// Meta's error codes worth retrying later (rate limits, downtime, "something went wrong").
bool is_transient_code(int code);

SendErrorClass classify(const SendResult& result);

// Whether the whole number should slow down (Meta's throughput limit was hit).
inline bool is_throughput_limit(const SendResult& result) { return result.error_code == 130429; }

std::string_view to_string(SendErrorClass value);

}  // namespace tilang::bot

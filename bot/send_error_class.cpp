#include "bot/send_error_class.hpp"

namespace tilang::bot {

bool is_transient_code(int code) {
  switch (code) {
    case 1:       // API unknown
    case 2:       // temporary downtime or overload
    case 4:       // application request limit
    case 17:      // user request limit
    case 32:      // page request limit
    case 613:     // calls within one hour exceeded
    case 80007:   // WABA rate limit
    case 130429:  // throughput rate limit
    case 131000:  // something went wrong
    case 131016:  // service unavailable
    case 131057:  // account in maintenance mode (throughput upgrade)
    case 133004:  // server temporarily unavailable
      return true;
    default:
      return false;
  }
}

SendErrorClass classify(const SendResult& result) {
  switch (result.outcome) {
    case SendOutcome::accepted:
      return SendErrorClass::accepted;
    case SendOutcome::not_sent:
      return SendErrorClass::transient;
    case SendOutcome::ambiguous:
      return SendErrorClass::ambiguous;
    case SendOutcome::rejected:
      break;
  }
  const int code = result.error_code;
  if (code == 190) return SendErrorClass::pause;
  // An authentication failure without a Graph code is still a token problem, not the message's.
  if (code == 0 && result.http_status == 401) return SendErrorClass::pause;
  if (code == 131056) return SendErrorClass::per_user;
  if (code == 131047) return SendErrorClass::window_closed;
  if (is_transient_code(code)) return SendErrorClass::transient;
  // A 5xx (or 429) that named no code is the server's trouble, not the message's.
  if (code == 0 && (result.http_status >= 500 || result.http_status == 429)) return SendErrorClass::transient;
  return SendErrorClass::permanent;
}

std::string_view to_string(SendErrorClass value) {
  switch (value) {
    case SendErrorClass::accepted: return "accepted";
    case SendErrorClass::transient: return "transient";
    case SendErrorClass::per_user: return "per_user";
    case SendErrorClass::pause: return "pause";
    case SendErrorClass::window_closed: return "window_closed";
    case SendErrorClass::ambiguous: return "ambiguous";
    case SendErrorClass::permanent: return "permanent";
  }
  return "unknown";
}

}  // namespace tilang::bot

// What the service needs from Meta's Graph API, as an interface: the real HTTPS client
// (bot/graph_client.*) implements it, and so does the built-in sandbox used by `serve --demo`.
#pragma once

#include <string>

#include "bot/media_fetcher.hpp"

namespace tilang::bot {

enum class SendOutcome {
  accepted,    // Meta answered 200 with a message id (or success:true for mark-as-read)
  rejected,    // Meta answered with an error (see code); the request was definitely processed or refused
  not_sent,    // the request never reached Meta (connect/TLS failure, no connection): safe to retry
  ambiguous,   // the request was written but no answer came (timeout, dropped connection)
};

struct SendResult {
  SendOutcome outcome = SendOutcome::not_sent;
  int http_status = 0;
  std::string wamid;          // when accepted (empty for mark-as-read)
  int error_code = 0;         // Graph error.code when rejected
  int error_subcode = 0;
  std::string error_message;  // error.message
  std::string error_details;  // error.error_data.details
};

class GraphApi : public MediaFetcher {
 public:
  // POST /{version}/{phone_number_id}/messages with `body_json` exactly as given. Blocking, thread-safe.
  virtual SendResult send_message(const std::string& phone_number_id, const std::string& body_json) = 0;
};

}  // namespace tilang::bot

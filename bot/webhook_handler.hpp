// GET /webhook (Meta's handshake) and POST /webhook (signed notifications, stored before the 200).
#pragma once

#include <functional>

#include "bot/http_types.hpp"
#include "bot/metrics.hpp"
#include "bot/signature.hpp"
#include "storage/inbox_writer.hpp"

namespace tilang::bot {

class WebhookHandler {
 public:
  WebhookHandler(std::string verify_token, const SignatureVerifier& verifier, storage::InboxWriter& writer,
                 Metrics& metrics);

  void handshake(Request&& request, Respond respond) const;
  void notification(Request&& request, Respond respond) const;

 private:
  std::string verify_token_;
  const SignatureVerifier& verifier_;
  storage::InboxWriter& writer_;
  Metrics& metrics_;
};

}  // namespace tilang::bot

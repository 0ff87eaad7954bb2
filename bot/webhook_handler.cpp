#include "bot/webhook_handler.hpp"

#include <openssl/crypto.h>

#include <boost/url/parse.hpp>

namespace tilang::bot {
namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

WebhookHandler::WebhookHandler(std::string verify_token, const SignatureVerifier& verifier,
                               storage::InboxWriter& writer, Metrics& metrics)
    : verify_token_(std::move(verify_token)), verifier_(verifier), writer_(writer), metrics_(metrics) {}

void WebhookHandler::handshake(Request&& request, Respond respond) const {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return respond(make_response(request, http::status::bad_request, "bad request target\n"));
  std::string mode, token, challenge;
  for (auto param : url->params()) {
    if (param.key == "hub.mode") mode = param.value;
    else if (param.key == "hub.verify_token") token = param.value;
    else if (param.key == "hub.challenge") challenge = param.value;
  }
  if (mode == "subscribe" && constant_time_equal(token, verify_token_)) {
    return respond(make_response(request, http::status::ok, challenge));
  }
  respond(make_response(request, http::status::forbidden, "verification failed\n"));
}

void WebhookHandler::notification(Request&& request, Respond respond) const {
  // Verify before anything else, over the raw bytes.
  std::string_view header = request["X-Hub-Signature-256"];
  if (header.empty() || !verifier_.verify(request.body(), header)) {
    metrics_.add("tilangbot_webhook_bad_signature_total");
    return respond(make_response(request, http::status::unauthorized, "bad signature\n"));
  }
  auto version = request.version();
  bool keep_alive = request.keep_alive();
  auto answer = [version, keep_alive](http::status status, const char* body) {
    Response response{status, version};
    response.set(http::field::server, "tilangbot");
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.keep_alive(keep_alive);
    response.body() = body;
    response.prepare_payload();
    return response;
  };
  bool queued = writer_.submit(std::move(request.body()), [respond, answer, this](storage::AppendResult result) {
    if (result == storage::AppendResult::stored) {
      respond(answer(http::status::ok, "ok\n"));
    } else {
      metrics_.add("tilangbot_webhook_store_failures_total");
      respond(answer(http::status::service_unavailable, "cannot store now, retry\n"));
    }
  });
  if (!queued) {
    metrics_.add("tilangbot_webhook_refused_full_total");
    respond(answer(http::status::service_unavailable, "inbox full, retry\n"));
  }
}

}  // namespace tilang::bot

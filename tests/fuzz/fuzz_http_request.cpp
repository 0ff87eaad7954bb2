// libFuzzer target: any bytes as an HTTP request on the webhook path: Beast's parser with the
// service's limits, then the signature check and the parser, as the listener and handler do.
#include <cstdint>
#include <string_view>

#include "bot/net.hpp"
#include "bot/signature.hpp"
#include "bot/webhook_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tilang::bot::SignatureVerifier verifier("fuzz-secret");
  tilang::http::request_parser<tilang::http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(3 * 1024 * 1024);
  parser.eager(true);
  tilang::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && parser.is_header_done() && !parser.need_eof()) parser.put_eof(ec);
  if (!parser.is_done()) return 0;
  const auto& request = parser.get();
  std::string_view signature = request["X-Hub-Signature-256"];
  bool ok = verifier.verify(request.body(), signature);
  // Parse either way: a fuzzer cannot forge the HMAC, and the parser must be safe for any body.
  (void)ok;
  (void)tilang::bot::parse_notification(request.body());
  return 0;
}

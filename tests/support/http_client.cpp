#include "tests/support/http_client.hpp"

#include <fstream>
#include <sstream>

#include "bot/net.hpp"
#include "bot/signature.hpp"

namespace tilang::test {

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  net::io_context io;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream = std::make_unique<beast::tcp_stream>(io);
    stream->expires_after(std::chrono::seconds(10));
    stream->connect(tcp::endpoint(net::ip::make_address(host), port));
    buffer.clear();
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  HttpResult result;
  // One retry on a fresh connection: the server may have closed an idle keep-alive connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->stream || !impl_->stream->socket().is_open()) impl_->connect();
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, impl_->host);
      req.set(http::field::user_agent, "tilangbot-tests");
      for (const auto& [k, v] : headers) req.set(k, v);
      req.body() = body;
      req.keep_alive(true);
      req.prepare_payload();
      impl_->stream->expires_after(std::chrono::seconds(30));
      http::write(*impl_->stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      http::read(*impl_->stream, impl_->buffer, parser);
      auto res = parser.release();
      result.status = res.result_int();
      result.body = res.body();
      for (const auto& field : res) result.headers[std::string(field.name_string())] = std::string(field.value());
      if (!res.keep_alive()) impl_->stream.reset();
      return result;
    } catch (const std::exception& e) {
      result.error = e.what();
      impl_->stream.reset();
    }
  }
  return result;
}

HttpResult HttpClient::post_webhook(const std::string& body, const std::string& secret) {
  bot::SignatureVerifier signer(secret);
  return request("POST", "/webhook", body,
                 {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", signer.sign(body)}});
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string fixture(const std::string& name) {
  return read_file(std::string(TILANGBOT_SHARED_DIR) + "/fixtures/webhooks/" + name);
}

}  // namespace tilang::test

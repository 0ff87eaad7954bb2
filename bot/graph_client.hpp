// The real Graph API client: HTTPS (Beast + OpenSSL, certificates verified against the system CA
// store, SNI and host-name checks), a keep-alive connection pool, deadlines on connect, write and
// read. Blocking calls, safe from several threads at once (each call borrows its own connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "bot/graph_api.hpp"

namespace tilang::bot {

struct GraphClientOptions {
  std::string base_url = "https://graph.facebook.com";  // http:// only for loopback hosts
  std::string api_version = "v25.0";
  std::string access_token;
  std::string user_agent = "tilangbot/1.0";
  std::chrono::milliseconds connect_timeout{5000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds read_timeout{20000};    // from the request written to the whole answer
  std::chrono::milliseconds media_timeout{60000};   // reading a media body
  std::chrono::milliseconds idle_timeout{50000};    // pooled connections idle longer are closed
  std::size_t pool_size = 16;                       // idle connections kept per host
  std::size_t max_response_bytes = 1024 * 1024;     // JSON answers
  std::string ca_file;  // extra trusted CA (PEM) besides the system store; empty: none
};

// The reason `options` cannot be used, empty when they can: a URL that is not http(s), http:// to
// a host that is not loopback, an empty token, version or user agent, a zero pool or deadline.
std::string check_graph_options(const GraphClientOptions& options);

class GraphClient final : public GraphApi {
 public:
  // Throws std::invalid_argument with check_graph_options()'s reason (a start-up error).
  explicit GraphClient(GraphClientOptions options);
  ~GraphClient() override;
  GraphClient(const GraphClient&) = delete;
  GraphClient& operator=(const GraphClient&) = delete;

  SendResult send_message(const std::string& phone_number_id, const std::string& body_json) override;
  // GET /{version}/{media_id}, then the URL it names (a new URL once if that one answers 404).
  FetchedMedia fetch(const std::string& media_id, std::size_t max_bytes) override;

  // A rotated token applies to the next request.
  void set_access_token(std::string token);
  // TCP connections opened so far (keep-alive reuse shows as a small number).
  std::size_t connections_opened() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tilang::bot

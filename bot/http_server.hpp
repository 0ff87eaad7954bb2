// The HTTP(S) listener: keep-alive sessions with a deadline on every read, a 16 KiB header limit,
// a 3 MiB body limit (413 above), optional TLS, and a graceful drain on shutdown.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl.hpp>

#include "bot/http_types.hpp"
#include "bot/net.hpp"

namespace tilang::bot {

struct HttpLimits {
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 3 * 1024 * 1024;
  std::chrono::seconds read_timeout{30};   // a request must arrive within this
  std::chrono::seconds idle_timeout{75};   // keep-alive connection with no request
};

class HttpServer {
 public:
  HttpServer(net::io_context& io, Handler handler, HttpLimits limits = {});
  ~HttpServer();

  // Loads the PEM certificate chain and key; the listener then speaks HTTPS only.
  void enable_tls(const std::string& cert_file, const std::string& key_file);

  // Binds and starts accepting. Port 0 picks a free port; see port().
  void listen(const std::string& host, std::uint16_t port);
  std::uint16_t port() const { return port_; }

  // Stops accepting; open sessions finish their in-flight request and close.
  void stop_accepting();
  // Requests being read, handled or written right now.
  std::size_t in_flight() const;
  bool draining() const;

  struct Shared;

 private:
  void accept();

  net::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  std::uint16_t port_ = 0;
};

}  // namespace tilang::bot

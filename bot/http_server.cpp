#include "bot/http_server.hpp"

#include <array>

#include <boost/beast/ssl.hpp>

#include "bot/log.hpp"

namespace tilang::bot {

Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type) {
  Response response{status, request.version()};
  response.set(http::field::server, "tilangbot");
  response.set(http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

struct HttpServer::Shared {
  Handler handler;
  HttpLimits limits;
  std::optional<net::ssl::context> tls;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> in_flight{0};
};

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

Response error_response(unsigned version, http::status status, std::string body) {
  Response response{status, version};
  response.set(http::field::server, "tilangbot");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(false);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// One connection. Owns reading (deadlines, limits), calls the handler, writes its answer.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(std::shared_ptr<HttpServer::Shared> shared, Args&&... args)
      : stream_(std::forward<Args>(args)...), shared_(std::move(shared)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      lowest().expires_after(shared_->limits.read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read_header();
                              });
    } else {
      read_header();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.header_limit));
    parser_->body_limit(shared_->limits.body_limit);
    lowest().expires_after(requests_ == 0 ? shared_->limits.read_timeout : shared_->limits.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      begin_request();
      return reply_and_close(http::status::request_header_fields_too_large, "header too large\n");
    }
    // Beast already refuses a declared Content-Length above the body limit while reading the header.
    if (ec == http::error::body_limit) {
      begin_request();
      return reply_and_close(http::status::payload_too_large, "body over 3 MiB\n");
    }
    if (ec) return close();
    begin_request();
    auto& header = parser_->get();
    if (auto length = parser_->content_length(); length && *length > shared_->limits.body_limit) {
      return reply_and_close(http::status::payload_too_large, "body over 3 MiB\n");
    }
    if (header[http::field::expect] == "100-continue") {
      auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      http::async_write(stream_, *interim, [self = this->shared_from_this(), interim](beast::error_code wec, std::size_t) {
        if (wec) return self->finish_request(), self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(shared_->limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::body_limit) return self->reply_and_close(http::status::payload_too_large, "body over 3 MiB\n");
      if (ec) return self->finish_request(), self->close();
      self->dispatch();
    });
  }

  void begin_request() {
    ++requests_;
    ++shared_->in_flight;
    counted_ = true;
  }

  void finish_request() {
    if (counted_) {
      counted_ = false;
      --shared_->in_flight;
    }
  }

  void dispatch() {
    Request request = parser_->release();
    request.erase(peer_address_field);
    if (const std::string& peer = peer_address(); !peer.empty()) request.set(peer_address_field, peer);
    keep_alive_ = request.keep_alive();
    auto self = this->shared_from_this();
    auto executor = stream_.get_executor();
    // The handler may answer from another thread (the inbox writer): hop back onto this session's strand.
    shared_->handler(std::move(request), [self, executor](Response response) {
      net::post(executor, [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
    });
  }

  // Asked of the kernel once per connection (a system call per request was measurable).
  const std::string& peer_address() {
    if (!peer_known_) {
      peer_known_ = true;
      beast::error_code error;
      const auto peer = lowest().socket().remote_endpoint(error);
      if (!error) peer_address_ = peer.address().to_string();
    }
    return peer_address_;
  }

  void reply_and_close(http::status status, std::string body) {
    keep_alive_ = false;
    lingering_ = true;
    write(error_response(parser_ ? parser_->get().version() : 11, status, std::move(body)));
  }

  void write(Response response) {
    bool keep = keep_alive_ && !shared_->draining.load();
    response.keep_alive(keep);
    auto message = std::make_shared<Response>(std::move(response));
    lowest().expires_after(shared_->limits.read_timeout);
    http::async_write(stream_, *message, [self = this->shared_from_this(), message, keep](beast::error_code ec, std::size_t) {
      self->finish_request();
      if (ec || !keep) return self->close();
      self->read_header();
    });
  }

  void close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->lowest().socket().close(ignored);
      });
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      // After refusing a body, read (and discard) what the client is still sending so it gets our
      // answer instead of a connection reset.
      if (lingering_) return discard_until_eof();
      lowest().socket().close(ignored);
    }
  }

  void discard_until_eof() {
    lowest().expires_after(std::chrono::seconds(2));
    lowest().async_read_some(net::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        beast::error_code ignored;
        return self->lowest().socket().close(ignored);
      }
      self->discard_until_eof();
    });
  }

  Stream stream_;
  std::shared_ptr<HttpServer::Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::array<char, 16384> discard_{};
  std::size_t requests_ = 0;
  std::string peer_address_;
  bool peer_known_ = false;
  bool keep_alive_ = true;
  bool counted_ = false;
  bool lingering_ = false;
};

}  // namespace

HttpServer::HttpServer(net::io_context& io, Handler handler, HttpLimits limits)
    : io_(io), acceptor_(net::make_strand(io)), shared_(std::make_shared<Shared>()) {
  shared_->handler = std::move(handler);
  shared_->limits = limits;
}

HttpServer::~HttpServer() = default;

void HttpServer::enable_tls(const std::string& cert_file, const std::string& key_file) {
  net::ssl::context context(net::ssl::context::tls_server);
  context.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  context.use_certificate_chain_file(cert_file);
  context.use_private_key_file(key_file, net::ssl::context::pem);
  shared_->tls.emplace(std::move(context));
}

void HttpServer::listen(const std::string& host, std::uint16_t port) {
  tcp::endpoint endpoint{net::ip::make_address(host), port};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void HttpServer::accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      log::warn("accept_failed", {{"error", ec.message()}});
      return accept();
    }
    socket.set_option(tcp::no_delay(true));
    if (shared_->tls) {
      std::make_shared<Session<TlsStream>>(shared_, std::move(socket), *shared_->tls)->start();
    } else {
      std::make_shared<Session<PlainStream>>(shared_, std::move(socket))->start();
    }
    accept();
  });
}

void HttpServer::stop_accepting() {
  shared_->draining = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
}

std::size_t HttpServer::in_flight() const { return shared_->in_flight.load(); }
bool HttpServer::draining() const { return shared_->draining.load(); }

}  // namespace tilang::bot

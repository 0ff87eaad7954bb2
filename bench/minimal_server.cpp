// The yardstick: the smallest reasonable Beast POST server. It reads a request (3 MiB limit),
// answers 200 "ok" with keep-alive, and does nothing else: no signature, no storage.
// Usage: minimal_server PORT [THREADS]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "bot/net.hpp"

using namespace tilang;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}
  void read() {
    parser_.emplace();
    parser_->body_limit(3 * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->reply();
    });
  }

 private:
  void reply() {
    auto& request = parser_->get();
    response_ = {http::status::ok, request.version()};
    response_.set(http::field::content_type, "text/plain");
    response_.keep_alive(request.keep_alive());
    response_.body() = "ok\n";
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->response_.keep_alive()) return;
      self->read();
    });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor, net::io_context& io) {
  acceptor.async_accept(net::make_strand(io), [&acceptor, &io](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket))->read();
    }
    accept(acceptor, io);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: minimal_server PORT [THREADS]\n");
    return 2;
  }
  auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  net::io_context io;
  tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), port});
  accept(acceptor, io);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
}

// Load generator for POST /webhook: signed ~2 KB notifications with unique message ids over
// keep-alive connections. Closed loop (--rate 0: each connection sends as soon as it has an answer)
// for peak throughput, or open loop (--rate R: requests are scheduled at fixed times and latency is
// measured from the scheduled time, so a slow server cannot hide its queueing).
// Prints one JSON line: requests, status counts, throughput, latency percentiles (ms).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bot/net.hpp"
#include "bot/signature.hpp"

using namespace tilang;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int connections = 64;
  double duration_s = 10;
  double rate = 0;  // 0: closed loop
  std::string secret = "bench-secret";
  std::string path = "/webhook";
  std::size_t body_bytes = 2048;
  std::string prefix = "bench";
};

struct Stats {
  std::vector<double> latencies_ms;
  std::map<int, long> statuses;
  long errors = 0;
};

class Generator {
 public:
  Generator(const Options& options) : options_(options), signer_(options.secret) {
    // A realistic text notification, padded with a long message body to the wanted size.
    head_ = R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Bench User"},"wa_id":"62812)";
    mid_ = R"("}],"messages":[{"from":"62812)";
    std::size_t fixed = head_.size() + mid_.size() + 200;
    padding_.assign(options.body_bytes > fixed ? options.body_bytes - fixed : 10, 'a');
  }

  // Body with a unique wamid (and a user spread over 10,000 numbers), and its signature.
  std::pair<std::string, std::string> next() {
    std::uint64_t n = counter_++;
    std::string user = std::to_string(1000000 + n % 10000);
    std::string body = head_ + user + mid_ + user + R"(","id":"wamid.)" + options_.prefix + std::to_string(n) +
                       R"(","timestamp":"1749416383","type":"text","text":{"body":"cek denda B 1234 XYZ )" + padding_ +
                       R"("}}]},"field":"messages"}]}]})";
    return {body, signer_.sign(body)};
  }

 private:
  const Options& options_;
  bot::SignatureVerifier signer_;
  std::string head_, mid_, padding_;
  std::uint64_t counter_ = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::io_context& io, const Options& options, Generator& generator, Stats& stats, Clock::time_point start,
             Clock::time_point end, int index)
      : stream_(io), options_(options), generator_(generator), stats_(stats), end_(end) {
    if (options.rate > 0) {
      interval_ = std::chrono::duration<double>(options.connections / options.rate);
      next_ = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(index / options.rate));
    }
    timer_ = std::make_unique<net::steady_timer>(io);
  }

  void start() {
    stream_.async_connect(tcp::endpoint(net::ip::make_address(options_.host), options_.port),
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) {
                              ++self->stats_.errors;
                              return;
                            }
                            self->stream_.socket().set_option(tcp::no_delay(true));
                            self->schedule();
                          });
  }

 private:
  void schedule() {
    auto now = Clock::now();
    if (now >= end_) return;
    if (options_.rate <= 0) {
      scheduled_ = now;
      return send();
    }
    if (next_ >= end_) return;
    scheduled_ = next_;
    next_ += std::chrono::duration_cast<Clock::duration>(interval_);
    if (scheduled_ <= now) return send();
    timer_->expires_at(scheduled_);
    timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->send();
    });
  }

  void send() {
    auto [body, signature] = generator_.next();
    request_ = {http::verb::post, options_.path, 11};
    request_.set(http::field::host, options_.host);
    request_.set(http::field::content_type, "application/json");
    request_.set("X-Hub-Signature-256", signature);
    request_.keep_alive(true);
    request_.body() = std::move(body);
    request_.prepare_payload();
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail();
      self->response_ = {};
      http::async_read(self->stream_, self->buffer_, self->response_, [self](beast::error_code rec, std::size_t) {
        if (rec) return self->fail();
        auto latency = std::chrono::duration<double, std::milli>(Clock::now() - self->scheduled_).count();
        self->stats_.latencies_ms.push_back(latency);
        ++self->stats_.statuses[self->response_.result_int()];
        self->schedule();
      });
    });
  }

  void fail() {
    ++stats_.errors;
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  const Options& options_;
  Generator& generator_;
  Stats& stats_;
  Clock::time_point end_, next_, scheduled_;
  std::chrono::duration<double> interval_{0};
  std::unique_ptr<net::steady_timer> timer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
};

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i], value = argv[i + 1];
    if (key == "--host") options.host = value;
    else if (key == "--port") options.port = static_cast<unsigned short>(std::stoi(value));
    else if (key == "--connections") options.connections = std::stoi(value);
    else if (key == "--duration") options.duration_s = std::stod(value);
    else if (key == "--rate") options.rate = std::stod(value);
    else if (key == "--secret") options.secret = value;
    else if (key == "--path") options.path = value;
    else if (key == "--body-bytes") options.body_bytes = std::stoul(value);
    else if (key == "--prefix") options.prefix = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      return 2;
    }
  }
  net::io_context io;
  Generator generator(options);
  Stats stats;
  auto start = Clock::now() + std::chrono::milliseconds(200);  // connections are up before the first send
  auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
  for (int i = 0; i < options.connections; ++i) {
    std::make_shared<Connection>(io, options, generator, stats, start, end, i)->start();
  }
  io.run();
  auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(stats.latencies_ms.begin(), stats.latencies_ms.end());
  long ok = stats.statuses.count(200) ? stats.statuses[200] : 0;
  std::printf("{\"mode\":\"%s\",\"rate\":%.0f,\"connections\":%d,\"requests\":%zu,\"ok\":%ld,\"errors\":%ld,"
              "\"throughput\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"statuses\":{",
              options.rate > 0 ? "open" : "closed", options.rate, options.connections, stats.latencies_ms.size(), ok,
              stats.errors, static_cast<double>(stats.latencies_ms.size()) / elapsed,
              percentile(stats.latencies_ms, 50), percentile(stats.latencies_ms, 99),
              percentile(stats.latencies_ms, 99.9), stats.latencies_ms.empty() ? 0.0 : stats.latencies_ms.back());
  bool first = true;
  for (auto [code, count] : stats.statuses) {
    std::printf("%s\"%d\":%ld", first ? "" : ",", code, count);
    first = false;
  }
  std::printf("}}\n");
  return 0;
}

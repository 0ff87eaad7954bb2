// A minimal, fast stand-in for Meta's Graph API, for bench/push_bench: every
// POST /{version}/{phone_number_id}/messages is accepted with a unique wamid. It counts requests per
// second since start and repeated biz_opaque_callback_data values (duplicate sends), keeps every
// request's receive time (the most requests in any sliding one-second window, and the achieved
// rate between the first and the last), and prints them as one JSON line on stdout when it gets
// SIGTERM or SIGINT.
// Usage: fake_graph_server [PORT]   (0 or none: any free port; the port is printed first)
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bot/net.hpp"

using namespace tilang;

namespace {

constexpr std::size_t max_seconds = 3600;
std::array<std::atomic<std::int64_t>, max_seconds> per_second{};
const auto started = std::chrono::steady_clock::now();
std::atomic<std::uint64_t> next_id{1};
std::atomic<std::int64_t> duplicates{0};
std::mutex seen_mutex;
std::unordered_set<std::string> seen;
// Receive times in ns since start, preallocated so recording never allocates on the hot path.
constexpr std::size_t max_times = 4'000'000;
std::vector<std::int64_t> times(max_times);
std::atomic<std::size_t> time_count{0};

void note_callback_data(const std::string& body) {
  static const std::string key = "\"biz_opaque_callback_data\":\"";
  const auto at = body.find(key);
  if (at == std::string::npos) return;
  const auto begin = at + key.size();
  const auto end = body.find('"', begin);
  if (end == std::string::npos) return;
  std::lock_guard lock(seen_mutex);
  if (!seen.insert(body.substr(begin, end - begin)).second) ++duplicates;
}

// One thread per keep-alive connection: the sender opens a handful.
void serve(tcp::socket socket) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) break;
    const auto second = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count());
    if (second < max_seconds) per_second[second].fetch_add(1, std::memory_order_relaxed);
    if (const auto slot = time_count.fetch_add(1); slot < max_times) {
      times[slot] = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
    }
    note_callback_data(request.body());
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = R"({"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.BENCH)" +
                      std::to_string(next_id.fetch_add(1)) + R"("}]})";
    response.prepare_payload();
    http::write(socket, response, ec);
    if (ec || !request.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

void print_report() {
  std::size_t last = 0;
  for (std::size_t i = 0; i < max_seconds; ++i) {
    if (per_second[i].load() != 0) last = i;
  }
  std::string counts;
  std::int64_t total = 0;
  std::int64_t max = 0;
  for (std::size_t i = 0; i <= last; ++i) {
    const std::int64_t n = per_second[i].load();
    total += n;
    max = std::max(max, n);
    if (i != 0) counts += ',';
    counts += std::to_string(n);
  }
  // Sliding window: for each request, how many arrived in the second that starts with it.
  const std::size_t recorded = std::min(time_count.load(), max_times);
  std::vector<std::int64_t> sorted(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(recorded));
  std::sort(sorted.begin(), sorted.end());
  std::size_t window_max = 0;
  for (std::size_t i = 0, j = 0; i < sorted.size(); ++i) {
    while (j < sorted.size() && sorted[j] < sorted[i] + 1'000'000'000) ++j;
    window_max = std::max(window_max, j - i);
  }
  double rate = 0;
  if (sorted.size() > 1 && sorted.back() > sorted.front()) {
    rate = static_cast<double>(sorted.size() - 1) * 1e9 / static_cast<double>(sorted.back() - sorted.front());
  }
  std::printf("{\"total\":%lld,\"max_per_second\":%lld,\"max_any_1s_window\":%zu,\"achieved_rate\":%.1f,"
              "\"duplicates\":%lld,\"per_second\":[%s]}\n",
              static_cast<long long>(total), static_cast<long long>(max), window_max, rate,
              static_cast<long long>(duplicates.load()), counts.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  // Signals go to the waiting main thread only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  std::printf("%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  std::thread([&acceptor] {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = acceptor.accept(ec);
      if (ec) return;
      socket.set_option(tcp::no_delay(true), ec);
      std::thread(serve, std::move(socket)).detach();
    }
  }).detach();

  int received = 0;
  sigwait(&signals, &received);
  print_report();
  std::_Exit(0);
}

// Outbound push benchmark: enqueue N rows into a fresh database, then push them through a Sender and
// the real GraphClient to bench/fake_graph_server running as a separate process. Prints throughput,
// the fake's per-second receive counts (max per second shows the WA_MAX_MPS cap), duplicates, and
// this process's peak RSS.
// Usage: push_bench N [MAX_MPS (0 = uncapped)] [WORKERS] [RECIPIENTS]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "bot/graph_client.hpp"
#include "bot/sender.hpp"
#include "storage/outbox_store.hpp"

using namespace tilang;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct FakeProcess {
  pid_t pid = -1;
  FILE* out = nullptr;
  unsigned port = 0;
};

FakeProcess start_fake(const std::string& program) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  FakeProcess fake;
  fake.pid = fork();
  if (fake.pid < 0) throw std::runtime_error("fork failed");
  if (fake.pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(program.c_str(), program.c_str(), "0", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  close(fds[1]);
  fake.out = fdopen(fds[0], "r");
  if (std::fscanf(fake.out, "%u", &fake.port) != 1) throw std::runtime_error("fake_graph_server did not start: " + program);
  return fake;
}

std::string stop_fake(FakeProcess& fake) {
  kill(fake.pid, SIGTERM);
  std::string report;
  char line[1 << 16];
  while (std::fgets(line, sizeof line, fake.out) != nullptr) report += line;
  std::fclose(fake.out);
  int status = 0;
  waitpid(fake.pid, &status, 0);
  return report;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: push_bench N [MAX_MPS] [WORKERS] [RECIPIENTS]\n");
    return 2;
  }
  const int n = std::atoi(argv[1]);
  const int max_mps = argc > 2 ? std::atoi(argv[2]) : 0;
  const int workers = argc > 3 ? std::atoi(argv[3]) : 4;
  const int recipients = argc > 4 ? std::atoi(argv[4]) : n;
  if (n <= 0 || workers <= 0 || recipients <= 0) {
    std::fprintf(stderr, "push_bench: N, WORKERS and RECIPIENTS must be positive\n");
    return 2;
  }

  const auto dir = std::filesystem::temp_directory_path() / ("push-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  const std::string fake_program = (std::filesystem::path(argv[0]).parent_path() / "fake_graph_server").string();

  try {
    auto out = storage::open_sqlite_outbox(db);
    std::vector<storage::NewOutboxMessage> batch;
    batch.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      storage::NewOutboxMessage m;
      m.business_number = "100000000000001";
      m.recipient = "62812" + std::to_string(10'000'000 + i % recipients);
      m.body_json = R"({"messaging_product":"whatsapp","to":")" + m.recipient +
                    R"(","type":"text","text":{"body":"Denda tilang Anda: Rp500.000, nomor register )" +
                    std::to_string(i) + R"("}})";
      m.source = "etle";
      batch.push_back(std::move(m));
    }
    const auto enqueue_start = std::chrono::steady_clock::now();
    const auto stored = out->enqueue_many(batch, wall_ms());
    if (stored.size() != batch.size() || !stored.front().status.ok) throw std::runtime_error("enqueue failed");
    const double enqueue_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - enqueue_start).count();

    FakeProcess fake = start_fake(fake_program);
    bot::GraphClientOptions client_options;
    client_options.base_url = "http://127.0.0.1:" + std::to_string(fake.port);
    client_options.access_token = "bench-token";
    bot::GraphClient client(client_options);

    bot::SenderOptions options;
    options.max_mps = max_mps;
    options.workers = workers;
    options.pair_burst = 1e9;  // the bench measures the number's limit, not the pair rate
    std::mt19937 rng(1);
    const auto start = std::chrono::steady_clock::now();
    bot::Sender sender(client, storage::open_sqlite_outbox(db), options, &wall_ms,
                       [&rng] { return std::uniform_real_distribution<double>(0, 1)(rng); });
    sender.start();
    while (out->backlog() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sender.stop();
    const auto stats = sender.stats();
    const std::string report = stop_fake(fake);

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("push_bench: rows=%d max_mps=%d workers=%d recipients=%d\n", n, max_mps, workers, recipients);
    std::printf("enqueue: %.3f s (%.0f rows/s, one transaction)\n", enqueue_s, n / enqueue_s);
    std::printf("push: %.3f s, %.0f msg/s, accepted=%lld failed=%lld retries=%lld, connections=%zu\n", seconds,
                n / seconds, static_cast<long long>(stats.accepted), static_cast<long long>(stats.failed),
                static_cast<long long>(stats.retries), client.connections_opened());
    std::printf("peak RSS: %.1f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
    const auto first = report.find_first_not_of(" \r\n");
  std::printf("fake: %s", first == std::string::npos ? "(no report)\n" : report.c_str() + first);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "push_bench: %s\n", e.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  return 0;
}

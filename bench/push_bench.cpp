// Outbound push benchmark: enqueues N e-TLE notices into a fresh database through the import's
// storage path (each notice and its template outbox row in one transaction, 1,000 notices per
// transaction), then pushes them through a Sender and the real GraphClient to
// bench/fake_graph_server running as a separate process. Prints one JSON line: throughput, the
// achieved rate between the first and last request the fake received, the most requests the fake
// saw in any one-second window (sliding, and in whole seconds since start), duplicate sends, and
// the sender's peak RSS (the high-water mark is reset after the enqueue, so it measures the push).
// Usage: push_bench N [MAX_MPS (0 = uncapped)] [WORKERS] [GUARD_MS]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "bot/etle_template.hpp"
#include "bot/graph_client.hpp"
#include "bot/sender.hpp"
#include "storage/etle_store.hpp"
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
  while (!report.empty() && (report.back() == '\n' || report.back() == '\r' || report.back() == ' ')) report.pop_back();
  const auto first = report.find_first_not_of(" \r\n");
  return first == std::string::npos ? std::string("{}") : report.substr(first);
}

// VmHWM / VmRSS of this process in MB.
double status_mb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::strtod(line.c_str() + std::strlen(key), nullptr) / 1024.0;
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so the peak measured afterwards is the push's own.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out);
}

storage::NewNotice make_notice(int i, const bot::EtleTemplateConfig& config) {
  storage::NewNotice n;
  auto& row = n.notice;
  // snprintf rather than "literal" + std::string: g++ 12 warns falsely (-Wrestrict) on the latter.
  char buf[64];
  std::snprintf(buf, sizeof buf, "BENCH-%d", i);
  row.notice_id = buf;
  row.business_number = "100000000000001";
  std::snprintf(buf, sizeof buf, "B %d XYZ", 1000 + i % 9000);
  row.plate = buf;
  std::snprintf(buf, sizeof buf, "B%dXYZ", 1000 + i % 9000);
  row.plate_normalized = buf;
  std::snprintf(buf, sizeof buf, "Pemilik %d", i);
  row.owner_name = buf;
  std::snprintf(buf, sizeof buf, "62812%d", 10'000'000 + i);
  row.owner_wa = buf;
  row.violation_time = "2025-05-12T08:31:00+07:00";
  row.location = "Jl. Jend. Sudirman, Jakarta Pusat";
  row.article = "287 ayat (1)";
  row.fine_amount = 500000;
  row.photo_url = std::string("https://etle-pmj.polri.go.id/foto/").append(row.notice_id);
  row.confirm_by = "2099-05-20";
  row.payment_deadline = "2099-05-27";
  n.confirm_by_start_ms = *bot::parse_date_days(row.confirm_by) * 86'400'000 - 7 * 3'600'000;
  n.expires_at_ms = n.confirm_by_start_ms + 86'400'000;
  n.template_body_json = bot::etle_template_body(config, row);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: push_bench N [MAX_MPS] [WORKERS] [GUARD_MS]\n");
    return 2;
  }
  const int n = std::atoi(argv[1]);
  const int max_mps = argc > 2 ? std::atoi(argv[2]) : 0;
  const int workers = argc > 3 ? std::atoi(argv[3]) : 4;
  const int guard_ms = argc > 4 ? std::atoi(argv[4]) : static_cast<int>(bot::SenderOptions{}.window_guard_ms);
  if (n <= 0 || workers <= 0 || guard_ms < 0) {
    std::fprintf(stderr, "push_bench: N and WORKERS must be positive, GUARD_MS not negative\n");
    return 2;
  }

  const auto dir = std::filesystem::temp_directory_path() / ("push-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  const std::string fake_program = (std::filesystem::path(argv[0]).parent_path() / "fake_graph_server").string();

  try {
    // Enqueue through the e-TLE store in bounded chunks: memory stays flat however large N is.
    const bot::EtleTemplateConfig config;
    const auto enqueue_start = std::chrono::steady_clock::now();
    {
      auto etle = storage::open_sqlite_etle_store(db);
      const storage::BatchInfo batch{"BENCH", "100000000000001", "bench", ""};
      constexpr int chunk = 1000;
      std::vector<storage::NewNotice> notices;
      notices.reserve(chunk);
      for (int i = 0; i < n; i += chunk) {
        notices.clear();
        for (int j = i; j < std::min(n, i + chunk); ++j) notices.push_back(make_notice(j, config));
        auto stored = etle->enqueue(batch, notices, 0, wall_ms());
        if (!stored.status.ok || stored.accepted != static_cast<int>(notices.size())) {
          throw std::runtime_error("enqueue failed: " + stored.status.error);
        }
      }
    }
    const double enqueue_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - enqueue_start).count();
    const double rss_before_push = status_mb("VmRSS:");
    const bool peak_reset = reset_peak_rss();

    FakeProcess fake = start_fake(fake_program);
    bot::GraphClientOptions client_options;
    client_options.base_url = "http://127.0.0.1:" + std::to_string(fake.port);
    client_options.access_token = "bench-token";
    bot::GraphClient client(client_options);

    bot::SenderOptions options;
    options.max_mps = max_mps;
    options.workers = workers;
    options.window_guard_ms = guard_ms;
    // Meta's pair rate as configured: every notice has its own recipient, so it never binds here.
    std::mt19937 rng(1);
    auto out = storage::open_sqlite_outbox(db);
    const auto start = std::chrono::steady_clock::now();
    bot::Sender sender(client, storage::open_sqlite_outbox(db), options, &wall_ms,
                       [&rng] { return std::uniform_real_distribution<double>(0, 1)(rng); });
    sender.start();
    while (out->backlog() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sender.stop();
    const auto stats = sender.stats();
    const double peak_mb = status_mb("VmHWM:");
    const std::string report = stop_fake(fake);

    std::printf("{\"rows\":%d,\"max_mps\":%d,\"workers\":%d,\"guard_ms\":%d,\"enqueue_s\":%.3f,\"enqueue_per_s\":%.0f,"
                "\"push_s\":%.3f,\"throughput\":%.1f,\"accepted\":%lld,\"failed\":%lld,\"retries\":%lld,"
                "\"connections\":%zu,\"rss_before_push_mb\":%.1f,\"peak_rss_mb\":%.1f,\"peak_is_push_only\":%s,"
                "\"fake\":%s}\n",
                n, max_mps, workers, guard_ms, enqueue_s, n / enqueue_s, seconds, n / seconds,
                static_cast<long long>(stats.accepted), static_cast<long long>(stats.failed),
                static_cast<long long>(stats.retries), client.connections_opened(), rss_before_push, peak_mb,
                peak_reset ? "true" : "false", report.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "push_bench: %s\n", e.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);
  return 0;
}

// Fills a database with N queued e-TLE notices for bench/run_bench.py's memory part: each notice is
// validated by the import's own validate_notice() and stored through the import's storage path
// (each notice and its template outbox row, 1,000 notices per transaction), so a `tilangbot serve`
// started on the same database afterwards finds N template rows to send. Reads the same environment
// as tilangbot (TILANGBOT_DB, WA_PHONE_NUMBER_ID, TILANGBOT_ETLE_*), so the rendered template is the
// one the service is configured for. Memory stays flat in N: one chunk is built at a time.
// Violations are dated yesterday and confirm_by is 8 days later, so during a short run no reminder
// is due and nothing expires: the service only pushes templates.
// Prints one JSON line: rows, seconds, notices per second, this process's peak RSS.
// Usage: queue_notices N [FIRST_INDEX]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "bot/config.hpp"
#include "bot/etle_import.hpp"
#include "storage/etle_store.hpp"

using namespace tilang;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

// One CSV row's worth of fields (CONTRACT §5 columns), as the CSV import hands them to validation.
std::map<std::string, std::string> notice_fields(long long i, const std::string& violation_time,
                                                 const std::string& confirm_by) {
  char buf[64];
  std::map<std::string, std::string> f;
  // snprintf rather than "literal" + std::string: g++ 12 warns falsely (-Wrestrict) on the latter.
  std::snprintf(buf, sizeof buf, "MEM-%lld", i);
  f["notice_id"] = buf;
  std::snprintf(buf, sizeof buf, "B %lld XYZ", 1000 + i % 9000);
  f["plate"] = buf;
  std::snprintf(buf, sizeof buf, "Pemilik %lld", i);
  f["owner_name"] = buf;
  // Every notice its own recipient: the pair rate never binds, only WA_MAX_MPS.
  std::snprintf(buf, sizeof buf, "62812%08lld", 10'000'000 + i);
  f["owner_wa"] = buf;
  f["violation_time"] = violation_time;
  f["location"] = "Jl. Jend. Sudirman, Jakarta Pusat";
  f["article"] = "287 ayat (1)";
  f["fine_amount"] = "500000";
  f["photo_url"] = std::string("https://etle-pmj.polri.go.id/foto/").append(f["notice_id"]);
  f["confirm_by"] = confirm_by;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: queue_notices N [FIRST_INDEX]   (database and template from the environment)\n");
    return 2;
  }
  const long long n = std::atoll(argv[1]);
  const long long first = argc > 2 ? std::atoll(argv[2]) : 0;
  if (n <= 0 || first < 0) {
    std::fprintf(stderr, "queue_notices: N must be positive, FIRST_INDEX not negative\n");
    return 2;
  }
  // Demo mode only so the WA_* secrets are not required; the e-TLE and database settings are read as by serve.
  const auto loaded = bot::load_config(bot::process_env(), true);
  if (!loaded.config) {
    std::fprintf(stderr, "queue_notices: %s\n", loaded.error.c_str());
    return 2;
  }
  const bot::Config& config = *loaded.config;
  const bot::EtleImportOptions options = bot::etle_import_options(config);

  const std::int64_t now = wall_ms();
  const std::int64_t today = now / 86'400'000;
  const std::string violation_time = bot::format_date_days(today - 1) + "T08:31:00+07:00";
  const std::string confirm_by = bot::format_date_days(today + 7);

  try {
    auto store = storage::open_sqlite_etle_store(config.db_path);
    const storage::BatchInfo batch{bot::new_etle_batch_id(now), options.business_number, "bench", "queue_notices"};
    constexpr long long chunk = 1000;
    std::vector<storage::NewNotice> notices;
    notices.reserve(chunk);
    const auto start = std::chrono::steady_clock::now();
    long long accepted = 0;
    for (long long i = first; i < first + n; i += chunk) {
      notices.clear();
      for (long long j = i; j < std::min(first + n, i + chunk); ++j) {
        auto valid = bot::validate_notice(notice_fields(j, violation_time, confirm_by), options);
        if (auto* reason = std::get_if<std::string>(&valid)) throw std::runtime_error("notice refused: " + *reason);
        notices.push_back(std::move(std::get<storage::NewNotice>(valid)));
      }
      auto stored = store->enqueue(batch, notices, 0, wall_ms());
      if (!stored.status.ok) throw std::runtime_error("enqueue failed: " + stored.status.error);
      accepted += stored.accepted;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"rows\":%lld,\"accepted\":%lld,\"seconds\":%.3f,\"per_s\":%.0f,\"peak_rss_mb\":%.1f,"
                "\"batch\":\"%s\",\"confirm_by\":\"%s\"}\n",
                n, accepted, seconds, static_cast<double>(n) / seconds, peak_rss_mb(), batch.batch.c_str(),
                confirm_by.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "queue_notices: %s\n", e.what());
    return 1;
  }
  return 0;
}

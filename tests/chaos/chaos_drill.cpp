// Crash drill (scripts/chaos): under webhook load, SIGKILL the real service at random moments and
// restart it, N times; the Graph API fake fails a share of sends at random. Then check that every
// notification that got a 200 was processed exactly once and that no reply reached Meta twice.
// Usage: chaos_drill [--rounds 20] [--failure-ratio 0.2] [--seed 7]
// Prints one JSON line with the counts and exits 1 when an invariant is broken.
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"
#include "storage/store.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/service_harness.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;

int main(int argc, char** argv) {
  int rounds = 20;
  double failure_ratio = 0.2;
  unsigned seed = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key == "--rounds") rounds = std::stoi(argv[i + 1]);
    else if (key == "--failure-ratio") failure_ratio = std::stod(argv[i + 1]);
    else if (key == "--seed") seed = static_cast<unsigned>(std::stoul(argv[i + 1]));
  }
  std::mt19937 rng(seed);
  TempDir dir;
  FakeGraphApi graph(FakeGraphOptions{"test-access-token", ""});
  graph.start();
  if (failure_ratio > 0) graph.set_failure_ratio(failure_ratio, seed, 131000);
  std::map<std::string, std::string> env{{"TILANGBOT_DB", dir.file("chaos.db")},
                                         {"TILANGBOT_MEDIA_DIR", dir.file("media")},
                                         {"WA_APP_SECRET", test_secret},
                                         {"WA_VERIFY_TOKEN", test_verify_token},
                                         {"WA_ACCESS_TOKEN", "test-access-token"},
                                         {"WA_PHONE_NUMBER_ID", test_business},
                                         {"WA_GRAPH_URL", graph.base_url()},
                                         {"WA_MAX_MPS", "1000"}};

  // Like Meta: every accepted send is followed by a "sent" status webhook carrying our callback id,
  // redelivered until the service answers 200 (it may be dead at that moment).
  std::atomic<std::uint16_t> service_port{0};
  std::mutex status_mutex;
  std::vector<std::string> pending_statuses;
  graph.on_accepted([&](const std::string& wamid, const nlohmann::json& request) {
    auto status = nlohmann::json::parse(status_notification(test_business, wamid, request.value("to", ""), "sent"));
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] =
        request.value("biz_opaque_callback_data", "");
    std::lock_guard lock(status_mutex);
    pending_statuses.push_back(status.dump());
  });
  std::atomic<bool> statuses_stop{false};
  std::thread status_sender([&] {
    while (!statuses_stop) {
      std::vector<std::string> batch;
      {
        std::lock_guard lock(status_mutex);
        batch.swap(pending_statuses);
      }
      std::vector<std::string> retry;
      if (auto port = service_port.load(); port != 0 && !batch.empty()) {
        HttpClient client("127.0.0.1", port);
        for (auto& body : batch) {
          if (client.post_webhook(body, test_secret).status != 200) retry.push_back(std::move(body));
        }
      } else {
        retry = std::move(batch);
      }
      {
        std::lock_guard lock(status_mutex);
        pending_statuses.insert(pending_statuses.end(), retry.begin(), retry.end());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  std::set<std::string> acknowledged;
  std::mutex mutex;
  std::atomic<long> sequence{0};
  for (int round = 0; round < rounds; ++round) {
    ServiceProcess service(env, dir.file("round" + std::to_string(round) + ".log"));
    service.start();
    service_port = service.port();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        HttpClient client("127.0.0.1", service.port());
        while (!stop) {
          long n = sequence++;
          // Many users with a few messages each, as in real traffic: Meta's pair rate (one message per
          // 6 s per user after a short burst) would otherwise make replies wait minutes by design.
          std::string user = "62813" + std::to_string(1000000 + n % 5000);
          std::string wamid = "wamid.chaos" + std::to_string(n);
          const char* texts[] = {"halo", "denda", "B 1234 XYZ", "menu", "info", "batal"};
          auto r = client.post_webhook(
              user_text_notification(test_business, user, wamid, texts[n % 6], "Uji", meta_sample_timestamp),
              test_secret);
          if (r.status == 200) {
            std::lock_guard lock(mutex);
            acknowledged.insert(wamid);
          } else if (r.status == 0) {
            break;
          }
          (void)t;
        }
      });
    }
    std::uniform_int_distribution<int> when(100, 1200);
    std::this_thread::sleep_for(std::chrono::milliseconds(when(rng)));
    service_port = 0;
    service.kill_hard();
    stop = true;
    for (auto& c : clients) c.join();
  }

  // Final run without kills: let everything acknowledged be processed and every reply be sent.
  graph.set_failure_ratio(0, seed, 131000);
  ServiceProcess last(env, dir.file("final.log"));
  last.start();
  service_port = last.port();
  storage::sqlite::Connection db(dir.file("chaos.db"));
  auto settled = [&] {
    auto unhandled = db.query_int("SELECT count(*) FROM inbound_messages WHERE handled = 0").value_or(-1);
    auto unparsed = storage::open_sqlite_store({dir.file("chaos.db"), 0})->inbox_stats().unparsed;
    auto unsent = db.query_int("SELECT count(*) FROM outbox WHERE state IN ('queued','sending')").value_or(-1);
    return unhandled == 0 && unparsed == 0 && unsent == 0;
  };
  bool done = eventually(settled, std::chrono::milliseconds(120000));
  statuses_stop = true;
  status_sender.join();
  last.terminate();

  std::set<std::string> stored;
  {
    auto select = db.prepare("SELECT wamid FROM inbound_messages WHERE handled = 1");
    auto use = select.use();
    while (use->step() == storage::sqlite::Step::row) stored.insert(use->column_text(0));
  }
  long lost = 0;
  for (const auto& wamid : acknowledged) lost += stored.count(wamid) == 0 ? 1 : 0;
  // Processed twice would show as two turns for one inbound message: two mark-as-read rows.
  auto twice = db.query_int(
                     "SELECT count(*) FROM (SELECT source_ref FROM outbox WHERE kind = 'read' GROUP BY source_ref "
                     "HAVING count(*) > 1)")
                   .value_or(-1);
  // No reply reached Meta twice: every accepted send carries a distinct callback id.
  std::map<std::string, int> seen;
  long duplicate_replies = 0;
  for (const auto& a : graph.accepted()) {
    std::string opaque = a.body.value("biz_opaque_callback_data", "");
    if (!opaque.empty() && ++seen[opaque] == 2) ++duplicate_replies;
  }
  auto failed = db.query_int("SELECT count(*) FROM outbox WHERE state = 'failed'").value_or(-1);
  std::printf(
      "{\"rounds\":%d,\"acknowledged\":%zu,\"lost\":%ld,\"processed_twice\":%lld,\"duplicate_replies\":%ld,"
      "\"accepted_sends\":%zu,\"failed_rows\":%lld,\"settled\":%s}\n",
      rounds, acknowledged.size(), lost, static_cast<long long>(twice), duplicate_replies, graph.accepted().size(),
      static_cast<long long>(failed), done ? "true" : "false");
  return (lost == 0 && twice == 0 && duplicate_replies == 0 && done) ? 0 : 1;
}

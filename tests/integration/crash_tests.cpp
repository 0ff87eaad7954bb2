// Durability drills against the real binary: SIGKILL while clients post, graceful SIGTERM.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "storage/store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/service_harness.hpp"
#include "tests/support/service_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;
using namespace tilang::test;

namespace {

std::map<std::string, std::string> process_env(const TempDir& dir) {
  return {{"TILANGBOT_DB", dir.file("tilangbot.db")},
          {"TILANGBOT_MEDIA_DIR", dir.file("media")},
          {"WA_APP_SECRET", test_secret},
          {"WA_VERIFY_TOKEN", test_verify_token},
          {"WA_ACCESS_TOKEN", "test-access-token"},
          {"WA_PHONE_NUMBER_ID", "106540352242922"},
          {"WA_GRAPH_URL", "http://127.0.0.1:9"}};
}

std::string notification(const std::string& wamid) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"K"},"wa_id":"6281234"}],"messages":[{"from":"6281234","id":")" +
         wamid + R"(","timestamp":"1749416383","type":"text","text":{"body":"cek denda"}}]},"field":"messages"}]}]})";
}

}  // namespace

TEST_CASE("SIGKILL while clients post: every notification that got a 200 is there after restart", "[crash]") {
  TempDir dir;
  std::set<std::string> acknowledged;
  std::mutex mutex;
  {
    ServiceProcess service(process_env(dir), dir.file("run1.log"));
    service.start();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        HttpClient client("127.0.0.1", service.port());
        for (int i = 0; !stop; ++i) {
          std::string wamid = "wamid.kill" + std::to_string(t) + "_" + std::to_string(i);
          auto r = client.post_webhook(notification(wamid), test_secret);
          if (r.status == 200) {
            std::lock_guard lock(mutex);
            acknowledged.insert(wamid);
          } else if (r.status == 0) {
            break;  // the server is gone
          }
        }
      });
    }
    // Let the clients get well into their stream, then kill without warning.
    REQUIRE(eventually([&] {
      std::lock_guard lock(mutex);
      return acknowledged.size() >= 300;
    }));
    service.kill_hard();
    stop = true;
    for (auto& c : clients) c.join();
  }
  REQUIRE(acknowledged.size() >= 300);

  ServiceProcess again(process_env(dir), dir.file("run2.log"));
  again.start();
  auto store = storage::open_sqlite_store({dir.file("tilangbot.db"), 0});
  REQUIRE(eventually([&] { return store->inbox_stats().unparsed == 0; }, std::chrono::milliseconds(20000)));
  std::set<std::string> stored;
  for (const auto& m : store->messages_for_user("6281234")) stored.insert(m.wamid);
  std::size_t missing = 0;
  for (const auto& wamid : acknowledged) missing += stored.count(wamid) == 0 ? 1 : 0;
  CHECK(missing == 0);
  // Nothing twice: the message table holds each wamid once (primary key), and the count matches the
  // distinct ids that reached the database (acknowledged ones plus any stored just before the kill).
  CHECK(store->message_count() >= static_cast<std::int64_t>(acknowledged.size()));
  CHECK(again.terminate() == 0);
}

TEST_CASE("SIGTERM stops the service gracefully with exit code 0", "[shutdown]") {
  TempDir dir;
  ServiceProcess service(process_env(dir), dir.file("run.log"));
  service.start();
  HttpClient client("127.0.0.1", service.port());
  REQUIRE(client.post_webhook(notification("wamid.term1"), test_secret).status == 200);
  CHECK(service.terminate() == 0);
  auto log = read_file(dir.file("run.log"));
  CHECK(log.find("service_stopped") != std::string::npos);
  // Secrets never reach the log.
  CHECK(log.find(test_secret) == std::string::npos);
  CHECK(log.find("test-access-token") == std::string::npos);
}

TEST_CASE("serve without a required variable stops at start naming it", "[config]") {
  TempDir dir;
  auto env = process_env(dir);
  env.erase("WA_ACCESS_TOKEN");
  ServiceProcess service(env, dir.file("run.log"));
  CHECK_THROWS_WITH(service.start(), Catch::Contains("WA_ACCESS_TOKEN"));
}

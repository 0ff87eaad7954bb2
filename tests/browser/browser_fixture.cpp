// Test-only program for the console's browser test (tests/browser/run.js): starts a fake Graph API
// and the real service on free loopback ports with a temporary database, creates an officer,
// posts signed webhooks that put one conversation in the officers' queue (the user types
// `petugas`) and one payment proof in the verification queue, then prints one JSON line:
//   {"base_url", "console_url", "username", "password", "queued_user", "payer"}
// and serves until stdin closes. Commands on stdin (one per line), each answered by one JSON line:
//   sent <wa_id>    -> the message bodies the fake Graph API accepted for that user
//   payments        -> {"pending": n, "verified": n}
//   mode <wa_id>    -> {"mode": "..."}
// Usage: browser_fixture [--proof FILE]   (FILE: the image sent as the payment proof; JPEG or PNG)
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "bot/auth.hpp"
#include "bot/demo_data.hpp"
#include "storage/console_store.hpp"
#include "storage/sqlite.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/service_harness.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;
using nlohmann::json;

namespace {

constexpr const char* business = "106540352242922";
constexpr const char* access_token = "fixture-access-token";
constexpr const char* username = "ani";
constexpr const char* password = "sandi-rahasia-1";
constexpr const char* queued_user = "6281234567890";
constexpr const char* payer = "6281298765432";

std::int64_t query_int(const std::string& db_path, const std::string& sql) {
  storage::sqlite::Connection db(db_path);
  return db.query_int(sql).value_or(-1);
}

std::string query_text(const std::string& db_path, const std::string& sql) {
  storage::sqlite::Connection db(db_path);
  auto st = db.prepare(sql);
  auto use = st.use();
  return use->step() == storage::sqlite::Step::row ? use->column_text(0) : std::string();
}

bool wait_handled(const std::string& db_path, const std::string& wamid) {
  return eventually([&] {
    return query_int(db_path, "SELECT count(*) FROM inbound_messages WHERE handled = 1 AND wamid = '" + wamid + "'") == 1;
  });
}

std::string fallback_jpeg() {
  // Not a picture a browser can draw, but the service accepts it by its magic bytes.
  return std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-fixture-receipt";
}

}  // namespace

int main(int argc, char** argv) {
  std::string proof_file;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--proof") proof_file = argv[i + 1];
  }
  try {
    FakeGraphApi graph(FakeGraphOptions{access_token, ""});
    graph.start();
    ServiceHarness harness([&](bot::Config& c) {
      c.graph_url = graph.base_url();
      c.access_token = access_token;
      c.api_token = "fixture-api-token";
    });
    const std::string db_path = harness.config().db_path;
    harness.service().engine().with_store([](storage::EngineStore& store) {
      auto demo = bot::load_demo_data(store, business, std::chrono::system_clock::now());
      if (!demo.error.empty()) throw std::runtime_error(demo.error);
      return 0;
    });
    {
      storage::ConsoleStore store(db_path);
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
      if (!store.upsert_agent(username, "agent", bot::hash_password(password), now).ok) throw std::runtime_error("agent");
    }

    int counter = 0;
    auto say = [&](const std::string& user, const std::string& text, const std::string& name) {
      const std::string wamid = "wamid.browser" + std::to_string(++counter);
      if (harness.client().post_webhook(user_text_notification(business, user, wamid, text, name), test_secret).status != 200) {
        throw std::runtime_error("webhook refused");
      }
      if (!wait_handled(db_path, wamid)) throw std::runtime_error("message not handled: " + text);
    };
    // A payment proof in the verification queue.
    say(payer, "bayar", "Siti Rahayu");
    say(payer, "E1234567", "Siti Rahayu");
    std::string proof = fallback_jpeg();
    if (!proof_file.empty()) {
      std::ifstream f(proof_file, std::ios::binary);
      std::ostringstream bytes;
      bytes << f.rdbuf();
      if (!bytes.str().empty()) proof = bytes.str();
    }
    graph.add_media("media-browser-proof", proof.rfind("\x89PNG", 0) == 0 ? "image/png" : "image/jpeg", proof);
    const std::string image_wamid = "wamid.browser" + std::to_string(++counter);
    if (harness.client().post_webhook(user_image_notification(business, payer, image_wamid, "media-browser-proof", "Siti Rahayu"),
                                      test_secret).status != 200 ||
        !wait_handled(db_path, image_wamid)) {
      throw std::runtime_error("payment proof not handled");
    }
    // A conversation in the officers' queue.
    say(queued_user, "Halo, saya mau tanya soal denda tilang", "Budi Santoso");
    say(queued_user, "petugas", "Budi Santoso");
    if (query_text(db_path, std::string("SELECT mode FROM conversations WHERE user_id = '") + queued_user + "'") != "waiting") {
      throw std::runtime_error("the conversation did not reach the queue");
    }

    const std::string base = "http://127.0.0.1:" + std::to_string(harness.service().port());
    std::cout << json{{"base_url", base},
                      {"console_url", base + "/console"},
                      {"username", username},
                      {"password", password},
                      {"queued_user", queued_user},
                      {"payer", payer}}
                     .dump()
              << std::endl;

    std::string line;
    while (std::getline(std::cin, line)) {
      std::istringstream words(line);
      std::string command, arg;
      words >> command >> arg;
      json answer;
      if (command == "sent") {
        answer = json::array();
        for (const auto& m : graph.messages_to(arg)) answer.push_back(m);
      } else if (command == "payments") {
        answer = {{"pending", query_int(db_path, "SELECT count(*) FROM payments WHERE state = 'pending'")},
                  {"verified", query_int(db_path, "SELECT count(*) FROM payments WHERE state = 'verified'")}};
      } else if (command == "mode") {
        answer = {{"mode", query_text(db_path, "SELECT mode FROM conversations WHERE user_id = '" + arg + "'")}};
      } else {
        answer = {{"error", "unknown command"}};
      }
      std::cout << answer.dump() << std::endl;
    }
    harness.stop();
    graph.stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "browser_fixture: " << e.what() << std::endl;
    return 1;
  }
}

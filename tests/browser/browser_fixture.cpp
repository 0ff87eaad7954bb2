// Test-only program for the console's browser test (tests/browser/run.js): starts a fake Graph API
// and the real service on free loopback ports with a temporary database, creates an officer,
// posts signed webhooks that put one conversation in the officers' queue (the user types
// `petugas`) and one payment proof in the verification queue, then prints one JSON line:
//   {"base_url", "console_url", "username", "password", "admin_username", "admin_password",
//    "queued_user", "payer"}
// and serves until stdin closes. Commands on stdin (one per line), each answered by one JSON line:
//   sent <wa_id>    -> the message bodies the fake Graph API accepted for that user
//   payments        -> {"pending": n, "verified": n}
//   mode <wa_id>    -> {"mode": "..."}
//   messages <wa_id> -> {"count": n}   (that user's stored inbound messages)
// Usage: browser_fixture [--proof FILE]   (FILE: the image sent as the payment proof; JPEG or PNG)
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "bot/auth.hpp"
#include "storage/console_store.hpp"
#include "tests/support/graph_service_rig.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;
using nlohmann::json;

namespace {

constexpr const char* username = "ani";
constexpr const char* password = "sandi-rahasia-1";
constexpr const char* admin_username = "citra";
constexpr const char* admin_password = "sandi-admin-2";
constexpr const char* queued_user = "6281234567890";
constexpr const char* payer = "6281298765432";

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
    GraphServiceRig rig({}, RigTokens{"fixture-access-token", "fixture-api-token"});
    const std::string db_path = rig.db_path();
    if (const std::string error = rig.load_demo_data(); !error.empty()) throw std::runtime_error(error);
    {
      storage::ConsoleStore store(db_path);
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
      if (!store.upsert_agent(username, "agent", bot::hash_password(password), now).ok) throw std::runtime_error("agent");
      if (!store.upsert_agent(admin_username, "admin", bot::hash_password(admin_password), now).ok) {
        throw std::runtime_error("admin");
      }
    }

    auto say = [&](const std::string& user, const std::string& text, const std::string& name) {
      const std::string wamid = rig.next_wamid("wamid.browser");
      if (rig.post_signed(user_text_notification(test_business, user, wamid, text, name)) != 200) {
        throw std::runtime_error("webhook refused");
      }
      if (!rig.wait_handled(wamid)) throw std::runtime_error("message not handled: " + text);
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
    rig.graph().add_media("media-browser-proof", proof.rfind("\x89PNG", 0) == 0 ? "image/png" : "image/jpeg", proof);
    const std::string image_wamid = rig.next_wamid("wamid.browser");
    const std::string proof_notification =
        user_image_notification(test_business, payer, image_wamid, "media-browser-proof", "Siti Rahayu");
    if (rig.post_signed(proof_notification) != 200 || !rig.wait_handled(image_wamid)) {
      throw std::runtime_error("payment proof not handled");
    }
    // A conversation in the officers' queue.
    say(queued_user, "Halo, saya mau tanya soal denda tilang", "Budi Santoso");
    say(queued_user, "petugas", "Budi Santoso");
    if (rig.query_text(std::string("SELECT mode FROM conversations WHERE user_id = '") + queued_user + "'") != "waiting") {
      throw std::runtime_error("the conversation did not reach the queue");
    }

    const std::string base = "http://127.0.0.1:" + std::to_string(rig.harness().service().port());
    std::cout << json{{"base_url", base},
                      {"console_url", base + "/console"},
                      {"username", username},
                      {"password", password},
                      {"admin_username", admin_username},
                      {"admin_password", admin_password},
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
        for (const auto& m : rig.graph().messages_to(arg)) answer.push_back(m);
      } else if (command == "payments") {
        answer = {{"pending", query_int(db_path, "SELECT count(*) FROM payments WHERE state = 'pending'")},
                  {"verified", query_int(db_path, "SELECT count(*) FROM payments WHERE state = 'verified'")}};
      } else if (command == "messages") {
        answer = {{"count", query_int(db_path, "SELECT count(*) FROM inbound_messages WHERE user_id = '" + arg + "'")}};
      } else if (command == "mode") {
        answer = {{"mode", query_text(db_path, "SELECT mode FROM conversations WHERE user_id = '" + arg + "'", "")}};
      } else {
        answer = {{"error", "unknown command"}};
      }
      std::cout << answer.dump() << std::endl;
    }
    rig.harness().stop();
    rig.graph().stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "browser_fixture: " << e.what() << std::endl;
    return 1;
  }
}

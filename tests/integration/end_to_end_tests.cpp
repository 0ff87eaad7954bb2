// Whole path, nothing stubbed but Meta: a signed webhook in, the engine's reply out through the
// sender to the fake Graph API, and Meta's later status webhooks moving the reply forward.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "storage/outbox_store.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/service_harness.hpp"

using namespace tilang;
using namespace tilang::test;
using nlohmann::json;

namespace {

constexpr const char* business = "106540352242922";

std::string text_from(const std::string& user, const std::string& wamid, const std::string& body) {
  json message{{"from", user}, {"id", wamid}, {"timestamp", "1749416383"}, {"type", "text"}, {"text", {{"body", body}}}};
  json value{{"messaging_product", "whatsapp"},
             {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", business}}},
             {"contacts", {{{"profile", {{"name", "Siti"}}}, {"wa_id", user}}}},
             {"messages", {message}}};
  return json{{"object", "whatsapp_business_account"},
              {"entry", {{{"id", "1"}, {"changes", {{{"field", "messages"}, {"value", value}}}}}}}}
      .dump();
}

struct Service {
  FakeGraphApi graph{FakeGraphOptions{"test-access-token", ""}};
  std::unique_ptr<ServiceHarness> harness;
  Service() {
    graph.start();
    harness = std::make_unique<ServiceHarness>([this](bot::Config& c) { c.graph_url = graph.base_url(); });
  }
};

}  // namespace

TEST_CASE("a user's message is answered through the Graph API and marked read", "[e2e]") {
  Service s;
  const std::string user = "6281234500001";
  REQUIRE(s.harness->client().post_webhook(text_from(user, "wamid.e2e1", "halo"), test_secret).status == 200);

  // The greeting ends with the main menu (a list or buttons), never a dead end.
  CHECK(eventually([&] {
    for (const auto& r : s.graph.messages_to(user)) {
      if (r.value("type", "") == "interactive") return true;
    }
    return false;
  }));
  REQUIRE(eventually([&] {
    auto receipts = s.graph.read_receipts();
    return std::find(receipts.begin(), receipts.end(), "wamid.e2e1") != receipts.end();
  }));
}

TEST_CASE("the same message delivered three times gets one answer from Meta's point of view", "[e2e][dedup]") {
  Service s;
  const std::string user = "6281234500002";
  const std::string body = text_from(user, "wamid.e2e-dup", "denda");
  for (int i = 0; i < 3; ++i) REQUIRE(s.harness->client().post_webhook(body, test_secret).status == 200);
  REQUIRE(eventually([&] { return !s.graph.messages_to(user).empty(); }));
  // Give any (wrong) second answer time to arrive before counting.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto replies = s.graph.messages_to(user);
  auto receipts = s.graph.read_receipts();
  CHECK(std::count(receipts.begin(), receipts.end(), "wamid.e2e-dup") == 1);
  // One turn's worth of replies: asking again yields the same number of bubbles as the first time did.
  auto first_turn = replies.size();
  REQUIRE(s.harness->client().post_webhook(text_from(user, "wamid.e2e-dup2", "menu"), test_secret).status == 200);
  REQUIRE(eventually([&] { return s.graph.messages_to(user).size() > first_turn; }));
  CHECK(first_turn <= 3);
}

TEST_CASE("status webhooks move the reply forward and never back", "[e2e][status]") {
  Service s;
  const std::string user = "6281234500003";
  REQUIRE(s.harness->client().post_webhook(text_from(user, "wamid.e2e3", "halo"), test_secret).status == 200);
  REQUIRE(eventually([&] { return !s.graph.accepted().empty(); }));
  auto accepted = s.graph.accepted();
  std::string wamid;
  for (const auto& a : accepted) {
    if (a.body.value("to", "") == user || a.body.value("to", "") == "+" + user) wamid = a.wamid;
  }
  REQUIRE_FALSE(wamid.empty());
  auto client = s.harness->client();
  REQUIRE(client.post_webhook(status_notification(business, wamid, user, "read"), test_secret).status == 200);
  REQUIRE(client.post_webhook(status_notification(business, wamid, user, "delivered"), test_secret).status == 200);
  auto outbox = storage::open_sqlite_outbox(s.harness->config().db_path);
  REQUIRE(eventually([&] {
    auto status = s.harness->open_store()->message_status(wamid);
    return status && status->status == "read";
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(s.harness->open_store()->message_status(wamid)->status == "read");
}

TEST_CASE("a reply refused with 131047 after acceptance becomes a visible failure", "[e2e][status]") {
  Service s;
  const std::string user = "6281234500004";
  REQUIRE(s.harness->client().post_webhook(text_from(user, "wamid.e2e4", "halo"), test_secret).status == 200);
  REQUIRE(eventually([&] { return !s.graph.messages_to(user).empty(); }));
  std::string wamid;
  for (const auto& a : s.graph.accepted()) {
    if (a.body.value("type", "") != "" && a.body.value("to", "").find(user) != std::string::npos) wamid = a.wamid;
  }
  REQUIRE_FALSE(wamid.empty());
  REQUIRE(s.harness->client()
              .post_webhook(status_notification(business, wamid, user, "failed", 131047), test_secret)
              .status == 200);
  auto outbox = storage::open_sqlite_outbox(s.harness->config().db_path);
  CHECK(eventually([&] {
    auto row = outbox->find_by_wamid(wamid);
    return row && row->state == "failed" && row->error_code == 131047;
  }));
}

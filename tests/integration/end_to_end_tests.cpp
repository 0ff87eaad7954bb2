// Whole path, nothing stubbed but Meta: a signed webhook in, the engine's reply out through the
// sender to the fake Graph API, and Meta's later status webhooks moving the reply forward.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "storage/outbox_store.hpp"
#include "tests/support/graph_service_rig.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;
using nlohmann::json;

namespace {

std::string text_from(const std::string& user, const std::string& wamid, const std::string& body) {
  return user_text_notification(test_business, user, wamid, body, "Siti", meta_sample_timestamp);
}

}  // namespace

TEST_CASE("a user's message is answered through the Graph API and marked read", "[e2e]") {
  GraphServiceRig s;
  const std::string user = "6281234500001";
  REQUIRE(s.post_signed(text_from(user, "wamid.e2e1", "halo")) == 200);

  // The greeting ends with the main menu (a list or buttons), never a dead end.
  CHECK(eventually([&] {
    for (const auto& r : s.graph().messages_to(user)) {
      if (r.value("type", "") == "interactive") return true;
    }
    return false;
  }));
  REQUIRE(eventually([&] {
    auto receipts = s.graph().read_receipts();
    return std::find(receipts.begin(), receipts.end(), "wamid.e2e1") != receipts.end();
  }));
}

TEST_CASE("the same message delivered three times gets one answer from Meta's point of view", "[e2e][dedup]") {
  GraphServiceRig s;
  const std::string user = "6281234500002";
  const std::string body = text_from(user, "wamid.e2e-dup", "denda");
  for (int i = 0; i < 3; ++i) REQUIRE(s.post_signed(body) == 200);
  REQUIRE(eventually([&] { return !s.graph().messages_to(user).empty(); }));
  // Give any (wrong) second answer time to arrive before counting.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  auto replies = s.graph().messages_to(user);
  auto receipts = s.graph().read_receipts();
  CHECK(std::count(receipts.begin(), receipts.end(), "wamid.e2e-dup") == 1);
  // One turn's worth of replies: asking again yields the same number of bubbles as the first time did.
  auto first_turn = replies.size();
  REQUIRE(s.post_signed(text_from(user, "wamid.e2e-dup2", "menu")) == 200);
  REQUIRE(eventually([&] { return s.graph().messages_to(user).size() > first_turn; }));
  CHECK(first_turn <= 3);
}

TEST_CASE("status webhooks move the reply forward and never back", "[e2e][status]") {
  GraphServiceRig s;
  const std::string user = "6281234500003";
  REQUIRE(s.post_signed(text_from(user, "wamid.e2e3", "halo")) == 200);
  REQUIRE(eventually([&] { return !s.graph().accepted().empty(); }));
  auto accepted = s.graph().accepted();
  std::string wamid;
  for (const auto& a : accepted) {
    if (a.body.value("to", "") == user || a.body.value("to", "") == "+" + user) wamid = a.wamid;
  }
  REQUIRE_FALSE(wamid.empty());
  REQUIRE(s.post_signed(status_notification(test_business, wamid, user, "read")) == 200);
  REQUIRE(s.post_signed(status_notification(test_business, wamid, user, "delivered")) == 200);
  auto outbox = storage::open_sqlite_outbox(s.db_path());
  REQUIRE(eventually([&] {
    auto status = s.harness().open_store()->message_status(wamid);
    return status && status->status == "read";
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(s.harness().open_store()->message_status(wamid)->status == "read");
}

TEST_CASE("a reply refused with 131047 after acceptance becomes a visible failure", "[e2e][status]") {
  GraphServiceRig s;
  const std::string user = "6281234500004";
  REQUIRE(s.post_signed(text_from(user, "wamid.e2e4", "halo")) == 200);
  REQUIRE(eventually([&] { return !s.graph().messages_to(user).empty(); }));
  std::string wamid;
  for (const auto& a : s.graph().accepted()) {
    if (a.body.value("type", "") != "" && a.body.value("to", "").find(user) != std::string::npos) wamid = a.wamid;
  }
  REQUIRE_FALSE(wamid.empty());
  REQUIRE(s.post_signed(status_notification(test_business, wamid, user, "failed", 131047)) == 200);
  auto outbox = storage::open_sqlite_outbox(s.db_path());
  CHECK(eventually([&] {
    auto row = outbox->find_by_wamid(wamid);
    return row && row->state == "failed" && row->error_code == 131047;
  }));
}

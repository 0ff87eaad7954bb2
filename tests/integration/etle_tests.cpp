// The e-TLE confirmation push end to end: notices loaded through the real API go out as the
// configured template through the service's own sender and Graph client to the fake Graph API;
// signed status webhooks move the notice's state; the owner's button answer (quoting the
// template's wamid) runs the confirmation flow; failures are listed for a letter by post;
// reminders and expiry run on an injected clock; a restart mid-push sends no notice twice.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "bot/etle_scheduler.hpp"
#include "bot/etle_template.hpp"
#include "storage/etle_store.hpp"
#include "tests/support/api_calls.hpp"
#include "tests/support/graph_service_rig.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr std::int64_t day_ms = 86'400'000;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "YYYY-MM-DD" of today (WIB) plus `days`: deadlines must lie ahead of the service's real clock.
std::string wib_date(int days) {
  return bot::format_date_days((wall_ms() + 7 * 3'600'000) / day_ms + days);
}

json notice(const std::string& id, const std::string& owner_wa, int confirm_in_days = 8) {
  return {{"notice_id", id},
          {"plate", "B 1234 XYZ"},
          {"owner_name", "Budi Santoso"},
          {"owner_wa", owner_wa},
          {"violation_time", wib_date(-1) + "T08:31:00+07:00"},
          {"location", "Jl. Jend. Sudirman, Jakarta Pusat"},
          {"article", "287 ayat (1)"},
          {"fine_amount", "500000"},
          {"photo_url", "https://etle-pmj.polri.go.id/foto/" + id},
          {"confirm_by", wib_date(confirm_in_days)}};
}

// "+62 811-..." style input becomes this wa_id.
std::string owner(int i) { return "62811" + std::to_string(1000000 + i); }

class EtlePush {
 public:
  explicit EtlePush(std::function<void(bot::Config&)> adjust = {})
      : rig_([&adjust](bot::Config& c) {
          c.max_mps = 500;
          if (adjust) adjust(c);
        }) {}

  FakeGraphApi& graph() { return rig_.graph(); }
  ServiceHarness& harness() { return rig_.harness(); }

  std::pair<int, json> api(const std::string& method, const std::string& target, const std::string& body = "") {
    return bearer_call(rig_.harness(), method, target, body, test_api_token);
  }
  json get_notice(const std::string& id) {
    auto [status, body] = api("GET", "/api/v1/etle/notices/" + id);
    REQUIRE(status == 200);
    return body;
  }
  std::string state_of(const std::string& id) { return get_notice(id)["state"].get<std::string>(); }

  // The accepted template for a notice (by its correlation id) and the wamid the fake gave it.
  std::optional<AcceptedMessage> template_of(const std::string& notice_id, const std::string& opaque_suffix = "") {
    for (auto& m : rig_.graph().accepted()) {
      if (m.body.value("biz_opaque_callback_data", "") == "etle:" + notice_id + opaque_suffix) return m;
    }
    return std::nullopt;
  }

  void post_status(const std::string& wamid, const std::string& recipient, const std::string& status, int code = 0) {
    REQUIRE(rig_.post_signed(status_notification(test_business, wamid, recipient, status, code)) == 200);
  }

  // The owner taps a quick-reply button of the template (Meta's `button` message with context).
  void tap(const std::string& user, const std::string& context_wamid, const std::string& payload) {
    REQUIRE(rig_.post_signed(user_message_notification(test_business, user, rig_.next_wamid("wamid.answer"),
                                                       template_button_message(context_wamid, payload), "Budi")) ==
            200);
  }

  std::string texts_to(const std::string& user) {
    std::string all;
    for (const auto& m : rig_.graph().messages_to(user)) {
      if (m.value("type", "") != "template") all += m.dump() + "\n";
    }
    return all;
  }

  std::string query_text(const std::string& sql) { return rig_.query_text(sql); }

 private:
  GraphServiceRig rig_;
};

}  // namespace

TEST_CASE("notices loaded by API go out as the configured template; status webhooks move their state",
          "[etle][integration]") {
  EtlePush p([](bot::Config& c) {
    c.etle_template = "etle_test_v3";
    c.etle_template_lang = "id";
    c.etle_params = {"confirm_by", "plate", "location", "violation_time", "article", "photo_url"};
  });
  json items = json::array({notice("N-1", "+62 811-1000001"), notice("N-2", "0811" + std::string("1000002")),
                            notice("N-3", owner(3))});
  json bad = notice("N-4", owner(4));
  bad["photo_url"] = "https://etle-pmj.polri.go.id.example.com/x.apk";
  items.push_back(bad);
  auto [status, result] = p.api("POST", "/api/v1/etle/notices", items.dump());
  REQUIRE(status == 200);
  CHECK(result["accepted"] == 3);
  CHECK(result["duplicates"] == 0);
  REQUIRE(result["rejected"].size() == 1);
  CHECK(result["rejected"][0]["index"] == 3);
  CHECK(result["rejected"][0]["reason"].get<std::string>().find("photo_url") != std::string::npos);
  const std::string batch = result["batch"];

  REQUIRE(p.graph().wait_for_messages(3, 10s));
  auto sent = p.template_of("N-1");
  REQUIRE(sent);
  const json& tpl = sent->body["template"];
  CHECK(sent->body["to"] == owner(1));
  CHECK(tpl["name"] == "etle_test_v3");
  CHECK(tpl["language"]["code"] == "id");
  const auto& params = tpl["components"][0]["parameters"];
  REQUIRE(params.size() == 6);
  CHECK(params[1]["text"] == "B 1234 XYZ");  // the configured order: confirm_by first, plate second
  CHECK(params[2]["text"] == "Jl. Jend. Sudirman, Jakarta Pusat");
  CHECK(params[3]["text"] == wib_date(-1) + " 08:31 WIB");
  CHECK(params[5]["text"] == "https://etle-pmj.polri.go.id/foto/N-1");
  std::vector<std::string> payloads;
  for (std::size_t i = 1; i < tpl["components"].size(); ++i) {
    CHECK(tpl["components"][i]["sub_type"] == "quick_reply");
    payloads.push_back(tpl["components"][i]["parameters"][0]["payload"]);
  }
  CHECK(payloads == std::vector<std::string>{"ETLE_DRIVER_SELF", "ETLE_DRIVER_OTHER", "ETLE_NOT_MINE"});
  CHECK(sent->body.dump().find("\"header\"") == std::string::npos);  // no attachment

  REQUIRE(eventually([&] { return p.state_of("N-1") == "sent"; }));
  p.post_status(sent->wamid, owner(1), "delivered");
  REQUIRE(eventually([&] { return p.state_of("N-1") == "delivered"; }));
  p.post_status(sent->wamid, owner(1), "read");
  REQUIRE(eventually([&] { return p.state_of("N-1") == "read"; }));
  p.post_status(sent->wamid, owner(1), "delivered");  // late and out of order: never backwards
  auto view = p.get_notice("N-1");
  CHECK(view["state"] == "read");
  CHECK(view["delivery"]["wamid"] == sent->wamid);
  CHECK(view["delivery"]["outbox_state"] == "accepted");
  CHECK(view["batch"] == batch);
  auto n2 = p.template_of("N-2");
  REQUIRE(n2);
  p.post_status(n2->wamid, owner(2), "delivered");
  REQUIRE(eventually([&] { return p.state_of("N-2") == "delivered"; }));

  auto [bstatus, summary] = p.api("GET", "/api/v1/etle/batches/" + batch);
  REQUIRE(bstatus == 200);
  CHECK(summary["total"] == 3);
  CHECK(summary["sent"] == 3);
  CHECK(summary["delivered"] == 2);
  CHECK(summary["read"] == 1);
  CHECK(summary["failed"] == 0);
  CHECK(summary["confirmed"] == 0);
  CHECK(summary["rejected"] == 1);

  // The same notices again: duplicates, nothing sent again.
  auto [again_status, again] = p.api("POST", "/api/v1/etle/notices", items.dump());
  REQUIRE(again_status == 200);
  CHECK(again["accepted"] == 0);
  CHECK(again["duplicates"] == 3);
  std::this_thread::sleep_for(300ms);
  CHECK(p.graph().messages().size() == 3);

  CHECK(p.api("GET", "/api/v1/etle/notices/NOPE").first == 404);
  CHECK(p.api("GET", "/api/v1/etle/batches/NOPE").first == 404);
  auto unauth = p.harness().client().request("GET", "/api/v1/etle/notices/N-1");
  CHECK(unauth.status == 401);
  auto unauth_post = p.harness().client().request("POST", "/api/v1/etle/notices", "[]");
  CHECK(unauth_post.status == 401);
}

TEST_CASE("the owner's button answer on the template runs the confirmation flow", "[etle][integration]") {
  EtlePush p;
  json self = notice("N-SELF", owner(11));
  self["briva"] = "8888812345678901";
  json items = json::array({self, notice("N-NOT", owner(12)), notice("N-OTHER", owner(13))});
  auto [status, result] = p.api("POST", "/api/v1/etle/notices", items.dump());
  REQUIRE(status == 200);
  REQUIRE(result["accepted"] == 3);
  REQUIRE(p.graph().wait_for_messages(3, 10s));
  auto t_self = p.template_of("N-SELF");
  auto t_not = p.template_of("N-NOT");
  REQUIRE(t_self);
  REQUIRE(t_not);

  // I was driving: confirmed, payment instructions with the BRIVA code and the deadline.
  p.tap(owner(11), t_self->wamid, "ETLE_DRIVER_SELF");
  REQUIRE(eventually([&] { return p.state_of("N-SELF") == "confirmed"; }));
  REQUIRE(eventually([&] { return p.texts_to(owner(11)).find("8888812345678901") != std::string::npos; }));
  const std::string told = p.texts_to(owner(11));
  CHECK(told.find("B 1234 XYZ") != std::string::npos);
  CHECK(told.find("BRIVA") != std::string::npos);
  auto view = p.get_notice("N-SELF");
  CHECK(view["response"] == "driver_self");

  // Not my vehicle: the conversation waits for an officer.
  p.tap(owner(12), t_not->wamid, "ETLE_NOT_MINE");
  REQUIRE(eventually([&] { return p.state_of("N-NOT") == "disputed"; }));
  REQUIRE(eventually([&] {
    return p.query_text("SELECT mode FROM conversations WHERE user_id = '" + owner(12) + "'") == "waiting";
  }));

  // Someone else's template wamid does not open their notice.
  p.tap(owner(13), t_self->wamid, "ETLE_DRIVER_SELF");
  std::this_thread::sleep_for(500ms);
  CHECK(p.get_notice("N-OTHER")["response"] == "");

  auto [bstatus, summary] = p.api("GET", "/api/v1/etle/batches/" + result["batch"].get<std::string>());
  REQUIRE(bstatus == 200);
  CHECK(summary["confirmed"] == 1);
  CHECK(summary["disputed"] == 1);
  CHECK(summary["responded"] == 2);
  CHECK(summary["delivered"] == 2);  // an answer proves delivery even without its webhook
}

TEST_CASE("failed templates (not on WhatsApp) are listed for a letter by post", "[etle][integration]") {
  EtlePush p;
  // Refused at once by the send (131026) ...
  p.graph().push_fault(GraphFault::error(131026));
  auto [s1, r1] = p.api("POST", "/api/v1/etle/notices", json::array({notice("N-SYNC", owner(21))}).dump());
  REQUIRE(s1 == 200);
  REQUIRE(eventually([&] { return p.state_of("N-SYNC") == "failed"; }));
  // ... or accepted, then a failed status webhook.
  auto [s2, r2] = p.api("POST", "/api/v1/etle/notices", json::array({notice("N-HOOK", owner(22)), notice("N-OK", owner(23))}).dump());
  REQUIRE(s2 == 200);
  REQUIRE(p.graph().wait_for_messages(2, 10s));
  auto hook = p.template_of("N-HOOK");
  REQUIRE(hook);
  REQUIRE(eventually([&] { return p.state_of("N-HOOK") == "sent"; }));
  p.post_status(hook->wamid, owner(22), "failed", 131026);
  REQUIRE(eventually([&] { return p.state_of("N-HOOK") == "failed"; }));

  auto [status, list] = p.api("GET", "/api/v1/etle/undelivered");
  REQUIRE(status == 200);
  REQUIRE(list["items"].size() == 2);
  CHECK(list["items"][0]["notice_id"] == "N-SYNC");
  CHECK(list["items"][0]["error_code"] == 131026);
  CHECK(list["items"][0]["owner_name"] == "Budi Santoso");
  CHECK(list["items"][1]["notice_id"] == "N-HOOK");
  CHECK(list["items"][1]["error_code"] == 131026);
  auto [bs, by_batch] = p.api("GET", "/api/v1/etle/undelivered?batch=" + r2["batch"].get<std::string>());
  REQUIRE(bs == 200);
  REQUIRE(by_batch["items"].size() == 1);
  auto [ss, summary] = p.api("GET", "/api/v1/etle/batches/" + r2["batch"].get<std::string>());
  CHECK(summary["failed"] == 1);
  CHECK(summary["sent"] == 1);
}

TEST_CASE("reminders go once per offset before confirm_by, only to open notices; then the notice expires",
          "[etle][integration]") {
  EtlePush p;
  auto [status, result] = p.api("POST", "/api/v1/etle/notices",
                                json::array({notice("N-R", owner(31), 10), notice("N-ANS", owner(32), 10)}).dump());
  REQUIRE(status == 200);
  REQUIRE(p.graph().wait_for_messages(2, 10s));
  auto answered = p.template_of("N-ANS");
  REQUIRE(answered);
  p.tap(owner(32), answered->wamid, "ETLE_DRIVER_SELF");
  REQUIRE(eventually([&] { return p.state_of("N-ANS") == "confirmed"; }));

  // 00:00 WIB of confirm_by, as the import stored it.
  const std::int64_t confirm_start = (wall_ms() + 7 * 3'600'000) / day_ms * day_ms + 10 * day_ms - 7 * 3'600'000;
  const std::int64_t due3 = confirm_start - 3 * day_ms + 9 * 3'600'000;
  const std::int64_t due1 = confirm_start - 1 * day_ms + 9 * 3'600'000;
  auto make_scheduler = [&] {
    bot::EtleSchedulerOptions o;
    o.reminder_days = {1, 3};
    return std::make_unique<bot::EtleScheduler>(storage::open_sqlite_etle_store(p.harness().config().db_path),
                                                bot::EtleTemplateConfig{}, o, [] { return std::int64_t{0}; },
                                                [&] { p.harness().service().sender().wake(); });
  };
  auto scheduler = make_scheduler();
  CHECK(scheduler->tick(due3 - 60'000).reminders == 0);
  CHECK(scheduler->tick(due3 + 60'000).reminders == 1);
  CHECK(scheduler->tick(due3 + 120'000).reminders == 0);
  REQUIRE(eventually([&] { return p.template_of("N-R", ":r3").has_value(); }));
  CHECK(p.template_of("N-R", ":r3")->body["to"] == owner(31));
  // Across a restart of the scheduler (and of the service) the reminder is not sent again.
  scheduler = make_scheduler();
  p.harness().restart();
  CHECK(scheduler->tick(due3 + 180'000).reminders == 0);
  CHECK(scheduler->tick(due1 + 60'000).reminders == 1);
  REQUIRE(eventually([&] { return p.template_of("N-R", ":r1").has_value(); }));
  auto view = p.get_notice("N-R");
  CHECK(view["reminders_sent"] == 2);
  CHECK(p.get_notice("N-ANS")["reminders_sent"] == 0);
  CHECK(p.graph().messages_to(owner(31)).size() == 3);  // the notice and two reminders

  // The day after confirm_by: expired, and a late answer no longer confirms it.
  auto tick = scheduler->tick(confirm_start + day_ms + 1);
  CHECK(tick.expired == 1);
  CHECK(tick.reminders == 0);
  CHECK(p.state_of("N-R") == "expired");
  CHECK(p.state_of("N-ANS") == "confirmed");
  p.tap(owner(31), p.template_of("N-R", ":r1")->wamid, "ETLE_DRIVER_SELF");
  REQUIRE(eventually([&] { return p.texts_to(owner(31)).find("tidak dapat kami temukan") != std::string::npos; }));
  CHECK(p.state_of("N-R") == "expired");
  auto [bs, summary] = p.api("GET", "/api/v1/etle/batches/" + result["batch"].get<std::string>());
  CHECK(summary["expired"] == 1);
  CHECK(summary["reminders_sent"] == 2);
}

TEST_CASE("a restart in the middle of a 1,000-notice push sends every notice exactly once", "[etle][integration]") {
  EtlePush p([](bot::Config& c) { c.max_mps = 250; });
  json items = json::array();
  for (int i = 0; i < 1000; ++i) items.push_back(notice("N-" + std::to_string(i), owner(1000 + i)));
  auto [status, result] = p.api("POST", "/api/v1/etle/notices", items.dump());
  REQUIRE(status == 200);
  REQUIRE(result["accepted"] == 1000);
  REQUIRE(p.graph().wait_for_messages(150, 20s));
  p.harness().stop();
  const auto at_stop = p.graph().accepted().size();
  CHECK(at_stop < 1000);  // stopped mid-push
  p.harness().restart();
  REQUIRE(p.graph().wait_for_messages(1000, 30s));
  std::this_thread::sleep_for(500ms);  // anything sent twice would arrive now
  std::map<std::string, int> per_notice;
  for (const auto& m : p.graph().accepted()) ++per_notice[m.body.value("biz_opaque_callback_data", "")];
  CHECK(per_notice.size() == 1000);
  int twice = 0;
  for (const auto& [id, n] : per_notice) twice += n > 1 ? 1 : 0;
  CHECK(twice == 0);
  CHECK(p.graph().accepted().size() == 1000);
  auto [bs, summary] = p.api("GET", "/api/v1/etle/batches/" + result["batch"].get<std::string>());
  CHECK(summary["sent"] == 1000);
  CHECK(summary["queued"] == 0);
}

// The webhook path end to end: real server on 127.0.0.1:0, real HTTP client, signed payloads,
// real SQLite file. Asserts what is stored and parsed, never how fast.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "tests/support/service_harness.hpp"

using namespace tilang;
using namespace tilang::test;

namespace {

std::int64_t unparsed(const ServiceHarness& harness) { return harness.open_store()->inbox_stats().unparsed; }

bool all_parsed(const ServiceHarness& harness) {
  return eventually([&] { return unparsed(harness) == 0; });
}

std::string text_notification(const std::string& wamid, const std::string& from, const std::string& body) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Budi"},"wa_id":")" +
         from + R"("}],"messages":[{"from":")" + from + R"(","id":")" + wamid +
         R"(","timestamp":"1749416383","type":"text","text":{"body":")" + body +
         R"("}}]},"field":"messages"}]}]})";
}

}  // namespace

TEST_CASE("GET /webhook answers Meta's handshake only with the right verify token", "[webhook]") {
  ServiceHarness harness;
  auto client = harness.client();
  auto ok = client.get(std::string("/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=") +
                       test_verify_token);
  CHECK(ok.status == 200);
  CHECK(ok.body == "1158201444");

  CHECK(client.get("/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong").status == 403);
  CHECK(client.get(std::string("/webhook?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=") + test_verify_token)
            .status == 403);
  CHECK(client.get("/webhook").status == 403);
}

TEST_CASE("POST /webhook with a missing or wrong signature is 401 and stores nothing", "[webhook]") {
  ServiceHarness harness;
  auto client = harness.client();
  std::string body = fixture("metaopenapi_text.json");

  auto missing = client.request("POST", "/webhook", body, {{"Content-Type", "application/json"}});
  CHECK(missing.status == 401);
  auto wrong_secret = client.post_webhook(body, "not-the-secret");
  CHECK(wrong_secret.status == 401);
  auto garbage = client.request("POST", "/webhook", body, {{"X-Hub-Signature-256", "sha256=zz"}});
  CHECK(garbage.status == 401);
  // A valid signature of a different body.
  bot::SignatureVerifier signer(test_secret);
  auto other = client.request("POST", "/webhook", body, {{"X-Hub-Signature-256", signer.sign(body + " ")}});
  CHECK(other.status == 401);

  CHECK(harness.open_store()->inbox_stats().total == 0);
}

TEST_CASE("a body over 3 MiB is refused with 413 and nothing is stored", "[webhook]") {
  ServiceHarness harness;
  auto client = harness.client();
  std::string huge(4 * 1024 * 1024, 'x');
  auto result = client.post_webhook(huge, test_secret);
  INFO(result.error);
  CHECK(result.status == 413);
  CHECK(harness.open_store()->inbox_stats().total == 0);
  // The service keeps serving after refusing it.
  CHECK(harness.client().get("/healthz").status == 200);
}

TEST_CASE("a body just under 3 MiB is accepted", "[webhook]") {
  ServiceHarness harness;
  std::string body = text_notification("wamid.big", "6281234567890", std::string(3 * 1024 * 1024 - 1024, 'a'));
  auto result = harness.client().post_webhook(body, test_secret);
  CHECK(result.status == 200);
  REQUIRE(all_parsed(harness));
  CHECK(harness.open_store()->message_count() == 1);
}

TEST_CASE("signed but malformed or unknown payloads are acknowledged and recorded", "[webhook]") {
  ServiceHarness harness;
  auto client = harness.client();
  CHECK(client.post_webhook("this is not json", test_secret).status == 200);
  CHECK(client.post_webhook(R"({"object":"page","entry":[]})", test_secret).status == 200);
  CHECK(client.post_webhook(R"([1,2,3])", test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  auto stats = harness.open_store()->inbox_stats();
  CHECK(stats.total == 3);
  CHECK(stats.parse_failures >= 2);
  CHECK(harness.open_store()->message_count() == 0);
}

struct FixtureExpectation {
  const char* file;
  const char* kind;  // "message", "status" or "error"
  const char* id;    // wamid for messages and statuses
  const char* detail;  // message type, or status value
  const char* user;    // conversation key for messages
};

TEST_CASE("every Meta fixture is acknowledged and parsed into the expected events", "[webhook][fixtures]") {
  const FixtureExpectation expectations[] = {
      {"metaopenapi_text.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "text", "16505551234"},
      {"metaopenapi_text_ctwa_referral.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=", "text", "16505551234"},
      {"metaopenapi_image.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "image", "16505551234"},
      {"metaopenapi_contacts.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "contacts", "16505551234"},
      {"metaopenapi_location.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=", "location", "16505551234"},
      {"metaopenapi_reaction.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "reaction", "16505551234"},
      {"metaopenapi_interactive_button_reply.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=", "button_reply", "16505551234"},
      {"metaopenapi_interactive_list_reply.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJDQ0NDM0FEODY4ODkzOTc5RgA=", "list_reply", "16505551234"},
      {"metaopenapi_button_template_quick_reply.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=", "button", "16505551234"},
      {"metaopenapi_system_user_changed_number.json", "message", "wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==", "system", "16505551234"},
      {"metaopenapi_unsupported.json", "message", "wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA", "unsupported", "16505551234"},
      {"metadocs_bsuid_text_username_no_phone.json", "message", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "text", "US.13491208655302741918"},
      {"metadocs_bsuid_status_delivered_username.json", "status", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", "delivered", ""},
      {"metadocs_status_delivered_cbp_service.json", "status", "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", "delivered", ""},
      {"metadocs_status_failed_131049.json", "status", "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA", "failed", ""},
      {"metadocs_status_sent_pmp_marketing.json", "status", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", "sent", ""},
      {"metadocs_value_errors_130429.json", "error", "", "", ""},
  };
  for (const auto& e : expectations) {
    SECTION(e.file) {
      ServiceHarness harness;  // a fresh database: several fixtures share one wamid on purpose
      auto result = harness.client().post_webhook(fixture(e.file), test_secret);
      REQUIRE(result.status == 200);
      REQUIRE(all_parsed(harness));
      auto store = harness.open_store();
      CHECK(store->inbox_stats().parse_failures == 0);
      std::string kind = e.kind;
      if (kind == "message") {
        auto messages = store->messages_for_user(e.user);
        REQUIRE(messages.size() == 1);
        CHECK(messages[0].wamid == e.id);
        CHECK(messages[0].type == e.detail);
        CHECK(messages[0].business_number == "106540352242922");
      } else if (kind == "status") {
        auto status = store->message_status(e.id);
        REQUIRE(status.has_value());
        CHECK(status->status == e.detail);
        if (std::string(e.detail) == "failed") CHECK(status->error_code == 131049);
      } else {
        CHECK(store->message_count() == 0);
        CHECK(harness.service().metrics().value("tilangbot_inbox_parsed_total") == 1);
      }
    }
  }
}

TEST_CASE("the same notification delivered 3 times becomes one event", "[webhook][dedup]") {
  ServiceHarness harness;
  auto client = harness.client();
  std::string body = fixture("metaopenapi_text.json");
  for (int i = 0; i < 3; ++i) REQUIRE(client.post_webhook(body, test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  auto store = harness.open_store();
  CHECK(store->inbox_stats().total == 3);  // every delivery is kept raw...
  CHECK(store->message_count() == 1);      // ...but processed once
  CHECK(harness.service().metrics().value("tilangbot_webhook_duplicates_dropped_total") == 2);
}

TEST_CASE("a batch of two entries with two changes each is handled completely", "[webhook][batch]") {
  ServiceHarness harness;
  auto change = [](const std::string& wamid, const std::string& from) {
    return R"({"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"A"},"wa_id":")" +
           from + R"("}],"messages":[{"from":")" + from + R"(","id":")" + wamid +
           R"(","timestamp":"1749416383","type":"text","text":{"body":"halo"}}]},"field":"messages"})";
  };
  std::string body = R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[)" + change("wamid.a1", "6281111") +
                     "," + change("wamid.a2", "6282222") + R"(]},{"id":"2","changes":[)" + change("wamid.b1", "6283333") +
                     R"(,{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.out1","status":"read","timestamp":"1749416390","recipient_id":"6281111"}]},"field":"messages"}]}]})";
  REQUIRE(harness.client().post_webhook(body, test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  auto store = harness.open_store();
  CHECK(store->message_count() == 3);
  CHECK(store->messages_for_user("6282222").size() == 1);
  CHECK(store->messages_for_user("6283333").size() == 1);
  auto status = store->message_status("wamid.out1");
  REQUIRE(status);
  CHECK(status->status == "read");
}

TEST_CASE("statuses only move forward, also when they arrive out of order", "[webhook][status]") {
  ServiceHarness harness;
  auto client = harness.client();
  const std::string wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=";
  // delivered arrives first, then the (late) sent: it must stay delivered.
  REQUIRE(client.post_webhook(fixture("metadocs_bsuid_status_delivered_username.json"), test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  REQUIRE(client.post_webhook(fixture("metadocs_status_sent_pmp_marketing.json"), test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  auto status = harness.open_store()->message_status(wamid);
  REQUIRE(status);
  CHECK(status->status == "delivered");
}

TEST_CASE("a restart on the same database processes no event twice", "[webhook][restart]") {
  ServiceHarness harness;
  std::string body = fixture("metaopenapi_interactive_list_reply.json");
  REQUIRE(harness.client().post_webhook(body, test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  harness.restart();
  REQUIRE(harness.client().post_webhook(body, test_secret).status == 200);
  REQUIRE(all_parsed(harness));
  auto store = harness.open_store();
  CHECK(store->message_count() == 1);
  CHECK(store->inbox_stats().total == 2);
}

TEST_CASE("many concurrent signed posts are all stored and parsed exactly once", "[webhook][concurrency]") {
  ServiceHarness harness;
  constexpr int threads = 8, per_thread = 50;
  std::vector<std::thread> workers;
  std::atomic<int> ok{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto client = harness.client();
      for (int i = 0; i < per_thread; ++i) {
        auto wamid = "wamid.c" + std::to_string(t) + "_" + std::to_string(i);
        if (client.post_webhook(text_notification(wamid, "62812" + std::to_string(t), "x"), test_secret).status == 200) ++ok;
      }
    });
  }
  for (auto& w : workers) w.join();
  CHECK(ok == threads * per_thread);
  REQUIRE(all_parsed(harness));
  CHECK(harness.open_store()->message_count() == threads * per_thread);
  // Group commit: the writer needed fewer transactions than requests.
  CHECK(harness.service().metrics().render().find("tilangbot_inbox_commits") != std::string::npos);
}

TEST_CASE("healthz, metrics and unknown routes", "[ops]") {
  ServiceHarness harness;
  auto client = harness.client();
  auto health = client.get("/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  REQUIRE(client.post_webhook("{}", "bad").status == 401);
  auto metrics = client.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("tilangbot_http_requests_total{route=\"webhook\",code=\"401\"} 1") != std::string::npos);
  CHECK(metrics.body.find("tilangbot_inbox_unparsed") != std::string::npos);
  CHECK(metrics.body.find("tilangbot_messages_unhandled") != std::string::npos);
  CHECK(metrics.body.find("tilangbot_inbox_lag_seconds") != std::string::npos);
  CHECK(client.get("/nope").status == 404);
  CHECK(client.request("DELETE", "/healthz").status == 405);
}

TEST_CASE("a database that cannot grow makes the webhook answer 503, never 200", "[webhook][faults]") {
  // Room for a few bodies above the migrated schema, then the database cannot grow.
  std::int64_t schema_pages = 0;
  {
    TempDir scratch;
    storage::migrate_sqlite(scratch.file("schema.db"));
    schema_pages = static_cast<std::int64_t>(std::filesystem::file_size(scratch.file("schema.db")) / 4096);
    auto wal = scratch.file("schema.db-wal");
    if (std::filesystem::exists(wal)) schema_pages += static_cast<std::int64_t>(std::filesystem::file_size(wal) / 4096);
  }
  ServiceHarness harness([&](bot::Config& config) { config.db_max_page_count = schema_pages + 200; });
  auto client = harness.client();
  std::string big(200 * 1024, 'z');
  int ok = 0, unavailable = 0, other = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = client.post_webhook(text_notification("wamid.f" + std::to_string(i), "6281", big), test_secret);
    (r.status == 200 ? ok : r.status == 503 ? unavailable : other)++;
  }
  CHECK(ok > 0);           // while there is room, notifications are stored...
  CHECK(unavailable > 0);  // ...then refused with 503 so Meta redelivers
  CHECK(other == 0);
  // Everything that got a 200 is really stored.
  CHECK(harness.open_store()->inbox_stats().total == ok);
}

// User journeys through the conversation engine: signed webhooks go through the real server, whose
// engine processes the stored messages (media fetched from the fake Graph API by the service's own
// Graph client); officers act through the real HTTP API. Asserts on outbox rows (rendered Graph API
// bodies) and on domain rows.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "bot/api_handlers.hpp"
#include "bot/engine.hpp"
#include "bot/http_server.hpp"
#include "storage/sqlite.hpp"
#include "tests/support/api_calls.hpp"
#include "tests/support/graph_service_rig.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;
using nlohmann::json;

namespace {

std::string jpeg(const std::string& salt) { return std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-receipt-" + salt; }

struct OutboxEntry {
  std::int64_t id = 0;
  std::string kind;
  json body;
  std::string source_ref;
};

// A running service (its engine, API and Graph client pointed at a fake Graph API) with demo data.
class Journey {
 public:
  Journey() { REQUIRE(rig_.load_demo_data().empty()); }

  FakeGraphApi& graph() { return rig_.graph(); }
  bot::Engine& engine() { return rig_.engine(); }
  const ServiceHarness& harness() const { return rig_.harness(); }

  // Posts a signed notification carrying one message and lets the engine process it.
  void deliver(const std::string& user, const json& message_fields, const std::string& wamid = "",
               bool process = true) {
    const std::string id = wamid.empty() ? rig_.next_wamid("wamid.test") : wamid;
    REQUIRE(rig_.post_signed(user_message_notification(test_business, user, id, message_fields, "Budi",
                                                       meta_sample_timestamp)) == 200);
    REQUIRE(eventually([&] {
      for (const auto& m : harness().open_store()->messages_for_user(user)) {
        if (m.wamid == id) return true;
      }
      return false;
    }));
    // The service's engine thread handles it soon anyway; processing here makes each step deterministic.
    if (process) engine().process_pending();
    last_wamid_ = id;
  }

  void say(const std::string& user, const std::string& text) { deliver(user, text_message(text)); }
  void tap(const std::string& user, const std::string& id, const std::string& title) {
    deliver(user, button_reply_message(id, title));
  }
  void send_image(const std::string& user, const std::string& media_id, std::string bytes,
                  const std::string& mime = "image/jpeg") {
    rig_.graph().add_media(media_id, mime, std::move(bytes));
    deliver(user, image_message(media_id, mime));
  }

  // Outbox rows for `user` after row id `after`.
  std::vector<OutboxEntry> outbox(const std::string& user, std::int64_t after = 0) const {
    storage::sqlite::Connection db(rig_.db_path());
    auto s = db.prepare("SELECT id, kind, body_json, source_ref FROM outbox WHERE recipient = ?1 AND id > ?2 ORDER BY id");
    std::vector<OutboxEntry> out;
    auto use = s.use();
    use->bind_text(1, user).bind_int(2, after);
    while (use->step() == storage::sqlite::Step::row) {
      out.push_back({use->column_int(0), use->column_text(1), json::parse(use->column_text(2)), use->column_text(3)});
    }
    return out;
  }
  std::int64_t last_id(const std::string& user) const {
    auto rows = outbox(user);
    return rows.empty() ? 0 : rows.back().id;
  }

  // Everything the user was told after row `after`, as one string (texts, bodies, buttons, rows).
  std::string told(const std::string& user, std::int64_t after) const {
    std::string all;
    for (const auto& e : outbox(user, after)) {
      if (e.kind != "message") continue;
      all += e.body.dump() + "\n";
    }
    return all;
  }

  std::int64_t query_int(const std::string& sql) const { return rig_.query_int(sql); }
  std::string query_text(const std::string& sql) const { return rig_.query_text(sql); }

  // Calls the service's back-office API over HTTP.
  std::pair<int, json> api(http::verb method, const std::string& target, const std::string& body = "",
                           const std::string& token = test_api_token) {
    return bearer_call(harness(), std::string(http::to_string(method)), target, body, token);
  }

  std::string last_wamid() const { return last_wamid_; }

 private:
  GraphServiceRig rig_;
  std::string last_wamid_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("fine lookup by a plate typed with odd spacing lists both fines; an unknown register says so",
          "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000001";
  j.say(user, "  b 1234xyz ");
  const std::string listed = j.told(user, 0);
  CHECK(contains(listed, "E1234567"));
  CHECK(contains(listed, "E1234568"));
  CHECK(contains(listed, "\"type\":\"list\""));

  const auto mark = j.last_id(user);
  j.say(user, "E9999999");
  const std::string unknown = j.told(user, mark);
  CHECK(contains(unknown, "E9999999"));
  CHECK(contains(unknown, "tidak ditemukan"));

  // One mark-as-read row per inbound message, naming it.
  int reads = 0;
  for (const auto& e : j.outbox(user)) {
    if (e.kind != "read") continue;
    ++reads;
    CHECK(e.body["status"] == "read");
    CHECK(e.body["message_id"] == e.source_ref);
  }
  CHECK(reads == 2);
  CHECK(j.query_int("SELECT count(*) FROM inbound_messages WHERE handled = 0") == 0);
}

TEST_CASE("payment proof, officer verifies through the API, COD pickup is recorded", "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000002";
  j.say(user, "bayar");
  j.say(user, "E1234567");
  CHECK(contains(j.told(user, 0), "Rp505.000"));

  auto mark = j.last_id(user);
  j.send_image(user, "media-proof-1", jpeg("one"));
  const std::string received = j.told(user, mark);
  const std::string reference = j.query_text("SELECT reference FROM payments WHERE register_no = 'E1234567'");
  REQUIRE(reference.starts_with("BYR-"));
  REQUIRE(reference.size() == std::string("BYR-20250101-0001").size());
  CHECK(contains(received, reference));
  CHECK(j.graph().media_downloads() == 1);
  const std::string sha = j.query_text("SELECT media_sha256 FROM payments WHERE reference = '" + reference + "'");
  CHECK(std::filesystem::exists(std::filesystem::path(j.harness().config().media_dir) / (sha + ".jpg")));

  // The officers' queue needs the token.
  CHECK(j.api(http::verb::get, "/api/v1/payments?state=pending", "", "").first == 401);
  CHECK(j.api(http::verb::get, "/api/v1/payments?state=pending", "", "wrong").first == 401);
  auto [status, list] = j.api(http::verb::get, "/api/v1/payments?state=pending");
  REQUIRE(status == 200);
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["reference"] == reference);
  CHECK(list["items"][0]["wa_id"] == user);
  const auto id = list["items"][0]["id"].get<std::int64_t>();

  mark = j.last_id(user);
  auto verified = j.api(http::verb::post, "/api/v1/payments/" + std::to_string(id) + "/verify", "{}");
  CHECK(verified.first == 200);
  CHECK(verified.second["state"] == "verified");
  CHECK(contains(j.told(user, mark), "diverifikasi"));
  CHECK(j.query_text("SELECT status FROM fines WHERE register_no = 'E1234567'") == "PAID");
  // Deciding twice is a conflict, not a second message.
  CHECK(j.api(http::verb::post, "/api/v1/payments/" + std::to_string(id) + "/reject", R"({"reason":"x"})").first == 409);
  CHECK(j.api(http::verb::post, "/api/v1/payments/999/verify", "{}").first == 404);

  j.tap(user, "cod", "COD");
  j.say(user, "Budi Santoso");
  j.say(user, "Jl. Melati No. 5 RT 01/02");
  j.say(user, "Menteng");
  j.say(user, "Menteng");
  j.say(user, "Jakarta Pusat");
  mark = j.last_id(user);
  j.say(user, "0812-3456-7890");
  CHECK(contains(j.told(user, mark), "Rp15.000"));
  mark = j.last_id(user);
  j.say(user, "ya");
  CHECK(contains(j.told(user, mark), "COD"));
  CHECK(j.query_int("SELECT count(*) FROM shipments WHERE register_no = 'E1234567' AND fee = 15000"
                    " AND phone = '6281234567890' AND city = 'Jakarta Pusat' AND state = 'recorded'") == 1);
}

TEST_CASE("a rejected proof tells the reason and a new proof can be sent", "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000003";
  j.say(user, "bayar");
  j.say(user, "E1234568");
  j.send_image(user, "media-a", jpeg("blurry"));
  auto [status, list] = j.api(http::verb::get, "/api/v1/payments");
  REQUIRE(list["items"].size() == 1);
  const auto id = list["items"][0]["id"].get<std::int64_t>();
  CHECK(j.api(http::verb::post, "/api/v1/payments/" + std::to_string(id) + "/reject", "{}").first == 400);

  auto mark = j.last_id(user);
  CHECK(j.api(http::verb::post, "/api/v1/payments/" + std::to_string(id) + "/reject",
              R"({"reason":"Nominal tidak sesuai"})")
            .first == 200);
  CHECK(contains(j.told(user, mark), "Nominal tidak sesuai"));

  mark = j.last_id(user);
  j.send_image(user, "media-b", jpeg("sharp"));
  CHECK(j.query_int("SELECT count(*) FROM payments WHERE register_no = 'E1234568'") == 2);
  CHECK(j.query_int("SELECT count(*) FROM payments WHERE state = 'pending' AND duplicate_of = ''") == 1);
  const std::string second = j.query_text("SELECT reference FROM payments WHERE state = 'pending'");
  CHECK(contains(j.told(user, mark), second));
}

TEST_CASE("the same receipt used for two fines is flagged; an APK posing as a photo is refused",
          "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000004";
  j.say(user, "bayar");
  j.say(user, "E1234567");
  j.send_image(user, "media-x", jpeg("same"));
  const std::string first = j.query_text("SELECT reference FROM payments WHERE register_no = 'E1234567'");

  j.say(user, "bayar");
  j.say(user, "E3456789");
  auto mark = j.last_id(user);
  j.send_image(user, "media-y", jpeg("same"));
  CHECK(j.query_text("SELECT duplicate_of FROM payments WHERE register_no = 'E3456789'") == first);
  CHECK(contains(j.told(user, mark), "sama dengan bukti"));
  auto [status, list] = j.api(http::verb::get, "/api/v1/payments?state=pending");
  REQUIRE(list["items"].size() == 2);
  CHECK(list["items"][1]["duplicate_of"] == first);

  const std::string other = "6281100000005";
  j.say(other, "bayar");
  j.say(other, "E5678901");
  mark = j.last_id(other);
  j.send_image(other, "media-apk", std::string("PK\x03\x04", 4) + "classes.dex AndroidManifest.xml");
  CHECK(contains(j.told(other, mark), "tidak dikenali"));
  CHECK(j.query_int("SELECT count(*) FROM payments WHERE register_no = 'E5678901'") == 0);
  CHECK(j.query_int("SELECT count(*) FROM media_files") == 1);
}

TEST_CASE("a KANDANI report with a location pin gets a KDN number whose status can be asked and changed",
          "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000006";
  j.say(user, "lapor");
  j.say(user, "1");
  j.say(user, "Tabrakan motor dan mobil");
  j.say(user, "Motor ditabrak dari belakang");
  j.say(user, "Tadi pagi jam 7");
  j.deliver(user, location_message(-6.1947, 106.8231, "Bundaran HI", "Jl. M.H. Thamrin"));
  j.say(user, "Pengendara motor");
  j.say(user, "lewati");
  auto mark = j.last_id(user);
  j.say(user, "kirim");
  const std::string report_no = j.query_text("SELECT report_no FROM reports WHERE wa_id = '" + user + "'");
  REQUIRE(report_no.starts_with("KDN-"));
  CHECK(contains(j.told(user, mark), report_no));
  CHECK(j.query_int("SELECT count(*) FROM reports WHERE has_location = 1 AND abs(latitude + 6.1947) < 0.0001"
                    " AND abs(longitude - 106.8231) < 0.0001 AND category = 'kecelakaan' AND team = 'laka'") == 1);

  mark = j.last_id(user);
  j.say(user, "status " + report_no);
  CHECK(contains(j.told(user, mark), report_no));
  CHECK(contains(j.told(user, mark), "Status laporan"));

  mark = j.last_id(user);
  auto changed = j.api(http::verb::post, "/api/v1/reports/" + report_no + "/status",
                       R"({"status":"in_progress","note":"Unit laka menuju lokasi"})");
  CHECK(changed.first == 200);
  CHECK(changed.second["status"] == "in_progress");
  CHECK(contains(j.told(user, mark), "Unit laka menuju lokasi"));
  CHECK(contains(j.told(user, mark), "Sedang ditindaklanjuti"));
  auto got = j.api(http::verb::get, "/api/v1/reports/" + report_no);
  CHECK(got.first == 200);
  CHECK(got.second["what"] == "Tabrakan motor dan mobil");
  CHECK(j.api(http::verb::post, "/api/v1/reports/" + report_no + "/status", R"({"status":"lost"})").first == 400);
  CHECK(j.api(http::verb::get, "/api/v1/reports/KDN-20000101-0001").first == 404);

  // A second report, in another team's queue: each team sees its own, oldest first.
  const std::string other = "6281100000016";
  j.say(other, "lapor");
  j.say(other, "kriminal");
  j.say(other, "Dompet dicopet di halte");
  j.say(other, "Saat naik bus");
  j.say(other, "Kemarin sore");
  j.say(other, "Halte Sarinah");
  j.say(other, "Tidak tahu");
  j.say(other, "lewati");
  j.say(other, "kirim");
  const std::string other_no = j.query_text("SELECT report_no FROM reports WHERE wa_id = '" + other + "'");
  REQUIRE(other_no.starts_with("KDN-"));
  const auto team_queue = [&](const std::string& team) {
    auto [code, body] = j.api(http::verb::get, "/api/v1/reports?status=open" + (team.empty() ? "" : "&team=" + team));
    REQUIRE(code == 200);
    std::vector<std::string> numbers;
    for (const auto& item : body["items"]) numbers.push_back(item["report_no"]);
    return numbers;
  };
  CHECK(team_queue("laka") == std::vector<std::string>{report_no});
  CHECK(team_queue("reskrim") == std::vector<std::string>{other_no});
  CHECK(team_queue("samapta").empty());
  CHECK(team_queue("") == std::vector<std::string>{report_no, other_no});
  auto [unknown_code, unknown] = j.api(http::verb::get, "/api/v1/reports?team=lalin");
  CHECK(unknown_code == 400);
  CHECK(unknown["error"].get<std::string>().find("laka") != std::string::npos);
  auto [teams_code, listing] = j.api(http::verb::get, "/api/v1/reports");
  REQUIRE(teams_code == 200);
  REQUIRE(listing["teams"].size() == 4);
  CHECK(listing["teams"][0]["id"] == "laka");
}

TEST_CASE("language switch, batal mid-form, and a message delivered twice answered once", "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000007";
  j.say(user, "EN");
  CHECK(contains(j.told(user, 0), "continue in English"));
  auto mark = j.last_id(user);
  j.say(user, "menu");
  CHECK(contains(j.told(user, mark), "Please choose the service"));
  j.say(user, "ID");

  mark = j.last_id(user);
  j.say(user, "lapor");
  j.say(user, "1");
  j.say(user, "Ada kecelakaan");
  j.say(user, "batal");
  CHECK(contains(j.told(user, mark), "dibatalkan"));
  CHECK(j.query_int("SELECT count(*) FROM reports") == 0);

  // Meta redelivers the same wamid: it is stored once and answered once.
  const std::string other = "6281100000008";
  const json hello = text_message("halo");
  j.deliver(other, hello, "wamid.twice");
  const auto first_rows = j.outbox(other).size();
  CHECK(first_rows >= 2);
  j.deliver(other, hello, "wamid.twice");
  CHECK(j.outbox(other).size() == first_rows);
  CHECK(j.query_int("SELECT count(*) FROM outbox WHERE kind = 'read' AND source_ref = 'wamid.twice'") == 1);
}

TEST_CASE("a message that cannot be processed is marked handled with its error and does not block the next",
          "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000009";
  {
    storage::sqlite::Connection db(j.harness().config().db_path);
    REQUIRE(db.exec("INSERT INTO inbound_messages(wamid, business_number, user_id, timestamp, type, payload_json,"
                    " inbox_id, created_at_ms) VALUES ('wamid.broken', '106540352242922', '6281100000009', 1, 'text',"
                    " 'not json', 0, 0)")
                .ok);
  }
  j.say(user, "halo");
  CHECK(j.query_int("SELECT handled FROM inbound_messages WHERE wamid = 'wamid.broken'") == 1);
  CHECK(j.query_text("SELECT handle_error FROM inbound_messages WHERE wamid = 'wamid.broken'") != "");
  CHECK(contains(j.told(user, 0), "Silakan pilih layanan"));
}

TEST_CASE("while an officer owns the conversation the bot only marks messages read; release resumes the menu",
          "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000010";
  j.say(user, "petugas");
  CHECK(j.query_text("SELECT mode FROM conversations WHERE user_id = '" + user + "'") == "waiting");
  REQUIRE(j.engine().take_over({test_business, user}, "officer-1") == bot::EngineResult::done);
  auto mark = j.last_id(user);
  j.say(user, "halo pak");
  auto rows = j.outbox(user, mark);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].kind == "read");
  REQUIRE(j.engine().release({test_business, user}) == bot::EngineResult::done);
  CHECK(j.query_text("SELECT mode FROM conversations WHERE user_id = '" + user + "'") == "bot");
  CHECK(contains(j.told(user, mark), "\"type\":\"list\""));
  CHECK(j.engine().release({test_business, user}) == bot::EngineResult::conflict);
}

TEST_CASE("the service's engine thread handles stored messages by itself", "[engine][journey]") {
  Journey j;
  const std::string user = "6281100000011";
  j.deliver(user, text_message("denda"), "", false);
  CHECK(eventually([&] { return j.query_int("SELECT count(*) FROM inbound_messages WHERE handled = 0") == 0; }));
  CHECK(eventually([&] { return contains(j.told(user, 0), "register"); }));
}

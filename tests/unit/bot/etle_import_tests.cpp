// e-TLE import: field validation (numbers, times, official links), the template body in the
// configured parameter order, and idempotent storage of notices with their template outbox rows.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bot/etle_import.hpp"
#include "storage/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;
using nlohmann::json;

namespace {

std::map<std::string, std::string> good_fields() {
  return {{"notice_id", "ETLE-2025-0001"},
          {"plate", "b 1234 xyz"},
          {"owner_name", "Budi Santoso"},
          {"owner_wa", "0812-3456-7890"},
          {"violation_time", "2025-05-12T08:31:00+07:00"},
          {"location", "Jl. Sudirman, Jakarta"},
          {"article", "287 ayat (1)"},
          {"fine_amount", "500000"},
          {"photo_url", "https://etle-pmj.polri.go.id/foto/ETLE-2025-0001"},
          {"confirm_by", "2025-05-20"}};
}

bot::EtleImportOptions options() {
  bot::EtleImportOptions o;
  o.business_number = "100";
  return o;
}

std::string reason(const std::map<std::string, std::string>& f) {
  auto v = bot::validate_notice(f, options());
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
}

std::int64_t count(const std::string& db, const std::string& sql) {
  storage::sqlite::Connection c(db);
  return c.query_int(sql).value_or(-1);
}

}  // namespace

TEST_CASE("normalise_owner_wa: 08 -> 628, +62 -> 62, separators dropped, 10-15 digits", "[etle][import]") {
  CHECK(bot::normalise_owner_wa("0812-3456-7890") == "6281234567890");
  CHECK(bot::normalise_owner_wa("+62 812 3456 7890") == "6281234567890");
  CHECK(bot::normalise_owner_wa("6281234567890") == "6281234567890");
  CHECK(bot::normalise_owner_wa("(0812) 3456.7890") == "6281234567890");
  CHECK_FALSE(bot::normalise_owner_wa("081234"));              // too short
  CHECK_FALSE(bot::normalise_owner_wa("62812345678901234"));   // too long
  CHECK_FALSE(bot::normalise_owner_wa("0212345678"));          // 0 but not 08: no country code
  CHECK_FALSE(bot::normalise_owner_wa("0812abc4567"));
  CHECK_FALSE(bot::normalise_owner_wa("62+81234567890"));
  CHECK_FALSE(bot::normalise_owner_wa(""));
}

TEST_CASE("photo_url: https on an official .go.id host only, never a file to install", "[etle][import]") {
  CHECK_FALSE(bot::photo_url_problem(""));
  CHECK_FALSE(bot::photo_url_problem("https://etle-pmj.polri.go.id/foto/1.jpg"));
  CHECK_FALSE(bot::photo_url_problem("HTTPS://ETLE.KORLANTAS.POLRI.GO.ID:443/x?id=1"));
  CHECK(bot::photo_url_problem("http://etle-pmj.polri.go.id/foto/1"));
  CHECK(bot::photo_url_problem("https://etle-pmj.polri.go.id.evil.com/foto"));
  CHECK(bot::photo_url_problem("https://polri.go.id@evil.com/x"));
  CHECK(bot::photo_url_problem("https://example.com/x.go.id"));
  CHECK(bot::photo_url_problem("https://go.id/x"));
  CHECK(bot::photo_url_problem("https://etle.polri.go.id/Surat-Tilang.APK"));
  CHECK(bot::photo_url_problem("https://etle.polri.go.id/a b"));
}

TEST_CASE("parse_iso_time needs an offset and gives the instant", "[etle][import]") {
  auto t = bot::parse_iso_time("2025-05-12T08:31:00+07:00");
  REQUIRE(t);
  CHECK(t->offset_minutes == 420);
  CHECK(t->epoch_ms == 1747013460000);  // 2025-05-12T01:31:00Z
  CHECK(bot::parse_iso_time("2025-05-12T01:31:00Z")->epoch_ms == 1747013460000);
  CHECK(bot::parse_iso_time("2025-05-12T01:31:00.250Z"));
  CHECK(bot::parse_iso_time("2025-05-12T09:31+0800")->epoch_ms == 1747013460000);
  CHECK_FALSE(bot::parse_iso_time("2025-05-12T08:31:00"));      // no offset
  CHECK_FALSE(bot::parse_iso_time("2025-05-12"));
  CHECK_FALSE(bot::parse_iso_time("2025-02-30T08:31:00+07:00"));
  CHECK_FALSE(bot::parse_iso_time("2025-05-12T24:00:00+07:00"));
  CHECK_FALSE(bot::parse_iso_time("12/05/2025 08:31 +07:00"));
}

TEST_CASE("validate_notice normalises and refuses each bad field with a reason", "[etle][import]") {
  auto ok = bot::validate_notice(good_fields(), options());
  REQUIRE(std::holds_alternative<storage::NewNotice>(ok));
  const auto& n = std::get<storage::NewNotice>(ok);
  CHECK(n.notice.owner_wa == "6281234567890");
  CHECK(n.notice.plate == "B 1234 XYZ");
  CHECK(n.notice.plate_normalized == "B1234XYZ");
  CHECK(n.notice.fine_amount == 500000);
  CHECK(n.notice.business_number == "100");
  CHECK(n.notice.payment_deadline == "2025-05-27");  // H+15 when not given
  // confirm_by ends at midnight WIB: 2025-05-20T00:00+07:00 is 2025-05-19T17:00Z.
  CHECK(n.confirm_by_start_ms == 1747674000000);
  CHECK(n.expires_at_ms == 1747674000000 + 86'400'000);

  auto with = [](const char* key, const char* value) {
    auto f = good_fields();
    f[key] = value;
    return reason(f);
  };
  CHECK(with("notice_id", "").find("notice_id is empty") != std::string::npos);
  CHECK(with("notice_id", "a/b").find("notice_id") != std::string::npos);
  CHECK(with("plate", "12345").find("plate") != std::string::npos);
  CHECK(with("owner_wa", "12345").find("owner_wa") != std::string::npos);
  CHECK(with("violation_time", "2025-05-12 08:31").find("violation_time") != std::string::npos);
  CHECK(with("confirm_by", "20-05-2025").find("confirm_by") != std::string::npos);
  CHECK(with("confirm_by", "2025-05-01").find("before the violation") != std::string::npos);
  CHECK(with("fine_amount", "500.000").find("fine_amount") != std::string::npos);
  CHECK(with("fine_amount", "-5").find("fine_amount") != std::string::npos);
  CHECK(with("photo_url", "https://bit.ly/etle").find(".go.id") != std::string::npos);
  CHECK(with("location", " ").find("location") != std::string::npos);
  CHECK(with("photo_url", "").empty());  // a link is optional
}

TEST_CASE("the template body has the configured name, language, parameter order and the three payloads",
          "[etle][template]") {
  auto v = bot::validate_notice(good_fields(), options());
  const auto& notice = std::get<storage::NewNotice>(v).notice;
  bot::EtleTemplateConfig config;
  config.name = "etle_notice_v2";
  config.language = "en";
  config.params = {"confirm_by", "plate", "fine_amount", "violation_time", "briva"};
  json body = json::parse(bot::etle_template_body(config, notice));
  CHECK(body["to"] == "6281234567890");
  CHECK(body["type"] == "template");
  CHECK(body["template"]["name"] == "etle_notice_v2");
  CHECK(body["template"]["language"]["code"] == "en");
  const auto& components = body["template"]["components"];
  REQUIRE(components.size() == 4);
  const auto& params = components[0]["parameters"];
  REQUIRE(params.size() == 5);
  CHECK(params[0]["text"] == "20 May 2025");
  CHECK(params[1]["text"] == "B 1234 XYZ");
  CHECK(params[2]["text"] == "Rp500.000");
  CHECK(params[3]["text"] == "2025-05-12 08:31 WIB");
  CHECK(params[4]["text"] == "-");  // empty: Meta refuses empty parameters
  const char* payloads[] = {"ETLE_DRIVER_SELF", "ETLE_DRIVER_OTHER", "ETLE_NOT_MINE"};
  for (int i = 0; i < 3; ++i) {
    const auto& b = components[static_cast<std::size_t>(i + 1)];
    CHECK(b["type"] == "button");
    CHECK(b["sub_type"] == "quick_reply");
    CHECK(b["index"] == std::to_string(i));
    CHECK(b["parameters"][0]["payload"] == payloads[i]);
  }
  // No media header: a notice never carries an attachment.
  CHECK(body.dump().find("\"header\"") == std::string::npos);
  CHECK(bot::etle_param_text(notice, "confirm_by", "id") == "20 Mei 2025");
}

TEST_CASE("import_etle_csv stores good rows with their template rows, reports bad ones by line, is idempotent",
          "[etle][import]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  auto store = storage::open_sqlite_etle_store(db);
  auto opts = options();
  opts.rows_per_transaction = 2;  // several transactions for one file
  const std::string csv =
      "\xEF\xBB\xBF" "confirm_by,notice_id,plate,owner_name,owner_wa,violation_time,location,article,fine_amount,photo_url\r\n"
      "2025-05-20,N-1,B 1234 XYZ,\"Santoso, Budi\",081234567890,2025-05-12T08:31:00+07:00,\"Jl. Sudirman,\r\nJakarta\",287,500000,\r\n"
      "2025-05-20,N-2,B 1 A,Ani,+62 811 111 1111,2025-05-12T09:00:00+07:00,Jl. Thamrin,283,750000,https://etle.polri.go.id/2\r\n"
      "2025-05-20,N-3,B 2 A,Ani,12,2025-05-12T09:00:00+07:00,Jl. Thamrin,283,750000,\r\n"
      "2025-05-20,N-4,B 3 A,Ani,081100000004,2025-05-12T09:00:00+07:00,Jl. Thamrin,283,750000,http://x.go.id/a\r\n"
      "2025-05-20,N-1,B 1234 XYZ,Budi,081234567890,2025-05-12T08:31:00+07:00,Jl. Sudirman,287,500000,\r\n"
      "2025-05-20,N-5,B 5 A\r\n"
      "2025-05-20,N-6,B 6 A,Ani,081100000006,2025-05-12T09:00:00+07:00,Jl. Thamrin,283,,\r\n";
  auto first = bot::import_etle_csv(*store, csv, opts, "file.csv", 1000);
  REQUIRE(first.ok());
  CHECK(first.batch.rfind("ETLE-", 0) == 0);
  CHECK(first.accepted == 3);
  CHECK(first.duplicates == 1);  // N-1 twice in one file
  REQUIRE(first.rejected.size() == 3);
  CHECK(first.rejected[0].where == 5);  // the quoted newline moved the lines on
  CHECK(first.rejected[0].reason.find("owner_wa") != std::string::npos);
  CHECK(first.rejected[1].where == 6);
  CHECK(first.rejected[1].reason.find("https") != std::string::npos);
  CHECK(first.rejected[2].where == 8);
  CHECK(first.rejected[2].reason.find("fields") != std::string::npos);

  // One template outbox row per notice, correlated by notice.
  CHECK(count(db, "SELECT count(*) FROM etle_notices") == 3);
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE kind = 'template' AND source = 'etle'") == 3);
  CHECK(count(db, "SELECT count(*) FROM etle_notices n JOIN outbox o ON o.id = n.template_outbox_id"
                  " WHERE o.source_ref = n.notice_id AND o.biz_opaque_callback_data = 'etle:' || n.notice_id"
                  " AND o.recipient = n.owner_wa") == 3);
  auto view = store->notice("N-1");
  REQUIRE(view);
  CHECK(view->notice.location == "Jl. Sudirman,\r\nJakarta");
  CHECK(view->notice.owner_name == "Santoso, Budi");
  CHECK(view->display_state() == "queued");
  CHECK(view->batch == first.batch);
  auto batch = store->batch(first.batch);
  REQUIRE(batch);
  CHECK(batch->total == 3);
  CHECK(batch->queued == 3);
  CHECK(batch->duplicates == 1);
  CHECK(batch->rejected == 3);
  CHECK(batch->label == "file.csv");

  // The same file again: nothing new, nothing enqueued twice.
  auto again = bot::import_etle_csv(*store, csv, opts, "file.csv", 2000);
  REQUIRE(again.ok());
  CHECK(again.accepted == 0);
  CHECK(again.duplicates == 4);
  CHECK(again.batch != first.batch);
  CHECK(count(db, "SELECT count(*) FROM outbox") == 3);
}

TEST_CASE("import_etle_json reports items by index; a file without the columns is refused whole", "[etle][import]") {
  test::TempDir dir;
  auto store = storage::open_sqlite_etle_store(dir.file("t.db"));
  auto good = good_fields();
  json items = json::array();
  json a(good);
  a["fine_amount"] = 500000;  // numbers are fine
  a["owner_wa"] = 6281234567890;
  items.push_back(a);
  items.push_back("not an object");
  json b(good);
  b["notice_id"] = "N-2";
  b["fine_amount"] = 1.5;
  items.push_back(b);
  auto result = bot::import_etle_json(*store, items, options(), 1000);
  REQUIRE(result.ok());
  CHECK(result.accepted == 1);
  REQUIRE(result.rejected.size() == 2);
  CHECK(result.rejected[0].where == 1);
  CHECK(result.rejected[1].where == 2);
  CHECK(result.rejected[1].reason.find("fine_amount") != std::string::npos);
  auto j = bot::to_json(result, "index");
  CHECK(j["accepted"] == 1);
  CHECK(j["duplicates"] == 0);
  CHECK(j["rejected"][0]["index"] == 1);
  CHECK(j["batch"] == result.batch);

  CHECK_FALSE(bot::import_etle_json(*store, json::object(), options(), 1).ok());
  auto no_columns = bot::import_etle_csv(*store, "notice_id,plate\nN,B 1 A\n", options(), "f", 1);
  CHECK(no_columns.error.find("owner_wa") != std::string::npos);
}

TEST_CASE("run_import_etle prints the batch, counts and rejected lines", "[etle][import]") {
  test::TempDir dir;
  const std::string file = dir.file("notices.csv");
  {
    std::ofstream out(file);
    out << "notice_id,plate,owner_wa,violation_time,location,article,confirm_by\n"
           "N-1,B 1 A,081100000001,2025-05-12T08:31:00+07:00,Jl. A,287,2025-05-20\n"
           "N-2,B 1 A,0811,2025-05-12T08:31:00+07:00,Jl. A,287,2025-05-20\n";
  }
  std::ostringstream out, err;
  CHECK(bot::run_import_etle(dir.file("t.db"), file, options(), out, err) == 0);
  CHECK(out.str().find(file + ":3: rejected: owner_wa") != std::string::npos);
  CHECK(out.str().find("1 accepted, 0 duplicates, 1 rejected") != std::string::npos);
  std::ostringstream out2, err2;
  CHECK(bot::run_import_etle(dir.file("t.db"), dir.file("missing.csv"), options(), out2, err2) == 1);
  CHECK(err2.str().find("cannot read") != std::string::npos);
}

TEST_CASE("TILANGBOT_ETLE_* configure the template and the reminder offsets", "[etle][config]") {
  std::map<std::string, std::string> env{{"TILANGBOT_ETLE_TEMPLATE", "etle_v2"},
                                         {"TILANGBOT_ETLE_TEMPLATE_LANG", "en_US"},
                                         {"TILANGBOT_ETLE_PARAMS", " plate , confirm_by,fine_amount "},
                                         {"TILANGBOT_ETLE_REMINDER_DAYS", "5, 2,0"}};
  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto loaded = bot::load_config(lookup, true);
  REQUIRE(loaded.config);
  CHECK(loaded.config->etle_template == "etle_v2");
  CHECK(loaded.config->etle_template_lang == "en_US");
  CHECK(loaded.config->etle_params == std::vector<std::string>{"plate", "confirm_by", "fine_amount"});
  CHECK(loaded.config->etle_reminder_days == std::vector<int>{5, 2, 0});
  auto t = bot::etle_template_config(*loaded.config);
  CHECK(t.name == "etle_v2");
  CHECK(t.params.size() == 3);

  auto defaults = bot::load_config([](const std::string&) { return std::optional<std::string>(); }, true);
  REQUIRE(defaults.config);
  CHECK(defaults.config->etle_template == "etle_konfirmasi");
  CHECK(defaults.config->etle_template_lang == "id");
  CHECK(defaults.config->etle_params ==
        std::vector<std::string>{"plate", "violation_time", "location", "article", "confirm_by", "photo_url"});
  CHECK(defaults.config->etle_reminder_days == std::vector<int>{3, 1});

  env["TILANGBOT_ETLE_PARAMS"] = "plate,colour";
  auto bad_param = bot::load_config(lookup, true);
  CHECK_FALSE(bad_param.config);
  CHECK(bad_param.error.find("colour") != std::string::npos);
  env["TILANGBOT_ETLE_PARAMS"] = "plate";
  env["TILANGBOT_ETLE_REMINDER_DAYS"] = "3,x";
  CHECK(bot::load_config(lookup, true).error.find("TILANGBOT_ETLE_REMINDER_DAYS") != std::string::npos);
}

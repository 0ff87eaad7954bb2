// The real catalog: loading, fallbacks, completeness in both languages, and a scan that renders
// every message of full journeys in id and en without a missing key or placeholder.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "flow_support.hpp"
#include "flows/utf8.hpp"
#include "templates/builtin_catalog.hpp"
#include "templates/renderer.hpp"

using namespace flows_test;
using tilang::templates::Catalog;

namespace {

const Catalog& builtin() {
  static const Catalog catalog = [] {
    auto r = tilang::templates::load_builtin_catalog();
    INFO(r.error);
    REQUIRE(r);
    return *r.catalog;
  }();
  return catalog;
}

std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> out;
  static const std::regex re("\\{([a-z0-9_]+)\\}");
  const std::string s(text);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) out.insert((*it)[1]);
  return out;
}

void render_all_checked(const std::vector<Action>& actions, const std::string& lang) {
  for (const auto& a : actions) {
    std::vector<std::string> problems;
    const auto bodies = tilang::templates::render_all(a, lang, "6281200000001", builtin(), problems);
    INFO("language " << lang << ", action " << action_name(a));
    for (const auto& p : problems) INFO(p);
    CHECK(problems.empty());
    if (is_outbound_message(a)) CHECK_FALSE(bodies.empty());
    // Interactive messages from the flows must fit Meta's limits without falling back.
    if (std::holds_alternative<SendButtons>(a) || std::holds_alternative<SendList>(a)) {
      REQUIRE_FALSE(bodies.empty());
      CHECK(bodies[0]["type"] == "interactive");
    }
  }
}

FakeEngine engine(const std::string& lang) {
  FakeEngine e;
  e.state.language = lang;
  e.ctx.cod_fee_default = 20000;
  e.fines_by_query["B1234XYZ"] = {fine("E1000001", "B1234XYZ", "UNPAID"), fine("E1000002", "B1234XYZ", "UNPAID")};
  e.fines_by_query["E1000001"] = {fine("E1000001", "B1234XYZ", "UNPAID")};
  e.fines_by_query["E1000002"] = {fine("E1000002", "B1234XYZ", "UNPAID")};
  e.fines_by_query["E2000001"] = {fine("E2000001", "D55A", "PAID")};
  e.fines_by_query["E3000001"] = {fine("E3000001", "F1B", "PICKED_UP")};
  return e;
}

// Every journey a user can take, used both to check flow behaviour end to end and to render.
std::vector<Action> all_journeys(const std::string& lang) {
  std::vector<Action> out;
  auto keep = [&](FakeEngine& e) { out.insert(out.end(), e.sent.begin(), e.sent.end()); };
  {  // fine lookup -> several -> pay -> verified -> drive-thru
    FakeEngine e = engine(lang);
    e.user(text("halo"));
    e.user(text("denda"));
    e.user(text("b 1234 xyz"));
    e.user(text("2"));
    e.user(reply("bayar"));
    e.user(media(MessageKind::image, "IMG1", "image/jpeg"));
    REQUIRE(e.state.flow.empty());
    e.deliver(PaymentDecided{"BYR-20250601-0001", "E1000002", true, ""});
    e.user(reply("drivethru"));
    e.user(text("1"));
    CHECK(e.state.flow.empty());
    CHECK(e.sent_keys().back() == "ambil.booked");
    keep(e);
  }
  {  // COD pickup, dispatched; rejected payment; already picked up; not found
    FakeEngine e = engine(lang);
    e.user(text("ambil"));
    e.user(text("E2000001"));
    e.user(text("2"));
    for (const char* answer : {"Budi Santoso", "Jl. Melati No. 5 RT 01/02", "Kebayoran", "Kebayoran Baru", "Jakarta Selatan",
                               "0812 3456 7890"}) {
      e.user(text(answer));
    }
    e.user(text("1"));
    e.deliver(ShipmentDispatched{"E2000001", "P0001"});
    e.deliver(PaymentDecided{"BYR-20250601-0002", "E1000001", false, "Nominal kurang"});
    e.user(media(MessageKind::document, "DOC1", "application/pdf"));
    e.user(text("menu"));
    e.user(text("bayar"));
    e.user(text("E3000001"));
    e.user(text("denda"));
    e.user(text("Z9999ZZ"));
    e.user(text("1"));
    e.user(text("ambil"));
    e.user(text("E1000001"));
    e.user(text("bayar"));
    e.user(text("E2000001"));
    keep(e);
  }
  {  // KANDANI report with pin and photo, then its status; info topics
    FakeEngine e = engine(lang);
    e.user(text("lapor"));
    e.user(text("1"));
    e.user(text("Tabrakan motor dan mobil"));
    e.user(text("Mobil menyalip dari kiri"));
    e.user(text("Hari ini 14.30"));
    e.user(location(-6.2, 106.8, "Bundaran HI"));
    e.user(text("Dua pengendara"));
    e.user(media(MessageKind::image, "PH1", "image/jpeg"));
    e.user(reply("send"));
    CHECK(e.sent_keys().back() == "lapor.created");
    e.user(text("status KDN-20250601-0001"));
    e.user(text("status"));
    e.user(text("BYR-20250601-0001"));
    e.user(text("info"));
    for (int i = 1; i <= 9; ++i) {
      e.user(text(std::to_string(i)));
      e.user(text("1"));
    }
    e.user(text("lapor"));
    e.user(text("5"));
    e.user(text("Jalan berlubang besar"));
    e.user(text("Sudah lama"));
    e.user(text("Sejak bulan lalu"));
    e.user(text("Jl. Merdeka"));
    e.user(text("Warga sekitar"));
    e.user(text("lewati"));
    e.user(reply("redo"));
    keep(e);
  }
  {  // e-TLE: template, answers, officer handoff, release
    FakeEngine e = engine(lang);
    e.sent.push_back(SendEtleTemplate{e.notice});
    e.user(reply("ETLE_DRIVER_SELF", MessageKind::button));
    e.notice.briva.clear();
    e.user(reply("ETLE_DRIVER_SELF", MessageKind::button));
    e.notice.payment_deadline.clear();
    e.user(reply("ETLE_DRIVER_SELF", MessageKind::button));
    e.notice.briva = "888881";
    e.user(reply("ETLE_DRIVER_SELF", MessageKind::button));
    e.user(reply("ETLE_DRIVER_OTHER", MessageKind::button));
    e.user(text("Andi Wijaya"));
    e.user(text("0812-1111-2222"));
    e.user(text("1"));
    e.user(text("etle"));
    e.user(text("3"));
    CHECK(e.state.flow == "handoff");
    e.user(text("halo?"));
    e.user(text("petugas"));
    e.deliver(HandoffQueued{1, 0, false, "Senin 08.00 WIB"});
    e.deliver(HandoffQueued{4, 0, true, ""});
    e.deliver(AgentReleased{});
    e.notice_exists = false;
    e.user(text("etle"));
    e.user(reply("ETLE_NOT_MINE", MessageKind::button));
    e.user(text("batal"));
    keep(e);
  }
  {  // odd messages, language, idle resume, unknown kinds
    FakeEngine e = engine(lang);
    e.user(of_kind(MessageKind::request_welcome));
    e.user(text("asdf qwerty"));
    e.user(voice());
    e.user(of_kind(MessageKind::sticker));
    e.user(of_kind(MessageKind::unsupported));
    e.user(text(lang == "en" ? "EN" : "ID"));
    e.user(text("denda"));
    e.user(text("bukan plat"));
    e.user(text("lapor"));
    e.user(text("1"));
    e.now += std::chrono::hours(3);
    e.user(text("tadi"));
    e.user(reply("resume"));
    e.now += std::chrono::hours(3);
    e.user(text("tadi"));
    e.user(text("2"));
    e.user(text("petugas"));
    e.user(text("menu"));
    e.user(text("status"));
    e.user(text("bukan nomor"));
    e.user(text("bayar"));
    e.user(text("B 1 X"));
    e.user(text("kemarin"));
    e.user(media(MessageKind::image, "IMG2", "image/jpeg"));
    e.user(text("E1000001"));
    e.user(media(MessageKind::document, "APK", "application/vnd.android.package-archive"));
    keep(e);
  }
  {  // the multi-fine list, payment proof already verified, slot full and no slots
    FakeEngine e = engine(lang);
    e.user(text("E1000001"));
    e.user(media(MessageKind::image, "IMG3", "image/jpeg"));
    e.user(reply("use_suggested"));
    e.deliver(PaymentDecided{"BYR-20250601-0003", "E1000001", true, ""});
    e.user(text("1"));
    e.deliver(SlotFull{"S1"});
    e.slots.clear();
    e.user(text("menu"));
    e.user(text("ambil"));
    e.user(text("E2000001"));
    e.user(text("1"));
    e.user(text("3"));
    keep(e);
  }
  return out;
}

}  // namespace

TEST_CASE("the built-in catalog loads and matches the folder on disk") {
  const Catalog& c = builtin();
  const auto langs = c.languages();
  CHECK(std::find(langs.begin(), langs.end(), "id") != langs.end());
  CHECK(std::find(langs.begin(), langs.end(), "en") != langs.end());
  auto dir = tilang::templates::load_catalog_dir(std::filesystem::path(TILANGBOT_SOURCE_DIR) / "templates");
  INFO(dir.error);
  REQUIRE(dir);
  CHECK(dir.catalog->keys("id") == c.keys("id"));
  CHECK(dir.catalog->keys("en") == c.keys("en"));
  CHECK(c.etle_template().name == "etle_konfirmasi");
  CHECK(c.etle_template().quick_reply_payloads ==
        std::vector<std::string>{"ETLE_DRIVER_SELF", "ETLE_DRIVER_OTHER", "ETLE_NOT_MINE"});
  CHECK_FALSE(tilang::templates::load_catalog_or_builtin(std::filesystem::path("/nonexistent/templates")));
  CHECK(tilang::templates::load_catalog_or_builtin(std::nullopt));
}

TEST_CASE("catalog loading errors name the file and the problem") {
  using Files = std::vector<std::pair<std::string, std::string>>;
  auto r = tilang::templates::load_catalog(Files{{"id/a.json", "{not json"}});
  CHECK_FALSE(r);
  CHECK(r.error.find("id/a.json") != std::string::npos);
  r = tilang::templates::load_catalog(Files{{"id/a.json", R"({"k":"1"})"}, {"id/b.json", R"({"k":"2"})"}});
  CHECK_FALSE(r);
  CHECK(r.error.find("'k'") != std::string::npos);
  r = tilang::templates::load_catalog(Files{{"en/a.json", R"({"k":"1"})"}});
  CHECK_FALSE(r);
  r = tilang::templates::load_catalog(Files{{"id/a.json", R"({"k":1})"}});
  CHECK_FALSE(r);
  r = tilang::templates::load_catalog(Files{{"id/a.json", R"({"k":"x"})"}, {"etle_template.json", R"({"name":5})"}});
  CHECK_FALSE(r);
}

TEST_CASE("every key exists in both languages with the same placeholders") {
  const Catalog& c = builtin();
  CHECK(c.keys("id") == c.keys("en"));
  for (const auto& key : c.keys("id")) {
    INFO(key);
    REQUIRE(c.has_own("en", key));
    const auto id_text = *c.find("id", key);
    const auto en_text = *c.find("en", key);
    CHECK_FALSE(id_text.empty());
    CHECK_FALSE(en_text.empty());
    CHECK(placeholders(id_text) == placeholders(en_text));
  }
}

TEST_CASE("every catalog key written in the flow sources exists") {
  const Catalog& c = builtin();
  // Literals ending in '_' or '.' are prefixes completed at run time (checked below).
  static const std::regex literal("\"([a-z_]+\\.[a-z0-9_.]*[a-z0-9])\"");
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(TILANGBOT_SOURCE_DIR) / "flows")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string src = ss.str();
    for (auto it = std::sregex_iterator(src.begin(), src.end(), literal); it != std::sregex_iterator(); ++it) {
      const std::string key = (*it)[1];
      INFO(entry.path().filename().string() << ": " << key);
      CHECK(c.has_own("id", key));
      ++seen;
    }
  }
  CHECK(seen > 100);
  // Keys built at run time from a prefix.
  for (const char* key : {"fine.evidence.sim", "fine.evidence.stnk", "fine.evidence.sim_stnk", "fine.evidence.kendaraan",
                          "fine.status.unpaid", "fine.status.paid", "fine.status.picked_up", "status.report.received",
                          "status.report.in_progress", "status.report.done", "status.report.rejected",
                          "status.payment.pending", "status.payment.verified", "status.payment.rejected",
                          "bukti_bayar.media_too_large", "bukti_bayar.media_unsupported_type",
                          "bukti_bayar.media_download_failed", "common.reply_number_hint", "lapor.ask_apa",
                          "lapor.ask_bagaimana", "lapor.ask_kapan", "lapor.ask_dimana", "lapor.ask_siapa"}) {
    INFO(key);
    CHECK(c.has_own("id", key));
  }
}

TEST_CASE("full journeys render without missing keys in Indonesian and English") {
  for (const std::string lang : {"id", "en"}) {
    const auto actions = all_journeys(lang);
    CHECK(actions.size() > 150);
    render_all_checked(actions, lang);
  }
}

TEST_CASE("fake-engine journey: plate lookup to drive-thru queue number") {
  FakeEngine e = engine("id");
  e.user(text("B 1234 XYZ"));
  REQUIRE(e.state.step == "choose_fine");
  e.user(text("1"));
  CHECK(e.state.step == "result");
  e.user(text("1"));  // Kirim bukti bayar
  CHECK(e.state.step == "ask_proof");
  e.user(media(MessageKind::image, "IMG1", "image/jpeg"));
  CHECK(e.state.flow.empty());
  const auto* created = std::get_if<CreatePayment>(&e.data_log.back());
  REQUIRE(created);
  CHECK(created->register_no == "E1000001");
  CHECK(created->media_ref == "media/IMG1");
  e.deliver(PaymentDecided{"BYR-20250601-0001", "E1000001", true, ""});
  CHECK(e.state.flow == "pengambilan");
  e.user(text("1"));
  e.user(text("2"));
  const auto* booked = std::get_if<BookSlot>(&e.data_log.back());
  REQUIRE(booked);
  CHECK(booked->slot_id == "S2");
  CHECK(booked->register_no == "E1000001");
  CHECK(e.sent_keys().back() == "ambil.booked");
  CHECK(e.state.flow.empty());
}

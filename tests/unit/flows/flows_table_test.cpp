// Table-driven flow tests: (state, input) -> (next flow/step, action kinds, message keys).
#include <catch2/catch.hpp>

#include <algorithm>
#include <tuple>

#include "flow_support.hpp"

using namespace flows_test;

namespace {

const std::string MR = "MarkRead", ST = "SendText", SB = "SendButtons", SL = "SendList";

struct Row {
  std::string name;
  Conversation state;
  InputEvent event;
  std::string flow;
  std::string step;
  std::vector<std::string> kinds;
  std::vector<std::string> keys;
};

void check_rows(const std::vector<Row>& rows, const Context& ctx = {}) {
  for (const auto& r : rows) {
    INFO("row: " << r.name);
    const Transition t = run(r.state, r.event, ctx);
    CHECK(t.next.flow == r.flow);
    CHECK(t.next.step == r.step);
    CHECK(kinds(t) == r.kinds);
    CHECK(keys(t) == r.keys);
  }
}

Conversation with(Conversation c, const std::function<void(Conversation&)>& f) {
  f(c);
  return c;
}

const Conversation home = at("", "");

}  // namespace

TEST_CASE("dispatcher: global commands, language, idle, odd messages") {
  const auto idle = [](Conversation& c) { c.last_activity = t0 - std::chrono::minutes(31); };
  const auto offered = [](Conversation& c) { c.resume_offered = true; };
  check_rows({
      {"first hello", Conversation{}, text("halo"), "", "", {MR, ST, SL}, {"menu.welcome", "menu.body"}},
      {"nonsense at menu", home, text("asdfgh qwerty"), "", "", {MR, ST, SL}, {"menu.not_understood", "menu.body"}},
      {"number 1 at menu", home, text("1"), "cek_denda", "ask_query", {MR, ST}, {"cek_denda.ask_query"}},
      {"list tap denda", home, reply("denda", MessageKind::list_reply), "cek_denda", "ask_query", {MR, ST},
       {"cek_denda.ask_query"}},
      {"plate straight away", home, text("B 1234 XYZ"), "cek_denda", "lookup", {MR, "LookupFines"}, {}},
      {"menu mid-form", at("lapor", "kapan"), text("menu"), "", "", {MR, SL}, {"menu.body"}},
      {"batal mid-form", at("lapor", "kapan"), text("Batal"), "", "", {MR, ST, SL}, {"common.cancelled", "menu.body"}},
      {"menu button from anywhere", at("info", "after_topic"), reply("menu"), "", "", {MR, SL}, {"menu.body"}},
      {"petugas mid-form", at("pengambilan", "cod_city"), text("petugas"), "handoff", "waiting", {MR, "HandToAgent"}, {}},
      {"english mid-form re-asks", at("lapor", "apa"), text("EN"), "lapor", "apa", {MR, ST, ST},
       {"common.language_set", "lapor.ask_apa"}},
      {"back to indonesian", at("", "", {}, "en"), text("ID"), "", "", {MR, ST, SL}, {"common.language_set", "menu.body"}},
      {"voice note", at("lapor", "apa"), voice(), "lapor", "apa", {MR, ST}, {"common.voice_note"}},
      {"status KDN at menu", home, text("status KDN-20250101-0001"), "", "", {MR, "LookupReport"}, {}},
      {"bare kdn mid lookup", at("cek_denda", "ask_query"), text("kdn 20250101 0001"), "cek_denda", "ask_query",
       {MR, "LookupReport"}, {}},
      {"status BYR", home, text("STATUS byr-20250101-0002"), "", "", {MR, "LookupPayment"}, {}},
      {"idle mid-form offers resume", with(at("lapor", "kapan"), idle), text("kemarin"), "lapor", "kapan", {MR, SB},
       {"idle.offer"}},
      {"idle at menu just answers", with(home, idle), text("denda"), "cek_denda", "ask_query", {MR, ST},
       {"cek_denda.ask_query"}},
      {"idle but menu command", with(at("lapor", "kapan"), idle), text("menu"), "", "", {MR, SL}, {"menu.body"}},
      {"resume", with(at("lapor", "kapan"), offered), reply("resume"), "lapor", "kapan", {MR, ST}, {"lapor.ask_kapan"}},
      {"resume typed 1", with(at("lapor", "kapan"), offered), text("1"), "lapor", "kapan", {MR, ST}, {"lapor.ask_kapan"}},
      {"restart", with(at("lapor", "kapan"), offered), reply("restart"), "", "", {MR, SL}, {"menu.body"}},
      {"resume offered then keyword", with(at("lapor", "kapan"), offered), text("denda"), "cek_denda", "ask_query",
       {MR, ST}, {"cek_denda.ask_query"}},
      {"e-TLE template tap anywhere", at("lapor", "apa"), reply("ETLE_DRIVER_SELF", MessageKind::button), "etle", "lookup",
       {MR, "LookupNotice"}, {}},
      {"reaction is only read", at("lapor", "apa"), of_kind(MessageKind::reaction), "lapor", "apa", {MR}, {}},
      {"sticker at menu", home, of_kind(MessageKind::sticker), "", "", {MR, ST, SL}, {"common.unsupported", "menu.body"}},
      {"request_welcome", Conversation{}, of_kind(MessageKind::request_welcome), "", "", {MR, ST, SL},
       {"menu.welcome", "menu.body"}},
      {"keyword jumps out of a menu step", at("cek_denda", "ask_query"), text("lapor"), "lapor", "category", {MR, SL},
       {"lapor.intro"}},
      {"keyword is an answer in free text", at("lapor", "apa"), text("info"), "lapor", "bagaimana", {MR, ST},
       {"lapor.ask_bagaimana"}},
      {"greeting mid-flow greets and re-asks", at("lapor", "category"), text("Halo!"), "lapor", "category",
       {MR, ST, SL}, {"common.greeting_in_flow", "lapor.intro"}},
      {"plea for help mid-flow re-asks", at("cek_denda", "ask_query"), text("tolong"), "cek_denda", "ask_query",
       {MR, ST, ST}, {"common.greeting_in_flow", "cek_denda.ask_query"}},
      {"greeting is an answer in free text", at("lapor", "apa"), text("halo"), "lapor", "bagaimana", {MR, ST},
       {"lapor.ask_bagaimana"}},
      {"erase request goes to an officer", at("lapor", "kapan"), text("Hapus data saya"), "handoff", "waiting",
       {MR, ST, "HandToAgent"}, {"privacy.erase_request"}},
      {"erase request while waiting", at("handoff", "waiting"), text("hapus data"), "handoff", "waiting", {MR, ST},
       {"privacy.erase_request"}},
  });
}

TEST_CASE("dispatcher: language switch persists and idle resume resets the flag") {
  Transition t = run(at("lapor", "apa"), text("english"));
  CHECK(t.next.language == "en");
  t = run(with(at("lapor", "kapan"), [](Conversation& c) { c.last_activity = t0 - std::chrono::hours(2); }), text("x"));
  CHECK(t.next.resume_offered);
  CHECK(t.next.last_activity == t0);
  t = run(t.next, reply("resume"));
  CHECK_FALSE(t.next.resume_offered);
  // Idle after exactly the threshold is not idle yet.
  t = run(with(at("lapor", "kapan"), [](Conversation& c) { c.last_activity = t0 - std::chrono::minutes(30); }), text("kemarin"));
  CHECK_FALSE(t.next.resume_offered);
  CHECK(t.next.step == "dimana");
}

TEST_CASE("every inbound message is marked read with its wamid") {
  const Transition t = run(home, text("halo", "wamid.ABC"));
  REQUIRE_FALSE(t.actions.empty());
  const auto* mr = std::get_if<MarkRead>(&t.actions.front());
  REQUIRE(mr);
  CHECK(mr->wamid == "wamid.ABC");
  // Engine-fed inputs are not messages and are not marked read.
  const Transition t2 = run(at("handoff", "waiting"), AgentReleased{});
  CHECK(first<MarkRead>(t2) == nullptr);
}

TEST_CASE("handoff flow") {
  check_rows({
      {"released", at("handoff", "waiting"), AgentReleased{}, "", "", {ST, SL}, {"handoff.released", "menu.body"}},
      {"waiting, first message", at("handoff", "waiting"), text("halo?"), "handoff", "waiting", {MR, ST},
       {"handoff.still_waiting"}},
      {"waiting, reminded already", at("handoff", "waiting", {{"reminded", "1"}}), text("halo??"), "handoff", "waiting",
       {MR}, {}},
      {"waiting, batal", at("handoff", "waiting"), text("batal"), "", "", {MR, "CancelHandoff", ST, SL},
       {"common.cancelled", "menu.body"}},
      {"waiting, petugas again", at("handoff", "waiting"), text("petugas"), "handoff", "waiting", {MR, ST},
       {"handoff.already"}},
      {"queued", at("handoff", "waiting"), HandoffQueued{3, 15, true, ""}, "handoff", "waiting", {ST}, {"handoff.queued"}},
      {"queued no eta", at("handoff", "waiting"), HandoffQueued{1, 0, true, ""}, "handoff", "waiting", {ST},
       {"handoff.queued_noeta"}},
      {"outside hours", at("handoff", "waiting"), HandoffQueued{1, 0, false, "Senin 08.00 WIB"}, "handoff", "waiting",
       {ST}, {"handoff.closed"}},
      {"menu keyword 8", home, text("8"), "handoff", "waiting", {MR, "HandToAgent"}, {}},
  });
  const Transition t = run(at("lapor", "kapan"), text("petugas"));
  REQUIRE(first<HandToAgent>(t));
  CHECK(first<HandToAgent>(t)->topic == "lapor");
  // Inside a flow "petugas" queues under that flow's topic, one of the console's filters.
  for (const auto& [flow, step_name, topic] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"cek_denda", "ask_query", "denda"}, {"bukti_bayar", "ask_register", "bayar"},
           {"pengambilan", "cod_city", "ambil"}, {"info", "after_topic", "info"}, {"", "", "umum"},
           {"status", "ask_ref", "umum"}}) {
    INFO(flow);
    const Transition h = run(at(flow, step_name), text("petugas"));
    REQUIRE(first<HandToAgent>(h));
    CHECK(first<HandToAgent>(h)->topic == topic);
    CHECK(std::find(handoff_topics().begin(), handoff_topics().end(), topic) != handoff_topics().end());
  }
}

TEST_CASE("cek denda flow") {
  const Conversation looking = at("cek_denda", "lookup", {{"query", "B1234XYZ"}});
  check_rows({
      {"plate odd spacing", at("cek_denda", "ask_query"), text("  b 1234   xyz "), "cek_denda", "lookup",
       {MR, "LookupFines"}, {}},
      {"register", at("cek_denda", "ask_query"), text("e1234567"), "cek_denda", "lookup", {MR, "LookupFines"}, {}},
      {"wrong input", at("cek_denda", "ask_query"), text("nomornya lupa"), "cek_denda", "ask_query", {MR, ST},
       {"cek_denda.invalid"}},
      {"image instead of text", at("cek_denda", "ask_query"), media(MessageKind::image, "M1", "image/jpeg"), "cek_denda",
       "ask_query", {MR, ST}, {"cek_denda.invalid"}},
      {"not found", looking, FinesFound{"B1234XYZ", {}}, "cek_denda", "not_found", {SB}, {"cek_denda.not_found"}},
      {"stale answer dropped", looking, FinesFound{"E9999999", {}}, "cek_denda", "lookup", {}, {}},
      {"one unpaid fine", looking, FinesFound{"B1234XYZ", {fine("E1234567", "B1234XYZ", "UNPAID")}}, "cek_denda",
       "result", {ST, SB}, {"cek_denda.detail", "cek_denda.next_unpaid"}},
      {"one paid fine", looking, FinesFound{"B1234XYZ", {fine("E1234567", "B1234XYZ", "PAID")}}, "cek_denda", "result",
       {ST, SB}, {"cek_denda.detail", "cek_denda.next_paid"}},
      {"picked up", looking, FinesFound{"B1234XYZ", {fine("E1234567", "B1234XYZ", "PICKED_UP")}}, "cek_denda", "result",
       {ST, SB}, {"cek_denda.detail", "cek_denda.next_done"}},
      {"several fines", looking,
       FinesFound{"B1234XYZ",
                  {fine("E1", "B1234XYZ", "UNPAID"), fine("E2", "B1234XYZ", "UNPAID"), fine("E3", "B1234XYZ", "PAID")}},
       "cek_denda", "choose_fine", {SL}, {"cek_denda.several"}},
      {"pick 2nd by number", at("cek_denda", "choose_fine", {{"choices", "E1000001|E1000002"}}), text("2"), "cek_denda",
       "lookup", {MR, "LookupFines"}, {}},
      {"pick by tap", at("cek_denda", "choose_fine", {{"choices", "E1000001|E1000002"}}),
       reply("fine:E1000001", MessageKind::list_reply), "cek_denda", "lookup", {MR, "LookupFines"}, {}},
      {"pick out of range", at("cek_denda", "choose_fine", {{"choices", "E1000001|E1000002"}}), text("7"), "cek_denda",
       "choose_fine", {MR, ST, ST}, {"common.choose_option", "cek_denda.choose_prompt"}},
      {"retry", at("cek_denda", "not_found", {{"query", "B1"}}), reply("retry"), "cek_denda", "ask_query", {MR, ST},
       {"cek_denda.ask_query"}},
      {"not found -> agent typed 2", at("cek_denda", "not_found", {{"query", "B1"}}), text("2"), "handoff", "waiting",
       {MR, "HandToAgent"}, {}},
      {"result -> pay", at("cek_denda", "result", {{"fine_status", "UNPAID"}, {"register_no", "E1234567"}}), text("1"),
       "bukti_bayar", "check", {MR, "LookupFines"}, {}},
      {"result -> pickup", at("cek_denda", "result", {{"fine_status", "PAID"}, {"register_no", "E1234567"}}),
       reply("ambil"), "pengambilan", "check", {MR, "LookupFines"}, {}},
      {"result -> menu by number", at("cek_denda", "result", {{"fine_status", "UNPAID"}, {"register_no", "E1"}}),
       text("2"), "", "", {MR, SL}, {"menu.body"}},
  });

  SECTION("queries are canonical") {
    const Transition t = run(at("cek_denda", "ask_query"), text("b 1234  xyz"));
    REQUIRE(first<LookupFines>(t));
    CHECK(first<LookupFines>(t)->query == "B1234XYZ");
    CHECK_FALSE(first<LookupFines>(t)->by_register);
    const Transition r = run(at("cek_denda", "ask_query"), text("e 1234567"));
    CHECK(first<LookupFines>(r)->query == "E1234567");
    CHECK(first<LookupFines>(r)->by_register);
  }
  SECTION("details are masked and in rupiah") {
    const Transition t = run(looking, FinesFound{"B1234XYZ", {fine("E1234567", "B1234XYZ", "UNPAID", 500000)}});
    const auto* detail = first<SendText>(t);
    REQUIRE(detail);
    CHECK(detail->params.at("name") == "B*** S******");
    CHECK(detail->params.at("fine") == "Rp500.000");
    CHECK(detail->params.at("total") == "Rp505.000");
    CHECK(detail->params.at("plate") == "B 1234 XYZ");
    CHECK(detail->params.at("@status") == "fine.status.unpaid");
    CHECK(detail->params.at("@evidence") == "fine.evidence.sim");
    CHECK(t.next.slots.at("_register_no") == "E1234567");
  }
}

TEST_CASE("bukti bayar flow") {
  const Conversation checking = at("bukti_bayar", "check", {{"register_no", "E1234567"}});
  const Conversation proof = at("bukti_bayar", "ask_proof", {{"register_no", "E1234567"}, {"total", "Rp505.000"}});
  const Conversation storing = at("bukti_bayar", "storing", {{"register_no", "E1234567"}});
  check_rows({
      {"start without register", home, text("bayar"), "bukti_bayar", "ask_register", {MR, ST},
       {"bukti_bayar.ask_register"}},
      {"start with remembered register", at("", "", {{"_register_no", "E1234567"}}), text("bayar"), "bukti_bayar",
       "check", {MR, "LookupFines"}, {}},
      {"register given", at("bukti_bayar", "ask_register"), text("E1234567"), "bukti_bayar", "check",
       {MR, "LookupFines"}, {}},
      {"plate instead of register", at("bukti_bayar", "ask_register"), text("B 1234 XYZ"), "bukti_bayar",
       "ask_register", {MR, ST}, {"bukti_bayar.need_register_not_plate"}},
      {"garbage register", at("bukti_bayar", "ask_register"), text("kemarin sudah"), "bukti_bayar", "ask_register",
       {MR, ST}, {"bukti_bayar.invalid_register"}},
      {"photo before register", at("bukti_bayar", "ask_register"), media(MessageKind::image, "M1", "image/jpeg"),
       "bukti_bayar", "ask_register", {MR, ST}, {"bukti_bayar.got_media_need_register"}},
      {"unknown register", checking, FinesFound{"E1234567", {}}, "bukti_bayar", "ask_register", {ST},
       {"bukti_bayar.not_found"}},
      {"unpaid -> ask proof", checking, FinesFound{"E1234567", {fine("E1234567", "B1", "UNPAID")}}, "bukti_bayar",
       "ask_proof", {ST}, {"bukti_bayar.ask_proof"}},
      {"unpaid with pending photo", with(checking, [](Conversation& c) {
         c.slots["pending_media_id"] = "M1";
         c.slots["pending_mime"] = "image/jpeg";
       }),
       FinesFound{"E1234567", {fine("E1234567", "B1", "UNPAID")}}, "bukti_bayar", "storing", {"StoreMedia"}, {}},
      {"already paid", checking, FinesFound{"E1234567", {fine("E1234567", "B1", "PAID")}}, "", "", {SB},
       {"bukti_bayar.already_paid"}},
      {"photo", proof, media(MessageKind::image, "M1", "image/jpeg"), "bukti_bayar", "storing", {MR, "StoreMedia"}, {}},
      {"pdf", proof, media(MessageKind::document, "D1", "application/pdf"), "bukti_bayar", "storing",
       {MR, "StoreMedia"}, {}},
      {"apk refused", proof, media(MessageKind::document, "D2", "application/vnd.android.package-archive"),
       "bukti_bayar", "ask_proof", {MR, ST}, {"bukti_bayar.bad_type"}},
      {"text instead of photo", proof, text("sudah saya transfer"), "bukti_bayar", "ask_proof", {MR, ST},
       {"bukti_bayar.need_media"}},
      {"voice instead of photo", proof, voice(), "bukti_bayar", "ask_proof", {MR, ST}, {"common.voice_note"}},
      {"stored", storing, MediaStored{"M1", "payment_proof", true, "", "media/M1", "ab", ""}, "bukti_bayar", "creating",
       {"CreatePayment"}, {}},
      {"too large", storing, MediaStored{"M1", "payment_proof", false, "too_large", "", "", ""}, "bukti_bayar",
       "ask_proof", {ST}, {"bukti_bayar.media_too_large"}},
      {"other purpose ignored", storing, MediaStored{"M1", "report_photo", true, "", "r", "", ""}, "bukti_bayar",
       "storing", {}, {}},
      {"created", at("bukti_bayar", "creating", {{"register_no", "E1234567"}}), PaymentCreated{"BYR-20250601-0001", "E1234567"},
       "", "", {ST}, {"bukti_bayar.received"}},
      {"created duplicate", at("bukti_bayar", "creating", {{"register_no", "E1"}, {"duplicate_of", "BYR-20250501-0003"}}),
       PaymentCreated{"BYR-20250601-0001", "E1"}, "", "", {ST, ST}, {"bukti_bayar.received", "bukti_bayar.duplicate_note"}},
      {"verified while idle", home, PaymentDecided{"BYR-1", "E1234567", true, ""}, "pengambilan", "choose_method", {SB},
       {"bukti_bayar.verified"}},
      {"verified mid-form", at("lapor", "apa"), PaymentDecided{"BYR-1", "E1234567", true, ""}, "lapor", "apa", {ST},
       {"bukti_bayar.verified_later"}},
      {"rejected while idle", home, PaymentDecided{"BYR-1", "E1234567", false, "Nominal kurang"}, "bukti_bayar",
       "ask_proof", {ST}, {"bukti_bayar.rejected"}},
      {"photo out of the blue", home, media(MessageKind::image, "M9", "image/jpeg"), "bukti_bayar", "ask_register",
       {MR, ST}, {"bukti_bayar.got_media_need_register"}},
      {"photo out of the blue, known register", at("", "", {{"_register_no", "E1234567"}}),
       media(MessageKind::image, "M9", "image/jpeg"), "bukti_bayar", "ask_register", {MR, SB},
       {"bukti_bayar.confirm_register"}},
      {"confirm suggested register", at("bukti_bayar", "ask_register", {{"suggested", "E1234567"}, {"pending_media_id", "M9"}}),
       reply("use_suggested"), "bukti_bayar", "check", {MR, "LookupFines"}, {}},
  });
  SECTION("duplicate hash is passed to the officer") {
    const Transition t = run(storing, MediaStored{"M1", "payment_proof", true, "", "media/M1", "ab", "BYR-20250501-0003"});
    REQUIRE(first<CreatePayment>(t));
    CHECK(first<CreatePayment>(t)->duplicate_of == "BYR-20250501-0003");
    CHECK(first<CreatePayment>(t)->register_no == "E1234567");
  }
}

TEST_CASE("pengambilan flow") {
  Context ctx;
  ctx.cod_fee_default = 20000;
  ctx.cod_fee_by_city = {{"jakarta selatan", 15000}};
  const Conversation method = at("pengambilan", "choose_method", {{"register_no", "E1234567"}});
  const Conversation choosing = at("pengambilan", "choose_slot", {{"register_no", "E1234567"}, {"slot_ids", "S1|S2"}});
  const Slot s1{"S1", "2025-06-02", "09:00", "10:00", 3};
  check_rows({
      {"start", home, text("ambil"), "pengambilan", "ask_register", {MR, ST}, {"ambil.ask_register"}},
      {"bad register", at("pengambilan", "ask_register"), text("xx"), "pengambilan", "ask_register", {MR, ST},
       {"ambil.invalid_register"}},
      {"paid", at("pengambilan", "check", {{"register_no", "E1234567"}}),
       FinesFound{"E1234567", {fine("E1234567", "B1", "PAID")}}, "pengambilan", "choose_method", {SB},
       {"ambil.choose_method"}},
      {"unpaid", at("pengambilan", "check", {{"register_no", "E1234567"}}),
       FinesFound{"E1234567", {fine("E1234567", "B1", "UNPAID")}}, "", "", {ST}, {"ambil.not_paid"}},
      {"unknown", at("pengambilan", "check", {{"register_no", "E1234567"}}), FinesFound{"E1234567", {}}, "pengambilan",
       "ask_register", {ST}, {"ambil.not_found"}},
      {"drive-thru", method, reply("drivethru"), "pengambilan", "slots_wait", {MR, "ListSlots"}, {}},
      {"cod typed", method, text("2"), "pengambilan", "cod_name", {MR, ST}, {"ambil.ask_name"}},
      {"later", method, text("3"), "", "", {MR, ST}, {"ambil.later"}},
      {"wrong choice", method, text("besok"), "pengambilan", "choose_method", {MR, ST, SB},
       {"common.choose_option", "ambil.choose_method"}},
      {"slots", at("pengambilan", "slots_wait"), SlotsAvailable{"E1", {s1}}, "pengambilan", "choose_slot", {SL},
       {"ambil.slots_body"}},
      {"no slots", at("pengambilan", "slots_wait"), SlotsAvailable{"E1", {}}, "pengambilan", "choose_method", {ST, SB},
       {"ambil.no_slots", "ambil.choose_method"}},
      {"slot by number", choosing, text("2"), "pengambilan", "booking", {MR, "BookSlot"}, {}},
      {"slot by tap", choosing, reply("slot:S1", MessageKind::list_reply), "pengambilan", "booking", {MR, "BookSlot"}, {}},
      {"slot out of range", choosing, text("7"), "pengambilan", "choose_slot", {MR, ST, ST},
       {"common.choose_option", "ambil.choose_slot_prompt"}},
      {"booked", at("pengambilan", "booking", {{"register_no", "E1"}}), SlotBooked{s1, "DT-007"}, "", "", {ST},
       {"ambil.booked"}},
      {"full", at("pengambilan", "booking", {{"register_no", "E1"}}), SlotFull{"S1"}, "pengambilan", "slots_wait",
       {ST, "ListSlots"}, {"ambil.slot_full"}},
      {"name too short", at("pengambilan", "cod_name"), text("Bu"), "pengambilan", "cod_name", {MR, ST},
       {"common.too_short"}},
      {"name", at("pengambilan", "cod_name"), text("Budi Santoso"), "pengambilan", "cod_address", {MR, ST},
       {"ambil.ask_address"}},
      {"keyword as a name", at("pengambilan", "cod_kelurahan"), text("info"), "pengambilan", "cod_kecamatan", {MR, ST},
       {"ambil.ask_kecamatan"}},
      {"photo as address", at("pengambilan", "cod_address"), media(MessageKind::image, "M", "image/jpeg"), "pengambilan",
       "cod_address", {MR, ST, ST}, {"common.please_type", "ambil.ask_address"}},
      {"bad phone", at("pengambilan", "cod_phone"), text("12"), "pengambilan", "cod_phone", {MR, ST},
       {"common.invalid_phone"}},
      {"phone", at("pengambilan", "cod_phone", {{"cod_city", "Jakarta Selatan"}}), text("0812 3456 7890"), "pengambilan",
       "cod_confirm", {MR, SB}, {"ambil.cod_summary"}},
      {"confirm", at("pengambilan", "cod_confirm", {{"cod_city", "Jakarta Selatan"}, {"register_no", "E1"}}), text("1"),
       "", "", {MR, "CreateShipment", ST}, {"ambil.cod_recorded"}},
      {"redo", at("pengambilan", "cod_confirm"), reply("redo"), "pengambilan", "cod_name", {MR, ST}, {"ambil.ask_name"}},
      {"typed ulang", at("pengambilan", "cod_confirm"), text("ulang"), "pengambilan", "cod_name", {MR, ST},
       {"ambil.ask_name"}},
      {"change details", at("pengambilan", "cod_confirm"), reply("edit"), "pengambilan", "cod_edit", {MR, SL},
       {"ambil.edit_which"}},
      {"typed ubah", at("pengambilan", "cod_confirm"), text("ubah"), "pengambilan", "cod_edit", {MR, SL},
       {"ambil.edit_which"}},
      {"pick the address", at("pengambilan", "cod_edit"), reply("cod_address", MessageKind::list_reply), "pengambilan",
       "cod_address", {MR, ST}, {"ambil.ask_address"}},
      {"pick by number", at("pengambilan", "cod_edit"), text("6"), "pengambilan", "cod_phone", {MR, ST},
       {"ambil.ask_phone"}},
      {"pick by word", at("pengambilan", "cod_edit"), text("kota"), "pengambilan", "cod_city", {MR, ST},
       {"ambil.ask_city"}},
      {"start over from the list", at("pengambilan", "cod_edit"), reply("all", MessageKind::list_reply), "pengambilan",
       "cod_name", {MR, ST}, {"ambil.ask_name"}},
      {"nonsense at the list", at("pengambilan", "cod_edit"), text("asdf"), "pengambilan", "cod_edit", {MR, ST, SL},
       {"common.choose_option", "ambil.edit_which"}},
      {"menu at the list", at("pengambilan", "cod_edit"), text("menu"), "", "", {MR, SL}, {"menu.body"}},
      {"edited field goes back to the summary", at("pengambilan", "cod_address", {{"cod_editing", "1"}}),
       text("Jl. Merdeka No. 10, RT 01/RW 02"), "pengambilan", "cod_confirm", {MR, SB}, {"ambil.cod_summary"}},
      {"edited field still checked", at("pengambilan", "cod_phone", {{"cod_editing", "1"}}), text("12"), "pengambilan",
       "cod_phone", {MR, ST}, {"common.invalid_phone"}},
      {"dispatched anywhere", at("lapor", "apa"), ShipmentDispatched{"E1", "P123"}, "lapor", "apa", {ST},
       {"ambil.dispatched"}},
  }, ctx);
  SECTION("changing one COD detail keeps the others and shows them in the list") {
    const Conversation filled = at("pengambilan", "cod_confirm",
                                   {{"cod_name", "Budi Santoso"}, {"cod_address", "Jl. Mawar 1"}, {"cod_kelurahan", "Menteng"},
                                    {"cod_kecamatan", "Menteng"}, {"cod_city", "Jakarta Pusat"}, {"cod_phone", "6281234567890"},
                                    {"register_no", "E1"}});
    Transition t = run(filled, reply("edit"), ctx);
    const SendList* list = first<SendList>(t);
    REQUIRE(list);
    REQUIRE(list->sections.size() == 1);
    REQUIRE(list->sections[0].rows.size() == 7);
    CHECK(list->sections[0].rows[1].id == "cod_address");
    CHECK(list->sections[0].rows[1].description == "Jl. Mawar 1");
    CHECK(list->sections[0].rows[6].id == "all");

    t = run(t.next, reply("cod_address", MessageKind::list_reply), ctx);
    REQUIRE(t.next.step == "cod_address");
    t = run(t.next, text("Jl. Melati 2"), ctx);
    CHECK(t.next.step == "cod_confirm");
    CHECK(t.next.slots.count("cod_editing") == 0);
    const SendButtons* summary = first<SendButtons>(t);
    REQUIRE(summary);
    CHECK(summary->params.at("address") == "Jl. Melati 2");
    CHECK(summary->params.at("name") == "Budi Santoso");
    CHECK(summary->params.at("city") == "Jakarta Pusat");
    t = run(t.next, text("ya"), ctx);
    REQUIRE(first<CreateShipment>(t));
    CHECK(first<CreateShipment>(t)->address == "Jl. Melati 2");
  }
  SECTION("COD fee comes from the configured tariff") {
    Transition t = run(at("pengambilan", "cod_confirm", {{"cod_city", "Jakarta  Selatan"}, {"register_no", "E1"}}),
                       text("ya"), ctx);
    REQUIRE(first<CreateShipment>(t));
    CHECK(first<CreateShipment>(t)->fee == 15000);
    t = run(at("pengambilan", "cod_confirm", {{"cod_city", "Bogor"}, {"register_no", "E1"}}), text("ya"), ctx);
    CHECK(first<CreateShipment>(t)->fee == 20000);
    t = run(at("pengambilan", "cod_phone", {{"cod_city", "Bogor"}}), text("081234567890"), Context{});
    CHECK(first<SendButtons>(t)->params.at("@fee") == "ambil.fee_on_delivery");
  }
}

TEST_CASE("lapor flow") {
  const Conversation photo_step = at("lapor", "photo", {{"category", "kecelakaan"}});
  check_rows({
      {"start", home, text("lapor"), "lapor", "category", {MR, SL}, {"lapor.intro"}},
      {"category by number", at("lapor", "category"), text("1"), "lapor", "apa", {MR, ST}, {"lapor.ask_apa"}},
      {"category by tap", at("lapor", "category"), reply("kamtibmas", MessageKind::list_reply), "lapor", "apa", {MR, ST},
       {"lapor.ask_apa"}},
      {"wrong category", at("lapor", "category"), text("99"), "lapor", "category", {MR, ST, SL},
       {"common.choose_option", "lapor.intro"}},
      {"too short", at("lapor", "apa"), text("ab"), "lapor", "apa", {MR, ST}, {"common.too_short"}},
      {"apa", at("lapor", "apa"), text("Tabrakan motor dan mobil"), "lapor", "bagaimana", {MR, ST},
       {"lapor.ask_bagaimana"}},
      {"bagaimana", at("lapor", "bagaimana"), text("Mobil menyalip dari kiri"), "lapor", "kapan", {MR, ST},
       {"lapor.ask_kapan"}},
      {"kapan", at("lapor", "kapan"), text("hari ini 14.30"), "lapor", "dimana", {MR, ST}, {"lapor.ask_dimana"}},
      {"dimana pin", at("lapor", "dimana"), location(-6.2, 106.8, "Bundaran HI"), "lapor", "siapa", {MR, ST},
       {"lapor.ask_siapa"}},
      {"dimana text", at("lapor", "dimana"), text("Jl. Sudirman depan halte"), "lapor", "siapa", {MR, ST},
       {"lapor.ask_siapa"}},
      {"dimana photo", at("lapor", "dimana"), media(MessageKind::image, "M", "image/jpeg"), "lapor", "dimana", {MR, ST},
       {"lapor.dimana_hint"}},
      {"siapa", at("lapor", "siapa"), text("dua pengendara"), "lapor", "photo", {MR, SB}, {"lapor.ask_photo"}},
      {"skip photo tap", photo_step, reply("skip"), "lapor", "confirm", {MR, SB}, {"lapor.summary"}},
      {"skip photo typed", photo_step, text("lewati"), "lapor", "confirm", {MR, SB}, {"lapor.summary"}},
      {"photo", photo_step, media(MessageKind::image, "P1", "image/jpeg"), "lapor", "photo_storing", {MR, "StoreMedia"}, {}},
      {"photo step text", photo_step, text("fotonya nanti"), "lapor", "photo", {MR, ST}, {"lapor.photo_hint"}},
      {"photo stored", at("lapor", "photo_storing", {{"category", "kecelakaan"}}),
       MediaStored{"P1", "report_photo", true, "", "media/P1", "ab", ""}, "lapor", "confirm", {SB}, {"lapor.summary"}},
      {"photo failed", at("lapor", "photo_storing"), MediaStored{"P1", "report_photo", false, "download_failed", "", "", ""},
       "lapor", "photo", {ST, SB}, {"lapor.photo_failed", "lapor.ask_photo"}},
      {"send", at("lapor", "confirm", {{"category", "kecelakaan"}}), reply("send"), "lapor", "creating",
       {MR, "CreateReport"}, {}},
      {"redo", at("lapor", "confirm", {{"category", "kecelakaan"}}), reply("redo"), "lapor", "apa", {MR, ST},
       {"lapor.ask_apa"}},
      {"confirm nonsense", at("lapor", "confirm", {{"category", "kecelakaan"}}), text("hmm"), "lapor", "confirm",
       {MR, ST, SB}, {"common.choose_option", "lapor.summary"}},
      {"created", at("lapor", "creating"), ReportCreated{"KDN-20250601-0001"}, "", "", {ST}, {"lapor.created"}},
      {"batal mid-form", at("lapor", "siapa"), text("batal"), "", "", {MR, ST, SL}, {"common.cancelled", "menu.body"}},
  });
  SECTION("location pin is kept as coordinates") {
    Transition t = run(at("lapor", "dimana"), location(-6.2, 106.8, "Bundaran HI"));
    t = run(with(t.next, [](Conversation& c) {
              c.slots["category"] = "kecelakaan";
              c.step = "confirm";
            }),
            reply("send"));
    const auto* r = first<CreateReport>(t);
    REQUIRE(r);
    CHECK(r->has_location);
    CHECK(r->latitude == Approx(-6.2));
    CHECK(r->longitude == Approx(106.8));
    CHECK(r->where.find("Bundaran HI") != std::string::npos);
    CHECK(r->category == "kecelakaan");
  }
}

TEST_CASE("info flow") {
  check_rows({
      {"start", home, text("info"), "info", "topics", {MR, SL}, {"info.body"}},
      {"topic by number", at("info", "topics"), text("3"), "info", "after_topic", {MR, ST, SB},
       {"info.topic.skck", "info.after"}},
      {"topic by tap", at("info", "topics"), reply("info:sim", MessageKind::list_reply), "info", "after_topic",
       {MR, ST, SB}, {"info.topic.sim", "info.after"}},
      {"topic by word", at("info", "topics"), text("SKCK"), "info", "after_topic", {MR, ST, SB},
       {"info.topic.skck", "info.after"}},
      {"more topics", at("info", "after_topic"), text("1"), "info", "topics", {MR, SL}, {"info.body"}},
      {"another topic word", at("info", "after_topic"), text("spkt"), "info", "after_topic", {MR, ST, SB},
       {"info.topic.spkt", "info.after"}},
      {"agent from info", at("info", "after_topic"), text("3"), "handoff", "waiting", {MR, "HandToAgent"}, {}},
      {"nonsense", at("info", "topics"), text("xyz"), "info", "topics", {MR, ST, SL}, {"common.choose_option", "info.body"}},
  });
}

TEST_CASE("e-TLE confirmation flow") {
  EtleNotice n{"N1", "B1234XYZ", "Budi", "2025-05-12 08:31 WIB", "Jl. Sudirman", "287", 500000, "2025-05-20",
               "https://etle.polri.go.id/x", "8888812345678901", "2025-05-27"};
  EtleNotice no_briva = n;
  no_briva.briva.clear();
  const std::map<std::string, std::string> notice_slots{{"notice_id", "N1"}, {"plate", "B1234XYZ"}, {"fine", "Rp500.000"},
                                                        {"briva", "8888812345678901"}, {"deadline", "2025-05-27"}};
  const Conversation choosing = at("etle", "choose", notice_slots);
  check_rows({
      {"from menu", home, text("etle"), "etle", "lookup", {MR, "LookupNotice"}, {}},
      {"found, asks", at("etle", "lookup"), NoticeFound{true, n}, "etle", "choose", {SB}, {"etle.ask_answer"}},
      {"none", at("etle", "lookup"), NoticeFound{false, {}}, "", "", {ST}, {"etle.none"}},
      {"unknown notice for payload", at("etle", "lookup", {{"pending", "ETLE_DRIVER_SELF"}}), NoticeFound{false, {}}, "",
       "", {SB}, {"etle.notice_unknown"}},
      {"self with BRIVA", at("etle", "lookup", {{"pending", "ETLE_DRIVER_SELF"}}), NoticeFound{true, n}, "", "",
       {"RecordEtleResponse", ST, ST}, {"etle.confirmed", "etle.pay_briva"}},
      {"self without BRIVA", at("etle", "lookup", {{"pending", "ETLE_DRIVER_SELF"}}), NoticeFound{true, no_briva}, "", "",
       {"RecordEtleResponse", ST, ST}, {"etle.confirmed", "etle.pay_pending"}},
      {"other", at("etle", "lookup", {{"pending", "ETLE_DRIVER_OTHER"}}), NoticeFound{true, n}, "etle", "other_name", {ST},
       {"etle.ask_other_name"}},
      {"not mine", at("etle", "lookup", {{"pending", "ETLE_NOT_MINE"}}), NoticeFound{true, n}, "handoff", "waiting",
       {"RecordEtleResponse", ST, "HandToAgent"}, {"etle.not_mine"}},
      {"tap self in chat", choosing, reply("ETLE_DRIVER_SELF"), "", "", {MR, "RecordEtleResponse", ST, ST},
       {"etle.confirmed", "etle.pay_briva"}},
      {"typed 2", choosing, text("2"), "etle", "other_name", {MR, ST}, {"etle.ask_other_name"}},
      {"typed nonsense", choosing, text("entahlah"), "etle", "choose", {MR, ST, SB},
       {"common.choose_option", "etle.ask_answer"}},
      {"other name", at("etle", "other_name", notice_slots), text("Andi Wijaya"), "etle", "other_phone", {MR, ST},
       {"etle.ask_other_phone"}},
      {"other bad phone", at("etle", "other_phone", notice_slots), text("abc"), "etle", "other_phone", {MR, ST},
       {"common.invalid_phone"}},
      {"other phone", at("etle", "other_phone", notice_slots), text("0812-1111-2222"), "etle", "other_confirm", {MR, SB},
       {"etle.other_summary"}},
      {"other confirmed", at("etle", "other_confirm", notice_slots), text("1"), "", "", {MR, "RecordEtleResponse", ST},
       {"etle.other_recorded"}},
  });
  SECTION("payload lookups carry the template's wamid and the response carries the driver") {
    Transition t = run(at("lapor", "apa"), reply("ETLE_DRIVER_OTHER", MessageKind::button));
    REQUIRE(first<LookupNotice>(t));
    CHECK(first<LookupNotice>(t)->context_id == "wamid.OUT");
    auto slots = notice_slots;
    slots["other_name"] = "Andi";
    slots["other_phone"] = "6281211112222";
    t = run(at("etle", "other_confirm", slots), reply("confirm"));
    const auto* r = first<RecordEtleResponse>(t);
    REQUIRE(r);
    CHECK(r->notice_id == "N1");
    CHECK(r->response == "driver_other");
    CHECK(r->other_phone == "6281211112222");
  }
}

TEST_CASE("status flow") {
  check_rows({
      {"start", home, text("status"), "status", "ask_ref", {MR, ST}, {"status.ask_ref"}},
      {"kdn", at("status", "ask_ref"), text("KDN-20250101-0001"), "status", "wait", {MR, "LookupReport"}, {}},
      {"byr", at("status", "ask_ref"), text("byr 20250101 0001"), "status", "wait", {MR, "LookupPayment"}, {}},
      {"invalid", at("status", "ask_ref"), text("nomor saya hilang"), "status", "ask_ref", {MR, ST}, {"status.invalid"}},
      {"report found", at("status", "wait"), ReportStatusFound{"KDN-20250101-0001", true, "in_progress", "", ""}, "", "",
       {ST}, {"status.report"}},
      {"report unknown", home, ReportStatusFound{"KDN-20250101-0009", false, "", "", ""}, "", "", {ST},
       {"status.report_not_found"}},
      {"payment rejected", home, PaymentStatusFound{"BYR-1", true, "rejected", "Nominal kurang", "E1"}, "", "", {ST},
       {"status.payment_rejected"}},
      {"payment pending", home, PaymentStatusFound{"BYR-1", true, "pending", "", "E1"}, "", "", {ST}, {"status.payment"}},
      {"payment unknown", home, PaymentStatusFound{"BYR-1", false, "", "", ""}, "", "", {ST}, {"status.payment_not_found"}},
  });
}

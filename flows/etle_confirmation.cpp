// Konfirmasi e-TLE: the owner answers the camera-ticket template with one of three payloads.
// ETLE_DRIVER_SELF -> confirmed + how to pay (BRIVA when issued) + deadline;
// ETLE_DRIVER_OTHER -> the actual driver's / new owner's name and phone; ETLE_NOT_MINE -> an officer.
#include "flows/money.hpp"
#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

constexpr const char* self_payload = "ETLE_DRIVER_SELF";
constexpr const char* other_payload = "ETLE_DRIVER_OTHER";
constexpr const char* not_mine_payload = "ETLE_NOT_MINE";

const std::vector<Option>& answer_options() {
  static const std::vector<Option> options{
      {self_payload, "etle.btn_self", {"saya", "saya pengemudi", "me", "i was driving"}},
      {other_payload, "etle.btn_other", {"orang lain", "dijual", "someone else", "sold"}},
      {not_mine_payload, "etle.btn_not_mine", {"bukan", "bukan saya", "not mine"}},
  };
  return options;
}

const std::vector<Option>& confirm_options() {
  static const std::vector<Option> options{
      {"confirm", "common.btn_confirm", {"ya", "yes", "kirim", "benar", "ok"}},
      {"redo", "common.btn_redo", {"ulang", "ubah", "redo", "change"}},
  };
  return options;
}

Params notice_params(const Turn& t) {
  return {{"plate", display_plate(t.slot("plate"))}, {"time", t.slot("time")},      {"location", t.slot("location")},
          {"article", t.slot("article")},            {"fine", t.slot("fine")},      {"confirm_by", t.slot("confirm_by")},
          {"briva", t.slot("briva")},                {"deadline", t.slot("deadline")}};
}

void apply_answer(Turn& t, const std::string& payload) {
  const std::string notice_id = t.slot("notice_id");
  if (payload == self_payload) {
    t.emit(RecordEtleResponse{notice_id, "driver_self", {}, {}});
    const Params p = notice_params(t);
    t.text("etle.confirmed", p);
    if (!t.slot("briva").empty()) t.text(t.slot("deadline").empty() ? "etle.pay_briva_nodate" : "etle.pay_briva", p);
    else t.text(t.slot("deadline").empty() ? "etle.pay_pending_nodate" : "etle.pay_pending", p);
    t.end_flow();
  } else if (payload == other_payload) {
    t.set_step("other_name");
    etle_prompt(t);
  } else {
    t.emit(RecordEtleResponse{notice_id, "not_mine", {}, {}});
    t.text("etle.not_mine", notice_params(t));
    handoff_start(t, "etle");
  }
}

}  // namespace

bool is_etle_payload(const std::string& id) {
  return id == self_payload || id == other_payload || id == not_mine_payload;
}

bool etle_free_text(const Conversation& s) { return s.flow == "etle" && s.step == "other_name"; }

void etle_start(Turn& t) {
  t.go("etle", "lookup");
  t.emit(LookupNotice{{}, {}});
}

void etle_on_payload(Turn& t, const std::string& payload, const std::string& context_id) {
  if (t.prev.flow == "etle" && t.prev.step == "choose" && !t.slot("notice_id").empty()) {
    apply_answer(t, payload);
    return;
  }
  t.go("etle", "lookup");
  t.set_slot("pending", payload);
  t.emit(LookupNotice{context_id, {}});
}

void etle_prompt(Turn& t) {
  const std::string& s = t.next.step;
  if (s == "choose") {
    t.buttons("etle.ask_answer", notice_params(t), answer_options());
  } else if (s == "other_name") {
    t.text("etle.ask_other_name");
  } else if (s == "other_phone") {
    t.text("etle.ask_other_phone");
  } else if (s == "other_confirm") {
    t.buttons("etle.other_summary", {{"name", t.slot("other_name")}, {"phone", t.slot("other_phone")}},
              confirm_options());
  } else {
    t.text("common.please_wait");
  }
}

void etle_on_message(Turn& t, const InboundMessage& msg) {
  const std::string& s = t.prev.step;
  if (s == "choose") {
    if (auto c = pick(msg, answer_options())) {
      apply_answer(t, *c);
      return;
    }
    t.text("common.choose_option");
    etle_prompt(t);
    return;
  }
  if (s == "other_name" || s == "other_phone") {
    if (msg.kind != MessageKind::text) {
      t.text("common.please_type");
      return;
    }
    const std::string value(trim(msg.text));
    if (s == "other_name") {
      if (code_points(value) < 3) {
        t.text("common.too_short");
        return;
      }
      t.set_slot("other_name", truncate_code_points(value, 100));
      t.set_step("other_phone");
    } else {
      auto phone = normalise_phone(value);
      if (!phone) {
        t.text("common.invalid_phone");
        return;
      }
      t.set_slot("other_phone", *phone);
      t.set_step("other_confirm");
    }
    etle_prompt(t);
    return;
  }
  if (s == "other_confirm") {
    if (auto c = pick(msg, confirm_options())) {
      if (*c == "confirm") {
        t.emit(RecordEtleResponse{t.slot("notice_id"), "driver_other", t.slot("other_name"), t.slot("other_phone")});
        t.text("etle.other_recorded", notice_params(t));
        t.end_flow();
      } else {
        t.set_step("other_name");
        etle_prompt(t);
      }
      return;
    }
    t.text("common.choose_option");
    etle_prompt(t);
    return;
  }
  // Still waiting for the notice lookup.
  t.text("common.please_wait");
}

void etle_on_notice(Turn& t, const NoticeFound& in) {
  if (t.prev.step != "lookup") return;
  const std::string pending = t.slot("pending");
  if (!in.found) {
    t.end_flow();
    if (pending.empty()) {
      t.text("etle.none");
    } else {
      t.buttons("etle.notice_unknown", {}, {{"agent", "common.btn_agent", {}}, {"menu", "common.btn_menu", {}}});
    }
    return;
  }
  const EtleNotice& n = in.notice;
  t.set_slot("notice_id", n.notice_id);
  t.set_slot("plate", n.plate);
  t.set_slot("time", n.violation_time);
  t.set_slot("location", n.location);
  t.set_slot("article", n.article);
  t.set_slot("fine", format_rupiah(n.fine_amount));
  t.set_slot("confirm_by", n.confirm_by);
  t.set_slot("briva", n.briva);
  t.set_slot("deadline", n.payment_deadline);
  t.next.slots.erase("pending");
  if (!pending.empty()) {
    apply_answer(t, pending);
    return;
  }
  t.set_step("choose");
  etle_prompt(t);
}

}  // namespace tilang::flows

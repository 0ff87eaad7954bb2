// Pengambilan: after a verified payment, pick up the seized SIM/STNK at the drive-thru counter
// (day + slot -> queue number) or have it sent cash-on-delivery by PT Pos.
#include "flows/mask.hpp"
#include "flows/money.hpp"
#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

const std::vector<Option>& method_options() {
  static const std::vector<Option> options{
      {"drivethru", "ambil.btn_drivethru", {"drive thru", "drive-thru", "drivethru", "datang", "ambil sendiri"}},
      {"cod", "ambil.btn_cod", {"cod", "pos", "kirim", "antar", "delivery"}},
      {"later", "ambil.btn_later", {"nanti", "nanti saja", "later"}},
  };
  return options;
}

// The COD summary's buttons. "Ubah data" opens the list of fields, so a typo costs one answer,
// not the whole form again.
const std::vector<Option>& confirm_options() {
  static const std::vector<Option> options{
      {"confirm", "common.btn_confirm", {"ya", "yes", "kirim", "benar", "ok"}},
      {"edit", "ambil.btn_edit", {"ubah", "ganti", "edit", "salah", "perbaiki", "change"}},
      {"cancel", "common.btn_cancel", {}},
  };
  return options;
}

// What the summary accepts: its buttons, and "start over" (the button summaries sent before the
// edit list existed still carry it, and typing "ulang" means it).
const std::vector<Option>& confirm_answers() {
  static const std::vector<Option> options = [] {
    std::vector<Option> all = confirm_options();
    all.push_back({"redo", "common.btn_redo", {"ulang", "ulangi", "isi ulang", "redo"}});
    return all;
  }();
  return options;
}

// The COD form, in order: slot name, prompt key, minimum length.
struct FormField {
  const char* step;
  const char* prompt_key;
  std::size_t min_length;
};
constexpr FormField cod_fields[] = {
    {"cod_name", "ambil.ask_name", 3},       {"cod_address", "ambil.ask_address", 5},
    {"cod_kelurahan", "ambil.ask_kelurahan", 3}, {"cod_kecamatan", "ambil.ask_kecamatan", 3},
    {"cod_city", "ambil.ask_city", 3},       {"cod_phone", "ambil.ask_phone", 0},
};

// The rows of the "which detail?" list: one per form field, then start over.
const std::vector<Option>& edit_options() {
  static const std::vector<Option> options{
      {"cod_name", "ambil.field_name", {"nama", "penerima", "nama penerima", "name"}},
      {"cod_address", "ambil.field_address", {"alamat", "jalan", "address"}},
      {"cod_kelurahan", "ambil.field_kelurahan", {"kelurahan", "desa", "kel"}},
      {"cod_kecamatan", "ambil.field_kecamatan", {"kecamatan", "kec"}},
      {"cod_city", "ambil.field_city", {"kota", "kabupaten", "city"}},
      {"cod_phone", "ambil.field_phone", {"hp", "no hp", "nomor hp", "telepon", "phone"}},
      {"all", "ambil.field_all", {"semua", "ulang", "ulangi", "all"}},
  };
  return options;
}

// WhatsApp shows at most 72 characters of a list row's description.
constexpr std::size_t list_description_limit = 72;

void show_edit_list(Turn& t) {
  SendList list{"ambil.edit_which", {}, "ambil.edit_button", {}};
  ListSection section{"ambil.edit_section", {}, {}};
  for (const Option& o : edit_options()) {
    const std::string current = o.id == "all" ? std::string() : truncate_code_points(t.slot(o.id), list_description_limit);
    section.rows.push_back(ListRow{o.id, o.title_key, {}, {}, current, {}});
  }
  list.sections.push_back(std::move(section));
  t.emit(std::move(list));
}

std::int64_t cod_fee(const Context& ctx, const std::string& city) {
  auto it = ctx.cod_fee_by_city.find(normalise_words(city));
  return it != ctx.cod_fee_by_city.end() ? it->second : ctx.cod_fee_default;
}

Params cod_summary(const Turn& t) {
  Params p{{"name", t.slot("cod_name")},           {"address", t.slot("cod_address")},
           {"kelurahan", t.slot("cod_kelurahan")}, {"kecamatan", t.slot("cod_kecamatan")},
           {"city", t.slot("cod_city")},           {"phone", t.slot("cod_phone")},
           {"register_no", t.slot("register_no")}};
  const std::int64_t fee = cod_fee(t.ctx, t.slot("cod_city"));
  if (fee > 0) p["fee"] = format_rupiah(fee);
  else p["@fee"] = "ambil.fee_on_delivery";
  return p;
}

void check_register(Turn& t, const std::string& reg) {
  t.set_slot("register_no", reg);
  t.set_step("check");
  t.emit(LookupFines{reg, true});
}

void list_slots(Turn& t) {
  t.set_step("slots_wait");
  t.emit(ListSlots{t.slot("register_no")});
}

}  // namespace

bool pengambilan_free_text(const Conversation& s) {
  return s.flow == "pengambilan" && s.step.starts_with("cod_") && s.step != "cod_confirm" && s.step != "cod_edit";
}

void pengambilan_offer_methods(Turn& t, const std::string& register_no, const std::string& body_key) {
  t.go("pengambilan", "choose_method");
  t.set_slot("register_no", register_no);
  t.set_slot("_register_no", register_no);
  t.buttons(body_key, {{"register_no", register_no}}, method_options());
}

void pengambilan_start(Turn& t, const std::string& register_no) {
  t.go("pengambilan", "ask_register");
  if (!register_no.empty()) {
    check_register(t, register_no);
    return;
  }
  pengambilan_prompt(t);
}

void pengambilan_prompt(Turn& t) {
  const std::string& s = t.next.step;
  if (s == "choose_method") {
    t.buttons("ambil.choose_method", {{"register_no", t.slot("register_no")}}, method_options());
  } else if (s == "choose_slot") {
    t.text("ambil.choose_slot_prompt");
  } else if (s == "cod_confirm") {
    t.buttons("ambil.cod_summary", cod_summary(t), confirm_options());
  } else if (s == "cod_edit") {
    show_edit_list(t);
  } else if (s == "check" || s == "slots_wait" || s == "booking") {
    t.text("common.please_wait");
  } else if (s.starts_with("cod_")) {
    for (const auto& f : cod_fields) {
      if (s == f.step) t.text(f.prompt_key);
    }
  } else {
    t.set_step("ask_register");
    t.text("ambil.ask_register");
  }
}

void pengambilan_on_message(Turn& t, const InboundMessage& msg) {
  const std::string& s = t.prev.step;
  if (s == "ask_register" || s == "check") {
    if (is_text_like(msg)) {
      if (auto reg = normalise_register_no(msg.text)) {
        check_register(t, *reg);
        return;
      }
      t.text("ambil.invalid_register");
      return;
    }
  } else if (s == "choose_method") {
    if (auto c = pick(msg, method_options())) {
      if (*c == "drivethru") {
        list_slots(t);
      } else if (*c == "cod") {
        t.set_step("cod_name");
        pengambilan_prompt(t);
      } else {
        t.end_flow();
        t.text("ambil.later");
      }
      return;
    }
    t.text("common.choose_option");
    pengambilan_prompt(t);
    return;
  } else if (s == "choose_slot" || s == "slots_wait" || s == "booking") {
    if (auto id = pick_dynamic(msg, t.slot("slot_ids"), "slot:")) {
      t.set_slot("slot_id", *id);
      t.set_step("booking");
      t.emit(BookSlot{*id, t.slot("register_no")});
      return;
    }
    t.text("common.choose_option");
    t.text("ambil.choose_slot_prompt");
    return;
  } else if (s == "cod_confirm") {
    if (auto c = pick(msg, confirm_answers())) {
      if (*c == "confirm") {
        const std::string city = t.slot("cod_city");
        t.emit(CreateShipment{t.slot("register_no"), t.slot("cod_name"), t.slot("cod_address"), t.slot("cod_kelurahan"),
                              t.slot("cod_kecamatan"), city, t.slot("cod_phone"), cod_fee(t.ctx, city)});
        t.text("ambil.cod_recorded", {{"register_no", t.slot("register_no")}});
        t.end_flow();
      } else if (*c == "edit") {
        t.set_step("cod_edit");
        pengambilan_prompt(t);
      } else if (*c == "redo") {
        t.set_step("cod_name");
        pengambilan_prompt(t);
      } else {
        t.end_flow();
        show_main_menu(t, "common.cancelled");
      }
      return;
    }
    t.text("common.choose_option");
    pengambilan_prompt(t);
    return;
  } else if (s == "cod_edit") {
    if (auto field = pick(msg, edit_options())) {
      // One field asked again, then straight back to the summary; "all" is the whole form.
      if (*field != "all") t.set_slot("cod_editing", "1");
      t.set_step(*field == "all" ? "cod_name" : *field);
      pengambilan_prompt(t);
      return;
    }
    t.text("common.choose_option");
    pengambilan_prompt(t);
    return;
  } else if (s.starts_with("cod_")) {
    if (msg.kind != MessageKind::text) {
      t.text("common.please_type");
      pengambilan_prompt(t);
      return;
    }
    const std::string value(trim(msg.text));
    for (std::size_t i = 0; i < std::size(cod_fields); ++i) {
      const FormField& f = cod_fields[i];
      if (s != f.step) continue;
      std::string stored = value;
      if (std::string_view(f.step) == "cod_phone") {
        auto phone = normalise_phone(value);
        if (!phone) {
          t.text("common.invalid_phone");
          return;
        }
        stored = *phone;
      } else if (code_points(value) < f.min_length) {
        t.text("common.too_short");
        return;
      }
      t.set_slot(f.step, truncate_code_points(stored, 200));
      const bool editing_one = t.slot("cod_editing") == "1";
      t.next.slots.erase("cod_editing");
      t.set_step(!editing_one && i + 1 < std::size(cod_fields) ? cod_fields[i + 1].step : "cod_confirm");
      pengambilan_prompt(t);
      return;
    }
  }
  t.text("common.unsupported");
  pengambilan_prompt(t);
}

void pengambilan_on_fines(Turn& t, const FinesFound& in) {
  if (t.prev.step != "check" || in.query != t.slot("register_no")) return;
  if (in.fines.empty()) {
    t.set_step("ask_register");
    t.text("ambil.not_found", {{"register_no", in.query}});
    return;
  }
  const Fine& f = in.fines.front();
  const std::string status = to_lower_ascii(f.status);
  if (status == "unpaid") {
    t.end_flow();
    t.text("ambil.not_paid", {{"register_no", f.register_no}});
    return;
  }
  if (status == "picked_up") {
    t.end_flow();
    t.text("ambil.already_picked_up", {{"register_no", f.register_no}});
    return;
  }
  pengambilan_offer_methods(t, f.register_no, "ambil.choose_method");
}

void pengambilan_on_slots(Turn& t, const SlotsAvailable& in) {
  if (t.prev.step != "slots_wait") return;
  if (in.slots.empty()) {
    t.set_step("choose_method");
    t.text("ambil.no_slots");
    pengambilan_prompt(t);
    return;
  }
  SendList list{"ambil.slots_body", {}, "ambil.slots_button", {}};
  ListSection section{"ambil.slots_section", {}, {}};
  std::vector<std::string> ids;
  // Meta allows 10 rows; the soonest ten are plenty for a counter that opens daily.
  for (std::size_t i = 0; i < in.slots.size() && i < 10; ++i) {
    const Slot& slot = in.slots[i];
    ids.push_back(slot.id);
    ListRow row{"slot:" + slot.id, {}, slot.date + " " + slot.start, "ambil.slot_desc", {}, {}};
    row.params = {{"start", slot.start}, {"end", slot.end}, {"remaining", std::to_string(slot.remaining)}};
    section.rows.push_back(std::move(row));
  }
  list.sections.push_back(std::move(section));
  t.emit(std::move(list));
  t.set_slot("slot_ids", join_ids(ids));
  t.set_step("choose_slot");
}

void pengambilan_on_booked(Turn& t, const SlotBooked& in) {
  if (t.prev.step != "booking") return;
  Params p{{"queue_no", in.queue_no}, {"date", in.slot.date}, {"start", in.slot.start},
           {"end", in.slot.end},      {"register_no", t.slot("register_no")}};
  if (t.ctx.drive_thru_address.empty()) p["@address"] = "ambil.address_default";
  else p["address"] = t.ctx.drive_thru_address;
  t.text("ambil.booked", p);
  t.end_flow();
}

void pengambilan_on_full(Turn& t, const SlotFull&) {
  if (t.prev.step != "booking") return;
  t.text("ambil.slot_full");
  list_slots(t);
}

void pengambilan_on_dispatched(Turn& t, const ShipmentDispatched& in) {
  t.text("ambil.dispatched", {{"register_no", in.register_no}, {"tracking_no", in.tracking_no.empty() ? "-" : in.tracking_no}});
}

}  // namespace tilang::flows

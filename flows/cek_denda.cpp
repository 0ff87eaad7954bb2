// Cek denda: look a fine up by register number or plate and show it, or list several.
#include "flows/mask.hpp"
#include "flows/money.hpp"
#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

std::vector<Option> result_options(const std::string& status) {
  const std::string s = to_lower_ascii(status);
  if (s == "unpaid") {
    return {{"bayar", "cek_denda.btn_pay", {"bayar", "pay"}}, {"menu", "common.btn_menu", {}}};
  }
  if (s == "paid") {
    return {{"ambil", "cek_denda.btn_pickup", {"ambil", "pickup"}}, {"menu", "common.btn_menu", {}}};
  }
  return {{"menu", "common.btn_menu", {}}};
}

const std::vector<Option>& not_found_options() {
  static const std::vector<Option> options{
      {"retry", "cek_denda.btn_retry", {"lagi", "coba lagi", "retry", "again"}},
      {"agent", "common.btn_agent", {}},
      {"menu", "common.btn_menu", {}},
  };
  return options;
}

void lookup(Turn& t, const std::string& text) {
  if (auto reg = normalise_register_no(text)) {
    t.go("cek_denda", "lookup");
    t.set_slot("query", *reg);
    t.emit(LookupFines{*reg, true});
    return;
  }
  if (auto plate = normalise_plate(text)) {
    t.go("cek_denda", "lookup");
    t.set_slot("query", *plate);
    t.emit(LookupFines{*plate, false});
    return;
  }
  t.go("cek_denda", "ask_query");
  t.text("cek_denda.invalid");
}

Params fine_params(const Fine& f) {
  Params p{
      {"register_no", f.register_no},
      {"name", mask_name(f.violator_name)},
      {"plate", display_plate(f.plate)},
      {"date", f.violation_date},
      {"article", f.article},
      {"fine", format_rupiah(f.fine_amount)},
      {"court_fee", format_rupiah(f.court_fee)},
      {"total", format_rupiah(f.fine_amount + f.court_fee)},
      {"hearing_date", f.hearing_date.empty() ? "-" : f.hearing_date},
      {"office", f.office},
  };
  std::string evidence = to_lower_ascii(f.evidence);
  for (char& c : evidence) {
    if (c == '+') c = '_';
  }
  key_or_literal(p, "evidence", "fine.evidence.", evidence, {"sim", "stnk", "sim_stnk", "kendaraan"});
  key_or_literal(p, "status", "fine.status.", f.status, {"unpaid", "paid", "picked_up"});
  return p;
}

}  // namespace

void cek_denda_start(Turn& t, const std::string& query_text) {
  if (!query_text.empty()) {
    lookup(t, query_text);
    return;
  }
  t.go("cek_denda", "ask_query");
  cek_denda_prompt(t);
}

void cek_denda_prompt(Turn& t) {
  const std::string& s = t.next.step;
  if (s == "lookup") {
    t.text("common.please_wait");
  } else if (s == "not_found") {
    t.buttons("cek_denda.not_found", {{"query", t.slot("query")}}, not_found_options());
  } else if (s == "choose_fine") {
    t.text("cek_denda.choose_prompt");
  } else if (s == "result") {
    t.buttons("cek_denda.next", {}, result_options(t.slot("fine_status")));
  } else {
    t.set_step("ask_query");
    t.text("cek_denda.ask_query");
  }
}

void cek_denda_on_message(Turn& t, const InboundMessage& msg) {
  const std::string& s = t.prev.step;
  if (s == "not_found") {
    if (auto c = pick(msg, not_found_options())) {
      if (*c == "retry") {
        t.set_step("ask_query");
        cek_denda_prompt(t);
      } else if (*c == "agent") {
        handoff_start(t, "denda");
      } else {
        t.end_flow();
        show_main_menu(t);
      }
      return;
    }
  } else if (s == "result") {
    if (auto c = pick(msg, result_options(t.slot("fine_status")))) {
      start_choice(t, static_cast<int>(menu_choice_from_id(*c)));
      return;
    }
  } else if (s == "choose_fine") {
    if (auto reg = pick_dynamic(msg, t.slot("choices"), "fine:")) {
      lookup(t, *reg);
      return;
    }
  }
  if (is_text_like(msg) && (normalise_register_no(msg.text) || normalise_plate(msg.text))) {
    lookup(t, msg.text);
    return;
  }
  if (s == "choose_fine" || s == "result" || s == "not_found") {
    t.text("common.choose_option");
    cek_denda_prompt(t);
    return;
  }
  if (msg.kind == MessageKind::text || s == "ask_query") {
    t.set_step("ask_query");
    t.text("cek_denda.invalid");
    return;
  }
  t.text("common.unsupported");
  cek_denda_prompt(t);
}

void cek_denda_on_fines(Turn& t, const FinesFound& in) {
  // An answer to an older query (the user typed another meanwhile) is dropped.
  if (t.prev.step != "lookup" || in.query != t.slot("query")) return;
  if (in.fines.empty()) {
    t.set_step("not_found");
    cek_denda_prompt(t);
    return;
  }
  if (in.fines.size() == 1) {
    const Fine& f = in.fines.front();
    t.text("cek_denda.detail", fine_params(f));
    t.set_slot("register_no", f.register_no);
    t.set_slot("_register_no", f.register_no);
    t.set_slot("fine_status", f.status);
    t.set_step("result");
    const std::string status = to_lower_ascii(f.status);
    const std::string body = status == "unpaid" ? "cek_denda.next_unpaid"
                             : status == "paid" ? "cek_denda.next_paid"
                                                : "cek_denda.next_done";
    t.buttons(body, {}, result_options(f.status));
    return;
  }
  // Several fines: summary of each, then a list to pick one for details.
  std::int64_t total = 0;
  std::vector<std::string> ids;
  SendList list{"cek_denda.several", {{"count", std::to_string(in.fines.size())}}, "cek_denda.list_button", {}};
  ListSection section{"cek_denda.list_section", {}, {}};
  for (const Fine& f : in.fines) {
    total += f.fine_amount + f.court_fee;
    ids.push_back(f.register_no);
    ListRow row{"fine:" + f.register_no, {}, f.register_no, "cek_denda.row_desc", {}, {}};
    row.params = {{"article", f.article}, {"total", format_rupiah(f.fine_amount + f.court_fee)}};
    key_or_literal(row.params, "status", "fine.status.", f.status, {"unpaid", "paid", "picked_up"});
    section.rows.push_back(std::move(row));
  }
  list.params["total"] = format_rupiah(total);
  list.sections.push_back(std::move(section));
  t.emit(std::move(list));
  t.set_slot("choices", join_ids(ids));
  t.set_step("choose_fine");
}

}  // namespace tilang::flows

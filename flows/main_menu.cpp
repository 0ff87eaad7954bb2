// Main menu: the list of services, reachable by tap, number or keyword (CONTRACT §6).
#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {

void show_main_menu(Turn& t, const std::string& intro_key) {
  if (!intro_key.empty()) t.text(intro_key);
  SendList list{"menu.body", {}, "menu.button", {}};
  ListSection section{"menu.section", {}, {}};
  for (MenuChoice c : {MenuChoice::denda, MenuChoice::bayar, MenuChoice::ambil, MenuChoice::etle, MenuChoice::lapor,
                       MenuChoice::info, MenuChoice::status, MenuChoice::petugas}) {
    const std::string id = to_string(c);
    section.rows.push_back(ListRow{id, "menu.row." + id, {}, "menu.row." + id + ".desc", {}, {}});
  }
  list.sections.push_back(std::move(section));
  t.emit(std::move(list));
  t.next.welcomed = true;
}

void start_choice(Turn& t, int choice) {
  // The register number the user last gave carries over between services.
  const std::string reg = t.prev.slots.count("register_no") ? t.prev.slots.at("register_no")
                                                             : t.slot("_register_no");
  switch (static_cast<MenuChoice>(choice)) {
    case MenuChoice::denda: cek_denda_start(t); return;
    case MenuChoice::bayar: bukti_bayar_start(t, reg); return;
    case MenuChoice::ambil: pengambilan_start(t, reg); return;
    case MenuChoice::etle: etle_start(t); return;
    case MenuChoice::lapor: lapor_start(t); return;
    case MenuChoice::info: info_start(t); return;
    case MenuChoice::status: status_start(t); return;
    case MenuChoice::petugas: handoff_start(t, "umum"); return;
    case MenuChoice::none: break;
  }
  t.end_flow();
  show_main_menu(t);
}

void main_menu_on_message(Turn& t, const InboundMessage& msg) {
  t.end_flow();
  if (!msg.reply_id.empty()) {
    if (const MenuChoice c = menu_choice_from_id(msg.reply_id); c != MenuChoice::none) {
      start_choice(t, static_cast<int>(c));
      return;
    }
  }
  if (msg.kind == MessageKind::image || msg.kind == MessageKind::document) {
    // A picture sent out of the blue is almost always a transfer receipt.
    bukti_bayar_start(t, t.slot("_register_no"), &msg);
    return;
  }
  if (!is_text_like(msg)) {
    t.text("common.unsupported");
    show_main_menu(t);
    return;
  }
  if (const MenuChoice c = match_menu_choice(msg.text); c != MenuChoice::none) {
    start_choice(t, static_cast<int>(c));
    return;
  }
  // Typing a plate or register number straight away is the most common first message.
  if (normalise_register_no(msg.text) || normalise_plate(msg.text)) {
    cek_denda_start(t, msg.text);
    return;
  }
  const std::string words = normalise_words(msg.text);
  if (!t.prev.welcomed || is_greeting(words)) {
    show_main_menu(t, "menu.welcome");
    return;
  }
  show_main_menu(t, "menu.not_understood");
}

}  // namespace tilang::flows

// The dispatcher: marks messages read, applies global commands (menu, batal, petugas, language,
// status numbers, e-TLE button payloads, idle resume), then hands the input to the current flow.
#include "flows/step.hpp"

#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

const std::vector<Option>& resume_options() {
  static const std::vector<Option> options{
      {"resume", "idle.resume", {"lanjut", "lanjutkan", "continue", "resume"}},
      {"restart", "idle.restart", {"ulang", "mulai lagi", "restart", "start again"}},
  };
  return options;
}

// Steps where the user types free text (names, addresses, report details): menu keywords there
// are answers, not commands.
bool free_text_step(const Conversation& s) {
  return lapor_free_text(s) || pengambilan_free_text(s) || etle_free_text(s) || s.flow == "handoff";
}

// Re-shows the question of the current step (after a language switch, a voice note, a resume).
void reprompt(Turn& t) {
  const std::string& f = t.next.flow;
  if (f == "cek_denda") cek_denda_prompt(t);
  else if (f == "bukti_bayar") bukti_bayar_prompt(t);
  else if (f == "pengambilan") pengambilan_prompt(t);
  else if (f == "lapor") lapor_prompt(t);
  else if (f == "info") info_prompt(t);
  else if (f == "etle") etle_prompt(t);
  else if (f == "status") status_prompt(t);
  else if (f == "handoff") handoff_prompt(t);
  else show_main_menu(t);
}

void to_flow(Turn& t, const InboundMessage& msg) {
  const std::string& f = t.next.flow;
  if (f == "cek_denda") cek_denda_on_message(t, msg);
  else if (f == "bukti_bayar") bukti_bayar_on_message(t, msg);
  else if (f == "pengambilan") pengambilan_on_message(t, msg);
  else if (f == "lapor") lapor_on_message(t, msg);
  else if (f == "info") info_on_message(t, msg);
  else if (f == "etle") etle_on_message(t, msg);
  else if (f == "status") status_on_message(t, msg);
  else if (f == "handoff") handoff_on_message(t, msg);
  else main_menu_on_message(t, msg);
}

Command command_of(const InboundMessage& msg) {
  if (msg.reply_id == "menu") return Command::menu;
  if (msg.reply_id == "agent") return Command::agent;
  if (msg.reply_id == "cancel") return Command::cancel;
  if (msg.kind != MessageKind::text) return Command::none;
  return match_command(msg.text);
}

void on_message(Turn& t, const InboundMessage& msg) {
  t.emit(MarkRead{msg.wamid});
  // Receipts-like messages need no answer: reactions, edits, deletions, number changes.
  if (msg.kind == MessageKind::reaction || msg.kind == MessageKind::system || msg.kind == MessageKind::revoke ||
      msg.kind == MessageKind::edit) {
    return;
  }
  const bool idle = t.prev.last_activity.time_since_epoch().count() != 0 &&
                    t.now_ - t.prev.last_activity > t.ctx.idle_after;
  t.next.last_activity = t.now_;

  const bool in_handoff = t.prev.flow == "handoff";
  switch (command_of(msg)) {
    case Command::menu:
    case Command::cancel: {
      // "batal" says what it did; "menu" just shows the menu.
      const bool say_cancelled = command_of(msg) == Command::cancel && !t.prev.flow.empty();
      t.next.resume_offered = false;
      if (in_handoff) handoff_cancel(t);
      t.end_flow();
      show_main_menu(t, say_cancelled ? "common.cancelled" : "");
      return;
    }
    case Command::agent:
      t.next.resume_offered = false;
      if (in_handoff) {
        t.text("handoff.already");
        return;
      }
      handoff_start(t, t.prev.flow.empty() ? "umum" : t.prev.flow);
      return;
    case Command::erase_request:
      // UU 27/2022: people may have their data deleted. An officer checks the request comes from
      // the number's owner and an admin carries it out (POST /api/v1/admin/erase).
      t.next.resume_offered = false;
      t.text("privacy.erase_request");
      if (!in_handoff) handoff_start(t, "umum");
      return;
    case Command::english:
    case Command::indonesian:
      t.next.language = command_of(msg) == Command::english ? "en" : "id";
      t.text("common.language_set");
      if (!in_handoff) reprompt(t);
      return;
    case Command::none:
      break;
  }
  if (in_handoff) {
    handoff_on_message(t, msg);
    return;
  }

  // Template quick replies can arrive whatever the user was doing.
  if (is_etle_payload(msg.reply_id)) {
    t.next.resume_offered = false;
    etle_on_payload(t, msg.reply_id, msg.context_id);
    return;
  }

  if (msg.kind == MessageKind::text && !free_text_step(t.prev)) {
    const std::string words = normalise_words(msg.text);
    const std::string ref = words.starts_with("status ") ? words.substr(7) : words;
    if (status_lookup(t, ref)) {
      t.next.resume_offered = false;
      return;
    }
  }

  if (t.prev.resume_offered) {
    t.next.resume_offered = false;
    if (auto choice = pick(msg, resume_options())) {
      if (*choice == "resume") reprompt(t);
      else {
        t.end_flow();
        show_main_menu(t);
      }
      return;
    }
    // Anything else: start afresh with what they typed.
    t.end_flow();
    main_menu_on_message(t, msg);
    return;
  }
  if (idle && !t.prev.flow.empty()) {
    t.next.resume_offered = true;
    t.buttons("idle.offer", {}, resume_options());
    return;
  }

  if (msg.kind == MessageKind::audio) {
    t.text("common.voice_note");
    return;
  }
  if (msg.kind == MessageKind::request_welcome) {
    t.end_flow();
    t.next.welcomed = true;
    show_main_menu(t, "menu.welcome");
    return;
  }

  // Outside free-text answers, a main-menu keyword jumps to that service (no dead ends).
  if (!t.prev.flow.empty() && msg.kind == MessageKind::text && !free_text_step(t.prev) &&
      !parse_choice_number(msg.text)) {
    // "halo" or "tolong" mid-flow usually means the user lost track of the question: greet back,
    // say how to leave, and ask it again, instead of "that option is unknown".
    if (is_greeting(msg.text)) {
      t.text("common.greeting_in_flow");
      reprompt(t);
      return;
    }
    if (const MenuChoice c = match_menu_choice(msg.text); c != MenuChoice::none) {
      start_choice(t, static_cast<int>(c));
      return;
    }
  }
  to_flow(t, msg);
}

}  // namespace

Transition step(const Conversation& state, const Input& input, std::chrono::system_clock::time_point now) {
  Turn t(state, input.context, now);
  const std::string& flow = state.flow;
  std::visit(overloaded{
                 [&](const InboundMessage& m) { on_message(t, m); },
                 [&](const FinesFound& in) {
                   if (flow == "cek_denda") cek_denda_on_fines(t, in);
                   else if (flow == "bukti_bayar") bukti_bayar_on_fines(t, in);
                   else if (flow == "pengambilan") pengambilan_on_fines(t, in);
                 },
                 [&](const MediaStored& in) {
                   if (flow == "bukti_bayar") bukti_bayar_on_media(t, in);
                   else if (flow == "lapor") lapor_on_media(t, in);
                 },
                 [&](const PaymentCreated& in) {
                   if (flow == "bukti_bayar") bukti_bayar_on_created(t, in);
                 },
                 [&](const PaymentDecided& in) { bukti_bayar_on_decided(t, in); },
                 [&](const PaymentStatusFound& in) { status_on_payment(t, in); },
                 [&](const SlotsAvailable& in) {
                   if (flow == "pengambilan") pengambilan_on_slots(t, in);
                 },
                 [&](const SlotBooked& in) {
                   if (flow == "pengambilan") pengambilan_on_booked(t, in);
                 },
                 [&](const SlotFull& in) {
                   if (flow == "pengambilan") pengambilan_on_full(t, in);
                 },
                 [&](const ShipmentDispatched& in) { pengambilan_on_dispatched(t, in); },
                 [&](const ReportCreated& in) {
                   if (flow == "lapor") lapor_on_created(t, in);
                 },
                 [&](const ReportStatusFound& in) { status_on_report(t, in); },
                 [&](const NoticeFound& in) {
                   if (flow == "etle") etle_on_notice(t, in);
                 },
                 [&](const HandoffQueued& in) { handoff_on_queued(t, in); },
                 [&](const AgentReleased&) { handoff_on_released(t); },
             },
             input.event);
  return Transition{std::move(t.next), std::move(t.actions)};
}

}  // namespace tilang::flows

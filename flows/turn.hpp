// Internal toolkit shared by the flow files: the Turn being built and the per-flow entry points.
// Not part of the engine-facing API (that is step.hpp, input.hpp, action.hpp, conversation.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flows/action.hpp"
#include "flows/conversation.hpp"
#include "flows/input.hpp"

namespace tilang::flows {

// A choice offered as a reply button (or list row) that can also be typed as its number or a word.
struct Option {
  std::string id;
  std::string title_key;
  std::vector<std::string> words;  // normalised typed synonyms, both languages
};

class Turn {
 public:
  Turn(const Conversation& state, const Context& context, std::chrono::system_clock::time_point now)
      : prev(state), ctx(context), now_(now), next(state) {}

  const Conversation& prev;
  const Context& ctx;
  std::chrono::system_clock::time_point now_;
  Conversation next;
  std::vector<Action> actions;

  void emit(Action action) { actions.push_back(std::move(action)); }
  void text(std::string key, Params params = {}) { emit(SendText{std::move(key), std::move(params)}); }
  void buttons(std::string body_key, Params params, const std::vector<Option>& options);

  // Enter `flow` at `step`; slots are cleared when the flow changes (keys starting with '_' survive).
  void go(const std::string& flow, const std::string& step);
  void set_step(const std::string& step) { next.step = step; }
  void end_flow() { go("", ""); }

  std::string slot(const std::string& key) const;
  void set_slot(const std::string& key, std::string value) { next.slots[key] = std::move(value); }
};

// The option the user chose: reply id, typed number (1-based) or typed word; nullopt otherwise.
std::optional<std::string> pick(const InboundMessage& msg, const std::vector<Option>& options);

// Index-based choice among dynamic rows stored as "a|b|c" in a slot: reply id "<prefix><id>" or number.
std::optional<std::string> pick_dynamic(const InboundMessage& msg, const std::string& joined_ids,
                                        const std::string& id_prefix);
std::string join_ids(const std::vector<std::string>& ids);

// Puts `value` into params as a catalog key "<prefix><lower(value)>" when known, else literally.
void key_or_literal(Params& params, const std::string& name, const std::string& prefix, const std::string& value,
                    std::initializer_list<std::string_view> known);

bool is_text_like(const InboundMessage& msg);  // text, or a reply that carries text

// --- per-flow entry points (one file each) ---------------------------------------------------------
// main_menu.cpp
void show_main_menu(Turn& t, const std::string& intro_key = {});
void main_menu_on_message(Turn& t, const InboundMessage& msg);
void start_choice(Turn& t, int choice);  // a MenuChoice value
// cek_denda.cpp
void cek_denda_start(Turn& t, const std::string& query_text = {});
void cek_denda_prompt(Turn& t);
void cek_denda_on_message(Turn& t, const InboundMessage& msg);
void cek_denda_on_fines(Turn& t, const FinesFound& in);
// bukti_bayar.cpp
void bukti_bayar_start(Turn& t, const std::string& register_no, const InboundMessage* media_msg = nullptr);
void bukti_bayar_prompt(Turn& t);
void bukti_bayar_on_message(Turn& t, const InboundMessage& msg);
void bukti_bayar_on_fines(Turn& t, const FinesFound& in);
void bukti_bayar_on_media(Turn& t, const MediaStored& in);
void bukti_bayar_on_created(Turn& t, const PaymentCreated& in);
void bukti_bayar_on_decided(Turn& t, const PaymentDecided& in);
// pengambilan.cpp
void pengambilan_start(Turn& t, const std::string& register_no);
void pengambilan_prompt(Turn& t);
void pengambilan_on_message(Turn& t, const InboundMessage& msg);
void pengambilan_on_fines(Turn& t, const FinesFound& in);
void pengambilan_on_slots(Turn& t, const SlotsAvailable& in);
void pengambilan_on_booked(Turn& t, const SlotBooked& in);
void pengambilan_on_full(Turn& t, const SlotFull& in);
void pengambilan_on_dispatched(Turn& t, const ShipmentDispatched& in);
void pengambilan_offer_methods(Turn& t, const std::string& register_no, const std::string& body_key);
bool pengambilan_free_text(const Conversation& s);
// lapor.cpp
void lapor_start(Turn& t);
void lapor_prompt(Turn& t);
void lapor_on_message(Turn& t, const InboundMessage& msg);
void lapor_on_media(Turn& t, const MediaStored& in);
void lapor_on_created(Turn& t, const ReportCreated& in);
bool lapor_free_text(const Conversation& s);
// info.cpp
void info_start(Turn& t);
void info_prompt(Turn& t);
void info_on_message(Turn& t, const InboundMessage& msg);
// etle_confirmation.cpp
void etle_start(Turn& t);
void etle_prompt(Turn& t);
void etle_on_message(Turn& t, const InboundMessage& msg);
void etle_on_payload(Turn& t, const std::string& payload, const std::string& context_id);
void etle_on_notice(Turn& t, const NoticeFound& in);
bool etle_free_text(const Conversation& s);
bool is_etle_payload(const std::string& id);
// handoff.cpp
void handoff_start(Turn& t, const std::string& topic);
void handoff_prompt(Turn& t);
void handoff_on_message(Turn& t, const InboundMessage& msg);
void handoff_cancel(Turn& t);
void handoff_on_queued(Turn& t, const HandoffQueued& in);
void handoff_on_released(Turn& t);
// status_lookup.cpp
void status_start(Turn& t);
void status_prompt(Turn& t);
void status_on_message(Turn& t, const InboundMessage& msg);
bool status_lookup(Turn& t, const std::string& text);  // false when `text` is no KDN-/BYR- number
void status_on_report(Turn& t, const ReportStatusFound& in);
void status_on_payment(Turn& t, const PaymentStatusFound& in);

}  // namespace tilang::flows

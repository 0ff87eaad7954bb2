// Test helpers: message builders, a Transition summariser, and a fake engine that answers data
// requests the way the real engine would, so whole journeys can run without a server.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "flows/step.hpp"

namespace flows_test {

using namespace tilang::flows;
using clock_type = std::chrono::system_clock;

inline const clock_type::time_point t0 = clock_type::time_point(std::chrono::seconds(1'750'000'000));

inline InboundMessage text(const std::string& body, const std::string& wamid = "wamid.T") {
  InboundMessage m;
  m.wamid = wamid;
  m.user = "6281200000001";
  m.kind = MessageKind::text;
  m.type_name = "text";
  m.text = body;
  return m;
}

inline InboundMessage reply(const std::string& id, MessageKind kind = MessageKind::button_reply) {
  InboundMessage m = text(id);
  m.kind = kind;
  m.reply_id = id;
  m.text = "(title)";
  m.context_id = "wamid.OUT";
  return m;
}

inline InboundMessage media(MessageKind kind, const std::string& id, const std::string& mime) {
  InboundMessage m = text("");
  m.kind = kind;
  m.media = Media{id, mime, "sha", kind == MessageKind::document ? "bukti.pdf" : "", "", false};
  return m;
}

inline InboundMessage voice() {
  InboundMessage m = media(MessageKind::audio, "VOICE1", "audio/ogg; codecs=opus");
  m.media->voice = true;
  return m;
}

inline InboundMessage location(double lat, double lon, const std::string& name) {
  InboundMessage m = text("");
  m.kind = MessageKind::location;
  m.location = Location{lat, lon, name, ""};
  return m;
}

inline InboundMessage of_kind(MessageKind kind) {
  InboundMessage m = text("");
  m.kind = kind;
  return m;
}

inline Conversation at(const std::string& flow, const std::string& step,
                       std::map<std::string, std::string> slots = {}, std::string lang = "id") {
  Conversation c;
  c.language = std::move(lang);
  c.flow = flow;
  c.step = step;
  c.slots = std::move(slots);
  c.last_activity = t0 - std::chrono::minutes(1);
  c.welcomed = true;
  return c;
}

inline Input in(InputEvent e, Context ctx = {}) { return Input{std::move(e), std::move(ctx)}; }

inline Transition run(const Conversation& s, InputEvent e, Context ctx = {}, clock_type::time_point now = t0) {
  return step(s, in(std::move(e), std::move(ctx)), now);
}

inline std::vector<std::string> kinds(const Transition& t) {
  std::vector<std::string> out;
  for (const auto& a : t.actions) out.emplace_back(action_name(a));
  return out;
}

// Catalog keys of the message actions, in order (text key, buttons/list body key).
inline std::vector<std::string> keys(const Transition& t) {
  std::vector<std::string> out;
  for (const auto& a : t.actions) {
    if (auto* x = std::get_if<SendText>(&a)) out.push_back(x->key);
    if (auto* x = std::get_if<SendButtons>(&a)) out.push_back(x->body_key);
    if (auto* x = std::get_if<SendList>(&a)) out.push_back(x->body_key);
  }
  return out;
}

template <class T>
const T* first(const Transition& t) {
  for (const auto& a : t.actions) {
    if (auto* x = std::get_if<T>(&a)) return x;
  }
  return nullptr;
}

inline Fine fine(const std::string& reg, const std::string& plate, const std::string& status,
                 std::int64_t amount = 500000) {
  return Fine{reg, plate, "Budi Santoso", "2025-05-01", "287 ayat (1)", amount, 5000, "SIM",
              "2025-05-20", "Kejari Jakarta Selatan", status};
}

// A fake engine: keeps the state, answers data actions from a tiny in-memory world, records
// every message action sent.
struct FakeEngine {
  Conversation state;
  Context ctx;
  clock_type::time_point now = t0;
  std::map<std::string, std::vector<Fine>> fines_by_query;
  std::vector<Slot> slots{{"S1", "2025-06-02", "09:00", "10:00", 5}, {"S2", "2025-06-02", "10:00", "11:00", 1}};
  EtleNotice notice{"N1", "B1234XYZ", "Budi Santoso", "2025-05-12 08:31 WIB", "Jl. Sudirman", "287 ayat (1)",
                    500000, "2025-05-20", "https://etle.polri.go.id/p/N1", "8888812345678901", "2025-05-27"};
  bool notice_exists = true;
  std::vector<Action> sent;       // every action produced, in order
  std::vector<Action> data_log;   // data actions only
  int seq = 0;

  void deliver(InputEvent e) {
    std::deque<InputEvent> queue{std::move(e)};
    while (!queue.empty()) {
      Transition t = step(state, in(queue.front(), ctx), now);
      queue.pop_front();
      state = t.next;
      for (auto& a : t.actions) {
        sent.push_back(a);
        if (!is_outbound_message(a)) data_log.push_back(a);
        answer(a, queue);
      }
    }
  }

  void user(InboundMessage m) {
    m.wamid = "wamid.U" + std::to_string(++seq);
    deliver(std::move(m));
    now += std::chrono::seconds(20);
  }

  void answer(const Action& a, std::deque<InputEvent>& queue) {
    if (auto* x = std::get_if<LookupFines>(&a)) {
      auto it = fines_by_query.find(x->query);
      queue.push_back(FinesFound{x->query, it == fines_by_query.end() ? std::vector<Fine>{} : it->second});
    } else if (auto* x = std::get_if<StoreMedia>(&a)) {
      queue.push_back(MediaStored{x->media_id, x->purpose, true, "", "media/" + x->media_id, "ab12", ""});
    } else if (auto* x = std::get_if<CreatePayment>(&a)) {
      queue.push_back(PaymentCreated{"BYR-20250601-0001", x->register_no});
    } else if (std::get_if<ListSlots>(&a)) {
      queue.push_back(SlotsAvailable{"", slots});
    } else if (auto* x = std::get_if<BookSlot>(&a)) {
      for (const auto& s : slots) {
        if (s.id == x->slot_id) queue.push_back(SlotBooked{s, "DT-007"});
      }
    } else if (std::get_if<CreateReport>(&a)) {
      queue.push_back(ReportCreated{"KDN-20250601-0001"});
    } else if (auto* x = std::get_if<LookupReport>(&a)) {
      queue.push_back(ReportStatusFound{x->report_no, true, "in_progress", "Tim 3 menuju lokasi", "2025-06-01 10:00"});
    } else if (auto* x = std::get_if<LookupPayment>(&a)) {
      queue.push_back(PaymentStatusFound{x->reference, true, "rejected", "Nominal kurang", "E1234567"});
    } else if (std::get_if<LookupNotice>(&a)) {
      queue.push_back(NoticeFound{notice_exists, notice});
    } else if (std::get_if<HandToAgent>(&a)) {
      queue.push_back(HandoffQueued{2, 10, true, ""});
    }
  }

  std::vector<std::string> sent_keys() const {
    Transition t{state, sent};
    return keys(t);
  }
  void clear() {
    sent.clear();
    data_log.clear();
  }
};

}  // namespace flows_test

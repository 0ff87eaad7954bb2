// Petugas: hand the conversation to the officers' queue. While an officer owns it the engine does
// not call step; while still waiting, the flow answers once and otherwise stays quiet.
#include "flows/turn.hpp"

namespace tilang::flows {

void handoff_start(Turn& t, const std::string& topic) {
  const std::string routed = topic.empty() || topic == "handoff" ? "umum" : topic;
  t.go("handoff", "waiting");
  t.set_slot("topic", routed);
  t.emit(HandToAgent{routed});
}

void handoff_prompt(Turn& t) { t.text("handoff.still_waiting"); }

void handoff_on_message(Turn& t, const InboundMessage& msg) {
  (void)msg;
  // One reminder is helpful; repeating it on every message is noise.
  if (t.slot("reminded") == "1") return;
  t.set_slot("reminded", "1");
  t.text("handoff.still_waiting");
}

void handoff_cancel(Turn& t) { t.emit(CancelHandoff{}); }

void handoff_on_queued(Turn& t, const HandoffQueued& in) {
  Params p{{"position", std::to_string(in.position)}};
  if (!in.agents_available) {
    p["opens_at"] = in.opens_at.empty() ? "-" : in.opens_at;
    t.text("handoff.closed", p);
    return;
  }
  if (in.eta_minutes > 0) {
    p["eta"] = std::to_string(in.eta_minutes);
    t.text("handoff.queued", p);
  } else {
    t.text("handoff.queued_noeta", p);
  }
}

void handoff_on_released(Turn& t) {
  t.end_flow();
  show_main_menu(t, "handoff.released");
}

}  // namespace tilang::flows

// Petugas: hand the conversation to the officers' queue. While an officer owns it the engine does
// not call step; while still waiting, the flow answers once and otherwise stays quiet.
#include "flows/turn.hpp"

namespace tilang::flows {

const std::vector<std::string>& handoff_topics() {
  static const std::vector<std::string> topics{"denda", "bayar", "ambil", "etle", "lapor", "info", "umum"};
  return topics;
}

namespace {

// "petugas" typed inside a flow names the flow; the console's queue speaks in topics.
std::string topic_of(const std::string& flow_or_topic) {
  if (flow_or_topic == "cek_denda") return "denda";
  if (flow_or_topic == "bukti_bayar") return "bayar";
  if (flow_or_topic == "pengambilan") return "ambil";
  for (const auto& topic : handoff_topics()) {
    if (flow_or_topic == topic) return topic;
  }
  return "umum";
}

}  // namespace

void handoff_start(Turn& t, const std::string& topic) {
  const std::string routed = topic_of(topic);
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

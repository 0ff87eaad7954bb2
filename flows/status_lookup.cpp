// Status: a user quotes a KDN- (report) or BYR- (payment) number and hears where it stands.
#include "flows/text_match.hpp"
#include "flows/turn.hpp"

namespace tilang::flows {

void status_start(Turn& t) {
  t.go("status", "ask_ref");
  status_prompt(t);
}

void status_prompt(Turn& t) {
  if (t.next.step == "wait") t.text("common.please_wait");
  else t.text("status.ask_ref");
}

bool status_lookup(Turn& t, const std::string& text) {
  if (auto kdn = normalise_reference(text, "KDN")) {
    t.emit(LookupReport{*kdn});
  } else if (auto byr = normalise_reference(text, "BYR")) {
    t.emit(LookupPayment{*byr});
  } else {
    return false;
  }
  if (t.next.flow == "status") t.set_step("wait");
  return true;
}

void status_on_message(Turn& t, const InboundMessage& msg) {
  if (is_text_like(msg) && status_lookup(t, msg.text)) return;
  t.text("status.invalid");
}

void status_on_report(Turn& t, const ReportStatusFound& in) {
  if (t.prev.flow == "status") t.end_flow();
  if (!in.found) {
    t.text("status.report_not_found", {{"report_no", in.report_no}});
    return;
  }
  Params p{{"report_no", in.report_no}, {"updated_at", in.updated_at.empty() ? "-" : in.updated_at},
           {"note", in.note.empty() ? "-" : in.note}};
  key_or_literal(p, "status", "status.report.", in.status, {"received", "in_progress", "done", "rejected"});
  t.text("status.report", p);
}

void status_on_payment(Turn& t, const PaymentStatusFound& in) {
  if (t.prev.flow == "status") t.end_flow();
  if (!in.found) {
    t.text("status.payment_not_found", {{"reference", in.reference}});
    return;
  }
  Params p{{"reference", in.reference}, {"register_no", in.register_no.empty() ? "-" : in.register_no},
           {"reason", in.reason.empty() ? "-" : in.reason}};
  key_or_literal(p, "state", "status.payment.", in.state, {"pending", "verified", "rejected"});
  t.text(in.state == "rejected" ? "status.payment_rejected" : "status.payment", p);
}

}  // namespace tilang::flows

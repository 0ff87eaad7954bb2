// Kirim bukti bayar: which fine, then the transfer receipt (photo or PDF); the engine downloads it
// at once, the flow turns it into a BYR- reference in the officers' verification queue.
#include "flows/money.hpp"
#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

bool accepted_mime(const std::string& mime) {
  const std::string m = to_lower_ascii(mime);
  return m.starts_with("image/jpeg") || m.starts_with("image/png") || m.starts_with("image/webp") ||
         m.starts_with("application/pdf");
}

bool is_media(const InboundMessage& msg) {
  return (msg.kind == MessageKind::image || msg.kind == MessageKind::document) && msg.media.has_value();
}

void store(Turn& t, const std::string& media_id, const std::string& mime) {
  t.set_step("storing");
  t.emit(StoreMedia{media_id, mime, "payment_proof"});
}

void check_register(Turn& t, const std::string& reg) {
  t.set_slot("register_no", reg);
  t.set_step("check");
  t.emit(LookupFines{reg, true});
}

const std::vector<Option>& paid_options() {
  static const std::vector<Option> options{
      {"ambil", "cek_denda.btn_pickup", {"ambil", "pickup"}},
      {"menu", "common.btn_menu", {}},
  };
  return options;
}

}  // namespace

void bukti_bayar_start(Turn& t, const std::string& register_no, const InboundMessage* media_msg) {
  t.go("bukti_bayar", "ask_register");
  if (media_msg != nullptr && is_media(*media_msg)) {
    if (!accepted_mime(media_msg->media->mime_type)) {
      t.text("bukti_bayar.bad_type");
      bukti_bayar_prompt(t);
      return;
    }
    // Keep the receipt until we know which fine it pays.
    t.set_slot("pending_media_id", media_msg->media->id);
    t.set_slot("pending_mime", media_msg->media->mime_type);
    if (register_no.empty()) {
      t.text("bukti_bayar.got_media_need_register");
    } else {
      // The register number from earlier in the chat is the natural guess, but confirm it.
      t.set_slot("suggested", register_no);
      bukti_bayar_prompt(t);
    }
    return;
  }
  if (!register_no.empty()) {
    check_register(t, register_no);
    return;
  }
  bukti_bayar_prompt(t);
}

void bukti_bayar_prompt(Turn& t) {
  const std::string& s = t.next.step;
  if (s == "ask_proof") {
    if (t.slot("total").empty()) {
      t.text("bukti_bayar.ask_proof_again", {{"register_no", t.slot("register_no")}});
    } else {
      t.text("bukti_bayar.ask_proof", {{"register_no", t.slot("register_no")}, {"total", t.slot("total")}});
    }
  } else if (s == "check" || s == "storing" || s == "creating") {
    t.text("common.please_wait");
  } else if (!t.slot("suggested").empty()) {
    t.buttons("bukti_bayar.confirm_register", {{"register_no", t.slot("suggested")}},
              {{"use_suggested", "common.btn_yes", {"ya", "yes", "iya", "benar"}}});
  } else {
    t.text("bukti_bayar.ask_register");
  }
}

void bukti_bayar_on_message(Turn& t, const InboundMessage& msg) {
  const std::string& s = t.prev.step;
  if (s == "ask_register" || s == "check") {
    if (!t.slot("suggested").empty() &&
        pick(msg, {{"use_suggested", "common.btn_yes", {"ya", "yes", "iya", "benar"}}})) {
      check_register(t, t.slot("suggested"));
      return;
    }
    if (is_text_like(msg)) {
      if (auto reg = normalise_register_no(msg.text)) {
        check_register(t, *reg);
        return;
      }
      t.text(normalise_plate(msg.text) ? "bukti_bayar.need_register_not_plate" : "bukti_bayar.invalid_register");
      return;
    }
    if (is_media(msg)) {
      if (!accepted_mime(msg.media->mime_type)) {
        t.text("bukti_bayar.bad_type");
        return;
      }
      t.set_slot("pending_media_id", msg.media->id);
      t.set_slot("pending_mime", msg.media->mime_type);
      t.text("bukti_bayar.got_media_need_register");
      return;
    }
  } else if (s == "ask_proof" || s == "storing" || s == "creating") {
    if (is_media(msg)) {
      if (!accepted_mime(msg.media->mime_type)) {
        t.text("bukti_bayar.bad_type");
        return;
      }
      store(t, msg.media->id, msg.media->mime_type);
      return;
    }
    if (is_text_like(msg)) {
      if (auto reg = normalise_register_no(msg.text); reg && *reg != t.slot("register_no")) {
        check_register(t, *reg);
        return;
      }
      t.text("bukti_bayar.need_media");
      return;
    }
  }
  t.text("common.unsupported");
  bukti_bayar_prompt(t);
}

void bukti_bayar_on_fines(Turn& t, const FinesFound& in) {
  if (t.prev.step != "check" || in.query != t.slot("register_no")) return;
  if (in.fines.empty()) {
    t.set_step("ask_register");
    t.next.slots.erase("suggested");
    t.text("bukti_bayar.not_found", {{"register_no", in.query}});
    return;
  }
  const Fine& f = in.fines.front();
  t.set_slot("_register_no", f.register_no);
  const std::string status = to_lower_ascii(f.status);
  if (status == "paid") {
    t.end_flow();
    t.buttons("bukti_bayar.already_paid", {{"register_no", f.register_no}}, paid_options());
    return;
  }
  if (status == "picked_up") {
    t.end_flow();
    t.text("bukti_bayar.already_picked_up", {{"register_no", f.register_no}});
    return;
  }
  t.set_slot("total", format_rupiah(f.fine_amount + f.court_fee));
  if (!t.slot("pending_media_id").empty()) {
    store(t, t.slot("pending_media_id"), t.slot("pending_mime"));
    return;
  }
  t.set_step("ask_proof");
  bukti_bayar_prompt(t);
}

void bukti_bayar_on_media(Turn& t, const MediaStored& in) {
  if (t.prev.step != "storing" || in.purpose != "payment_proof") return;
  t.next.slots.erase("pending_media_id");
  t.next.slots.erase("pending_mime");
  if (!in.ok) {
    t.set_step("ask_proof");
    const std::string reason = in.error == "too_large" || in.error == "unsupported_type" ? in.error : "download_failed";
    t.text("bukti_bayar.media_" + reason);
    return;
  }
  t.set_slot("duplicate_of", in.sha256_dup_of);
  t.set_step("creating");
  t.emit(CreatePayment{t.slot("register_no"), in.media_ref, in.sha256_dup_of});
}

void bukti_bayar_on_created(Turn& t, const PaymentCreated& in) {
  if (t.prev.step != "creating") return;
  const bool duplicate = !t.slot("duplicate_of").empty();
  t.end_flow();
  t.set_slot("_register_no", in.register_no);
  t.text("bukti_bayar.received", {{"reference", in.reference}, {"register_no", in.register_no}});
  if (duplicate) t.text("bukti_bayar.duplicate_note");
}

void bukti_bayar_on_decided(Turn& t, const PaymentDecided& in) {
  // Told at any time; the conversation is only redirected when the user is not in the middle of something.
  const bool idle = t.prev.flow.empty() || t.prev.flow == "bukti_bayar";
  if (in.verified) {
    if (idle) {
      pengambilan_offer_methods(t, in.register_no, "bukti_bayar.verified");
    } else {
      t.text("bukti_bayar.verified_later", {{"reference", in.reference}, {"register_no", in.register_no}});
    }
    return;
  }
  const std::string reason = in.reason.empty() ? "-" : in.reason;
  t.text("bukti_bayar.rejected", {{"reference", in.reference}, {"register_no", in.register_no}, {"reason", reason}});
  if (idle) {
    t.go("bukti_bayar", "ask_proof");
    t.set_slot("register_no", in.register_no);
    t.set_slot("_register_no", in.register_no);
  }
}

}  // namespace tilang::flows

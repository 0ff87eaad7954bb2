// Everything the engine can feed to flows::step: a user message or the answer to a data request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "flows/domain.hpp"
#include "flows/event.hpp"

namespace tilang::flows {

// Answer to LookupFines. `query` echoes the request so a stale answer can be recognised.
struct FinesFound {
  std::string query;
  std::vector<Fine> fines;
};

// Answer to StoreMedia after the engine downloaded and checked the media.
struct MediaStored {
  std::string media_id;
  std::string purpose;        // echoes StoreMedia::purpose
  bool ok = false;
  std::string error;          // when !ok: "too_large" | "unsupported_type" | "download_failed"
  std::string media_ref;      // storage reference of the stored file
  std::string sha256;         // hex of the stored bytes
  std::string sha256_dup_of;  // payment reference already using the same bytes, or empty
};

// Answer to CreatePayment: the reference the user can quote back.
struct PaymentCreated {
  std::string reference;  // BYR-YYYYMMDD-NNNN
  std::string register_no;
};

// An officer verified or rejected a payment proof (pushed by the engine at any time).
struct PaymentDecided {
  std::string reference;
  std::string register_no;
  bool verified = false;
  std::string reason;  // rejection reason typed by the officer
};

// Answer to LookupPayment.
struct PaymentStatusFound {
  std::string reference;
  bool found = false;
  std::string state;  // "pending" | "verified" | "rejected"
  std::string reason;
  std::string register_no;
};

// Answer to ListSlots.
struct SlotsAvailable {
  std::string register_no;
  std::vector<Slot> slots;  // open slots, soonest first
};

// Answers to BookSlot.
struct SlotBooked {
  Slot slot;
  std::string queue_no;
};
struct SlotFull {
  std::string slot_id;
};

// Back office handed the COD parcel to PT Pos (pushed by the engine).
struct ShipmentDispatched {
  std::string register_no;
  std::string tracking_no;
};

// Answer to CreateReport.
struct ReportCreated {
  std::string report_no;  // KDN-YYYYMMDD-NNNN
};

// Answer to LookupReport.
struct ReportStatusFound {
  std::string report_no;
  bool found = false;
  std::string status;      // "received" | "in_progress" | "done" | "rejected" (others shown as-is)
  std::string note;        // officer's note, may be empty
  std::string updated_at;  // as shown to the user
};

// Answer to LookupNotice.
struct NoticeFound {
  bool found = false;
  EtleNotice notice;
};

// Answer to HandToAgent: where the user stands in the officers' queue.
struct HandoffQueued {
  int position = 0;         // 1 = next
  int eta_minutes = 0;      // 0 = unknown
  bool agents_available = true;  // false outside working hours
  std::string opens_at;     // when officers are back, e.g. "Senin 08.00 WIB"
};

// An officer handed the conversation back to the bot.
struct AgentReleased {};

using InputEvent = std::variant<InboundMessage, FinesFound, MediaStored, PaymentCreated, PaymentDecided,
                                PaymentStatusFound, SlotsAvailable, SlotBooked, SlotFull, ShipmentDispatched,
                                ReportCreated, ReportStatusFound, NoticeFound, HandoffQueued, AgentReleased>;

// Configuration the flows need, passed in by the engine (flows read no config or clock themselves).
struct Context {
  std::int64_t cod_fee_default = 0;                      // rupiah; 0 = "told by the courier"
  std::map<std::string, std::int64_t> cod_fee_by_city;   // normalised (lower-case) city -> fee
  std::chrono::minutes idle_after{30};                   // offer resume/restart after this
  std::string drive_thru_address;                        // where the counter is; may be empty
};

struct Input {
  InputEvent event;
  Context context;
};

}  // namespace tilang::flows

// What a flow asks the engine to do. Messages name catalog keys and parameters, not finished
// texts (templates/renderer turns them into Graph API bodies); data actions ask for a lookup or a
// write whose answer (if any) comes back as an Input (see input.hpp and docs/flows.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "flows/domain.hpp"

namespace tilang::flows {

// Placeholder values for a catalog text. A name starting with '@' (e.g. "@status") holds a catalog
// KEY whose text fills the placeholder without the '@' ({status}); other values are literal.
using Params = std::map<std::string, std::string>;

struct Button {
  std::string id;         // what comes back as reply_id
  std::string title_key;  // catalog key of the title, or empty and use `title`
  std::string title;      // literal title
};

struct ListRow {
  std::string id;
  std::string title_key;
  std::string title;            // literal when title_key is empty
  std::string description_key;  // optional
  std::string description;      // literal when description_key is empty; optional
  Params params;                // placeholders for title_key / description_key
};

struct ListSection {
  std::string title_key;  // optional
  std::string title;
  std::vector<ListRow> rows;
};

// --- messages to the user ---------------------------------------------------------------------
struct SendText {
  std::string key;
  Params params;
};
struct SendButtons {
  std::string body_key;
  Params params;
  std::vector<Button> buttons;
};
struct SendList {
  std::string body_key;
  Params params;
  std::string button_key;  // label of the button that opens the list
  std::vector<ListSection> sections;
};
// The approved e-TLE utility template (sent by the notice pusher, rendered by templates/).
struct SendEtleTemplate {
  EtleNotice notice;
};
struct MarkRead {
  std::string wamid;
};

// --- data requests and writes -------------------------------------------------------------------
struct LookupFines {        // -> FinesFound{query}
  std::string query;        // canonical register no. or plate
  bool by_register = false; // false: by plate
};
struct StoreMedia {         // -> MediaStored
  std::string media_id;
  std::string mime_type;
  std::string purpose;      // "payment_proof" | "report_photo"
};
struct CreatePayment {      // -> PaymentCreated (payment enters the officers' verification queue)
  std::string register_no;
  std::string media_ref;
  std::string duplicate_of; // from MediaStored::sha256_dup_of: flag for the officer
};
struct LookupPayment {      // -> PaymentStatusFound
  std::string reference;
};
struct ListSlots {          // -> SlotsAvailable
  std::string register_no;
};
struct BookSlot {           // -> SlotBooked | SlotFull
  std::string slot_id;
  std::string register_no;
};
struct CreateShipment {     // no answer; dispatch comes later as ShipmentDispatched
  std::string register_no;
  std::string recipient_name;
  std::string address;
  std::string kelurahan;
  std::string kecamatan;
  std::string city;
  std::string phone;        // normalised 628...
  std::int64_t fee = 0;     // COD fee quoted to the user
};
struct CreateReport {       // -> ReportCreated
  std::string category;     // "kecelakaan" | "kriminalitas" | "kekerasan" | "kamtibmas" | "lainnya"
  std::string what, how, when, where, who;
  bool has_location = false;
  double latitude = 0;
  double longitude = 0;
  std::string photo_ref;    // MediaStored::media_ref or empty
};
struct LookupReport {       // -> ReportStatusFound
  std::string report_no;
};
struct LookupNotice {       // -> NoticeFound
  std::string context_id;   // wamid of the template the user answered, may be empty
  std::string notice_id;    // if known, else the engine picks the user's latest open notice
};
struct RecordEtleResponse { // no answer
  std::string notice_id;
  std::string response;     // "driver_self" | "driver_other" | "not_mine"
  std::string other_name;
  std::string other_phone;  // normalised 628...
};
struct HandToAgent {        // -> HandoffQueued; the engine puts the conversation in the waiting queue
  std::string topic;        // routing topic: one of handoff_topics()
};
struct CancelHandoff {};    // the user left the waiting queue

using Action = std::variant<SendText, SendButtons, SendList, SendEtleTemplate, MarkRead, LookupFines, StoreMedia,
                            CreatePayment, LookupPayment, ListSlots, BookSlot, CreateShipment, CreateReport,
                            LookupReport, LookupNotice, RecordEtleResponse, HandToAgent, CancelHandoff>;

// Type name of an action ("SendText", "LookupFines", ...), for logs and tests.
const char* action_name(const Action& action);

// The topics a handoff is queued under (the console filters its queue by them), "umum" last.
const std::vector<std::string>& handoff_topics();

// True for actions that become a Graph API request (messages, templates, read receipts).
bool is_outbound_message(const Action& action);

}  // namespace tilang::flows

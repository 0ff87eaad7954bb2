// Typed inbound events: what the webhook parser produces and what the flows consume.
// std only: no JSON, no sockets, no SQLite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tilang::flows {

// Every message type of Meta's reference, plus `unknown` for anything newer.
enum class MessageKind {
  text,
  image,
  document,
  audio,
  video,
  sticker,
  location,
  contacts,
  button_reply,  // interactive.button_reply (tap on an interactive reply button)
  list_reply,    // interactive.list_reply
  nfm_reply,     // interactive.nfm_reply (WhatsApp Flows completion)
  button,        // tap on a template quick-reply button
  reaction,
  order,
  system,
  unsupported,
  request_welcome,
  edit,
  revoke,
  unknown,
};

const char* to_string(MessageKind kind);
MessageKind message_kind_from_string(const std::string& name);

struct Location {
  double latitude = 0;
  double longitude = 0;
  std::string name;
  std::string address;
};

struct Media {
  std::string id;
  std::string mime_type;
  std::string sha256;  // as Meta sends it (base64 in examples); opaque
  std::string filename;
  std::string caption;
  bool voice = false;  // audio recorded as a voice note
};

// One vCard of a `contacts` message (e.g. the other driver's name and phone in the e-TLE flow).
struct SharedContact {
  std::string name;   // name.formatted_name, else first + last name
  std::string phone;  // phones[0].phone as the user's phone shows it
  std::string wa_id;  // phones[0].wa_id when the number is on WhatsApp, may be empty
};

// One message a user sent to the business.
struct InboundMessage {
  std::string business_number;  // metadata.phone_number_id that received it
  std::string wamid;            // message id, the dedup key
  std::string user;             // who to answer: `from` (wa_id) or else the business-scoped user id
  std::string user_id;          // BSUID when present (2026+), may be empty
  std::string profile_name;     // contacts[].profile.name, may be empty
  std::int64_t timestamp = 0;   // unix seconds
  MessageKind kind = MessageKind::unknown;
  std::string type_name;        // the raw `type` string, kept for unknown kinds
  std::string text;             // text body, caption, button/list title, reaction emoji, system body
  std::string reply_id;         // interactive reply id, template button payload, reacted-to wamid
  std::optional<Media> media;
  std::optional<Location> location;
  std::string context_id;       // wamid this message replies to, if any
  int error_code = 0;           // errors[0].code for unsupported / failed media, else 0
  std::vector<SharedContact> contacts;  // kind == contacts: the shared vCards
};

enum class DeliveryStatus { sent, delivered, read, played, failed, unknown };

const char* to_string(DeliveryStatus status);
DeliveryStatus delivery_status_from_string(const std::string& name);

// A status notification for a message the business sent.
struct StatusUpdate {
  std::string business_number;
  std::string wamid;
  DeliveryStatus status = DeliveryStatus::unknown;
  std::string status_name;  // raw string, kept for unknown values
  std::int64_t timestamp = 0;
  std::string recipient;    // recipient_id or recipient_user_id
  std::string biz_opaque_callback_data;
  int error_code = 0;
  std::string error_title;
  std::string error_details;
};

// value.errors[]: a problem not tied to a message (e.g. 130429 for the number).
struct NotificationError {
  std::string business_number;
  int code = 0;
  std::string title;
  std::string details;
};

}  // namespace tilang::flows

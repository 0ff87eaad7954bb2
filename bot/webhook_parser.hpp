// Turns the body of a WhatsApp Cloud API notification (POST /webhook) into typed events.
// Runs off the request path, on bodies already stored in the inbox: it must cope with anything.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flows/event.hpp"
#include "storage/store.hpp"

namespace tilang::bot {

struct ParsedNotification {
  bool ok = true;     // false: not JSON, or not an object with object == "whatsapp_business_account"
  std::string error;  // one line when !ok
  std::vector<flows::InboundMessage> messages;
  std::vector<flows::StatusUpdate> statuses;
  std::vector<flows::NotificationError> errors;
  int unknown_items = 0;  // changes whose field != "messages", and items that could not be mapped
};

// Every entry x change x messages/statuses/errors, in document order. Never throws.
//
// Field mapping beyond the obvious (InboundMessage):
//   button_reply / list_reply: reply_id = reply id, text = title
//   nfm_reply:                 text = response_json (the Flow's JSON string), reply_id = name
//   button (template quick reply): reply_id = payload, text = button text
//   reaction:   text = emoji ("" = reaction removed), reply_id = reacted-to wamid
//   order:      text = order.text, reply_id = catalog_id
//   system:     text = body, reply_id = the new identity (system.wa_id / new_wa_id / user_id)
//   unsupported: error_code = errors[0].code, text = unsupported.type when Meta names it
//   edit / revoke: reply_id = original message id; edit: text = the new text body when present
//   contacts:   contacts = the vCards, text = the first contact's name
//   media:      media filled, text = caption
//   any other type: kind unknown, type_name = the raw type
// A message without `from` is keyed by `from_user_id` (business-scoped user id). A message or
// status without an id or user, or with a field of the wrong JSON type, is skipped and counted
// in unknown_items.
ParsedNotification parse_notification(std::string_view body);

// The rows storage writes for one inbox row (implemented in bot/event_codec.cpp, where the
// message payload encoding lives). MessageRow.type is flows::to_string(kind); StatusRow.status is
// the status string (known values normalised, unknown strings kept as Meta sent them).
storage::ParsedInbox to_parsed_inbox(std::int64_t inbox_id, const ParsedNotification& parsed);

}  // namespace tilang::bot

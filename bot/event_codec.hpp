// The stored form of typed events: an InboundMessage as JSON text (MessageRow::payload_json),
// and a parsed notification as the rows storage writes in one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bot/webhook_parser.hpp"
#include "flows/event.hpp"

namespace tilang::bot {

// to_parsed_inbox (declared in webhook_parser.hpp) is implemented with these.

// A JSON object with every field of the message (`kind` as flows::to_string, `v` = 1).
std::string encode_message(const flows::InboundMessage& message);

// The inverse of encode_message; nullopt when the text is not such an object.
// Missing fields read as their defaults, so older payloads stay readable.
std::optional<flows::InboundMessage> decode_message(std::string_view json);

}  // namespace tilang::bot

// libFuzzer target: any bytes through the webhook parser and the stored-event codec must neither
// crash nor lose a message on the round trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bot/event_codec.hpp"
#include "bot/webhook_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = tilang::bot::parse_notification(body);
  auto record = tilang::bot::to_parsed_inbox(1, parsed);
  for (const auto& message : parsed.messages) {
    auto decoded = tilang::bot::decode_message(tilang::bot::encode_message(message));
    if (!decoded || decoded->wamid != message.wamid || decoded->user != message.user) std::abort();
  }
  if (record.messages.size() != parsed.messages.size()) std::abort();
  return 0;
}

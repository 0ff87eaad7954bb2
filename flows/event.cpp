#include "flows/event.hpp"

#include <array>
#include <utility>

namespace tilang::flows {

namespace {

// One table per enum so to_string and from_string can never disagree.
constexpr std::array<std::pair<MessageKind, const char*>, 20> kind_names{{
    {MessageKind::text, "text"},
    {MessageKind::image, "image"},
    {MessageKind::document, "document"},
    {MessageKind::audio, "audio"},
    {MessageKind::video, "video"},
    {MessageKind::sticker, "sticker"},
    {MessageKind::location, "location"},
    {MessageKind::contacts, "contacts"},
    {MessageKind::button_reply, "button_reply"},
    {MessageKind::list_reply, "list_reply"},
    {MessageKind::nfm_reply, "nfm_reply"},
    {MessageKind::button, "button"},
    {MessageKind::reaction, "reaction"},
    {MessageKind::order, "order"},
    {MessageKind::system, "system"},
    {MessageKind::unsupported, "unsupported"},
    {MessageKind::request_welcome, "request_welcome"},
    {MessageKind::edit, "edit"},
    {MessageKind::revoke, "revoke"},
    {MessageKind::unknown, "unknown"},
}};

constexpr std::array<std::pair<DeliveryStatus, const char*>, 6> status_names{{
    {DeliveryStatus::sent, "sent"},
    {DeliveryStatus::delivered, "delivered"},
    {DeliveryStatus::read, "read"},
    {DeliveryStatus::played, "played"},
    {DeliveryStatus::failed, "failed"},
    {DeliveryStatus::unknown, "unknown"},
}};

}  // namespace

const char* to_string(MessageKind kind) {
  for (const auto& [k, name] : kind_names) {
    if (k == kind) return name;
  }
  return "unknown";
}

MessageKind message_kind_from_string(const std::string& name) {
  for (const auto& [k, n] : kind_names) {
    if (name == n) return k;
  }
  return MessageKind::unknown;
}

const char* to_string(DeliveryStatus status) {
  for (const auto& [s, name] : status_names) {
    if (s == status) return name;
  }
  return "unknown";
}

DeliveryStatus delivery_status_from_string(const std::string& name) {
  for (const auto& [s, n] : status_names) {
    if (name == n) return s;
  }
  return DeliveryStatus::unknown;
}

}  // namespace tilang::flows

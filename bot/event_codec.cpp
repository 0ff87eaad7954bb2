#include "bot/event_codec.hpp"

#include <exception>

#include <nlohmann/json.hpp>

namespace tilang::bot {

namespace {

using nlohmann::json;

constexpr int payload_version = 1;

// Reads one field when present; a wrong type throws json::type_error, which decode turns
// into nullopt (a stored payload we cannot read is corrupt, not an expected input).
template <typename T>
void read(const json& obj, const char* key, T& out) {
  const auto it = obj.find(key);
  if (it != obj.end() && !it->is_null()) out = it->get<T>();
}

}  // namespace

std::string encode_message(const flows::InboundMessage& m) {
  json j = {
      {"v", payload_version},
      {"business_number", m.business_number},
      {"wamid", m.wamid},
      {"user", m.user},
      {"user_id", m.user_id},
      {"profile_name", m.profile_name},
      {"timestamp", m.timestamp},
      {"kind", flows::to_string(m.kind)},
      {"type_name", m.type_name},
      {"text", m.text},
      {"reply_id", m.reply_id},
      {"context_id", m.context_id},
      {"error_code", m.error_code},
  };
  if (m.media) {
    j["media"] = {{"id", m.media->id},           {"mime_type", m.media->mime_type},
                  {"sha256", m.media->sha256},   {"filename", m.media->filename},
                  {"caption", m.media->caption}, {"voice", m.media->voice}};
  }
  if (m.location) {
    j["location"] = {{"latitude", m.location->latitude},
                     {"longitude", m.location->longitude},
                     {"name", m.location->name},
                     {"address", m.location->address}};
  }
  if (!m.contacts.empty()) {
    json cards = json::array();
    for (const auto& c : m.contacts) {
      cards.push_back({{"name", c.name}, {"phone", c.phone}, {"wa_id", c.wa_id}});
    }
    j["contacts"] = std::move(cards);
  }
  // Strings came from a validated JSON parse, but flows may build events too: never throw on
  // bad UTF-8, replace it.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<flows::InboundMessage> decode_message(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    flows::InboundMessage m;
    read(j, "business_number", m.business_number);
    read(j, "wamid", m.wamid);
    read(j, "user", m.user);
    read(j, "user_id", m.user_id);
    read(j, "profile_name", m.profile_name);
    read(j, "timestamp", m.timestamp);
    std::string kind = "unknown";
    read(j, "kind", kind);
    m.kind = flows::message_kind_from_string(kind);
    read(j, "type_name", m.type_name);
    read(j, "text", m.text);
    read(j, "reply_id", m.reply_id);
    read(j, "context_id", m.context_id);
    read(j, "error_code", m.error_code);
    if (const auto it = j.find("media"); it != j.end() && !it->is_null()) {
      if (!it->is_object()) return std::nullopt;
      flows::Media media;
      read(*it, "id", media.id);
      read(*it, "mime_type", media.mime_type);
      read(*it, "sha256", media.sha256);
      read(*it, "filename", media.filename);
      read(*it, "caption", media.caption);
      read(*it, "voice", media.voice);
      m.media = std::move(media);
    }
    if (const auto it = j.find("location"); it != j.end() && !it->is_null()) {
      if (!it->is_object()) return std::nullopt;
      flows::Location loc;
      read(*it, "latitude", loc.latitude);
      read(*it, "longitude", loc.longitude);
      read(*it, "name", loc.name);
      read(*it, "address", loc.address);
      m.location = std::move(loc);
    }
    if (const auto it = j.find("contacts"); it != j.end() && !it->is_null()) {
      if (!it->is_array()) return std::nullopt;
      for (const auto& card : *it) {
        if (!card.is_object()) return std::nullopt;
        flows::SharedContact c;
        read(card, "name", c.name);
        read(card, "phone", c.phone);
        read(card, "wa_id", c.wa_id);
        m.contacts.push_back(std::move(c));
      }
    }
    return m;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

storage::ParsedInbox to_parsed_inbox(std::int64_t inbox_id, const ParsedNotification& parsed) {
  storage::ParsedInbox out;
  out.inbox_id = inbox_id;
  out.parse_failed = !parsed.ok;
  out.parse_error = parsed.error;
  out.unknown_items = parsed.unknown_items;
  out.messages.reserve(parsed.messages.size());
  for (const auto& m : parsed.messages) {
    out.messages.push_back(storage::MessageRow{m.wamid, m.business_number, m.user, m.timestamp,
                                               flows::to_string(m.kind), encode_message(m)});
  }
  out.statuses.reserve(parsed.statuses.size());
  for (const auto& s : parsed.statuses) {
    storage::StatusRow row;
    row.wamid = s.wamid;
    row.business_number = s.business_number;
    row.recipient = s.recipient;
    // Unknown statuses are stored as Meta named them (rank 0 in storage), never as "unknown".
    row.status = s.status == flows::DeliveryStatus::unknown ? s.status_name
                                                            : flows::to_string(s.status);
    row.timestamp = s.timestamp;
    row.biz_opaque_callback_data = s.biz_opaque_callback_data;
    row.error_code = s.error_code;
    row.error_title = s.error_title;
    row.error_details = s.error_details;
    out.statuses.push_back(std::move(row));
  }
  out.errors.reserve(parsed.errors.size());
  for (const auto& e : parsed.errors) {
    out.errors.push_back(storage::NotificationErrorRow{e.business_number, e.code, e.title,
                                                       e.details});
  }
  return out;
}

}  // namespace tilang::bot

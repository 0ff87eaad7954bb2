#include "bot/webhook_parser.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace tilang::bot {

namespace {

using nlohmann::json;

// Reads the fields of one item. A field of the wrong JSON type marks the item bad (the caller
// skips and counts it) instead of throwing; a missing or null field reads as empty/zero.
class field_reader {
 public:
  bool bad() const { return bad_; }
  void mark_bad() { bad_ = true; }

  const json* object(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v != nullptr && !v->is_object()) return fail();
    return v;
  }

  const json* array(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v != nullptr && !v->is_array()) return fail();
    return v;
  }

  // Ids are strings in Meta's payloads; integer numbers are accepted and kept exactly as digits.
  std::string string(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v == nullptr) return {};
    if (v->is_string()) return v->get<std::string>();
    if (v->is_number_unsigned()) return std::to_string(v->get<std::uint64_t>());
    if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
    fail();
    return {};
  }

  // Unix seconds: a string of digits in Meta's payloads, a number in some third-party ones.
  std::int64_t unix_time(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v == nullptr) return 0;
    if (v->is_number_unsigned() &&
        v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail();
      return 0;
    }
    if (v->is_number_integer()) return v->get<std::int64_t>();
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      std::int64_t out = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc{} && end == s.data() + s.size()) return out;
    }
    fail();
    return 0;
  }

  int integer(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v == nullptr) return 0;
    std::int64_t out = 0;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(
                                         std::numeric_limits<int>::max())) {
      return failed_zero();
    }
    if (v->is_number_integer()) {
      out = v->get<std::int64_t>();
    } else if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec != std::errc{} || end != s.data() + s.size()) return failed_zero();
    } else {
      return failed_zero();
    }
    if (out < std::numeric_limits<int>::min() || out > std::numeric_limits<int>::max()) {
      return failed_zero();
    }
    return static_cast<int>(out);
  }

  double number(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v == nullptr) return 0;
    if (v->is_number()) return v->get<double>();
    if (v->is_string()) {
      const auto& s = v->get_ref<const std::string&>();
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) return d;
    }
    fail();
    return 0;
  }

  bool boolean(const json& parent, const char* key) {
    const json* v = find(parent, key);
    if (v == nullptr) return false;
    if (v->is_boolean()) return v->get<bool>();
    fail();
    return false;
  }

 private:
  static const json* find(const json& parent, const char* key) {
    if (!parent.is_object()) return nullptr;
    const auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return nullptr;
    return &*it;
  }
  const json* fail() {
    bad_ = true;
    return nullptr;
  }
  int failed_zero() {
    bad_ = true;
    return 0;
  }

  bool bad_ = false;
};

// contacts[] of one change: who sent the messages in it.
struct sender_profile {
  std::string wa_id;
  std::string user_id;
  std::string name;
};

struct first_error {
  int code = 0;
  std::string title;
  std::string details;
};

first_error read_error(field_reader& r, const json& error) {
  first_error out;
  if (!error.is_object()) {
    r.mark_bad();
    return out;
  }
  out.code = r.integer(error, "code");
  out.title = r.string(error, "title");
  if (out.title.empty()) out.title = r.string(error, "message");
  if (const json* data = r.object(error, "error_data")) out.details = r.string(*data, "details");
  return out;
}

// errors[0] of a message or status, if any.
first_error read_first_error(field_reader& r, const json& item) {
  const json* errors = r.array(item, "errors");
  if (errors == nullptr || errors->empty()) return {};
  return read_error(r, errors->front());
}

std::vector<sender_profile> read_contacts(const json& contacts, int& unknown_items) {
  std::vector<sender_profile> out;
  for (const auto& c : contacts) {
    field_reader r;
    sender_profile p;
    p.wa_id = r.string(c, "wa_id");
    p.user_id = r.string(c, "user_id");
    if (const json* profile = r.object(c, "profile")) p.name = r.string(*profile, "name");
    if (r.bad() || !c.is_object()) {
      ++unknown_items;
      continue;
    }
    out.push_back(std::move(p));
  }
  return out;
}

const sender_profile* match_sender(const std::vector<sender_profile>& contacts,
                                   const std::string& from, const std::string& from_user_id) {
  for (const auto& c : contacts) {
    if (!from.empty() && c.wa_id == from) return &c;
    if (!from_user_id.empty() && c.user_id == from_user_id) return &c;
  }
  // One contact that does not contradict the sender is the sender (BSUID-only payloads).
  if (contacts.size() == 1) {
    const auto& c = contacts.front();
    const bool wa_ok = c.wa_id.empty() || from.empty() || c.wa_id == from;
    const bool user_ok = c.user_id.empty() || from_user_id.empty() || c.user_id == from_user_id;
    if (wa_ok && user_ok) return &c;
  }
  return nullptr;
}

void read_media(field_reader& r, const json& body, flows::InboundMessage& msg) {
  flows::Media media;
  media.id = r.string(body, "id");
  media.mime_type = r.string(body, "mime_type");
  media.sha256 = r.string(body, "sha256");
  media.filename = r.string(body, "filename");
  media.caption = r.string(body, "caption");
  media.voice = r.boolean(body, "voice");
  msg.text = media.caption;
  msg.media = std::move(media);
}

void read_interactive(field_reader& r, const json& body, flows::InboundMessage& msg) {
  const std::string sub = r.string(body, "type");
  if (sub == "button_reply" || sub == "list_reply") {
    msg.kind = sub == "button_reply" ? flows::MessageKind::button_reply
                                     : flows::MessageKind::list_reply;
    if (const json* reply = r.object(body, sub.c_str())) {
      msg.reply_id = r.string(*reply, "id");
      msg.text = r.string(*reply, "title");
    }
  } else if (sub == "nfm_reply") {
    msg.kind = flows::MessageKind::nfm_reply;
    if (const json* reply = r.object(body, "nfm_reply")) {
      msg.text = r.string(*reply, "response_json");
      msg.reply_id = r.string(*reply, "name");
    }
  } else {
    msg.kind = flows::MessageKind::unknown;
  }
}

void read_contacts_message(field_reader& r, const json& message, flows::InboundMessage& msg) {
  const json* cards = r.array(message, "contacts");
  if (cards == nullptr) return;
  for (const auto& card : *cards) {
    if (!card.is_object()) {
      r.mark_bad();
      return;
    }
    flows::SharedContact contact;
    if (const json* name = r.object(card, "name")) {
      contact.name = r.string(*name, "formatted_name");
      if (contact.name.empty()) {
        const std::string first = r.string(*name, "first_name");
        const std::string last = r.string(*name, "last_name");
        contact.name = first.empty() || last.empty() ? first + last : first + " " + last;
      }
    }
    if (const json* phones = r.array(card, "phones"); phones != nullptr && !phones->empty()) {
      if (!phones->front().is_object()) r.mark_bad();
      contact.phone = r.string(phones->front(), "phone");
      contact.wa_id = r.string(phones->front(), "wa_id");
    }
    msg.contacts.push_back(std::move(contact));
  }
  if (!msg.contacts.empty()) msg.text = msg.contacts.front().name;
}

// The original message id of an edit or revoke; field names vary between sources.
std::string original_id(field_reader& r, const json& body) {
  for (const char* key : {"original_message_id", "message_id", "id"}) {
    std::string id = r.string(body, key);
    if (!id.empty()) return id;
  }
  return {};
}

void read_body(field_reader& r, const json& m, flows::InboundMessage& msg) {
  using flows::MessageKind;
  const std::string& type = msg.type_name;
  const MessageKind kind = flows::message_kind_from_string(type);

  if (kind == MessageKind::image || kind == MessageKind::document || kind == MessageKind::audio ||
      kind == MessageKind::video || kind == MessageKind::sticker) {
    msg.kind = kind;
    if (const json* body = r.object(m, type.c_str())) read_media(r, *body, msg);
  } else if (type == "text") {
    msg.kind = MessageKind::text;
    if (const json* body = r.object(m, "text")) msg.text = r.string(*body, "body");
  } else if (type == "location") {
    msg.kind = MessageKind::location;
    if (const json* body = r.object(m, "location")) {
      flows::Location loc;
      loc.latitude = r.number(*body, "latitude");
      loc.longitude = r.number(*body, "longitude");
      loc.name = r.string(*body, "name");
      loc.address = r.string(*body, "address");
      msg.location = std::move(loc);
    }
  } else if (type == "contacts") {
    msg.kind = MessageKind::contacts;
    read_contacts_message(r, m, msg);
  } else if (type == "interactive") {
    // Without the interactive object (Meta could not render it) the reply cannot be mapped.
    msg.kind = MessageKind::unknown;
    if (const json* body = r.object(m, "interactive")) read_interactive(r, *body, msg);
  } else if (type == "button") {
    msg.kind = MessageKind::button;
    if (const json* body = r.object(m, "button")) {
      msg.reply_id = r.string(*body, "payload");
      msg.text = r.string(*body, "text");
    }
  } else if (type == "reaction") {
    msg.kind = MessageKind::reaction;
    if (const json* body = r.object(m, "reaction")) {
      msg.text = r.string(*body, "emoji");
      msg.reply_id = r.string(*body, "message_id");
    }
  } else if (type == "order") {
    msg.kind = MessageKind::order;
    if (const json* body = r.object(m, "order")) {
      msg.text = r.string(*body, "text");
      msg.reply_id = r.string(*body, "catalog_id");
    }
  } else if (type == "system") {
    msg.kind = MessageKind::system;
    if (const json* body = r.object(m, "system")) {
      msg.text = r.string(*body, "body");
      for (const char* key : {"wa_id", "new_wa_id", "user_id"}) {
        msg.reply_id = r.string(*body, key);
        if (!msg.reply_id.empty()) break;
      }
    }
  } else if (type == "unsupported") {
    msg.kind = MessageKind::unsupported;
    if (const json* body = r.object(m, "unsupported")) msg.text = r.string(*body, "type");
  } else if (type == "request_welcome") {
    msg.kind = MessageKind::request_welcome;
  } else if (type == "edit") {
    msg.kind = MessageKind::edit;
    if (const json* body = r.object(m, "edit")) {
      msg.reply_id = original_id(r, *body);
      const json* edited = r.object(*body, "message");
      const json& holder = edited != nullptr ? *edited : *body;
      if (const json* text = r.object(holder, "text")) msg.text = r.string(*text, "body");
    }
  } else if (type == "revoke") {
    msg.kind = MessageKind::revoke;
    if (const json* body = r.object(m, "revoke")) msg.reply_id = original_id(r, *body);
  } else {
    msg.kind = MessageKind::unknown;
  }
}

std::optional<flows::InboundMessage> read_message(const json& m, const std::string& business_number,
                                                  const std::vector<sender_profile>& contacts) {
  if (!m.is_object()) return std::nullopt;
  field_reader r;
  flows::InboundMessage msg;
  msg.business_number = business_number;
  msg.wamid = r.string(m, "id");
  const std::string from = r.string(m, "from");
  const std::string from_user_id = r.string(m, "from_user_id");
  msg.user = from.empty() ? from_user_id : from;
  msg.user_id = from_user_id;
  if (const sender_profile* sender = match_sender(contacts, from, from_user_id)) {
    msg.profile_name = sender->name;
    if (msg.user_id.empty()) msg.user_id = sender->user_id;
  }
  msg.timestamp = r.unix_time(m, "timestamp");
  msg.type_name = r.string(m, "type");
  if (const json* context = r.object(m, "context")) msg.context_id = r.string(*context, "id");
  msg.error_code = read_first_error(r, m).code;
  read_body(r, m, msg);
  if (r.bad() || msg.wamid.empty() || msg.user.empty()) return std::nullopt;
  return msg;
}

std::optional<flows::StatusUpdate> read_status(const json& s, const std::string& business_number) {
  if (!s.is_object()) return std::nullopt;
  field_reader r;
  flows::StatusUpdate st;
  st.business_number = business_number;
  st.wamid = r.string(s, "id");
  st.status_name = r.string(s, "status");
  st.status = flows::delivery_status_from_string(st.status_name);
  st.timestamp = r.unix_time(s, "timestamp");
  st.recipient = r.string(s, "recipient_id");
  if (st.recipient.empty()) st.recipient = r.string(s, "recipient_user_id");
  st.biz_opaque_callback_data = r.string(s, "biz_opaque_callback_data");
  first_error e = read_first_error(r, s);
  st.error_code = e.code;
  st.error_title = std::move(e.title);
  st.error_details = std::move(e.details);
  if (r.bad() || st.wamid.empty()) return std::nullopt;
  return st;
}

std::optional<flows::NotificationError> read_value_error(const json& e,
                                                         const std::string& business_number) {
  if (!e.is_object()) return std::nullopt;
  field_reader r;
  first_error fe = read_error(r, e);
  if (r.bad()) return std::nullopt;
  return flows::NotificationError{business_number, fe.code, std::move(fe.title),
                                  std::move(fe.details)};
}

// One `value` of a `messages` change.
void read_value(const json& value, ParsedNotification& out) {
  field_reader r;
  std::string business_number;
  if (const json* metadata = r.object(value, "metadata")) {
    business_number = r.string(*metadata, "phone_number_id");
  }
  const json* contacts = r.array(value, "contacts");
  const json* messages = r.array(value, "messages");
  const json* statuses = r.array(value, "statuses");
  const json* errors = r.array(value, "errors");
  if (r.bad()) {
    ++out.unknown_items;
    return;
  }

  const std::vector<sender_profile> senders =
      contacts != nullptr ? read_contacts(*contacts, out.unknown_items)
                          : std::vector<sender_profile>{};
  if (messages != nullptr) {
    for (const auto& m : *messages) {
      if (auto msg = read_message(m, business_number, senders)) {
        out.messages.push_back(std::move(*msg));
      } else {
        ++out.unknown_items;
      }
    }
  }
  if (statuses != nullptr) {
    for (const auto& s : *statuses) {
      if (auto st = read_status(s, business_number)) {
        out.statuses.push_back(std::move(*st));
      } else {
        ++out.unknown_items;
      }
    }
  }
  if (errors != nullptr) {
    for (const auto& e : *errors) {
      if (auto err = read_value_error(e, business_number)) {
        out.errors.push_back(std::move(*err));
      } else {
        ++out.unknown_items;
      }
    }
  }
}

void read_entry(const json& entry, ParsedNotification& out) {
  field_reader r;
  const json* changes = r.array(entry, "changes");
  if (r.bad() || !entry.is_object()) {
    ++out.unknown_items;
    return;
  }
  if (changes == nullptr) return;
  for (const auto& change : *changes) {
    field_reader cr;
    const std::string field = cr.string(change, "field");
    const json* value = cr.object(change, "value");
    if (cr.bad() || !change.is_object() || field != "messages" || value == nullptr) {
      ++out.unknown_items;
      continue;
    }
    read_value(*value, out);
  }
}

}  // namespace

ParsedNotification parse_notification(std::string_view body) {
  ParsedNotification out;
  try {
    const json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      out.ok = false;
      out.error = "body is not JSON";
      return out;
    }
    const auto object = doc.is_object() ? doc.find("object") : doc.end();
    if (!doc.is_object() || object == doc.end() || !object->is_string() ||
        object->get_ref<const std::string&>() != "whatsapp_business_account") {
      out.ok = false;
      out.error = "not a whatsapp_business_account notification";
      return out;
    }
    const auto entries = doc.find("entry");
    if (entries == doc.end() || entries->is_null()) return out;
    if (!entries->is_array()) {
      ++out.unknown_items;
      return out;
    }
    for (const auto& entry : *entries) read_entry(entry, out);
  } catch (const std::exception& e) {
    // Only allocation failure can land here; the body stays in the inbox, marked as failed.
    out = ParsedNotification{};
    out.ok = false;
    out.error = std::string("parser failure: ") + e.what();
  }
  return out;
}

}  // namespace tilang::bot

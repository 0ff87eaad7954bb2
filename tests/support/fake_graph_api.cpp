#include "tests/support/fake_graph_api.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/url/parse.hpp>

#include "bot/net.hpp"

namespace tilang::test {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Meta's error answers
// ---------------------------------------------------------------------------------------------
namespace {

struct error_info {
  unsigned http_status;
  const char* title;
  const char* details;
};

// Titles and details as Meta sends them (CLOUD_API.md §5.5, §7.6).
error_info describe(int code) {
  switch (code) {
    case 2: return {503, "Service temporarily unavailable", "Temporary downtime or overload."};
    case 4: return {400, "Application request limit reached", "Application request limit reached."};
    case 100: return {400, "Invalid parameter", "Invalid parameter."};
    case 190:
      return {401, "Error validating access token: Session has expired",
              "The access token is missing, invalid or expired."};
    case 130429:
      return {400, "Rate limit hit",
              "Message failed to send because there were too many messages sent from this phone "
              "number in a short period of time"};
    case 131000: return {500, "Something went wrong", "Something went wrong."};
    case 131016: return {503, "Service unavailable", "A service is temporarily unavailable."};
    case 131026:
      return {400, "Message undeliverable", "Unable to deliver message to this recipient."};
    case 131047:
      return {400, "Re-engagement message",
              "Message failed to send because more than 24 hours have passed since the customer "
              "last replied to this number."};
    case 131048: return {400, "Spam rate limit hit", "Message failed to send because of spam."};
    case 131056:
      return {400, "(Business Account, Consumer Account) pair rate limit hit",
              "Message failed to send because there were too many messages sent from this phone "
              "number to the same phone number in a short period of time."};
    case 131057: return {500, "Account in maintenance mode", "Business account is in maintenance."};
    case 132001: return {404, "Template name does not exist in the translation",
                         "template name does not exist in the language."};
    default: return {400, "Error", "Injected error."};
  }
}

std::string random_hex(std::mt19937_64& rng, int bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned>(rng() & 0xffU);
    out += digits[b >> 4];
    out += digits[b & 0xfU];
  }
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 0xfU];
  }
  return out;
}

std::string digits_of(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Send-body validation: what Meta refuses with (#100). Returns the reason, empty when valid.
// ---------------------------------------------------------------------------------------------

std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// A string member of 1..max characters (max 0: unlimited); `required` false allows it absent.
std::string check_text(const json& obj, const char* key, const std::string& where, std::size_t max,
                       bool required = true) {
  const json* v = member(obj, key);
  if (v == nullptr) return required ? "The parameter " + where + " is required." : "";
  if (!v->is_string()) return "Param " + where + " must be a string.";
  const std::size_t n = utf8_length(v->get_ref<const std::string&>());
  if (n == 0) return "Param " + where + " must be non-empty.";
  if (max != 0 && n > max) {
    return "Param " + where + " must be at most " + std::to_string(max) + " characters long.";
  }
  return {};
}

std::string check_media(const json& media, const std::string& type) {
  if (!media.is_object()) return "Param " + type + " must be an object.";
  const json* id = member(media, "id");
  const json* link = member(media, "link");
  if (id == nullptr && link == nullptr) return "Param " + type + " must have id or link.";
  if (id != nullptr && link != nullptr) return "Param " + type + " must have either id or link.";
  if (id != nullptr && (!id->is_string() || id->get_ref<const std::string&>().empty())) {
    return "Param " + type + "['id'] is not valid.";
  }
  if (link != nullptr && (!link->is_string() ||
                          (link->get_ref<const std::string&>().rfind("http://", 0) != 0 &&
                           link->get_ref<const std::string&>().rfind("https://", 0) != 0))) {
    return "Param " + type + "['link'] must be an HTTP(S) URL.";
  }
  if (member(media, "caption") != nullptr) {
    if (type == "audio" || type == "sticker") return "Param " + type + " does not take a caption.";
    return check_text(media, "caption", type + "['caption']", 1024);
  }
  return {};
}

bool is_number_like(const json* v) {
  if (v == nullptr) return false;
  if (v->is_number()) return true;
  if (!v->is_string()) return false;
  const auto& s = v->get_ref<const std::string&>();
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

std::string check_reply_buttons(const json& action) {
  const json* buttons = member(action, "buttons");
  if (buttons == nullptr || !buttons->is_array()) {
    return "The parameter interactive['action']['buttons'] is required.";
  }
  if (buttons->empty() || buttons->size() > 3) {
    return "Param interactive['action']['buttons'] must have between 1 and 3 elements.";
  }
  std::set<std::string> ids;
  std::set<std::string> titles;
  for (const auto& button : *buttons) {
    const json* type = member(button, "type");
    if (type == nullptr || *type != "reply") return "Param buttons[]['type'] must be reply.";
    const json* reply = member(button, "reply");
    if (reply == nullptr || !reply->is_object()) return "The parameter buttons[]['reply'] is required.";
    if (auto e = check_text(*reply, "id", "buttons[]['reply']['id']", 256); !e.empty()) return e;
    if (auto e = check_text(*reply, "title", "buttons[]['reply']['title']", 20); !e.empty()) return e;
    const auto& id = (*reply)["id"].get_ref<const std::string&>();
    if (id.front() == ' ' || id.back() == ' ') return "Button id must not start or end with a space.";
    if (!ids.insert(id).second) return "Button ids must be unique.";
    if (!titles.insert((*reply)["title"].get<std::string>()).second) {
      return "Button titles must be unique.";
    }
  }
  return {};
}

std::string check_list(const json& action) {
  if (auto e = check_text(action, "button", "interactive['action']['button']", 20); !e.empty()) return e;
  const json* sections = member(action, "sections");
  if (sections == nullptr || !sections->is_array()) {
    return "The parameter interactive['action']['sections'] is required.";
  }
  if (sections->empty() || sections->size() > 10) {
    return "Param interactive['action']['sections'] must have between 1 and 10 elements.";
  }
  std::size_t rows_total = 0;
  std::set<std::string> ids;
  for (const auto& section : *sections) {
    if (!section.is_object()) return "Param sections[] must be an object.";
    const bool title_required = sections->size() > 1;
    if (auto e = check_text(section, "title", "sections[]['title']", 24, title_required); !e.empty()) {
      return e;
    }
    const json* rows = member(section, "rows");
    if (rows == nullptr || !rows->is_array()) return "The parameter sections[]['rows'] is required.";
    for (const auto& row : *rows) {
      if (auto e = check_text(row, "id", "rows[]['id']", 200); !e.empty()) return e;
      if (auto e = check_text(row, "title", "rows[]['title']", 24); !e.empty()) return e;
      if (auto e = check_text(row, "description", "rows[]['description']", 72, false); !e.empty()) {
        return e;
      }
      if (!ids.insert(row["id"].get<std::string>()).second) return "Row ids must be unique.";
      ++rows_total;
    }
  }
  if (rows_total == 0 || rows_total > 10) {
    return "Total row count must be between 1 and 10, got " + std::to_string(rows_total) + ".";
  }
  return {};
}

std::string check_interactive(const json& interactive) {
  if (!interactive.is_object()) return "Param interactive must be an object.";
  const json* type = member(interactive, "type");
  if (type == nullptr || !type->is_string()) return "The parameter interactive['type'] is required.";
  const json* action = member(interactive, "action");
  if (action == nullptr || !action->is_object()) {
    return "The parameter interactive['action'] is required.";
  }
  const auto& t = type->get_ref<const std::string&>();
  static const std::set<std::string> known{"button",  "list",         "cta_url",
                                           "flow",    "product",      "product_list",
                                           "catalog_message", "call_permission_request",
                                           "location_request_message", "order_details",
                                           "order_status", "address_message"};
  if (known.count(t) == 0) return "Param interactive['type'] is not valid: " + t + ".";
  if (const json* header = member(interactive, "header")) {
    if (!header->is_object()) return "Param interactive['header'] must be an object.";
    if (member(*header, "type") == nullptr) return "The parameter header['type'] is required.";
    if ((*header)["type"] == "text") {
      if (auto e = check_text(*header, "text", "header['text']", 60); !e.empty()) return e;
    }
  }
  if (const json* footer = member(interactive, "footer")) {
    if (auto e = check_text(*footer, "text", "footer['text']", 60); !e.empty()) return e;
  }
  if (t == "button" || t == "list") {
    const json* body = member(interactive, "body");
    if (body == nullptr) return "The parameter interactive['body'] is required.";
    // Meta: reply-button bodies up to 1024 characters, list bodies up to 4096.
    if (auto e = check_text(*body, "text", "interactive['body']['text']", t == "button" ? 1024 : 4096);
        !e.empty()) {
      return e;
    }
    return t == "button" ? check_reply_buttons(*action) : check_list(*action);
  }
  return {};
}

std::string check_template(const json& tpl) {
  if (!tpl.is_object()) return "Param template must be an object.";
  if (auto e = check_text(tpl, "name", "template['name']", 512); !e.empty()) return e;
  const json* language = member(tpl, "language");
  if (language == nullptr || !language->is_object()) {
    return "The parameter template['language'] is required.";
  }
  if (auto e = check_text(*language, "code", "template['language']['code']", 0); !e.empty()) return e;
  if (const json* components = member(tpl, "components")) {
    if (!components->is_array()) return "Param template['components'] must be an array.";
    for (const auto& c : *components) {
      if (!c.is_object() || member(c, "type") == nullptr) {
        return "The parameter components[]['type'] is required.";
      }
      if (const json* params = member(c, "parameters"); params != nullptr && !params->is_array()) {
        return "Param components[]['parameters'] must be an array.";
      }
    }
  }
  return {};
}

const std::set<std::string>& known_types() {
  static const std::set<std::string> types{"text",     "image",   "audio",       "video",
                                           "document", "sticker", "location",    "contacts",
                                           "interactive", "template", "reaction"};
  return types;
}

std::string check_send(const json& body) {
  if (!body.is_object()) return "The request body must be a JSON object.";
  const json* product = member(body, "messaging_product");
  if (product == nullptr || *product != "whatsapp") {
    return "The parameter messaging_product is required and must be whatsapp.";
  }
  const json* to = member(body, "to");
  const json* recipient = member(body, "recipient");
  const bool to_ok = to != nullptr && to->is_string() && !digits_of(to->get<std::string>()).empty();
  const bool recipient_ok = recipient != nullptr && recipient->is_string() &&
                            !recipient->get_ref<const std::string&>().empty();
  if (!to_ok && !recipient_ok) return "The parameter to is required.";
  if (const json* rt = member(body, "recipient_type");
      rt != nullptr && *rt != "individual" && *rt != "group") {
    return "Param recipient_type is not valid.";
  }
  // Meta's examples: a body without `type` is the type of its one content object, else text.
  const json* type_value = member(body, "type");
  if (type_value != nullptr && !type_value->is_string()) return "Param type must be a string.";
  std::string type = "text";
  if (type_value != nullptr) {
    type = type_value->get<std::string>();
  } else {
    for (const auto& candidate : known_types()) {
      if (member(body, candidate.c_str()) != nullptr) type = candidate;
    }
  }
  if (known_types().count(type) == 0) return "Param type is not a valid message type: " + type + ".";

  static const std::set<std::string> envelope_keys{
      "messaging_product", "recipient_type", "to", "recipient", "type", "context",
      "biz_opaque_callback_data"};
  for (const auto& [key, value] : body.items()) {
    if (envelope_keys.count(key) == 0 && key != type) return "Unexpected key \"" + key + "\".";
  }
  if (const json* context = member(body, "context")) {
    if (auto e = check_text(*context, "message_id", "context['message_id']", 0); !e.empty()) return e;
  }
  const json* content = member(body, type.c_str());
  if (content == nullptr) return "The parameter " + type + " is required.";

  if (type == "text") {
    if (!content->is_object()) return "Param text must be an object.";
    for (const auto& [key, value] : content->items()) {
      if (key != "body" && key != "preview_url") return "Unexpected key \"" + key + "\" on text.";
    }
    if (const json* preview = member(*content, "preview_url");
        preview != nullptr && !preview->is_boolean()) {
      return "Param text['preview_url'] must be a boolean.";
    }
    return check_text(*content, "body", "text['body']", 4096);
  }
  if (type == "image" || type == "audio" || type == "video" || type == "document" ||
      type == "sticker") {
    return check_media(*content, type);
  }
  if (type == "location") {
    if (!is_number_like(member(*content, "latitude")) || !is_number_like(member(*content, "longitude"))) {
      return "Params location['latitude'] and location['longitude'] are required numbers.";
    }
    return {};
  }
  if (type == "contacts") {
    if (!content->is_array() || content->empty()) return "Param contacts must be a non-empty array.";
    for (const auto& c : *content) {
      const json* name = member(c, "name");
      if (name == nullptr) return "The parameter contacts[]['name'] is required.";
      if (auto e = check_text(*name, "formatted_name", "contacts[]['name']['formatted_name']", 0);
          !e.empty()) {
        return e;
      }
    }
    return {};
  }
  if (type == "reaction") {
    if (auto e = check_text(*content, "message_id", "reaction['message_id']", 0); !e.empty()) return e;
    const json* emoji = member(*content, "emoji");
    if (emoji == nullptr || !emoji->is_string()) return "The parameter reaction['emoji'] is required.";
    return {};
  }
  if (type == "interactive") return check_interactive(*content);
  return check_template(*content);  // type == "template"
}

// {messaging_product, status:"read", message_id[, typing_indicator]}
std::string check_mark_read(const json& body) {
  const json* product = member(body, "messaging_product");
  if (product == nullptr || *product != "whatsapp") {
    return "The parameter messaging_product is required and must be whatsapp.";
  }
  if (body["status"] != "read") return "Param status must be read.";
  if (auto e = check_text(body, "message_id", "message_id", 0); !e.empty()) return e;
  for (const auto& [key, value] : body.items()) {
    if (key != "messaging_product" && key != "status" && key != "message_id" &&
        key != "typing_indicator") {
      return "Unexpected key \"" + key + "\".";
    }
  }
  if (const json* typing = member(body, "typing_indicator");
      typing != nullptr && (member(*typing, "type") == nullptr || *member(*typing, "type") != "text")) {
    return "Param typing_indicator['type'] must be text.";
  }
  return {};
}

bool is_version(std::string_view segment) {
  // v<major>.<minor>, e.g. v25.0
  if (segment.size() < 4 || segment.front() != 'v') return false;
  const auto dot = segment.find('.');
  if (dot == std::string_view::npos || dot == 1 || dot + 1 == segment.size()) return false;
  return std::all_of(segment.begin() + 1, segment.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

json graph_error(int code, const std::string& details) {
  const error_info info = describe(code);
  static std::atomic<std::uint64_t> trace{0x5eed};
  json error = {
      {"message", "(#" + std::to_string(code) + ") " + info.title},
      {"type", "OAuthException"},
      {"code", code},
      {"error_data",
       {{"messaging_product", "whatsapp"}, {"details", details.empty() ? info.details : details}}},
      {"fbtrace_id", "Afake" + std::to_string(trace.fetch_add(1))},
  };
  if (code == 190) error["message"] = std::string(info.title) + ".";
  return json{{"error", std::move(error)}};
}

// ---------------------------------------------------------------------------------------------
// Shared state: everything the handlers read and tests inspect, under one mutex.
// ---------------------------------------------------------------------------------------------
struct FakeGraphApi::State {
  FakeGraphOptions options;
  std::uint16_t port = 0;

  mutable std::mutex mutex;
  mutable std::condition_variable accepted_cv;
  std::vector<AcceptedMessage> accepted;
  std::vector<std::string> read_receipts;
  std::size_t attempts = 0;
  std::vector<std::chrono::steady_clock::time_point> receive_times;
  std::deque<GraphFault> faults;
  double failure_ratio = 0;
  int failure_code = 131000;
  std::mt19937 failure_rng{0};
  std::chrono::milliseconds delay{0};
  struct media_item {
    std::string mime_type;
    std::string bytes;
  };
  std::map<std::string, media_item> media;
  std::map<std::string, std::string> url_tokens;  // token -> media id
  std::size_t media_downloads = 0;
  AcceptedHook hook;
  std::mt19937_64 ids{std::random_device{}()};
  std::uint64_t next_message = 1;

  using Request = http::request<http::string_body>;
  using Response = http::response<http::string_body>;

  struct Reply {
    bool drop = false;
    std::chrono::milliseconds delay{0};
    Response response;
  };

  Reply handle(const Request& req);

 private:
  Response json_response(const Request& req, unsigned status, const json& body) const;
  Response error_response(const Request& req, int code, const std::string& details = "") const;
  bool authorized(const Request& req) const;
  Reply send_message(const Request& req, const std::string& phone_number_id);
  Reply media_info(const Request& req, const std::string& media_id);
  Reply media_bytes(const Request& req, const std::string& media_id, const std::string& token);
};

FakeGraphApi::State::Response FakeGraphApi::State::json_response(const Request& req, unsigned status,
                                                                 const json& body) const {
  Response res{static_cast<http::status>(status), req.version()};
  res.set(http::field::content_type, "application/json; charset=UTF-8");
  res.set("x-fb-trace-id", "Afake");
  res.keep_alive(req.keep_alive());
  res.body() = body.dump();
  res.prepare_payload();
  return res;
}

FakeGraphApi::State::Response FakeGraphApi::State::error_response(const Request& req, int code,
                                                                  const std::string& details) const {
  return json_response(req, describe(code).http_status, graph_error(code, details));
}

bool FakeGraphApi::State::authorized(const Request& req) const {
  const auto it = req.find(http::field::authorization);
  if (it == req.end()) return false;
  const std::string value(it->value());
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) return false;
  }
  return value.substr(scheme.size()) == options.access_token;
}

FakeGraphApi::State::Reply FakeGraphApi::State::handle(const Request& req) {
  std::chrono::milliseconds reply_delay;
  {
    std::lock_guard lock(mutex);
    reply_delay = delay;
  }
  Reply reply;
  reply.delay = reply_delay;

  const auto parsed = boost::urls::parse_origin_form(req.target());
  if (!parsed) {
    reply.response = error_response(req, 100, "Unknown path components");
    return reply;
  }
  std::vector<std::string> segments;
  for (auto segment : parsed->segments()) segments.emplace_back(segment);
  std::string token;
  if (auto it = parsed->params().find("token"); it != parsed->params().end()) {
    token = std::string((*it).value);
  }

  if (req.method() == http::verb::post && segments.size() == 3 && is_version(segments[0]) &&
      segments[2] == "messages") {
    Reply r = send_message(req, segments[1]);
    r.delay = reply_delay;
    return r;
  }
  if (req.method() == http::verb::get && segments.size() == 2 && segments[0] == "media-bin") {
    Reply r = media_bytes(req, segments[1], token);
    r.delay = reply_delay;
    return r;
  }
  if ((req.method() == http::verb::get || req.method() == http::verb::delete_) &&
      segments.size() == 2 && is_version(segments[0])) {
    Reply r = media_info(req, segments[1]);
    r.delay = reply_delay;
    return r;
  }
  reply.response = error_response(req, 100, "Unknown path components: " + std::string(req.target()));
  return reply;
}

FakeGraphApi::State::Reply FakeGraphApi::State::send_message(const Request& req,
                                                             const std::string& phone_number_id) {
  Reply reply;
  {
    std::lock_guard lock(mutex);
    ++attempts;
    receive_times.push_back(std::chrono::steady_clock::now());
  }
  if (!authorized(req)) {
    reply.response = error_response(req, 190);
    return reply;
  }
  // Injected faults first: a queued one, else a random one.
  {
    std::lock_guard lock(mutex);
    std::optional<GraphFault> fault;
    if (!faults.empty()) {
      fault = faults.front();
      faults.pop_front();
    } else if (failure_ratio > 0 &&
               std::uniform_real_distribution<double>(0.0, 1.0)(failure_rng) < failure_ratio) {
      fault = GraphFault::error(failure_code);
    }
    if (fault) {
      reply.drop = fault->kind == GraphFault::Kind::drop_connection;
      if (!reply.drop) reply.response = error_response(req, fault->code);
      return reply;
    }
  }
  if (!options.phone_number_id.empty() && phone_number_id != options.phone_number_id) {
    reply.response = error_response(
        req, 100,
        "Unsupported post request. Object with ID '" + phone_number_id + "' does not exist.");
    return reply;
  }

  const json body = json::parse(req.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    reply.response = error_response(req, 100, "The request body is not valid JSON.");
    return reply;
  }
  if (body.is_object() && body.contains("status")) {
    if (auto problem = check_mark_read(body); !problem.empty()) {
      reply.response = error_response(req, 100, problem);
      return reply;
    }
    {
      std::lock_guard lock(mutex);
      read_receipts.push_back(body["message_id"].get<std::string>());
    }
    reply.response = json_response(req, 200, json{{"success", true}});
    return reply;
  }
  if (auto problem = check_send(body); !problem.empty()) {
    reply.response = error_response(req, 100, problem);
    return reply;
  }

  AcceptedHook hook_copy;
  std::string wamid;
  {
    std::lock_guard lock(mutex);
    // Unique across fakes and runs: a random prefix per message plus a counter.
    wamid = "wamid.FAKE" + random_hex(ids, 8) + std::to_string(next_message++);
    accepted.push_back({wamid, phone_number_id, body});
    hook_copy = hook;
  }
  accepted_cv.notify_all();
  if (hook_copy) hook_copy(wamid, body);

  json contact;
  if (const json* to = member(body, "to"); to != nullptr && to->is_string()) {
    contact = {{"input", *to}, {"wa_id", digits_of(to->get<std::string>())}};
  } else {
    contact = {{"input", body["recipient"]}, {"user_id", body["recipient"]}};
  }
  reply.response = json_response(
      req, 200,
      json{{"messaging_product", "whatsapp"},
           {"contacts", json::array({contact})},
           {"messages", json::array({json{{"id", wamid}}})}});
  return reply;
}

FakeGraphApi::State::Reply FakeGraphApi::State::media_info(const Request& req,
                                                           const std::string& media_id) {
  Reply reply;
  if (!authorized(req)) {
    reply.response = error_response(req, 190);
    return reply;
  }
  std::lock_guard lock(mutex);
  const auto it = media.find(media_id);
  if (it == media.end()) {
    json err = graph_error(100, "Unsupported get request. Object with ID '" + media_id +
                                    "' does not exist, cannot be loaded due to missing "
                                    "permissions, or does not support this operation.");
    err["error"]["error_subcode"] = 33;
    reply.response = json_response(req, 404, err);
    return reply;
  }
  if (req.method() == http::verb::delete_) {
    media.erase(it);
    reply.response = json_response(req, 200, json{{"success", true}});
    return reply;
  }
  const std::string url_token = random_hex(ids, 16);
  url_tokens[url_token] = media_id;
  reply.response = json_response(
      req, 200,
      json{{"messaging_product", "whatsapp"},
           {"url", "http://127.0.0.1:" + std::to_string(port) + "/media-bin/" + media_id +
                       "?token=" + url_token},
           {"mime_type", it->second.mime_type},
           {"sha256", sha256_hex(it->second.bytes)},
           {"file_size", std::to_string(it->second.bytes.size())},
           {"id", media_id}});
  return reply;
}

FakeGraphApi::State::Reply FakeGraphApi::State::media_bytes(const Request& req,
                                                            const std::string& media_id,
                                                            const std::string& token) {
  Reply reply;
  if (!authorized(req)) {
    reply.response = error_response(req, 190);
    return reply;
  }
  // Meta's media host refuses requests without a User-Agent.
  const auto agent = req.find(http::field::user_agent);
  if (agent == req.end() || agent->value().empty()) {
    reply.response = error_response(req, 100, "A User-Agent header is required.");
    return reply;
  }
  std::lock_guard lock(mutex);
  const auto tok = url_tokens.find(token);
  const auto it = media.find(media_id);
  if (tok == url_tokens.end() || tok->second != media_id || it == media.end()) {
    reply.response = Response{http::status::not_found, req.version()};
    reply.response.set(http::field::content_type, "text/plain");
    reply.response.keep_alive(req.keep_alive());
    reply.response.body() = "URL expired or unknown";
    reply.response.prepare_payload();
    return reply;
  }
  ++media_downloads;
  reply.response = Response{http::status::ok, req.version()};
  reply.response.set(http::field::content_type, it->second.mime_type);
  reply.response.keep_alive(req.keep_alive());
  reply.response.body() = it->second.bytes;
  reply.response.prepare_payload();
  return reply;
}

// ---------------------------------------------------------------------------------------------
// The server: one io_context, one thread, one session per connection (keep-alive).
// ---------------------------------------------------------------------------------------------
namespace {

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, std::shared_ptr<FakeGraphApi::State> state)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), state_(std::move(state)) {}

  void run() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(8 * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      close();
      return;
    }
    reply_ = state_->handle(parser_->get());
    if (reply_.delay.count() > 0) {
      timer_.expires_after(reply_.delay);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->respond(); });
    } else {
      respond();
    }
  }

  void respond() {
    if (reply_.drop) {
      close();
      return;
    }
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, reply_.response,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->reply_.response.keep_alive()) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<FakeGraphApi::State> state_;
  FakeGraphApi::State::Reply reply_;
};

}  // namespace

struct FakeGraphApi::Server {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::shared_ptr<State> state;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by stop()
      std::make_shared<session>(std::move(socket), state)->run();
      accept();
    });
  }
};

FakeGraphApi::FakeGraphApi(FakeGraphOptions options) : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
}

FakeGraphApi::~FakeGraphApi() { stop(); }

void FakeGraphApi::start() {
  if (server_) return;
  auto server = std::make_unique<Server>();
  server->state = state_;
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  server->acceptor.open(endpoint.protocol());
  server->acceptor.set_option(net::socket_base::reuse_address(true));
  server->acceptor.bind(endpoint);
  server->acceptor.listen();
  state_->port = server->acceptor.local_endpoint().port();
  server->accept();
  server->thread = std::thread([s = server.get()] { s->io.run(); });
  server_ = std::move(server);
}

void FakeGraphApi::stop() {
  if (!server_) return;
  net::post(server_->io, [s = server_.get()] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
  });
  server_->io.stop();
  if (server_->thread.joinable()) server_->thread.join();
  server_.reset();
}

std::uint16_t FakeGraphApi::port() const { return state_->port; }

std::string FakeGraphApi::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

const std::string& FakeGraphApi::access_token() const { return state_->options.access_token; }

std::vector<json> FakeGraphApi::messages() const {
  std::lock_guard lock(state_->mutex);
  std::vector<json> out;
  for (const auto& m : state_->accepted) out.push_back(m.body);
  return out;
}

std::vector<AcceptedMessage> FakeGraphApi::accepted() const {
  std::lock_guard lock(state_->mutex);
  return state_->accepted;
}

std::vector<json> FakeGraphApi::messages_to(const std::string& recipient) const {
  const std::string wanted_digits = digits_of(recipient);
  std::lock_guard lock(state_->mutex);
  std::vector<json> out;
  for (const auto& m : state_->accepted) {
    const json* to = member(m.body, "to");
    const json* bsuid = member(m.body, "recipient");
    const bool by_phone = to != nullptr && to->is_string() && !wanted_digits.empty() &&
                          digits_of(to->get<std::string>()) == wanted_digits;
    const bool by_user = bsuid != nullptr && bsuid->is_string() && *bsuid == recipient;
    if (by_phone || by_user) out.push_back(m.body);
  }
  return out;
}

std::vector<std::chrono::steady_clock::time_point> FakeGraphApi::receive_times() const {
  std::lock_guard lock(state_->mutex);
  return state_->receive_times;
}

std::vector<std::string> FakeGraphApi::read_receipts() const {
  std::lock_guard lock(state_->mutex);
  return state_->read_receipts;
}

std::size_t FakeGraphApi::attempts() const {
  std::lock_guard lock(state_->mutex);
  return state_->attempts;
}

bool FakeGraphApi::wait_for_messages(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->accepted_cv.wait_for(lock, timeout,
                                      [&] { return state_->accepted.size() >= n; });
}

void FakeGraphApi::clear_recorded() {
  std::lock_guard lock(state_->mutex);
  state_->accepted.clear();
  state_->read_receipts.clear();
  state_->attempts = 0;
  state_->receive_times.clear();
}

void FakeGraphApi::push_fault(GraphFault fault, int count) {
  std::lock_guard lock(state_->mutex);
  for (int i = 0; i < count; ++i) state_->faults.push_back(fault);
}

void FakeGraphApi::set_failure_ratio(double ratio, std::uint32_t seed, int code) {
  std::lock_guard lock(state_->mutex);
  state_->failure_ratio = ratio;
  state_->failure_rng.seed(seed);
  state_->failure_code = code;
}

void FakeGraphApi::set_response_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mutex);
  state_->delay = delay;
}

void FakeGraphApi::add_media(const std::string& id, const std::string& mime_type,
                             std::string bytes) {
  std::lock_guard lock(state_->mutex);
  state_->media[id] = State::media_item{mime_type, std::move(bytes)};
}

void FakeGraphApi::invalidate_media_urls() {
  std::lock_guard lock(state_->mutex);
  state_->url_tokens.clear();
}

std::size_t FakeGraphApi::media_downloads() const {
  std::lock_guard lock(state_->mutex);
  return state_->media_downloads;
}

void FakeGraphApi::on_accepted(AcceptedHook hook) {
  std::lock_guard lock(state_->mutex);
  state_->hook = std::move(hook);
}

std::string status_notification(const std::string& phone_number_id, const std::string& wamid,
                                const std::string& recipient, const std::string& status,
                                int error_code) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  json st = {{"id", wamid}, {"status", status}, {"timestamp", std::to_string(now)}};
  // Business-scoped user ids (CC.xxxx) come back as recipient_user_id, phone numbers as recipient_id.
  if (recipient.find('.') != std::string::npos) {
    st["recipient_user_id"] = recipient;
  } else {
    st["recipient_id"] = recipient;
  }
  if (status == "sent" || status == "delivered" || status == "read") {
    st["pricing"] = {{"billable", true},
                     {"pricing_model", "PMP"},
                     {"type", "free_customer_service"},
                     {"category", "service"}};
  }
  if (error_code != 0) {
    const json err = graph_error(error_code)["error"];
    st["errors"] = json::array({json{
        {"code", error_code},
        {"title", describe(error_code).title},
        {"message", describe(error_code).title},
        {"error_data", {{"details", err["error_data"]["details"]}}},
        {"href", "/documentation/business-messaging/whatsapp/support/error-codes"}}});
  }
  const json notification = {
      {"object", "whatsapp_business_account"},
      {"entry",
       json::array({json{
           {"id", "102290129340398"},
           {"changes",
            json::array({json{{"field", "messages"},
                              {"value",
                               {{"messaging_product", "whatsapp"},
                                {"metadata",
                                 {{"display_phone_number", "15550783881"},
                                  {"phone_number_id", phone_number_id}}},
                                {"statuses", json::array({st})}}}}})}}})}};
  return notification.dump();
}

}  // namespace tilang::test

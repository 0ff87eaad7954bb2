#include "bot/demo_sandbox.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

namespace tilang::bot {

SendResult DemoSandbox::send_message(const std::string&, const std::string& body_json) {
  SendResult result;
  result.http_status = 200;
  auto body = nlohmann::json::parse(body_json, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.value("messaging_product", "") != "whatsapp") {
    result.outcome = SendOutcome::rejected;
    result.http_status = 400;
    result.error_code = 100;
    result.error_message = "(#100) Invalid parameter";
    result.error_details = "messaging_product must be whatsapp";
    return result;
  }
  result.outcome = SendOutcome::accepted;
  if (body.contains("status")) return result;  // mark-as-read: success, nothing to show
  std::lock_guard lock(mutex_);
  SandboxMessage message;
  message.seq = next_seq_++;
  message.to = body.value("to", body.value("recipient", ""));
  message.wamid = "wamid.SANDBOX" + std::to_string(message.seq);
  message.body_json = body_json;
  result.wamid = message.wamid;
  messages_.push_back(std::move(message));
  while (messages_.size() > keep_) messages_.pop_front();
  return result;
}

FetchedMedia DemoSandbox::fetch(const std::string& media_id, std::size_t max_bytes) {
  FetchedMedia media;
  std::lock_guard lock(mutex_);
  auto it = media_.find(media_id);
  if (it == media_.end()) {
    media.error = "unknown media id " + media_id;
    media.error_code = 100;
    return media;
  }
  if (it->second.second.size() > max_bytes) {
    media.error = "media larger than allowed";
    return media;
  }
  media.ok = true;
  media.mime_type = it->second.first;
  media.bytes = it->second.second;
  return media;
}

std::vector<SandboxMessage> DemoSandbox::messages_after(std::int64_t after, const std::string& to) const {
  std::lock_guard lock(mutex_);
  std::vector<SandboxMessage> out;
  for (const auto& m : messages_) {
    if (m.seq > after && (to.empty() || m.to == to || m.to == "+" + to)) out.push_back(m);
  }
  return out;
}

std::string DemoSandbox::add_media(std::string mime_type, std::string bytes) {
  std::lock_guard lock(mutex_);
  std::string id = std::to_string(900000000000000 + static_cast<std::int64_t>(media_.size()) + 1);
  media_[id] = {std::move(mime_type), std::move(bytes)};
  return id;
}

void DemoSandbox::handle_messages(Request&& request, Respond respond) const {
  std::string to;
  std::int64_t after = 0;
  if (auto url = boost::urls::parse_origin_form(request.target())) {
    for (auto param : url->params()) {
      if (param.key == "to") to = param.value;
      if (param.key == "after") after = std::atoll(param.value.c_str());
    }
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& m : messages_after(after, to)) {
    items.push_back({{"seq", m.seq}, {"to", m.to}, {"wamid", m.wamid},
                     {"body", nlohmann::json::parse(m.body_json, nullptr, false)}});
  }
  respond(make_response(request, http::status::ok, nlohmann::json{{"items", items}}.dump(), "application/json"));
}

void DemoSandbox::handle_media_upload(Request&& request, Respond respond) {
  std::string mime(request[http::field::content_type]);
  if (mime.empty()) mime = "application/octet-stream";
  std::string id = add_media(mime, std::move(request.body()));
  respond(make_response(request, http::status::ok, nlohmann::json{{"id", id}}.dump(), "application/json"));
}

}  // namespace tilang::bot

// The built-in Graph API sandbox of `serve --demo`: accepts every outgoing message with a fresh
// wamid and keeps it, so `tilangbot chat` (through GET /sandbox/messages) can show the bot's replies
// without Meta. Media "uploaded" by the chat simulator (POST /sandbox/media) can be fetched back.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bot/graph_api.hpp"
#include "bot/http_types.hpp"

namespace tilang::bot {

struct SandboxMessage {
  std::int64_t seq = 0;
  std::string to;
  std::string wamid;
  std::string body_json;
};

class DemoSandbox : public GraphApi {
 public:
  explicit DemoSandbox(std::size_t keep = 10000) : keep_(keep) {}

  SendResult send_message(const std::string& phone_number_id, const std::string& body_json) override;
  FetchedMedia fetch(const std::string& media_id, std::size_t max_bytes) override;

  // Messages to `to` (all recipients when empty) with seq > after.
  std::vector<SandboxMessage> messages_after(std::int64_t after, const std::string& to) const;
  std::string add_media(std::string mime_type, std::string bytes);

  // GET /sandbox/messages?to=...&after=N  and  POST /sandbox/media (body = bytes, Content-Type = mime)
  void handle_messages(Request&& request, Respond respond) const;
  void handle_media_upload(Request&& request, Respond respond);

 private:
  std::size_t keep_;
  mutable std::mutex mutex_;
  std::deque<SandboxMessage> messages_;
  std::int64_t next_seq_ = 1;
  std::map<std::string, std::pair<std::string, std::string>> media_;  // id -> (mime, bytes)
};

}  // namespace tilang::bot

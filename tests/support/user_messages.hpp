// Meta's notification bodies for one user message (text, image, button, location, ...), as the
// tests post them to POST /webhook. Header-only: the browser fixture and the chaos drill use it too.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace tilang::test {

// The phone_number_id the tests' service answers for (test_config sets it).
inline constexpr const char* test_business = "106540352242922";

// The timestamp of Meta's sample payloads (June 2025): a message that old has closed the 24-hour
// customer-service window, which tests that never reply by hand do not mind.
inline constexpr const char* meta_sample_timestamp = "1749416383";

// Now, as Meta writes it: a message sent now keeps the 24-hour window open.
inline std::string now_timestamp() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// --- the type-specific fields of one message (messages[0] without from/id/timestamp) ---

inline nlohmann::json text_message(const std::string& text) {
  return {{"type", "text"}, {"text", {{"body", text}}}};
}

inline nlohmann::json image_message(const std::string& media_id, const std::string& mime_type = "image/jpeg") {
  return {{"type", "image"}, {"image", {{"id", media_id}, {"mime_type", mime_type}, {"sha256", "x"}}}};
}

// A tap on a reply button of an interactive message the bot sent.
inline nlohmann::json button_reply_message(const std::string& id, const std::string& title) {
  return {{"type", "interactive"},
          {"interactive", {{"type", "button_reply"}, {"button_reply", {{"id", id}, {"title", title}}}}}};
}

// A tap on a quick-reply button of a template; `context_wamid` names the template message.
inline nlohmann::json template_button_message(const std::string& context_wamid, const std::string& payload) {
  return {{"type", "button"},
          {"context", {{"from", "15550783881"}, {"id", context_wamid}}},
          {"button", {{"payload", payload}, {"text", payload}}}};
}

inline nlohmann::json location_message(double latitude, double longitude, const std::string& name,
                                       const std::string& address) {
  return {{"type", "location"},
          {"location", {{"latitude", latitude}, {"longitude", longitude}, {"name", name}, {"address", address}}}};
}

// --- whole notifications ---

// `timestamp` defaults to now so that the 24-hour customer-service window is open.
inline std::string user_message_notification(const std::string& business, const std::string& user,
                                             const std::string& wamid, nlohmann::json message_fields,
                                             const std::string& profile_name = "Budi Santoso",
                                             const std::string& timestamp = now_timestamp()) {
  message_fields["from"] = user;
  message_fields["id"] = wamid;
  message_fields["timestamp"] = timestamp;
  nlohmann::json body{
      {"object", "whatsapp_business_account"},
      {"entry",
       {{{"id", "102290129340398"},
         {"changes",
          {{{"field", "messages"},
            {"value",
             {{"messaging_product", "whatsapp"},
              {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", business}}},
              {"contacts", {{{"profile", {{"name", profile_name}}}, {"wa_id", user}}}},
              {"messages", {message_fields}}}}}}}}}}};
  return body.dump();
}

inline std::string user_text_notification(const std::string& business, const std::string& user,
                                          const std::string& wamid, const std::string& text,
                                          const std::string& profile_name = "Budi Santoso",
                                          const std::string& timestamp = now_timestamp()) {
  return user_message_notification(business, user, wamid, text_message(text), profile_name, timestamp);
}

inline std::string user_image_notification(const std::string& business, const std::string& user,
                                           const std::string& wamid, const std::string& media_id,
                                           const std::string& profile_name = "Budi Santoso") {
  return user_message_notification(business, user, wamid, image_message(media_id), profile_name);
}

}  // namespace tilang::test

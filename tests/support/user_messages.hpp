// Meta's notification bodies for one user message (text or image), stamped with the current time
// so the 24-hour customer-service window is open. Header-only: the browser fixture uses it too.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace tilang::test {

inline std::string user_message_notification(const std::string& business, const std::string& user,
                                             const std::string& wamid, nlohmann::json message_fields,
                                             const std::string& profile_name = "Budi Santoso") {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  message_fields["from"] = user;
  message_fields["id"] = wamid;
  message_fields["timestamp"] = std::to_string(now);
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
                                          const std::string& profile_name = "Budi Santoso") {
  return user_message_notification(business, user, wamid, {{"type", "text"}, {"text", {{"body", text}}}}, profile_name);
}

inline std::string user_image_notification(const std::string& business, const std::string& user,
                                           const std::string& wamid, const std::string& media_id,
                                           const std::string& profile_name = "Budi Santoso") {
  return user_message_notification(
      business, user, wamid,
      {{"type", "image"}, {"image", {{"id", media_id}, {"mime_type", "image/jpeg"}, {"sha256", "x"}}}}, profile_name);
}

}  // namespace tilang::test

#include "bot/privacy.hpp"

namespace tilang::bot {

std::optional<Role> parse_role(std::string_view text) {
  if (text == "agent") return Role::agent;
  if (text == "supervisor") return Role::supervisor;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::agent: return "agent";
    case Role::supervisor: return "supervisor";
    case Role::admin: return "admin";
  }
  return "agent";
}

bool role_allows(std::string_view have, Role need) {
  auto role = parse_role(have);
  return role && static_cast<int>(*role) >= static_cast<int>(need);
}

bool sees_personal_data(std::string_view role) { return role_allows(role, Role::supervisor); }

std::string mask_phone(std::string_view phone) {
  if (phone.size() >= 10) return std::string(phone.substr(0, 5)) + "****" + std::string(phone.substr(phone.size() - 3));
  if (phone.size() >= 6) return std::string(phone.substr(0, 2)) + "****" + std::string(phone.substr(phone.size() - 2));
  return phone.empty() ? std::string() : std::string("****");
}

std::string mask_name(std::string_view name) {
  std::string out;
  bool word_start = true;
  for (std::size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    // Length of this UTF-8 sequence (continuation bytes are never a start byte).
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
    if (i + len > name.size()) len = name.size() - i;
    if (c == ' ') {
      out += ' ';
      word_start = true;
    } else if (word_start) {
      out.append(name.substr(i, len));
      word_start = false;
    } else {
      out += '*';
    }
    i += len;
  }
  return out;
}

}  // namespace tilang::bot

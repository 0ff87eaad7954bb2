// Officer roles and what each may see: agents get masked phone numbers and names (UU 27/2022 PDP,
// data minimisation); supervisors and admins see them in full, and every such view is audited.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tilang::bot {

// Ordered: each role may do everything the ones before it may.
enum class Role { agent = 1, supervisor = 2, admin = 3 };

std::optional<Role> parse_role(std::string_view text);  // "agent" | "supervisor" | "admin"
const char* to_string(Role role);

// Whether a caller with role `have` (as text) may act where `need` is required. Unknown roles may not.
bool role_allows(std::string_view have, Role need);

// Agents see masked personal data; supervisors and admins see it in full.
bool sees_personal_data(std::string_view role);

// "6281234567890" -> "62812****890": enough to tell two callers apart, not enough to call them.
std::string mask_phone(std::string_view phone);
// "Budi Santoso" -> "B*** S******" (first letter of each word; UTF-8 aware).
std::string mask_name(std::string_view name);

}  // namespace tilang::bot

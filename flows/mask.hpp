// Partial masking of personal data shown in chats (UU 27/2022 PDP): enough to recognise, not to copy.
#pragma once

#include <string>
#include <string_view>

namespace tilang::flows {

// "Budi Santoso" -> "B*** S******": first character of each word kept, the rest starred.
std::string mask_name(std::string_view name);

// "6281234567890" -> "6281*****7890": country/operator prefix and last four digits kept.
std::string mask_phone(std::string_view phone);

}  // namespace tilang::flows

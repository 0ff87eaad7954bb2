#include "flows/mask.hpp"

#include "flows/utf8.hpp"

namespace tilang::flows {

std::string mask_name(std::string_view name) {
  std::string out;
  bool at_word_start = true;
  std::size_t i = 0;
  const std::string_view text = trim(name);
  while (i < text.size()) {
    // One whole code point at a time, so multi-byte letters become one star.
    std::size_t len = 1;
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0U) len = 4;
    else if (lead >= 0xE0U) len = 3;
    else if (lead >= 0xC0U) len = 2;
    if (i + len > text.size()) len = text.size() - i;
    const std::string_view cp = text.substr(i, len);
    if (cp == " ") {
      if (!out.empty() && out.back() != ' ') out += ' ';
      at_word_start = true;
    } else if (at_word_start) {
      out += cp;
      at_word_start = false;
    } else {
      out += '*';
    }
    i += len;
  }
  return out;
}

std::string mask_phone(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() <= 8) return std::string(digits.size(), '*');
  return digits.substr(0, 4) + std::string(digits.size() - 8, '*') + digits.substr(digits.size() - 4);
}

}  // namespace tilang::flows

#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
}  // namespace

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) {
    if (!is_continuation(c)) ++n;
  }
  return n;
}

std::size_t byte_offset_of(std::string_view text, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_continuation(text[i])) {
      if (seen == count) return i;
      ++seen;
    }
  }
  return text.size();
}

std::string truncate_code_points(std::string_view text, std::size_t max) {
  if (code_points(text) <= max) return std::string(text);
  if (max == 0) return {};
  std::string out(text.substr(0, byte_offset_of(text, max - 1)));
  // Do not leave a dangling space before the ellipsis.
  while (!out.empty() && is_space(out.back())) out.pop_back();
  out += "\xE2\x80\xA6";
  return out;
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string to_upper_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string normalise_words(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (char c : trim(text)) {
    if (is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace tilang::flows

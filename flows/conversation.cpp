#include "flows/conversation.hpp"

#include <charconv>
#include <cstdint>
#include <vector>

namespace tilang::flows {
namespace {

// Escapes the two separators (tab, newline) and the escape character itself.
std::string escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

std::optional<std::string> unescape(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (++i >= in.size()) return std::nullopt;
    switch (in[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      default: return std::nullopt;
    }
  }
  return out;
}

void line(std::string& out, std::string_view tag, std::string_view a, std::string_view b = {}) {
  out += tag;
  out += '\t';
  out += escape(a);
  if (tag == "s") {
    out += '\t';
    out += escape(b);
  }
  out += '\n';
}

}  // namespace

std::string encode(const Conversation& state) {
  std::string out = "v1\n";
  line(out, "lang", state.language);
  line(out, "flow", state.flow);
  line(out, "step", state.step);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(state.last_activity.time_since_epoch());
  line(out, "last", std::to_string(ms.count()));
  line(out, "resume", state.resume_offered ? "1" : "0");
  line(out, "welcomed", state.welcomed ? "1" : "0");
  for (const auto& [k, v] : state.slots) line(out, "s", k, v);
  return out;
}

std::optional<Conversation> decode(std::string_view text) {
  Conversation c;
  if (text.substr(0, 3) != "v1\n") return std::nullopt;
  text.remove_prefix(3);
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view row = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    const std::size_t tab = row.find('\t');
    if (tab == std::string_view::npos) return std::nullopt;
    const std::string_view tag = row.substr(0, tab);
    std::string_view rest = row.substr(tab + 1);
    if (tag == "s") {
      const std::size_t tab2 = rest.find('\t');
      if (tab2 == std::string_view::npos) return std::nullopt;
      auto k = unescape(rest.substr(0, tab2));
      auto v = unescape(rest.substr(tab2 + 1));
      if (!k || !v) return std::nullopt;
      c.slots[*k] = *v;
      continue;
    }
    auto value = unescape(rest);
    if (!value) return std::nullopt;
    if (tag == "lang") c.language = *value;
    else if (tag == "flow") c.flow = *value;
    else if (tag == "step") c.step = *value;
    else if (tag == "resume") c.resume_offered = *value == "1";
    else if (tag == "welcomed") c.welcomed = *value == "1";
    else if (tag == "last") {
      std::int64_t ms = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), ms);
      if (ec != std::errc{} || p != value->data() + value->size()) return std::nullopt;
      c.last_activity = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
    }
    // Unknown tags are skipped so a newer writer does not break an older reader.
  }
  return c;
}

}  // namespace tilang::flows

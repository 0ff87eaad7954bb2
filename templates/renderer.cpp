#include "templates/renderer.hpp"

#include <set>

#include "flows/mask.hpp"
#include "flows/money.hpp"
#include "flows/text_match.hpp"
#include "flows/utf8.hpp"

namespace tilang::templates {
namespace {

using flows::code_points;
using flows::truncate_code_points;
using nlohmann::json;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

bool is_param_name(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

json envelope(const std::string& to, const std::string& type) {
  return json{{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", to}, {"type", type}};
}

json text_message(const std::string& to, const std::string& body) {
  json j = envelope(to, "text");
  j["text"] = json{{"preview_url", false}, {"body", body}};
  return j;
}

// A menu as plain text: body, numbered options, and how to answer.
struct NumberedItem {
  std::string section;
  std::string title;
  std::string description;
};

std::string numbered_menu(const Catalog& catalog, const std::string& lang, const std::string& body,
                          const std::vector<NumberedItem>& items, std::vector<std::string>& problems) {
  std::string out = body;
  out += "\n";
  std::string current_section;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (!item.section.empty() && item.section != current_section) {
      out += "\n*" + item.section + "*";
      current_section = item.section;
    }
    out += "\n" + std::to_string(i + 1) + ". " + item.title;
    if (!item.description.empty()) out += " \xE2\x80\x94 " + item.description;
  }
  out += "\n\n" + fill(catalog, lang, "common.reply_number_hint", {}, problems);
  return out;
}

std::string title_of(const Catalog& catalog, const std::string& lang, const std::string& key,
                     const std::string& literal, const flows::Params& params, std::vector<std::string>& problems) {
  return key.empty() ? literal : fill(catalog, lang, key, params, problems);
}

json render_buttons(const flows::SendButtons& a, const std::string& lang, const std::string& to,
                    const Catalog& catalog, std::vector<std::string>& problems) {
  const std::string body = fill(catalog, lang, a.body_key, a.params, problems);
  std::vector<std::pair<std::string, std::string>> buttons;  // id, title
  bool fits = !a.buttons.empty() && a.buttons.size() <= Limits::buttons &&
              code_points(body) <= Limits::interactive_body && !body.empty();
  std::set<std::string> ids, titles;
  for (const auto& b : a.buttons) {
    std::string title = title_of(catalog, lang, b.title_key, b.title, {}, problems);
    const std::size_t n = code_points(title);
    if (n == 0 || n > Limits::button_title || b.id.empty() || b.id.size() > 256 || !ids.insert(b.id).second ||
        !titles.insert(title).second) {
      fits = false;
    }
    buttons.emplace_back(b.id, std::move(title));
  }
  if (!fits) {
    std::vector<NumberedItem> items;
    for (const auto& [id, title] : buttons) items.push_back({{}, title, {}});
    return text_message(to, truncate_code_points(numbered_menu(catalog, lang, body, items, problems),
                                                 Limits::text_body));
  }
  json j = envelope(to, "interactive");
  json action_buttons = json::array();
  for (const auto& [id, title] : buttons) {
    action_buttons.push_back(json{{"type", "reply"}, {"reply", json{{"id", id}, {"title", title}}}});
  }
  j["interactive"] = json{{"type", "button"}, {"body", json{{"text", body}}}, {"action", json{{"buttons", action_buttons}}}};
  return j;
}

json render_list(const flows::SendList& a, const std::string& lang, const std::string& to, const Catalog& catalog,
                 std::vector<std::string>& problems) {
  const std::string body = fill(catalog, lang, a.body_key, a.params, problems);
  const std::string label =
      truncate_code_points(fill(catalog, lang, a.button_key, {}, problems), Limits::list_button);
  std::size_t rows = 0;
  bool fits = !body.empty() && code_points(body) <= Limits::interactive_body && !label.empty() &&
              !a.sections.empty() && a.sections.size() <= 10;
  std::set<std::string> ids;
  std::vector<NumberedItem> items;
  json sections = json::array();
  for (const auto& s : a.sections) {
    const std::string section_title =
        truncate_code_points(title_of(catalog, lang, s.title_key, s.title, {}, problems), Limits::section_title);
    // Meta wants every section titled once there are several.
    if (a.sections.size() > 1 && section_title.empty()) fits = false;
    json rows_json = json::array();
    for (const auto& r : s.rows) {
      ++rows;
      const std::string title = title_of(catalog, lang, r.title_key, r.title, r.params, problems);
      const std::string description = title_of(catalog, lang, r.description_key, r.description, r.params, problems);
      const std::size_t n = code_points(title);
      if (n == 0 || n > Limits::row_title || r.id.empty() || r.id.size() > 200 || !ids.insert(r.id).second) {
        fits = false;
      }
      items.push_back({section_title, title, description});
      json row{{"id", r.id}, {"title", title}};
      if (!description.empty()) row["description"] = truncate_code_points(description, Limits::row_description);
      rows_json.push_back(std::move(row));
    }
    json section{{"rows", std::move(rows_json)}};
    if (!section_title.empty()) section["title"] = section_title;
    sections.push_back(std::move(section));
  }
  if (rows == 0 || rows > Limits::list_rows) fits = false;
  if (!fits) {
    // The numbered text keeps section headings only when there are several sections.
    if (a.sections.size() <= 1) {
      for (auto& item : items) item.section.clear();
    }
    return text_message(to, truncate_code_points(numbered_menu(catalog, lang, body, items, problems),
                                                 Limits::text_body));
  }
  json j = envelope(to, "interactive");
  j["interactive"] = json{{"type", "list"},
                          {"body", json{{"text", body}}},
                          {"action", json{{"button", label}, {"sections", std::move(sections)}}}};
  return j;
}

std::string notice_field(const flows::EtleNotice& n, const std::string& name) {
  if (name == "notice_id") return n.notice_id;
  if (name == "plate") return flows::display_plate(n.plate);
  if (name == "owner_name") return flows::mask_name(n.owner_name);
  if (name == "violation_time") return n.violation_time;
  if (name == "location") return n.location;
  if (name == "article") return n.article;
  if (name == "fine_amount") return flows::format_rupiah(n.fine_amount);
  if (name == "confirm_by") return n.confirm_by;
  if (name == "photo_url") return n.photo_url;
  if (name == "briva") return n.briva;
  if (name == "payment_deadline") return n.payment_deadline;
  return {};
}

json render_etle_template(const flows::SendEtleTemplate& a, const std::string& lang, const std::string& to,
                          const Catalog& catalog, std::vector<std::string>& problems) {
  const EtleTemplateSpec& spec = catalog.etle_template();
  std::string code;
  if (auto it = spec.language_codes.find(lang); it != spec.language_codes.end()) code = it->second;
  else if (auto def = spec.language_codes.find(std::string(default_language)); def != spec.language_codes.end()) code = def->second;
  else code = std::string(default_language);
  json params = json::array();
  for (const auto& name : spec.body_parameters) {
    std::string value = notice_field(a.notice, name);
    if (value.empty()) {
      // Meta refuses empty text parameters; a dash keeps the sentence readable.
      problems.push_back("e-TLE template parameter '" + name + "' is empty for notice " + a.notice.notice_id);
      value = "-";
    }
    params.push_back(json{{"type", "text"}, {"text", truncate_code_points(value, Limits::template_parameter)}});
  }
  json components = json::array();
  if (!params.empty()) components.push_back(json{{"type", "body"}, {"parameters", std::move(params)}});
  for (std::size_t i = 0; i < spec.quick_reply_payloads.size(); ++i) {
    components.push_back(json{{"type", "button"},
                              {"sub_type", "quick_reply"},
                              {"index", std::to_string(i)},
                              {"parameters", json::array({json{{"type", "payload"}, {"payload", spec.quick_reply_payloads[i]}}})}});
  }
  json j = envelope(to, "template");
  j["template"] = json{{"name", spec.name}, {"language", json{{"code", code}}}};
  if (!components.empty()) j["template"]["components"] = std::move(components);
  return j;
}

}  // namespace

std::string fill(const Catalog& catalog, const std::string& lang, const std::string& key, const flows::Params& params,
                 std::vector<std::string>& problems) {
  auto text = catalog.find(lang, key);
  if (!text) {
    problems.push_back("missing catalog key '" + key + "' (language '" + lang + "')");
    return "[" + key + "]";
  }
  std::string out;
  std::string_view t = *text;
  std::size_t i = 0;
  while (i < t.size()) {
    const std::size_t open = t.find('{', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = t.find('}', open + 1);
    if (close == std::string_view::npos) break;
    const std::string name(t.substr(open + 1, close - open - 1));
    out.append(t.substr(i, open - i));
    i = close + 1;
    if (!is_param_name(name)) {
      out.append(t.substr(open, close - open + 1));
      continue;
    }
    if (auto p = params.find(name); p != params.end()) {
      out += p->second;
    } else if (auto k = params.find("@" + name); k != params.end()) {
      out += fill(catalog, lang, k->second, {}, problems);
    } else {
      problems.push_back("catalog key '" + key + "' has no value for {" + name + "}");
      out.append(t.substr(open, close - open + 1));
    }
  }
  out.append(t.substr(i));
  return out;
}

std::vector<std::string> split_text(const std::string& text, std::size_t limit) {
  std::vector<std::string> parts;
  std::string_view rest = text;
  while (code_points(rest) > limit) {
    const std::size_t max_bytes = flows::byte_offset_of(rest, limit);
    std::string_view window = rest.substr(0, max_bytes);
    std::size_t cut = window.rfind("\n\n");
    if (cut == std::string_view::npos || cut < max_bytes / 2) cut = window.rfind('\n');
    if (cut == std::string_view::npos || cut < max_bytes / 2) cut = window.rfind(' ');
    if (cut == std::string_view::npos || cut == 0) cut = max_bytes;
    parts.emplace_back(flows::trim(rest.substr(0, cut)));
    rest = rest.substr(cut);
    rest = flows::trim(rest);
  }
  if (!rest.empty() || parts.empty()) parts.emplace_back(rest);
  return parts;
}

json render(const flows::Action& action, const std::string& lang, const std::string& to, const Catalog& catalog,
            std::vector<std::string>& problems) {
  return std::visit(
      overloaded{
          [&](const flows::SendText& a) {
            return text_message(to, truncate_code_points(fill(catalog, lang, a.key, a.params, problems), Limits::text_body));
          },
          [&](const flows::SendButtons& a) { return render_buttons(a, lang, to, catalog, problems); },
          [&](const flows::SendList& a) { return render_list(a, lang, to, catalog, problems); },
          [&](const flows::SendEtleTemplate& a) { return render_etle_template(a, lang, to, catalog, problems); },
          [&](const flows::MarkRead& a) {
            return json{{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", a.wamid}};
          },
          [&](const auto&) { return json(nullptr); },
      },
      action);
}

json render(const flows::Action& action, const std::string& lang, const std::string& to, const Catalog& catalog) {
  std::vector<std::string> ignored;
  return render(action, lang, to, catalog, ignored);
}

std::vector<json> render_all(const flows::Action& action, const std::string& lang, const std::string& to,
                             const Catalog& catalog, std::vector<std::string>& problems) {
  if (const auto* text = std::get_if<flows::SendText>(&action)) {
    std::vector<json> out;
    for (const auto& part : split_text(fill(catalog, lang, text->key, text->params, problems), Limits::text_body)) {
      out.push_back(text_message(to, part));
    }
    return out;
  }
  json one = render(action, lang, to, catalog, problems);
  if (one.is_null()) return {};
  return {std::move(one)};
}

}  // namespace tilang::templates

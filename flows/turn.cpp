#include "flows/turn.hpp"

#include "flows/text_match.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {

void Turn::buttons(std::string body_key, Params params, const std::vector<Option>& options) {
  SendButtons b{std::move(body_key), std::move(params), {}};
  for (const auto& o : options) b.buttons.push_back(Button{o.id, o.title_key, {}});
  emit(std::move(b));
}

void Turn::go(const std::string& flow, const std::string& step) {
  if (flow != next.flow) {
    // Keys starting with '_' carry across flows (e.g. the last register number the user gave).
    for (auto it = next.slots.begin(); it != next.slots.end();) {
      it = it->first.starts_with('_') ? std::next(it) : next.slots.erase(it);
    }
  }
  next.flow = flow;
  next.step = step;
}

std::string Turn::slot(const std::string& key) const {
  auto it = next.slots.find(key);
  return it == next.slots.end() ? std::string{} : it->second;
}

bool is_text_like(const InboundMessage& msg) {
  return msg.kind == MessageKind::text || msg.kind == MessageKind::button_reply ||
         msg.kind == MessageKind::list_reply || msg.kind == MessageKind::button;
}

std::optional<std::string> pick(const InboundMessage& msg, const std::vector<Option>& options) {
  if (!msg.reply_id.empty()) {
    for (const auto& o : options) {
      if (o.id == msg.reply_id) return o.id;
    }
  }
  if (!is_text_like(msg)) return std::nullopt;
  if (auto n = parse_choice_number(msg.text); n && static_cast<std::size_t>(*n) <= options.size()) {
    return options[static_cast<std::size_t>(*n - 1)].id;
  }
  const std::string typed = normalise_words(msg.text);
  for (const auto& o : options) {
    if (typed == o.id) return o.id;
    for (const auto& w : o.words) {
      if (typed == w) return o.id;
    }
  }
  return std::nullopt;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += '|';
    out += id;
  }
  return out;
}

std::optional<std::string> pick_dynamic(const InboundMessage& msg, const std::string& joined_ids,
                                        const std::string& id_prefix) {
  std::vector<std::string> ids;
  std::size_t start = 0;
  while (start <= joined_ids.size() && !joined_ids.empty()) {
    const std::size_t bar = joined_ids.find('|', start);
    ids.push_back(joined_ids.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (!msg.reply_id.empty() && msg.reply_id.starts_with(id_prefix)) {
    const std::string id = msg.reply_id.substr(id_prefix.size());
    for (const auto& known : ids) {
      if (known == id) return id;
    }
  }
  if (msg.kind != MessageKind::text) return std::nullopt;
  if (auto n = parse_choice_number(msg.text); n && static_cast<std::size_t>(*n) <= ids.size()) {
    return ids[static_cast<std::size_t>(*n - 1)];
  }
  return std::nullopt;
}

void key_or_literal(Params& params, const std::string& name, const std::string& prefix, const std::string& value,
                    std::initializer_list<std::string_view> known) {
  const std::string lower = to_lower_ascii(value);
  for (auto k : known) {
    if (lower == k) {
      params["@" + name] = prefix + lower;
      return;
    }
  }
  params[name] = value;
}

}  // namespace tilang::flows

// Info (KANDANI): police-service information topics answered from the catalog.
#include "flows/turn.hpp"

namespace tilang::flows {
namespace {

const std::vector<Option>& topic_options() {
  static const std::vector<Option> options{
      {"info:sim", "info.row.sim", {"sim"}},
      {"info:stnk_bpkb", "info.row.stnk_bpkb", {"stnk", "bpkb", "stnk/bpkb"}},
      {"info:skck", "info.row.skck", {"skck"}},
      {"info:sp2hp", "info.row.sp2hp", {"sp2hp"}},
      {"info:spkt", "info.row.spkt", {"spkt"}},
      {"info:pengawalan", "info.row.pengawalan", {"pengawalan", "escort", "kawal"}},
      {"info:patroli", "info.row.patroli", {"patroli", "patrol"}},
      {"info:keramaian", "info.row.keramaian", {"keramaian", "izin keramaian", "crowd", "izin"}},
      {"info:etle", "info.row.etle", {"e-tle", "tilang elektronik"}},
  };
  return options;
}

const std::vector<Option>& after_options() {
  static const std::vector<Option> options{
      {"info_more", "info.btn_more", {"topik lain", "lain", "more", "other"}},
      {"menu", "common.btn_menu", {}},
      {"agent", "common.btn_agent", {}},
  };
  return options;
}

void show_topics(Turn& t) {
  SendList list{"info.body", {}, "info.list_button", {}};
  ListSection section{"info.list_section", {}, {}};
  for (const auto& o : topic_options()) {
    section.rows.push_back(ListRow{o.id, o.title_key, {}, o.title_key + ".desc", {}, {}});
  }
  list.sections.push_back(std::move(section));
  t.emit(std::move(list));
}

}  // namespace

void info_start(Turn& t) {
  t.go("info", "topics");
  show_topics(t);
}

void info_prompt(Turn& t) {
  if (t.next.step == "after_topic") t.buttons("info.after", {}, after_options());
  else show_topics(t);
}

void info_on_message(Turn& t, const InboundMessage& msg) {
  if (t.prev.step == "after_topic") {
    if (auto c = pick(msg, after_options())) {
      if (*c == "info_more") {
        t.set_step("topics");
        show_topics(t);
      } else if (*c == "agent") {
        handoff_start(t, "info");
      } else {
        t.end_flow();
        show_main_menu(t);
      }
      return;
    }
  }
  std::optional<std::string> topic;
  if (t.prev.step == "after_topic" && msg.kind == MessageKind::text && !msg.text.empty() &&
      msg.text.find_first_not_of("0123456789. )") == std::string::npos) {
    // After a topic, numbers belong to the buttons shown last; topic words still work ("skck").
    topic = std::nullopt;
  } else {
    topic = pick(msg, topic_options());
  }
  if (topic) {
    t.set_step("after_topic");
    t.text("info.topic." + topic->substr(5));
    t.buttons("info.after", {}, after_options());
    return;
  }
  t.text("common.choose_option");
  info_prompt(t);
}

}  // namespace tilang::flows

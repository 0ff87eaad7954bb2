// Lapor (KANDANI): category, then the 5W1H form — apa, bagaimana, kapan, dimana (pin or text),
// siapa — an optional photo, a summary to confirm, and a KDN- number from the engine.
#include <cstdio>

#include "flows/text_match.hpp"
#include "flows/turn.hpp"
#include "flows/utf8.hpp"

namespace tilang::flows {
namespace {

const std::vector<Option>& category_options() {
  static const std::vector<Option> options{
      {"kecelakaan", "lapor.cat.kecelakaan", {"kecelakaan", "laka", "accident"}},
      {"kriminalitas", "lapor.cat.kriminalitas", {"kriminal", "kriminalitas", "kejahatan", "crime"}},
      {"kekerasan", "lapor.cat.kekerasan", {"kekerasan", "violence"}},
      {"kamtibmas", "lapor.cat.kamtibmas", {"kamtibmas", "gangguan", "ketertiban", "disturbance"}},
      {"lainnya", "lapor.cat.lainnya", {"lain", "lainnya", "other"}},
  };
  return options;
}

const std::vector<Option>& photo_options() {
  static const std::vector<Option> options{
      {"skip", "lapor.btn_skip", {"lewati", "skip", "tidak", "tidak ada", "no"}},
  };
  return options;
}

const std::vector<Option>& confirm_options() {
  static const std::vector<Option> options{
      {"send", "lapor.btn_send", {"kirim", "ya", "yes", "send", "ok"}},
      {"redo", "common.btn_redo", {"ulang", "ubah", "redo", "change"}},
      {"cancel", "common.btn_cancel", {}},
  };
  return options;
}

// The text questions in order (dimana also accepts a location pin).
constexpr const char* text_steps[] = {"apa", "bagaimana", "kapan", "dimana", "siapa"};

const char* step_after(const std::string& s) {
  for (std::size_t i = 0; i + 1 < std::size(text_steps); ++i) {
    if (s == text_steps[i]) return text_steps[i + 1];
  }
  return "photo";
}

std::string coordinates(const Location& loc) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f,%.6f", loc.latitude, loc.longitude);
  return buf;
}

void show_categories(Turn& t) {
  SendList list{"lapor.intro", {}, "lapor.list_button", {}};
  ListSection section{"lapor.list_section", {}, {}};
  for (const auto& o : category_options()) {
    section.rows.push_back(ListRow{o.id, o.title_key, {}, o.title_key + ".desc", {}, {}});
  }
  list.sections.push_back(std::move(section));
  t.emit(std::move(list));
}

}  // namespace

bool lapor_free_text(const Conversation& s) {
  if (s.flow != "lapor") return false;
  for (const char* st : text_steps) {
    if (s.step == st) return true;
  }
  return false;
}

void lapor_start(Turn& t) {
  t.go("lapor", "category");
  lapor_prompt(t);
}

void lapor_prompt(Turn& t) {
  const std::string& s = t.next.step;
  if (s == "category") {
    show_categories(t);
  } else if (s == "photo") {
    t.buttons("lapor.ask_photo", {}, photo_options());
  } else if (s == "confirm") {
    Params p{{"what", t.slot("what")}, {"how", t.slot("how")}, {"when", t.slot("when")},
             {"where", t.slot("where")}, {"who", t.slot("who")}};
    p["@category"] = "lapor.cat." + t.slot("category");
    p["@photo"] = t.slot("photo_ref").empty() ? "lapor.photo_none" : "lapor.photo_attached";
    t.buttons("lapor.summary", p, confirm_options());
  } else if (s == "photo_storing" || s == "creating") {
    t.text("common.please_wait");
  } else {
    t.text("lapor.ask_" + s);
  }
}

void lapor_on_message(Turn& t, const InboundMessage& msg) {
  const std::string& s = t.prev.step;
  if (s == "category") {
    if (auto c = pick(msg, category_options())) {
      t.set_slot("category", *c);
      t.set_step("apa");
      lapor_prompt(t);
      return;
    }
    t.text("common.choose_option");
    lapor_prompt(t);
    return;
  }
  if (lapor_free_text(t.prev)) {
    if (s == "dimana" && msg.kind == MessageKind::location && msg.location) {
      const Location& loc = *msg.location;
      t.set_slot("lat", std::to_string(loc.latitude));
      t.set_slot("lon", std::to_string(loc.longitude));
      std::string where = loc.address.empty() ? loc.name : (loc.name.empty() ? loc.address : loc.name + ", " + loc.address);
      t.set_slot("where", where.empty() ? coordinates(loc) : where + " (" + coordinates(loc) + ")");
      t.set_slot("has_location", "1");
    } else if (msg.kind == MessageKind::text) {
      const std::string value(trim(msg.text));
      if (code_points(value) < 3) {
        t.text("common.too_short");
        return;
      }
      static const std::map<std::string, std::string> slot_of{
          {"apa", "what"}, {"bagaimana", "how"}, {"kapan", "when"}, {"dimana", "where"}, {"siapa", "who"}};
      t.set_slot(slot_of.at(s), truncate_code_points(value, 1000));
    } else {
      t.text(s == "dimana" ? "lapor.dimana_hint" : "common.please_type");
      return;
    }
    t.set_step(step_after(s));
    lapor_prompt(t);
    return;
  }
  if (s == "photo" || s == "photo_storing") {
    if (msg.kind == MessageKind::image && msg.media) {
      t.set_step("photo_storing");
      t.emit(StoreMedia{msg.media->id, msg.media->mime_type, "report_photo"});
      return;
    }
    if (pick(msg, photo_options())) {
      t.set_step("confirm");
      lapor_prompt(t);
      return;
    }
    t.text("lapor.photo_hint");
    return;
  }
  if (s == "confirm") {
    if (auto c = pick(msg, confirm_options())) {
      if (*c == "send") {
        CreateReport r{t.slot("category"), t.slot("what"), t.slot("how"), t.slot("when"), t.slot("where"),
                       t.slot("who"), false, 0, 0, t.slot("photo_ref")};
        if (t.slot("has_location") == "1") {
          r.has_location = true;
          r.latitude = std::stod(t.slot("lat"));
          r.longitude = std::stod(t.slot("lon"));
        }
        t.emit(std::move(r));
        t.set_step("creating");
      } else if (*c == "redo") {
        const std::string category = t.slot("category");
        t.end_flow();
        t.go("lapor", "apa");
        t.set_slot("category", category);
        lapor_prompt(t);
      } else {
        t.end_flow();
        show_main_menu(t, "common.cancelled");
      }
      return;
    }
    t.text("common.choose_option");
    lapor_prompt(t);
    return;
  }
  if (s == "creating") {
    t.text("common.please_wait");
    return;
  }
  t.text("common.unsupported");
  lapor_prompt(t);
}

void lapor_on_media(Turn& t, const MediaStored& in) {
  if (t.prev.step != "photo_storing" || in.purpose != "report_photo") return;
  if (!in.ok) {
    t.set_step("photo");
    t.text("lapor.photo_failed");
    lapor_prompt(t);
    return;
  }
  t.set_slot("photo_ref", in.media_ref);
  t.set_step("confirm");
  lapor_prompt(t);
}

void lapor_on_created(Turn& t, const ReportCreated& in) {
  if (t.prev.step != "creating") return;
  t.end_flow();
  t.text("lapor.created", {{"report_no", in.report_no}});
}

}  // namespace tilang::flows

#include "bot/etle_template.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "flows/money.hpp"
#include "flows/text_match.hpp"

namespace tilang::bot {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

std::string zone_label(int offset_minutes) {
  // Indonesia's three zones by name; anything else as an explicit offset.
  if (offset_minutes == 7 * 60) return "WIB";
  if (offset_minutes == 8 * 60) return "WITA";
  if (offset_minutes == 9 * 60) return "WIT";
  if (offset_minutes == 0) return "UTC";
  char buf[16];
  const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::string display_time(const std::string& iso) {
  auto t = parse_iso_time(iso);
  if (!t) return iso;
  // Shown in the offset the camera recorded, which is the place's local time.
  const std::int64_t local_min = t->epoch_ms / 60000 + t->offset_minutes;
  const std::int64_t days = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
  const std::int64_t minute_of_day = local_min - days * 1440;
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d ", static_cast<int>(minute_of_day / 60), static_cast<int>(minute_of_day % 60));
  return format_date_days(days) + buf + zone_label(t->offset_minutes);
}

std::string display_date(const std::string& ymd, const std::string& language) {
  static const char* id_months[] = {"Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
                                    "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
  static const char* en_months[] = {"January", "February", "March",     "April",   "May",      "June",
                                    "July",    "August",   "September", "October", "November", "December"};
  if (!parse_date_days(ymd)) return ymd;
  const int month = number(ymd, 5, 2);
  const int day = number(ymd, 8, 2);
  const char* name = (language.rfind("en", 0) == 0 ? en_months : id_months)[month - 1];
  return std::to_string(day) + " " + name + " " + ymd.substr(0, 4);
}

}  // namespace

EtleTemplateConfig etle_template_config(const Config& config) {
  EtleTemplateConfig t;
  t.name = config.etle_template;
  t.language = config.etle_template_lang;
  t.params = config.etle_params;
  return t;
}

const std::vector<std::string>& etle_template_fields() {
  static const std::vector<std::string> fields{"notice_id",   "plate",     "owner_name", "violation_time",
                                               "location",    "article",   "fine_amount", "photo_url",
                                               "confirm_by",  "briva",     "payment_deadline"};
  return fields;
}

bool is_etle_template_field(std::string_view name) {
  const auto& f = etle_template_fields();
  return std::find(f.begin(), f.end(), name) != f.end();
}

std::string etle_param_text(const storage::NoticeRow& n, const std::string& field, const std::string& language) {
  std::string v;
  if (field == "notice_id") v = n.notice_id;
  else if (field == "plate") v = flows::display_plate(n.plate_normalized.empty() ? n.plate : n.plate_normalized);
  else if (field == "owner_name") v = n.owner_name;
  else if (field == "violation_time") v = display_time(n.violation_time);
  else if (field == "location") v = n.location;
  else if (field == "article") v = n.article;
  else if (field == "fine_amount") v = n.fine_amount > 0 ? flows::format_rupiah(n.fine_amount) : "";
  else if (field == "photo_url") v = n.photo_url;
  else if (field == "confirm_by") v = display_date(n.confirm_by, language);
  else if (field == "briva") v = n.briva;
  else if (field == "payment_deadline") v = display_date(n.payment_deadline, language);
  return v.empty() ? "-" : v;
}

std::string etle_template_body(const EtleTemplateConfig& config, const storage::NoticeRow& notice) {
  using nlohmann::json;
  json params = json::array();
  for (const auto& field : config.params) {
    params.push_back(json{{"type", "text"}, {"text", etle_param_text(notice, field, config.language)}});
  }
  json components = json::array();
  if (!params.empty()) components.push_back(json{{"type", "body"}, {"parameters", std::move(params)}});
  for (std::size_t i = 0; i < config.payloads.size(); ++i) {
    components.push_back(json{{"type", "button"},
                              {"sub_type", "quick_reply"},
                              {"index", std::to_string(i)},
                              {"parameters", json::array({json{{"type", "payload"}, {"payload", config.payloads[i]}}})}});
  }
  json body{{"messaging_product", "whatsapp"},
            {"recipient_type", "individual"},
            {"to", notice.owner_wa},
            {"type", "template"},
            {"template", {{"name", config.name}, {"language", {{"code", config.language}}}, {"components", components}}}};
  return body.dump();
}

std::optional<std::int64_t> parse_date_days(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4) || !digits(s, 5, 2) || !digits(s, 8, 2)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(number(s, 0, 4)),
                                        std::chrono::month(static_cast<unsigned>(number(s, 5, 2))),
                                        std::chrono::day(static_cast<unsigned>(number(s, 8, 2)))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::string format_date_days(std::int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<IsoTime> parse_iso_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)
  if (s.size() < 17) return std::nullopt;
  auto days = parse_date_days(s.substr(0, 10));
  if (!days || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  if (!digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2)) return std::nullopt;
  const int hour = number(s, 11, 2);
  const int minute = number(s, 14, 2);
  int second = 0;
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2)) return std::nullopt;
    second = number(s, i + 1, 2);
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      const std::size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  IsoTime t;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    t.offset_minutes = 0;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i] == '-' ? -1 : 1;
    std::string_view rest = s.substr(i + 1);
    int oh = 0, om = 0;
    if (rest.size() == 5 && digits(rest, 0, 2) && rest[2] == ':' && digits(rest, 3, 2)) {
      oh = number(rest, 0, 2);
      om = number(rest, 3, 2);
    } else if (rest.size() == 4 && digits(rest, 0, 4)) {
      oh = number(rest, 0, 2);
      om = number(rest, 2, 2);
    } else {
      return std::nullopt;
    }
    if (oh > 14 || om > 59) return std::nullopt;
    t.offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;  // no offset: the instant would be ambiguous
  }
  const std::int64_t local_s = *days * 86400 + hour * 3600 + minute * 60 + second;
  t.epoch_ms = (local_s - static_cast<std::int64_t>(t.offset_minutes) * 60) * 1000;
  return t;
}

}  // namespace tilang::bot

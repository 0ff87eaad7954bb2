#include "bot/working_hours.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace tilang::bot {
namespace {

constexpr std::array<std::string_view, 7> english_days{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> indonesian_days{"sen", "sel", "rab", "kam", "jum", "sab", "min"};
constexpr std::array<const char*, 7> day_names{"Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int day_index(std::string_view word) {
  if (word.size() < 3) return -1;
  std::string lower;
  for (char c : word.substr(0, 3)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i) {
    if (lower == english_days[static_cast<std::size_t>(i)] || lower == indonesian_days[static_cast<std::size_t>(i)]) return i;
  }
  return -1;
}

// "08:00" or "8.00" -> minutes; -1 when malformed. "24:00" is allowed as an end.
int parse_clock(std::string_view s) {
  s = trim(s);
  const auto sep = s.find_first_of(":.");
  if (sep == std::string_view::npos || sep == 0 || sep > 2 || s.size() != sep + 3) return -1;
  int h = 0, m = 0;
  for (char c : s.substr(0, sep)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    h = h * 10 + (c - '0');
  }
  for (char c : s.substr(sep + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    m = m * 10 + (c - '0');
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

WorkingHoursResult parse_working_hours(std::string_view text) {
  WorkingHours hours;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view clause = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    if (clause.empty()) continue;
    const auto space = clause.find(' ');
    if (space == std::string_view::npos) return {std::nullopt, "working hours clause '" + std::string(clause) + "' needs days and HH:MM-HH:MM"};
    const std::string_view days = trim(clause.substr(0, space));
    const std::string_view times = trim(clause.substr(space + 1));
    WorkingHours::Span span;
    const auto dash = days.find('-');
    const int first = day_index(days.substr(0, dash));
    const int last = dash == std::string_view::npos ? first : day_index(days.substr(dash + 1));
    if (first < 0 || last < 0) return {std::nullopt, "unknown day in '" + std::string(days) + "' (use Mon..Sun)"};
    for (int d = first;; d = (d + 1) % 7) {
      span.days |= 1u << d;
      if (d == last) break;
    }
    const auto tdash = times.find('-');
    if (tdash == std::string_view::npos) return {std::nullopt, "times '" + std::string(times) + "' must be HH:MM-HH:MM"};
    span.start_minute = parse_clock(times.substr(0, tdash));
    span.end_minute = parse_clock(times.substr(tdash + 1));
    if (span.start_minute < 0 || span.end_minute < 0 || span.start_minute >= span.end_minute) {
      return {std::nullopt, "times '" + std::string(times) + "' must be HH:MM-HH:MM with start before end"};
    }
    hours.spans.push_back(span);
  }
  if (hours.spans.empty()) return {std::nullopt, "working hours are empty"};
  return {hours, ""};
}

std::optional<std::string> officers_back_at(const WorkingHours& hours, std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto local_minutes = duration_cast<minutes>(now.time_since_epoch()) + hours.utc_offset;
  const auto day_number = floor<days>(local_minutes).count();
  const int minute_of_day = static_cast<int>(local_minutes.count() - day_number * 24 * 60);
  // 1970-01-01 was a Thursday (index 3 with Monday = 0).
  const int weekday = static_cast<int>(((day_number % 7) + 7 + 3) % 7);
  for (const auto& s : hours.spans) {
    if ((s.days & (1u << weekday)) && minute_of_day >= s.start_minute && minute_of_day < s.end_minute) return std::nullopt;
  }
  for (int ahead = 0; ahead <= 7; ++ahead) {
    const int day = (weekday + ahead) % 7;
    int best = -1;
    for (const auto& s : hours.spans) {
      if (!(s.days & (1u << day))) continue;
      if (ahead == 0 && s.start_minute <= minute_of_day) continue;
      if (best < 0 || s.start_minute < best) best = s.start_minute;
    }
    if (best < 0) continue;
    char clock[16];
    std::snprintf(clock, sizeof clock, "%02d.%02d", best / 60, best % 60);
    std::string when = ahead == 0 ? std::string("hari ini ") : ahead == 1 ? std::string("besok (") + day_names[static_cast<std::size_t>(day)] + ") "
                                                                          : std::string(day_names[static_cast<std::size_t>(day)]) + " ";
    return when + clock + (hours.zone_label.empty() ? "" : " " + hours.zone_label);
  }
  return std::string("hari kerja berikutnya");
}

}  // namespace tilang::bot

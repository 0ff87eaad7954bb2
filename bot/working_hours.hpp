// Officers' working hours (TILANGBOT_WORKING_HOURS), e.g. "Mon-Fri 08:00-16:00; Sat 08:00-12:00",
// in the office's local time (WIB). Outside them the bot tells a user in the queue when officers
// are back (EngineOptions::officers_closed).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tilang::bot {

struct WorkingHours {
  struct Span {
    unsigned days = 0;  // bit 0 = Monday ... bit 6 = Sunday
    int start_minute = 0;  // minutes after local midnight, inclusive
    int end_minute = 0;    // exclusive, <= 24 * 60
  };
  std::vector<Span> spans;
  std::chrono::minutes utc_offset{7 * 60};
  std::string zone_label = "WIB";
};

struct WorkingHoursResult {
  std::optional<WorkingHours> hours;
  std::string error;
};

// Clauses separated by ';': a day or day range (Mon..Sun, or Indonesian Sen..Min) and HH:MM-HH:MM.
WorkingHoursResult parse_working_hours(std::string_view text);

// nullopt while officers are on duty at `now`; otherwise when they are back, in Bahasa Indonesia
// ("Senin 08.00 WIB", "hari ini 13.00 WIB"). Never-open hours say "hari kerja berikutnya".
std::optional<std::string> officers_back_at(const WorkingHours& hours, std::chrono::system_clock::time_point now);

}  // namespace tilang::bot

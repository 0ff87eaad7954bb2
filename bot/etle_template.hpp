// The approved e-TLE utility template as the operator configured it (TILANGBOT_ETLE_TEMPLATE,
// _TEMPLATE_LANG, _PARAMS): the Graph API request body for one notice, with the body parameters
// in the configured order and the three quick-reply payloads of CONTRACT §6. Official link only:
// the template has no media header, so a notice never carries an attachment.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config.hpp"
#include "storage/engine_store.hpp"

namespace tilang::bot {

struct EtleTemplateConfig {
  std::string name = "etle_konfirmasi";
  std::string language = "id";  // Meta's language code of the approved template
  std::vector<std::string> params{"plate", "violation_time", "location", "article", "confirm_by", "photo_url"};
  std::vector<std::string> payloads{"ETLE_DRIVER_SELF", "ETLE_DRIVER_OTHER", "ETLE_NOT_MINE"};
};

// TILANGBOT_ETLE_TEMPLATE, _TEMPLATE_LANG and _PARAMS.
EtleTemplateConfig etle_template_config(const Config& config);

// Field names a parameter may name (the notice's columns).
const std::vector<std::string>& etle_template_fields();
bool is_etle_template_field(std::string_view name);

// A parameter's text: plate "B 1234 XYZ", violation_time "2025-05-12 08:31 WIB", confirm_by
// "20 Mei 2025" (English months for "en*"), fine_amount "Rp500.000"; empty fields become "-"
// (Meta refuses empty parameters).
std::string etle_param_text(const storage::NoticeRow& notice, const std::string& field, const std::string& language);

// The request body (JSON text) of the template for `notice`, sent to notice.owner_wa.
std::string etle_template_body(const EtleTemplateConfig& config, const storage::NoticeRow& notice);

// ISO 8601 date-time with an offset ("2025-05-12T08:31:00+07:00", "...Z"): epoch milliseconds and
// the offset in minutes; nullopt when it is not one.
struct IsoTime {
  std::int64_t epoch_ms = 0;
  int offset_minutes = 0;
};
std::optional<IsoTime> parse_iso_time(std::string_view text);

// Days since 1970-01-01 of a valid "YYYY-MM-DD"; nullopt otherwise.
std::optional<std::int64_t> parse_date_days(std::string_view text);
// "YYYY-MM-DD" of a day number.
std::string format_date_days(std::int64_t days);

}  // namespace tilang::bot

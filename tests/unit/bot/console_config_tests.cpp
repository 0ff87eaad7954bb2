// The console's configuration variables (working hours, retention, sessions, agent template).
#include <catch2/catch.hpp>

#include <map>

#include "bot/config.hpp"

using namespace tilang::bot;

namespace {
EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("console settings are read and checked at start", "[config][console]") {
  auto defaults = load_config(env_of({}), true);
  REQUIRE(defaults.config);
  CHECK(defaults.config->working_hours.empty());
  CHECK(defaults.config->retention_days_messages == 0);
  CHECK(defaults.config->session_ttl_seconds == 8 * 3600);

  auto set = load_config(env_of({{"TILANGBOT_WORKING_HOURS", "Mon-Fri 08:00-16:00"},
                                 {"TILANGBOT_RETENTION_DAYS_MESSAGES", "90"},
                                 {"TILANGBOT_RETENTION_DAYS_MEDIA", "30"},
                                 {"TILANGBOT_RETENTION_DAYS_REPORTS", "365"},
                                 {"TILANGBOT_SESSION_TTL_SECONDS", "600"},
                                 {"TILANGBOT_AGENT_TEMPLATE", "tindak_lanjut"}}),
                         true);
  REQUIRE(set.config);
  CHECK(set.config->working_hours == "Mon-Fri 08:00-16:00");
  CHECK(set.config->retention_days_messages == 90);
  CHECK(set.config->retention_days_media == 30);
  CHECK(set.config->retention_days_reports == 365);
  CHECK(set.config->session_ttl_seconds == 600);
  CHECK(set.config->agent_template == "tindak_lanjut");

  auto bad_hours = load_config(env_of({{"TILANGBOT_WORKING_HOURS", "weekdays 8-4"}}), true);
  CHECK_FALSE(bad_hours.config);
  CHECK(bad_hours.error.find("TILANGBOT_WORKING_HOURS") != std::string::npos);
  CHECK_FALSE(load_config(env_of({{"TILANGBOT_RETENTION_DAYS_MEDIA", "-1"}}), true).config);
  CHECK_FALSE(load_config(env_of({{"TILANGBOT_SESSION_TTL_SECONDS", "0"}}), true).config);
}

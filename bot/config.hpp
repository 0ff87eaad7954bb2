// The service configuration: one typed value, read and validated once at start-up.
// Nothing below bot/ reads the environment.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tilang::bot {

struct Config {
  bool demo = false;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string db_path = "var/tilangbot.db";
  std::string media_dir = "var/media";
  std::string templates_dir;  // empty: the catalog built into the binary
  std::string api_token;      // empty: back-office API off
  std::string tls_cert;
  std::string tls_key;
  std::string app_secret;
  std::string verify_token;
  std::string access_token;
  std::string phone_number_id;
  std::string graph_url = "https://graph.facebook.com";
  std::string api_version = "v25.0";
  int max_mps = 80;

  // e-TLE push (README "e-TLE"): the approved template and the reminder offsets.
  std::string etle_template = "etle_konfirmasi";                 // TILANGBOT_ETLE_TEMPLATE
  std::string etle_template_lang = "id";                         // TILANGBOT_ETLE_TEMPLATE_LANG
  std::vector<std::string> etle_params{"plate", "violation_time", "location", "article", "confirm_by", "photo_url"};
  std::vector<int> etle_reminder_days{3, 1};                     // TILANGBOT_ETLE_REMINDER_DAYS

  // Help-desk console (README "Console"): officers' hours, retention per data class, sessions.
  std::string working_hours;                 // TILANGBOT_WORKING_HOURS "Mon-Fri 08:00-16:00" (WIB); empty: always
  int retention_days_messages = 0;           // TILANGBOT_RETENTION_DAYS_MESSAGES; 0 = keep
  int retention_days_media = 0;              // TILANGBOT_RETENTION_DAYS_MEDIA
  int retention_days_reports = 0;            // TILANGBOT_RETENTION_DAYS_REPORTS
  std::int64_t session_ttl_seconds = 8 * 3600;            // TILANGBOT_SESSION_TTL_SECONDS
  std::string agent_template = "petugas_tindak_lanjut";   // TILANGBOT_AGENT_TEMPLATE (24-hour window closed)

  // Internal tuning (not part of the contract; overridable for tests and benchmarks).
  int io_threads = 1;
  std::size_t inbox_max_queued = 8192;
  std::int64_t inbox_max_unparsed = 1'000'000;
  std::int64_t db_max_page_count = 0;  // >0 caps the database size (fault drills)
  std::int64_t first_purge_delay_seconds = 5;  // the retention purge runs this long after start, then hourly
};

// Reads a variable; empty optional when unset. Injected so tests need not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

struct ConfigResult {
  std::optional<Config> config;
  std::string error;  // one line naming the offending variable
};

// Builds the configuration. Outside demo mode every required variable must be set.
ConfigResult load_config(const EnvLookup& env, bool demo);

// The names of the secrets, for log redaction.
std::vector<std::string> secret_values(const Config& config);

}  // namespace tilang::bot

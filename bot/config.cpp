#include "bot/config.hpp"

#include <charconv>
#include <cstdlib>

#include "bot/etle_template.hpp"
#include "bot/working_hours.hpp"

namespace tilang::bot {
namespace {

bool parse_listen(const std::string& value, Config& config) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* first = value.data() + colon + 1;
  const char* last = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || ptr != last || port > 65535) return false;
  config.listen_host = host;
  config.listen_port = static_cast<std::uint16_t>(port);
  return true;
}

template <typename Int>
bool parse_int(const std::string& text, Int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Comma-separated items, trimmed; empty items dropped.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    start = comma + 1;
  }
  return out;
}

// TILANGBOT_ETLE_*: the approved template's name, language and body parameter order, and the
// reminder offsets (days before confirm_by).
std::string load_etle_config(const EnvLookup& env, Config& config) {
  if (auto v = env("TILANGBOT_ETLE_TEMPLATE").value_or(""); !v.empty()) config.etle_template = v;
  if (auto v = env("TILANGBOT_ETLE_TEMPLATE_LANG").value_or(""); !v.empty()) config.etle_template_lang = v;
  if (auto v = env("TILANGBOT_ETLE_PARAMS"); v) {
    auto params = split_list(*v);
    for (const auto& p : params) {
      if (!is_etle_template_field(p)) return "TILANGBOT_ETLE_PARAMS: unknown field '" + p + "'";
    }
    config.etle_params = params;
  }
  if (auto v = env("TILANGBOT_ETLE_REMINDER_DAYS"); v) {
    std::vector<int> days;
    for (const auto& item : split_list(*v)) {
      int d = 0;
      if (!parse_int(item, d) || d < 0 || d > 60) {
        return "TILANGBOT_ETLE_REMINDER_DAYS must be a comma list of whole days 0-60, got '" + *v + "'";
      }
      days.push_back(d);
    }
    config.etle_reminder_days = days;
  }
  return {};
}

// The help-desk console's settings: working hours, retention days, session lifetime, agent template.
std::string load_console_config(const EnvLookup& env, Config& config) {
  if (auto v = env("TILANGBOT_WORKING_HOURS").value_or(""); !v.empty()) {
    if (auto parsed = parse_working_hours(v); !parsed.hours) return "TILANGBOT_WORKING_HOURS: " + parsed.error;
    config.working_hours = v;
  }
  const std::pair<const char*, int Config::*> days[] = {
      {"TILANGBOT_RETENTION_DAYS_MESSAGES", &Config::retention_days_messages},
      {"TILANGBOT_RETENTION_DAYS_MEDIA", &Config::retention_days_media},
      {"TILANGBOT_RETENTION_DAYS_REPORTS", &Config::retention_days_reports},
  };
  for (const auto& [name, field] : days) {
    if (auto v = env(name).value_or(""); !v.empty()) {
      if (!parse_int(v, config.*field) || config.*field < 0) return std::string(name) + " must be a whole number of days (0 = keep)";
    }
  }
  if (auto v = env("TILANGBOT_SESSION_TTL_SECONDS").value_or(""); !v.empty()) {
    if (!parse_int(v, config.session_ttl_seconds) || config.session_ttl_seconds <= 0) {
      return "TILANGBOT_SESSION_TTL_SECONDS must be a positive integer";
    }
  }
  if (auto v = env("TILANGBOT_AGENT_TEMPLATE").value_or(""); !v.empty()) config.agent_template = v;
  return {};
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ConfigResult load_config(const EnvLookup& env, bool demo) {
  Config config;
  config.demo = demo;
  auto get = [&](const char* name) { return env(name).value_or(""); };

  if (auto listen = env("TILANGBOT_LISTEN"); listen && !listen->empty()) {
    if (!parse_listen(*listen, config)) return {std::nullopt, "TILANGBOT_LISTEN must be host:port, got '" + *listen + "'"};
  }
  if (auto v = get("TILANGBOT_DB"); !v.empty()) config.db_path = v;
  if (auto v = get("TILANGBOT_MEDIA_DIR"); !v.empty()) config.media_dir = v;
  config.templates_dir = get("TILANGBOT_TEMPLATES_DIR");
  config.api_token = get("TILANGBOT_API_TOKEN");
  config.tls_cert = get("TILANGBOT_TLS_CERT");
  config.tls_key = get("TILANGBOT_TLS_KEY");
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return {std::nullopt, "TILANGBOT_TLS_CERT and TILANGBOT_TLS_KEY must be set together"};
  }
  if (auto v = get("WA_GRAPH_URL"); !v.empty()) {
    if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
      return {std::nullopt, "WA_GRAPH_URL must start with http:// or https://"};
    }
    while (!v.empty() && v.back() == '/') v.pop_back();
    config.graph_url = v;
  }
  if (auto v = get("WA_API_VERSION"); !v.empty()) config.api_version = v;
  if (auto v = get("WA_MAX_MPS"); !v.empty()) {
    if (!parse_int(v, config.max_mps) || config.max_mps <= 0) return {std::nullopt, "WA_MAX_MPS must be a positive integer"};
  }
  if (auto problem = load_etle_config(env, config); !problem.empty()) return {std::nullopt, problem};
  if (auto problem = load_console_config(env, config); !problem.empty()) return {std::nullopt, problem};
  if (auto v = get("TILANGBOT_IO_THREADS"); !v.empty()) {
    if (!parse_int(v, config.io_threads) || config.io_threads <= 0) return {std::nullopt, "TILANGBOT_IO_THREADS must be a positive integer"};
  }
  if (auto v = get("TILANGBOT_DB_MAX_PAGES"); !v.empty()) {
    if (!parse_int(v, config.db_max_page_count) || config.db_max_page_count < 0) return {std::nullopt, "TILANGBOT_DB_MAX_PAGES must be a non-negative integer"};
  }
  if (auto v = get("TILANGBOT_INBOX_MAX_QUEUED"); !v.empty()) {
    if (!parse_int(v, config.inbox_max_queued) || config.inbox_max_queued == 0) return {std::nullopt, "TILANGBOT_INBOX_MAX_QUEUED must be a positive integer"};
  }

  struct Required {
    const char* name;
    std::string Config::*field;
    const char* demo_value;
  };
  const Required required[] = {
      {"WA_APP_SECRET", &Config::app_secret, "demo-secret"},
      {"WA_VERIFY_TOKEN", &Config::verify_token, "demo-verify"},
      {"WA_ACCESS_TOKEN", &Config::access_token, "demo-token"},
      {"WA_PHONE_NUMBER_ID", &Config::phone_number_id, "100000000000001"},
  };
  for (const auto& r : required) {
    std::string value = get(r.name);
    if (value.empty()) {
      if (!demo) return {std::nullopt, std::string("missing required environment variable ") + r.name};
      value = r.demo_value;
    }
    config.*(r.field) = value;
  }
  if (demo && config.api_token.empty()) config.api_token = "demo-api-token";
  return {config, ""};
}

std::vector<std::string> secret_values(const Config& config) {
  std::vector<std::string> secrets;
  for (const auto* s : {&config.app_secret, &config.verify_token, &config.access_token, &config.api_token}) {
    if (!s->empty()) secrets.push_back(*s);
  }
  return secrets;
}

}  // namespace tilang::bot

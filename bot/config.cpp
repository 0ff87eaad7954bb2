#include "bot/config.hpp"

#include <charconv>
#include <cstdlib>

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

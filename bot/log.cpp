#include "bot/log.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

namespace tilang::bot::log {
namespace {

std::mutex mutex;
Level min_level = Level::info;
std::vector<std::string> secrets;

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::string redact(std::string value) {
  for (const auto& secret : secrets) {
    for (auto pos = value.find(secret); pos != std::string::npos; pos = value.find(secret, pos)) {
      value.replace(pos, secret.size(), "[redacted]");
      pos += 10;
    }
  }
  return value;
}

}  // namespace

void set_min_level(Level level) {
  std::lock_guard lock(mutex);
  min_level = level;
}

void register_secrets(std::vector<std::string> values) {
  std::lock_guard lock(mutex);
  secrets.clear();
  for (auto& v : values) {
    // A one-character "secret" would redact everything; such values are rejected by config anyway.
    if (v.size() >= 4) secrets.push_back(std::move(v));
  }
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  std::lock_guard lock(mutex);
  if (level < min_level) return;
  nlohmann::json line;
  auto now = std::chrono::system_clock::now();
  line["ts_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  line["level"] = level_name(level);
  line["event"] = std::string(event);
  for (const auto& [key, value] : fields) line[std::string(key)] = redact(value);
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace tilang::bot::log

// One-line structured logs (JSON lines on stderr). Secrets registered here are never printed.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tilang::bot::log {

enum class Level { debug, info, warn, error };

using Field = std::pair<std::string_view, std::string>;

void set_min_level(Level level);
// Values equal to or containing these strings are replaced by "[redacted]".
void register_secrets(std::vector<std::string> secrets);

void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void info(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::info, event, fields); }
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::warn, event, fields); }
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) { write(Level::error, event, fields); }

}  // namespace tilang::bot::log

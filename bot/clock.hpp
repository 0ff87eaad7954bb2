// The wall clock as the service stores it: milliseconds since the Unix epoch. Components that must
// be testable take a clock function instead and use this as the default.
#pragma once

#include <chrono>
#include <cstdint>

namespace tilang::bot {

inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tilang::bot

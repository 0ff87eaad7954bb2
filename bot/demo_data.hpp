// Demo data for `serve --demo`: fines (one plate with two), drive-thru slots for the next working
// days and COD tariffs. Idempotent: loading twice changes nothing.
#pragma once

#include <chrono>
#include <string>

#include "storage/engine_store.hpp"

namespace tilang::bot {

struct DemoSummary {
  int fines = 0;    // fines inserted or updated
  int slots = 0;    // slots written
  int tariffs = 0;  // tariffs written
  std::string error;
};

// `today` is taken from `now` in the office's zone (`utc_offset`); slots cover the next
// `working_days` Monday–Friday days after today.
DemoSummary load_demo_data(storage::EngineStore& store, const std::string& business_number,
                           std::chrono::system_clock::time_point now,
                           std::chrono::minutes utc_offset = std::chrono::minutes(7 * 60), int working_days = 5);

}  // namespace tilang::bot

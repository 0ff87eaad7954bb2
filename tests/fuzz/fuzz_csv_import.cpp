// libFuzzer target: any bytes as a fines CSV file: the reader and the row validation must never
// crash, and every row is either loaded or rejected with a line number.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "bot/csv.hpp"
#include "bot/fines_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = tilang::bot::read_csv_table(text, {"register_no"});
  for (const auto& row : table.rows) {
    if (row.line == 0) std::abort();
    if (row.error.empty()) (void)tilang::bot::validate_fine(row.fields);
  }
  return 0;
}

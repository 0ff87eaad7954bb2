// libFuzzer target: any bytes as a fines CSV file: the streaming reader and the row validation must
// never crash, every row is either loaded or rejected with a line number, and reading the bytes in
// chunks (of a size the input picks, so records cross chunk boundaries) gives exactly the records
// of reading them whole.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "bot/csv.hpp"
#include "bot/fines_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // A small record limit so the fuzzer also reaches the too-long stop.
  constexpr std::size_t max_record = 4096;

  tilang::bot::CsvReader whole(text, max_record);
  tilang::bot::CsvTableReader table(whole, {"register_no"});
  tilang::bot::CsvTableReader::Row row;
  while (table.next(row)) {
    if (row.line == 0) std::abort();
    if (row.error.empty()) (void)tilang::bot::validate_fine(row.fields);
  }

  const std::size_t chunk = size == 0 ? 1 : 1 + data[0] % 16;
  std::istringstream in{std::string(text)};
  tilang::bot::CsvReader chunked(in, chunk, max_record);
  tilang::bot::CsvReader again(text, max_record);
  tilang::bot::CsvRecord a;
  tilang::bot::CsvRecord b;
  for (;;) {
    const bool got_a = chunked.next(a);
    const bool got_b = again.next(b);
    if (got_a != got_b) std::abort();
    if (!got_a) break;
    if (a.line != b.line || a.fields != b.fields || a.line == 0) std::abort();
  }
  if (chunked.error() != again.error() || chunked.error_line() != again.error_line()) std::abort();
  return 0;
}

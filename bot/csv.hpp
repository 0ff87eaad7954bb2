// RFC 4180 CSV reading, shared by the data imports (fines, e-TLE notices): quoted fields with ""
// escapes, commas and newlines inside quotes, CRLF or LF line ends, a leading UTF-8 BOM, and the
// line each record starts on so a bad row can be reported where an operator finds it.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tilang::bot {

// One record of an RFC 4180 file: its fields and the line it starts on (1 = the header).
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

struct CsvParseResult {
  std::vector<CsvRecord> records;  // header first; blank lines skipped
  std::string error;               // e.g. an unterminated quote; records before it are kept
  std::size_t error_line = 0;
};

// Field clean-up shared by the importers: surrounding whitespace off; ASCII case (UTF-8 safe).
std::string trim_field(std::string_view s);
std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);

// The whole of an import file, or nullopt after telling `err` it cannot be read.
std::optional<std::string> read_import_file(const std::string& file, std::ostream& err);

// RFC 4180: quoted fields with "" escapes, commas and newlines inside quotes, CRLF or LF, a UTF-8 BOM.
CsvParseResult parse_csv(std::string_view text);

// A parsed file read by column name: header names trimmed and lower-cased, any column order.
struct CsvTable {
  std::vector<std::string> header;
  struct Row {
    std::size_t line = 0;
    std::map<std::string, std::string> fields;  // column -> value (untrimmed)
    std::string error;                          // set instead of fields when the row is malformed
  };
  std::vector<Row> rows;
  std::string error;             // the whole file is refused (no header, missing columns)
  std::string trailing_error;    // a parse error that stopped reading (earlier rows are kept)
  std::size_t trailing_error_line = 0;
};

// Parses `text` and checks that every `required` column is in the header.
CsvTable read_csv_table(std::string_view text, const std::vector<std::string>& required);

}  // namespace tilang::bot

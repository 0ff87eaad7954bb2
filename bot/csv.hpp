// RFC 4180 CSV reading, shared by the data imports (fines, e-TLE notices): quoted fields with ""
// escapes, commas and newlines inside quotes, CRLF or LF line ends, a leading UTF-8 BOM, and the
// line each record starts on so a bad row can be reported where an operator finds it.
// Streaming: a file is read a chunk at a time and handed out one record at a time, so an import of
// any size runs in memory bounded by the chunk and the longest record (the e-TLE back office sends
// files of hundreds of thousands of notices).
#pragma once

#include <cstddef>
#include <fstream>
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

// Field clean-up shared by the importers: surrounding whitespace off; ASCII case (UTF-8 safe).
std::string trim_field(std::string_view s);
std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);

// An import file opened for reading, or nullopt after telling `err` it cannot be read.
std::optional<std::ifstream> open_import_file(const std::string& file, std::ostream& err);

// The incremental RFC 4180 reader. A record may span any number of chunks (a quoted field with
// newlines, a chunk boundary inside a "" escape or a CRLF); blank lines are skipped. Stops at the
// first unterminated quoted field (error(), error_line()), or at a record longer than
// `max_record_bytes` (a stray quote would otherwise pull the rest of the file into one field);
// records before it are handed out.
class CsvReader {
 public:
  static constexpr std::size_t default_chunk_size = 64 * 1024;
  static constexpr std::size_t default_max_record_bytes = 1024 * 1024;

  // Reads `in` (which must outlive the reader) `chunk_size` bytes at a time.
  explicit CsvReader(std::istream& in, std::size_t chunk_size = default_chunk_size,
                     std::size_t max_record_bytes = default_max_record_bytes);
  // Reads a text already in memory (an HTTP body, a test string), without copying it; the text must
  // outlive the reader.
  explicit CsvReader(std::string_view text, std::size_t max_record_bytes = default_max_record_bytes);

  // The next record that is not blank, into `record` (its vector and strings are reused). False at
  // the end of the input, at a parse error (error() set) or when the stream failed (read_failed()).
  bool next(CsvRecord& record);

  const std::string& error() const { return error_; }
  std::size_t error_line() const { return error_line_; }
  bool read_failed() const { return read_failed_; }

  // What the reader has done, for tests and diagnostics: how much it held at once shows that memory
  // does not grow with the file.
  struct Stats {
    std::size_t records = 0;          // handed out
    std::size_t bytes = 0;            // read from the input
    std::size_t peak_held_bytes = 0;  // most bytes held at once: the chunk plus the record being read
  };
  const Stats& stats() const { return stats_; }

 private:
  enum class State { record_start, field_start, unquoted, quoted, quote_in_quoted, after_quoted, after_cr };

  bool fill();
  bool scan(CsvRecord& record);
  bool finish(CsvRecord& record);
  void end_field(CsvRecord& record);
  bool end_record(CsvRecord& record);
  bool too_long(const CsvRecord& record);

  std::istream* in_ = nullptr;  // null: the whole text was given
  std::size_t chunk_size_ = 0;
  std::size_t max_record_bytes_ = 0;
  std::string chunk_;           // the stream's current chunk
  std::string_view data_;       // what is left to scan of the chunk (or of the text)
  bool first_chunk_ = true;
  bool done_ = false;
  State state_ = State::record_start;
  std::string value_;           // the field being read
  std::size_t fields_ = 0;      // fields of the record being read
  std::size_t record_bytes_ = 0;  // field bytes of the record being read
  std::size_t line_ = 1;
  std::size_t quote_line_ = 0;  // where the open quoted field started
  std::string error_;
  std::size_t error_line_ = 0;
  bool read_failed_ = false;
  Stats stats_;
};

// Every record of a text in memory (header first, blank lines skipped), for small texts and tests.
struct CsvParseResult {
  std::vector<CsvRecord> records;
  std::string error;  // e.g. an unterminated quote; records before it are kept
  std::size_t error_line = 0;
};
CsvParseResult parse_csv(std::string_view text);

// Records read by column name: the header (names trimmed and lower-cased, any column order) checked
// for the required columns, then one row at a time.
class CsvTableReader {
 public:
  struct Row {
    std::size_t line = 0;
    std::map<std::string, std::string> fields;  // column -> value (untrimmed); empty when malformed
    std::string error;                          // set when the row is malformed (wrong field count)
  };

  // Reads the header at once; error() tells when the whole file is refused.
  CsvTableReader(CsvReader& reader, const std::vector<std::string>& required);

  const std::string& error() const { return error_; }  // no header, missing columns, unreadable
  const std::vector<std::string>& header() const { return header_; }

  // The next row (its map reused); false at the end, at a parse error (trailing_error()) or when the
  // input could not be read (reader().read_failed()). Always false when error() is set.
  bool next(Row& row);

  // A parse error that stopped reading (earlier rows were handed out), e.g. an unterminated quote.
  const std::string& trailing_error() const { return reader_.error(); }
  std::size_t trailing_error_line() const { return reader_.error_line(); }
  const CsvReader& reader() const { return reader_; }

 private:
  CsvReader& reader_;
  CsvRecord record_;
  std::vector<std::string> header_;
  std::string error_;
};

}  // namespace tilang::bot

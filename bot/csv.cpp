#include "bot/csv.hpp"

#include <algorithm>
#include <istream>
#include <ostream>

namespace tilang::bot {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace

std::optional<std::ifstream> open_import_file(const std::string& file, std::ostream& err) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "tilangbot: cannot read " << file << "\n";
    return std::nullopt;
  }
  return in;
}

std::string trim_field(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string ascii_upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

CsvReader::CsvReader(std::istream& in, std::size_t chunk_size, std::size_t max_record_bytes)
    : in_(&in), chunk_size_(std::max<std::size_t>(chunk_size, 1)), max_record_bytes_(max_record_bytes) {}

CsvReader::CsvReader(std::string_view text, std::size_t max_record_bytes)
    : max_record_bytes_(max_record_bytes), data_(text) {
  if (data_.starts_with(utf8_bom)) data_.remove_prefix(utf8_bom.size());
  stats_.bytes = text.size();
}

// The next chunk of the stream into data_; false at its end (or when it failed).
bool CsvReader::fill() {
  if (in_ == nullptr || !*in_) return false;
  // The first read takes at least the three bytes of a BOM, so a BOM is never split.
  const std::size_t want = first_chunk_ ? std::max<std::size_t>(chunk_size_, utf8_bom.size()) : chunk_size_;
  chunk_.resize(want);
  in_->read(chunk_.data(), static_cast<std::streamsize>(want));
  const auto got = static_cast<std::size_t>(in_->gcount());
  if (in_->bad()) read_failed_ = true;
  chunk_.resize(got);
  stats_.bytes += got;
  data_ = chunk_;
  if (first_chunk_) {
    first_chunk_ = false;
    if (data_.starts_with(utf8_bom)) data_.remove_prefix(utf8_bom.size());
  }
  return got > 0 && !read_failed_;
}

void CsvReader::end_field(CsvRecord& record) {
  // Swapping keeps the capacity of both strings: records after the first allocate little.
  if (fields_ < record.fields.size()) {
    record.fields[fields_].swap(value_);
  } else {
    record.fields.push_back(std::move(value_));
  }
  value_.clear();
  ++fields_;
}

// Completes the record; false when it is blank (skipped).
bool CsvReader::end_record(CsvRecord& record) {
  record.fields.resize(fields_);
  fields_ = 0;
  stats_.peak_held_bytes = std::max(stats_.peak_held_bytes, chunk_.size() + record_bytes_);
  record_bytes_ = 0;
  const bool blank = record.fields.size() == 1 &&
                     record.fields[0].find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) return false;
  ++stats_.records;
  return true;
}

// Stops the reading at a record over the limit; the line is where its open quote (or it) started.
bool CsvReader::too_long(const CsvRecord& record) {
  if (record_bytes_ <= max_record_bytes_) return false;
  error_ = "record longer than " + std::to_string(max_record_bytes_) + " bytes (an unterminated quote?)";
  error_line_ = state_ == State::quoted || state_ == State::quote_in_quoted ? quote_line_ : record.line;
  done_ = true;
  return true;
}

// Consumes data_ until a record ends (true) or the data runs out (false; the state carries over).
bool CsvReader::scan(CsvRecord& record) {
  const char* p = data_.data();
  const char* const end = p + data_.size();
  while (p < end) {
    switch (state_) {
      case State::record_start:
        record.line = line_;
        fields_ = 0;
        record_bytes_ = 0;
        state_ = State::field_start;
        [[fallthrough]];
      case State::field_start:
        if (*p == '"') {
          quote_line_ = line_;
          ++p;
          state_ = State::quoted;
          break;
        }
        state_ = State::unquoted;
        [[fallthrough]];
      case State::unquoted:
      case State::after_quoted: {
        // After a closing quote, anything up to the separator is kept (lenient, like most readers).
        const char* q = p;
        while (q < end && *q != ',' && *q != '\n' && *q != '\r') ++q;
        value_.append(p, q);
        record_bytes_ += static_cast<std::size_t>(q - p);
        p = q;
        if (too_long(record)) return false;
        if (p == end) break;
        const char c = *p++;
        end_field(record);
        if (c == ',') {
          state_ = State::field_start;
          break;
        }
        ++line_;
        state_ = c == '\r' ? State::after_cr : State::record_start;
        if (end_record(record)) {
          data_ = std::string_view(p, static_cast<std::size_t>(end - p));
          return true;
        }
        break;
      }
      case State::quoted: {
        const char* q = p;
        while (q < end && *q != '"') {
          if (*q == '\n') ++line_;
          ++q;
        }
        value_.append(p, q);
        record_bytes_ += static_cast<std::size_t>(q - p);
        p = q;
        if (too_long(record)) return false;
        if (p == end) break;
        ++p;
        state_ = State::quote_in_quoted;
        break;
      }
      case State::quote_in_quoted:
        // "" is an escaped quote; anything else closes the field and is read again after it.
        if (*p == '"') {
          value_ += '"';
          ++record_bytes_;
          ++p;
          state_ = State::quoted;
        } else {
          state_ = State::after_quoted;
        }
        break;
      case State::after_cr:
        if (*p == '\n') ++p;  // CRLF is one line end
        state_ = State::record_start;
        break;
    }
  }
  data_ = {};
  return false;
}

// The end of the input: the last record when it has no line end, or the unterminated quote.
bool CsvReader::finish(CsvRecord& record) {
  done_ = true;
  if (read_failed_) return false;
  switch (state_) {
    case State::record_start:
    case State::after_cr:
      return false;
    case State::quoted:
      error_ = "unterminated quoted field";
      error_line_ = quote_line_;
      return false;
    case State::field_start:
    case State::unquoted:
    case State::quote_in_quoted:
    case State::after_quoted:
      break;
  }
  end_field(record);
  state_ = State::record_start;
  return end_record(record);
}

bool CsvReader::next(CsvRecord& record) {
  while (!done_) {
    if (data_.empty() && !fill()) return finish(record);
    if (scan(record)) return true;
  }
  return false;
}

CsvParseResult parse_csv(std::string_view text) {
  CsvParseResult out;
  CsvReader reader(text);
  CsvRecord record;
  while (reader.next(record)) out.records.push_back(record);
  out.error = reader.error();
  out.error_line = reader.error_line();
  return out;
}

CsvTableReader::CsvTableReader(CsvReader& reader, const std::vector<std::string>& required) : reader_(reader) {
  if (!reader_.next(record_)) {
    if (reader_.read_failed()) error_ = "the file could not be read";
    else error_ = reader_.error().empty() ? "the file has no header row" : reader_.error();
    return;
  }
  for (const auto& name : record_.fields) header_.push_back(ascii_lower(trim_field(name)));
  std::string missing;
  for (const auto& name : required) {
    if (std::find(header_.begin(), header_.end(), name) == header_.end()) {
      missing += (missing.empty() ? "" : ", ") + name;
    }
  }
  if (!missing.empty()) error_ = "missing column(s): " + missing;
}

bool CsvTableReader::next(Row& row) {
  if (!error_.empty() || !reader_.next(record_)) return false;
  row.line = record_.line;
  row.error.clear();
  if (record_.fields.size() != header_.size()) {
    row.fields.clear();
    row.error = "has " + std::to_string(record_.fields.size()) + " fields, the header has " +
                std::to_string(header_.size());
    return true;
  }
  // After the first row the map's nodes are only reassigned, not reallocated.
  if (row.fields.size() != header_.size()) row.fields.clear();
  for (std::size_t c = 0; c < header_.size(); ++c) row.fields[header_[c]].swap(record_.fields[c]);
  return true;
}

}  // namespace tilang::bot

#include "bot/csv.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tilang::bot {

std::optional<std::string> read_import_file(const std::string& file, std::ostream& err) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "tilangbot: cannot read " << file << "\n";
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
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

CsvParseResult parse_csv(std::string_view text) {
  CsvParseResult out;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    std::string value;
    bool done = false;
    while (!done) {
      value.clear();
      if (i < text.size() && text[i] == '"') {
        const std::size_t quote_line = line;
        ++i;
        bool closed = false;
        while (i < text.size()) {
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              value += '"';
              ++i;
            } else {
              closed = true;
              break;
            }
          } else {
            if (c == '\n') ++line;
            value += c;
          }
        }
        if (!closed) {
          out.error = "unterminated quoted field";
          out.error_line = quote_line;
          return out;
        }
        // Anything between the closing quote and the separator is kept (lenient, like most readers).
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') value += text[i++];
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') value += text[i++];
      }
      record.fields.push_back(value);
      if (i >= text.size()) {
        done = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r') ++i;
        if (i < text.size() && text[i] == '\n') ++i;
        ++line;
        done = true;
      }
    }
    const bool blank = record.fields.size() == 1 && trim_field(record.fields[0]).empty();
    if (!blank) out.records.push_back(std::move(record));
  }
  return out;
}

CsvTable read_csv_table(std::string_view text, const std::vector<std::string>& required) {
  CsvTable table;
  CsvParseResult parsed = parse_csv(text);
  if (parsed.records.empty()) {
    table.error = parsed.error.empty() ? "the file has no header row" : parsed.error;
    return table;
  }
  for (const auto& name : parsed.records.front().fields) table.header.push_back(ascii_lower(trim_field(name)));
  std::string missing;
  for (const auto& name : required) {
    if (std::find(table.header.begin(), table.header.end(), name) == table.header.end()) {
      missing += (missing.empty() ? "" : ", ") + name;
    }
  }
  if (!missing.empty()) {
    table.error = "missing column(s): " + missing;
    return table;
  }
  table.rows.reserve(parsed.records.size() - 1);
  for (std::size_t r = 1; r < parsed.records.size(); ++r) {
    CsvRecord& record = parsed.records[r];
    CsvTable::Row row;
    row.line = record.line;
    if (record.fields.size() != table.header.size()) {
      row.error = "has " + std::to_string(record.fields.size()) + " fields, the header has " +
                  std::to_string(table.header.size());
    } else {
      for (std::size_t c = 0; c < table.header.size(); ++c) row.fields[table.header[c]] = std::move(record.fields[c]);
    }
    table.rows.push_back(std::move(row));
  }
  table.trailing_error = parsed.error;
  table.trailing_error_line = parsed.error_line;
  return table;
}

}  // namespace tilang::bot

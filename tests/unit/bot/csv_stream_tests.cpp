// bot/csv streaming: records that span chunk boundaries come out the same whatever the chunk size,
// and the reader holds one chunk and one record, never the file.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "bot/csv.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;

namespace {

struct Read {
  std::vector<bot::CsvRecord> records;
  std::string error;
  std::size_t error_line = 0;
  bot::CsvReader::Stats stats;
};

Read read_chunked(const std::string& text, std::size_t chunk_size, std::size_t max_record = 1024 * 1024) {
  std::istringstream in(text);
  bot::CsvReader reader(in, chunk_size, max_record);
  Read out;
  bot::CsvRecord record;
  while (reader.next(record)) out.records.push_back(record);
  out.error = reader.error();
  out.error_line = reader.error_line();
  out.stats = reader.stats();
  return out;
}

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("CsvReader: every chunk size, down to one byte, gives the same records and lines", "[csv][stream]") {
  // Every awkward spot lands on a chunk boundary for some size: the BOM, "" escapes, a quoted CRLF,
  // a CRLF line end, a lone CR line end, blank lines, a trailing comma, and a last line without one.
  const std::string text = "\xEF\xBB\xBF" "id,note,x\r\n"
                           "1,\"a, b\",\"\"\r\n"
                           "2,\"he said \"\"stop\"\"\",z\r\n"
                           "\r\n"
                           "3,\"two\r\nlines\nthree\",\r"
                           "4,\"x\"tail,\n"
                           "   \n"
                           "5,end,\"\"\"\"";
  const std::vector<std::pair<std::size_t, Fields>> expected{
      {1, {"id", "note", "x"}},
      {2, {"1", "a, b", ""}},
      {3, {"2", "he said \"stop\"", "z"}},
      {5, {"3", "two\r\nlines\nthree", ""}},
      {8, {"4", "xtail", ""}},  // text after a closing quote is kept (lenient)
      {10, {"5", "end", "\""}},
  };
  for (std::size_t chunk = 1; chunk <= text.size() + 1; ++chunk) {
    INFO("chunk size " << chunk);
    auto read = read_chunked(text, chunk);
    CHECK(read.error.empty());
    REQUIRE(read.records.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(read.records[i].line == expected[i].first);
      CHECK(read.records[i].fields == expected[i].second);
    }
    CHECK(read.stats.records == expected.size());
    CHECK(read.stats.bytes == text.size());
  }
  // The text in memory is read by the same parser.
  auto whole = bot::parse_csv(text);
  REQUIRE(whole.records.size() == expected.size());
  CHECK(whole.records[3].fields == expected[3].second);
}

TEST_CASE("CsvReader: an unterminated quote split over chunks is reported at the line it opened", "[csv][stream]") {
  const std::string text = "a,b\n1,2\n3,\"never\nclosed\n4,5\n";
  for (std::size_t chunk = 1; chunk <= text.size(); ++chunk) {
    INFO("chunk size " << chunk);
    auto read = read_chunked(text, chunk);
    CHECK(read.records.size() == 2);
    CHECK(read.error == "unterminated quoted field");
    CHECK(read.error_line == 3);
  }
}

TEST_CASE("CsvReader: a BOM alone, an empty input, a header only and a last record without a newline",
          "[csv][stream]") {
  for (std::size_t chunk : {1u, 2u, 64u}) {
    INFO("chunk size " << chunk);
    CHECK(read_chunked("", chunk).records.empty());
    CHECK(read_chunked("\xEF\xBB\xBF", chunk).records.empty());
    CHECK(read_chunked("\n\r\n  \n", chunk).records.empty());
    auto header_only = read_chunked("\xEF\xBB\xBF" "a,b\r\n", chunk);
    REQUIRE(header_only.records.size() == 1);
    CHECK(header_only.records[0].fields == Fields{"a", "b"});
    auto last = read_chunked("a,b\n1,2", chunk);
    REQUIRE(last.records.size() == 2);
    CHECK(last.records[1].fields == Fields{"1", "2"});
    CHECK(last.records[1].line == 2);
    auto trailing_comma = read_chunked("a,b\n1,", chunk);
    REQUIRE(trailing_comma.records.size() == 2);
    CHECK(trailing_comma.records[1].fields == Fields{"1", ""});
    // A BOM only at the very start: one later is data.
    auto late_bom = read_chunked("a\n\xEF\xBB\xBF" "x\n", chunk);
    REQUIRE(late_bom.records.size() == 2);
    CHECK(late_bom.records[1].fields == Fields{"\xEF\xBB\xBF" "x"});
  }
}

TEST_CASE("CsvReader: a record over the limit stops the reading where its quote opened", "[csv][stream]") {
  const std::string text = "a,b\n1,2\n3,\"" + std::string(300, 'x') + "\n4,5\n6,7\n";
  for (std::size_t chunk : {1u, 7u, 4096u}) {
    INFO("chunk size " << chunk);
    auto read = read_chunked(text, chunk, 100);
    CHECK(read.records.size() == 2);
    CHECK(read.error == "record longer than 100 bytes (an unterminated quote?)");
    CHECK(read.error_line == 3);
  }
  // Under the limit, the open quote is reported as such, and a long closed field is read whole.
  auto open = read_chunked(text, 7, 1000);
  CHECK(open.records.size() == 2);
  CHECK(open.error == "unterminated quoted field");
  CHECK(open.error_line == 3);
  auto closed = read_chunked("a,b\n3,\"" + std::string(300, 'x') + "\"\n", 7, 1000);
  REQUIRE(closed.records.size() == 2);
  CHECK(closed.records[1].fields[1].size() == 300);
}

TEST_CASE("CsvReader: 200,000 rows from a file are read holding one chunk and one record", "[csv][stream]") {
  test::TempDir dir;
  const std::string path = dir.file("big.csv");
  std::size_t longest = 0;
  {
    std::ofstream out(path, std::ios::binary);
    out << "id,name,note\r\n";
    for (int i = 0; i < 200'000; ++i) {
      std::string row = std::to_string(i) + ",\"Name " + std::to_string(i) + ", S.T.\",\"line one\nline two\"\r\n";
      longest = std::max(longest, row.size());
      out << row;
    }
  }
  const std::size_t file_size = static_cast<std::size_t>(std::filesystem::file_size(path));
  std::ifstream in(path, std::ios::binary);
  bot::CsvReader reader(in, 4096);
  bot::CsvRecord record;
  std::size_t rows = 0;
  std::size_t last_line = 0;
  REQUIRE(reader.next(record));  // header
  while (reader.next(record)) {
    ++rows;
    last_line = record.line;
    REQUIRE(record.fields.size() == 3);
  }
  CHECK(reader.error().empty());
  CHECK_FALSE(reader.read_failed());
  CHECK(rows == 200'000);
  CHECK(last_line == 2 + 2 * (200'000 - 1));  // each row spans two lines
  CHECK(reader.stats().records == 200'001);
  CHECK(reader.stats().bytes == file_size);
  // Never more than the chunk and one record at once, whatever the size of the file.
  CHECK(reader.stats().peak_held_bytes <= 4096 + longest);
  CHECK(file_size > 100 * (4096 + longest));
}

// bot/csv: RFC 4180 records with line numbers, and the by-column table the imports read.
#include <catch2/catch.hpp>

#include "bot/csv.hpp"

using namespace tilang;

TEST_CASE("parse_csv: quoted commas, escaped quotes, quoted CRLF newlines, BOM, CRLF and a last line without newline",
          "[csv]") {
  const std::string text = "\xEF\xBB\xBF" "id,note\r\n"
                           "1,\"a, b\"\r\n"
                           "2,\"he said \"\"stop\"\"\"\r\n"
                           "3,\"two\r\nlines\"\r\n"
                           "4,end";
  auto parsed = bot::parse_csv(text);
  REQUIRE(parsed.error.empty());
  REQUIRE(parsed.records.size() == 5);
  CHECK(parsed.records[0].fields == std::vector<std::string>{"id", "note"});  // BOM gone
  CHECK(parsed.records[1].fields[1] == "a, b");
  CHECK(parsed.records[2].fields[1] == "he said \"stop\"");
  CHECK(parsed.records[3].fields[1] == "two\r\nlines");
  CHECK(parsed.records[3].line == 4);
  CHECK(parsed.records[4].line == 6);  // the quoted newline counted
  CHECK(parsed.records[4].fields == std::vector<std::string>{"4", "end"});
}

TEST_CASE("parse_csv: empty fields, a trailing comma and blank lines", "[csv]") {
  auto parsed = bot::parse_csv("a,b,c\n,,\n\n\nx,,\n");
  REQUIRE(parsed.error.empty());
  REQUIRE(parsed.records.size() == 3);
  CHECK(parsed.records[1].fields == std::vector<std::string>{"", "", ""});
  CHECK(parsed.records[2].fields == std::vector<std::string>{"x", "", ""});
  CHECK(parsed.records[2].line == 5);
}

TEST_CASE("parse_csv: an unterminated quote stops with its line, earlier records kept", "[csv]") {
  auto parsed = bot::parse_csv("a,b\n1,2\n3,\"never closed\n4,5\n");
  CHECK(parsed.error == "unterminated quoted field");
  CHECK(parsed.error_line == 3);
  CHECK(parsed.records.size() == 2);
}

TEST_CASE("CsvTableReader maps columns by name in any order and reports malformed rows by line", "[csv]") {
  const std::string text = " Plate ,NOTICE_ID,extra\r\nB 1 A,N1,x\r\nD 2 B,N2\r\n\"B\n3\",N3,y\r\n";
  bot::CsvReader reader(text);
  bot::CsvTableReader table(reader, {"notice_id", "plate"});
  REQUIRE(table.error().empty());
  CHECK(table.header() == std::vector<std::string>{"plate", "notice_id", "extra"});
  bot::CsvTableReader::Row row;
  REQUIRE(table.next(row));
  CHECK(row.line == 2);
  CHECK(row.error.empty());
  CHECK(row.fields.at("notice_id") == "N1");
  CHECK(row.fields.at("plate") == "B 1 A");
  REQUIRE(table.next(row));
  CHECK(row.line == 3);
  CHECK(row.error == "has 2 fields, the header has 3");
  CHECK(row.fields.empty());
  REQUIRE(table.next(row));  // the map is reused: values of the earlier rows never leak through
  CHECK(row.line == 4);
  CHECK(row.error.empty());
  CHECK(row.fields.at("plate") == "B\n3");
  CHECK(row.fields.at("notice_id") == "N3");
  CHECK(row.fields.at("extra") == "y");
  CHECK_FALSE(table.next(row));
  CHECK(table.trailing_error().empty());

  bot::CsvReader missing_reader(std::string_view("plate,owner\nB 1 A,x\n"));
  bot::CsvTableReader missing(missing_reader, {"notice_id", "plate", "owner_wa"});
  CHECK(missing.error() == "missing column(s): notice_id, owner_wa");
  CHECK_FALSE(missing.next(row));  // a refused file hands out no rows

  bot::CsvReader empty_reader(std::string_view(""));
  CHECK(bot::CsvTableReader(empty_reader, {"a"}).error() == "the file has no header row");
  bot::CsvReader blank_reader(std::string_view("\xEF\xBB\xBF\r\n  \n"));
  CHECK(bot::CsvTableReader(blank_reader, {"a"}).error() == "the file has no header row");
  bot::CsvReader open_header_reader(std::string_view("\"a\n1\n"));
  CHECK(bot::CsvTableReader(open_header_reader, {"a"}).error() == "unterminated quoted field");

  bot::CsvReader broken_reader(std::string_view("a\n1\n\"2\n"));
  bot::CsvTableReader broken(broken_reader, {"a"});
  CHECK(broken.error().empty());
  REQUIRE(broken.next(row));
  CHECK(row.fields.at("a") == "1");
  CHECK_FALSE(broken.next(row));
  CHECK(broken.trailing_error() == "unterminated quoted field");
  CHECK(broken.trailing_error_line() == 3);
}

TEST_CASE("CsvTableReader: a repeated column keeps its last value, as a map of the row would", "[csv]") {
  bot::CsvReader reader(std::string_view("a,A,b\n1,2,3\n4,5,6\n"));
  bot::CsvTableReader table(reader, {"a", "b"});
  REQUIRE(table.error().empty());
  bot::CsvTableReader::Row row;
  REQUIRE(table.next(row));
  CHECK(row.fields == std::map<std::string, std::string>{{"a", "2"}, {"b", "3"}});
  REQUIRE(table.next(row));
  CHECK(row.fields == std::map<std::string, std::string>{{"a", "5"}, {"b", "6"}});
}

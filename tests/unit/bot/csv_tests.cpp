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

TEST_CASE("read_csv_table maps columns by name in any order and reports malformed rows by line", "[csv]") {
  auto table = bot::read_csv_table(" Plate ,NOTICE_ID,extra\r\nB 1 A,N1,x\r\nD 2 B,N2\r\n\"B\n3\",N3,y\r\n",
                                   {"notice_id", "plate"});
  REQUIRE(table.error.empty());
  CHECK(table.header == std::vector<std::string>{"plate", "notice_id", "extra"});
  REQUIRE(table.rows.size() == 3);
  CHECK(table.rows[0].line == 2);
  CHECK(table.rows[0].fields.at("notice_id") == "N1");
  CHECK(table.rows[0].fields.at("plate") == "B 1 A");
  CHECK(table.rows[1].line == 3);
  CHECK(table.rows[1].error.find("2 fields") != std::string::npos);
  CHECK(table.rows[2].line == 4);
  CHECK(table.rows[2].fields.at("plate") == "B\n3");

  auto missing = bot::read_csv_table("plate,owner\nB 1 A,x\n", {"notice_id", "plate", "owner_wa"});
  CHECK(missing.error == "missing column(s): notice_id, owner_wa");
  CHECK(bot::read_csv_table("", {"a"}).error == "the file has no header row");
  auto broken = bot::read_csv_table("a\n1\n\"2\n", {"a"});
  CHECK(broken.error.empty());
  CHECK(broken.rows.size() == 1);
  CHECK(broken.trailing_error == "unterminated quoted field");
  CHECK(broken.trailing_error_line == 3);
}

// Fine import: RFC 4180 parsing, per-row validation with line numbers, idempotent upsert.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "bot/fines_import.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;

namespace {

const std::string header =
    "register_no,plate,violator_name,violation_date,article,fine_amount,court_fee,evidence,hearing_date,office,status\r\n";

}  // namespace

TEST_CASE("parse_csv handles quotes, escaped quotes, commas and newlines in quotes, BOM and CRLF", "[import][csv]") {
  const std::string text = "\xEF\xBB\xBF" "a,b,c\r\n"
                           "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
                           "2,\"line one\nline two\",z\r\n"
                           "\r\n"
                           "3,,last";
  auto parsed = bot::parse_csv(text);
  REQUIRE(parsed.error.empty());
  REQUIRE(parsed.records.size() == 4);
  CHECK(parsed.records[0].fields == std::vector<std::string>{"a", "b", "c"});
  CHECK(parsed.records[1].fields == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(parsed.records[1].line == 2);
  CHECK(parsed.records[2].fields == std::vector<std::string>{"2", "line one\nline two", "z"});
  CHECK(parsed.records[2].line == 3);
  // The quoted newline moved the line count on; the blank line is skipped.
  CHECK(parsed.records[3].line == 6);
  CHECK(parsed.records[3].fields == std::vector<std::string>{"3", "", "last"});
}

TEST_CASE("parse_csv reports an unterminated quote with its line and keeps earlier records", "[import][csv]") {
  auto parsed = bot::parse_csv("a,b\n1,2\n3,\"oops\n4,5\n");
  CHECK(parsed.error == "unterminated quoted field");
  CHECK(parsed.error_line == 3);
  CHECK(parsed.records.size() == 2);
}

TEST_CASE("validate_fine normalises and refuses with a reason", "[import]") {
  std::map<std::string, std::string> f{{"register_no", " e1234567 "}, {"plate", "b 1234 xyz"},
                                       {"violator_name", "Budi"},     {"violation_date", "2025-05-02"},
                                       {"article", "287 ayat (1)"},   {"fine_amount", "500000"},
                                       {"evidence", "sim+stnk"},      {"status", "unpaid"}};
  auto ok = bot::validate_fine(f);
  REQUIRE(std::holds_alternative<storage::FineRow>(ok));
  const auto& row = std::get<storage::FineRow>(ok);
  CHECK(row.register_no == "E1234567");
  CHECK(row.plate_normalized == "B1234XYZ");
  CHECK(row.evidence == "SIM+STNK");
  CHECK(row.status == "UNPAID");
  CHECK(row.court_fee == 0);

  auto bad_date = f;
  bad_date["violation_date"] = "2025-02-30";
  REQUIRE(std::holds_alternative<std::string>(bot::validate_fine(bad_date)));
  CHECK(std::get<std::string>(bot::validate_fine(bad_date)).find("violation_date") != std::string::npos);

  auto bad_amount = f;
  bad_amount["fine_amount"] = "500.000";
  CHECK(std::get<std::string>(bot::validate_fine(bad_amount)).find("fine_amount") != std::string::npos);

  auto bad_evidence = f;
  bad_evidence["evidence"] = "HELM";
  CHECK(std::get<std::string>(bot::validate_fine(bad_evidence)).find("evidence") != std::string::npos);

  auto bad_status = f;
  bad_status["status"] = "LUNAS";
  CHECK(std::get<std::string>(bot::validate_fine(bad_status)).find("status") != std::string::npos);

  auto bad_register = f;
  bad_register["register_no"] = "12345";
  CHECK(std::get<std::string>(bot::validate_fine(bad_register)).find("register_no") != std::string::npos);
}

TEST_CASE("import_fines_csv loads good rows, reports bad ones by line, and is idempotent", "[import]") {
  test::TempDir dir;
  auto store = storage::open_sqlite_engine_store(dir.file("t.db"));
  // Columns in another order, an unknown column, a quoted name with a comma.
  const std::string csv =
      "status,extra,register_no,plate,violator_name,violation_date,article,fine_amount,evidence,court_fee\r\n"
      "UNPAID,x,E1234567,B 1234 XYZ,\"Santoso, Budi\",2025-05-02,287 ayat (1),500000,SIM,5000\r\n"
      "UNPAID,x,E1234568,b1234xyz,Budi,2025-05-20,283,750000,STNK,5000\r\n"
      "UNPAID,x,E9,B 1 A,Budi,2025-05-20,283,750000,STNK,5000\r\n"
      "UNPAID,x,E7654321,D 1 AB,Ani,2025-13-01,283,750000,STNK,0\r\n"
      "UNPAID,x,E7654322,D 1 AB,Ani\r\n"
      "PAID,x,E2345678,D 4321 ABC,Siti,2025-04-11,289,250000,SIM,5000\r\n";
  auto first = bot::import_fines_csv(*store, csv, "100", 1000);
  REQUIRE(first.ok());
  CHECK(first.inserted == 3);
  CHECK(first.updated == 0);
  REQUIRE(first.rejected.size() == 3);
  CHECK(first.rejected[0].where == 4);
  CHECK(first.rejected[0].reason.find("register_no") != std::string::npos);
  CHECK(first.rejected[1].where == 5);
  CHECK(first.rejected[1].reason.find("violation_date") != std::string::npos);
  CHECK(first.rejected[2].where == 6);
  CHECK(first.rejected[2].reason.find("fields") != std::string::npos);

  auto by_plate = store->fines_by_plate("B1234XYZ");
  REQUIRE(by_plate.size() == 2);
  CHECK(by_plate[0].violator_name == "Santoso, Budi");
  CHECK(by_plate[0].court_fee == 5000);
  CHECK(by_plate[0].business_number == "100");

  // The same file again changes nothing.
  auto again = bot::import_fines_csv(*store, csv, "100", 2000);
  CHECK(again.inserted == 0);
  CHECK(again.updated == 0);
  CHECK(again.unchanged == 3);

  // A changed amount updates; an older status never undoes a newer one.
  REQUIRE(store->set_fine_status("E1234567", "PAID", 3000).ok);
  REQUIRE(store->commit().ok);
  auto changed = bot::import_fines_csv(
      *store, header + "E1234567,B 1234 XYZ,\"Santoso, Budi\",2025-05-02,287 ayat (1),600000,5000,SIM,,,UNPAID\r\n", "100",
      4000);
  CHECK(changed.updated == 1);
  auto row = store->fines_by_register("E1234567");
  REQUIRE(row.size() == 1);
  CHECK(row[0].fine_amount == 600000);
  CHECK(row[0].status == "PAID");
}

TEST_CASE("import_fines_csv refuses a file without the required columns", "[import]") {
  test::TempDir dir;
  auto store = storage::open_sqlite_engine_store(dir.file("t.db"));
  auto result = bot::import_fines_csv(*store, "register_no,plate\nE1234567,B 1 A\n", "100", 1);
  CHECK_FALSE(result.ok());
  CHECK(result.error.find("violator_name") != std::string::npos);
  CHECK(store->fines_by_register("E1234567").empty());
}

TEST_CASE("import_fines_json reports bad items by index", "[import]") {
  test::TempDir dir;
  auto store = storage::open_sqlite_engine_store(dir.file("t.db"));
  auto body = nlohmann::json::parse(R"([
    {"register_no":"E1111111","plate":"B 1 AB","violator_name":"A","violation_date":"2025-01-02","article":"281",
     "fine_amount":1000000,"court_fee":5000,"evidence":"SIM","status":"UNPAID"},
    "not an object",
    {"register_no":"E2222222","plate":"B 2 AB","violator_name":"B","violation_date":"2025-01-02","article":"281",
     "fine_amount":-5,"evidence":"SIM","status":"UNPAID"}
  ])");
  auto result = bot::import_fines_json(*store, body, "100", 1);
  CHECK(result.inserted == 1);
  REQUIRE(result.rejected.size() == 2);
  CHECK(result.rejected[0].where == 1);
  CHECK(result.rejected[1].where == 2);
  auto j = bot::to_json(result, "index");
  CHECK(j["rejected"][1]["index"] == 2);
  CHECK(store->fines_by_register("E1111111").at(0).fine_amount == 1000000);
}

TEST_CASE("run_import_fines prints counts and rejected lines", "[import]") {
  test::TempDir dir;
  const std::string file = dir.file("fines.csv");
  std::ofstream(file) << header << "E1234567,B 1234 XYZ,Budi,2025-05-02,287,500000,5000,SIM,,,UNPAID\n"
                      << "bad,B 1234 XYZ,Budi,2025-05-02,287,500000,5000,SIM,,,UNPAID\n";
  std::ostringstream out, err;
  CHECK(bot::run_import_fines(dir.file("db.sqlite"), file, "100", out, err) == 0);
  CHECK(out.str().find("1 inserted") != std::string::npos);
  CHECK(out.str().find("fines.csv:3: rejected") != std::string::npos);
  std::ostringstream out2, err2;
  CHECK(bot::run_import_fines(dir.file("db.sqlite"), dir.file("missing.csv"), "100", out2, err2) == 1);
}

// The imports read their files as a stream: real files in temp dirs, read in chunks small enough
// that records span chunk boundaries, stored in real SQLite; same lines, counts and output as ever,
// and memory held bounded by one chunk, one record and one transaction's notices.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "bot/etle_import.hpp"
#include "bot/fines_import.hpp"
#include "storage/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;

namespace {

bot::EtleImportOptions options() {
  bot::EtleImportOptions o;
  o.business_number = "100";
  return o;
}

std::int64_t count(const std::string& db, const std::string& sql) {
  storage::sqlite::Connection c(db);
  return c.query_int(sql).value_or(-1);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// "etle batch ETLE-...: 3 accepted, ..." -> the batch id.
std::string batch_of(const std::string& summary) {
  std::smatch m;
  return std::regex_search(summary, m, std::regex("^etle batch (ETLE-[^:]+): ")) ? m[1].str() : std::string();
}

const std::string etle_header =
    "notice_id,plate,owner_name,owner_wa,violation_time,location,article,fine_amount,photo_url,confirm_by";

// A notice row; `wa` lets a test make it bad.
std::string etle_row(int i, const std::string& wa) {
  return "ETLE-" + std::to_string(i) + ",B " + std::to_string(1000 + i % 9000) + " XYZ,\"Pemilik " + std::to_string(i) +
         ", S.T.\"," + wa + ",2025-05-12T08:31:00+07:00,\"Jl. Sudirman No. " + std::to_string(i % 500) +
         ", Jakarta\",287 ayat (1),500000,https://etle-pmj.polri.go.id/foto/" + std::to_string(i) + ",2025-05-20";
}

}  // namespace

TEST_CASE("import etle streams a file: BOM, CRLF, quoted newlines across chunk boundaries, lines of bad rows",
          "[etle][import][stream]") {
  // Quoted commas, "" escapes and CRLFs inside quotes; a bad row after a quoted newline (its line counts
  // the newlines); a short row; a last row without a newline.
  const std::string csv = "\xEF\xBB\xBF" + etle_header + "\r\n" +
                          "N-1,B 1234 XYZ,\"Santoso, Budi\",081234567890,2025-05-12T08:31:00+07:00,"
                          "\"Jl. Sudirman,\r\nBlok \"\"A\"\"\r\nJakarta\",287,500000,https://etle-pmj.polri.go.id/foto/1,"
                          "2025-05-20\r\n"
                          "N-2,B 1 A,Ani,0811,2025-05-12T09:00:00+07:00,Jl. A,287,,,2025-05-20\r\n"
                          "N-3,B 2 A,Ani,081100000003,2025-05-12T09:00:00+07:00,\"Jl. B\nno. 3\",287,,,2025-05-20\r\n"
                          "N-4,B 3 A\r\n"
                          "N-5,B 5 A,Ani,081100000005,2025-05-12T09:00:00+07:00,Jl. C,287,,,2025-05-20";
  for (std::size_t chunk : {1u, 7u, 64u, 65536u}) {
    INFO("chunk size " << chunk);
    test::TempDir dir;
    const std::string file = dir.file("notices.csv");
    const std::string db = dir.file("t.db");
    write_file(file, csv);
    std::ostringstream out, err;
    REQUIRE(bot::run_import_etle(db, file, options(), out, err, chunk) == 0);
    CHECK(err.str().empty());
    auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == file + ":5: rejected: owner_wa '0811' is not a WhatsApp number (10-15 digits with country code, or 08...)");
    CHECK(lines[1] == file + ":8: rejected: has 2 fields, the header has 10");
    CHECK(std::regex_match(lines[2], std::regex("etle batch ETLE-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}: 3 accepted, 0 duplicates, 2 rejected")));

    auto store = storage::open_sqlite_etle_store(db);
    auto n1 = store->notice("N-1");
    REQUIRE(n1);
    CHECK(n1->notice.location == "Jl. Sudirman,\r\nBlok \"A\"\r\nJakarta");
    CHECK(n1->notice.owner_name == "Santoso, Budi");
    REQUIRE(store->notice("N-3"));
    CHECK(store->notice("N-3")->notice.location == "Jl. B\nno. 3");
    REQUIRE(store->notice("N-5"));  // the last line had no newline
    CHECK_FALSE(store->notice("N-2"));
    auto batch = store->batch(batch_of(lines[2]));
    REQUIRE(batch);
    CHECK(batch->total == 3);
    CHECK(batch->rejected == 2);
    CHECK(batch->label == file);

    // Again: nothing new, nothing sent twice, the same lines reported.
    std::ostringstream out2, err2;
    REQUIRE(bot::run_import_etle(db, file, options(), out2, err2, chunk) == 0);
    auto again = lines_of(out2.str());
    REQUIRE(again.size() == 3);
    CHECK(again[0] == lines[0]);
    CHECK(again[2].find(": 0 accepted, 3 duplicates, 2 rejected") != std::string::npos);
    CHECK(count(db, "SELECT count(*) FROM outbox") == 3);
  }
}

TEST_CASE("import etle: an empty file is refused; a header-only file records an empty batch", "[etle][import][stream]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  write_file(dir.file("empty.csv"), "");
  std::ostringstream out, err;
  CHECK(bot::run_import_etle(db, dir.file("empty.csv"), options(), out, err) == 1);
  CHECK(out.str() == "etle batch -: 0 accepted, 0 duplicates, 0 rejected\n");
  CHECK(err.str() == "tilangbot: " + dir.file("empty.csv") + ": the file has no header row\n");

  write_file(dir.file("header.csv"), "\xEF\xBB\xBF" + etle_header + "\r\n");
  std::ostringstream out2, err2;
  CHECK(bot::run_import_etle(db, dir.file("header.csv"), options(), out2, err2, 5) == 0);
  CHECK(err2.str().empty());
  CHECK(out2.str().find(": 0 accepted, 0 duplicates, 0 rejected\n") != std::string::npos);
  auto store = storage::open_sqlite_etle_store(db);
  auto batch = store->batch(batch_of(out2.str()));
  REQUIRE(batch);  // the batch printed exists
  CHECK(batch->total == 0);

  write_file(dir.file("columns.csv"), "notice_id,plate\r\nN-1,B 1 A\r\n");
  std::ostringstream out3, err3;
  CHECK(bot::run_import_etle(db, dir.file("columns.csv"), options(), out3, err3) == 1);
  CHECK(err3.str().find("missing column(s): owner_wa, violation_time, location, article, confirm_by") !=
        std::string::npos);
  CHECK(count(db, "SELECT count(*) FROM etle_notices") == 0);
}

TEST_CASE("import etle: an unterminated quote keeps the rows before it and names its line", "[etle][import][stream]") {
  test::TempDir dir;
  const std::string file = dir.file("n.csv");
  write_file(file, etle_header + "\n" + etle_row(1, "6281210000001") + "\n" + etle_row(2, "6281210000002") +
                       "\nN-3,B 3 A,\"never closed,6281210000003\n"
                       "N-4,B 4 A,Ani,081100000004,2025-05-12T09:00:00+07:00,Jl. C,287,,,2025-05-20\n");
  std::ostringstream out, err;
  CHECK(bot::run_import_etle(dir.file("t.db"), file, options(), out, err, 3) == 0);
  auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == file + ":4: rejected: unterminated quoted field (rest of the file skipped)");
  CHECK(lines[1].find(": 2 accepted, 0 duplicates, 1 rejected") != std::string::npos);
  CHECK(count(dir.file("t.db"), "SELECT count(*) FROM etle_notices") == 2);
}

TEST_CASE("import etle: 50,000 rows stream through bounded transactions; rejected rows go to the sink in order",
          "[etle][import][stream]") {
  test::TempDir dir;
  const std::string file = dir.file("big.csv");
  const std::string db = dir.file("t.db");
  constexpr int rows = 50'000;
  std::size_t longest = 0;
  {
    std::ofstream out(file, std::ios::binary);
    out << etle_header << "\r\n";
    for (int i = 0; i < rows; ++i) {
      // Every 1,000th row has a number too short to be a WhatsApp number.
      const std::string row = etle_row(i, i % 1000 == 999 ? "0811" : std::to_string(6281210000000 + i)) + "\r\n";
      longest = std::max(longest, row.size());
      out << row;
    }
  }
  auto store = storage::open_sqlite_etle_store(db);
  auto opts = options();
  opts.rows_per_transaction = 1000;
  std::vector<bot::EtleRejected> seen;
  const bot::EtleRejectSink sink = [&](const bot::EtleRejected& r) { seen.push_back(r); };

  std::ifstream in(file, std::ios::binary);
  bot::CsvReader reader(in, 4096);
  auto result = bot::import_etle_csv(*store, reader, opts, "big.csv", 1000, sink);
  REQUIRE(result.ok());
  CHECK(result.accepted == rows - 50);
  CHECK(result.duplicates == 0);
  CHECK(result.rejected_count == 50);
  CHECK(result.rejected.empty());  // the sink took them
  REQUIRE(seen.size() == 50);
  CHECK(seen.front().where == 999 + 2);  // row i is on line i + 2
  CHECK(seen.back().where == 49'999 + 2);
  CHECK(seen[1].reason.find("owner_wa '0811'") == 0);
  // Bounded memory: never more than one transaction's notices, one chunk and one record.
  CHECK(result.peak_rows_held == opts.rows_per_transaction);
  CHECK(reader.stats().records == rows + 1);
  CHECK(reader.stats().peak_held_bytes <= 4096 + longest);

  CHECK(count(db, "SELECT count(*) FROM etle_notices") == rows - 50);
  CHECK(count(db, "SELECT count(*) FROM outbox WHERE kind = 'template'") == rows - 50);
  auto batch = store->batch(result.batch);
  REQUIRE(batch);
  CHECK(batch->total == rows - 50);
  CHECK(batch->rejected == 50);
}

TEST_CASE("import fines streams a file: BOM, CRLF, a quoted newline across chunks, lines of bad rows, idempotent",
          "[import][stream]") {
  const std::string csv =
      "\xEF\xBB\xBF" "register_no,plate,violator_name,violation_date,article,fine_amount,court_fee,evidence,hearing_date,"
      "office,status\r\n"
      "E1234567,B 1234 XYZ,\"Santoso,\r\nBudi \"\"Bud\"\"\",2025-05-02,287 ayat (1),500000,5000,SIM,,\"Kejari\nJaksel\","
      "UNPAID\r\n"
      "E1234568,B 1 A,Ani,2025-02-30,283,750000,,STNK,,,UNPAID\r\n"
      "E1234569,B 2 A\r\n"
      "E1234570,B 3 A,Ani,2025-05-02,283,750000,,STNK,,,PAID";
  for (std::size_t chunk : {1u, 5u, 65536u}) {
    INFO("chunk size " << chunk);
    test::TempDir dir;
    const std::string file = dir.file("fines.csv");
    const std::string db = dir.file("t.db");
    write_file(file, csv);
    std::ostringstream out, err;
    REQUIRE(bot::run_import_fines(db, file, "100", out, err, chunk) == 0);
    CHECK(err.str().empty());
    CHECK(out.str() == file + ":5: rejected: violation_date '2025-02-30' is not a date YYYY-MM-DD\n" + file +
                           ":6: rejected: has 2 fields, the header has 11\n"
                           "fines: 2 inserted, 0 updated, 0 unchanged, 2 rejected\n");
    auto store = storage::open_sqlite_engine_store(db);
    auto fine = store->fines_by_register("E1234567");
    REQUIRE(fine.size() == 1);
    CHECK(fine[0].violator_name == "Santoso,\r\nBudi \"Bud\"");
    CHECK(fine[0].office == "Kejari\nJaksel");
    REQUIRE(store->fines_by_register("E1234570").size() == 1);  // no newline after the last row
    CHECK(store->fines_by_register("E1234570")[0].status == "PAID");
    store.reset();

    std::ostringstream out2, err2;
    REQUIRE(bot::run_import_fines(db, file, "100", out2, err2, chunk) == 0);
    CHECK(out2.str().find("fines: 0 inserted, 0 updated, 2 unchanged, 2 rejected\n") != std::string::npos);
  }
}

TEST_CASE("import fines: an empty file is refused, a header-only file loads nothing", "[import][stream]") {
  test::TempDir dir;
  write_file(dir.file("empty.csv"), "\xEF\xBB\xBF");
  std::ostringstream out, err;
  CHECK(bot::run_import_fines(dir.file("t.db"), dir.file("empty.csv"), "100", out, err) == 1);
  CHECK(out.str() == "fines: 0 inserted, 0 updated, 0 unchanged, 0 rejected\n");
  CHECK(err.str() == "tilangbot: " + dir.file("empty.csv") + ": the file has no header row\n");

  write_file(dir.file("header.csv"),
             "register_no,plate,violator_name,violation_date,article,fine_amount,evidence,status");
  std::ostringstream out2, err2;
  CHECK(bot::run_import_fines(dir.file("t.db"), dir.file("header.csv"), "100", out2, err2, 2) == 0);
  CHECK(out2.str() == "fines: 0 inserted, 0 updated, 0 unchanged, 0 rejected\n");
  CHECK(err2.str().empty());
}

TEST_CASE("import fines: 20,000 rows from a file in bounded memory, rejected rows to the sink", "[import][stream]") {
  test::TempDir dir;
  const std::string file = dir.file("fines.csv");
  constexpr int rows = 20'000;
  {
    std::ofstream out(file, std::ios::binary);
    out << "register_no,plate,violator_name,violation_date,article,fine_amount,evidence,status\n";
    for (int i = 0; i < rows; ++i) {
      out << "E" << (1'000'000 + i) << ",B " << (1000 + i % 9000) << " XYZ,\"Budi, " << i << "\",2025-05-02,287,"
          << (i % 500 == 0 ? "0" : "500000") << ",SIM,UNPAID\n";
    }
  }
  auto store = storage::open_sqlite_engine_store(dir.file("t.db"));
  std::size_t sunk = 0;
  std::size_t first_line = 0;
  const bot::FineRejectSink sink = [&](const bot::RejectedRow& r) {
    if (sunk++ == 0) first_line = r.where;
  };
  std::ifstream in(file, std::ios::binary);
  bot::CsvReader reader(in, 1000);
  auto result = bot::import_fines_csv(*store, reader, "100", 1000, sink);
  REQUIRE(result.ok());
  CHECK(result.inserted == rows - rows / 500);
  CHECK(result.rejected_count == rows / 500);
  CHECK(sunk == rows / 500);
  CHECK(first_line == 2);
  CHECK(result.rejected.empty());
  CHECK(reader.stats().peak_held_bytes <= 1000 + 100);
  CHECK(count(dir.file("t.db"), "SELECT count(*) FROM fines") == rows - rows / 500);
}

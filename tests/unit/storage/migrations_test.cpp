#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include "storage/migrations.hpp"
#include "storage/sqlite.hpp"
#include "storage/store.hpp"
#include "tests/unit/storage/temp_dir.hpp"

using namespace tilang::storage;
using tilang::storage::testing::TempDir;

namespace {

std::int64_t count(sqlite::Connection& db, const std::string& sql) {
  const auto value = db.query_int(sql);
  REQUIRE(value.has_value());
  return *value;
}

bool table_exists(sqlite::Connection& db, const std::string& name) {
  return count(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'") == 1;
}

}  // namespace

TEST_CASE("migration_version reads the leading number", "[migrations]") {
  CHECK(migration_version("0001_foundation.sql") == 1);
  CHECK(migration_version("0042_x.sql") == 42);
  CHECK(migration_version("sub/0007_y.sql") == 7);
  CHECK(migration_version("foundation.sql") == 0);
}

TEST_CASE("builtin migrations are embedded and numbered from 1", "[migrations]") {
  const auto& files = builtin_migration_files();
  REQUIRE_FALSE(files.empty());
  CHECK(files.front().first == "0001_foundation.sql");
  CHECK(files.front().second.find("CREATE TABLE inbox") != std::string_view::npos);
}

TEST_CASE("migrate_sqlite creates the folder is versioned and idempotent", "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("nested/deeper/db.sqlite");
  const int version = migrate_sqlite(path);
  CHECK(version == migration_version(builtin_migration_files().back().first));
  CHECK(std::filesystem::exists(path));

  CHECK(migrate_sqlite(path) == version);
  CHECK(migrate_sqlite(path) == version);

  sqlite::Connection db(path);
  CHECK(count(db, "SELECT count(*) FROM schema_migrations") ==
        static_cast<std::int64_t>(builtin_migration_files().size()));
  CHECK(count(db, "SELECT count(*) FROM schema_migrations WHERE applied_at > 1600000000") ==
        static_cast<std::int64_t>(builtin_migration_files().size()));
  for (const char* table : {"inbox_progress", "inbox_parse_failures", "inbound_messages", "message_status",
                            "notification_errors", "health"}) {
    INFO(table);
    CHECK(table_exists(db, table));
  }
}

TEST_CASE("a migrated database opens while another connection holds the write lock", "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  migrate_sqlite(path);
  sqlite::Connection writer(path);
  REQUIRE(writer.exec("BEGIN IMMEDIATE").ok);  // a busy service mid-commit

  // Nothing to apply, so no write lock is needed: it must not wait out its (short) busy timeout.
  sqlite::Connection reader(path, /*busy_timeout_ms=*/20);
  const MigrationResult result = apply_migrations(reader, builtin_migration_files());
  CHECK(result.status.ok);
  CHECK(result.applied == 0);
  CHECK(result.version == migration_version(builtin_migration_files().back().first));
  REQUIRE(writer.exec("COMMIT").ok);
}

TEST_CASE("the connection uses WAL synchronous FULL and foreign keys", "[migrations]") {
  TempDir dir;
  sqlite::Connection db(dir.file("db.sqlite"));
  auto mode = db.prepare("PRAGMA journal_mode");
  REQUIRE(mode.step() == sqlite::Step::row);
  CHECK(mode.column_text(0) == "wal");
  CHECK(count(db, "PRAGMA synchronous") == 2);  // FULL
  CHECK(count(db, "PRAGMA foreign_keys") == 1);
  // Waiting for a lock is a custom busy handler (fine-grained polling), not PRAGMA busy_timeout.
}

TEST_CASE("later migrations apply once each in order", "[migrations]") {
  TempDir dir;
  sqlite::Connection db(dir.file("db.sqlite"));
  std::vector<MigrationFile> files(builtin_migration_files().begin(), builtin_migration_files().end());
  const int base = migration_version(files.back().first);

  MigrationResult first = apply_migrations(db, files);
  REQUIRE(first.status.ok);
  CHECK(first.applied == static_cast<int>(files.size()));
  CHECK(first.version == base);

  files.emplace_back("9000_extra.sql", "CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1);");
  MigrationResult second = apply_migrations(db, files);
  REQUIRE(second.status.ok);
  CHECK(second.applied == 1);
  CHECK(second.version == 9000);

  MigrationResult third = apply_migrations(db, files);
  REQUIRE(third.status.ok);
  CHECK(third.applied == 0);
  CHECK(third.version == 9000);
  // Run twice, the INSERT in 9000 would have left two rows.
  CHECK(count(db, "SELECT count(*) FROM extra") == 1);
}

TEST_CASE("a failing migration is rolled back whole and stops the run", "[migrations]") {
  TempDir dir;
  sqlite::Connection db(dir.file("db.sqlite"));
  std::vector<MigrationFile> files(builtin_migration_files().begin(), builtin_migration_files().end());
  files.emplace_back("9001_half.sql", "CREATE TABLE half (x INTEGER); CREATE TABLE broken (;");
  files.emplace_back("9002_after.sql", "CREATE TABLE after_broken (x INTEGER);");

  MigrationResult result = apply_migrations(db, files);
  CHECK_FALSE(result.status.ok);
  CHECK(result.status.error.find("9001_half.sql") != std::string::npos);
  CHECK_FALSE(table_exists(db, "half"));
  CHECK_FALSE(table_exists(db, "after_broken"));
  CHECK(table_exists(db, "inbound_messages"));
  CHECK(count(db, "SELECT max(version) FROM schema_migrations") ==
        migration_version(builtin_migration_files().back().first));
}

TEST_CASE("migration files out of order are refused before anything runs", "[migrations]") {
  TempDir dir;
  sqlite::Connection db(dir.file("db.sqlite"));
  const std::vector<MigrationFile> files{{"0002_b.sql", "CREATE TABLE b (x);"}, {"0001_a.sql", "CREATE TABLE a (x);"}};
  MigrationResult result = apply_migrations(db, files);
  CHECK_FALSE(result.status.ok);
  CHECK_FALSE(table_exists(db, "a"));
  CHECK_FALSE(table_exists(db, "b"));

  const std::vector<MigrationFile> unnumbered{{"a.sql", "CREATE TABLE a (x);"}};
  CHECK_FALSE(apply_migrations(db, unnumbered).status.ok);
}

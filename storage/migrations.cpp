#include "storage/migrations.hpp"

#include <string>

namespace tilang::storage {

int migration_version(std::string_view file_name) {
  // Only the base name counts, should the embedder ever keep sub-folders.
  if (const auto slash = file_name.rfind('/'); slash != std::string_view::npos) {
    file_name.remove_prefix(slash + 1);
  }
  int version = 0;
  std::size_t digits = 0;
  for (const char c : file_name) {
    if (c < '0' || c > '9') break;
    if (version > 100'000'000) return 0;
    version = version * 10 + (c - '0');
    ++digits;
  }
  return digits == 0 ? 0 : version;
}

MigrationResult apply_migrations(sqlite::Connection& connection, std::span<const MigrationFile> files) {
  MigrationResult result;
  if (Status status = connection.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                      " version INTEGER PRIMARY KEY,"
                                      " name TEXT NOT NULL,"
                                      " applied_at INTEGER NOT NULL)");
      !status.ok) {
    result.status = Status::failure("cannot create schema_migrations: " + status.error);
    return result;
  }

  // Files must be numbered strictly upwards: a duplicate or unnumbered name is a packaging bug.
  int previous = 0;
  for (const auto& [name, sql] : files) {
    const int version = migration_version(name);
    if (version <= previous) {
      result.status = Status::failure("migration " + std::string(name) + " is not numbered above the one before it");
      return result;
    }
    previous = version;
  }

  auto is_applied = connection.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
  // Usually everything is applied already: find that out with reads alone, so that opening another
  // connection to a busy database does not queue for the write lock once per migration file.
  bool all_applied = true;
  for (const auto& [name, sql] : files) {
    auto check = is_applied.use();
    check->bind_int(1, migration_version(name));
    if (check->step() != sqlite::Step::row) {
      all_applied = false;
      break;
    }
  }

  auto record =
      connection.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, unixepoch())");

  for (const auto& [name, sql] : files) {
    if (all_applied) break;
    const int version = migration_version(name);
    sqlite::Transaction transaction(connection);
    if (!transaction.status().ok) {
      result.status =
          Status::failure("cannot begin migration " + std::string(name) + ": " + transaction.status().error);
      return result;
    }
    {
      auto check = is_applied.use();
      check->bind_int(1, version);
      const sqlite::Step step = check->step();
      if (step == sqlite::Step::error) {
        result.status = Status::failure("cannot read schema_migrations: " + check->error());
        return result;
      }
      if (step == sqlite::Step::row) continue;  // already applied (by us earlier or by another process)
    }
    if (Status status = connection.exec(sql); !status.ok) {
      result.status = Status::failure("migration " + std::string(name) + " failed: " + status.error);
      return result;
    }
    {
      auto insert = record.use();
      insert->bind_int(1, version).bind_text(2, name);
      if (Status status = insert->run(); !status.ok) {
        result.status = Status::failure("cannot record migration " + std::string(name) + ": " + status.error);
        return result;
      }
    }
    if (Status status = transaction.commit(); !status.ok) {
      result.status = Status::failure("cannot commit migration " + std::string(name) + ": " + status.error);
      return result;
    }
    ++result.applied;
  }

  const auto version = connection.query_int("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version) {
    result.status = Status::failure("cannot read schema version: " + connection.error_message());
    return result;
  }
  result.version = static_cast<int>(*version);
  return result;
}

}  // namespace tilang::storage

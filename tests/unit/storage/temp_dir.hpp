// Storage tests' helpers: the shared TempDir (tests/support) and size caps relative to the schema.
#pragma once

#include <cstdint>
#include <string>

#include "storage/sqlite.hpp"
#include "storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace tilang::storage::testing {

using TempDir = tilang::test::TempDir;

// A StoreOptions::max_page_count (pages of 4 KiB) that leaves `spare_bytes` of room in the inbox
// file beside the database at `path` (created here): webhook bodies go to that file.
inline std::int64_t inbox_page_cap(const std::string& path, std::int64_t spare_bytes) {
  { auto created = open_sqlite_store({path, 0}); }
  sqlite::Connection db(inbox_path_for(path));
  const std::int64_t pages = db.query_int("PRAGMA page_count").value_or(0);
  const std::int64_t page_size = db.query_int("PRAGMA page_size").value_or(4096);
  return (pages * page_size + spare_bytes) / 4096;
}

}  // namespace tilang::storage::testing

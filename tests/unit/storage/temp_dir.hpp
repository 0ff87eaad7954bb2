// A fresh folder under /tmp per test, removed with everything in it afterwards.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "storage/sqlite.hpp"
#include "storage/store.hpp"

namespace tilang::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/tilang-storage-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A StoreOptions::max_page_count (pages of 4 KiB) that leaves `spare_bytes` of room in the inbox
// file beside the database at `path` (created here): webhook bodies go to that file.
inline std::int64_t inbox_page_cap(const std::string& path, std::int64_t spare_bytes) {
  { auto created = open_sqlite_store({path, 0}); }
  sqlite::Connection db(inbox_path_for(path));
  const std::int64_t pages = db.query_int("PRAGMA page_count").value_or(0);
  const std::int64_t page_size = db.query_int("PRAGMA page_size").value_or(4096);
  return (pages * page_size + spare_bytes) / 4096;
}

// Pages of a freshly migrated database at `path` (created here), so size caps in tests stay
// relative to the schema, which grows with every migration.
inline std::int64_t schema_pages(const std::string& path) {
  { auto created = open_sqlite_store({path, 0}); }
  sqlite::Connection db(path);
  auto pages = db.prepare("PRAGMA page_count");
  pages.step();
  return pages.column_int(0);
}

}  // namespace tilang::storage::testing

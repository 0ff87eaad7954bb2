// The raw webhook inbox in a SQLite file of its own (see inbox_path_for), next to the main database.
// Why its own file: a webhook's 200 waits for the inbox commit, and in one file that commit would
// queue for the single WAL write lock behind the parser, the engine's turns and the sender's
// bookkeeping. Here the ingest writer is the only writer, so a group commit is one append + fsync.
// Rows are appended only; what has been parsed is recorded in the main database (inbox_progress),
// atomically with the parse results, so nothing in this file changes when a row is parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/sqlite.hpp"
#include "storage/store.hpp"

namespace tilang::storage {

class InboxLog {
 public:
  // Opens (creating) the file; `max_bytes` caps its size (0: no cap). Throws std::runtime_error
  // with a one-line reason.
  InboxLog(const std::string& path, std::int64_t max_bytes, bool checkpoints);

  // Appends in ONE transaction (one fsync for the group); ids keep increasing, never reused.
  Status append(std::span<const InboxRow> rows);
  // Rows keeping their ids (moving the inbox of an older schema in); rows already there are kept.
  Status adopt(std::span<const InboxRow> rows);

  std::vector<InboxRow> rows_after(std::int64_t id, std::size_t limit);
  std::int64_t count_after(std::int64_t id);
  std::optional<std::int64_t> received_at_of_first_after(std::int64_t id);
  std::int64_t last_id();  // highest id ever given (0 when none)
  std::int64_t total();

  // Deletes rows up to `through_id` received before `before_ms`; returns how many, or -1 on failure.
  std::int64_t prune(std::int64_t through_id, std::int64_t before_ms);
  // Copies the WAL into the file without waiting for the writer (the writer itself never does).
  void checkpoint();
  bool writable();

 private:
  sqlite::Connection db_;  // first: destroyed after the statements
  sqlite::Statement insert_;
  sqlite::Statement adopt_;
  sqlite::Statement select_after_;
  sqlite::Statement count_after_;
  sqlite::Statement first_after_;
  sqlite::Statement last_id_;
  sqlite::Statement total_;
  sqlite::Statement prune_;
  sqlite::Statement headroom_;
};

}  // namespace tilang::storage

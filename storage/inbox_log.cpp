#include "storage/inbox_log.hpp"

#include <algorithm>
#include <stdexcept>

namespace tilang::storage {
namespace {

// AUTOINCREMENT: ids are never reused even after the newest rows were pruned, because the main
// database's parse watermark ("parsed through id N") must never cover a row that comes later.
constexpr const char* schema =
    "CREATE TABLE IF NOT EXISTS inbox ("
    "  id             INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  received_at_ms INTEGER NOT NULL,"
    "  body           BLOB    NOT NULL);"
    "CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL);"
    // Pruned bodies hold citizens' messages: overwrite them on delete (retention, privacy).
    "PRAGMA secure_delete=ON;";

// 16 KiB pages: a group commit of ~2 KiB bodies writes a quarter as many WAL frames (each frame is
// two write calls) as with 4 KiB pages; measured here ~25% less time per commit. A new file only.
constexpr int inbox_page_size = 16384;

}  // namespace

InboxLog::InboxLog(const std::string& path, std::int64_t max_bytes, bool checkpoints)
    : db_(path, 5000, inbox_page_size) {
  if (Status created = db_.exec(schema); !created.ok) {
    throw std::runtime_error("cannot create the inbox in " + path + ": " + created.error);
  }
  if (!checkpoints) {
    if (Status off = db_.exec("PRAGMA wal_autocheckpoint=0"); !off.ok) {
      throw std::runtime_error("cannot set wal_autocheckpoint: " + off.error);
    }
  }
  if (max_bytes > 0) {
    // SQLite keeps the cap at least at the current size; anything above it fails with SQLITE_FULL.
    const std::int64_t pages = std::max<std::int64_t>(1, max_bytes / inbox_page_size);
    if (Status capped = db_.exec("PRAGMA max_page_count = " + std::to_string(pages)); !capped.ok) {
      throw std::runtime_error("cannot set max_page_count: " + capped.error);
    }
  }
  insert_ = db_.prepare("INSERT INTO inbox(received_at_ms, body) VALUES (?1, ?2)");
  adopt_ = db_.prepare("INSERT OR IGNORE INTO inbox(id, received_at_ms, body) VALUES (?1, ?2, ?3)");
  select_after_ = db_.prepare("SELECT id, received_at_ms, body FROM inbox WHERE id > ?1 ORDER BY id LIMIT ?2");
  count_after_ = db_.prepare("SELECT count(*) FROM inbox WHERE id > ?1");
  first_after_ = db_.prepare("SELECT received_at_ms FROM inbox WHERE id > ?1 ORDER BY id LIMIT 1");
  last_id_ = db_.prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'inbox'), 0)");
  total_ = db_.prepare("SELECT count(*) FROM inbox");
  prune_ = db_.prepare("DELETE FROM inbox WHERE id <= ?1 AND received_at_ms < ?2");
  headroom_ = db_.prepare(
      "SELECT (SELECT * FROM pragma_max_page_count()) - (SELECT * FROM pragma_page_count())"
      " + (SELECT * FROM pragma_freelist_count())");
}

Status InboxLog::append(std::span<const InboxRow> rows) {
  if (rows.empty()) return Status::success();
  sqlite::Transaction transaction(db_);
  if (!transaction.status().ok) return transaction.status();
  for (const InboxRow& row : rows) {
    auto insert = insert_.use();
    insert->bind_int(1, row.received_at_ms).bind_blob(2, row.body);
    if (Status status = insert->run(); !status.ok) return Status::failure("cannot append to inbox: " + status.error);
  }
  if (Status status = transaction.commit(); !status.ok) {
    return Status::failure("cannot commit inbox append: " + status.error);
  }
  return Status::success();
}

Status InboxLog::adopt(std::span<const InboxRow> rows) {
  sqlite::Transaction transaction(db_);
  if (!transaction.status().ok) return transaction.status();
  for (const InboxRow& row : rows) {
    auto insert = adopt_.use();
    insert->bind_int(1, row.id).bind_int(2, row.received_at_ms).bind_blob(3, row.body);
    if (Status status = insert->run(); !status.ok) return Status::failure("cannot adopt inbox row: " + status.error);
  }
  return transaction.commit();
}

std::vector<InboxRow> InboxLog::rows_after(std::int64_t id, std::size_t limit) {
  std::vector<InboxRow> rows;
  auto select = select_after_.use();
  select->bind_int(1, id).bind_int(2, static_cast<std::int64_t>(limit));
  while (select->step() == sqlite::Step::row) {
    rows.push_back({select->column_int(0), select->column_int(1), select->column_blob(2)});
  }
  return rows;
}

std::int64_t InboxLog::count_after(std::int64_t id) {
  auto select = count_after_.use();
  select->bind_int(1, id);
  return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
}

std::optional<std::int64_t> InboxLog::received_at_of_first_after(std::int64_t id) {
  auto select = first_after_.use();
  select->bind_int(1, id);
  if (select->step() != sqlite::Step::row) return std::nullopt;
  return select->column_int(0);
}

std::int64_t InboxLog::last_id() {
  auto select = last_id_.use();
  return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
}

std::int64_t InboxLog::total() {
  auto select = total_.use();
  return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
}

std::int64_t InboxLog::prune(std::int64_t through_id, std::int64_t before_ms) {
  auto del = prune_.use();
  del->bind_int(1, through_id).bind_int(2, before_ms);
  if (!del->run().ok) return -1;
  return db_.changes();
}

void InboxLog::checkpoint() { (void)db_.exec("PRAGMA wal_checkpoint(PASSIVE)"); }

bool InboxLog::writable() {
  // A file at its page cap still commits in-place updates, yet cannot take one more row.
  {
    auto headroom = headroom_.use();
    if (headroom->step() != sqlite::Step::row || headroom->column_int(0) <= 0) return false;
  }
  return db_.exec("INSERT INTO health(id, at_ms) VALUES (1, 0) ON CONFLICT(id) DO UPDATE SET at_ms = at_ms + 1").ok;
}

}  // namespace tilang::storage

#include "storage/sqlite_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "storage/migrations.hpp"

namespace tilang::storage {
namespace {

// The database's own clock for bookkeeping columns (created_at_ms, updated_at_ms); rows that
// matter to flows carry Meta's timestamps or the injected clock's received_at_ms instead.
const std::string now_ms = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

constexpr int rank_failed = 5;

// SQLite's default page size, which the main database keeps; StoreOptions::max_page_count counts these.
constexpr std::int64_t main_page_size = 4096;

}  // namespace

int status_rank(std::string_view status) {
  if (status == "sent") return 1;
  if (status == "delivered") return 2;
  if (status == "read") return 3;
  if (status == "played") return 4;
  if (status == "failed") return rank_failed;
  return 0;
}

std::string inbox_path_for(const std::string& db_path) {
  constexpr std::string_view suffix = ".db";
  if (db_path.size() > suffix.size() && db_path.ends_with(suffix)) {
    return db_path.substr(0, db_path.size() - suffix.size()) + ".inbox.db";
  }
  return db_path + ".inbox";
}

SqliteStore::SqliteStore(const StoreOptions& options)
    : db_(options.path), inbox_(inbox_path_for(options.path), options.max_page_count * main_page_size, options.checkpoints) {
  const MigrationResult migrated = apply_migrations(db_, builtin_migration_files());
  if (!migrated.status.ok) {
    throw std::runtime_error("cannot migrate " + options.path + ": " + migrated.status.error);
  }
  if (!options.durable) {
    // Rows written through this connection can be rebuilt from the durable inbox; a later FULL commit
    // on any connection syncs the shared WAL, order included.
    const Status relaxed = db_.exec("PRAGMA synchronous=NORMAL");
    if (!relaxed.ok) throw std::runtime_error("cannot set synchronous: " + relaxed.error);
  }
  if (options.max_page_count > 0) {
    // SQLite keeps the cap at least at the current size; anything above it fails with SQLITE_FULL.
    const Status capped = db_.exec("PRAGMA max_page_count = " + std::to_string(options.max_page_count));
    if (!capped.ok) throw std::runtime_error("cannot set max_page_count: " + capped.error);
  }

  select_progress_ = db_.prepare("SELECT parsed_through FROM inbox_progress WHERE id = 1");
  advance_progress_ = db_.prepare("UPDATE inbox_progress SET parsed_through = ?1 WHERE id = 1");
  insert_failure_ = db_.prepare(
      "INSERT INTO inbox_parse_failures(inbox_id, parse_error, unknown_items, created_at_ms)"
      " VALUES (?1, ?2, ?3, " + now_ms + ")");
  count_failures_ = db_.prepare("SELECT count(*) FROM inbox_parse_failures WHERE parse_error IS NOT NULL");
  insert_message_ = db_.prepare(
      "INSERT INTO inbound_messages(wamid, business_number, user_id, timestamp, type,"
      " payload_json, inbox_id, created_at_ms)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " +
      now_ms +
      ")"
      " ON CONFLICT(wamid) DO NOTHING");
  // Forward-only: the update happens only for a higher rank, so a late "delivered" after "read",
  // anything after "failed" (the highest rank), and unknown strings (rank 0) over a row are no-ops.
  // An empty recipient or callback data (absent in that webhook) keeps what is known.
  upsert_status_ = db_.prepare(
      "INSERT INTO message_status(wamid, business_number, recipient, status, rank, timestamp,"
      " biz_opaque_callback_data, error_code, error_title, error_details, inbox_id, updated_at_ms)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " +
      now_ms +
      ")"
      " ON CONFLICT(wamid) DO UPDATE SET"
      "  recipient = CASE WHEN excluded.recipient <> '' THEN excluded.recipient"
      "                   ELSE message_status.recipient END,"
      "  status = excluded.status, rank = excluded.rank, timestamp = excluded.timestamp,"
      "  biz_opaque_callback_data = CASE WHEN excluded.biz_opaque_callback_data <> ''"
      "     THEN excluded.biz_opaque_callback_data ELSE message_status.biz_opaque_callback_data END,"
      "  error_code = excluded.error_code, error_title = excluded.error_title,"
      "  error_details = excluded.error_details, inbox_id = excluded.inbox_id,"
      "  updated_at_ms = excluded.updated_at_ms"
      " WHERE excluded.rank > message_status.rank");
  insert_error_ = db_.prepare(
      "INSERT INTO notification_errors(inbox_id, business_number, code, title, details,"
      " created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, " +
      now_ms + ")");
  select_status_ = db_.prepare(
      "SELECT wamid, status, timestamp, error_code, error_details FROM message_status"
      " WHERE wamid = ?1");
  select_user_messages_ = db_.prepare(
      "SELECT wamid, business_number, user_id, timestamp, type, payload_json"
      " FROM inbound_messages WHERE user_id = ?1 ORDER BY timestamp, rowid");
  count_messages_ = db_.prepare("SELECT count(*) FROM inbound_messages");
  count_unhandled_ = db_.prepare("SELECT count(*) FROM inbound_messages WHERE handled = 0");
  page_headroom_ = db_.prepare(
      "SELECT (SELECT * FROM pragma_max_page_count()) - (SELECT * FROM pragma_page_count())"
      " + (SELECT * FROM pragma_freelist_count())");
  touch_health_ = db_.prepare("INSERT INTO health(id, at_ms) VALUES (1, " + now_ms +
                              ")"
                              " ON CONFLICT(id) DO UPDATE SET at_ms = excluded.at_ms");
  adopt_legacy_inbox();
}

void SqliteStore::adopt_legacy_inbox() {
  if (db_.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'legacy_inbox'").value_or(0) == 0) {
    return;
  }
  // Copy first, drop after: a crash in between copies again (rows already there are kept).
  auto select = db_.prepare("SELECT id, received_at_ms, body FROM legacy_inbox WHERE id > ?1 ORDER BY id LIMIT 1000");
  std::int64_t after = 0;
  for (;;) {
    std::vector<InboxRow> rows;
    {
      auto use = select.use();
      use->bind_int(1, after);
      while (use->step() == sqlite::Step::row) rows.push_back({use->column_int(0), use->column_int(1), use->column_blob(2)});
    }
    if (rows.empty()) break;
    if (Status adopted = inbox_.adopt(rows); !adopted.ok) {
      throw std::runtime_error("cannot move the old inbox into the inbox file: " + adopted.error);
    }
    after = rows.back().id;
  }
  select = sqlite::Statement();  // an open statement would block DROP TABLE
  if (Status dropped = db_.exec("DROP TABLE IF EXISTS legacy_inbox"); !dropped.ok) {
    throw std::runtime_error("cannot drop the old inbox table: " + dropped.error);
  }
}

std::int64_t SqliteStore::parsed_through() {
  auto select = select_progress_.use();
  return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
}

Status SqliteStore::append_inbox(std::span<const InboxRow> rows) { return inbox_.append(rows); }

std::vector<InboxRow> SqliteStore::unparsed_inbox(std::size_t limit) {
  return inbox_.rows_after(parsed_through(), limit);
}

ParseOutcome SqliteStore::record_parsed(const ParsedInbox& parsed) {
  return record_parsed_batch(std::span<const ParsedInbox>(&parsed, 1));
}

ParseOutcome SqliteStore::record_parsed_batch(std::span<const ParsedInbox> batch) {
  ParseOutcome outcome;
  // One transaction (one commit) for the whole batch: the parser keeps up with group-committed ingest.
  sqlite::Transaction transaction(db_);
  outcome.status = transaction.status();
  // Rows are recorded in id order; one at or below the watermark was parsed already (e.g. by a
  // second parser), and recording it again would repeat its notification errors.
  std::int64_t through = outcome.status.ok ? parsed_through() : 0;
  for (const ParsedInbox& parsed : batch) {
    if (!outcome.status.ok) break;
    if (parsed.inbox_id <= through) {
      outcome.status = Status::failure("inbox row " + std::to_string(parsed.inbox_id) + " is already parsed");
      break;
    }
    through = parsed.inbox_id;
    outcome.status = write_parsed(parsed, outcome);
  }
  if (outcome.status.ok && !batch.empty() && through > inbox_.last_id()) {
    outcome.status = Status::failure("inbox row " + std::to_string(through) + " does not exist");
  }
  if (outcome.status.ok && !batch.empty()) {
    auto advance = advance_progress_.use();
    advance->bind_int(1, through);
    if (Status status = advance->run(); !status.ok) outcome.status = Status::failure("cannot record parse progress: " + status.error);
  }
  if (outcome.status.ok) {
    if (Status status = transaction.commit(); !status.ok) {
      outcome.status = Status::failure("cannot commit parsed inbox rows: " + status.error);
    }
  }
  // Counts describe what was committed; after a rollback nothing was.
  if (!outcome.status.ok) {
    Status failed = std::move(outcome.status);
    outcome = ParseOutcome{};
    outcome.status = std::move(failed);
  }
  return outcome;
}

Status SqliteStore::write_parsed(const ParsedInbox& parsed, ParseOutcome& outcome) {
  if (parsed.parse_failed || parsed.unknown_items > 0) {
    auto insert = insert_failure_.use();
    insert->bind_int(1, parsed.inbox_id).bind_int(3, parsed.unknown_items);
    if (parsed.parse_failed) {
      insert->bind_text(2, parsed.parse_error.empty() ? "parse failed" : parsed.parse_error);
    } else {
      insert->bind_null(2);
    }
    if (Status status = insert->run(); !status.ok) {
      return Status::failure("cannot record the parse failure of inbox row " + std::to_string(parsed.inbox_id) + ": " +
                             status.error);
    }
  }

  for (const MessageRow& message : parsed.messages) {
    auto insert = insert_message_.use();
    insert->bind_text(1, message.wamid)
        .bind_text(2, message.business_number)
        .bind_text(3, message.user)
        .bind_int(4, message.timestamp)
        .bind_text(5, message.type)
        .bind_text(6, message.payload_json)
        .bind_int(7, parsed.inbox_id);
    if (Status status = insert->run(); !status.ok) {
      return Status::failure("cannot store message " + message.wamid + ": " + status.error);
    }
    // DO NOTHING on a known wamid changes no row: that is a redelivery.
    if (db_.changes() == 1) {
      ++outcome.messages_new;
    } else {
      ++outcome.messages_duplicate;
    }
  }

  for (const StatusRow& status_row : parsed.statuses) {
    auto upsert = upsert_status_.use();
    upsert->bind_text(1, status_row.wamid)
        .bind_text(2, status_row.business_number)
        .bind_text(3, status_row.recipient)
        .bind_text(4, status_row.status)
        .bind_int(5, status_rank(status_row.status))
        .bind_int(6, status_row.timestamp)
        .bind_text(7, status_row.biz_opaque_callback_data)
        .bind_int(8, status_row.error_code)
        .bind_text(9, status_row.error_title)
        .bind_text(10, status_row.error_details)
        .bind_int(11, parsed.inbox_id);
    if (Status status = upsert->run(); !status.ok) {
      return Status::failure("cannot store status of " + status_row.wamid + ": " + status.error);
    }
    if (db_.changes() == 1) {
      ++outcome.statuses_applied;
    } else {
      ++outcome.statuses_ignored;
    }
  }

  for (const NotificationErrorRow& error : parsed.errors) {
    auto insert = insert_error_.use();
    insert->bind_int(1, parsed.inbox_id)
        .bind_text(2, error.business_number)
        .bind_int(3, error.code)
        .bind_text(4, error.title)
        .bind_text(5, error.details);
    if (Status status = insert->run(); !status.ok) {
      return Status::failure("cannot store notification error: " + status.error);
    }
  }
  return Status::success();
}

InboxStats SqliteStore::inbox_stats() {
  InboxStats stats;
  const std::int64_t through = parsed_through();
  stats.total = inbox_.total();
  stats.unparsed = inbox_.count_after(through);
  stats.oldest_unparsed_ms = inbox_.received_at_of_first_after(through).value_or(0);
  auto select = count_failures_.use();
  if (select->step() == sqlite::Step::row) stats.parse_failures = select->column_int(0);
  return stats;
}

// Ids above the watermark are dense (one writer appends them; pruning only removes parsed rows),
// so the difference is the count without scanning a large backlog.
std::int64_t SqliteStore::unparsed_count() { return std::max<std::int64_t>(0, inbox_.last_id() - parsed_through()); }

std::int64_t SqliteStore::oldest_unparsed_ms() { return inbox_.received_at_of_first_after(parsed_through()).value_or(0); }

void SqliteStore::checkpoint_inbox() { inbox_.checkpoint(); }

std::optional<StoredStatus> SqliteStore::message_status(const std::string& wamid) {
  auto select = select_status_.use();
  select->bind_text(1, wamid);
  if (select->step() != sqlite::Step::row) return std::nullopt;
  StoredStatus status;
  status.wamid = select->column_text(0);
  status.status = select->column_text(1);
  status.timestamp = select->column_int(2);
  status.error_code = static_cast<int>(select->column_int(3));
  status.error_details = select->column_text(4);
  return status;
}

std::vector<MessageRow> SqliteStore::messages_for_user(const std::string& user) {
  std::vector<MessageRow> messages;
  auto select = select_user_messages_.use();
  select->bind_text(1, user);
  while (select->step() == sqlite::Step::row) {
    MessageRow message;
    message.wamid = select->column_text(0);
    message.business_number = select->column_text(1);
    message.user = select->column_text(2);
    message.timestamp = select->column_int(3);
    message.type = select->column_text(4);
    message.payload_json = select->column_text(5);
    messages.push_back(std::move(message));
  }
  return messages;
}

std::int64_t SqliteStore::message_count() {
  auto select = count_messages_.use();
  return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
}

std::int64_t SqliteStore::unhandled_messages() {
  auto select = count_unhandled_.use();
  return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
}

bool SqliteStore::writable() {
  if (!inbox_.writable()) return false;
  // A database at its page cap still commits in-place updates, yet cannot take one more inbox
  // row; report it as not writable so /healthz agrees with what the webhook would answer.
  {
    auto headroom = page_headroom_.use();
    if (headroom->step() != sqlite::Step::row || headroom->column_int(0) <= 0) return false;
  }
  sqlite::Transaction transaction(db_);
  if (!transaction.status().ok) return false;
  {
    auto touch = touch_health_.use();
    if (!touch->run().ok) return false;
  }
  return transaction.commit().ok;
}

std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options) { return std::make_unique<SqliteStore>(options); }

int migrate_sqlite(const std::string& path) {
  sqlite::Connection db(path);
  const MigrationResult migrated = apply_migrations(db, builtin_migration_files());
  if (!migrated.status.ok) {
    throw std::runtime_error("cannot migrate " + path + ": " + migrated.status.error);
  }
  return migrated.version;
}

}  // namespace tilang::storage

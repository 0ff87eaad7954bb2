// The storage interface the rest of the service uses. SQLite implements it today
// (storage/sqlite_store.*); a PostgreSQL backend can implement the same later.
// std only: rows are plain structs; event payloads are opaque JSON text produced by bot/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tilang::storage {

// Expected failures are values; `ok == false` carries a one-line reason.
struct Status {
  bool ok = true;
  std::string error;
  static Status success() { return {}; }
  static Status failure(std::string why) { return {false, std::move(why)}; }
};

struct InboxRow {
  std::int64_t id = 0;
  std::int64_t received_at_ms = 0;
  std::string body;  // raw notification bytes exactly as received (signature already checked)
};

// One inbound message, normalised by bot/; `payload_json` is the full typed event.
struct MessageRow {
  std::string wamid;
  std::string business_number;
  std::string user;  // conversation key (wa_id or business-scoped user id)
  std::int64_t timestamp = 0;
  std::string type;
  std::string payload_json;
};

// Status ranks: sent(1) < delivered(2) < read(3) < played(4); failed is final.
struct StatusRow {
  std::string wamid;
  std::string business_number;
  std::string recipient;
  std::string status;  // sent, delivered, read, played, failed, or an unknown string (stored, rank 0)
  std::int64_t timestamp = 0;
  std::string biz_opaque_callback_data;
  int error_code = 0;
  std::string error_title;
  std::string error_details;
};

struct NotificationErrorRow {
  std::string business_number;
  int code = 0;
  std::string title;
  std::string details;
};

// Everything one inbox row turned into, written in one transaction with the parse watermark.
struct ParsedInbox {
  std::int64_t inbox_id = 0;
  bool parse_failed = false;    // not JSON / unknown shape: the row is kept and marked, never retried
  std::string parse_error;
  std::vector<MessageRow> messages;
  std::vector<StatusRow> statuses;
  std::vector<NotificationErrorRow> errors;
  int unknown_items = 0;        // entries/changes of fields we do not handle (recorded, counted)
};

struct ParseOutcome {
  int messages_new = 0;
  int messages_duplicate = 0;   // wamid already seen: dropped
  int statuses_applied = 0;     // moved a message's status forward (or created it)
  int statuses_ignored = 0;     // would have moved it backwards or after failed
  Status status;                // not ok: nothing was written (the inbox row stays unparsed)
};

struct StoredStatus {
  std::string wamid;
  std::string status;
  std::int64_t timestamp = 0;
  int error_code = 0;
  std::string error_details;
};

struct InboxStats {
  std::int64_t total = 0;
  std::int64_t unparsed = 0;
  std::int64_t oldest_unparsed_ms = 0;  // received_at_ms of the oldest unparsed row, 0 if none
  std::int64_t parse_failures = 0;
};

// A Store is one connection to the main database and one to the inbox file: use it from one thread
// at a time and open one per thread (the ingest writer, the parser, the HTTP handlers each own
// theirs; WAL lets them overlap).
class Store {
 public:
  virtual ~Store() = default;

  // Webhook ingest: appends raw notifications in ONE transaction (one fsync for the group).
  // On failure nothing of the group is stored.
  virtual Status append_inbox(std::span<const InboxRow> rows) = 0;

  // Parsing (off the request path): oldest unparsed rows first. Rows must be recorded in id order:
  // recording row N marks every row up to N parsed, and a row at or below that mark is refused.
  virtual std::vector<InboxRow> unparsed_inbox(std::size_t limit) = 0;
  virtual ParseOutcome record_parsed(const ParsedInbox& parsed) = 0;
  // Several rows in one transaction; on failure nothing of the batch is written. Counts are summed.
  virtual ParseOutcome record_parsed_batch(std::span<const ParsedInbox> batch) {
    ParseOutcome total;
    for (const auto& parsed : batch) {
      auto one = record_parsed(parsed);
      if (!one.status.ok) return one;
      total.messages_new += one.messages_new;
      total.messages_duplicate += one.messages_duplicate;
      total.statuses_applied += one.statuses_applied;
      total.statuses_ignored += one.statuses_ignored;
    }
    return total;
  }

  virtual InboxStats inbox_stats() = 0;
  // Unparsed inbox rows only (cheaper than inbox_stats(); the InboxWriter's bound check, gauges).
  virtual std::int64_t unparsed_count() { return inbox_stats().unparsed; }
  // received_at_ms of the oldest unparsed row, 0 when none (the inbox lag gauge).
  virtual std::int64_t oldest_unparsed_ms() { return inbox_stats().oldest_unparsed_ms; }
  // Housekeeping for the parser's connection: copy the inbox WAL into its file now and then.
  virtual void checkpoint_inbox() {}
  // Inbound messages the engine has not handled yet (its backlog, for a gauge).
  virtual std::int64_t unhandled_messages() = 0;
  virtual std::optional<StoredStatus> message_status(const std::string& wamid) = 0;
  virtual std::vector<MessageRow> messages_for_user(const std::string& user) = 0;
  virtual std::int64_t message_count() = 0;

  // True when a write transaction can be committed (for /healthz).
  virtual bool writable() = 0;
};

struct StoreOptions {
  std::string path;                    // SQLite file (the inbox lives beside it: inbox_path_for)
  // 0: no cap (fault drills use it to simulate a full disk). In pages of 4 KiB: the main database
  // gets this many pages, the inbox file (larger pages) as many bytes.
  std::int64_t max_page_count = 0;
  // false: synchronous=NORMAL for a connection that only writes data derivable from the durable
  // inbox (the parser). Acknowledged webhooks and replies always go through durable connections.
  bool durable = true;
  // false: this connection never runs WAL checkpoints on the inbox file itself (the ingest writer,
  // whose acks must not wait for one); the parser's connection runs them (checkpoint_inbox).
  bool checkpoints = true;
};

// The inbox file beside the main database: "var/tilangbot.db" -> "var/tilangbot.inbox.db"
// (a path not ending in ".db" gets ".inbox" appended).
std::string inbox_path_for(const std::string& db_path);

// Opens (creating the file and applying migrations when needed).
// Throws std::runtime_error with a one-line reason when the database cannot be opened.
std::unique_ptr<Store> open_sqlite_store(const StoreOptions& options);

// Applies pending migrations; returns the schema version after.
int migrate_sqlite(const std::string& path);

}  // namespace tilang::storage

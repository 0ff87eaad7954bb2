// The SQLite implementation of Store: a connection to the main database and the inbox file
// (storage/inbox_log.hpp), statements prepared once.
#pragma once

#include "storage/inbox_log.hpp"
#include "storage/sqlite.hpp"
#include "storage/store.hpp"

namespace tilang::storage {

// Rank of a status string: forward-only ordering; failed is final; unknown strings rank 0.
int status_rank(std::string_view status);

class SqliteStore final : public Store {
 public:
  // Opens, migrates and applies options; throws std::runtime_error with a one-line reason.
  explicit SqliteStore(const StoreOptions& options);

  Status append_inbox(std::span<const InboxRow> rows) override;
  std::vector<InboxRow> unparsed_inbox(std::size_t limit) override;
  ParseOutcome record_parsed(const ParsedInbox& parsed) override;
  ParseOutcome record_parsed_batch(std::span<const ParsedInbox> batch) override;
  InboxStats inbox_stats() override;
  std::int64_t unparsed_count() override;
  std::int64_t oldest_unparsed_ms() override;
  void checkpoint_inbox() override;
  std::int64_t unhandled_messages() override;
  std::optional<StoredStatus> message_status(const std::string& wamid) override;
  std::vector<MessageRow> messages_for_user(const std::string& user) override;
  std::int64_t message_count() override;
  bool writable() override;

 private:
  Status write_parsed(const ParsedInbox& parsed, ParseOutcome& outcome);  // inside a transaction
  std::int64_t parsed_through();
  // Moves the inbox table of schema versions before 0007 into the inbox file (once).
  void adopt_legacy_inbox();

  // Declared first so it is destroyed after the statements below.
  sqlite::Connection db_;
  InboxLog inbox_;
  sqlite::Statement select_progress_;
  sqlite::Statement advance_progress_;
  sqlite::Statement insert_failure_;
  sqlite::Statement count_failures_;
  sqlite::Statement insert_message_;
  sqlite::Statement upsert_status_;
  sqlite::Statement insert_error_;
  sqlite::Statement select_status_;
  sqlite::Statement select_user_messages_;
  sqlite::Statement count_messages_;
  sqlite::Statement count_unhandled_;
  sqlite::Statement page_headroom_;
  sqlite::Statement touch_health_;
};

}  // namespace tilang::storage

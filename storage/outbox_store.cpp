#include "storage/outbox_store.hpp"

#include <random>
#include <stdexcept>

#include "storage/migrations.hpp"
#include "storage/sqlite.hpp"

namespace tilang::storage {
namespace {

constexpr int rank_failed = 5;

// Columns of OutboxEntry in declaration order; `s` is message_status joined by wamid.
const std::string row_columns =
    "o.id, o.business_number, o.recipient, o.kind, o.body_json, coalesce(o.fallback_json, ''), o.state,"
    " o.attempts, o.in_doubt, o.next_attempt_ms, coalesce(o.wamid, ''), o.biz_opaque_callback_data,"
    " o.error_code, o.error_details, o.source, o.source_ref, o.created_at_ms, o.updated_at_ms,"
    " coalesce(o.accepted_at_ms, 0), coalesce(s.status, ''), coalesce(s.error_code, 0)";
const std::string joined_from = " FROM outbox o LEFT JOIN message_status s ON s.wamid = o.wamid";

OutboxEntry read_row(sqlite::Statement& st) {
  OutboxEntry row;
  row.id = st.column_int(0);
  row.business_number = st.column_text(1);
  row.recipient = st.column_text(2);
  row.kind = st.column_text(3);
  row.body_json = st.column_text(4);
  row.fallback_json = st.column_text(5);
  row.state = st.column_text(6);
  row.attempts = static_cast<int>(st.column_int(7));
  row.in_doubt = static_cast<int>(st.column_int(8));
  row.next_attempt_ms = st.column_int(9);
  row.wamid = st.column_text(10);
  row.biz_opaque_callback_data = st.column_text(11);
  row.error_code = static_cast<int>(st.column_int(12));
  row.error_details = st.column_text(13);
  row.source = st.column_text(14);
  row.source_ref = st.column_text(15);
  row.created_at_ms = st.column_int(16);
  row.updated_at_ms = st.column_int(17);
  row.accepted_at_ms = st.column_int(18);
  row.delivery_status = st.column_text(19);
  row.delivery_error_code = static_cast<int>(st.column_int(20));
  return row;
}

class SqliteOutbox final : public OutboxStore {
 public:
  explicit SqliteOutbox(const std::string& path) : db_(path) {
    const MigrationResult migrated = apply_migrations(db_, builtin_migration_files());
    if (!migrated.status.ok) throw std::runtime_error("cannot migrate " + path + ": " + migrated.status.error);

    insert_ = db_.prepare(
        "INSERT INTO outbox(business_number, recipient, kind, body_json, fallback_json,"
        " biz_opaque_callback_data, source, source_ref, created_at_ms, updated_at_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
    // The redundant `state IN (...)` terms let SQLite use the partial indexes of 0002/0004.
    select_due_ = db_.prepare(
        "SELECT " + row_columns +
        " FROM outbox o LEFT JOIN message_status s ON 0"
        " WHERE o.state IN ('queued', 'sending') AND o.state = 'queued' AND o.next_attempt_ms <= ?1"
        "   AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.recipient = o.recipient AND p.id < o.id"
        "                   AND p.state IN ('queued', 'sending'))"
        " ORDER BY o.next_attempt_ms, o.id LIMIT ?2");
    mark_sending_ = db_.prepare(
        "UPDATE outbox SET state = 'sending', updated_at_ms = ?2 WHERE id = ?1 AND state = 'queued'");
    recover_ = db_.prepare(
        "UPDATE outbox SET state = 'queued', in_doubt = in_doubt + 1, next_attempt_ms = ?1, updated_at_ms = ?2"
        " WHERE state = 'sending'");
    accept_ = db_.prepare(
        "UPDATE outbox SET state = 'accepted', wamid = ?2, attempts = attempts + ?3, in_doubt = in_doubt + ?4,"
        " error_code = 0, error_details = ?5, accepted_at_ms = ?6, updated_at_ms = ?6"
        " WHERE id = ?1 AND state IN ('queued', 'sending')");
    retry_ = db_.prepare(
        "UPDATE outbox SET state = 'queued', next_attempt_ms = ?2, error_code = ?3, error_details = ?4,"
        " attempts = attempts + ?5, in_doubt = in_doubt + ?6, updated_at_ms = ?7"
        " WHERE id = ?1 AND state IN ('queued', 'sending')");
    fail_ = db_.prepare(
        "UPDATE outbox SET state = 'failed', error_code = ?2, error_details = ?3, attempts = attempts + ?4,"
        " in_doubt = in_doubt + ?5, updated_at_ms = ?6"
        " WHERE id = ?1 AND state IN ('queued', 'sending')");
    release_ = db_.prepare(
        "UPDATE outbox SET state = 'queued', updated_at_ms = ?2 WHERE id = ?1 AND state = 'sending'");
    select_fallback_ = db_.prepare(
        "SELECT business_number, recipient, coalesce(fallback_json, ''), source FROM outbox WHERE id = ?1");
    append_details_ = db_.prepare("UPDATE outbox SET error_details = error_details || ?2 WHERE id = ?1");
    select_failed_status_ = db_.prepare(
        "SELECT error_code, error_title, error_details FROM message_status WHERE wamid = ?1 AND rank = " +
        std::to_string(rank_failed));
    select_accepted_by_wamid_ = db_.prepare(
        "SELECT id, recipient FROM outbox WHERE wamid = ?1 AND state = 'accepted'");
    fail_accepted_ = db_.prepare(
        "UPDATE outbox SET state = 'failed', error_code = ?2, error_details = ?3, updated_at_ms = ?4"
        " WHERE id = ?1 AND state = 'accepted'");
    select_pending_failures_ = db_.prepare("SELECT wamid FROM outbox_status_failures LIMIT ?1");
    delete_pending_failure_ = db_.prepare("DELETE FROM outbox_status_failures WHERE wamid = ?1");
    opaque_status_ = db_.prepare(
        "SELECT wamid FROM message_status WHERE biz_opaque_callback_data = ?1"
        " AND biz_opaque_callback_data <> '' ORDER BY rank DESC LIMIT 1");
    by_id_ = db_.prepare("SELECT " + row_columns + joined_from + " WHERE o.id = ?1");
    by_wamid_ = db_.prepare("SELECT " + row_columns + joined_from + " WHERE o.wamid = ?1");
    by_opaque_ = db_.prepare("SELECT " + row_columns + joined_from + " WHERE o.biz_opaque_callback_data = ?1");
    by_recipient_ = db_.prepare("SELECT " + row_columns + joined_from +
                                " WHERE o.recipient = ?1 ORDER BY o.id DESC LIMIT ?2");
    counts_ = db_.prepare("SELECT state, count(*) FROM outbox GROUP BY state");
    backlog_ = db_.prepare("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')");
  }

  EnqueueResult enqueue(const NewOutboxMessage& message, std::int64_t now_ms) override {
    EnqueueResult result;
    result.status = insert_row(message, now_ms, result.id, result.biz_opaque_callback_data);
    return result;
  }

  std::vector<EnqueueResult> enqueue_many(std::span<const NewOutboxMessage> messages, std::int64_t now_ms) override {
    std::vector<EnqueueResult> results;
    sqlite::Transaction transaction(db_);
    if (!transaction.status().ok) {
      results.push_back({transaction.status(), 0, {}});
      return results;
    }
    results.reserve(messages.size());
    for (const auto& m : messages) {
      EnqueueResult r;
      r.status = insert_row(m, now_ms, r.id, r.biz_opaque_callback_data);
      if (!r.status.ok) return {r};
      results.push_back(std::move(r));
    }
    if (Status s = transaction.commit(); !s.ok) return {EnqueueResult{s, 0, {}}};
    return results;
  }

  std::vector<OutboxEntry> claim_due(std::int64_t now_ms, std::size_t limit) override {
    std::vector<OutboxEntry> rows;
    // Read first, outside a write transaction: an idle poll must not take the write lock. Only
    // this sender moves rows out of 'queued', so the rows read are still claimable below.
    {
      auto select = select_due_.use();
      select->bind_int(1, now_ms).bind_int(2, static_cast<std::int64_t>(limit));
      while (select->step() == sqlite::Step::row) rows.push_back(read_row(*select));
    }
    if (rows.empty()) return rows;
    sqlite::Transaction transaction(db_);
    if (!transaction.status().ok) return {};
    std::vector<OutboxEntry> claimed;
    claimed.reserve(rows.size());
    for (auto& row : rows) {
      auto update = mark_sending_.use();
      update->bind_int(1, row.id).bind_int(2, now_ms);
      if (!update->run().ok) return {};
      if (db_.changes() == 1) {
        row.state = "sending";
        claimed.push_back(std::move(row));
      }
    }
    if (!transaction.commit().ok) return {};
    return claimed;
  }

  std::int64_t recover_in_flight(std::int64_t next_attempt_ms, std::int64_t now_ms) override {
    auto update = recover_.use();
    update->bind_int(1, next_attempt_ms).bind_int(2, now_ms);
    if (!update->run().ok) return 0;
    return db_.changes();
  }

  ApplyResult apply(std::span<const OutboxUpdate> updates, std::int64_t now_ms) override {
    ApplyResult result;
    if (updates.empty()) return result;
    sqlite::Transaction transaction(db_);
    if (!transaction.status().ok) {
      result.status = transaction.status();
      return result;
    }
    for (const OutboxUpdate& u : updates) {
      // A failing statement aborts only itself; the other results of the batch still count.
      if (Status s = apply_one(u, now_ms, result); !s.ok && result.status.ok) result.status = s;
    }
    if (Status s = transaction.commit(); !s.ok) {
      result = ApplyResult{};
      result.status = Status::failure("cannot commit send results: " + s.error);
      return result;
    }
    result.committed = true;
    return result;
  }

  ApplyResult apply_webhook_failures(std::int64_t now_ms, std::size_t limit) override {
    ApplyResult result;
    std::vector<std::string> wamids;
    {
      auto select = select_pending_failures_.use();
      select->bind_int(1, static_cast<std::int64_t>(limit));
      while (select->step() == sqlite::Step::row) wamids.push_back(select->column_text(0));
    }
    if (wamids.empty()) return result;
    sqlite::Transaction transaction(db_);
    if (!transaction.status().ok) {
      result.status = transaction.status();
      return result;
    }
    for (const auto& wamid : wamids) {
      if (Status s = fail_by_status(wamid, now_ms, result); !s.ok) {
        result.status = s;
        return result;
      }
    }
    if (Status s = transaction.commit(); !s.ok) {
      result = ApplyResult{};
      result.status = s;
      return result;
    }
    result.committed = true;
    return result;
  }

  std::optional<std::string> wamid_for_opaque(const std::string& opaque) override {
    if (opaque.empty()) return std::nullopt;
    auto select = opaque_status_.use();
    select->bind_text(1, opaque);
    if (select->step() != sqlite::Step::row) return std::nullopt;
    return select->column_text(0);
  }

  std::optional<OutboxEntry> find_by_id(std::int64_t id) override {
    auto select = by_id_.use();
    select->bind_int(1, id);
    if (select->step() != sqlite::Step::row) return std::nullopt;
    return read_row(*select);
  }

  std::optional<OutboxEntry> find_by_wamid(const std::string& wamid) override {
    auto select = by_wamid_.use();
    select->bind_text(1, wamid);
    if (select->step() != sqlite::Step::row) return std::nullopt;
    return read_row(*select);
  }

  std::optional<OutboxEntry> find_by_opaque(const std::string& opaque) override {
    auto select = by_opaque_.use();
    select->bind_text(1, opaque);
    if (select->step() != sqlite::Step::row) return std::nullopt;
    return read_row(*select);
  }

  std::vector<OutboxEntry> list_by_recipient(const std::string& recipient, std::size_t limit) override {
    std::vector<OutboxEntry> rows;
    auto select = by_recipient_.use();
    select->bind_text(1, recipient).bind_int(2, static_cast<std::int64_t>(limit));
    while (select->step() == sqlite::Step::row) rows.push_back(read_row(*select));
    return rows;
  }

  OutboxCounts counts() override {
    OutboxCounts counts;
    auto select = counts_.use();
    while (select->step() == sqlite::Step::row) {
      const std::string state = select->column_text(0);
      const std::int64_t n = select->column_int(1);
      if (state == "queued") counts.queued = n;
      if (state == "sending") counts.sending = n;
      if (state == "accepted") counts.accepted = n;
      if (state == "failed") counts.failed = n;
    }
    return counts;
  }

  std::int64_t backlog() override {
    auto select = backlog_.use();
    return select->step() == sqlite::Step::row ? select->column_int(0) : 0;
  }

 private:
  Status insert_row(const NewOutboxMessage& m, std::int64_t now_ms, std::int64_t& id, std::string& opaque) {
    opaque = m.biz_opaque_callback_data.empty() ? new_callback_id() : m.biz_opaque_callback_data;
    auto insert = insert_.use();
    insert->bind_text(1, m.business_number).bind_text(2, m.recipient).bind_text(3, m.kind).bind_text(4, m.body_json);
    if (m.fallback_json.empty()) {
      insert->bind_null(5);
    } else {
      insert->bind_text(5, m.fallback_json);
    }
    insert->bind_text(6, opaque).bind_text(7, m.source).bind_text(8, m.source_ref).bind_int(9, now_ms);
    if (Status s = insert->run(); !s.ok) return Status::failure("cannot enqueue: " + s.error);
    id = db_.last_insert_id();
    return Status::success();
  }

  // Fails the row (already updated by the caller) over to its fallback template, if it has one.
  Status enqueue_fallback(std::int64_t id, std::int64_t now_ms, std::int64_t& fallback_id) {
    NewOutboxMessage m;
    {
      auto select = select_fallback_.use();
      select->bind_int(1, id);
      if (select->step() != sqlite::Step::row) return Status::success();
      m.business_number = select->column_text(0);
      m.recipient = select->column_text(1);
      m.body_json = select->column_text(2);
      m.source = select->column_text(3);
    }
    if (m.body_json.empty()) return Status::success();
    m.kind = "template";
    m.source_ref = "outbox:" + std::to_string(id);
    std::string opaque;
    if (Status s = insert_row(m, now_ms, fallback_id, opaque); !s.ok) return s;
    auto note = append_details_.use();
    note->bind_int(1, id).bind_text(2, " (template sent instead: outbox #" + std::to_string(fallback_id) + ")");
    return note->run();
  }

  Status apply_one(const OutboxUpdate& u, std::int64_t now_ms, ApplyResult& result) {
    switch (u.kind) {
      case OutboxUpdate::Kind::accepted: {
        {
          auto update = accept_.use();
          update->bind_int(1, u.id);
          if (u.wamid.empty()) {
            update->bind_null(2);
          } else {
            update->bind_text(2, u.wamid);
          }
          update->bind_int(3, u.attempted ? 1 : 0).bind_int(4, u.in_doubt ? 1 : 0)
              .bind_text(5, u.error_details).bind_int(6, now_ms);
          if (Status s = update->run(); !s.ok) return Status::failure("cannot mark accepted: " + s.error);
        }
        // The failed status webhook may have come before this response.
        if (!u.wamid.empty()) return fail_by_status(u.wamid, now_ms, result);
        return Status::success();
      }
      case OutboxUpdate::Kind::retry: {
        auto update = retry_.use();
        update->bind_int(1, u.id).bind_int(2, u.next_attempt_ms).bind_int(3, u.error_code)
            .bind_text(4, u.error_details).bind_int(5, u.attempted ? 1 : 0).bind_int(6, u.in_doubt ? 1 : 0)
            .bind_int(7, now_ms);
        return update->run();
      }
      case OutboxUpdate::Kind::failed:
      case OutboxUpdate::Kind::fallback: {
        {
          auto update = fail_.use();
          update->bind_int(1, u.id).bind_int(2, u.error_code).bind_text(3, u.error_details)
              .bind_int(4, u.attempted ? 1 : 0).bind_int(5, u.in_doubt ? 1 : 0).bind_int(6, now_ms);
          if (Status s = update->run(); !s.ok) return s;
          if (db_.changes() == 0) return Status::success();  // already final
        }
        if (u.kind == OutboxUpdate::Kind::fallback) {
          std::int64_t fallback_id = 0;
          if (Status s = enqueue_fallback(u.id, now_ms, fallback_id); !s.ok) return s;
          if (fallback_id != 0) result.fallback_ids.push_back(fallback_id);
        }
        return Status::success();
      }
      case OutboxUpdate::Kind::release: {
        auto update = release_.use();
        update->bind_int(1, u.id).bind_int(2, now_ms);
        return update->run();
      }
    }
    return Status::success();
  }

  // If `wamid` has a failed status, its accepted row becomes failed (and falls back on 131047).
  Status fail_by_status(const std::string& wamid, std::int64_t now_ms, ApplyResult& result) {
    OutboxFailure failure;
    {
      auto select = select_failed_status_.use();
      select->bind_text(1, wamid);
      const sqlite::Step step = select->step();
      if (step == sqlite::Step::error) return Status::failure(select->error());
      if (step == sqlite::Step::done) return Status::success();
      failure.error_code = static_cast<int>(select->column_int(0));
      const std::string title = select->column_text(1);
      failure.error_details = select->column_text(2);
      if (failure.error_details.empty()) failure.error_details = title;
    }
    {
      auto select = select_accepted_by_wamid_.use();
      select->bind_text(1, wamid);
      if (select->step() == sqlite::Step::row) {
        failure.id = select->column_int(0);
        failure.recipient = select->column_text(1);
      }
    }
    if (failure.id != 0) {
      {
        auto update = fail_accepted_.use();
        update->bind_int(1, failure.id).bind_int(2, failure.error_code)
            .bind_text(3, "failed after acceptance: " + failure.error_details).bind_int(4, now_ms);
        if (Status s = update->run(); !s.ok) return s;
      }
      if (failure.error_code == outbox_error_window_closed) {
        if (Status s = enqueue_fallback(failure.id, now_ms, failure.fallback_id); !s.ok) return s;
        if (failure.fallback_id != 0) result.fallback_ids.push_back(failure.fallback_id);
      }
      result.failed_by_webhook.push_back(failure);
    }
    // Consumed either way: a row not yet accepted checks message_status itself when it is.
    auto erase = delete_pending_failure_.use();
    erase->bind_text(1, wamid);
    return erase->run();
  }

  sqlite::Connection db_;
  sqlite::Statement insert_, select_due_, mark_sending_, recover_, accept_, retry_, fail_, release_;
  sqlite::Statement select_fallback_, append_details_, select_failed_status_, select_accepted_by_wamid_;
  sqlite::Statement fail_accepted_, select_pending_failures_, delete_pending_failure_, opaque_status_;
  sqlite::Statement by_id_, by_wamid_, by_opaque_, by_recipient_, counts_, backlog_;
};

}  // namespace

std::string OutboxEntry::display_status() const {
  if (state != "accepted") return state;
  return delivery_status.empty() ? "accepted" : delivery_status;
}

std::string new_callback_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "ob-";
  for (int i = 0; i < 2; ++i) {
    std::uint64_t v = rng();
    for (int j = 0; j < 16; ++j) {
      out += digits[v & 0xfU];
      v >>= 4;
    }
  }
  return out;
}

std::unique_ptr<OutboxStore> open_sqlite_outbox(const std::string& path) {
  return std::make_unique<SqliteOutbox>(path);
}

}  // namespace tilang::storage

// The SQLite EtleStore: one connection, statements prepared on first use and reused.
#include "storage/etle_store.hpp"

#include <map>
#include <stdexcept>

#include "storage/migrations.hpp"
#include "storage/notice_reader.hpp"
#include "storage/sqlite.hpp"

namespace tilang::storage {
namespace {

using sqlite::Statement;
using sqlite::Step;

constexpr const char* notice_columns =
    "n.notice_id, n.business_number, n.plate, n.plate_normalized, n.owner_name, n.owner_wa, n.violation_time,"
    " n.location, n.article, n.fine_amount, n.photo_url, n.confirm_by, n.briva, n.payment_deadline, n.state,"
    " coalesce(n.template_wamid, ''), n.response, n.other_name, n.other_phone";
constexpr int notice_column_count = 19;

// Per notice: how its template fared. `o` is the template row, `s` its message_status.
constexpr const char* template_failed = "(o.state = 'failed' OR coalesce(s.rank, 0) = 5)";
constexpr const char* template_sent = "(o.state = 'accepted' AND coalesce(s.rank, 0) <> 5)";

class SqliteEtleStore final : public EtleStore {
 public:
  explicit SqliteEtleStore(const std::string& path) : db_(path) {
    const MigrationResult migrated = apply_migrations(db_, builtin_migration_files());
    if (!migrated.status.ok) throw std::runtime_error("cannot migrate " + path + ": " + migrated.status.error);
  }

  EnqueueNoticesResult enqueue(const BatchInfo& batch, std::span<const NewNotice> notices, int rejected,
                               std::int64_t now_ms) override {
    EnqueueNoticesResult result;
    sqlite::Transaction tx(db_);
    if (!tx.status().ok) {
      result.status = tx.status();
      return result;
    }
    result.inserted.reserve(notices.size());
    for (const NewNotice& item : notices) {
      const NoticeRow& n = item.notice;
      auto insert = st("INSERT INTO etle_notices(notice_id, business_number, plate, plate_normalized, owner_name,"
                       " owner_wa, violation_time, location, article, fine_amount, photo_url, confirm_by, briva,"
                       " payment_deadline, state, batch, confirm_by_start_ms, expires_at_ms, created_at_ms,"
                       " updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                       " 'queued', ?15, ?16, ?17, ?18, ?18) ON CONFLICT(notice_id) DO NOTHING")
                        .use();
      insert->bind_text(1, n.notice_id)
          .bind_text(2, n.business_number)
          .bind_text(3, n.plate)
          .bind_text(4, n.plate_normalized)
          .bind_text(5, n.owner_name)
          .bind_text(6, n.owner_wa)
          .bind_text(7, n.violation_time)
          .bind_text(8, n.location)
          .bind_text(9, n.article)
          .bind_int(10, n.fine_amount)
          .bind_text(11, n.photo_url)
          .bind_text(12, n.confirm_by)
          .bind_text(13, n.briva)
          .bind_text(14, n.payment_deadline)
          .bind_text(15, batch.batch)
          .bind_int(16, item.confirm_by_start_ms)
          .bind_int(17, item.expires_at_ms)
          .bind_int(18, now_ms);
      if (Status s = insert->run(); !s.ok) return failed("cannot store notice " + n.notice_id + ": " + s.error);
      if (db_.changes() == 0) {
        result.inserted.push_back(false);
        ++result.duplicates;
        continue;
      }
      auto outbox_id = insert_outbox(n.business_number, n.owner_wa, item.template_body_json,
                                     etle_callback_id(n.notice_id), n.notice_id, now_ms);
      if (!outbox_id) return failed("cannot enqueue the template of " + n.notice_id + ": " + db_.error_message());
      auto link = st("UPDATE etle_notices SET template_outbox_id = ?2 WHERE notice_id = ?1").use();
      link->bind_text(1, n.notice_id).bind_int(2, *outbox_id);
      if (Status s = link->run(); !s.ok) return failed("cannot link the template of " + n.notice_id + ": " + s.error);
      result.inserted.push_back(true);
      ++result.accepted;
    }
    auto counts = st("INSERT INTO etle_batches(batch, business_number, source, label, accepted, duplicates, rejected,"
                     " created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(batch) DO UPDATE SET"
                     " accepted = accepted + excluded.accepted, duplicates = duplicates + excluded.duplicates,"
                     " rejected = rejected + excluded.rejected")
                      .use();
    counts->bind_text(1, batch.batch)
        .bind_text(2, batch.business_number)
        .bind_text(3, batch.source)
        .bind_text(4, batch.label)
        .bind_int(5, result.accepted)
        .bind_int(6, result.duplicates)
        .bind_int(7, rejected)
        .bind_int(8, now_ms);
    if (Status s = counts->run(); !s.ok) return failed("cannot record the batch: " + s.error);
    if (Status s = tx.commit(); !s.ok) return failed("cannot commit: " + s.error);
    return result;
  }

  std::vector<DueNotice> due_for_reminder(int offset_days, std::int64_t lead_ms, std::int64_t now_ms,
                                          std::size_t limit) override {
    auto s = st(std::string("SELECT ") + notice_columns +
                ", n.confirm_by_start_ms FROM etle_notices n"
                " WHERE n.state = 'queued' AND n.response = '' AND n.expires_at_ms > ?1"
                // As a range on confirm_by_start_ms, so the scan walks only notices that are due.
                "   AND n.confirm_by_start_ms <= ?1 + ?2 AND n.confirm_by_start_ms - ?2 > n.created_at_ms"
                "   AND NOT EXISTS (SELECT 1 FROM etle_reminders r WHERE r.notice_id = n.notice_id"
                "                   AND r.offset_days <= ?3)"
                "   AND NOT EXISTS (SELECT 1 FROM outbox o LEFT JOIN message_status s ON s.wamid = o.wamid"
                "                   WHERE o.id = n.template_outbox_id AND " + template_failed + ")"
                // expires_at_ms is confirm_by_start_ms plus one day: the same order, along the index.
                " ORDER BY n.confirm_by_start_ms LIMIT ?4")
                 .use();
    s->bind_int(1, now_ms).bind_int(2, lead_ms).bind_int(3, offset_days).bind_int(4, static_cast<std::int64_t>(limit));
    std::vector<DueNotice> out;
    while (s->step() == Step::row) out.push_back({read_notice(*s), s->column_int(notice_column_count)});
    return out;
  }

  std::optional<int> record_reminders(std::span<const NewReminder> reminders, std::int64_t now_ms) override {
    if (reminders.empty()) return 0;
    sqlite::Transaction tx(db_);
    if (!tx.status().ok) return std::nullopt;
    int enqueued = 0;
    for (const NewReminder& r : reminders) {
      auto mark = st("INSERT INTO etle_reminders(notice_id, offset_days, created_at_ms) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT(notice_id, offset_days) DO NOTHING")
                      .use();
      mark->bind_text(1, r.notice_id).bind_int(2, r.offset_days).bind_int(3, now_ms);
      if (!mark->run().ok) return std::nullopt;
      if (db_.changes() == 0) continue;  // already sent (or skipped) by an earlier run
      auto id = insert_outbox(r.business_number, r.recipient, r.body_json, etle_callback_id(r.notice_id, r.offset_days),
                              r.notice_id, now_ms);
      if (!id) return std::nullopt;
      auto link = st("UPDATE etle_reminders SET outbox_id = ?3 WHERE notice_id = ?1 AND offset_days = ?2").use();
      link->bind_text(1, r.notice_id).bind_int(2, r.offset_days).bind_int(3, *id);
      if (!link->run().ok) return std::nullopt;
      ++enqueued;
    }
    if (!tx.commit().ok) return std::nullopt;
    return enqueued;
  }

  std::optional<std::int64_t> expire(std::int64_t now_ms) override {
    auto s = st("UPDATE etle_notices SET state = 'expired', expired_at_ms = ?1, updated_at_ms = ?1"
                " WHERE state = 'queued' AND response = '' AND expires_at_ms <= ?1 AND expires_at_ms > 0")
                 .use();
    s->bind_int(1, now_ms);
    if (!s->run().ok) return std::nullopt;
    return db_.changes();
  }

  std::optional<NoticeView> notice(const std::string& notice_id) override {
    NoticeView v;
    {
      auto s = st(std::string("SELECT ") + notice_columns +
                  ", n.batch, n.created_at_ms, n.updated_at_ms, coalesce(n.responded_at_ms, 0), n.expires_at_ms,"
                  " coalesce(n.expired_at_ms, 0), coalesce(o.id, 0), coalesce(o.state, ''), coalesce(o.wamid, ''),"
                  " coalesce(o.biz_opaque_callback_data, ''), coalesce(o.attempts, 0),"
                  " CASE WHEN coalesce(s.rank, 0) = 5 THEN s.error_code ELSE coalesce(o.error_code, 0) END,"
                  " CASE WHEN coalesce(s.rank, 0) = 5 THEN trim(s.error_title || ': ' || s.error_details, ': ')"
                  "      ELSE coalesce(o.error_details, '') END,"
                  " coalesce(s.status, '')"
                  " FROM etle_notices n LEFT JOIN outbox o ON o.id = n.template_outbox_id"
                  " LEFT JOIN message_status s ON s.wamid = o.wamid WHERE n.notice_id = ?1")
                   .use();
      s->bind_text(1, notice_id);
      if (s->step() != Step::row) return std::nullopt;
      int c = notice_column_count;
      v.notice = read_notice(*s);
      v.batch = s->column_text(c++);
      v.created_at_ms = s->column_int(c++);
      v.updated_at_ms = s->column_int(c++);
      v.responded_at_ms = s->column_int(c++);
      v.expires_at_ms = s->column_int(c++);
      v.expired_at_ms = s->column_int(c++);
      v.template_outbox_id = s->column_int(c++);
      v.template_state = s->column_text(c++);
      v.template_wamid = s->column_text(c++);
      v.template_opaque = s->column_text(c++);
      v.template_attempts = static_cast<int>(s->column_int(c++));
      v.template_error_code = static_cast<int>(s->column_int(c++));
      v.template_error = s->column_text(c++);
      v.delivery_status = s->column_text(c++);
    }
    auto r = st("SELECT r.offset_days, coalesce(r.outbox_id, 0), coalesce(o.state, ''), coalesce(s.status, ''),"
                " r.created_at_ms FROM etle_reminders r LEFT JOIN outbox o ON o.id = r.outbox_id"
                " LEFT JOIN message_status s ON s.wamid = o.wamid WHERE r.notice_id = ?1 ORDER BY r.offset_days DESC")
                 .use();
    r->bind_text(1, notice_id);
    while (r->step() == Step::row) {
      v.reminders.push_back({static_cast<int>(r->column_int(0)), r->column_int(1), r->column_text(2), r->column_text(3),
                             r->column_int(4)});
    }
    return v;
  }

  std::optional<BatchSummary> batch(const std::string& batch) override {
    BatchSummary b;
    {
      auto s = st("SELECT batch, source, label, created_at_ms, duplicates, rejected FROM etle_batches WHERE batch = ?1")
                   .use();
      s->bind_text(1, batch);
      if (s->step() != Step::row) return std::nullopt;
      b.batch = s->column_text(0);
      b.source = s->column_text(1);
      b.label = s->column_text(2);
      b.created_at_ms = s->column_int(3);
      b.duplicates = s->column_int(4);
      b.rejected = s->column_int(5);
    }
    {
      const std::string answered = "(n.response <> '')";
      auto s = st(std::string("SELECT count(*),") +
                  " coalesce(sum(o.state IN ('queued', 'sending')), 0),"
                  " coalesce(sum(" + template_sent + "), 0),"
                  " coalesce(sum(" + template_sent + " AND (coalesce(s.rank, 0) IN (2, 3, 4) OR " + answered + ")), 0),"
                  " coalesce(sum(" + template_sent + " AND (coalesce(s.rank, 0) IN (3, 4) OR " + answered + ")), 0),"
                  " coalesce(sum(" + template_failed + "), 0),"
                  " coalesce(sum(" + answered + "), 0),"
                  " coalesce(sum(n.response = 'driver_self'), 0),"
                  " coalesce(sum(n.response = 'driver_other'), 0),"
                  " coalesce(sum(n.response = 'not_mine'), 0),"
                  " coalesce(sum(n.state = 'paid'), 0),"
                  " coalesce(sum(n.state = 'expired'), 0)"
                  " FROM etle_notices n LEFT JOIN outbox o ON o.id = n.template_outbox_id"
                  " LEFT JOIN message_status s ON s.wamid = o.wamid WHERE n.batch = ?1")
                   .use();
      s->bind_text(1, batch);
      if (s->step() != Step::row) return std::nullopt;
      int c = 0;
      for (auto* field : {&b.total, &b.queued, &b.sent, &b.delivered, &b.read, &b.failed, &b.responded, &b.confirmed,
                          &b.transferred, &b.disputed, &b.paid, &b.expired}) {
        *field = s->column_int(c++);
      }
    }
    {
      auto s = st("SELECT count(*) FROM etle_reminders r JOIN etle_notices n ON n.notice_id = r.notice_id"
                  " WHERE n.batch = ?1 AND r.outbox_id IS NOT NULL")
                   .use();
      s->bind_text(1, batch);
      if (s->step() == Step::row) b.reminders_sent = s->column_int(0);
    }
    return b;
  }

  std::vector<UndeliveredNotice> undelivered(const std::string& batch, std::size_t limit) override {
    auto s = st(std::string("SELECT ") + notice_columns +
                ", n.batch, CASE WHEN coalesce(s.rank, 0) = 5 THEN s.error_code ELSE o.error_code END,"
                " CASE WHEN coalesce(s.rank, 0) = 5 THEN trim(s.error_title || ': ' || s.error_details, ': ')"
                "      ELSE o.error_details END, n.created_at_ms"
                " FROM etle_notices n JOIN outbox o ON o.id = n.template_outbox_id"
                " LEFT JOIN message_status s ON s.wamid = o.wamid"
                " WHERE (?1 = '' OR n.batch = ?1) AND " + template_failed +
                " ORDER BY n.created_at_ms, n.rowid LIMIT ?2")
                 .use();
    s->bind_text(1, batch).bind_int(2, static_cast<std::int64_t>(limit));
    std::vector<UndeliveredNotice> out;
    while (s->step() == Step::row) {
      UndeliveredNotice u;
      u.notice = read_notice(*s);
      int c = notice_column_count;
      u.batch = s->column_text(c++);
      u.error_code = static_cast<int>(s->column_int(c++));
      u.error = s->column_text(c++);
      u.created_at_ms = s->column_int(c++);
      out.push_back(std::move(u));
    }
    return out;
  }

 private:
  Statement& st(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, db_.prepare(sql)).first;
    return it->second;
  }

  EnqueueNoticesResult failed(const std::string& why) {
    db_.rollback();
    EnqueueNoticesResult r;
    r.status = Status::failure(why);
    return r;
  }

  std::optional<std::int64_t> insert_outbox(const std::string& business_number, const std::string& recipient,
                                            const std::string& body, const std::string& opaque,
                                            const std::string& notice_id, std::int64_t now_ms) {
    auto s = st("INSERT INTO outbox(business_number, recipient, kind, body_json, biz_opaque_callback_data, source,"
                " source_ref, created_at_ms, updated_at_ms) VALUES (?1, ?2, 'template', ?3, ?4, 'etle', ?5, ?6, ?6)")
                 .use();
    s->bind_text(1, business_number).bind_text(2, recipient).bind_text(3, body).bind_text(4, opaque).bind_text(
        5, notice_id).bind_int(6, now_ms);
    if (!s->run().ok) return std::nullopt;
    return db_.last_insert_id();
  }

  // Declared first so it is destroyed after the statements.
  sqlite::Connection db_;
  std::map<std::string, Statement> statements_;
};

}  // namespace

std::string NoticeView::display_state() const {
  if (notice.state != "queued" && !notice.state.empty()) return notice.state;
  if (template_state == "failed" || delivery_status == "failed") return "failed";
  if (template_state != "accepted") return "queued";
  if (delivery_status == "read" || delivery_status == "played") return "read";
  if (delivery_status == "delivered") return "delivered";
  return "sent";
}

std::string etle_callback_id(const std::string& notice_id, int reminder_offset_days) {
  std::string id = "etle:" + notice_id;
  if (reminder_offset_days >= 0) id += ":r" + std::to_string(reminder_offset_days);
  return id;
}

std::unique_ptr<EtleStore> open_sqlite_etle_store(const std::string& path) {
  return std::make_unique<SqliteEtleStore>(path);
}

}  // namespace tilang::storage

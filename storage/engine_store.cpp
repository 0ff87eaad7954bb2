// The SQLite EngineStore: one connection, statements prepared once (on first use) and reused.
#include "storage/engine_store.hpp"
#include "storage/notice_reader.hpp"

#include <map>
#include <stdexcept>

#include "storage/migrations.hpp"
#include "storage/sqlite.hpp"

namespace tilang::storage {
namespace {

using sqlite::Statement;
using sqlite::Step;

int fine_status_rank(const std::string& status) {
  if (status == "PAID") return 1;
  if (status == "PICKED_UP") return 2;
  return 0;
}

FineRow read_fine(Statement& s) {
  FineRow f;
  f.register_no = s.column_text(0);
  f.business_number = s.column_text(1);
  f.plate = s.column_text(2);
  f.plate_normalized = s.column_text(3);
  f.violator_name = s.column_text(4);
  f.violation_date = s.column_text(5);
  f.article = s.column_text(6);
  f.fine_amount = s.column_int(7);
  f.court_fee = s.column_int(8);
  f.evidence = s.column_text(9);
  f.hearing_date = s.column_text(10);
  f.office = s.column_text(11);
  f.status = s.column_text(12);
  return f;
}
constexpr const char* fine_columns =
    "register_no, business_number, plate, plate_normalized, violator_name, violation_date, article,"
    " fine_amount, court_fee, evidence, hearing_date, office, status";

constexpr const char* payment_columns =
    "p.id, p.reference, p.business_number, p.wa_id, p.register_no, p.media_sha256, p.duplicate_of, p.state,"
    " p.reason, p.decided_by, p.created_at_ms, coalesce(p.decided_at_ms, 0), coalesce(m.path, ''),"
    " coalesce(m.mime, '')";
PaymentRow read_payment(Statement& s) {
  PaymentRow p;
  p.id = s.column_int(0);
  p.reference = s.column_text(1);
  p.business_number = s.column_text(2);
  p.wa_id = s.column_text(3);
  p.register_no = s.column_text(4);
  p.media_sha256 = s.column_text(5);
  p.duplicate_of = s.column_text(6);
  p.state = s.column_text(7);
  p.reason = s.column_text(8);
  p.decided_by = s.column_text(9);
  p.created_at_ms = s.column_int(10);
  p.decided_at_ms = s.column_int(11);
  p.media_path = s.column_text(12);
  p.media_mime = s.column_text(13);
  return p;
}

constexpr const char* slot_columns = "id, business_number, date, start_time, end_time, capacity, booked";
SlotRow read_slot(Statement& s) {
  SlotRow r;
  r.id = s.column_int(0);
  r.business_number = s.column_text(1);
  r.date = s.column_text(2);
  r.start_time = s.column_text(3);
  r.end_time = s.column_text(4);
  r.capacity = static_cast<int>(s.column_int(5));
  r.booked = static_cast<int>(s.column_int(6));
  return r;
}

constexpr const char* shipment_columns =
    "id, business_number, wa_id, register_no, recipient_name, address, kelurahan, kecamatan, city, phone, fee,"
    " state, tracking_no";
ShipmentRow read_shipment(Statement& s) {
  ShipmentRow r;
  r.id = s.column_int(0);
  r.business_number = s.column_text(1);
  r.wa_id = s.column_text(2);
  r.register_no = s.column_text(3);
  r.recipient_name = s.column_text(4);
  r.address = s.column_text(5);
  r.kelurahan = s.column_text(6);
  r.kecamatan = s.column_text(7);
  r.city = s.column_text(8);
  r.phone = s.column_text(9);
  r.fee = s.column_int(10);
  r.state = s.column_text(11);
  r.tracking_no = s.column_text(12);
  return r;
}

constexpr const char* notice_columns =
    "notice_id, business_number, plate, plate_normalized, owner_name, owner_wa, violation_time, location,"
    " article, fine_amount, photo_url, confirm_by, briva, payment_deadline, state, coalesce(template_wamid, ''),"
    " response, other_name, other_phone";

constexpr const char* conversation_columns =
    "business_number, user_id, state_text, mode, owner, coalesce(waiting_since_ms, 0), topic, last_inbound_ms,"
    " updated_at_ms";
ConversationRow read_conversation(Statement& s) {
  ConversationRow c;
  c.business_number = s.column_text(0);
  c.user = s.column_text(1);
  c.state_text = s.column_text(2);
  c.mode = s.column_text(3);
  c.owner = s.column_text(4);
  c.waiting_since_ms = s.column_int(5);
  c.topic = s.column_text(6);
  c.last_inbound_ms = s.column_int(7);
  c.updated_at_ms = s.column_int(8);
  return c;
}

class SqliteEngineStore final : public EngineStore {
 public:
  explicit SqliteEngineStore(const std::string& path) : db_(path) {
    const MigrationResult migrated = apply_migrations(db_, builtin_migration_files());
    if (!migrated.status.ok) throw std::runtime_error("cannot migrate " + path + ": " + migrated.status.error);
  }

  // --- transaction ----------------------------------------------------------------------------
  Status commit_turn(const TurnCommit& turn) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    const ConversationRow& c = turn.conversation;
    {
      auto s = st(turn.save_handoff
                      ? "INSERT INTO conversations(business_number, user_id, state_text, mode, owner, waiting_since_ms,"
                        " topic, last_inbound_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9)"
                        " ON CONFLICT(business_number, user_id) DO UPDATE SET state_text = excluded.state_text,"
                        " mode = excluded.mode, owner = excluded.owner, waiting_since_ms = excluded.waiting_since_ms,"
                        " topic = excluded.topic, last_inbound_ms = max(last_inbound_ms, excluded.last_inbound_ms),"
                        " updated_at_ms = excluded.updated_at_ms"
                      // Without a handoff change the mode columns are left alone: an officer may have
                      // taken the conversation over meanwhile on another connection.
                      : "INSERT INTO conversations(business_number, user_id, state_text, mode, owner, waiting_since_ms,"
                        " topic, last_inbound_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9)"
                        " ON CONFLICT(business_number, user_id) DO UPDATE SET state_text = excluded.state_text,"
                        " last_inbound_ms = max(last_inbound_ms, excluded.last_inbound_ms),"
                        " updated_at_ms = excluded.updated_at_ms")
                   .use();
      s->bind_text(1, c.business_number)
          .bind_text(2, c.user)
          .bind_text(3, c.state_text)
          .bind_text(4, c.mode)
          .bind_text(5, c.owner)
          .bind_int(6, c.waiting_since_ms)
          .bind_text(7, c.topic)
          .bind_int(8, c.last_inbound_ms)
          .bind_int(9, turn.now_ms);
      if (Status r = s->run(); !r.ok) return fail("save conversation", r);
    }
    for (const OutboxRow& o : turn.outbox) {
      auto s = st("INSERT INTO outbox(business_number, recipient, kind, body_json, state, biz_opaque_callback_data,"
                  " source, source_ref, created_at_ms, updated_at_ms)"
                  " VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7, ?8, ?8)")
                   .use();
      s->bind_text(1, o.business_number)
          .bind_text(2, o.recipient)
          .bind_text(3, o.kind)
          .bind_text(4, o.body_json)
          .bind_text(5, o.biz_opaque_callback_data)
          .bind_text(6, o.source)
          .bind_text(7, o.source_ref)
          .bind_int(8, turn.now_ms);
      if (Status r = s->run(); !r.ok) return fail("insert outbox row", r);
    }
    if (!turn.handled_wamid.empty()) {
      auto s = st("UPDATE inbound_messages SET handled = 1, handled_at_ms = ?2 WHERE wamid = ?1").use();
      s->bind_text(1, turn.handled_wamid).bind_int(2, turn.now_ms);
      if (Status r = s->run(); !r.ok) return fail("mark handled", r);
    }
    return commit();
  }

  Status commit() override {
    if (grouped_) {
      // The turn's savepoint joins the group's transaction; end_group() commits them all.
      if (!turn_open_) return Status::success();
      turn_open_ = false;
      if (!db_.in_transaction()) return Status::failure("the group's transaction was rolled back");
      return st("RELEASE turn").use()->run();
    }
    if (!db_.in_transaction()) return Status::success();
    Status s = db_.commit();
    if (!s.ok) db_.rollback();
    return s;
  }

  void abort() override {
    if (grouped_) {
      if (turn_open_ && db_.in_transaction()) {
        (void)st("ROLLBACK TO turn").use()->run();
        (void)st("RELEASE turn").use()->run();
      }
      turn_open_ = false;
      return;
    }
    db_.rollback();
  }

  Status begin_group() override {
    abort();
    if (db_.in_transaction()) return Status::failure("a transaction is already open");
    Status s = db_.begin_immediate();
    grouped_ = s.ok;
    return s;
  }

  Status end_group() override {
    abort();  // a turn left open (a bug) must not be committed half-done
    if (!grouped_) return Status::success();
    grouped_ = false;
    if (!db_.in_transaction()) return Status::failure("the group's transaction was rolled back");
    Status s = db_.commit();
    if (!s.ok) db_.rollback();
    return s;
  }

  Status mark_failed(const std::string& wamid, const std::string& error, std::int64_t now_ms) override {
    abort();
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("UPDATE inbound_messages SET handled = 1, handle_error = ?2, handled_at_ms = ?3 WHERE wamid = ?1").use();
    s->bind_text(1, wamid).bind_text(2, error).bind_int(3, now_ms);
    if (Status r = s->run(); !r.ok) {
      abort();
      return r;
    }
    return commit();
  }

  // --- work list ------------------------------------------------------------------------------
  std::vector<ConversationKey> users_with_pending(std::size_t limit) override {
    auto s = st("SELECT business_number, user_id FROM inbound_messages WHERE handled = 0"
                " GROUP BY business_number, user_id ORDER BY min(rowid) LIMIT ?1")
                 .use();
    s->bind_int(1, static_cast<std::int64_t>(limit));
    std::vector<ConversationKey> out;
    while (s->step() == Step::row) out.push_back({s->column_text(0), s->column_text(1)});
    return out;
  }

  std::vector<PendingMessage> pending_messages(const ConversationKey& key, std::size_t limit) override {
    auto s = st("SELECT wamid, business_number, user_id, timestamp, type, payload_json FROM inbound_messages"
                " WHERE handled = 0 AND user_id = ?2 AND business_number = ?1 ORDER BY timestamp, rowid LIMIT ?3")
                 .use();
    s->bind_text(1, key.business_number).bind_text(2, key.user).bind_int(3, static_cast<std::int64_t>(limit));
    std::vector<PendingMessage> out;
    while (s->step() == Step::row) {
      out.push_back({s->column_text(0), s->column_text(1), s->column_text(2), s->column_int(3), s->column_text(4),
                     s->column_text(5)});
    }
    return out;
  }

  bool message_handled(const std::string& wamid) override {
    auto s = st("SELECT handled FROM inbound_messages WHERE wamid = ?1").use();
    s->bind_text(1, wamid);
    return s->step() == Step::row && s->column_int(0) == 1;
  }

  std::optional<ConversationRow> load_conversation(const ConversationKey& key) override {
    auto s = st(std::string("SELECT ") + conversation_columns +
                " FROM conversations WHERE business_number = ?1 AND user_id = ?2")
                 .use();
    s->bind_text(1, key.business_number).bind_text(2, key.user);
    if (s->step() != Step::row) return std::nullopt;
    return read_conversation(*s);
  }

  std::vector<ConversationRow> conversations_in_mode(const std::string& mode, std::size_t limit) override {
    auto s = st(std::string("SELECT ") + conversation_columns +
                " FROM conversations WHERE mode = ?1 ORDER BY coalesce(waiting_since_ms, updated_at_ms) LIMIT ?2")
                 .use();
    s->bind_text(1, mode).bind_int(2, static_cast<std::int64_t>(limit));
    std::vector<ConversationRow> out;
    while (s->step() == Step::row) out.push_back(read_conversation(*s));
    return out;
  }

  std::int64_t waiting_ahead(const ConversationKey& key, std::int64_t since_ms) override {
    auto s = st("SELECT count(*) FROM conversations WHERE mode = 'waiting' AND business_number = ?1"
                " AND user_id <> ?2 AND waiting_since_ms <= ?3")
                 .use();
    s->bind_text(1, key.business_number).bind_text(2, key.user).bind_int(3, since_ms);
    return s->step() == Step::row ? s->column_int(0) : 0;
  }

  // --- fines ----------------------------------------------------------------------------------
  std::vector<FineRow> fines_by_register(const std::string& register_no) override {
    return fines_where("register_no = ?1", register_no);
  }
  std::vector<FineRow> fines_by_plate(const std::string& plate_normalized) override {
    return fines_where("plate_normalized = ?1", plate_normalized);
  }

  UpsertOutcome upsert_fine(const FineRow& f, std::int64_t now_ms) override {
    if (!ensure_tx().ok) return UpsertOutcome::failed;
    std::optional<FineRow> before;
    if (auto rows = fines_by_register(f.register_no); !rows.empty()) before = rows.front();
    if (before) {
      FineRow merged = f;
      // A re-import of the original file must not undo a payment verified since.
      if (fine_status_rank(before->status) > fine_status_rank(f.status)) merged.status = before->status;
      if (merged.business_number.empty()) merged.business_number = before->business_number;
      const bool same = merged.plate == before->plate && merged.plate_normalized == before->plate_normalized &&
                        merged.violator_name == before->violator_name &&
                        merged.violation_date == before->violation_date && merged.article == before->article &&
                        merged.fine_amount == before->fine_amount && merged.court_fee == before->court_fee &&
                        merged.evidence == before->evidence && merged.hearing_date == before->hearing_date &&
                        merged.office == before->office && merged.status == before->status &&
                        merged.business_number == before->business_number;
      if (same) return UpsertOutcome::unchanged;
      auto s = st("UPDATE fines SET business_number = ?2, plate = ?3, plate_normalized = ?4, violator_name = ?5,"
                  " violation_date = ?6, article = ?7, fine_amount = ?8, court_fee = ?9, evidence = ?10,"
                  " hearing_date = ?11, office = ?12, status = ?13, updated_at_ms = ?14 WHERE register_no = ?1")
                   .use();
      bind_fine(*s, merged).bind_int(14, now_ms);
      return s->run().ok ? UpsertOutcome::updated : UpsertOutcome::failed;
    }
    auto s = st("INSERT INTO fines(register_no, business_number, plate, plate_normalized, violator_name,"
                " violation_date, article, fine_amount, court_fee, evidence, hearing_date, office, status,"
                " created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)")
                 .use();
    bind_fine(*s, f).bind_int(14, now_ms);
    return s->run().ok ? UpsertOutcome::inserted : UpsertOutcome::failed;
  }

  Status set_fine_status(const std::string& register_no, const std::string& status, std::int64_t now_ms) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("UPDATE fines SET status = ?2, updated_at_ms = ?3 WHERE register_no = ?1").use();
    s->bind_text(1, register_no).bind_text(2, status).bind_int(3, now_ms);
    return s->run();
  }

  // --- media and payments ---------------------------------------------------------------------
  std::optional<MediaFileRow> media_file(const std::string& sha256) override {
    auto s = st("SELECT sha256, path, mime, size, first_wa_id, first_purpose, first_media_id FROM media_files"
                " WHERE sha256 = ?1")
                 .use();
    s->bind_text(1, sha256);
    if (s->step() != Step::row) return std::nullopt;
    return MediaFileRow{s->column_text(0), s->column_text(1), s->column_text(2), s->column_int(3),
                        s->column_text(4), s->column_text(5), s->column_text(6)};
  }

  Status record_media_file(const MediaFileRow& m, std::int64_t now_ms) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("INSERT INTO media_files(sha256, path, mime, size, first_wa_id, first_purpose, first_media_id,"
                " created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(sha256) DO NOTHING")
                 .use();
    s->bind_text(1, m.sha256)
        .bind_text(2, m.path)
        .bind_text(3, m.mime)
        .bind_int(4, m.size)
        .bind_text(5, m.first_wa_id)
        .bind_text(6, m.first_purpose)
        .bind_text(7, m.first_media_id)
        .bind_int(8, now_ms);
    return s->run();
  }

  std::optional<std::string> payment_with_media(const std::string& sha256, const std::string& other_than) override {
    auto s = st("SELECT reference FROM payments WHERE media_sha256 = ?1 AND register_no <> ?2"
                " AND state <> 'rejected' ORDER BY id LIMIT 1")
                 .use();
    s->bind_text(1, sha256).bind_text(2, other_than);
    if (s->step() != Step::row) return std::nullopt;
    return s->column_text(0);
  }

  std::optional<std::int64_t> next_sequence(const std::string& prefix, const std::string& day) override {
    if (!ensure_tx().ok) return std::nullopt;
    auto s = st("INSERT INTO reference_counters(prefix, day, last) VALUES (?1, ?2, 1)"
                " ON CONFLICT(prefix, day) DO UPDATE SET last = last + 1 RETURNING last")
                 .use();
    s->bind_text(1, prefix).bind_text(2, day);
    if (s->step() != Step::row) return std::nullopt;
    return s->column_int(0);
  }

  Status insert_payment(const PaymentRow& p, std::int64_t now_ms) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("INSERT INTO payments(reference, business_number, wa_id, register_no, media_sha256, duplicate_of,"
                " state, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)")
                 .use();
    s->bind_text(1, p.reference)
        .bind_text(2, p.business_number)
        .bind_text(3, p.wa_id)
        .bind_text(4, p.register_no)
        .bind_text(5, p.media_sha256)
        .bind_text(6, p.duplicate_of)
        .bind_int(7, now_ms);
    return s->run();
  }

  std::optional<PaymentRow> payment_by_id(std::int64_t id) override {
    auto s = st(std::string("SELECT ") + payment_columns +
                " FROM payments p LEFT JOIN media_files m ON m.sha256 = p.media_sha256 WHERE p.id = ?1")
                 .use();
    s->bind_int(1, id);
    if (s->step() != Step::row) return std::nullopt;
    return read_payment(*s);
  }

  std::optional<PaymentRow> payment_by_reference(const std::string& reference) override {
    auto s = st(std::string("SELECT ") + payment_columns +
                " FROM payments p LEFT JOIN media_files m ON m.sha256 = p.media_sha256 WHERE p.reference = ?1")
                 .use();
    s->bind_text(1, reference);
    if (s->step() != Step::row) return std::nullopt;
    return read_payment(*s);
  }

  std::vector<PaymentRow> payments_in_state(const std::string& state, std::size_t limit) override {
    auto s = st(std::string("SELECT ") + payment_columns +
                " FROM payments p LEFT JOIN media_files m ON m.sha256 = p.media_sha256"
                " WHERE (?1 = '' OR p.state = ?1) ORDER BY p.id LIMIT ?2")
                 .use();
    s->bind_text(1, state).bind_int(2, static_cast<std::int64_t>(limit));
    std::vector<PaymentRow> out;
    while (s->step() == Step::row) out.push_back(read_payment(*s));
    return out;
  }

  bool decide_payment(std::int64_t id, bool verified, const std::string& reason, const std::string& officer,
                      std::int64_t now_ms) override {
    if (!ensure_tx().ok) return false;
    auto s = st("UPDATE payments SET state = ?2, reason = ?3, decided_by = ?4, decided_at_ms = ?5, updated_at_ms = ?5"
                " WHERE id = ?1 AND state = 'pending'")
                 .use();
    s->bind_int(1, id)
        .bind_text(2, verified ? "verified" : "rejected")
        .bind_text(3, reason)
        .bind_text(4, officer)
        .bind_int(5, now_ms);
    return s->run().ok && db_.changes() == 1;
  }

  // --- drive-thru and COD ---------------------------------------------------------------------
  std::vector<SlotRow> open_slots(const std::string& business_number, const std::string& from_date,
                                  const std::string& from_time, std::size_t limit) override {
    auto s = st(std::string("SELECT ") + slot_columns +
                " FROM drive_thru_slots WHERE business_number = ?1 AND booked < capacity"
                " AND (date > ?2 OR (date = ?2 AND start_time > ?3)) ORDER BY date, start_time LIMIT ?4")
                 .use();
    s->bind_text(1, business_number).bind_text(2, from_date).bind_text(3, from_time).bind_int(
        4, static_cast<std::int64_t>(limit));
    std::vector<SlotRow> out;
    while (s->step() == Step::row) out.push_back(read_slot(*s));
    return out;
  }

  std::optional<SlotRow> slot(std::int64_t id) override {
    auto s = st(std::string("SELECT ") + slot_columns + " FROM drive_thru_slots WHERE id = ?1").use();
    s->bind_int(1, id);
    if (s->step() != Step::row) return std::nullopt;
    return read_slot(*s);
  }

  bool take_slot_place(std::int64_t id) override {
    if (!ensure_tx().ok) return false;
    auto s = st("UPDATE drive_thru_slots SET booked = booked + 1 WHERE id = ?1 AND booked < capacity").use();
    s->bind_int(1, id);
    return s->run().ok && db_.changes() == 1;
  }

  Status insert_booking(std::int64_t slot_id, const std::string& business_number, const std::string& register_no,
                        const std::string& wa_id, const std::string& queue_no, std::int64_t now_ms) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("INSERT INTO slot_bookings(slot_id, business_number, register_no, wa_id, queue_no, created_at_ms)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                 .use();
    s->bind_int(1, slot_id)
        .bind_text(2, business_number)
        .bind_text(3, register_no)
        .bind_text(4, wa_id)
        .bind_text(5, queue_no)
        .bind_int(6, now_ms);
    return s->run();
  }

  Status upsert_slot(const SlotRow& r) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("INSERT INTO drive_thru_slots(business_number, date, start_time, end_time, capacity, booked)"
                " VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT(business_number, date, start_time) DO UPDATE SET"
                " end_time = excluded.end_time, capacity = max(excluded.capacity, booked)")
                 .use();
    s->bind_text(1, r.business_number)
        .bind_text(2, r.date)
        .bind_text(3, r.start_time)
        .bind_text(4, r.end_time)
        .bind_int(5, r.capacity);
    return s->run();
  }

  std::map<std::string, std::int64_t> cod_tariffs(const std::string& business_number) override {
    auto s = st("SELECT city, fee FROM cod_tariffs WHERE business_number = ?1").use();
    s->bind_text(1, business_number);
    std::map<std::string, std::int64_t> out;
    while (s->step() == Step::row) out[s->column_text(0)] = s->column_int(1);
    return out;
  }

  Status upsert_tariff(const std::string& business_number, const std::string& city, std::int64_t fee) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("INSERT INTO cod_tariffs(business_number, city, fee) VALUES (?1, ?2, ?3)"
                " ON CONFLICT(business_number, city) DO UPDATE SET fee = excluded.fee")
                 .use();
    s->bind_text(1, business_number).bind_text(2, city).bind_int(3, fee);
    return s->run();
  }

  std::optional<std::int64_t> insert_shipment(const ShipmentRow& r, std::int64_t now_ms) override {
    if (!ensure_tx().ok) return std::nullopt;
    auto s = st("INSERT INTO shipments(business_number, wa_id, register_no, recipient_name, address, kelurahan,"
                " kecamatan, city, phone, fee, state, created_at_ms, updated_at_ms)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'recorded', ?11, ?11) RETURNING id")
                 .use();
    s->bind_text(1, r.business_number)
        .bind_text(2, r.wa_id)
        .bind_text(3, r.register_no)
        .bind_text(4, r.recipient_name)
        .bind_text(5, r.address)
        .bind_text(6, r.kelurahan)
        .bind_text(7, r.kecamatan)
        .bind_text(8, r.city)
        .bind_text(9, r.phone)
        .bind_int(10, r.fee)
        .bind_int(11, now_ms);
    if (s->step() != Step::row) return std::nullopt;
    return s->column_int(0);
  }

  std::vector<ShipmentRow> shipments_in_state(const std::string& state, std::size_t limit) override {
    auto s = st(std::string("SELECT ") + shipment_columns +
                " FROM shipments WHERE (?1 = '' OR state = ?1) ORDER BY id LIMIT ?2")
                 .use();
    s->bind_text(1, state).bind_int(2, static_cast<std::int64_t>(limit));
    std::vector<ShipmentRow> out;
    while (s->step() == Step::row) out.push_back(read_shipment(*s));
    return out;
  }

  std::optional<ShipmentRow> shipment(std::int64_t id) override {
    auto s = st(std::string("SELECT ") + shipment_columns + " FROM shipments WHERE id = ?1").use();
    s->bind_int(1, id);
    if (s->step() != Step::row) return std::nullopt;
    return read_shipment(*s);
  }

  bool mark_shipment_dispatched(std::int64_t id, const std::string& tracking_no, std::int64_t now_ms) override {
    if (!ensure_tx().ok) return false;
    auto s = st("UPDATE shipments SET state = 'dispatched', tracking_no = ?2, updated_at_ms = ?3"
                " WHERE id = ?1 AND state = 'recorded'")
                 .use();
    s->bind_int(1, id).bind_text(2, tracking_no).bind_int(3, now_ms);
    return s->run().ok && db_.changes() == 1;
  }

  // --- reports --------------------------------------------------------------------------------
  Status insert_report(const ReportRow& r) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    // Coordinates travel as text and are stored as REAL (the statement wrapper binds text and ints).
    auto s = st("INSERT INTO reports(report_no, business_number, wa_id, category, team, what, how, when_text,"
                " where_text, who, has_location, latitude, longitude, address, photo_sha256, status, notes,"
                " created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                " CASE WHEN ?11 = 1 THEN CAST(?12 AS REAL) END, CASE WHEN ?11 = 1 THEN CAST(?13 AS REAL) END,"
                " ?14, ?15, ?16, ?17, ?18, ?18)")
                 .use();
    s->bind_text(1, r.report_no)
        .bind_text(2, r.business_number)
        .bind_text(3, r.wa_id)
        .bind_text(4, r.category)
        .bind_text(5, r.team)
        .bind_text(6, r.what)
        .bind_text(7, r.how)
        .bind_text(8, r.when_text)
        .bind_text(9, r.where_text)
        .bind_text(10, r.who)
        .bind_int(11, r.has_location ? 1 : 0)
        .bind_text(12, std::to_string(r.latitude))
        .bind_text(13, std::to_string(r.longitude))
        .bind_text(14, r.address)
        .bind_text(15, r.photo_sha256)
        .bind_text(16, r.status)
        .bind_text(17, r.notes)
        .bind_int(18, r.created_at_ms);
    return s->run();
  }

  std::optional<ReportRow> report(const std::string& report_no) override {
    auto s = st("SELECT report_no, business_number, wa_id, category, team, what, how, when_text, where_text, who,"
                " has_location, coalesce(CAST(latitude AS TEXT), '0'), coalesce(CAST(longitude AS TEXT), '0'),"
                " address, photo_sha256, status, notes, created_at_ms, updated_at_ms FROM reports WHERE report_no = ?1")
                 .use();
    s->bind_text(1, report_no);
    if (s->step() != Step::row) return std::nullopt;
    ReportRow r;
    r.report_no = s->column_text(0);
    r.business_number = s->column_text(1);
    r.wa_id = s->column_text(2);
    r.category = s->column_text(3);
    r.team = s->column_text(4);
    r.what = s->column_text(5);
    r.how = s->column_text(6);
    r.when_text = s->column_text(7);
    r.where_text = s->column_text(8);
    r.who = s->column_text(9);
    r.has_location = s->column_int(10) == 1;
    r.latitude = std::stod(s->column_text(11));
    r.longitude = std::stod(s->column_text(12));
    r.address = s->column_text(13);
    r.photo_sha256 = s->column_text(14);
    r.status = s->column_text(15);
    r.notes = s->column_text(16);
    r.created_at_ms = s->column_int(17);
    r.updated_at_ms = s->column_int(18);
    return r;
  }

  bool set_report_status(const std::string& report_no, const std::string& status, const std::string& note,
                         std::int64_t now_ms) override {
    if (!ensure_tx().ok) return false;
    auto s = st("UPDATE reports SET status = ?2, notes = CASE WHEN ?3 = '' THEN notes ELSE ?3 END,"
                " updated_at_ms = ?4 WHERE report_no = ?1")
                 .use();
    s->bind_text(1, report_no).bind_text(2, status).bind_text(3, note).bind_int(4, now_ms);
    return s->run().ok && db_.changes() == 1;
  }

  // --- e-TLE ----------------------------------------------------------------------------------
  std::optional<NoticeRow> notice(const std::string& notice_id) override {
    return notice_where("notice_id = ?1", notice_id);
  }
  std::optional<NoticeRow> notice_by_template_wamid(const std::string& wamid) override {
    // The button answer quotes the wamid of the template (or of a reminder): the outbox row that
    // sent it names the notice. An expired notice takes no answers.
    return notice_where("(template_wamid = ?1 OR notice_id = (SELECT source_ref FROM outbox WHERE wamid = ?1"
                        " AND source = 'etle')) AND state <> 'expired'",
                        wamid);
  }
  std::optional<NoticeRow> latest_open_notice(const std::string& owner_wa) override {
    return notice_where("owner_wa = ?1 AND response = '' AND state <> 'expired'"
                        " ORDER BY created_at_ms DESC, rowid DESC",
                        owner_wa);
  }

  Status record_etle_response(const std::string& notice_id, const std::string& response,
                              const std::string& other_name, const std::string& other_phone,
                              std::int64_t now_ms) override {
    if (Status s = ensure_tx(); !s.ok) return s;
    auto s = st("UPDATE etle_notices SET response = ?2, other_name = ?3, other_phone = ?4, responded_at_ms = ?5,"
                " updated_at_ms = ?5, state = CASE ?2 WHEN 'driver_self' THEN 'confirmed'"
                " WHEN 'driver_other' THEN 'transferred' ELSE 'disputed' END WHERE notice_id = ?1")
                 .use();
    s->bind_text(1, notice_id).bind_text(2, response).bind_text(3, other_name).bind_text(4, other_phone).bind_int(
        5, now_ms);
    return s->run();
  }

 private:
  // Prepared on first use, then reused for the connection's life.
  Statement& st(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) it = statements_.emplace(sql, db_.prepare(sql)).first;
    return it->second;
  }

  // Inside a group every turn is a savepoint of the group's transaction, so a failing turn is undone
  // alone. SQLite may have rolled the whole transaction back itself (e.g. disk full): begin again,
  // IMMEDIATE, before the savepoint (an outermost SAVEPOINT would begin a deferred transaction).
  Status ensure_tx() {
    if (grouped_) {
      if (turn_open_ && db_.in_transaction()) return Status::success();
      if (!db_.in_transaction()) {
        if (Status s = db_.begin_immediate(); !s.ok) return s;
      }
      if (Status s = st("SAVEPOINT turn").use()->run(); !s.ok) return s;
      turn_open_ = true;
      return Status::success();
    }
    if (db_.in_transaction()) return Status::success();
    return db_.begin_immediate();
  }

  Status fail(const char* what, const Status& s) {
    abort();
    return Status::failure(std::string(what) + ": " + s.error);
  }

  static Statement& bind_fine(Statement& s, const FineRow& f) {
    return s.bind_text(1, f.register_no)
        .bind_text(2, f.business_number)
        .bind_text(3, f.plate)
        .bind_text(4, f.plate_normalized)
        .bind_text(5, f.violator_name)
        .bind_text(6, f.violation_date)
        .bind_text(7, f.article)
        .bind_int(8, f.fine_amount)
        .bind_int(9, f.court_fee)
        .bind_text(10, f.evidence)
        .bind_text(11, f.hearing_date)
        .bind_text(12, f.office)
        .bind_text(13, f.status);
  }

  std::vector<FineRow> fines_where(const std::string& where, const std::string& value) {
    auto s = st(std::string("SELECT ") + fine_columns + " FROM fines WHERE " + where +
                " ORDER BY violation_date, register_no")
                 .use();
    s->bind_text(1, value);
    std::vector<FineRow> out;
    while (s->step() == Step::row) out.push_back(read_fine(*s));
    return out;
  }

  std::optional<NoticeRow> notice_where(const std::string& where, const std::string& value) {
    auto s = st(std::string("SELECT ") + notice_columns + " FROM etle_notices WHERE " + where + " LIMIT 1").use();
    s->bind_text(1, value);
    if (s->step() != Step::row) return std::nullopt;
    return read_notice(*s);
  }

  // Declared first so it is destroyed after the statements.
  sqlite::Connection db_;
  std::map<std::string, Statement> statements_;
  bool grouped_ = false;    // between begin_group() and end_group()
  bool turn_open_ = false;  // grouped: the current turn's savepoint is open
};

}  // namespace

std::unique_ptr<EngineStore> open_sqlite_engine_store(const std::string& path) {
  return std::make_unique<SqliteEngineStore>(path);
}

NoticeRow read_notice(sqlite::Statement& s) {
  NoticeRow n;
  n.notice_id = s.column_text(0);
  n.business_number = s.column_text(1);
  n.plate = s.column_text(2);
  n.plate_normalized = s.column_text(3);
  n.owner_name = s.column_text(4);
  n.owner_wa = s.column_text(5);
  n.violation_time = s.column_text(6);
  n.location = s.column_text(7);
  n.article = s.column_text(8);
  n.fine_amount = s.column_int(9);
  n.photo_url = s.column_text(10);
  n.confirm_by = s.column_text(11);
  n.briva = s.column_text(12);
  n.payment_deadline = s.column_text(13);
  n.state = s.column_text(14);
  n.template_wamid = s.column_text(15);
  n.response = s.column_text(16);
  n.other_name = s.column_text(17);
  n.other_phone = s.column_text(18);
  return n;
}

}  // namespace tilang::storage

// The SQLite ConsoleStore: one connection, statements prepared on first use and reused.
#include "storage/console_store.hpp"

#include <filesystem>
#include <map>
#include <stdexcept>

#include "storage/inbox_log.hpp"
#include "storage/migrations.hpp"
#include "storage/outbox_store.hpp"
#include "storage/sqlite.hpp"

namespace tilang::storage {

using sqlite::Statement;
using sqlite::Step;

struct ConsoleStore::Impl {
  sqlite::Connection db;
  InboxLog inbox;  // raw webhook bodies live in their own file; the retention purge prunes it
  std::map<std::string, Statement, std::less<>> statements;  // destroyed before db (declared after)

  explicit Impl(const std::string& path) : db(path), inbox(inbox_path_for(path), 0, true) {}

  Statement& stmt(std::string_view sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) it = statements.emplace(std::string(sql), db.prepare(sql)).first;
    return it->second;
  }

  // Removes the media a bound query selects as (sha256, path): file first, then its row, one by
  // one, so a file that cannot be removed keeps its row and is retried next time. Returns the
  // last file error ("" when none).
  std::string remove_media(Statement& selected, std::int64_t& removed) {
    std::vector<std::pair<std::string, std::string>> files;
    while (selected.step() == Step::row) files.emplace_back(selected.column_text(0), selected.column_text(1));
    selected.reset();
    std::string file_error;
    for (const auto& [sha, path] : files) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      if (ec) {
        file_error = "cannot delete " + path + ": " + ec.message();
        continue;
      }
      auto use = stmt("DELETE FROM media_files WHERE sha256 = ?1").use();
      use->bind_text(1, sha);
      if (use->run().ok) ++removed;
    }
    return file_error;
  }
};

namespace {

constexpr const char* conversation_select =
    "SELECT coalesce(r.ref, ''), c.business_number, c.user_id, c.mode, c.owner, c.topic,"
    " coalesce(c.waiting_since_ms, 0), c.last_inbound_ms, c.updated_at_ms,"
    " coalesce((SELECT json_extract(m.payload_json, '$.profile_name') FROM inbound_messages m"
    "   WHERE m.user_id = c.user_id AND m.business_number = c.business_number"
    "   ORDER BY m.timestamp DESC, m.rowid DESC LIMIT 1), '')"
    " FROM conversations c LEFT JOIN conversation_refs r"
    "   ON r.business_number = c.business_number AND r.user_id = c.user_id ";

ConsoleConversation read_conversation(Statement& s) {
  ConsoleConversation c;
  c.ref = s.column_text(0);
  c.business_number = s.column_text(1);
  c.user = s.column_text(2);
  c.mode = s.column_text(3);
  c.owner = s.column_text(4);
  c.topic = s.column_text(5);
  c.waiting_since_ms = s.column_int(6);
  c.last_inbound_ms = s.column_int(7);
  c.updated_at_ms = s.column_int(8);
  c.profile_name = s.column_text(9);
  return c;
}

constexpr const char* report_columns =
    "report_no, business_number, wa_id, category, team, what, how, when_text, where_text, who, has_location,"
    " coalesce(latitude, 0), coalesce(longitude, 0), address, photo_sha256, status, notes, created_at_ms,"
    " updated_at_ms";

ReportRow read_report(Statement& s) {
  ReportRow r;
  r.report_no = s.column_text(0);
  r.business_number = s.column_text(1);
  r.wa_id = s.column_text(2);
  r.category = s.column_text(3);
  r.team = s.column_text(4);
  r.what = s.column_text(5);
  r.how = s.column_text(6);
  r.when_text = s.column_text(7);
  r.where_text = s.column_text(8);
  r.who = s.column_text(9);
  r.has_location = s.column_int(10) != 0;
  // Coordinates are stored as REAL; read them through their text form to stay within this API.
  r.latitude = std::stod(s.column_text(11).empty() ? "0" : s.column_text(11));
  r.longitude = std::stod(s.column_text(12).empty() ? "0" : s.column_text(12));
  r.address = s.column_text(13);
  r.photo_sha256 = s.column_text(14);
  r.status = s.column_text(15);
  r.notes = s.column_text(16);
  r.created_at_ms = s.column_int(17);
  r.updated_at_ms = s.column_int(18);
  return r;
}

}  // namespace

ConsoleStore::ConsoleStore(const std::string& path) : impl_(std::make_unique<Impl>(path)) {
  const MigrationResult migrated = apply_migrations(impl_->db, builtin_migration_files());
  if (!migrated.status.ok) throw std::runtime_error("cannot migrate " + path + ": " + migrated.status.error);
  // Deleted personal data must not linger in free pages of the file.
  if (Status s = impl_->db.exec("PRAGMA secure_delete=ON"); !s.ok) throw std::runtime_error("secure_delete: " + s.error);
}

ConsoleStore::~ConsoleStore() = default;

Status ConsoleStore::upsert_agent(const std::string& username, const std::string& role,
                                  const std::string& password_hash, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "INSERT INTO agents(username, role, password_hash, created_at_ms, updated_at_ms)"
                     " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(username) DO UPDATE SET role = excluded.role,"
                     " password_hash = excluded.password_hash, disabled = 0, updated_at_ms = excluded.updated_at_ms")
                 .use();
  use->bind_text(1, username).bind_text(2, role).bind_text(3, password_hash).bind_int(4, now_ms);
  return use->run();
}

std::optional<AgentRow> ConsoleStore::agent(const std::string& username) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("SELECT username, role, password_hash, disabled FROM agents WHERE username = ?1").use();
  use->bind_text(1, username);
  if (use->step() != Step::row) return std::nullopt;
  return AgentRow{use->column_text(0), use->column_text(1), use->column_text(2), use->column_int(3) != 0};
}

AgentDisabled ConsoleStore::disable_agent(const std::string& username, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  AgentDisabled result;
  sqlite::Transaction tx(impl_->db);
  if (result.status = tx.status(); !result.status.ok) return result;
  {
    auto use = impl_->stmt("UPDATE agents SET disabled = 1, updated_at_ms = ?2 WHERE username = ?1").use();
    use->bind_text(1, username).bind_int(2, now_ms);
    if (result.status = use->run(); !result.status.ok) return result;
  }
  if (impl_->db.changes() == 0) return result;
  {
    auto use = impl_->stmt("DELETE FROM agent_sessions WHERE username = ?1").use();
    use->bind_text(1, username);
    if (result.status = use->run(); !result.status.ok) return result;
  }
  const std::int64_t ended = impl_->db.changes();
  if (result.status = tx.commit(); !result.status.ok) return result;
  result.found = true;
  result.sessions_ended = ended;
  return result;
}

Status ConsoleStore::insert_session(const std::string& token_hash, const std::string& username,
                                    const std::string& csrf_token, std::int64_t now_ms, std::int64_t expires_at_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "INSERT INTO agent_sessions(token_hash, username, csrf_token, created_at_ms, expires_at_ms)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)")
                 .use();
  use->bind_text(1, token_hash).bind_text(2, username).bind_text(3, csrf_token).bind_int(4, now_ms).bind_int(5, expires_at_ms);
  return use->run();
}

std::optional<SessionRow> ConsoleStore::session(const std::string& token_hash, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "SELECT s.username, a.role, s.csrf_token, s.expires_at_ms FROM agent_sessions s"
                     " JOIN agents a ON a.username = s.username"
                     " WHERE s.token_hash = ?1 AND s.expires_at_ms > ?2 AND a.disabled = 0")
                 .use();
  use->bind_text(1, token_hash).bind_int(2, now_ms);
  if (use->step() != Step::row) return std::nullopt;
  return SessionRow{use->column_text(0), use->column_text(1), use->column_text(2), use->column_int(3)};
}

Status ConsoleStore::delete_session(const std::string& token_hash) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("DELETE FROM agent_sessions WHERE token_hash = ?1").use();
  use->bind_text(1, token_hash);
  return use->run();
}

Status ConsoleStore::delete_expired_sessions(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("DELETE FROM agent_sessions WHERE expires_at_ms <= ?1").use();
  use->bind_int(1, now_ms);
  return use->run();
}

Status ConsoleStore::record_login_failure(const std::string& key, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("INSERT INTO login_failures(key, at_ms) VALUES (?1, ?2)").use();
  use->bind_text(1, key).bind_int(2, now_ms);
  return use->run();
}

std::vector<std::int64_t> ConsoleStore::login_failures(const std::string& key, std::int64_t since_ms,
                                                       std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("SELECT at_ms FROM login_failures WHERE key = ?1 AND at_ms >= ?2 ORDER BY at_ms DESC LIMIT ?3")
                 .use();
  use->bind_text(1, key).bind_int(2, since_ms).bind_int(3, static_cast<std::int64_t>(limit));
  std::vector<std::int64_t> out;
  while (use->step() == Step::row) out.push_back(use->column_int(0));
  return out;
}

Status ConsoleStore::clear_login_failures(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("DELETE FROM login_failures WHERE key = ?1").use();
  use->bind_text(1, key);
  return use->run();
}

Status ConsoleStore::audit(const AuditRow& row) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "INSERT INTO audit_log(at_ms, actor, role, action, target, detail, remote)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                 .use();
  use->bind_int(1, row.at_ms).bind_text(2, row.actor).bind_text(3, row.role).bind_text(4, row.action);
  use->bind_text(5, row.target).bind_text(6, row.detail).bind_text(7, row.remote);
  return use->run();
}

std::vector<AuditRow> ConsoleStore::audit_log(std::int64_t before_id, std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "SELECT id, at_ms, actor, role, action, target, detail, remote FROM audit_log"
                     " WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2")
                 .use();
  use->bind_int(1, before_id).bind_int(2, static_cast<std::int64_t>(limit));
  std::vector<AuditRow> out;
  while (use->step() == Step::row) {
    out.push_back({use->column_int(0), use->column_int(1), use->column_text(2), use->column_text(3),
                   use->column_text(4), use->column_text(5), use->column_text(6), use->column_text(7)});
  }
  return out;
}

std::vector<CannedResponse> ConsoleStore::canned_responses(const std::string& business_number) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "SELECT id, title, body FROM canned_responses WHERE business_number IN ('', ?1)"
                     " ORDER BY sort_order, id")
                 .use();
  use->bind_text(1, business_number);
  std::vector<CannedResponse> out;
  while (use->step() == Step::row) out.push_back({use->column_int(0), use->column_text(1), use->column_text(2)});
  return out;
}

std::vector<ConsoleConversation> ConsoleStore::conversations(const std::string& mode, std::size_t limit) {
  std::lock_guard lock(mutex_);
  const std::string order = mode == "waiting" ? "ORDER BY c.waiting_since_ms, c.user_id" : "ORDER BY c.updated_at_ms DESC";
  const std::string sql = std::string(conversation_select) + "WHERE c.mode = ?1 " + order + " LIMIT ?2";
  auto read = [&] {
    auto use = impl_->stmt(sql).use();
    use->bind_text(1, mode).bind_int(2, static_cast<std::int64_t>(limit));
    std::vector<ConsoleConversation> out;
    while (use->step() == Step::row) out.push_back(read_conversation(*use));
    return out;
  };
  auto rows = read();
  bool missing_ref = false;
  for (const auto& c : rows) missing_ref = missing_ref || c.ref.empty();
  if (!missing_ref) return rows;
  // Conversations seen for the first time get their opaque handle (random, from SQLite's CSPRNG).
  auto insert = impl_->stmt(
                        "INSERT OR IGNORE INTO conversation_refs(ref, business_number, user_id)"
                        " SELECT 'c' || lower(hex(randomblob(12))), c.business_number, c.user_id FROM conversations c"
                        " WHERE c.mode = ?1 AND NOT EXISTS (SELECT 1 FROM conversation_refs r"
                        "   WHERE r.business_number = c.business_number AND r.user_id = c.user_id)")
                    .use();
  insert->bind_text(1, mode);
  (void)insert->run();
  return read();
}

std::optional<ConsoleConversation> ConsoleStore::conversation(const std::string& ref_or_user) {
  std::lock_guard lock(mutex_);
  const bool is_ref = !ref_or_user.empty() && ref_or_user.front() == 'c';
  if (!is_ref) {
    // Give it a handle first, so every answer about it can carry one.
    auto insert = impl_->stmt(
                          "INSERT OR IGNORE INTO conversation_refs(ref, business_number, user_id)"
                          " SELECT 'c' || lower(hex(randomblob(12))), business_number, user_id FROM conversations"
                          " WHERE user_id = ?1")
                      .use();
    insert->bind_text(1, ref_or_user);
    (void)insert->run();
  }
  const std::string sql = std::string(conversation_select) +
                          (is_ref ? "WHERE r.ref = ?1" : "WHERE c.user_id = ?1 ORDER BY c.business_number LIMIT 1");
  auto use = impl_->stmt(sql).use();
  use->bind_text(1, ref_or_user);
  if (use->step() != Step::row) return std::nullopt;
  return read_conversation(*use);
}

std::vector<TranscriptInbound> ConsoleStore::inbound_messages(const ConversationKey& key, std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "SELECT * FROM (SELECT m.wamid, m.timestamp, m.type, m.payload_json, coalesce(f.sha256, ''),"
                     " coalesce(f.mime, ''), m.rowid AS rid FROM inbound_messages m"
                     " LEFT JOIN media_files f ON f.first_media_id = json_extract(m.payload_json, '$.media.id')"
                     " WHERE m.business_number = ?1 AND m.user_id = ?2 ORDER BY m.timestamp DESC, m.rowid DESC LIMIT ?3)"
                     " ORDER BY timestamp, rid")
                 .use();
  use->bind_text(1, key.business_number).bind_text(2, key.user).bind_int(3, static_cast<std::int64_t>(limit));
  std::vector<TranscriptInbound> out;
  while (use->step() == Step::row) {
    out.push_back({use->column_text(0), use->column_int(1), use->column_text(2), use->column_text(3),
                   use->column_text(4), use->column_text(5)});
  }
  return out;
}

std::vector<TranscriptOutbound> ConsoleStore::outbound_messages(const ConversationKey& key, std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "SELECT * FROM (SELECT o.id, o.kind, o.body_json, o.state, coalesce(s.status, ''),"
                     " CASE WHEN s.error_code > 0 THEN s.error_code ELSE o.error_code END,"
                     " CASE WHEN s.error_details <> '' THEN s.error_details ELSE o.error_details END,"
                     " o.source, o.source_ref, o.created_at_ms FROM outbox o"
                     " LEFT JOIN message_status s ON s.wamid = o.wamid"
                     " WHERE o.business_number = ?1 AND o.recipient = ?2 AND o.kind <> 'read'"
                     " ORDER BY o.id DESC LIMIT ?3) ORDER BY id")
                 .use();
  use->bind_text(1, key.business_number).bind_text(2, key.user).bind_int(3, static_cast<std::int64_t>(limit));
  std::vector<TranscriptOutbound> out;
  while (use->step() == Step::row) {
    TranscriptOutbound o;
    o.id = use->column_int(0);
    o.kind = use->column_text(1);
    o.body_json = use->column_text(2);
    o.state = use->column_text(3);
    o.delivery_status = use->column_text(4);
    o.error_code = static_cast<int>(use->column_int(5));
    o.error_details = use->column_text(6);
    o.source = use->column_text(7);
    o.source_ref = use->column_text(8);
    o.created_at_ms = use->column_int(9);
    out.push_back(std::move(o));
  }
  return out;
}

std::optional<std::int64_t> ConsoleStore::enqueue_agent_message(const ConversationKey& key, const std::string& kind,
                                                                const std::string& body_json,
                                                                const std::string& officer, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "INSERT INTO outbox(business_number, recipient, kind, body_json, biz_opaque_callback_data,"
                     " source, source_ref, created_at_ms, updated_at_ms)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, 'agent', ?6, ?7, ?7)")
                 .use();
  use->bind_text(1, key.business_number).bind_text(2, key.user).bind_text(3, kind).bind_text(4, body_json);
  use->bind_text(5, new_callback_id()).bind_text(6, officer).bind_int(7, now_ms);
  if (!use->run().ok) return std::nullopt;
  return impl_->db.query_int("SELECT last_insert_rowid()");
}

Status ConsoleStore::record_resolution(const ConversationKey& key, const std::string& officer, const std::string& note,
                                       std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt(
                     "INSERT INTO conversation_resolutions(business_number, user_id, resolved_by, note, resolved_at_ms)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)")
                 .use();
  use->bind_text(1, key.business_number).bind_text(2, key.user).bind_text(3, officer).bind_text(4, note).bind_int(5, now_ms);
  return use->run();
}

std::optional<MediaRef> ConsoleStore::media(const std::string& sha256) {
  std::lock_guard lock(mutex_);
  auto use = impl_->stmt("SELECT path, mime FROM media_files WHERE sha256 = ?1").use();
  use->bind_text(1, sha256);
  if (use->step() != Step::row) return std::nullopt;
  return MediaRef{use->column_text(0), use->column_text(1)};
}

std::vector<ReportRow> ConsoleStore::reports(const std::string& status, const std::string& team, std::size_t limit) {
  std::lock_guard lock(mutex_);
  const std::string sql = std::string("SELECT ") + report_columns +
                          " FROM reports WHERE (?1 = '' OR status = ?1 OR (?1 = 'open' AND status IN ('received',"
                          " 'in_progress'))) AND (?3 = '' OR team = ?3) ORDER BY created_at_ms LIMIT ?2";
  auto use = impl_->stmt(sql).use();
  use->bind_text(1, status).bind_int(2, static_cast<std::int64_t>(limit)).bind_text(3, team);
  std::vector<ReportRow> out;
  while (use->step() == Step::row) out.push_back(read_report(*use));
  return out;
}

std::int64_t ConsoleStore::data_version() {
  std::lock_guard lock(mutex_);
  return impl_->db.query_int("PRAGMA data_version").value_or(0);
}

PurgeCounts ConsoleStore::purge(const RetentionCutoffs& cutoffs) {
  std::lock_guard lock(mutex_);
  PurgeCounts counts;
  auto& db = impl_->db;
  auto exec_count = [&](const char* sql, std::int64_t cutoff, std::int64_t& counter) {
    if (!counts.status.ok) return;
    auto use = impl_->stmt(sql).use();
    use->bind_int(1, cutoff);
    if (Status s = use->run(); !s.ok) {
      counts.status = s;
      return;
    }
    counter += db.changes();
  };

  std::string file_error;
  if (cutoffs.media_before_ms > 0) {
    auto use = impl_->stmt(
                       "SELECT sha256, path FROM media_files WHERE created_at_ms < ?1 AND sha256 NOT IN"
                       " (SELECT media_sha256 FROM payments WHERE state = 'pending')")
                   .use();
    use->bind_int(1, cutoffs.media_before_ms);
    file_error = impl_->remove_media(*use, counts.media_files);
  }

  sqlite::Transaction tx(db);
  if (!tx.status().ok) {
    counts.status = tx.status();
    return counts;
  }
  if (cutoffs.messages_before_ms > 0) {
    const std::int64_t cut = cutoffs.messages_before_ms;
    exec_count("DELETE FROM inbound_messages WHERE created_at_ms < ?1 AND handled = 1", cut, counts.inbound_messages);
    exec_count("DELETE FROM outbox WHERE created_at_ms < ?1 AND state IN ('accepted', 'failed')", cut, counts.outbox);
    exec_count("DELETE FROM message_status WHERE updated_at_ms < ?1", cut, counts.statuses);
    exec_count("DELETE FROM conversations WHERE updated_at_ms < ?1 AND mode = 'bot'", cut, counts.conversations);
    std::int64_t ignored = 0;
    exec_count("DELETE FROM notification_errors WHERE created_at_ms < ?1", cut, ignored);
  }
  if (cutoffs.reports_before_ms > 0) {
    exec_count("DELETE FROM reports WHERE created_at_ms < ?1 AND status IN ('done', 'rejected')",
               cutoffs.reports_before_ms, counts.reports);
  }
  if (!counts.status.ok) return counts;  // the transaction rolls back
  if (Status s = tx.commit(); !s.ok) counts.status = s;
  if (counts.status.ok && cutoffs.messages_before_ms > 0) {
    // Only parsed bodies: an unparsed one is an acknowledged notification still to be handled.
    const auto through = db.query_int("SELECT parsed_through FROM inbox_progress WHERE id = 1").value_or(0);
    const std::int64_t pruned = impl_->inbox.prune(through, cutoffs.messages_before_ms);
    if (pruned < 0) counts.status = Status::failure("cannot prune the inbox file");
    else counts.inbox_bodies = pruned;
  }
  if (counts.status.ok && !file_error.empty()) counts.status = Status::failure(file_error);
  return counts;
}

ErasureCounts ConsoleStore::erase_user(const std::string& wa_id) {
  std::lock_guard lock(mutex_);
  ErasureCounts result;
  PurgeCounts& counts = result.deleted;
  auto& db = impl_->db;
  auto count_of = [&](const char* sql) {
    auto use = impl_->stmt(sql).use();
    use->bind_text(1, wa_id);
    return use->step() == Step::row ? use->column_int(0) : 0;
  };
  auto exec_count = [&](const char* sql, std::int64_t& counter) {
    if (!counts.status.ok) return;
    auto use = impl_->stmt(sql).use();
    use->bind_text(1, wa_id);
    if (Status s = use->run(); !s.ok) {
      counts.status = s;
      return;
    }
    counter += db.changes();
  };

  // Their files, unless another user's record or a proof still being decided needs the same bytes
  // (media are stored once per content).
  std::string file_error;
  {
    auto use = impl_->stmt(
                       "SELECT sha256, path FROM media_files WHERE (first_wa_id = ?1"
                       " OR sha256 IN (SELECT media_sha256 FROM payments WHERE wa_id = ?1)"
                       " OR sha256 IN (SELECT photo_sha256 FROM reports WHERE wa_id = ?1))"
                       " AND sha256 NOT IN (SELECT media_sha256 FROM payments WHERE state = 'pending' OR wa_id <> ?1)"
                       " AND sha256 NOT IN (SELECT photo_sha256 FROM reports WHERE wa_id <> ?1"
                       " OR status NOT IN ('done', 'rejected'))")
                   .use();
    use->bind_text(1, wa_id);
    file_error = impl_->remove_media(*use, counts.media_files);
  }

  sqlite::Transaction tx(db);
  if (!tx.status().ok) {
    counts.status = tx.status();
    return result;
  }
  exec_count("DELETE FROM inbound_messages WHERE user_id = ?1 AND handled = 1", counts.inbound_messages);
  exec_count("DELETE FROM outbox WHERE recipient = ?1 AND state IN ('accepted', 'failed')", counts.outbox);
  exec_count("DELETE FROM message_status WHERE recipient = ?1", counts.statuses);
  exec_count("DELETE FROM conversations WHERE user_id = ?1 AND mode = 'bot'", counts.conversations);
  std::int64_t ignored = 0;
  exec_count("DELETE FROM conversation_resolutions WHERE user_id = ?1", ignored);
  exec_count("DELETE FROM conversation_refs WHERE user_id = ?1"
             " AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.user_id = ?1)", ignored);
  exec_count("DELETE FROM reports WHERE wa_id = ?1 AND status IN ('done', 'rejected')", counts.reports);
  if (!counts.status.ok) return result;  // the transaction rolls back
  if (Status s = tx.commit(); !s.ok) {
    counts.status = s;
    return result;
  }

  result.kept_pending_proofs = count_of("SELECT count(*) FROM payments WHERE wa_id = ?1 AND state = 'pending'");
  result.kept_open_reports =
      count_of("SELECT count(*) FROM reports WHERE wa_id = ?1 AND status NOT IN ('done', 'rejected')");
  result.kept_unsent_messages =
      count_of("SELECT count(*) FROM outbox WHERE recipient = ?1 AND state IN ('queued', 'sending')");
  result.kept_unhandled_messages = count_of("SELECT count(*) FROM inbound_messages WHERE user_id = ?1");
  result.kept_conversation = count_of("SELECT count(*) FROM conversations WHERE user_id = ?1") > 0;
  if (!file_error.empty()) counts.status = Status::failure(file_error);
  return result;
}

}  // namespace tilang::storage

// What the help-desk console reads and writes: officers' accounts and sessions, login failures
// (throttling), the audit log, canned responses, the officers' view of conversations (queue,
// transcript, media), agent replies into the outbox, and the retention purge. std only; SQLite
// underneath, on a connection of its own. Thread-safe: every call holds the store's mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/engine_store.hpp"
#include "storage/store.hpp"

namespace tilang::storage {

struct AgentRow {
  std::string username;
  std::string role;           // agent | supervisor | admin
  std::string password_hash;  // bot/auth.hpp encoding
  bool disabled = false;
};

struct AgentDisabled {
  Status status;                    // not ok: nothing changed
  bool found = false;               // false: there is no such account
  std::int64_t sessions_ended = 0;
};

struct SessionRow {
  std::string username;
  std::string role;
  std::string csrf_token;
  std::int64_t expires_at_ms = 0;
};

struct AuditRow {
  std::int64_t id = 0;
  std::int64_t at_ms = 0;
  std::string actor;
  std::string role;
  std::string action;
  std::string target;
  std::string detail;
  std::string remote;
};

struct CannedResponse {
  std::int64_t id = 0;
  std::string title;
  std::string body;
};

// A conversation as the console lists it.
struct ConsoleConversation {
  std::string ref;  // opaque handle (conversation_refs)
  std::string business_number;
  std::string user;
  std::string mode;  // bot | waiting | agent
  std::string owner;
  std::string topic;
  std::int64_t waiting_since_ms = 0;
  std::int64_t last_inbound_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::string profile_name;  // from the user's latest message
};

struct TranscriptInbound {
  std::string wamid;
  std::int64_t timestamp = 0;  // Meta's seconds
  std::string type;
  std::string payload_json;    // bot/event_codec.hpp form
  std::string media_sha256;    // when the media was downloaded (media_files.first_media_id)
  std::string media_mime;
};

struct TranscriptOutbound {
  std::int64_t id = 0;
  std::string kind;  // message | template
  std::string body_json;
  std::string state;            // queued | sending | accepted | failed
  std::string delivery_status;  // sent | delivered | read | failed (status webhooks), may be empty
  int error_code = 0;
  std::string error_details;
  std::string source;  // bot | agent | etle | system
  std::string source_ref;
  std::int64_t created_at_ms = 0;
};

struct MediaRef {
  std::string path;
  std::string mime;
};

// Rows and files older than these (ms since the epoch) are deleted; 0 keeps the class forever.
struct RetentionCutoffs {
  std::int64_t messages_before_ms = 0;  // inbound/outbound messages, raw inbox bodies, statuses, idle conversations
  std::int64_t media_before_ms = 0;     // downloaded files and their rows (not proofs still pending)
  std::int64_t reports_before_ms = 0;   // closed KANDANI reports
};

struct PurgeCounts {
  Status status;
  std::int64_t inbound_messages = 0;
  std::int64_t inbox_bodies = 0;
  std::int64_t outbox = 0;
  std::int64_t statuses = 0;
  std::int64_t conversations = 0;
  std::int64_t media_files = 0;  // files removed from disk with their rows
  std::int64_t reports = 0;
};

// What erasing one user's data (PDP "delete on request") removed and what it had to keep.
struct ErasureCounts {
  PurgeCounts deleted;
  // Kept because work on them is still open; erasing again after it closes removes them.
  std::int64_t kept_pending_proofs = 0;     // payment proofs awaiting an officer's decision
  std::int64_t kept_open_reports = 0;       // KANDANI reports not yet done or rejected
  std::int64_t kept_unsent_messages = 0;    // outbox rows still queued or being sent
  std::int64_t kept_unhandled_messages = 0; // inbound messages the bot has not handled yet
  bool kept_conversation = false;           // waiting for or owned by an officer
};

class ConsoleStore {
 public:
  // Opens (creating and migrating) the database. Throws std::runtime_error with a one-line reason.
  explicit ConsoleStore(const std::string& path);
  ~ConsoleStore();
  ConsoleStore(const ConsoleStore&) = delete;
  ConsoleStore& operator=(const ConsoleStore&) = delete;

  // --- accounts and sessions ----------------------------------------------------------------
  Status upsert_agent(const std::string& username, const std::string& role, const std::string& password_hash,
                      std::int64_t now_ms);
  std::optional<AgentRow> agent(const std::string& username);
  // Disables the account and ends its sessions at once (an officer who left, a lost laptop).
  // `agent add` again re-enables it with a new password.
  AgentDisabled disable_agent(const std::string& username, std::int64_t now_ms);
  Status insert_session(const std::string& token_hash, const std::string& username, const std::string& csrf_token,
                        std::int64_t now_ms, std::int64_t expires_at_ms);
  // A live session (not expired, account not disabled), with the account's current role.
  std::optional<SessionRow> session(const std::string& token_hash, std::int64_t now_ms);
  Status delete_session(const std::string& token_hash);
  Status delete_expired_sessions(std::int64_t now_ms);

  // --- login throttling ---------------------------------------------------------------------
  Status record_login_failure(const std::string& key, std::int64_t now_ms);
  // Failure times of `key` at or after `since_ms`, newest first, at most `limit`.
  std::vector<std::int64_t> login_failures(const std::string& key, std::int64_t since_ms, std::size_t limit);
  Status clear_login_failures(const std::string& key);

  // --- audit log ------------------------------------------------------------------------------
  Status audit(const AuditRow& row);
  // Newest first; before_id 0 = from the newest.
  std::vector<AuditRow> audit_log(std::int64_t before_id, std::size_t limit);

  std::vector<CannedResponse> canned_responses(const std::string& business_number);

  // --- conversations --------------------------------------------------------------------------
  // mode waiting: oldest waiting first; agent and bot: most recently updated first.
  std::vector<ConsoleConversation> conversations(const std::string& mode, std::size_t limit);
  // By opaque ref ("c..."), or by user id (the first office's when several have it).
  std::optional<ConsoleConversation> conversation(const std::string& ref_or_user);
  std::vector<TranscriptInbound> inbound_messages(const ConversationKey& key, std::size_t limit);
  std::vector<TranscriptOutbound> outbound_messages(const ConversationKey& key, std::size_t limit);
  // An officer's message: one outbox row (source 'agent') for the sender; returns its id.
  std::optional<std::int64_t> enqueue_agent_message(const ConversationKey& key, const std::string& kind,
                                                    const std::string& body_json, const std::string& officer,
                                                    std::int64_t now_ms);
  Status record_resolution(const ConversationKey& key, const std::string& officer, const std::string& note,
                           std::int64_t now_ms);
  std::optional<MediaRef> media(const std::string& sha256);
  // KANDANI reports, oldest first; status "" = all, "open" = received + in_progress; team "" = every team.
  std::vector<ReportRow> reports(const std::string& status, const std::string& team, std::size_t limit);

  // Changes whenever another connection committed something (PRAGMA data_version): the cheap
  // trigger for the console's live updates.
  std::int64_t data_version();

  // Deletes rows (and media files) older than the cutoffs, for real: secure_delete overwrites the
  // freed pages, and files are unlinked before their rows go.
  PurgeCounts purge(const RetentionCutoffs& cutoffs);
  // The same classes as the purge, for one user and whatever their age: messages, statuses,
  // conversation state, closed reports and media no other user's record needs. Raw webhook
  // bodies leave with the message retention (they are stored in order, not per user).
  ErasureCounts erase_user(const std::string& wa_id);

  struct Impl;

 private:
  std::mutex mutex_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tilang::storage

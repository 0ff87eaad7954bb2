// The outbox as the sender sees it: enqueue, claim due rows in per-recipient order, record what
// the Graph API answered, apply failed status webhooks, and show each row with its delivery status.
// std only; the SQLite implementation is open_sqlite_outbox(). One OutboxStore is one connection:
// use it from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace tilang::storage {

// Codes the sender records that are not Meta's (Meta's codes are all positive).
inline constexpr int outbox_error_ambiguous = -1;  // no answer twice (timeouts, dropped connections)
inline constexpr int outbox_error_gave_up = -2;    // transient errors until max attempts, no code
inline constexpr int outbox_error_window_closed = 131047;

struct NewOutboxMessage {
  std::string business_number;
  std::string recipient;
  std::string kind = "message";  // 'message' | 'read' | 'template'
  std::string body_json;         // the complete Graph API request body
  std::string fallback_json;     // template body to send instead on 131047 (empty: none)
  std::string biz_opaque_callback_data;  // empty: a unique one is generated
  std::string source = "bot";
  std::string source_ref;
};

struct OutboxEntry {
  std::int64_t id = 0;
  std::string business_number;
  std::string recipient;
  std::string kind;
  std::string body_json;
  std::string fallback_json;
  std::string state;  // queued | sending | accepted | failed
  int attempts = 0;
  int in_doubt = 0;
  std::int64_t next_attempt_ms = 0;
  std::string wamid;
  std::string biz_opaque_callback_data;
  int error_code = 0;
  std::string error_details;
  std::string source;
  std::string source_ref;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t accepted_at_ms = 0;
  // Joined from message_status by wamid (empty when no status webhook arrived yet).
  std::string delivery_status;  // sent | delivered | read | played | failed
  int delivery_error_code = 0;

  // What to show an officer: the webhook status once accepted ("accepted" until the first one),
  // otherwise the row's own state. Never "sent" for a row Meta did not accept.
  std::string display_status() const;
};

struct EnqueueResult {
  Status status;
  std::int64_t id = 0;
  std::string biz_opaque_callback_data;
};

// One result of a send, recorded with others in one transaction.
struct OutboxUpdate {
  enum class Kind {
    accepted,  // Meta accepted it: wamid (may be empty if the 200 was unreadable)
    retry,     // back to queued until next_attempt_ms; error kept for display
    failed,    // final: error_code + error_details
    fallback,  // failed with error_code (131047) and the row's fallback_json enqueued as a new row
    release,   // back to queued, untouched (claimed but never sent, e.g. on stop or pause)
  };
  Kind kind = Kind::release;
  std::int64_t id = 0;
  std::string wamid;
  std::int64_t next_attempt_ms = 0;
  int error_code = 0;
  std::string error_details;
  bool attempted = false;   // a request was sent: attempts + 1
  bool in_doubt = false;    // its outcome is unknown: in_doubt + 1
};

// What happened to a row because of a failed status webhook (or an early one found on accept).
struct OutboxFailure {
  std::int64_t id = 0;
  std::string recipient;
  int error_code = 0;
  std::string error_details;
  std::int64_t fallback_id = 0;  // the template row enqueued instead, 0 if none
};

struct ApplyResult {
  Status status;           // not ok: something failed (see committed)
  bool committed = false;  // the transaction committed (a single failing update does not stop the rest)
  std::vector<OutboxFailure> failed_by_webhook;  // accepted rows turned failed
  std::vector<std::int64_t> fallback_ids;        // template rows enqueued (sync 131047 and webhook)
};

struct OutboxCounts {
  std::int64_t queued = 0;
  std::int64_t sending = 0;
  std::int64_t accepted = 0;
  std::int64_t failed = 0;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  virtual EnqueueResult enqueue(const NewOutboxMessage& message, std::int64_t now_ms) = 0;
  // All in one transaction (one fsync): all are stored or none (the first failure is returned).
  virtual std::vector<EnqueueResult> enqueue_many(std::span<const NewOutboxMessage> messages, std::int64_t now_ms) = 0;

  // Marks up to `limit` due rows 'sending' and returns them, oldest first. A row is due when it is
  // queued, next_attempt_ms <= now_ms, and no older row of the same recipient is unfinished
  // (queued or sending): a recipient's messages leave one at a time, in order.
  virtual std::vector<OutboxEntry> claim_due(std::int64_t now_ms, std::size_t limit) = 0;

  // Rows left 'sending' by a sender that died: back to queued, in doubt (they may have reached
  // Meta), due at next_attempt_ms. Call once at start, before claiming. Returns how many.
  virtual std::int64_t recover_in_flight(std::int64_t next_attempt_ms, std::int64_t now_ms) = 0;

  // Records send results in one transaction. An accepted wamid whose failed status webhook already
  // arrived turns the row failed at once (statuses may overtake the HTTP response).
  virtual ApplyResult apply(std::span<const OutboxUpdate> updates, std::int64_t now_ms) = 0;

  // Drains failed status webhooks: accepted rows with such a wamid become failed with Meta's code;
  // 131047 with a fallback enqueues the template.
  virtual ApplyResult apply_webhook_failures(std::int64_t now_ms, std::size_t limit) = 0;

  // The wamid of a status webhook that carried this biz_opaque_callback_data, if any.
  virtual std::optional<std::string> wamid_for_opaque(const std::string& opaque) = 0;

  virtual std::optional<OutboxEntry> find_by_id(std::int64_t id) = 0;
  virtual std::optional<OutboxEntry> find_by_wamid(const std::string& wamid) = 0;
  virtual std::optional<OutboxEntry> find_by_opaque(const std::string& opaque) = 0;
  // Newest first.
  virtual std::vector<OutboxEntry> list_by_recipient(const std::string& recipient, std::size_t limit) = 0;

  // Full-table count (for /metrics scrapes, not hot paths).
  virtual OutboxCounts counts() = 0;
  // Unfinished rows (queued + sending), index-backed.
  virtual std::int64_t backlog() = 0;
};

// A unique biz_opaque_callback_data ("ob-" + 32 hex digits) for callers that insert outbox rows
// with their own SQL (e.g. in the engine's transaction).
std::string new_callback_id();

// Opens (creating and migrating when needed). Throws std::runtime_error with a one-line reason.
std::unique_ptr<OutboxStore> open_sqlite_outbox(const std::string& path);

}  // namespace tilang::storage

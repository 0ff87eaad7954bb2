// The e-TLE push as storage sees it: notices enqueued together with their template outbox rows,
// reminders recorded once per (notice, offset), expiry, and the read side for the back office
// (one notice with its delivery, batch counts, undelivered notices for a letter by post).
// std only; SQLite implements it with a connection of its own. Use one EtleStore from one thread
// at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/engine_store.hpp"
#include "storage/store.hpp"

namespace tilang::storage {

struct NewNotice {
  NoticeRow notice;                     // business_number, owner_wa, ... (state is ignored: 'queued')
  std::int64_t confirm_by_start_ms = 0; // 00:00 local time of confirm_by
  std::int64_t expires_at_ms = 0;       // when an unanswered notice expires
  std::string template_body_json;       // the complete Graph API request body of the template
};

struct BatchInfo {
  std::string batch;
  std::string business_number;
  std::string source;  // csv | api | bench
  std::string label;
};

struct EnqueueNoticesResult {
  Status status;               // not ok: nothing of this call was stored
  std::vector<bool> inserted;  // per notice: false = its notice_id existed (a duplicate)
  int accepted = 0;
  int duplicates = 0;
};

// A reminder to enqueue (the scheduler renders the body).
struct NewReminder {
  std::string notice_id;
  int offset_days = 0;
  std::string business_number;
  std::string recipient;
  std::string body_json;
};

struct DueNotice {
  NoticeRow notice;
  std::int64_t confirm_by_start_ms = 0;
};

struct ReminderView {
  int offset_days = 0;
  std::int64_t outbox_id = 0;   // 0: skipped
  std::string outbox_state;     // queued | sending | accepted | failed
  std::string delivery_status;  // from message_status
  std::int64_t created_at_ms = 0;
};

struct NoticeView {
  NoticeRow notice;
  std::string batch;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t responded_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::int64_t expired_at_ms = 0;
  // The template row and what Meta said about it.
  std::int64_t template_outbox_id = 0;
  std::string template_state;     // outbox state
  std::string template_wamid;
  std::string template_opaque;
  int template_attempts = 0;
  int template_error_code = 0;    // the send's or the failed status's code
  std::string template_error;
  std::string delivery_status;    // sent | delivered | read | played | failed ('' before any webhook)
  std::vector<ReminderView> reminders;

  // One word for the back office: the answer's outcome or 'expired' once there is one, otherwise
  // how far the template got: queued | sent | delivered | read | failed.
  std::string display_state() const;
};

struct BatchSummary {
  std::string batch;
  std::string source;
  std::string label;
  std::int64_t created_at_ms = 0;
  std::int64_t total = 0;     // notices of the batch (accepted)
  std::int64_t duplicates = 0;
  std::int64_t rejected = 0;
  std::int64_t queued = 0;    // template not yet accepted by Meta
  std::int64_t sent = 0;      // Meta accepted the template (and no failed status)
  std::int64_t delivered = 0; // delivered or read (or answered)
  std::int64_t read = 0;      // read (or answered)
  std::int64_t failed = 0;    // refused by Meta or failed status (e.g. 131026 not on WhatsApp)
  std::int64_t responded = 0;
  std::int64_t confirmed = 0; // I was driving
  std::int64_t transferred = 0;
  std::int64_t disputed = 0;
  std::int64_t paid = 0;
  std::int64_t expired = 0;
  std::int64_t reminders_sent = 0;
};

struct UndeliveredNotice {
  NoticeRow notice;
  std::string batch;
  int error_code = 0;
  std::string error;
  std::int64_t created_at_ms = 0;
};

class EtleStore {
 public:
  virtual ~EtleStore() = default;

  // In ONE transaction: each new notice with its template outbox row (kind 'template', source
  // 'etle', source_ref notice_id, biz_opaque_callback_data "etle:<notice_id>"), and the batch's
  // counts (added to, so a file may be stored in several calls). Existing notice_ids are counted
  // as duplicates and left alone. `rejected` is added to the batch's rejected count.
  virtual EnqueueNoticesResult enqueue(const BatchInfo& batch, std::span<const NewNotice> notices, int rejected,
                                       std::int64_t now_ms) = 0;

  // Open notices whose reminder `offset_days` is due: confirm_by_start_ms - lead_ms <= now, that
  // moment after the notice was created, no reminder with this or a smaller offset recorded, the
  // template not failed.
  virtual std::vector<DueNotice> due_for_reminder(int offset_days, std::int64_t lead_ms, std::int64_t now_ms,
                                                  std::size_t limit) = 0;
  // In one transaction: each reminder recorded and its template row enqueued (source 'etle',
  // source_ref notice_id, opaque "etle:<notice_id>:r<offset>"), unless that reminder was already
  // recorded. Returns how many were enqueued.
  virtual std::optional<int> record_reminders(std::span<const NewReminder> reminders, std::int64_t now_ms) = 0;
  // Open notices past expires_at_ms become 'expired'. Returns how many (nullopt on error).
  virtual std::optional<std::int64_t> expire(std::int64_t now_ms) = 0;

  virtual std::optional<NoticeView> notice(const std::string& notice_id) = 0;
  virtual std::optional<BatchSummary> batch(const std::string& batch) = 0;
  // Notices whose template failed, oldest first; `batch` empty = all batches.
  virtual std::vector<UndeliveredNotice> undelivered(const std::string& batch, std::size_t limit) = 0;
};

// The outbox correlation id of a notice's template / reminder.
std::string etle_callback_id(const std::string& notice_id, int reminder_offset_days = -1);

// Opens (creating and migrating) the database. Throws std::runtime_error with a one-line reason.
std::unique_ptr<EtleStore> open_sqlite_etle_store(const std::string& path);

}  // namespace tilang::storage

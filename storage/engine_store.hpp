// What the conversation engine reads and writes: its work list (unhandled inbound messages),
// conversation state, the domain rows behind the flows (fines, media, payments, slots, shipments,
// reports, e-TLE notices) and the outbox. std only; SQLite implements it (engine_store.cpp).
//
// Transactions: every write method opens the store's write transaction if none is open (BEGIN
// IMMEDIATE), so all writes of one conversation turn land in ONE transaction that commit_turn()
// finishes together with the state, the outbox rows and the "handled" mark. abort() rolls it back.
// Reads see the open transaction's own writes. Use one EngineStore from one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace tilang::storage {

struct ConversationKey {
  std::string business_number;
  std::string user;  // wa_id or business-scoped user id
  bool operator==(const ConversationKey&) const = default;
};

struct PendingMessage {
  std::string wamid;
  std::string business_number;
  std::string user;
  std::int64_t timestamp = 0;
  std::string type;
  std::string payload_json;
};

struct ConversationRow {
  std::string business_number;
  std::string user;
  std::string state_text;            // flows::encode
  std::string mode = "bot";          // bot | waiting | agent
  std::string owner;                 // officer (mode agent)
  std::int64_t waiting_since_ms = 0; // 0 = not waiting
  std::string topic;
  std::int64_t last_inbound_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct FineRow {
  std::string register_no;
  std::string business_number;
  std::string plate;
  std::string plate_normalized;
  std::string violator_name;
  std::string violation_date;
  std::string article;
  std::int64_t fine_amount = 0;
  std::int64_t court_fee = 0;
  std::string evidence;
  std::string hearing_date;
  std::string office;
  std::string status;
};

enum class UpsertOutcome { inserted, updated, unchanged, failed };

struct MediaFileRow {
  std::string sha256;
  std::string path;
  std::string mime;
  std::int64_t size = 0;
  std::string first_wa_id;
  std::string first_purpose;
  std::string first_media_id;
};

struct PaymentRow {
  std::int64_t id = 0;
  std::string reference;
  std::string business_number;
  std::string wa_id;
  std::string register_no;
  std::string media_sha256;
  std::string duplicate_of;
  std::string state = "pending";
  std::string reason;
  std::string decided_by;
  std::int64_t created_at_ms = 0;
  std::int64_t decided_at_ms = 0;
  std::string media_path;  // joined from media_files when read
  std::string media_mime;
};

struct SlotRow {
  std::int64_t id = 0;
  std::string business_number;
  std::string date;        // YYYY-MM-DD
  std::string start_time;  // HH:MM
  std::string end_time;
  int capacity = 0;
  int booked = 0;
};

struct ShipmentRow {
  std::int64_t id = 0;
  std::string business_number;
  std::string wa_id;
  std::string register_no;
  std::string recipient_name;
  std::string address;
  std::string kelurahan;
  std::string kecamatan;
  std::string city;
  std::string phone;
  std::int64_t fee = 0;
  std::string state = "recorded";
  std::string tracking_no;
};

struct ReportRow {
  std::string report_no;
  std::string business_number;
  std::string wa_id;
  std::string category;
  std::string team;
  std::string what, how, when_text, where_text, who;
  bool has_location = false;
  double latitude = 0;
  double longitude = 0;
  std::string address;
  std::string photo_sha256;
  std::string status = "received";
  std::string notes;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct NoticeRow {
  std::string notice_id;
  std::string business_number;
  std::string plate;
  std::string plate_normalized;
  std::string owner_name;
  std::string owner_wa;
  std::string violation_time;
  std::string location;
  std::string article;
  std::int64_t fine_amount = 0;
  std::string photo_url;
  std::string confirm_by;
  std::string briva;
  std::string payment_deadline;
  std::string state = "queued";
  std::string template_wamid;
  std::string response;
  std::string other_name;
  std::string other_phone;
};

struct OutboxRow {
  std::string business_number;
  std::string recipient;
  std::string kind = "message";  // message | read | template
  std::string body_json;
  std::string biz_opaque_callback_data;  // unique
  std::string source = "bot";
  std::string source_ref;
};

// Everything a turn writes besides its domain rows.
struct TurnCommit {
  ConversationRow conversation;
  bool save_handoff = false;  // also write mode/owner/waiting_since/topic (only when the turn changed them)
  std::vector<OutboxRow> outbox;
  std::string handled_wamid;  // inbound message to mark handled; empty for officer-driven turns
  std::int64_t now_ms = 0;
};

class EngineStore {
 public:
  virtual ~EngineStore() = default;

  // --- transaction --------------------------------------------------------------------------
  // Saves the conversation, inserts the outbox rows, marks the message handled, commits.
  virtual Status commit_turn(const TurnCommit& turn) = 0;
  virtual Status commit() = 0;  // commits the open transaction (success when none is open)
  virtual void abort() = 0;     // rolls the open transaction back (grouped: only the current turn)
  // Groups the following turns into one transaction, so they share one commit (one fsync): each turn
  // is then a savepoint that commit()/commit_turn() keep and abort() undoes alone. end_group()
  // commits the group; if that fails, none of its turns happened (their messages stay unhandled).
  virtual Status begin_group() = 0;
  virtual Status end_group() = 0;
  // In its own transaction: the message is handled, with the reason it could not be processed.
  virtual Status mark_failed(const std::string& wamid, const std::string& error, std::int64_t now_ms) = 0;

  // --- the engine's work list ---------------------------------------------------------------
  // Conversations with unhandled messages, the one whose oldest unhandled message arrived first first.
  virtual std::vector<ConversationKey> users_with_pending(std::size_t limit) = 0;
  // Its unhandled messages in arrival order (Meta's timestamp, then storage order).
  virtual std::vector<PendingMessage> pending_messages(const ConversationKey& key, std::size_t limit) = 0;
  virtual bool message_handled(const std::string& wamid) = 0;
  virtual std::optional<ConversationRow> load_conversation(const ConversationKey& key) = 0;
  virtual std::vector<ConversationRow> conversations_in_mode(const std::string& mode, std::size_t limit) = 0;
  // Conversations of the office waiting since `since_ms` or earlier, other than `key`.
  virtual std::int64_t waiting_ahead(const ConversationKey& key, std::int64_t since_ms) = 0;

  // --- fines --------------------------------------------------------------------------------
  virtual std::vector<FineRow> fines_by_register(const std::string& register_no) = 0;
  virtual std::vector<FineRow> fines_by_plate(const std::string& plate_normalized) = 0;
  // Idempotent by register_no; status never moves backwards (UNPAID < PAID < PICKED_UP).
  virtual UpsertOutcome upsert_fine(const FineRow& fine, std::int64_t now_ms) = 0;
  virtual Status set_fine_status(const std::string& register_no, const std::string& status, std::int64_t now_ms) = 0;

  // --- media and payments -------------------------------------------------------------------
  virtual std::optional<MediaFileRow> media_file(const std::string& sha256) = 0;
  virtual Status record_media_file(const MediaFileRow& row, std::int64_t now_ms) = 0;  // first use wins
  // Reference of a payment for ANOTHER fine that used the same bytes (not rejected), if any.
  virtual std::optional<std::string> payment_with_media(const std::string& sha256,
                                                        const std::string& other_than_register_no) = 0;
  // Next number of a daily sequence ("BYR", "KDN", "DT" + YYYYMMDD); nullopt on a storage error.
  virtual std::optional<std::int64_t> next_sequence(const std::string& prefix, const std::string& day) = 0;
  virtual Status insert_payment(const PaymentRow& row, std::int64_t now_ms) = 0;
  virtual std::optional<PaymentRow> payment_by_id(std::int64_t id) = 0;
  virtual std::optional<PaymentRow> payment_by_reference(const std::string& reference) = 0;
  virtual std::vector<PaymentRow> payments_in_state(const std::string& state, std::size_t limit) = 0;
  // pending -> verified|rejected; false when the payment is not pending (already decided).
  virtual bool decide_payment(std::int64_t id, bool verified, const std::string& reason, const std::string& officer,
                              std::int64_t now_ms) = 0;

  // --- drive-thru and COD -------------------------------------------------------------------
  // Slots with room, of `business_number`, from (date, time) on, soonest first.
  virtual std::vector<SlotRow> open_slots(const std::string& business_number, const std::string& from_date,
                                          const std::string& from_time, std::size_t limit) = 0;
  virtual std::optional<SlotRow> slot(std::int64_t id) = 0;
  virtual bool take_slot_place(std::int64_t id) = 0;  // false when full (or unknown)
  virtual Status insert_booking(std::int64_t slot_id, const std::string& business_number, const std::string& register_no,
                                const std::string& wa_id, const std::string& queue_no, std::int64_t now_ms) = 0;
  virtual Status upsert_slot(const SlotRow& row) = 0;  // by (business_number, date, start_time); keeps `booked`
  virtual std::map<std::string, std::int64_t> cod_tariffs(const std::string& business_number) = 0;
  virtual Status upsert_tariff(const std::string& business_number, const std::string& city, std::int64_t fee) = 0;
  virtual std::optional<std::int64_t> insert_shipment(const ShipmentRow& row, std::int64_t now_ms) = 0;
  virtual std::vector<ShipmentRow> shipments_in_state(const std::string& state, std::size_t limit) = 0;
  virtual std::optional<ShipmentRow> shipment(std::int64_t id) = 0;
  // recorded -> dispatched; false when it is not in state recorded.
  virtual bool mark_shipment_dispatched(std::int64_t id, const std::string& tracking_no, std::int64_t now_ms) = 0;

  // --- KANDANI reports ----------------------------------------------------------------------
  virtual Status insert_report(const ReportRow& row) = 0;
  virtual std::optional<ReportRow> report(const std::string& report_no) = 0;
  virtual bool set_report_status(const std::string& report_no, const std::string& status, const std::string& note,
                                 std::int64_t now_ms) = 0;

  // --- e-TLE notices ------------------------------------------------------------------------
  virtual std::optional<NoticeRow> notice(const std::string& notice_id) = 0;
  virtual std::optional<NoticeRow> notice_by_template_wamid(const std::string& wamid) = 0;
  // The owner's latest notice not yet answered.
  virtual std::optional<NoticeRow> latest_open_notice(const std::string& owner_wa) = 0;
  virtual Status record_etle_response(const std::string& notice_id, const std::string& response,
                                      const std::string& other_name, const std::string& other_phone,
                                      std::int64_t now_ms) = 0;
};

// Opens (creating and migrating) the database with a connection of its own.
// Throws std::runtime_error with a one-line reason when it cannot.
std::unique_ptr<EngineStore> open_sqlite_engine_store(const std::string& path);

}  // namespace tilang::storage

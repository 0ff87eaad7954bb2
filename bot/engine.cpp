#include "bot/engine.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "bot/background_thread.hpp"
#include "bot/event_codec.hpp"
#include "bot/kandani_teams.hpp"
#include "bot/log.hpp"
#include "flows/conversation.hpp"
#include "flows/step.hpp"
#include "flows/text_match.hpp"
#include "templates/renderer.hpp"

namespace tilang::bot {
namespace {

using SysClock = std::chrono::system_clock;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

// A storage write failed inside a turn: the turn is rolled back and retried later.
struct StorageFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require(const storage::Status& status, const char* what) {
  if (!status.ok) throw StorageFailure(std::string(what) + ": " + status.error);
}

std::int64_t to_ms(SysClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The office's local calendar date and time of day.
struct LocalTime {
  std::string compact_date;  // YYYYMMDD
  std::string date;          // YYYY-MM-DD
  std::string hm;            // HH:MM
};

LocalTime local_time(SysClock::time_point t, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = t + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<minutes>(local - day)};
  // Sized for any int the compiler can imagine, so -Wformat-truncation stays quiet.
  char compact[32];
  char date[32];
  char hm[32];
  std::snprintf(compact, sizeof compact, "%04d%02u%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  std::snprintf(hm, sizeof hm, "%02u:%02u", static_cast<unsigned>(hms.hours().count()) % 24u,
                static_cast<unsigned>(hms.minutes().count()) % 60u);
  return {compact, date, hm};
}

std::string reference(const std::string& prefix, const std::string& day, std::int64_t n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%s-%04lld", prefix.c_str(), day.c_str(), static_cast<long long>(n));
  return buf;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256 failed");
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

// What the bytes really are, by their magic numbers (never by the claimed MIME type).
struct Detected {
  std::string mime;  // empty: not an accepted kind
  std::string ext;
};

Detected detect_content(const std::string& b) {
  auto starts = [&](std::string_view magic) { return b.size() >= magic.size() && b.compare(0, magic.size(), magic) == 0; };
  if (starts("\xFF\xD8\xFF")) return {"image/jpeg", "jpg"};
  if (starts("\x89PNG\r\n\x1A\n")) return {"image/png", "png"};
  if (b.size() >= 12 && starts("RIFF") && b.compare(8, 4, "WEBP") == 0) return {"image/webp", "webp"};
  if (starts("%PDF-")) return {"application/pdf", "pdf"};
  return {};
}

// Message types whose turn downloads a file from the Graph API.
bool is_media_type(const std::string& type) {
  return type == "image" || type == "document" || type == "video" || type == "audio" || type == "sticker";
}

// Turns per group commit: enough to share one fsync widely, short enough (a few ms) that the
// sender's bookkeeping and officers' actions never wait long for the write lock.
constexpr int max_turns_per_group = 32;

bool is_user_message(flows::MessageKind kind) {
  using K = flows::MessageKind;
  return kind != K::reaction && kind != K::system && kind != K::revoke && kind != K::edit;
}

flows::Fine to_fine(const storage::FineRow& r) {
  return flows::Fine{r.register_no, r.plate_normalized, r.violator_name, r.violation_date, r.article, r.fine_amount,
                     r.court_fee,   r.evidence,         r.hearing_date,  r.office,         r.status};
}

const char* outbox_kind(const flows::Action& action) {
  if (std::holds_alternative<flows::MarkRead>(action)) return "read";
  if (std::holds_alternative<flows::SendEtleTemplate>(action)) return "template";
  return "message";
}

}  // namespace

const char* to_string(EngineResult result) {
  switch (result) {
    case EngineResult::done: return "done";
    case EngineResult::not_found: return "not_found";
    case EngineResult::conflict: return "conflict";
    case EngineResult::invalid: return "invalid";
    case EngineResult::failed: return "failed";
  }
  return "failed";
}

// One conversation's turn: its state, what it will write, and where the outbox rows come from.
struct Engine::Turn {
  storage::ConversationKey key;
  storage::ConversationRow row;
  flows::Conversation state;
  bool handoff_changed = false;
  std::vector<storage::OutboxRow> outbox;
  std::string source_ref;  // inbound wamid, or a random "o-…" for officer-driven turns
  std::string source = "bot";
  SysClock::time_point now;
  std::int64_t now_ms = 0;
  flows::Context context;
};

Engine::Engine(std::unique_ptr<storage::EngineStore> store, MediaFetcher& media, templates::Catalog catalog,
               EngineOptions options, Clock clock)
    : store_(std::move(store)),
      media_(media),
      catalog_(std::move(catalog)),
      options_(std::move(options)),
      clock_(clock ? std::move(clock) : Clock([] { return SysClock::now(); })),
      rng_(std::random_device{}()) {}

Engine::~Engine() { stop(); }

void Engine::start() {
  std::lock_guard lock(wake_mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  woken_ = true;  // look for work left by an earlier run at once
  thread_ = std::thread([this] {
    run_as_background("tb-engine");
    thread_main();
  });
}

void Engine::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Engine::wake() {
  {
    std::lock_guard lock(wake_mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void Engine::thread_main() {
  for (;;) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_cv_.wait_for(lock, options_.poll_interval, [this] { return woken_ || stopping_; });
      if (stopping_) return;
      woken_ = false;
    }
    try {
      process_pending();
    } catch (const std::exception& e) {
      log::error("engine_round_failed", {{"error", e.what()}});
    }
  }
}

int Engine::process_pending() {
  int handled = 0;
  for (;;) {
    std::vector<storage::PendingMessage> work;
    {
      std::lock_guard lock(mutex_);
      for (const auto& key : store_->users_with_pending(64)) {
        auto messages = store_->pending_messages(key, 16);
        std::move(messages.begin(), messages.end(), std::back_inserter(work));
      }
    }
    if (work.empty()) break;
    const int done = process_in_groups(work);
    if (done < 0) return handled;  // stopping
    handled += done;
    // Everything failed for now (database busy or full): try again on the next wake or poll.
    if (done == 0) break;
  }
  return handled;
}

int Engine::process_in_groups(const std::vector<storage::PendingMessage>& work) {
  std::lock_guard lock(mutex_);
  int handled = 0;
  int in_group = 0;
  bool grouped = false;
  auto end_group = [&] {
    if (!grouped) return;
    grouped = false;
    const storage::Status committed = store_->end_group();
    if (!committed.ok) {
      // None of the group's turns happened: their messages are still unhandled and come again.
      log::warn("engine_group_commit_failed", {{"turns", std::to_string(in_group)}, {"error", committed.error}});
    } else {
      handled += in_group;
      if (in_group > 0 && options_.on_committed) options_.on_committed();
    }
    in_group = 0;
  };
  std::string blocked_user;  // its message must be retried, so its later ones wait (order per user)
  for (const auto& m : work) {
    if (stopping_now()) {
      end_group();
      return -1;
    }
    if (m.user == blocked_user) continue;
    // A media download can take seconds: it runs in a transaction of its own, holding no other turns.
    const bool slow = is_media_type(m.type);
    if (slow || in_group >= max_turns_per_group) end_group();
    if (!slow && !grouped) grouped = store_->begin_group().ok;  // busy: this turn runs on its own
    const Outcome outcome = process_message(m);
    if (outcome == Outcome::retry_later) {
      blocked_user = m.user;
      continue;
    }
    if (grouped) {
      ++in_group;
    } else {
      ++handled;
      if (options_.on_committed) options_.on_committed();
    }
  }
  end_group();
  return handled;
}

bool Engine::stopping_now() {
  std::lock_guard lock(wake_mutex_);
  return stopping_ && thread_.joinable() && std::this_thread::get_id() == thread_.get_id();
}

// The caller holds mutex_.
Engine::Outcome Engine::process_message(const storage::PendingMessage& m) {
  const storage::ConversationKey key{m.business_number, m.user};
  try {
    if (store_->message_handled(m.wamid)) return Outcome::handled;
    auto message = decode_message(m.payload_json);
    if (!message) throw std::runtime_error("stored payload is not a message");
    Turn turn = begin_turn(key, m.wamid);
    if (is_user_message(message->kind) && message->timestamp > 0) {
      turn.row.last_inbound_ms = std::max(turn.row.last_inbound_ms, message->timestamp * 1000);
    }
    if (turn.row.mode == "agent") {
      // An officer owns the conversation: the bot stays silent; the message is only marked read.
      std::vector<std::string> problems;
      flows::Action read = flows::MarkRead{message->wamid};
      for (auto& body : templates::render_all(read, turn.state.language, key.user, catalog_, problems)) {
        turn.outbox.push_back({key.business_number, key.user, "read", body.dump(), turn.source_ref + "#1", turn.source,
                               turn.source_ref});
      }
    } else {
      run(turn, std::move(*message));
    }
    require(commit(turn, m.wamid), "commit turn");
    attempts_.erase(m.wamid);
    return Outcome::handled;
  } catch (const StorageFailure& e) {
    store_->abort();
    const int attempts = ++attempts_[m.wamid];
    log::warn("engine_storage_failure",
              {{"wamid", m.wamid}, {"attempt", std::to_string(attempts)}, {"error", e.what()}});
    if (attempts < options_.max_attempts) return Outcome::retry_later;
    attempts_.erase(m.wamid);
    if (!store_->mark_failed(m.wamid, e.what(), to_ms(clock_())).ok) return Outcome::retry_later;
    return Outcome::handled;
  } catch (const std::exception& e) {
    // A message that cannot be processed must not block the user's later ones.
    store_->abort();
    log::error("engine_message_failed", {{"wamid", m.wamid}, {"error", e.what()}});
    if (!store_->mark_failed(m.wamid, e.what(), to_ms(clock_())).ok) return Outcome::retry_later;
    return Outcome::handled;
  }
}

Engine::Turn Engine::begin_turn(const storage::ConversationKey& key, std::string source_ref) {
  Turn turn;
  turn.key = key;
  turn.now = clock_();
  turn.now_ms = to_ms(turn.now);
  turn.source_ref = std::move(source_ref);
  if (auto row = store_->load_conversation(key)) {
    turn.row = std::move(*row);
    if (auto state = flows::decode(turn.row.state_text)) {
      turn.state = std::move(*state);
    } else {
      log::warn("engine_state_unreadable", {{"user", key.user}});
    }
  } else {
    turn.row.business_number = key.business_number;
    turn.row.user = key.user;
  }
  turn.context = context_for(key.business_number);
  return turn;
}

flows::Context Engine::context_for(const std::string& business_number) {
  flows::Context ctx;
  ctx.idle_after = options_.idle_after;
  ctx.drive_thru_address = options_.drive_thru_address;
  for (auto& [city, fee] : store_->cod_tariffs(business_number)) {
    if (city == "*") ctx.cod_fee_default = fee;
    else ctx.cod_fee_by_city[city] = fee;
  }
  return ctx;
}

void Engine::run(Turn& turn, flows::InputEvent first) {
  std::deque<flows::InputEvent> queue;
  queue.push_back(std::move(first));
  // Data answers trigger more steps; a flow bug must not loop forever.
  int steps = 0;
  while (!queue.empty()) {
    if (++steps > 64) throw std::runtime_error("flow did not settle after 64 steps");
    flows::Input input{std::move(queue.front()), turn.context};
    queue.pop_front();
    flows::Transition t = flows::step(turn.state, input, turn.now);
    turn.state = std::move(t.next);
    for (const auto& action : t.actions) {
      if (flows::is_outbound_message(action)) {
        std::vector<std::string> problems;
        for (auto& body : templates::render_all(action, turn.state.language, turn.key.user, catalog_, problems)) {
          storage::OutboxRow row;
          row.business_number = turn.key.business_number;
          row.recipient = turn.key.user;
          row.kind = outbox_kind(action);
          row.body_json = body.dump();
          row.biz_opaque_callback_data = turn.source_ref + "#" + std::to_string(turn.outbox.size() + 1);
          row.source = turn.source;
          row.source_ref = turn.source_ref;
          turn.outbox.push_back(std::move(row));
        }
        for (const auto& p : problems) log::warn("catalog_problem", {{"problem", p}});
        continue;
      }
      if (auto answer = execute(turn, action)) queue.push_back(std::move(*answer));
    }
  }
}

storage::Status Engine::commit(Turn& turn, const std::string& handled_wamid) {
  storage::TurnCommit c;
  turn.row.business_number = turn.key.business_number;
  turn.row.user = turn.key.user;
  turn.row.state_text = flows::encode(turn.state);
  c.conversation = turn.row;
  c.save_handoff = turn.handoff_changed;
  c.outbox = std::move(turn.outbox);
  c.handled_wamid = handled_wamid;
  c.now_ms = turn.now_ms;
  return store_->commit_turn(c);
}

std::optional<flows::InputEvent> Engine::execute(Turn& turn, const flows::Action& action) {
  storage::EngineStore& db = *store_;
  const LocalTime local = local_time(turn.now, options_.utc_offset);
  return std::visit(
      overloaded{
          [&](const flows::LookupFines& a) -> std::optional<flows::InputEvent> {
            flows::FinesFound found{a.query, {}};
            for (const auto& r : a.by_register ? db.fines_by_register(a.query) : db.fines_by_plate(a.query)) {
              found.fines.push_back(to_fine(r));
            }
            return found;
          },
          [&](const flows::StoreMedia& a) -> std::optional<flows::InputEvent> {
            return store_media(turn, a.media_id, a.mime_type, a.purpose);
          },
          [&](const flows::CreatePayment& a) -> std::optional<flows::InputEvent> {
            auto n = db.next_sequence("BYR", local.compact_date);
            if (!n) throw StorageFailure("cannot allocate a BYR number");
            storage::PaymentRow p;
            p.reference = reference("BYR", local.compact_date, *n);
            p.business_number = turn.key.business_number;
            p.wa_id = turn.key.user;
            p.register_no = a.register_no;
            p.media_sha256 = a.media_ref;
            p.duplicate_of = a.duplicate_of;
            require(db.insert_payment(p, turn.now_ms), "insert payment");
            log::info("payment_created", {{"reference", p.reference}, {"duplicate_of", p.duplicate_of}});
            return flows::PaymentCreated{p.reference, a.register_no};
          },
          [&](const flows::LookupPayment& a) -> std::optional<flows::InputEvent> {
            flows::PaymentStatusFound found{a.reference, false, {}, {}, {}};
            // Only the sender of the proof hears about it.
            if (auto p = db.payment_by_reference(a.reference); p && p->wa_id == turn.key.user) {
              found = {p->reference, true, p->state, p->reason, p->register_no};
            }
            return found;
          },
          [&](const flows::ListSlots& a) -> std::optional<flows::InputEvent> {
            flows::SlotsAvailable out{a.register_no, {}};
            for (const auto& s : db.open_slots(turn.key.business_number, local.date, local.hm, 10)) {
              out.slots.push_back({std::to_string(s.id), s.date, s.start_time, s.end_time, s.capacity - s.booked});
            }
            return out;
          },
          [&](const flows::BookSlot& a) -> std::optional<flows::InputEvent> {
            std::int64_t id = 0;
            try {
              id = std::stoll(a.slot_id);
            } catch (const std::exception&) {
              return flows::SlotFull{a.slot_id};
            }
            auto slot = db.slot(id);
            if (!slot || slot->business_number != turn.key.business_number || !db.take_slot_place(id)) {
              return flows::SlotFull{a.slot_id};
            }
            const std::string day = slot->date.substr(0, 4) + slot->date.substr(5, 2) + slot->date.substr(8, 2);
            auto n = db.next_sequence("DT", day);
            if (!n) throw StorageFailure("cannot allocate a queue number");
            char queue_no[16];
            std::snprintf(queue_no, sizeof queue_no, "A-%03lld", static_cast<long long>(*n));
            require(db.insert_booking(id, turn.key.business_number, a.register_no, turn.key.user, queue_no, turn.now_ms),
                    "insert booking");
            return flows::SlotBooked{{a.slot_id, slot->date, slot->start_time, slot->end_time,
                                      slot->capacity - slot->booked - 1},
                                     queue_no};
          },
          [&](const flows::CreateShipment& a) -> std::optional<flows::InputEvent> {
            storage::ShipmentRow r;
            r.business_number = turn.key.business_number;
            r.wa_id = turn.key.user;
            r.register_no = a.register_no;
            r.recipient_name = a.recipient_name;
            r.address = a.address;
            r.kelurahan = a.kelurahan;
            r.kecamatan = a.kecamatan;
            r.city = a.city;
            r.phone = a.phone;
            r.fee = a.fee;
            if (!db.insert_shipment(r, turn.now_ms)) throw StorageFailure("cannot insert shipment");
            return std::nullopt;
          },
          [&](const flows::CreateReport& a) -> std::optional<flows::InputEvent> {
            auto n = db.next_sequence("KDN", local.compact_date);
            if (!n) throw StorageFailure("cannot allocate a KDN number");
            storage::ReportRow r;
            r.report_no = reference("KDN", local.compact_date, *n);
            r.business_number = turn.key.business_number;
            r.wa_id = turn.key.user;
            r.category = a.category;
            r.team = team_for(a.category);
            r.what = a.what;
            r.how = a.how;
            r.when_text = a.when;
            r.where_text = a.where;
            r.who = a.who;
            r.has_location = a.has_location;
            r.latitude = a.latitude;
            r.longitude = a.longitude;
            r.address = a.where;
            r.photo_sha256 = a.photo_ref;
            r.created_at_ms = turn.now_ms;
            require(db.insert_report(r), "insert report");
            log::info("report_created", {{"report_no", r.report_no}, {"team", r.team}});
            return flows::ReportCreated{r.report_no};
          },
          [&](const flows::LookupReport& a) -> std::optional<flows::InputEvent> {
            flows::ReportStatusFound found{a.report_no, false, {}, {}, {}};
            if (auto r = db.report(a.report_no); r && r->wa_id == turn.key.user) {
              found = {r->report_no, true, r->status, r->notes, format_time(r->updated_at_ms)};
            }
            return found;
          },
          [&](const flows::LookupNotice& a) -> std::optional<flows::InputEvent> {
            std::optional<storage::NoticeRow> n;
            if (!a.context_id.empty()) n = db.notice_by_template_wamid(a.context_id);
            if (!n && !a.notice_id.empty()) n = db.notice(a.notice_id);
            if (!n) n = db.latest_open_notice(turn.key.user);
            if (!n || n->owner_wa != turn.key.user) return flows::NoticeFound{false, {}};
            std::string when = n->violation_time;
            if (when.size() >= 16 && when[10] == 'T') when = when.substr(0, 10) + " " + when.substr(11, 5);
            return flows::NoticeFound{true,
                                      {n->notice_id, n->plate_normalized.empty() ? n->plate : n->plate_normalized,
                                       n->owner_name, when, n->location, n->article, n->fine_amount, n->confirm_by,
                                       n->photo_url, n->briva, n->payment_deadline}};
          },
          [&](const flows::RecordEtleResponse& a) -> std::optional<flows::InputEvent> {
            require(db.record_etle_response(a.notice_id, a.response, a.other_name, a.other_phone, turn.now_ms),
                    "record e-TLE response");
            return std::nullopt;
          },
          [&](const flows::HandToAgent& a) -> std::optional<flows::InputEvent> {
            if (turn.row.mode != "agent") {
              if (turn.row.mode != "waiting" || turn.row.waiting_since_ms == 0) turn.row.waiting_since_ms = turn.now_ms;
              turn.row.mode = "waiting";
            }
            turn.row.topic = a.topic;
            turn.handoff_changed = true;
            flows::HandoffQueued q;
            q.position = static_cast<int>(db.waiting_ahead(turn.key, turn.row.waiting_since_ms)) + 1;
            q.eta_minutes = q.position * options_.minutes_per_waiting_position;
            if (options_.officers_closed) {
              if (auto opens = options_.officers_closed(turn.now)) {
                q.agents_available = false;
                q.opens_at = *opens;
              }
            }
            return q;
          },
          [&](const flows::CancelHandoff&) -> std::optional<flows::InputEvent> {
            if (turn.row.mode == "waiting") {
              turn.row.mode = "bot";
              turn.row.waiting_since_ms = 0;
              turn.row.topic.clear();
              turn.handoff_changed = true;
            }
            return std::nullopt;
          },
          [&](const auto&) -> std::optional<flows::InputEvent> { return std::nullopt; },
      },
      action);
}

flows::MediaStored Engine::store_media(Turn& turn, const std::string& media_id, const std::string& mime,
                                       const std::string& purpose) {
  flows::MediaStored out;
  out.media_id = media_id;
  out.purpose = purpose;
  // Media ids expire: download now, whatever else happens.
  FetchedMedia fetched = media_.fetch(media_id, options_.max_pdf_bytes);
  if (!fetched.ok) {
    const bool too_large = fetched.error.find("too_large") != std::string::npos ||
                           fetched.error.find("too large") != std::string::npos ||
                           fetched.error.find("larger") != std::string::npos ||
                           fetched.error.find("over the limit") != std::string::npos;
    out.error = too_large ? "too_large" : "download_failed";
    log::warn("media_download_failed", {{"media_id", media_id}, {"error", fetched.error}});
    return out;
  }
  const Detected detected = detect_content(fetched.bytes);
  const bool is_pdf = detected.mime == "application/pdf";
  if (detected.mime.empty() || (purpose == "report_photo" && is_pdf)) {
    log::warn("media_refused", {{"media_id", media_id}, {"claimed", mime.empty() ? fetched.mime_type : mime}});
    out.error = "unsupported_type";
    return out;
  }
  if (fetched.bytes.size() > (is_pdf ? options_.max_pdf_bytes : options_.max_image_bytes)) {
    out.error = "too_large";
    return out;
  }
  const std::string sha = sha256_hex(fetched.bytes);
  const std::filesystem::path dir(options_.media_dir);
  const std::filesystem::path path = dir / (sha + "." + detected.ext);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::exists(path, ec)) {
    // Write then rename, so a crash never leaves a half file under the final name.
    const std::filesystem::path tmp = dir / (sha + ".part");
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f.write(fetched.bytes.data(), static_cast<std::streamsize>(fetched.bytes.size()));
      f.flush();
      if (!f) {
        log::error("media_write_failed", {{"path", tmp.string()}});
        out.error = "download_failed";
        return out;
      }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      log::error("media_write_failed", {{"path", path.string()}, {"error", ec.message()}});
      out.error = "download_failed";
      return out;
    }
  }
  storage::MediaFileRow row{sha,           path.string(), detected.mime, static_cast<std::int64_t>(fetched.bytes.size()),
                            turn.key.user, purpose,       media_id};
  require(store_->record_media_file(row, turn.now_ms), "record media file");
  out.ok = true;
  out.media_ref = sha;
  out.sha256 = sha;
  if (purpose == "payment_proof") {
    const auto it = turn.state.slots.find("register_no");
    const std::string reg = it != turn.state.slots.end() ? it->second : std::string();
    if (auto dup = store_->payment_with_media(sha, reg)) out.sha256_dup_of = *dup;
  }
  return out;
}

std::string Engine::random_ref() {
  char buf[24];
  std::snprintf(buf, sizeof buf, "o-%016llx", static_cast<unsigned long long>(rng_()));
  return buf;
}

EngineResult Engine::officer_turn(const storage::ConversationKey& key, flows::InputEvent event,
                                  const std::function<void(Turn&)>& before) {
  Turn turn = begin_turn(key, random_ref());
  turn.source = "bot";
  if (before) before(turn);
  run(turn, std::move(event));
  require(commit(turn, {}), "commit officer turn");
  return EngineResult::done;
}

EngineResult Engine::decide_payment(std::int64_t payment_id, bool verified, const std::string& reason,
                                    const std::string& officer) {
  std::lock_guard lock(mutex_);
  try {
    auto p = store_->payment_by_id(payment_id);
    if (!p) return EngineResult::not_found;
    if (p->state != "pending") return EngineResult::conflict;
    if (!store_->decide_payment(payment_id, verified, reason, officer, to_ms(clock_()))) {
      store_->abort();
      return EngineResult::conflict;
    }
    if (verified) {
      auto fines = store_->fines_by_register(p->register_no);
      if (!fines.empty() && fines.front().status == "UNPAID") {
        require(store_->set_fine_status(p->register_no, "PAID", to_ms(clock_())), "mark fine paid");
      }
    }
    log::info("payment_decided", {{"reference", p->reference}, {"verified", verified ? "true" : "false"}});
    return officer_turn({p->business_number, p->wa_id},
                        flows::PaymentDecided{p->reference, p->register_no, verified, reason});
  } catch (const std::exception& e) {
    store_->abort();
    log::error("payment_decision_failed", {{"id", std::to_string(payment_id)}, {"error", e.what()}});
    return EngineResult::failed;
  }
}

EngineResult Engine::set_report_status(const std::string& report_no, const std::string& status,
                                       const std::string& note) {
  if (status != "received" && status != "in_progress" && status != "done" && status != "rejected") {
    return EngineResult::invalid;
  }
  std::lock_guard lock(mutex_);
  try {
    auto r = store_->report(report_no);
    if (!r) return EngineResult::not_found;
    const std::int64_t now = to_ms(clock_());
    if (!store_->set_report_status(report_no, status, note, now)) {
      store_->abort();
      return EngineResult::failed;
    }
    const std::string shown_note = note.empty() ? r->notes : note;
    return officer_turn({r->business_number, r->wa_id},
                        flows::ReportStatusFound{report_no, true, status, shown_note, format_time(now)});
  } catch (const std::exception& e) {
    store_->abort();
    log::error("report_status_failed", {{"report_no", report_no}, {"error", e.what()}});
    return EngineResult::failed;
  }
}

EngineResult Engine::take_over(const storage::ConversationKey& key, const std::string& officer) {
  std::lock_guard lock(mutex_);
  try {
    Turn turn = begin_turn(key, random_ref());
    if (turn.row.mode == "agent" && turn.row.owner != officer) return EngineResult::conflict;
    turn.row.mode = "agent";
    turn.row.owner = officer;
    turn.row.waiting_since_ms = 0;
    turn.handoff_changed = true;
    require(commit(turn, {}), "commit takeover");
    return EngineResult::done;
  } catch (const std::exception& e) {
    store_->abort();
    log::error("takeover_failed", {{"user", key.user}, {"error", e.what()}});
    return EngineResult::failed;
  }
}

EngineResult Engine::release(const storage::ConversationKey& key) {
  std::lock_guard lock(mutex_);
  try {
    auto row = store_->load_conversation(key);
    if (!row) return EngineResult::not_found;
    if (row->mode == "bot") return EngineResult::conflict;
    return officer_turn(key, flows::AgentReleased{}, [](Turn& turn) {
      turn.row.mode = "bot";
      turn.row.owner.clear();
      turn.row.waiting_since_ms = 0;
      turn.row.topic.clear();
      turn.handoff_changed = true;
    });
  } catch (const std::exception& e) {
    store_->abort();
    log::error("release_failed", {{"user", key.user}, {"error", e.what()}});
    return EngineResult::failed;
  }
}

EngineResult Engine::shipment_dispatched(std::int64_t shipment_id, const std::string& tracking_no) {
  std::lock_guard lock(mutex_);
  try {
    auto found = store_->shipment(shipment_id);
    if (!found) return EngineResult::not_found;
    if (!store_->mark_shipment_dispatched(shipment_id, tracking_no, to_ms(clock_()))) {
      store_->abort();
      return EngineResult::conflict;
    }
    return officer_turn({found->business_number, found->wa_id},
                        flows::ShipmentDispatched{found->register_no, tracking_no});
  } catch (const std::exception& e) {
    store_->abort();
    log::error("shipment_dispatch_failed", {{"id", std::to_string(shipment_id)}, {"error", e.what()}});
    return EngineResult::failed;
  }
}

std::string Engine::format_time(std::int64_t ms) const {
  const LocalTime t = local_time(SysClock::time_point(std::chrono::milliseconds(ms)), options_.utc_offset);
  return t.date + " " + t.hm + (options_.time_zone_label.empty() ? "" : " " + options_.time_zone_label);
}

}  // namespace tilang::bot

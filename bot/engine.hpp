// The conversation engine: takes parsed inbound messages one conversation at a time, in arrival
// order per user, runs flows::step, executes the data actions (feeding their answers back as
// Inputs) and writes the new state, the domain rows, the rendered outbox rows and the "handled"
// mark in ONE transaction. Officer decisions (payment verify/reject, report status, release) enter
// through the public methods below and commit the same way.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "bot/media_fetcher.hpp"
#include "flows/action.hpp"
#include "flows/input.hpp"
#include "storage/engine_store.hpp"
#include "templates/catalog.hpp"

namespace tilang::bot {

struct EngineOptions {
  std::string media_dir = "var/media";             // TILANGBOT_MEDIA_DIR; created when missing
  std::chrono::minutes idle_after{30};
  std::string drive_thru_address;                  // empty: the catalog's default text
  std::chrono::minutes utc_offset{7 * 60};         // the office's local time (WIB) for dates and references
  std::string time_zone_label = "WIB";
  int minutes_per_waiting_position = 5;            // ETA shown to a user in the officers' queue
  // When officers are off duty: returns when they are back ("Senin 08.00 WIB"); nullopt = on duty.
  std::function<std::optional<std::string>(std::chrono::system_clock::time_point)> officers_closed;
  std::size_t max_image_bytes = 5 * 1024 * 1024;
  std::size_t max_pdf_bytes = 10 * 1024 * 1024;
  std::chrono::milliseconds poll_interval{1000};   // the thread also looks for work without a wake()
  int max_attempts = 3;                            // storage failures before a message is given up
  std::function<void()> on_committed;              // turns were committed (their outbox rows can go)
};

// Result of an officer's action.
enum class EngineResult { done, not_found, conflict, invalid, failed };
const char* to_string(EngineResult result);

class Engine {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `media` must outlive the engine. `clock` defaults to the system clock.
  Engine(std::unique_ptr<storage::EngineStore> store, MediaFetcher& media, templates::Catalog catalog,
         EngineOptions options, Clock clock = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void start();  // background thread: processes pending messages on wake() and every poll_interval
  void stop();   // finishes the message in hand, then joins; idempotent
  void wake();   // new messages were stored (InboxProcessor's on_events)

  // Processes every unhandled message now on the calling thread; returns how many were handled.
  int process_pending();

  // --- officer decisions (thread-safe; each commits in one transaction and tells the user) ---
  EngineResult decide_payment(std::int64_t payment_id, bool verified, const std::string& reason,
                              const std::string& officer);
  EngineResult set_report_status(const std::string& report_no, const std::string& status, const std::string& note);
  EngineResult take_over(const storage::ConversationKey& key, const std::string& officer);
  EngineResult release(const storage::ConversationKey& key);
  EngineResult shipment_dispatched(std::int64_t shipment_id, const std::string& tracking_no);

  // Runs `f(store)` under the engine's lock (API reads, fine imports) on the engine's connection.
  template <class F>
  auto with_store(F&& f) {
    std::lock_guard lock(mutex_);
    return f(*store_);
  }

  // "YYYY-MM-DD HH:MM WIB" of a stored time, in the office's zone.
  std::string format_time(std::int64_t ms) const;

  struct Turn;  // one conversation's step loop (engine.cpp)

 private:
  enum class Outcome { handled, retry_later };
  Outcome process_message(const storage::PendingMessage& message);
  // Runs the messages' turns, several per transaction; the handled count, or -1 when stopping.
  int process_in_groups(const std::vector<storage::PendingMessage>& work);
  bool stopping_now();
  EngineResult officer_turn(const storage::ConversationKey& key, flows::InputEvent event,
                            const std::function<void(Turn&)>& before = {});
  Turn begin_turn(const storage::ConversationKey& key, std::string source_ref);
  void run(Turn& turn, flows::InputEvent first);
  std::optional<flows::InputEvent> execute(Turn& turn, const flows::Action& action);
  flows::MediaStored store_media(Turn& turn, const std::string& media_id, const std::string& mime,
                                 const std::string& purpose);
  storage::Status commit(Turn& turn, const std::string& handled_wamid);
  flows::Context context_for(const std::string& business_number);
  std::string random_ref();
  void thread_main();

  std::unique_ptr<storage::EngineStore> store_;
  MediaFetcher& media_;
  templates::Catalog catalog_;
  EngineOptions options_;
  Clock clock_;
  std::mutex mutex_;  // one turn at a time; guards store_, attempts_, rng_
  std::map<std::string, int> attempts_;  // wamid -> storage failures so far
  std::mt19937_64 rng_;

  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tilang::bot

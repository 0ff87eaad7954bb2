// The e-TLE clock work: reminders at the configured offsets before confirm_by for notices not yet
// answered (each reminder once, across restarts too: storage records it in the transaction that
// enqueues it), and expiry once confirm_by has passed. One thread wakes every poll interval;
// tick() runs one round on the caller's thread (tests drive it with an injected clock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bot/etle_template.hpp"
#include "storage/etle_store.hpp"

namespace tilang::bot {

struct EtleSchedulerOptions {
  std::vector<int> reminder_days{3, 1};        // TILANGBOT_ETLE_REMINDER_DAYS: days before confirm_by
  int reminder_hour = 9;                       // local hour a reminder is due (nobody likes 00:00 pings)
  std::chrono::minutes utc_offset{7 * 60};     // the office's local time (WIB)
  std::chrono::milliseconds poll_interval{60'000};
  std::size_t batch = 500;                     // reminders enqueued per transaction
};

// TILANGBOT_ETLE_REMINDER_DAYS.
EtleSchedulerOptions etle_scheduler_options(const Config& config);

struct EtleTickResult {
  int reminders = 0;
  std::int64_t expired = 0;
  bool ok = true;
};

class EtleScheduler {
 public:
  using NowMs = std::function<std::int64_t()>;

  // `on_enqueued` is called after reminders were stored (wakes the sender).
  EtleScheduler(std::unique_ptr<storage::EtleStore> store, EtleTemplateConfig template_config,
                EtleSchedulerOptions options, NowMs now_ms, std::function<void()> on_enqueued = {});
  ~EtleScheduler();
  EtleScheduler(const EtleScheduler&) = delete;
  EtleScheduler& operator=(const EtleScheduler&) = delete;

  void start();
  void stop();  // idempotent

  EtleTickResult tick();                     // at now_ms()
  EtleTickResult tick(std::int64_t now_ms);  // at a given instant

 private:
  void thread_main();

  std::unique_ptr<storage::EtleStore> store_;
  EtleTemplateConfig template_;
  EtleSchedulerOptions options_;
  NowMs now_ms_;
  std::function<void()> on_enqueued_;
  std::mutex tick_mutex_;  // one round at a time (thread and callers)
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tilang::bot

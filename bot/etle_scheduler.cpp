#include "bot/etle_scheduler.hpp"

#include <algorithm>

#include "bot/background_thread.hpp"
#include "bot/log.hpp"

namespace tilang::bot {

EtleSchedulerOptions etle_scheduler_options(const Config& config) {
  EtleSchedulerOptions o;
  o.reminder_days = config.etle_reminder_days;
  return o;
}

EtleScheduler::EtleScheduler(std::unique_ptr<storage::EtleStore> store, EtleTemplateConfig template_config,
                             EtleSchedulerOptions options, NowMs now_ms, std::function<void()> on_enqueued)
    : store_(std::move(store)),
      template_(std::move(template_config)),
      options_(std::move(options)),
      now_ms_(std::move(now_ms)),
      on_enqueued_(std::move(on_enqueued)) {
  // Smallest offset first: the reminder closest to the deadline wins over an overdue earlier one.
  auto& days = options_.reminder_days;
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  days.erase(std::remove_if(days.begin(), days.end(), [](int d) { return d < 0; }), days.end());
}

EtleScheduler::~EtleScheduler() { stop(); }

void EtleScheduler::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    run_as_background("tb-etle");
    thread_main();
  });
}

void EtleScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

EtleTickResult EtleScheduler::tick() { return tick(now_ms_()); }

EtleTickResult EtleScheduler::tick(std::int64_t now_ms) {
  std::lock_guard lock(tick_mutex_);
  EtleTickResult result;
  // Expiry first, so a notice past its deadline never gets a reminder.
  if (auto expired = store_->expire(now_ms)) {
    result.expired = *expired;
  } else {
    result.ok = false;
  }
  constexpr std::int64_t day_ms = 86'400'000;
  for (int days : options_.reminder_days) {
    const std::int64_t lead_ms = days * day_ms - std::int64_t{options_.reminder_hour} * 3'600'000;
    // Bounded rounds: each round's reminders are recorded, so the next query no longer returns them.
    for (int round = 0; round < 1000; ++round) {
      auto due = store_->due_for_reminder(days, lead_ms, now_ms, options_.batch);
      if (due.empty()) break;
      std::vector<storage::NewReminder> reminders;
      reminders.reserve(due.size());
      for (const auto& d : due) {
        reminders.push_back({d.notice.notice_id, days, d.notice.business_number, d.notice.owner_wa,
                             etle_template_body(template_, d.notice)});
      }
      auto stored = store_->record_reminders(reminders, now_ms);
      if (!stored) {
        result.ok = false;
        break;
      }
      result.reminders += *stored;
      if (due.size() < options_.batch) break;
    }
  }
  if (result.reminders > 0 && on_enqueued_) on_enqueued_();
  if (result.reminders > 0 || result.expired > 0) {
    log::info("etle_tick", {{"reminders", std::to_string(result.reminders)}, {"expired", std::to_string(result.expired)}});
  }
  if (!result.ok) log::error("etle_tick_failed", {});
  return result;
}

void EtleScheduler::thread_main() {
  for (;;) {
    tick();
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, options_.poll_interval, [this] { return stopping_; })) return;
  }
}

}  // namespace tilang::bot

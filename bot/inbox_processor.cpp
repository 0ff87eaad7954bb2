#include "bot/inbox_processor.hpp"

#include "bot/background_thread.hpp"
#include "bot/log.hpp"
#include "bot/webhook_parser.hpp"

namespace tilang::bot {

InboxProcessor::InboxProcessor(std::unique_ptr<storage::Store> store, Metrics& metrics, std::function<void()> on_events)
    : store_(std::move(store)), metrics_(metrics), on_events_(std::move(on_events)) {}

InboxProcessor::~InboxProcessor() { stop(); }

void InboxProcessor::start() {
  thread_ = std::thread([this] {
    run_as_background("tb-parser");
    run();
  });
}

void InboxProcessor::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_one();
}

void InboxProcessor::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

int InboxProcessor::drain_once() {
  int total = 0;
  bool produced = false;
  for (;;) {
    auto rows = store_->unparsed_inbox(256);
    if (rows.empty()) break;
    std::vector<storage::ParsedInbox> batch;
    batch.reserve(rows.size());
    int unknown_items = 0;
    for (const auto& row : rows) {
      auto parsed = parse_notification(row.body);
      if (!parsed.ok) {
        metrics_.add("tilangbot_inbox_parse_failures_total");
        log::warn("inbox_parse_failed", {{"inbox_id", std::to_string(row.id)}, {"error", parsed.error}});
      }
      batch.push_back(to_parsed_inbox(row.id, parsed));
      unknown_items += batch.back().unknown_items;
    }
    auto outcome = store_->record_parsed_batch(batch);
    if (!outcome.status.ok) {
      // The rows stay unparsed and are retried on the next wake-up (e.g. once the disk has room).
      metrics_.add("tilangbot_inbox_record_failures_total");
      log::error("inbox_record_failed", {{"first_inbox_id", std::to_string(rows.front().id)}, {"error", outcome.status.error}});
      break;
    }
    metrics_.add("tilangbot_inbox_parsed_total", static_cast<std::int64_t>(rows.size()));
    metrics_.add("tilangbot_messages_received_total", outcome.messages_new);
    metrics_.add("tilangbot_webhook_duplicates_dropped_total", outcome.messages_duplicate);
    metrics_.add("tilangbot_statuses_applied_total", outcome.statuses_applied);
    metrics_.add("tilangbot_statuses_ignored_total", outcome.statuses_ignored);
    if (unknown_items > 0) metrics_.add("tilangbot_inbox_unknown_items_total", unknown_items);
    produced = produced || outcome.messages_new > 0 || outcome.statuses_applied > 0;
    total += static_cast<int>(rows.size());
  }
  if (produced && on_events_) on_events_();
  // The ingest writer never checkpoints the inbox file (its acks must not wait), so the reader does.
  if (total > 0) store_->checkpoint_inbox();
  return total;
}

void InboxProcessor::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // Also poll now and then: rows may come from another process (e.g. an import) or a restart.
      wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return pending_ || stopping_; });
      pending_ = false;
    }
    try {
      drain_once();
    } catch (const std::exception& e) {
      log::error("inbox_processor_failed", {{"error", e.what()}});
    }
    std::lock_guard lock(mutex_);
    if (stopping_) break;
  }
}

}  // namespace tilang::bot

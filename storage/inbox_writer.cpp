#include "storage/inbox_writer.hpp"

#include <chrono>
#include <utility>
#include <vector>

namespace tilang::storage {
namespace {

// How stale the unparsed-row count may get before the writer re-reads it from the store.
constexpr auto unparsed_refresh_interval = std::chrono::milliseconds(100);

std::int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

InboxWriter::InboxWriter(std::unique_ptr<Store> store, InboxWriterOptions options, Clock clock,
                         std::function<void()> on_stored)
    : store_(std::move(store)),
      options_(options),
      clock_(clock ? std::move(clock) : system_clock_ms),
      on_stored_(std::move(on_stored)) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  // Read before the thread starts, which then owns the store (a Store is single-threaded).
  unparsed_estimate_ = store_->unparsed_count();
  thread_ = std::thread([this] { run(); });
}

InboxWriter::~InboxWriter() { stop(); }

bool InboxWriter::submit(std::string body, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queued) return false;
    // Queued bodies become unparsed rows too, so they count against the inbox bound.
    const auto pending = unparsed_estimate_ + in_flight_ + static_cast<std::int64_t>(queue_.size());
    if (pending >= options_.max_unparsed_rows) return false;
    queue_.push_back(Item{std::move(body), std::move(done)});
  }
  wake_.notify_one();
  return true;
}

void InboxWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::size_t InboxWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::int64_t InboxWriter::batches_committed() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

void InboxWriter::run() {
  auto last_refresh = std::chrono::steady_clock::now();
  std::vector<Item> batch;
  std::vector<InboxRow> rows;
  batch.reserve(options_.max_batch);
  rows.reserve(options_.max_batch);

  for (;;) {
    batch.clear();
    rows.clear();
    {
      std::unique_lock lock(mutex_);
      // The timeout lets an idle writer notice the parser draining the inbox.
      wake_.wait_for(lock, unparsed_refresh_interval, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Everything that arrived during the previous commit goes into this one: that sharing
      // of one fsync among many requests is the point of this class.
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      in_flight_ = static_cast<std::int64_t>(batch.size());
    }

    if (!batch.empty()) {
      const std::int64_t now = clock_();
      for (Item& item : batch) rows.push_back(InboxRow{0, now, std::move(item.body)});
      const Status status = store_->append_inbox(rows);
      {
        std::lock_guard lock(mutex_);
        in_flight_ = 0;
        if (status.ok) {
          ++batches_;
          unparsed_estimate_ += static_cast<std::int64_t>(rows.size());
        }
      }
      // Outside the mutex: a callback may submit again or take its time.
      const AppendResult result = status.ok ? AppendResult::stored : AppendResult::failed;
      for (Item& item : batch) {
        if (item.done) item.done(result);
      }
      if (status.ok && on_stored_) on_stored_();
    }

    const auto now = std::chrono::steady_clock::now();
    if (now - last_refresh >= unparsed_refresh_interval) {
      last_refresh = now;
      const std::int64_t unparsed = store_->unparsed_count();
      std::lock_guard lock(mutex_);
      unparsed_estimate_ = unparsed;
    }
  }
}

}  // namespace tilang::storage

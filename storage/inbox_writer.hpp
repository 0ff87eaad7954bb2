// Group commit for the webhook inbox: request handlers submit raw bodies, one writer thread
// stores everything queued so far in one transaction (one fsync), then reports back to each.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/store.hpp"

namespace tilang::storage {

enum class AppendResult { stored, failed };

struct InboxWriterOptions {
  std::size_t max_queued = 8192;         // submissions waiting for the writer; above: refused (503)
  std::size_t max_batch = 512;           // rows per transaction
  std::int64_t max_unparsed_rows = 1'000'000;  // inbox bound: above it new bodies are refused
};

class InboxWriter {
 public:
  using Done = std::function<void(AppendResult)>;
  using Clock = std::function<std::int64_t()>;  // milliseconds since epoch, injected for tests

  // `on_stored` runs on the writer thread once per committed group (after its submitters were
  // answered): one wake-up of the parser per fsync, not one per request.
  InboxWriter(std::unique_ptr<Store> store, InboxWriterOptions options, Clock clock,
              std::function<void()> on_stored = {});
  ~InboxWriter();
  InboxWriter(const InboxWriter&) = delete;
  InboxWriter& operator=(const InboxWriter&) = delete;

  // Queues `body`. Returns false at once (done is not called) when the queue or the inbox is at
  // its bound. Otherwise `done` is called exactly once from the writer thread, after the commit.
  bool submit(std::string body, Done done);

  // Stores everything already queued, then stops the thread. Idempotent.
  void stop();

  std::size_t queued() const;
  std::int64_t batches_committed() const;

 private:
  struct Item {
    std::string body;
    Done done;
  };
  void run();

  std::unique_ptr<Store> store_;
  InboxWriterOptions options_;
  Clock clock_;
  std::function<void()> on_stored_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::int64_t batches_ = 0;
  std::int64_t unparsed_estimate_ = 0;
  // Bodies taken off the queue whose commit has not finished: no longer queued, not yet
  // counted in unparsed_estimate_, but they still count against the inbox bound.
  std::int64_t in_flight_ = 0;
  std::thread thread_;
};

}  // namespace tilang::storage

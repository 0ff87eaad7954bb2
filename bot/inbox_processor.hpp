// Turns stored raw notifications into typed, deduplicated events, off the request path.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "bot/metrics.hpp"
#include "storage/store.hpp"

namespace tilang::bot {

class InboxProcessor {
 public:
  // `on_events` is called after a batch produced new messages or statuses (wakes the engine).
  InboxProcessor(std::unique_ptr<storage::Store> store, Metrics& metrics, std::function<void()> on_events = {});
  ~InboxProcessor();

  void start();
  void wake();
  // Parses what is stored (so nothing acknowledged waits for a restart), then stops.
  void stop();

  // Parses every unparsed row now, on the calling thread (tests, `migrate`-time catch-up).
  int drain_once();

 private:
  void run();

  std::unique_ptr<storage::Store> store_;
  Metrics& metrics_;
  std::function<void()> on_events_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tilang::bot

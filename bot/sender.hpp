// The sender: delivers outbox rows to the Graph API. One dispatcher thread claims due rows (one
// per recipient at a time, oldest first), paces them (number limit + pair rate, bot/pacer.hpp)
// and hands them to worker threads that do blocking sends on the pooled client; the dispatcher
// records the answers in batches and applies the error policy (bot/send_error_class.hpp).
// Run one Sender per business number database at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/graph_api.hpp"
#include "bot/pacer.hpp"
#include "storage/outbox_store.hpp"

namespace tilang::bot {

struct SenderOptions {
  int max_mps = 80;                     // WA_MAX_MPS; <= 0: uncapped
  std::int64_t window_guard_ms = 5;     // see PacerOptions::guard_ms (the even stream absorbs most jitter)
  double pair_burst = 10;               // messages to one recipient at once
  std::int64_t pair_refill_ms = 6000;   // then one per this long
  int max_attempts = 8;                 // sends of one row before it fails
  std::int64_t backoff_base_ms = 1000;  // transient errors: base * 2^(n-1), capped, jittered
  std::int64_t backoff_cap_ms = 300'000;
  std::int64_t pair_backoff_base_ms = 1000;   // 131056: base * 4^(n-1) (Meta: retry after 4^X s)
  std::int64_t ambiguous_delay_ms = 10'000;   // before re-sending an in-doubt row (time for its status webhook)
  std::int64_t throughput_pause_ms = 1000;    // 130429: the whole number waits this long
  std::int64_t token_probe_ms = 60'000;       // paused by 190: one probe send this often
  int workers = 8;                            // concurrent requests (paced sends sleep to their slot, so more than cores)
  std::size_t claim_batch = 256;              // rows claimed per transaction
  std::size_t max_in_memory = 1024;           // claimed rows held at once (bounded queue)
  std::int64_t hold_ms = 1000;                // pair-rate waits longer than this go back to the table
  std::chrono::milliseconds idle_poll{100};   // looking for due rows when nobody calls wake()
  std::chrono::milliseconds webhook_poll{250};// applying failed status webhooks
};

struct SenderStats {
  std::int64_t accepted = 0;         // rows Meta accepted (incl. correlated in-doubt rows)
  std::int64_t failed = 0;           // rows failed by a send answer
  std::int64_t failed_by_webhook = 0;// accepted rows a failed status webhook turned failed
  std::int64_t retries = 0;          // rows scheduled for another attempt
  std::int64_t ambiguous = 0;        // sends without an answer
  std::int64_t fallbacks = 0;        // templates enqueued for 131047
  std::int64_t window_closed_no_template = 0;  // 131047 without a template: officer must act
  std::int64_t in_flight = 0;        // claimed rows not yet recorded
  bool paused_for_token = false;     // 190: sending stopped, alert
  std::map<int, std::int64_t> failed_by_code;  // final failures by code (webhook ones included)
};

class Sender {
 public:
  using NowMs = std::function<std::int64_t()>;  // milliseconds since the epoch
  using Random = std::function<double()>;       // uniform in [0, 1)

  Sender(GraphApi& api, std::unique_ptr<storage::OutboxStore> store, SenderOptions options, NowMs now_ms,
         Random random01);
  ~Sender();  // stop()
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Recovers rows a previous run left mid-send (as in doubt), then starts the threads.
  void start();
  // Stops claiming, lets sends in flight finish and records them, returns unsent rows to the
  // queue. Idempotent.
  void stop();
  // New rows were enqueued (by another connection): look now instead of at the next poll.
  void wake();
  // The access token was replaced: end a 190 pause now.
  void resume();

  SenderStats stats() const;

 private:
  struct Job {
    storage::OutboxEntry row;
    bool probe = false;  // the one send allowed while paused for the token
  };
  struct Done {
    Job job;
    SendResult result;
    bool sent = false;  // false: given back unsent (paused or stopping)
  };

  void dispatch_loop();
  void worker_loop();
  void record(const Done& done, std::int64_t now, std::vector<storage::OutboxUpdate>& updates);
  void flush(std::vector<storage::OutboxUpdate>& updates, std::int64_t now);
  void claim(std::int64_t now, std::vector<storage::OutboxUpdate>& updates);
  void release_all(std::vector<storage::OutboxUpdate>& updates);
  void pause_for_token(std::int64_t now, const SendResult& result);
  std::int64_t backoff(int attempt, std::int64_t base, double factor) const;
  void count_failure(int code);

  GraphApi& api_;
  std::unique_ptr<storage::OutboxStore> store_;  // dispatcher thread only
  SenderOptions options_;
  NowMs now_ms_;
  Random random01_;

  std::mutex pacer_mutex_;
  Pacer pacer_;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;      // workers wait for jobs
  std::condition_variable dispatch_cv_;  // dispatcher waits for results, wake() and stop()
  std::deque<Job> work_;
  std::vector<Done> done_;
  bool wake_ = false;
  bool stopping_ = false;
  bool workers_done_ = false;

  // Dispatcher-only state.
  std::multimap<std::int64_t, storage::OutboxEntry> held_;  // waiting for their recipient's pair rate
  std::int64_t next_probe_ms_ = 0;
  bool probe_out_ = false;
  std::int64_t last_webhook_poll_ms_ = 0;

  std::atomic<bool> paused_{false};
  std::atomic<std::int64_t> in_memory_{0};
  mutable std::mutex stats_mutex_;
  SenderStats stats_;

  std::thread dispatcher_;
  std::vector<std::thread> workers_;
  bool started_ = false;
};

// The request body with "biz_opaque_callback_data" set to the row's (so status webhooks carry it);
// mark-as-read bodies and bodies that already set it are left alone.
std::string body_with_callback_data(const storage::OutboxEntry& row);

}  // namespace tilang::bot

// Send pacing as pure logic over an injected clock (milliseconds): the number's limit (never more
// than max_mps send starts in any one-second window) and Meta's pair rate per recipient (a token
// bucket: `user_burst` messages at once, then one per `user_refill_ms`). Not thread-safe: the
// sender guards it with a mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace tilang::bot {

struct PacerOptions {
  int max_mps = 80;               // <= 0: no global cap
  std::int64_t window_ms = 1000;  // Meta's window
  // Added to the window: a start recorded here reaches Meta a little later and not always by the
  // same delay (thread wake-up, network), so the spacing Meta sees must not shrink below a second.
  std::int64_t guard_ms = 20;
  // Starts are also spread evenly at this share of max_mps: bursts at the top of each window let
  // network jitter push a few extra requests into one of Meta's one-second windows, an even stream
  // at 99% (and at least 2 below the cap) leaves room for that jitter while staying close to the cap.
  double even_share = 0.99;
  double user_burst = 10;               // tokens per recipient (Meta allows bursts up to 45)
  std::int64_t user_refill_ms = 6000;   // Meta: 1 message per 6 s sustained
  std::size_t prune_every = 4096;       // forget full buckets every this many takes
};

class Pacer {
 public:
  explicit Pacer(PacerOptions options);

  // Global window: the earliest time >= now_ms at which one more send may start. reserve_global
  // also records that start, so concurrent callers get distinct, correctly spaced slots.
  std::int64_t next_global(std::int64_t now_ms) const;
  std::int64_t reserve_global(std::int64_t now_ms);
  // 130429: nobody starts before `until_ms`.
  void pause_global_until(std::int64_t until_ms);

  // Per recipient: when the next message to `user` may start (now_ms if a token is there).
  std::int64_t user_ready_at(const std::string& user, std::int64_t now_ms) const;
  // Takes a token if one is available now.
  bool try_take_user(const std::string& user, std::int64_t now_ms);
  // 131056: the recipient gets nothing before `until_ms`, then one message.
  void block_user_until(const std::string& user, std::int64_t until_ms);

  std::size_t tracked_users() const { return users_.size(); }
  const PacerOptions& options() const { return options_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_ms = 0;  // tokens are as of this time; refill starts here (may be future)
  };
  double tokens_at(const Bucket& bucket, std::int64_t at_ms) const;
  void prune(std::int64_t now_ms);

  PacerOptions options_;
  std::deque<std::int64_t> starts_;  // the last max_mps reserved starts, ascending
  std::int64_t paused_until_ms_ = 0;
  double next_even_ms_ = 0;  // earliest start of the even stream (fractional milliseconds)
  std::unordered_map<std::string, Bucket> users_;
  std::size_t takes_since_prune_ = 0;
};

}  // namespace tilang::bot

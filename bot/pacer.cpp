#include "bot/pacer.hpp"

#include <algorithm>
#include <cmath>

namespace tilang::bot {

Pacer::Pacer(PacerOptions options) : options_(options) {
  options_.user_burst = std::max(1.0, options_.user_burst);
  options_.user_refill_ms = std::max<std::int64_t>(1, options_.user_refill_ms);
}

std::int64_t Pacer::next_global(std::int64_t now_ms) const {
  std::int64_t slot = std::max(now_ms, paused_until_ms_);
  if (options_.max_mps <= 0) return slot;
  // Starts stay ascending, so a slot is never before the last one handed out.
  if (!starts_.empty()) slot = std::max(slot, starts_.back());
  if (options_.even_share > 0) {
    slot = std::max(slot, static_cast<std::int64_t>(std::ceil(std::max(next_even_ms_, static_cast<double>(now_ms)))));
  }
  // With max_mps starts already in the deque, the next one must be a full window after the oldest:
  // then no window of that length ever holds more than max_mps starts.
  if (starts_.size() >= static_cast<std::size_t>(options_.max_mps)) {
    slot = std::max(slot, starts_.front() + options_.window_ms + options_.guard_ms);
  }
  return slot;
}

std::int64_t Pacer::reserve_global(std::int64_t now_ms) {
  const std::int64_t slot = next_global(now_ms);
  if (options_.max_mps > 0 && options_.even_share > 0) {
    // Advance from the unrounded stream position, so millisecond rounding does not slow the rate.
    // At least two messages of slack per window even for small caps (80 mps: 78), where 1% is less than one.
    const double cap = static_cast<double>(options_.max_mps);
    const double rate = options_.max_mps > 4 ? std::min(options_.even_share * cap, cap - 2.0) : options_.even_share * cap;
    const double spacing = static_cast<double>(options_.window_ms) / rate;
    // A slot pushed later (pause, full window) restarts the stream from there instead of bunching.
    const double base = std::max({next_even_ms_, static_cast<double>(now_ms), static_cast<double>(slot) - 1.0});
    next_even_ms_ = base + spacing;
  }
  if (options_.max_mps > 0) {
    starts_.push_back(slot);
    while (starts_.size() > static_cast<std::size_t>(options_.max_mps)) starts_.pop_front();
  }
  return slot;
}

void Pacer::pause_global_until(std::int64_t until_ms) { paused_until_ms_ = std::max(paused_until_ms_, until_ms); }

double Pacer::tokens_at(const Bucket& bucket, std::int64_t at_ms) const {
  if (at_ms <= bucket.updated_ms) return bucket.tokens;
  const double refilled = static_cast<double>(at_ms - bucket.updated_ms) / static_cast<double>(options_.user_refill_ms);
  return std::min(options_.user_burst, bucket.tokens + refilled);
}

std::int64_t Pacer::user_ready_at(const std::string& user, std::int64_t now_ms) const {
  const auto it = users_.find(user);
  if (it == users_.end()) return now_ms;
  const Bucket& bucket = it->second;
  const std::int64_t base = std::max(now_ms, bucket.updated_ms);
  const double tokens = tokens_at(bucket, base);
  if (tokens >= 1.0) return base;
  const double missing_ms = (1.0 - tokens) * static_cast<double>(options_.user_refill_ms);
  return base + static_cast<std::int64_t>(std::ceil(missing_ms));
}

bool Pacer::try_take_user(const std::string& user, std::int64_t now_ms) {
  if (user_ready_at(user, now_ms) > now_ms) return false;
  auto [it, inserted] = users_.try_emplace(user, Bucket{options_.user_burst, now_ms});
  Bucket& bucket = it->second;
  bucket.tokens = tokens_at(bucket, now_ms) - 1.0;
  bucket.updated_ms = std::max(bucket.updated_ms, now_ms);
  if (++takes_since_prune_ >= options_.prune_every) prune(now_ms);
  return true;
}

void Pacer::block_user_until(const std::string& user, std::int64_t until_ms) {
  Bucket& bucket = users_[user];
  bucket.tokens = 1.0;
  bucket.updated_ms = std::max(bucket.updated_ms, until_ms);
}

void Pacer::prune(std::int64_t now_ms) {
  takes_since_prune_ = 0;
  // A full bucket behaves exactly like an unknown recipient: forget it, so memory follows the
  // number of recently active recipients, not of all recipients ever.
  for (auto it = users_.begin(); it != users_.end();) {
    if (now_ms >= it->second.updated_ms && tokens_at(it->second, now_ms) >= options_.user_burst) {
      it = users_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace tilang::bot

#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "bot/pacer.hpp"

using tilang::bot::Pacer;
using tilang::bot::PacerOptions;

namespace {

PacerOptions global_only(int max_mps, std::int64_t guard_ms = 0) {
  PacerOptions o;
  o.max_mps = max_mps;
  o.guard_ms = guard_ms;
  return o;
}

// The sliding window alone, without the even stream (to see the window's own rule).
PacerOptions window_only(int max_mps, std::int64_t guard_ms = 0) {
  PacerOptions o = global_only(max_mps, guard_ms);
  o.even_share = 0;
  return o;
}

// The largest number of starts inside any half-open window [t, t + window).
std::size_t max_in_window(const std::vector<std::int64_t>& starts, std::int64_t window) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    std::size_t n = 0;
    for (std::size_t j = i; j < starts.size() && starts[j] < starts[i] + window; ++j) ++n;
    best = std::max(best, n);
  }
  return best;
}

}  // namespace

TEST_CASE("pacer: the number's limit holds max_mps starts per second, then waits a full window") {
  Pacer pacer(window_only(5));
  std::vector<std::int64_t> slots;
  for (int i = 0; i < 12; ++i) slots.push_back(pacer.reserve_global(0));
  CHECK(slots == std::vector<std::int64_t>{0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000});
  CHECK(pacer.next_global(0) == 2000);
  CHECK(pacer.next_global(5000) == 5000);
}

TEST_CASE("pacer: no window of a second ever holds more than max_mps starts, whatever the arrivals") {
  std::mt19937 rng(7);
  for (int max_mps : {1, 3, 50, 80}) {
    Pacer pacer(global_only(max_mps, 20));
    std::vector<std::int64_t> starts;
    std::int64_t now = 1'700'000'000'000;
    for (int i = 0; i < 2000; ++i) {
      now += std::uniform_int_distribution<std::int64_t>(0, 40)(rng);
      const std::int64_t slot = pacer.reserve_global(now);
      REQUIRE(slot >= now);
      if (!starts.empty()) REQUIRE(slot >= starts.back());
      starts.push_back(slot);
    }
    CHECK(max_in_window(starts, 1000) <= static_cast<std::size_t>(max_mps));
    // With the guard, even a window 20 ms longer than a second holds no more.
    CHECK(max_in_window(starts, 1020) <= static_cast<std::size_t>(max_mps));
  }
}

TEST_CASE("pacer: the guard widens the window") {
  Pacer pacer(window_only(2, 50));
  CHECK(pacer.reserve_global(0) == 0);
  CHECK(pacer.reserve_global(0) == 0);
  CHECK(pacer.reserve_global(0) == 1050);
}

TEST_CASE("pacer: starts are spread evenly at 99% of max_mps, not bunched at the top of each window") {
  Pacer pacer(global_only(1000, 20));
  std::vector<std::int64_t> starts;
  for (int i = 0; i < 10'000; ++i) starts.push_back(pacer.reserve_global(0));
  // Room for network jitter: no second holds more than 99% of the cap...
  CHECK(max_in_window(starts, 1000) <= 990);
  // ...and the achieved rate stays within 2% of it.
  const double seconds = static_cast<double>(starts.back() - starts.front()) / 1000.0;
  CHECK(static_cast<double>(starts.size() - 1) / seconds >= 980.0);
  // No two starts in the same millisecond more than once in a while: an even stream.
  std::size_t same_ms = 0;
  for (std::size_t i = 1; i < starts.size(); ++i) same_ms += starts[i] == starts[i - 1] ? 1 : 0;
  CHECK(same_ms == 0);
}

TEST_CASE("pacer: max_mps 0 does not limit the number") {
  Pacer pacer(global_only(0));
  for (int i = 0; i < 10'000; ++i) REQUIRE(pacer.reserve_global(42) == 42);
}

TEST_CASE("pacer: a throughput pause holds every start until it ends") {
  Pacer pacer(global_only(100));
  pacer.pause_global_until(3000);
  CHECK(pacer.reserve_global(1000) == 3000);
  CHECK(pacer.reserve_global(3500) == 3500);
  pacer.pause_global_until(2000);  // an earlier end never shortens a pause
  CHECK(pacer.next_global(3600) == 3600);
}

TEST_CASE("pacer: a recipient gets a burst, then one message per refill interval") {
  PacerOptions o = global_only(0);
  o.user_burst = 3;
  o.user_refill_ms = 6000;
  Pacer pacer(o);
  CHECK(pacer.try_take_user("628111", 0));
  CHECK(pacer.try_take_user("628111", 0));
  CHECK(pacer.try_take_user("628111", 0));
  CHECK_FALSE(pacer.try_take_user("628111", 0));
  CHECK(pacer.user_ready_at("628111", 0) == 6000);
  CHECK_FALSE(pacer.try_take_user("628111", 5999));
  CHECK(pacer.try_take_user("628111", 6000));
  CHECK(pacer.user_ready_at("628111", 6000) == 12000);
  // Another recipient is not affected.
  CHECK(pacer.user_ready_at("628222", 6000) == 6000);
  CHECK(pacer.try_take_user("628222", 6000));
  // Sustained: over a minute after the burst, about one message per 6 s.
  int sent = 0;
  for (std::int64_t t = 12000; t < 72000; t += 100) {
    if (pacer.try_take_user("628111", t)) ++sent;
  }
  CHECK(sent == 10);
}

TEST_CASE("pacer: a refilled bucket never holds more than the burst") {
  PacerOptions o = global_only(0);
  o.user_burst = 2;
  o.user_refill_ms = 1000;
  Pacer pacer(o);
  CHECK(pacer.try_take_user("u", 0));
  // An hour later the bucket is full again: two, not thousands.
  CHECK(pacer.try_take_user("u", 3'600'000));
  CHECK(pacer.try_take_user("u", 3'600'000));
  CHECK_FALSE(pacer.try_take_user("u", 3'600'000));
}

TEST_CASE("pacer: 131056 blocks only that recipient until the backoff ends") {
  PacerOptions o = global_only(0);
  o.user_burst = 10;
  o.user_refill_ms = 6000;
  Pacer pacer(o);
  pacer.block_user_until("628111", 4000);
  CHECK(pacer.user_ready_at("628111", 1000) == 4000);
  CHECK_FALSE(pacer.try_take_user("628111", 3999));
  CHECK(pacer.try_take_user("628222", 1000));
  CHECK(pacer.try_take_user("628111", 4000));
  // One message after the block, then the normal refill.
  CHECK(pacer.user_ready_at("628111", 4000) == 10000);
}

TEST_CASE("pacer: recipients with full buckets are forgotten, so memory stays bounded") {
  PacerOptions o = global_only(0);
  o.user_burst = 2;
  o.user_refill_ms = 100;
  o.prune_every = 100;
  Pacer pacer(o);
  for (int i = 0; i < 99; ++i) REQUIRE(pacer.try_take_user("u" + std::to_string(i), 0));
  CHECK(pacer.tracked_users() == 99);
  // The 100th take, much later, prunes every bucket that refilled.
  REQUIRE(pacer.try_take_user("late", 10'000));
  CHECK(pacer.tracked_users() <= 1);
  // A forgotten recipient starts with a full burst again, as Meta would allow.
  CHECK(pacer.try_take_user("u1", 10'000));
  CHECK(pacer.try_take_user("u1", 10'000));
  CHECK_FALSE(pacer.try_take_user("u1", 10'000));
}

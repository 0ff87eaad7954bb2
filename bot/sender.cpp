#include "bot/sender.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "bot/background_thread.hpp"
#include "bot/log.hpp"
#include "bot/send_error_class.hpp"

namespace tilang::bot {
namespace {

using storage::OutboxEntry;
using storage::OutboxUpdate;

PacerOptions pacer_options(const SenderOptions& o) {
  PacerOptions p;
  p.max_mps = o.max_mps;
  p.guard_ms = o.window_guard_ms;
  p.user_burst = o.pair_burst;
  p.user_refill_ms = o.pair_refill_ms;
  return p;
}

std::string reason(const SendResult& r) {
  if (!r.error_details.empty()) return r.error_details;
  if (!r.error_message.empty()) return r.error_message;
  if (r.http_status != 0) return "HTTP " + std::to_string(r.http_status);
  return "no answer";
}

OutboxUpdate make_update(OutboxUpdate::Kind kind, const OutboxEntry& row) {
  OutboxUpdate u;
  u.kind = kind;
  u.id = row.id;
  return u;
}

// Meta's pair rate limits *messages* to one user (1 per 6 s, bursts borrow from later). A read
// receipt is not a message to the user: if it took a token, every answer in a lively chat would wait
// behind the receipts of the user's own messages. It still counts against the number's throughput.
bool counts_against_pair_rate(const OutboxEntry& row) { return row.kind != "read"; }

}  // namespace

std::string body_with_callback_data(const OutboxEntry& row) {
  const std::string& body = row.body_json;
  if (row.kind == "read" || row.biz_opaque_callback_data.empty()) return body;
  if (body.find("\"biz_opaque_callback_data\"") != std::string::npos) return body;
  const auto brace = body.find('{');
  if (brace == std::string::npos) return body;
  // Spliced in as text: parsing and re-serialising every body would cost more than the send.
  const auto next = body.find_first_not_of(" \t\r\n", brace + 1);
  const bool empty_object = next != std::string::npos && body[next] == '}';
  std::string out;
  out.reserve(body.size() + row.biz_opaque_callback_data.size() + 32);
  out.append(body, 0, brace + 1);
  out += "\"biz_opaque_callback_data\":";
  out += nlohmann::json(row.biz_opaque_callback_data).dump();
  if (!empty_object) out += ',';
  out.append(body, brace + 1, std::string::npos);
  return out;
}

Sender::Sender(GraphApi& api, std::unique_ptr<storage::OutboxStore> store, SenderOptions options, NowMs now_ms,
               Random random01)
    : api_(api),
      store_(std::move(store)),
      options_(options),
      now_ms_(std::move(now_ms)),
      random01_(std::move(random01)),
      pacer_(pacer_options(options_)) {
  options_.workers = std::max(1, options_.workers);
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.claim_batch = std::max<std::size_t>(1, options_.claim_batch);
  options_.max_in_memory = std::max(options_.max_in_memory, options_.claim_batch);
}

Sender::~Sender() { stop(); }

void Sender::start() {
  if (started_) return;
  started_ = true;
  const std::int64_t now = now_ms_();
  // A previous run died mid-send: those rows may have reached Meta, so they are in doubt and wait
  // for their status webhook before the one re-send they are allowed.
  if (const std::int64_t recovered = store_->recover_in_flight(now + options_.ambiguous_delay_ms, now); recovered > 0) {
    log::warn("outbox_recovered_in_flight", {{"rows", std::to_string(recovered)}});
  }
  for (int i = 0; i < options_.workers; ++i) {
    workers_.emplace_back([this] {
      run_as_background("tb-send");
      worker_loop();
    });
  }
  dispatcher_ = std::thread([this] {
    run_as_background("tb-send-pacer");
    dispatch_loop();
  });
}

void Sender::stop() {
  if (!started_) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  dispatch_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  {
    std::lock_guard lock(mutex_);
    workers_done_ = true;
  }
  dispatch_cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
}

void Sender::wake() {
  {
    std::lock_guard lock(mutex_);
    wake_ = true;
  }
  dispatch_cv_.notify_one();
}

void Sender::resume() {
  if (paused_.exchange(false)) {
    log::info("outbox_resumed", {});
    std::lock_guard lock(stats_mutex_);
    stats_.paused_for_token = false;
  }
  wake();
}

SenderStats Sender::stats() const {
  std::lock_guard lock(stats_mutex_);
  SenderStats copy = stats_;
  copy.in_flight = in_memory_.load();
  copy.paused_for_token = paused_.load();
  return copy;
}

void Sender::worker_loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      work_cv_.wait(lock, [this] { return stopping_ || !work_.empty(); });
      if (stopping_) return;  // queued jobs are given back by the dispatcher
      job = std::move(work_.front());
      work_.pop_front();
    }
    Done done{std::move(job), {}, false};
    if (!paused_.load() || done.job.probe) {
      std::int64_t slot;
      {
        std::lock_guard lock(pacer_mutex_);
        slot = pacer_.reserve_global(now_ms_());
      }
      // The number's window: wait for the reserved start (at most about a second).
      if (const std::int64_t wait = slot - now_ms_(); wait > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      }
      done.result = api_.send_message(done.job.row.business_number, body_with_callback_data(done.job.row));
      done.sent = true;
    }
    {
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(done));
    }
    dispatch_cv_.notify_one();
  }
}

std::int64_t Sender::backoff(int attempt, std::int64_t base, double factor) const {
  const double raw = static_cast<double>(base) * std::pow(factor, std::max(0, attempt - 1));
  const double capped = std::min(raw, static_cast<double>(options_.backoff_cap_ms));
  // "Equal jitter": at least half the delay, so retries spread out but never come early.
  const double r = std::clamp(random01_(), 0.0, 1.0);
  return static_cast<std::int64_t>(capped / 2.0 + r * capped / 2.0);
}

void Sender::count_failure(int code) {
  std::lock_guard lock(stats_mutex_);
  ++stats_.failed;
  ++stats_.failed_by_code[code];
}

void Sender::pause_for_token(std::int64_t now, const SendResult& result) {
  next_probe_ms_ = now + options_.token_probe_ms;
  if (!paused_.exchange(true)) {
    log::error("outbox_paused_access_token",
               {{"code", std::to_string(result.error_code)}, {"reason", reason(result)},
                {"action", "rotate WA_ACCESS_TOKEN; sending resumes after a successful probe"}});
    std::lock_guard lock(stats_mutex_);
    stats_.paused_for_token = true;
  }
}

void Sender::record(const Done& done, std::int64_t now, std::vector<OutboxUpdate>& updates) {
  const OutboxEntry& row = done.job.row;
  if (done.job.probe) probe_out_ = false;
  if (!done.sent) {
    updates.push_back(make_update(OutboxUpdate::Kind::release, row));
    return;
  }
  const SendResult& r = done.result;
  const int attempt = row.attempts + 1;
  OutboxUpdate u = make_update(OutboxUpdate::Kind::retry, row);
  u.attempted = true;
  u.error_code = r.error_code;
  u.error_details = reason(r);
  auto retry_or_give_up = [&](std::int64_t delay) {
    if (attempt >= options_.max_attempts) {
      u.kind = OutboxUpdate::Kind::failed;
      if (u.error_code == 0) u.error_code = storage::outbox_error_gave_up;
      u.error_details = "gave up after " + std::to_string(attempt) + " attempts: " + u.error_details;
      count_failure(u.error_code);
    } else {
      u.next_attempt_ms = now + delay;
      std::lock_guard lock(stats_mutex_);
      ++stats_.retries;
    }
  };

  switch (classify(r)) {
    case SendErrorClass::accepted:
      u.kind = OutboxUpdate::Kind::accepted;
      u.wamid = r.wamid;
      u.error_code = 0;
      u.error_details = r.error_message;  // a note only when the 200 had no readable id
      if (paused_.load()) resume();
      {
        std::lock_guard lock(stats_mutex_);
        ++stats_.accepted;
      }
      break;
    case SendErrorClass::transient:
      if (is_throughput_limit(r)) {
        std::lock_guard lock(pacer_mutex_);
        pacer_.pause_global_until(now + options_.throughput_pause_ms);
      }
      retry_or_give_up(backoff(attempt, options_.backoff_base_ms, 2.0));
      break;
    case SendErrorClass::per_user: {
      // Only this recipient waits; its later rows wait behind this one anyway.
      const std::int64_t delay = backoff(attempt, options_.pair_backoff_base_ms, 4.0);
      {
        std::lock_guard lock(pacer_mutex_);
        pacer_.block_user_until(row.recipient, now + delay);
      }
      retry_or_give_up(delay);
      break;
    }
    case SendErrorClass::pause:
      // Not the message's fault: back in the queue, attempt not counted.
      pause_for_token(now, r);
      u.attempted = false;
      u.next_attempt_ms = now;
      break;
    case SendErrorClass::window_closed:
      if (!row.fallback_json.empty()) {
        u.kind = OutboxUpdate::Kind::fallback;
        u.error_details = "24-hour window closed: " + u.error_details;
      } else {
        u.kind = OutboxUpdate::Kind::failed;
        u.error_details = "24-hour window closed and no template to send instead (an officer must act): " +
                          u.error_details;
        log::warn("outbox_window_closed", {{"outbox_id", std::to_string(row.id)}, {"recipient", row.recipient}});
        std::lock_guard lock(stats_mutex_);
        ++stats_.window_closed_no_template;
      }
      count_failure(r.error_code);
      break;
    case SendErrorClass::ambiguous:
      {
        std::lock_guard lock(stats_mutex_);
        ++stats_.ambiguous;
      }
      u.in_doubt = true;
      if (u.error_code == 0) u.error_code = storage::outbox_error_ambiguous;
      if (row.in_doubt > 0) {
        // Already re-sent once without an answer: a third copy is worse than an honest failure.
        u.kind = OutboxUpdate::Kind::failed;
        u.error_details = "no answer from the Graph API twice: " + u.error_details;
        count_failure(u.error_code);
      } else {
        u.error_details = "no answer (will check for a status webhook, then retry once): " + u.error_details;
        u.next_attempt_ms = now + options_.ambiguous_delay_ms;
        std::lock_guard lock(stats_mutex_);
        ++stats_.retries;
      }
      break;
    case SendErrorClass::permanent:
      u.kind = OutboxUpdate::Kind::failed;
      count_failure(r.error_code);
      break;
  }
  updates.push_back(std::move(u));
}

void Sender::flush(std::vector<OutboxUpdate>& updates, std::int64_t now) {
  if (updates.empty()) return;
  const storage::ApplyResult applied = store_->apply(updates, now);
  if (!applied.committed) {
    // Nothing was recorded (database busy or full): keep the answers and try again next round.
    log::error("outbox_record_failed", {{"reason", applied.status.error}, {"rows", std::to_string(updates.size())}});
    return;
  }
  if (!applied.status.ok) log::error("outbox_record_partly_failed", {{"reason", applied.status.error}});
  in_memory_ -= static_cast<std::int64_t>(updates.size());
  {
    std::lock_guard lock(stats_mutex_);
    stats_.fallbacks += static_cast<std::int64_t>(applied.fallback_ids.size());
    for (const auto& f : applied.failed_by_webhook) {
      ++stats_.failed_by_webhook;
      ++stats_.failed_by_code[f.error_code];
    }
  }
  updates.clear();
}

void Sender::release_all(std::vector<OutboxUpdate>& updates) {
  std::deque<Job> unsent;
  {
    std::lock_guard lock(mutex_);
    unsent.swap(work_);
  }
  for (const Job& job : unsent) {
    if (job.probe) probe_out_ = false;
    updates.push_back(make_update(OutboxUpdate::Kind::release, job.row));
  }
  for (const auto& [ready, row] : held_) updates.push_back(make_update(OutboxUpdate::Kind::release, row));
  held_.clear();
}

void Sender::claim(std::int64_t now, std::vector<OutboxUpdate>& updates) {
  const bool paused = paused_.load();
  std::size_t want = 0;
  if (paused) {
    // One probe at a time, every token_probe_ms, tells when the token works again.
    if (probe_out_ || now < next_probe_ms_) return;
    want = 1;
  } else {
    const auto in_memory = static_cast<std::size_t>(std::max<std::int64_t>(0, in_memory_.load()));
    const std::size_t room = options_.max_in_memory > in_memory ? options_.max_in_memory - in_memory : 0;
    std::size_t queued;
    {
      std::lock_guard lock(mutex_);
      queued = work_.size();
    }
    // Claim in big batches (one transaction each), or early when the workers are running dry.
    if (room < options_.claim_batch && !(queued < static_cast<std::size_t>(options_.workers) && room > 0)) return;
    want = std::min(room, options_.claim_batch);
  }
  std::vector<OutboxEntry> rows = store_->claim_due(now, want);
  if (rows.empty()) return;
  in_memory_ += static_cast<std::int64_t>(rows.size());
  std::vector<Job> ready;
  for (auto& row : rows) {
    if (row.in_doubt > 0) {
      // Its earlier attempt may have reached Meta: a status webhook with its callback data proves it.
      if (auto wamid = store_->wamid_for_opaque(row.biz_opaque_callback_data)) {
        OutboxUpdate u = make_update(OutboxUpdate::Kind::accepted, row);
        u.wamid = *wamid;
        u.error_details = "accepted earlier (matched by biz_opaque_callback_data)";
        updates.push_back(std::move(u));
        std::lock_guard lock(stats_mutex_);
        ++stats_.accepted;
        continue;
      }
    }
    if (paused) {
      ready.push_back(Job{std::move(row), true});
      probe_out_ = true;
      continue;
    }
    if (!counts_against_pair_rate(row)) {
      ready.push_back(Job{std::move(row), false});
      continue;
    }
    std::int64_t ready_at;
    {
      std::lock_guard lock(pacer_mutex_);
      ready_at = pacer_.user_ready_at(row.recipient, now);
      if (ready_at <= now && pacer_.try_take_user(row.recipient, now)) {
        ready.push_back(Job{std::move(row), false});
        continue;
      }
    }
    if (ready_at - now <= options_.hold_ms) {
      held_.emplace(ready_at, std::move(row));
    } else {
      // A long pair-rate wait goes back to the table instead of filling memory.
      OutboxUpdate u = make_update(OutboxUpdate::Kind::retry, row);
      u.next_attempt_ms = ready_at;
      u.error_code = row.error_code;
      u.error_details = row.error_details;
      updates.push_back(std::move(u));
    }
  }
  if (!ready.empty()) {
    {
      std::lock_guard lock(mutex_);
      for (auto& job : ready) work_.push_back(std::move(job));
    }
    work_cv_.notify_all();
  }
}

void Sender::dispatch_loop() {
  std::vector<OutboxUpdate> updates;
  std::vector<Done> done;
  for (;;) {
    bool stopping;
    bool workers_done;
    {
      std::lock_guard lock(mutex_);
      done.swap(done_);
      stopping = stopping_;
      workers_done = workers_done_;
      wake_ = false;
    }
    std::int64_t now = now_ms_();
    for (const Done& d : done) record(d, now, updates);
    done.clear();

    if (workers_done) {
      // Final round: every worker has returned its last answer; give back what was never sent.
      release_all(updates);
      for (int i = 0; i < 50 && !updates.empty(); ++i) {
        flush(updates, now);
        if (!updates.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      // Rows still 'sending' here are recovered as in doubt by the next start().
      return;
    }

    if (now - last_webhook_poll_ms_ >= options_.webhook_poll.count()) {
      last_webhook_poll_ms_ = now;
      const storage::ApplyResult applied = store_->apply_webhook_failures(now, 512);
      if (!applied.status.ok) log::error("outbox_webhook_failures", {{"reason", applied.status.error}});
      std::lock_guard lock(stats_mutex_);
      stats_.fallbacks += static_cast<std::int64_t>(applied.fallback_ids.size());
      for (const auto& f : applied.failed_by_webhook) {
        ++stats_.failed_by_webhook;
        ++stats_.failed_by_code[f.error_code];
      }
    }

    if (!stopping) {
      if (paused_.load() && !held_.empty()) release_all(updates);
      claim(now, updates);
      // Rows whose recipient may now take another message.
      std::vector<Job> ready;
      while (!held_.empty() && held_.begin()->first <= now) {
        OutboxEntry row = std::move(held_.begin()->second);
        held_.erase(held_.begin());
        std::lock_guard lock(pacer_mutex_);
        if (pacer_.try_take_user(row.recipient, now)) {
          ready.push_back(Job{std::move(row), false});
        } else {
          const std::int64_t at = std::max(now + 1, pacer_.user_ready_at(row.recipient, now));
          held_.emplace(at, std::move(row));
        }
      }
      if (!ready.empty()) {
        {
          std::lock_guard lock(mutex_);
          for (auto& job : ready) work_.push_back(std::move(job));
        }
        work_cv_.notify_all();
      }
    }
    flush(updates, now);

    std::int64_t wait_ms = options_.idle_poll.count();
    if (!held_.empty()) wait_ms = std::min(wait_ms, std::max<std::int64_t>(1, held_.begin()->first - now_ms_()));
    wait_ms = std::min<std::int64_t>(wait_ms, options_.webhook_poll.count());
    std::unique_lock lock(mutex_);
    dispatch_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                          [this] { return wake_ || !done_.empty() || workers_done_; });
  }
}

}  // namespace tilang::bot

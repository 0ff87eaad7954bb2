// The help-desk console's JSON API (CONTRACT §4) on top of the engine and the console store:
//   POST /api/v1/login {username,password}     -> {token, role, expires_at, csrf_token}; also sets the
//                                                  HttpOnly SameSite=Strict session cookie
//   POST /api/v1/logout                        GET /api/v1/session -> {username, role, csrf_token}
//   GET  /api/v1/conversations?state=waiting|agent|bot   oldest waiting first, with waiting time
//   GET  /api/v1/conversations/{id}/messages   transcript (inbound decoded + outbox with delivery status)
//   POST /api/v1/conversations/{id}/takeover|messages {text}|release|resolve
//   GET  /api/v1/media/{sha256}   GET /api/v1/reports?status=open   GET /api/v1/canned-responses
//   GET  /api/v1/events (server-sent events, one long-poll per response; EventSource reconnects)
//   GET  /api/v1/audit (admin)    POST /api/v1/admin/purge (admin)
// {id} is a conversation's opaque ref ("c...") or its wa_id. Callers: the API token (admin), a
// session token as bearer, or the session cookie plus X-CSRF-Token on state-changing requests.
#pragma once

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

#include "bot/api_handlers.hpp"
#include "bot/engine.hpp"
#include "bot/router.hpp"
#include "storage/console_store.hpp"

namespace tilang::bot {

class ConsoleRoutes;  // console_api.cpp

struct ConsoleOptions {
  std::string business_number;                    // WA_PHONE_NUMBER_ID
  std::string api_token;                          // TILANGBOT_API_TOKEN: a machine caller with the admin role
  std::chrono::seconds session_ttl{8 * 3600};     // one shift
  int max_login_failures = 5;                     // per user and per client address ...
  std::chrono::minutes failure_window{15};        // ... within this long ...
  std::chrono::minutes lockout{15};               // ... lock logins (429) for this long
  bool secure_cookie = false;                     // add `Secure` (the listener speaks HTTPS)
  // When a user's 24-hour window is closed an officer may only send an approved template.
  std::string agent_template = "petugas_tindak_lanjut";
  std::string agent_template_language = "id";
  int retention_days_messages = 0;                // 0 = keep
  int retention_days_media = 0;
  int retention_days_reports = 0;
  std::chrono::seconds first_purge_delay{5};      // soon after a start, so a restart does not postpone it
  std::chrono::minutes purge_interval{60};
  std::chrono::milliseconds event_hold{20000};    // an events request waits this long for news
  std::chrono::milliseconds poll_interval{500};   // how often the database is checked for news
};

struct ConsoleContext {
  Engine* engine = nullptr;                       // required
  std::shared_ptr<storage::ConsoleStore> store;   // required
  std::function<void()> wake_sender;              // an agent reply was enqueued
  std::function<std::int64_t()> now_ms;           // defaults to the system clock
  ConsoleOptions options;
};

class ConsoleApi {
 public:
  explicit ConsoleApi(ConsoleContext context);
  ~ConsoleApi();
  ConsoleApi(const ConsoleApi&) = delete;
  ConsoleApi& operator=(const ConsoleApi&) = delete;

  // Adds the routes. Call before install_api_routes: "/api/v1/reports" (the list) must come before
  // the back-office API's "/api/v1/reports/" prefix route.
  void install(Router& router);

  // For ApiContext::authenticate_request and ::audit, so the back-office routes admit officers.
  ApiAuth authenticate(const Request& request);
  void audit(const ApiCaller& caller, const Request& request, const std::string& action, const std::string& target,
             const std::string& detail = "");

  void start();  // the live-update and retention thread
  void stop();   // answers held event requests, joins; idempotent

  // Deletes what is older than the configured retention (files and rows); also run periodically.
  storage::PurgeCounts purge_now();

  // Tells every open console that something changed ("takeover", "message", ...; ref may be empty).
  void publish_change(const std::string& type, const std::string& ref);

  struct Waiter;

 private:
  void thread_main();
  void worker_main();
  void run_slow(std::function<void()> job);  // on the worker thread (password hashing is slow)
  void flush_waiters(bool all);

  ConsoleContext ctx_;
  std::shared_ptr<ConsoleRoutes> routes_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::int64_t last_event_id_ = 0;
  std::deque<std::pair<std::int64_t, std::string>> events_;  // (id, data JSON), the latest few
  std::vector<std::shared_ptr<Waiter>> waiters_;
  std::mutex audit_mutex_;
  std::map<std::string, std::int64_t> recent_views_;  // actor|action|target -> when last audited
  std::deque<std::function<void()>> jobs_;
  std::condition_variable jobs_cv_;
  bool started_ = false;
  std::thread thread_;
  std::thread worker_;
};

}  // namespace tilang::bot

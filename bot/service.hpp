// The running service: HTTP listener, webhook ingest with group commit, inbox parser.
// main.cpp runs it until a signal; integration tests start it in-process on port 0.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "bot/config.hpp"
#include "bot/console_api.hpp"
#include "bot/demo_sandbox.hpp"
#include "bot/engine.hpp"
#include "bot/etle_scheduler.hpp"
#include "bot/graph_api.hpp"
#include "bot/sender.hpp"
#include "bot/http_server.hpp"
#include "bot/inbox_processor.hpp"
#include "bot/metrics.hpp"
#include "bot/router.hpp"
#include "bot/signature.hpp"
#include "bot/webhook_handler.hpp"
#include "storage/inbox_writer.hpp"

namespace tilang::bot {

class Service {
 public:
  explicit Service(Config config);
  ~Service();

  // Opens storage, binds the listener and starts the worker threads. Throws on start-up failure.
  void start();
  std::uint16_t port() const;

  // Graceful stop: stop accepting, finish in-flight requests (bounded), flush storage, join threads.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(8000));

  // Blocks until SIGTERM or SIGINT, then stops gracefully.
  void run_until_signal();

  Metrics& metrics() { return metrics_; }
  Engine& engine() { return *engine_; }
  Sender& sender() { return *sender_; }
  GraphApi& graph() { return *graph_; }
  ConsoleApi& console() { return *console_; }
  const Config& config() const { return config_; }

 private:
  void install_routes();
  std::unique_ptr<GraphApi> make_graph_api();
  void load_demo();
  ConsoleContext console_context();

  Config config_;
  Metrics metrics_;
  SignatureVerifier verifier_;
  net::io_context io_;
  std::unique_ptr<storage::Store> http_store_;  // for /healthz and gauges, used on io threads
  std::mutex http_store_mutex_;
  std::unique_ptr<InboxProcessor> processor_;
  std::unique_ptr<storage::InboxWriter> writer_;  // wakes processor_, so it goes first
  std::unique_ptr<WebhookHandler> webhook_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
  DemoSandbox* sandbox_ = nullptr;        // demo mode only: graph_ is the sandbox
  std::unique_ptr<GraphApi> graph_;       // the Graph API client (or the demo sandbox)
  std::unique_ptr<Engine> engine_;        // destroyed before graph_, which it uses
  std::unique_ptr<Sender> sender_;        // delivers the outbox through graph_
  std::unique_ptr<ConsoleApi> console_;   // help-desk console API (uses engine_ and sender_)
  std::unique_ptr<EtleScheduler> etle_scheduler_;  // e-TLE reminders and expiry
  std::vector<std::thread> io_threads_;
  bool stopped_ = false;
};

}  // namespace tilang::bot

#include "bot/service.hpp"

#include <chrono>
#include <csignal>

#include "bot/log.hpp"

namespace tilang::bot {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

storage::StoreOptions store_options(const Config& config) {
  return storage::StoreOptions{config.db_path, config.db_max_page_count};
}

}  // namespace

Service::Service(Config config) : config_(std::move(config)), verifier_(config_.app_secret), router_(metrics_) {}

Service::~Service() { stop(std::chrono::milliseconds(2000)); }

void Service::start() {
  log::register_secrets(secret_values(config_));
  storage::migrate_sqlite(config_.db_path);
  http_store_ = storage::open_sqlite_store(store_options(config_));
  storage::InboxWriterOptions writer_options;
  writer_options.max_queued = config_.inbox_max_queued;
  writer_options.max_unparsed_rows = config_.inbox_max_unparsed;
  auto writer_store = store_options(config_);
  writer_store.checkpoints = false;  // acks never wait for a WAL checkpoint; the parser runs them
  writer_ = std::make_unique<storage::InboxWriter>(storage::open_sqlite_store(writer_store), writer_options,
                                                   &now_ms);
  auto parser_options = store_options(config_);
  parser_options.durable = false;  // parse results can be rebuilt from the durable inbox
  processor_ = std::make_unique<InboxProcessor>(storage::open_sqlite_store(parser_options), metrics_);
  webhook_ = std::make_unique<WebhookHandler>(config_.verify_token, verifier_, *writer_, metrics_,
                                              [this] { processor_->wake(); });
  if (config_.demo) sandbox_ = std::make_unique<DemoSandbox>();
  install_routes();

  server_ = std::make_unique<HttpServer>(io_, [this](Request&& request, Respond respond) {
    router_.handle(std::move(request), std::move(respond));
  });
  if (!config_.tls_cert.empty()) server_->enable_tls(config_.tls_cert, config_.tls_key);
  server_->listen(config_.listen_host, config_.listen_port);
  processor_->start();
  for (int i = 0; i < config_.io_threads; ++i) io_threads_.emplace_back([this] { io_.run(); });
  log::info("service_started", {{"listen", config_.listen_host + ":" + std::to_string(port())},
                                {"db", config_.db_path},
                                {"demo", config_.demo ? "true" : "false"},
                                {"tls", config_.tls_cert.empty() ? "false" : "true"}});
}

std::uint16_t Service::port() const { return server_ ? server_->port() : 0; }

void Service::install_routes() {
  router_.add(http::verb::get, "/webhook", "webhook", [this](Request&& r, Respond respond) {
    webhook_->handshake(std::move(r), std::move(respond));
  });
  router_.add(http::verb::post, "/webhook", "webhook", [this](Request&& r, Respond respond) {
    webhook_->notification(std::move(r), std::move(respond));
  });
  router_.add(http::verb::get, "/healthz", "healthz", [this](Request&& r, Respond respond) {
    bool ok;
    {
      std::lock_guard lock(http_store_mutex_);
      ok = http_store_->writable();
    }
    respond(make_response(r, ok ? http::status::ok : http::status::service_unavailable, ok ? "ok\n" : "database not writable\n"));
  });
  router_.add(http::verb::get, "/metrics", "metrics", [this](Request&& r, Respond respond) {
    respond(make_response(r, http::status::ok, metrics_.render(), "text/plain; version=0.0.4"));
  });

  if (sandbox_) {
    router_.add(http::verb::get, "/sandbox/messages", "sandbox", [this](Request&& r, Respond respond) {
      sandbox_->handle_messages(std::move(r), std::move(respond));
    });
    router_.add(http::verb::post, "/sandbox/media", "sandbox", [this](Request&& r, Respond respond) {
      sandbox_->handle_media_upload(std::move(r), std::move(respond));
    });
  }

  metrics_.gauge("tilangbot_inbox_queue_depth", "Webhook bodies waiting for the group commit.",
                 [this] { return static_cast<double>(writer_->queued()); });
  metrics_.gauge("tilangbot_inbox_unparsed", "Stored notifications not yet parsed.", [this] {
    std::lock_guard lock(http_store_mutex_);
    return static_cast<double>(http_store_->inbox_stats().unparsed);
  });
  metrics_.gauge("tilangbot_inbox_lag_seconds", "Age of the oldest unparsed notification.", [this] {
    std::lock_guard lock(http_store_mutex_);
    auto stats = http_store_->inbox_stats();
    return stats.oldest_unparsed_ms == 0 ? 0.0 : static_cast<double>(now_ms() - stats.oldest_unparsed_ms) / 1000.0;
  });
  metrics_.gauge("tilangbot_inbox_commits", "Group commits (transactions) of the inbox writer.",
                 [this] { return static_cast<double>(writer_->batches_committed()); });
}

void Service::stop(std::chrono::milliseconds grace) {
  if (stopped_ || !server_) return;
  stopped_ = true;
  server_->stop_accepting();
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (server_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  writer_->stop();  // stores what was queued (its requests are answered, or dropped with the socket)
  io_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  processor_->stop();
  log::info("service_stopped", {{"in_flight_abandoned", std::to_string(server_->in_flight())}});
}

void Service::run_until_signal() {
  net::io_context signal_io;
  net::signal_set signals(signal_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int sig) {
    log::info("signal_received", {{"signal", std::to_string(sig)}});
  });
  signal_io.run();
  stop();
}

}  // namespace tilang::bot

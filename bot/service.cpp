#include "bot/service.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <random>

#include "bot/agent_admin.hpp"
#include "bot/api_handlers.hpp"
#include "bot/clock.hpp"
#include "bot/console_handlers.hpp"
#include "bot/demo_data.hpp"
#include "bot/etle_api.hpp"
#include "bot/graph_client.hpp"
#include "bot/log.hpp"
#include "bot/working_hours.hpp"
#include "storage/engine_store.hpp"
#include "templates/catalog.hpp"

namespace tilang::bot {
namespace {

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
  auto parser_options = store_options(config_);
  parser_options.durable = false;  // parse results can be rebuilt from the durable inbox
  graph_ = make_graph_api();
  auto catalog = templates::load_catalog_or_builtin(
      config_.templates_dir.empty() ? std::nullopt : std::optional<std::filesystem::path>(config_.templates_dir));
  if (!catalog) throw std::runtime_error("message catalog: " + catalog.error);
  EngineOptions engine_options;
  engine_options.media_dir = config_.media_dir;
  if (!config_.working_hours.empty()) {
    auto hours = parse_working_hours(config_.working_hours);
    if (!hours.hours) throw std::runtime_error("TILANGBOT_WORKING_HOURS: " + hours.error);
    engine_options.officers_closed = [h = *hours.hours](std::chrono::system_clock::time_point now) {
      return officers_back_at(h, now);
    };
  }
  // Replies go out as soon as their turn is committed, not at the sender's next poll.
  engine_options.on_committed = [this] { sender_->wake(); };
  engine_ = std::make_unique<Engine>(storage::open_sqlite_engine_store(config_.db_path), *graph_,
                                     std::move(*catalog.catalog), engine_options);
  if (config_.demo) load_demo();
  SenderOptions sender_options;
  sender_options.max_mps = config_.max_mps;
  sender_ = std::make_unique<Sender>(*graph_, storage::open_sqlite_outbox(config_.db_path), sender_options, &wall_clock_ms,
                                     [rng = std::mt19937(std::random_device{}())]() mutable {
                                       return std::uniform_real_distribution<double>(0, 1)(rng);
                                     });
  etle_scheduler_ = std::make_unique<EtleScheduler>(storage::open_sqlite_etle_store(config_.db_path),
                                                    etle_template_config(config_), etle_scheduler_options(config_),
                                                    &wall_clock_ms, [this] { sender_->wake(); });
  console_ = std::make_unique<ConsoleApi>(console_context());
  processor_ = std::make_unique<InboxProcessor>(storage::open_sqlite_store(parser_options), metrics_,
                                                [this] { engine_->wake(); });
  storage::InboxWriterOptions writer_options;
  writer_options.max_queued = config_.inbox_max_queued;
  writer_options.max_unparsed_rows = config_.inbox_max_unparsed;
  auto writer_store = store_options(config_);
  writer_store.checkpoints = false;  // acks never wait for a WAL checkpoint; the parser runs them
  writer_ = std::make_unique<storage::InboxWriter>(storage::open_sqlite_store(writer_store), writer_options,
                                                   &wall_clock_ms, [this] { processor_->wake(); });
  webhook_ = std::make_unique<WebhookHandler>(config_.verify_token, verifier_, *writer_, metrics_);
  install_routes();

  server_ = std::make_unique<HttpServer>(io_, [this](Request&& request, Respond respond) {
    router_.handle(std::move(request), std::move(respond));
  });
  if (!config_.tls_cert.empty()) server_->enable_tls(config_.tls_cert, config_.tls_key);
  server_->listen(config_.listen_host, config_.listen_port);
  processor_->start();
  engine_->start();
  sender_->start();
  console_->start();
  etle_scheduler_->start();
  for (int i = 0; i < config_.io_threads; ++i) io_threads_.emplace_back([this] { io_.run(); });
  log::info("service_started", {{"listen", config_.listen_host + ":" + std::to_string(port())},
                                {"db", config_.db_path},
                                {"demo", config_.demo ? "true" : "false"},
                                {"tls", config_.tls_cert.empty() ? "false" : "true"}});
}

std::uint16_t Service::port() const { return server_ ? server_->port() : 0; }

std::unique_ptr<GraphApi> Service::make_graph_api() {
  if (config_.demo) {
    auto sandbox = std::make_unique<DemoSandbox>();
    sandbox_ = sandbox.get();
    return sandbox;
  }
  GraphClientOptions options;
  options.base_url = config_.graph_url;
  options.api_version = config_.api_version;
  options.access_token = config_.access_token;
  if (auto problem = check_graph_options(options); !problem.empty()) throw std::runtime_error(problem);
  return std::make_unique<GraphClient>(options);
}

ConsoleContext Service::console_context() {
  ConsoleContext ctx;
  ctx.engine = engine_.get();
  ctx.store = std::make_shared<storage::ConsoleStore>(config_.db_path);
  ctx.wake_sender = [this] { sender_->wake(); };
  ctx.options.business_number = config_.phone_number_id;
  ctx.options.api_token = config_.api_token;
  ctx.options.session_ttl = std::chrono::seconds(config_.session_ttl_seconds);
  ctx.options.secure_cookie = !config_.tls_cert.empty();
  ctx.options.agent_template = config_.agent_template;
  ctx.options.retention_days_messages = config_.retention_days_messages;
  ctx.options.retention_days_media = config_.retention_days_media;
  ctx.options.retention_days_reports = config_.retention_days_reports;
  ctx.options.first_purge_delay = std::chrono::seconds(config_.first_purge_delay_seconds);
  return ctx;
}

void Service::load_demo() {
  auto summary = engine_->with_store([&](storage::EngineStore& store) {
    return load_demo_data(store, config_.phone_number_id, std::chrono::system_clock::now());
  });
  if (!summary.error.empty()) throw std::runtime_error("demo data: " + summary.error);
  const bool created = ensure_demo_agent(config_.db_path);
  log::info("demo_console_login", {{"url", "/console"},
                                   {"username", demo_console_user},
                                   {"password", demo_console_password},
                                   {"role", "supervisor"},
                                   {"created", created ? "true" : "false"}});
}

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

  // Console routes first: its "/api/v1/reports" list precedes the API's "/api/v1/reports/" prefix.
  console_->install(router_);
  install_console_routes(router_);
  ApiContext api;
  api.engine = engine_.get();
  api.api_token = config_.api_token;
  api.business_number = config_.phone_number_id;
  api.authenticate_request = [this](const Request& r) { return console_->authenticate(r); };
  api.audit = [this](const ApiCaller& caller, const Request& r, const std::string& action, const std::string& target) {
    console_->audit(caller, r, action, target);
  };
  install_api_routes(router_, std::move(api));
  install_etle_routes(router_, EtleApiContext{config_.db_path, config_.api_token, {},
                                              etle_import_options(config_), [this] { sender_->wake(); }, {}});
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
    return static_cast<double>(http_store_->unparsed_count());
  });
  metrics_.gauge("tilangbot_messages_unhandled", "Parsed inbound messages the engine has not answered yet.", [this] {
    std::lock_guard lock(http_store_mutex_);
    return static_cast<double>(http_store_->unhandled_messages());
  });
  metrics_.gauge("tilangbot_inbox_lag_seconds", "Age of the oldest unparsed notification.", [this] {
    std::lock_guard lock(http_store_mutex_);
    const std::int64_t oldest = http_store_->oldest_unparsed_ms();
    return oldest == 0 ? 0.0 : static_cast<double>(wall_clock_ms() - oldest) / 1000.0;
  });
  auto sender_gauge = [this](const char* name, const char* help, auto field) {
    metrics_.gauge(name, help, [this, field] { return static_cast<double>(sender_->stats().*field); });
  };
  sender_gauge("tilangbot_outbox_accepted_total", "Outbound messages Meta accepted.", &SenderStats::accepted);
  sender_gauge("tilangbot_outbox_failed_total", "Outbound messages failed by a send answer.", &SenderStats::failed);
  sender_gauge("tilangbot_outbox_failed_by_webhook_total", "Accepted messages a failed status turned failed.",
               &SenderStats::failed_by_webhook);
  sender_gauge("tilangbot_outbox_retries_total", "Sends scheduled for another attempt.", &SenderStats::retries);
  sender_gauge("tilangbot_outbox_ambiguous_total", "Sends without an answer (timeouts, dropped connections).",
               &SenderStats::ambiguous);
  sender_gauge("tilangbot_outbox_fallbacks_total", "Templates sent because the 24-hour window was closed.",
               &SenderStats::fallbacks);
  sender_gauge("tilangbot_outbox_window_closed_no_template_total",
               "Messages refused by the closed 24-hour window with no template: officers must act.",
               &SenderStats::window_closed_no_template);
  sender_gauge("tilangbot_outbox_in_flight", "Outbound messages being sent now.", &SenderStats::in_flight);
  metrics_.gauge("tilangbot_outbox_paused_for_token", "1 when the access token was refused (190): ALERT.",
                 [this] { return sender_->stats().paused_for_token ? 1.0 : 0.0; });

  metrics_.gauge("tilangbot_inbox_commits", "Group commits (transactions) of the inbox writer.",
                 [this] { return static_cast<double>(writer_->batches_committed()); });
}

void Service::stop(std::chrono::milliseconds grace) {
  if (stopped_ || !server_) return;
  stopped_ = true;
  server_->stop_accepting();
  console_->stop();  // answers the held live-update requests, so the drain below is not kept waiting
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (server_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  writer_->stop();  // stores what was queued (its requests are answered, or dropped with the socket)
  io_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  processor_->stop();
  engine_->stop();
  etle_scheduler_->stop();
  sender_->stop();  // finishes sends in flight; unsent rows stay queued for the next start
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

#include "tests/support/service_harness.hpp"

#include <thread>

namespace tilang::test {

bot::Config test_config(const TempDir& dir) {
  bot::Config config;
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.db_path = dir.file("tilangbot.db");
  config.media_dir = dir.file("media");
  config.app_secret = test_secret;
  config.verify_token = test_verify_token;
  config.access_token = "test-access-token";
  config.phone_number_id = "106540352242922";
  config.graph_url = "http://127.0.0.1:9";  // nothing listens there unless a test sets a fake
  config.io_threads = 2;
  return config;
}

ServiceHarness::ServiceHarness(std::function<void(bot::Config&)> adjust) : config_(test_config(dir_)) {
  if (adjust) adjust(config_);
  service_ = std::make_unique<bot::Service>(config_);
  service_->start();
}

ServiceHarness::~ServiceHarness() { stop(); }

void ServiceHarness::stop() {
  if (service_) service_->stop();
  service_.reset();
}

void ServiceHarness::restart(const std::function<void(bot::Config&)>& adjust) {
  stop();
  if (adjust) adjust(config_);
  service_ = std::make_unique<bot::Service>(config_);
  service_->start();
}

std::unique_ptr<storage::Store> ServiceHarness::open_store() const {
  return storage::open_sqlite_store({config_.db_path, 0});
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace tilang::test

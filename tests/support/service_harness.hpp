// Starts the real service in-process on 127.0.0.1:0 with its own temporary database.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "bot/service.hpp"
#include "storage/store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace tilang::test {

inline constexpr const char* test_secret = "test-app-secret";
inline constexpr const char* test_verify_token = "test-verify-token";

bot::Config test_config(const TempDir& dir);

class ServiceHarness {
 public:
  explicit ServiceHarness(std::function<void(bot::Config&)> adjust = {});
  ~ServiceHarness();

  // Graceful stop, then start again on the same database (new port), the configuration adjusted.
  void restart(const std::function<void(bot::Config&)>& adjust = {});
  void stop();

  HttpClient client() const { return HttpClient("127.0.0.1", service_->port()); }
  bot::Service& service() { return *service_; }
  const bot::Config& config() const { return config_; }
  const TempDir& dir() const { return dir_; }

  // A separate connection to the same database, for assertions.
  std::unique_ptr<storage::Store> open_store() const;

 private:
  TempDir dir_;
  bot::Config config_;
  std::unique_ptr<bot::Service> service_;
};

// Polls `condition` until it holds or `timeout` passes; returns whether it held. The default is
// generous because the sanitizer build runs several times slower; it only matters on failure.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));

}  // namespace tilang::test

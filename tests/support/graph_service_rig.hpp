// The real service in-process, pointed at a fake Graph API on loopback, with the steps most service
// tests repeat: demo data, a user's signed message, waiting until the engine handled it, and
// one-value queries on the service's database. Header-only and free of Catch2 because the browser
// fixture (which compiles only some support files and has no test runner) uses it too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bot/demo_data.hpp"
#include "storage/sqlite.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/service_harness.hpp"
#include "tests/support/user_messages.hpp"

namespace tilang::test {

inline constexpr const char* test_access_token = "test-access-token";
inline constexpr const char* test_api_token = "test-api-token";

// The first column of the first row of `sql` on `db_path`; -1 when there is no row.
inline std::int64_t query_int(const std::string& db_path, const std::string& sql) {
  storage::sqlite::Connection db(db_path);
  return db.query_int(sql).value_or(-1);
}

// The first column of the first row of `sql` on `db_path`; `none` when there is no row.
inline std::string query_text(const std::string& db_path, const std::string& sql,
                              const std::string& none = "<none>") {
  storage::sqlite::Connection db(db_path);
  auto statement = db.prepare(sql);
  auto use = statement.use();
  return use->step() == storage::sqlite::Step::row ? use->column_text(0) : none;
}

struct RigTokens {
  std::string access_token = test_access_token;  // what the fake Graph API accepts
  std::string api_token = test_api_token;        // the back-office API's bearer token
};

class GraphServiceRig {
 public:
  // `adjust` runs after the rig set the Graph URL and the tokens, so it may override them.
  explicit GraphServiceRig(const std::function<void(bot::Config&)>& adjust = {}, const RigTokens& tokens = {})
      : graph_(start_graph(tokens.access_token)), harness_([&](bot::Config& c) {
          c.graph_url = graph_->base_url();
          c.api_token = tokens.api_token;
          c.access_token = tokens.access_token;
          if (adjust) adjust(c);
        }) {}

  FakeGraphApi& graph() { return *graph_; }
  ServiceHarness& harness() { return harness_; }
  const ServiceHarness& harness() const { return harness_; }
  bot::Engine& engine() { return harness_.service().engine(); }
  const std::string& db_path() const { return harness_.config().db_path; }

  // Loads the demo fines, slots and tariffs through the engine; returns the error ("" when none).
  std::string load_demo_data() {
    return engine().with_store([](storage::EngineStore& store) {
      return bot::load_demo_data(store, test_business, std::chrono::system_clock::now()).error;
    });
  }

  // `prefix` followed by a number no earlier call of this rig returned.
  std::string next_wamid(const std::string& prefix) { return prefix + std::to_string(++wamids_); }

  // Posts a notification signed with the app secret; returns the HTTP status (0: no answer).
  int post_signed(const std::string& notification) {
    return harness_.client().post_webhook(notification, test_secret).status;
  }

  // Waits until the service's engine has handled the stored message `wamid`.
  bool wait_handled(const std::string& wamid) const {
    return eventually([&] {
      return query_int("SELECT count(*) FROM inbound_messages WHERE handled = 1 AND wamid = '" + wamid + "'") == 1;
    });
  }

  std::int64_t query_int(const std::string& sql) const { return test::query_int(db_path(), sql); }
  std::string query_text(const std::string& sql) const { return test::query_text(db_path(), sql); }

 private:
  static std::unique_ptr<FakeGraphApi> start_graph(const std::string& access_token) {
    auto graph = std::make_unique<FakeGraphApi>(FakeGraphOptions{access_token, ""});
    graph->start();
    return graph;
  }

  // Declared before harness_: the service is built pointing at the running fake.
  std::unique_ptr<FakeGraphApi> graph_;
  ServiceHarness harness_;
  int wamids_ = 0;
};

}  // namespace tilang::test

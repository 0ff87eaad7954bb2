#include <catch2/catch.hpp>

#include <map>

#include "bot/config.hpp"

using namespace tilang::bot;

namespace {
EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}
const std::map<std::string, std::string> complete{{"WA_APP_SECRET", "s3cret"},
                                                   {"WA_VERIFY_TOKEN", "verify"},
                                                   {"WA_ACCESS_TOKEN", "token"},
                                                   {"WA_PHONE_NUMBER_ID", "123"}};
}  // namespace

TEST_CASE("config: defaults of the contract", "[config]") {
  auto result = load_config(env_of(complete), false);
  REQUIRE(result.config);
  const auto& c = *result.config;
  CHECK(c.listen_host == "127.0.0.1");
  CHECK(c.listen_port == 8080);
  CHECK(c.db_path == "var/tilangbot.db");
  CHECK(c.media_dir == "var/media");
  CHECK(c.graph_url == "https://graph.facebook.com");
  CHECK(c.api_version == "v25.0");
  CHECK(c.max_mps == 80);
  CHECK(c.api_token.empty());
}

TEST_CASE("config: each missing required variable is named", "[config]") {
  for (const char* name : {"WA_APP_SECRET", "WA_VERIFY_TOKEN", "WA_ACCESS_TOKEN", "WA_PHONE_NUMBER_ID"}) {
    auto values = complete;
    values.erase(name);
    auto result = load_config(env_of(values), false);
    CHECK_FALSE(result.config);
    CHECK(result.error.find(name) != std::string::npos);
  }
}

TEST_CASE("config: demo mode fills the demo secrets", "[config]") {
  auto result = load_config(env_of({}), true);
  REQUIRE(result.config);
  CHECK(result.config->app_secret == "demo-secret");
  CHECK(result.config->verify_token == "demo-verify");
  CHECK(result.config->access_token == "demo-token");
  CHECK(result.config->phone_number_id == "100000000000001");
}

TEST_CASE("config: values are parsed and bad ones refused with a reason", "[config]") {
  auto values = complete;
  values["TILANGBOT_LISTEN"] = "0.0.0.0:9000";
  values["WA_GRAPH_URL"] = "http://127.0.0.1:5000/";
  values["WA_MAX_MPS"] = "1000";
  auto ok = load_config(env_of(values), false);
  REQUIRE(ok.config);
  CHECK(ok.config->listen_host == "0.0.0.0");
  CHECK(ok.config->listen_port == 9000);
  CHECK(ok.config->graph_url == "http://127.0.0.1:5000");
  CHECK(ok.config->max_mps == 1000);

  for (auto [name, bad] : std::map<std::string, std::string>{{"TILANGBOT_LISTEN", "nocolon"},
                                                             {"WA_MAX_MPS", "-3"},
                                                             {"WA_GRAPH_URL", "ftp://x"},
                                                             {"TILANGBOT_TLS_CERT", "cert.pem"}}) {
    auto v = complete;
    v[name] = bad;
    auto result = load_config(env_of(v), false);
    CHECK_FALSE(result.config);
    CHECK(result.error.find(name) != std::string::npos);
  }
}

// JSON calls to the service's HTTP API from integration tests. Uses Catch2 (a request that gets no
// answer at all fails the test), so only test files include it, never the browser fixture or drills.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "tests/support/service_harness.hpp"

namespace tilang::test {

struct ApiAnswer {
  int status = 0;
  nlohmann::json body;  // discarded (is_discarded()) when the answer is not JSON
  std::map<std::string, std::string> headers;
};

// `headers` may override the JSON Content-Type.
inline ApiAnswer api_call(const ServiceHarness& harness, const std::string& method, const std::string& target,
                          const std::string& body = "", std::map<std::string, std::string> headers = {}) {
  headers.emplace("Content-Type", "application/json");
  auto res = harness.client().request(method, target, body, headers);
  REQUIRE(res.status != 0);
  return {res.status, nlohmann::json::parse(res.body, nullptr, false), res.headers};
}

// With `Authorization: Bearer <token>` (no Authorization header when `token` is empty).
inline std::pair<int, nlohmann::json> bearer_call(const ServiceHarness& harness, const std::string& method,
                                                  const std::string& target, const std::string& body,
                                                  const std::string& token) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  auto answer = api_call(harness, method, target, body, std::move(headers));
  return {answer.status, std::move(answer.body)};
}

}  // namespace tilang::test

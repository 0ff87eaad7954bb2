#include <catch2/catch.hpp>

#include <stdexcept>

#include "bot/api_common.hpp"

using namespace tilang;
using namespace tilang::bot;

namespace {

Request get(const std::string& target) {
  Request request{http::verb::get, target, 11};
  request.keep_alive(true);
  return request;
}

}  // namespace

TEST_CASE("api guard: 401 asks for a bearer token, 403 does not", "[api]") {
  const Request request = get("/api/v1/payments");
  const Response unauthenticated = api::refused(request, 401, "missing or invalid bearer token");
  CHECK(unauthenticated.result() == http::status::unauthorized);
  CHECK(unauthenticated[http::field::www_authenticate] == "Bearer");
  CHECK(unauthenticated.body().find("missing or invalid bearer token") != std::string::npos);

  const Response forbidden = api::refused(request, 403, "missing or wrong X-CSRF-Token");
  CHECK(forbidden.result() == http::status::forbidden);
  CHECK(forbidden[http::field::www_authenticate].empty());
}

TEST_CASE("api guard: a missing role is named in the 403", "[api]") {
  const Response response = api::needs_role(get("/api/v1/audit"), Role::admin);
  CHECK(response.result() == http::status::forbidden);
  CHECK(response.body().find("this needs the role admin") != std::string::npos);
}

TEST_CASE("api guard: a handler that throws answers 500 once, a normal one answers as it says", "[api]") {
  const Request request = get("/api/v1/fines?nik=3171234567890123");
  std::vector<Response> answers;
  const Respond respond = [&](Response response) { answers.push_back(std::move(response)); };

  api::answer_or_500(request, respond, "test_failed", [&]() -> Response { throw std::runtime_error("database gone"); });
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].result() == http::status::internal_server_error);
  // The cause goes to the log only; the caller learns nothing about the internals.
  CHECK(answers[0].body().find("database gone") == std::string::npos);

  api::answer_or_500(request, respond, "test_failed",
                     [&] { return api::json_response(request, http::status::ok, {{"ok", true}}); });
  REQUIRE(answers.size() == 2);
  CHECK(answers[1].result() == http::status::ok);
}

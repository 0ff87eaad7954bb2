// Small helpers shared by the JSON API handlers (back office, console, e-TLE).
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/http_types.hpp"
#include "bot/privacy.hpp"

namespace tilang::bot::api {

Response json_response(const Request& request, http::status status, const nlohmann::json& body);
// {"error": message} with the given status.
Response error_response(const Request& request, http::status status, const std::string& message);

// The value of `name` in the query string (no percent-decoding needed for the values used here).
std::string query_param(std::string_view target, std::string_view name);

// Path segments after `prefix` ("/api/v1/payments/12/verify" -> {"12", "verify"}).
std::vector<std::string> segments_after(std::string_view path, std::string_view prefix);

// An optional JSON object body: an empty body is {}, anything else must be an object.
std::optional<nlohmann::json> object_body(const Request& request);
// j[name] when it is a string, else "".
std::string string_field(const nlohmann::json& j, const char* name);

// Constant-time comparison of two secrets (tokens).
bool same_secret(std::string_view a, std::string_view b);

// --- guarding a handler: authentication, role, and no exception escaping ---------------------

// A failed authentication: 401 (asking for a bearer token) or 403, with `message`.
Response refused(const Request& request, int status, const std::string& message);
// 403 naming the role the action needs.
Response needs_role(const Request& request, Role need);

// Logs `event` with the request's path and `what`, and answers 500.
void answer_internal_error(const Request& request, const Respond& respond, std::string_view event, const char* what);

// Answers with what `produce()` returns; if it throws, answers 500 instead (logged as `event`), so
// one bad request never takes a route down.
template <class Produce>
void answer_or_500(const Request& request, const Respond& respond, std::string_view event, Produce&& produce) {
  try {
    respond(produce());
  } catch (const std::exception& e) {
    answer_internal_error(request, respond, event, e.what());
  }
}

}  // namespace tilang::bot::api

// Small helpers shared by the JSON API handlers (back office, console, e-TLE).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/http_types.hpp"

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

}  // namespace tilang::bot::api

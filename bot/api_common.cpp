#include "bot/api_common.hpp"

#include <openssl/crypto.h>

#include "bot/log.hpp"
#include "bot/router.hpp"

namespace tilang::bot::api {

using nlohmann::json;

Response json_response(const Request& request, http::status status, const json& body) {
  return make_response(request, status, body.dump() + "\n", "application/json");
}

Response error_response(const Request& request, http::status status, const std::string& message) {
  return json_response(request, status, json{{"error", message}});
}

std::string query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::vector<std::string> segments_after(std::string_view path, std::string_view prefix) {
  std::vector<std::string> out;
  if (path.size() <= prefix.size()) return out;
  std::string_view rest = path.substr(prefix.size());
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    if (slash != 0) out.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

std::optional<json> object_body(const Request& request) {
  if (request.body().empty()) return json::object();
  json j = json::parse(request.body(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string string_field(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Response refused(const Request& request, int status, const std::string& message) {
  auto response = error_response(request, static_cast<http::status>(status), message);
  if (status == 401) response.set(http::field::www_authenticate, "Bearer");
  return response;
}

Response needs_role(const Request& request, Role need) {
  return error_response(request, http::status::forbidden, std::string("this needs the role ") + to_string(need));
}

void answer_internal_error(const Request& request, const Respond& respond, std::string_view event, const char* what) {
  log::error(event, {{"target", std::string(target_path(request.target()))}, {"error", what}});
  respond(error_response(request, http::status::internal_server_error, "internal error"));
}

}  // namespace tilang::bot::api

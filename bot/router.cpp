#include "bot/router.hpp"

namespace tilang::bot {

std::string_view target_path(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

void Router::add(http::verb method, std::string path, std::string route_name, Handler handler) {
  routes_.push_back({method, std::move(path), std::move(route_name), std::move(handler)});
}

void Router::handle(Request&& request, Respond respond) const {
  std::string_view path = target_path(request.target());
  bool path_known = false;
  for (const auto& route : routes_) {
    bool prefix = !route.path.empty() && route.path.back() == '/';
    bool matches = prefix ? path.substr(0, route.path.size()) == route.path || path == route.path.substr(0, route.path.size() - 1)
                          : path == route.path;
    if (!matches) continue;
    path_known = true;
    if (route.method != request.method()) continue;
    auto counted = [this, name = route.name, respond = std::move(respond)](Response response) {
      metrics_.count_request(name, response.result_int());
      respond(std::move(response));
    };
    route.handler(std::move(request), std::move(counted));
    return;
  }
  auto status = path_known ? http::status::method_not_allowed : http::status::not_found;
  auto response = make_response(request, status, path_known ? "method not allowed\n" : "not found\n");
  metrics_.count_request("other", response.result_int());
  respond(std::move(response));
}

}  // namespace tilang::bot

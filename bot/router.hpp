// Maps method + path to a handler and counts every answer by route and status code.
#pragma once

#include <string>
#include <vector>

#include "bot/http_types.hpp"
#include "bot/metrics.hpp"

namespace tilang::bot {

class Router {
 public:
  explicit Router(Metrics& metrics) : metrics_(metrics) {}

  // `path` matches exactly, or as a prefix when it ends with '/'.
  void add(http::verb method, std::string path, std::string route_name, Handler handler);

  void handle(Request&& request, Respond respond) const;

 private:
  struct Route {
    http::verb method;
    std::string path;
    std::string name;
    Handler handler;
  };
  Metrics& metrics_;
  std::vector<Route> routes_;
};

// The path of a request target, without the query string.
std::string_view target_path(std::string_view target);

}  // namespace tilang::bot

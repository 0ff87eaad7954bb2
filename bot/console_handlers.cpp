#include "bot/console_handlers.hpp"

#include <string>

namespace tilang::bot {
namespace {

std::string_view content_type_of(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

const std::string_view* find_file(std::string_view relative) {
  for (const auto& [path, content] : builtin_console_files()) {
    if (path == relative) return &content;
  }
  return nullptr;
}

}  // namespace

void install_console_routes(Router& router) {
  router.add(http::verb::get, "/console/", "console", [](Request&& r, Respond respond) {
    std::string_view path = target_path(r.target());
    std::string_view relative = path.size() > 9 ? path.substr(9) : std::string_view();  // after "/console/"
    if (relative.empty()) relative = "index.html";
    const std::string_view* content = relative.find("..") == std::string_view::npos ? find_file(relative) : nullptr;
    if (content == nullptr) {
      respond(make_response(r, http::status::not_found, "not found\n"));
      return;
    }
    auto res = make_response(r, http::status::ok, std::string(*content), content_type_of(relative));
    // Everything the page needs comes from here; no inline script, no framing, no referrer leaks.
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self';"
            " frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set(http::field::cache_control, "no-cache");
    respond(std::move(res));
  });
}

}  // namespace tilang::bot

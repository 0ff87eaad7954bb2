// Request/response types shared by the listener, the router and the handlers.
#pragma once

#include <functional>
#include <string_view>

#include "bot/net.hpp"

namespace tilang::bot {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
// Handlers answer through this, exactly once, from any thread (e.g. after a group commit).
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&& request, Respond respond)>;

// The TCP peer's address, set on every request by the listener (a copy sent by the client is
// removed first, so handlers can trust it). X-Forwarded-For is only as good as the proxy that set it.
inline constexpr std::string_view peer_address_field = "X-Tilangbot-Peer-Address";

Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");

}  // namespace tilang::bot

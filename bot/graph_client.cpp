#include "bot/graph_client.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include "bot/net.hpp"
#include "bot/send_error_class.hpp"

namespace tilang::bot {
namespace {

namespace ssl = net::ssl;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

// Where requests go: scheme, host and port, plus any path prefix of WA_GRAPH_URL.
struct Endpoint {
  bool tls = true;
  std::string host;         // for connect, SNI and certificate checks (no brackets for IPv6)
  std::string port;
  std::string host_header;  // as written in the URL (with brackets and port if any)
  std::string target;       // path (and query) of this URL; for the base: the prefix without '/'
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

// Parses an absolute http(s) URL; plain http only to loopback. Empty optional: `error` says why.
std::optional<Endpoint> parse_endpoint(const std::string& url, std::string& error) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    error = "not an absolute URL: " + url;
    return std::nullopt;
  }
  Endpoint e;
  const std::string scheme(parsed->scheme());
  if (scheme == "https") {
    e.tls = true;
  } else if (scheme == "http") {
    e.tls = false;
  } else {
    error = "URL scheme must be http or https: " + url;
    return std::nullopt;
  }
  e.host = parsed->host_address();
  if (e.host.empty()) {
    error = "URL has no host: " + url;
    return std::nullopt;
  }
  // Tokens must never travel in clear text beyond this machine.
  if (!e.tls && !is_loopback_host(e.host)) {
    error = "http:// is allowed only for loopback hosts (use https): " + url;
    return std::nullopt;
  }
  e.port = parsed->has_port() && !parsed->port().empty() ? std::string(parsed->port()) : (e.tls ? "443" : "80");
  e.host_header = std::string(parsed->encoded_host_and_port());
  e.target = std::string(parsed->encoded_target());
  return e;
}

// One keep-alive connection with its own io_context: blocking calls run its async operations
// to completion, so every step has a deadline (tcp_stream's timer) even though callers block.
struct Connection {
  net::io_context io{1};
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  Clock::time_point last_used = Clock::now();

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // A pooled connection the server closed (or wrote to) while idle must not carry a request.
  bool stale(std::chrono::milliseconds idle_timeout) {
    if (Clock::now() - last_used > idle_timeout) return true;
    auto& socket = lowest().socket();
    if (!socket.is_open()) return true;
    char byte;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return true;  // EOF (0) or unexpected bytes
    return errno != EAGAIN && errno != EWOULDBLOCK;
  }
};

// Runs the io_context until the operation started by `start` completes.
template <class Start>
beast::error_code run_op(Connection& c, Start&& start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  c.io.restart();
  c.io.run();
  return result;
}

enum class Stage { ok, connect, write, read };

struct Exchange {
  Stage failed_at = Stage::ok;
  beast::error_code ec;
  http::response<http::string_body> response;
};

std::string describe(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timeout";
  return ec.message();
}

bool parse_size(const json& value, std::size_t& out) {
  if (value.is_number_unsigned()) {
    out = value.get<std::size_t>();
    return true;
  }
  if (value.is_string()) {
    try {
      out = static_cast<std::size_t>(std::stoull(value.get<std::string>()));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  return false;
}

}  // namespace

std::string check_graph_options(const GraphClientOptions& options) {
  std::string error;
  const auto endpoint = parse_endpoint(options.base_url, error);
  if (!endpoint) return "WA_GRAPH_URL: " + error;
  if (endpoint->target.find('?') != std::string::npos) return "WA_GRAPH_URL must not carry a query";
  if (options.api_version.empty() || options.api_version.find('/') != std::string::npos) {
    return "WA_API_VERSION must be one path segment such as v25.0";
  }
  if (options.access_token.empty()) return "WA_ACCESS_TOKEN is empty";
  if (options.user_agent.empty()) return "the Graph API client needs a User-Agent";
  if (options.pool_size == 0) return "the connection pool size must be at least 1";
  if (options.connect_timeout.count() <= 0 || options.write_timeout.count() <= 0 ||
      options.read_timeout.count() <= 0 || options.media_timeout.count() <= 0) {
    return "Graph API deadlines must be positive";
  }
  return {};
}

struct GraphClient::Impl {
  GraphClientOptions options;
  Endpoint base;
  std::string prefix;  // base path without a trailing '/'
  ssl::context tls{ssl::context::tls_client};

  mutable std::mutex mutex;  // guards the pool, the token and the counter
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
  std::string token;
  std::size_t opened = 0;

  explicit Impl(GraphClientOptions o) : options(std::move(o)) {
    if (std::string why = check_graph_options(options); !why.empty()) throw std::invalid_argument(why);
    std::string error;
    base = *parse_endpoint(options.base_url, error);
    prefix = base.target;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    token = options.access_token;
    tls.set_default_verify_paths();
    if (!options.ca_file.empty()) tls.load_verify_file(options.ca_file);
    tls.set_verify_mode(ssl::verify_peer);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  }

  std::string bearer() const {
    std::lock_guard lock(mutex);
    return "Bearer " + token;
  }

  std::unique_ptr<Connection> take_idle(const Endpoint& e) {
    std::lock_guard lock(mutex);
    auto& list = idle[e.key()];
    while (!list.empty()) {
      auto c = std::move(list.back());
      list.pop_back();
      if (!c->stale(options.idle_timeout)) return c;
    }
    return nullptr;
  }

  void give_back(const Endpoint& e, std::unique_ptr<Connection> c) {
    c->last_used = Clock::now();
    std::lock_guard lock(mutex);
    auto& list = idle[e.key()];
    if (list.size() < options.pool_size) list.push_back(std::move(c));
  }

  // Resolve, connect and (for https) handshake with SNI and host-name verification.
  std::unique_ptr<Connection> connect(const Endpoint& e, beast::error_code& ec) {
    auto c = std::make_unique<Connection>();
    std::vector<tcp::endpoint> endpoints;
    beast::error_code literal_ec;
    const auto literal = net::ip::make_address(e.host, literal_ec);
    if (!literal_ec) {
      endpoints.emplace_back(literal, static_cast<unsigned short>(std::stoi(e.port)));
    } else {
      tcp::resolver resolver(c->io);
      // The resolver has no stream timer: a steady_timer cancels a slow lookup.
      net::steady_timer timer(c->io, options.connect_timeout);
      timer.async_wait([&resolver](beast::error_code timer_ec) {
        if (!timer_ec) resolver.cancel();
      });
      ec = run_op(*c, [&](auto handler) {
        resolver.async_resolve(e.host, e.port,
                               [&timer, &endpoints, handler](beast::error_code rec, tcp::resolver::results_type r) {
                                 timer.cancel();
                                 for (const auto& entry : r) endpoints.push_back(entry.endpoint());
                                 handler(rec);
                               });
      });
      if (ec) return nullptr;
    }
    if (e.tls) {
      c->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(c->io, tls);
    } else {
      c->plain = std::make_unique<beast::tcp_stream>(c->io);
    }
    c->lowest().expires_after(options.connect_timeout);
    ec = run_op(*c, [&](auto handler) {
      c->lowest().async_connect(endpoints, [handler](beast::error_code cec, const tcp::endpoint&) { handler(cec); });
    });
    if (ec) return nullptr;
    c->lowest().socket().set_option(tcp::no_delay(true), ec);
    {
      std::lock_guard lock(mutex);
      ++opened;
    }
    if (e.tls) {
      if (!SSL_set_tlsext_host_name(c->secure->native_handle(), e.host.c_str())) {
        ec = beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
        return nullptr;
      }
      c->secure->set_verify_mode(ssl::verify_peer);
      c->secure->set_verify_callback(ssl::host_name_verification(e.host));
      c->lowest().expires_after(options.connect_timeout);
      ec = run_op(*c, [&](auto handler) { c->secure->async_handshake(ssl::stream_base::client, handler); });
      if (ec) return nullptr;
    }
    return c;
  }

  template <class Op>
  beast::error_code io_step(Connection& c, std::chrono::milliseconds deadline, Op&& op) {
    c.lowest().expires_after(deadline);
    return run_op(c, [&](auto handler) {
      if (c.secure) {
        op(*c.secure, handler);
      } else {
        op(*c.plain, handler);
      }
    });
  }

  // One request and its answer over a pooled (or new) connection.
  Exchange exchange(const Endpoint& e, http::request<http::string_body>& request, std::size_t body_limit,
                    std::chrono::milliseconds read_deadline) {
    Exchange result;
    // A pooled connection can die between the staleness check and the write; a write that fails
    // never delivered a complete request, so one fresh connection may carry it again.
    for (int round = 0; round < 2; ++round) {
      std::unique_ptr<Connection> c = round == 0 ? take_idle(e) : nullptr;
      const bool reused = c != nullptr;
      if (!c) {
        c = connect(e, result.ec);
        if (!c) {
          result.failed_at = Stage::connect;
          return result;
        }
      }
      result.ec = io_step(*c, options.write_timeout, [&](auto& stream, auto handler) {
        http::async_write(stream, request, handler);
      });
      if (result.ec) {
        result.failed_at = Stage::write;
        if (reused) continue;
        return result;
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(body_limit);
      parser.header_limit(64 * 1024);
      result.ec = io_step(*c, read_deadline, [&](auto& stream, auto handler) {
        http::async_read(stream, c->buffer, parser, handler);
      });
      if (result.ec) {
        result.failed_at = Stage::read;
        return result;
      }
      result.failed_at = Stage::ok;
      result.response = parser.release();
      if (result.response.keep_alive() && !result.response.need_eof()) give_back(e, std::move(c));
      return result;
    }
    return result;
  }

  http::request<http::string_body> make_request(http::verb verb, const Endpoint& e, std::string target) {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, e.host_header);
    request.set(http::field::user_agent, options.user_agent);
    request.set(http::field::authorization, bearer());
    request.keep_alive(true);
    return request;
  }

  // Meta's error object into the result; false when the body is not a Graph error.
  static bool read_graph_error(const std::string& body, int& code, int& subcode, std::string& message,
                               std::string& details) {
    const json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("error") || !parsed["error"].is_object()) {
      return false;
    }
    const json& error = parsed["error"];
    code = error.value("code", 0);
    subcode = error.value("error_subcode", 0);
    message = error.value("message", std::string());
    if (error.contains("error_data") && error["error_data"].is_object()) {
      details = error["error_data"].value("details", std::string());
    }
    return true;
  }
};

GraphClient::GraphClient(GraphClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

GraphClient::~GraphClient() = default;

void GraphClient::set_access_token(std::string token) {
  std::lock_guard lock(impl_->mutex);
  impl_->token = std::move(token);
}

std::size_t GraphClient::connections_opened() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->opened;
}

SendResult GraphClient::send_message(const std::string& phone_number_id, const std::string& body_json) {
  Impl& impl = *impl_;
  auto request = impl.make_request(http::verb::post, impl.base,
                                   impl.prefix + "/" + impl.options.api_version + "/" + phone_number_id + "/messages");
  request.set(http::field::content_type, "application/json");
  request.body() = body_json;
  request.prepare_payload();

  SendResult result;
  Exchange ex = impl.exchange(impl.base, request, impl.options.max_response_bytes, impl.options.read_timeout);
  switch (ex.failed_at) {
    case Stage::connect:
    case Stage::write:
      result.outcome = SendOutcome::not_sent;
      result.error_message = (ex.failed_at == Stage::connect ? "connect: " : "write: ") + describe(ex.ec);
      return result;
    case Stage::read:
      // The request was written: Meta may or may not have processed it.
      result.outcome = SendOutcome::ambiguous;
      result.error_message = "no answer: " + describe(ex.ec);
      return result;
    case Stage::ok:
      break;
  }
  result.http_status = static_cast<int>(ex.response.result_int());
  const std::string& body = ex.response.body();
  if (result.http_status == 200) {
    result.outcome = SendOutcome::accepted;
    const json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) {
      if (parsed.contains("messages") && parsed["messages"].is_array() && !parsed["messages"].empty() &&
          parsed["messages"][0].is_object()) {
        result.wamid = parsed["messages"][0].value("id", std::string());
      }
      if (result.wamid.empty() && parsed.value("success", false)) return result;
    }
    // 200 is Meta's acceptance even when the id cannot be read: never send it again.
    if (result.wamid.empty()) result.error_message = "accepted without a readable message id";
    return result;
  }
  if (Impl::read_graph_error(body, result.error_code, result.error_subcode, result.error_message,
                             result.error_details)) {
    result.outcome = SendOutcome::rejected;
    return result;
  }
  // A 5xx without Meta's error body comes from something in between (proxy, load balancer):
  // whether Meta saw the request is unknown.
  result.outcome = result.http_status >= 500 ? SendOutcome::ambiguous : SendOutcome::rejected;
  result.error_message = "HTTP " + std::to_string(result.http_status) + " without a Graph error";
  return result;
}

FetchedMedia GraphClient::fetch(const std::string& media_id, std::size_t max_bytes) {
  Impl& impl = *impl_;
  FetchedMedia media;
  auto fail = [&media](std::string why, bool transient, int code = 0) {
    media.ok = false;
    media.error = std::move(why);
    media.transient = transient;
    media.error_code = code;
    return media;
  };
  // Meta's media URLs live five minutes: a 404 on the URL earns one fresh URL.
  for (int round = 0; round < 2; ++round) {
    auto info_request =
        impl.make_request(http::verb::get, impl.base, impl.prefix + "/" + impl.options.api_version + "/" + media_id);
    Exchange info = impl.exchange(impl.base, info_request, impl.options.max_response_bytes, impl.options.read_timeout);
    if (info.failed_at != Stage::ok) return fail("media info: " + describe(info.ec), true);
    const unsigned info_status = info.response.result_int();
    if (info_status != 200) {
      int code = 0, subcode = 0;
      std::string message, details;
      Impl::read_graph_error(info.response.body(), code, subcode, message, details);
      return fail("media info: HTTP " + std::to_string(info_status) + (message.empty() ? "" : " " + message),
                  info_status >= 500 || is_transient_code(code), code);
    }
    const json parsed = json::parse(info.response.body(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("url") || !parsed["url"].is_string()) {
      return fail("media info without a url", false);
    }
    std::size_t declared = 0;
    if (parsed.contains("file_size") && parse_size(parsed["file_size"], declared) && declared > max_bytes) {
      return fail("media is " + std::to_string(declared) + " bytes, over the limit of " + std::to_string(max_bytes),
                  false);
    }
    media.mime_type = parsed.value("mime_type", std::string());
    std::string error;
    const auto where = parse_endpoint(parsed["url"].get<std::string>(), error);
    if (!where) return fail("media url refused: " + error, false);

    auto bytes_request = impl.make_request(http::verb::get, *where, where->target);
    Exchange bytes = impl.exchange(*where, bytes_request, max_bytes, impl.options.media_timeout);
    if (bytes.failed_at != Stage::ok) {
      if (bytes.ec == http::error::body_limit) {
        return fail("media is over the limit of " + std::to_string(max_bytes) + " bytes", false);
      }
      return fail("media download: " + describe(bytes.ec), true);
    }
    const unsigned status = bytes.response.result_int();
    if (status == 404 && round == 0) continue;
    if (status != 200) return fail("media download: HTTP " + std::to_string(status), status >= 500);
    media.ok = true;
    media.bytes = std::move(bytes.response.body());
    if (media.mime_type.empty()) media.mime_type = std::string(bytes.response[http::field::content_type]);
    return media;
  }
  return fail("media download: URL expired twice", true);
}

}  // namespace tilang::bot

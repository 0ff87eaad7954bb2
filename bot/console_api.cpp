#include "bot/console_api.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bot/api_common.hpp"
#include "bot/auth.hpp"
#include "bot/background_thread.hpp"
#include "bot/clock.hpp"
#include "bot/event_codec.hpp"
#include "bot/kandani_teams.hpp"
#include "bot/log.hpp"
#include "bot/privacy.hpp"
#include "flows/action.hpp"
#include "flows/text_match.hpp"

namespace tilang::bot {
namespace {

using api::json_response;
using api::error_response;
using api::query_param;
using api::segments_after;
using api::object_body;
using api::string_field;
using api::answer_or_500;
using api::needs_role;
using api::refused;

using nlohmann::json;

constexpr std::string_view cookie_name = "tilang_session";
constexpr std::int64_t window_ms = 24LL * 3600 * 1000;  // Meta's customer-service window
constexpr std::size_t max_reply_bytes = 4096;             // Meta's text body limit

std::string cookie_value(const Request& r, std::string_view name) {
  const std::string_view header = r[http::field::cookie];
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return {};
}

// The client's address as a proxy in front reports it; empty when connected directly (the
// listener does not hand the peer address to handlers).
bool is_loopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

// Who sent the request, for throttling and the audit log: the socket's peer, or, when that peer is a
// reverse proxy on this host, the first address of its X-Forwarded-For / X-Real-IP. A client talking
// to us directly cannot choose its address by sending those headers.
std::string client_address(const Request& r) {
  const std::string_view peer = r[peer_address_field];
  if (!peer.empty() && !is_loopback(peer)) return std::string(peer.substr(0, 64));
  std::string_view forwarded = r["X-Forwarded-For"];
  if (forwarded.empty()) forwarded = r["X-Real-IP"];
  const auto comma = forwarded.find(',');
  std::string_view first = forwarded.substr(0, comma);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  if (first.empty()) first = peer;
  return std::string(first.substr(0, 64));
}

bool is_safe_method(http::verb method) { return method == http::verb::get || method == http::verb::head; }

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool valid_username(std::string_view name) {
  return name.size() >= 2 && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
         });
}

// The text an officer should see for an outbound Graph API body.
std::string outbound_text(const json& body) {
  const std::string type = body.value("type", "");
  if (type == "text") return body.contains("text") ? body["text"].value("body", "") : "";
  if (type == "interactive" && body.contains("interactive")) {
    const json& i = body["interactive"];
    std::string text = i.contains("body") ? i["body"].value("text", "") : "";
    if (i.contains("action")) {
      const json& a = i["action"];
      if (a.contains("buttons")) {
        for (const auto& b : a["buttons"]) {
          if (b.contains("reply")) text += "\n[" + b["reply"].value("title", "") + "]";
        }
      }
      if (a.contains("sections")) {
        for (const auto& section : a["sections"]) {
          if (!section.contains("rows")) continue;
          for (const auto& row : section["rows"]) text += "\n• " + row.value("title", "");
        }
      }
    }
    return text;
  }
  if (type == "template" && body.contains("template")) return "[template " + body["template"].value("name", "") + "]";
  if (type == "image" || type == "document") return "[" + type + "]";
  return "[" + type + "]";
}

// What a purge or an erasure deleted, as the admin API reports it.
json deleted_json(const storage::PurgeCounts& counts) {
  return {{"inbound_messages", counts.inbound_messages}, {"inbox_bodies", counts.inbox_bodies},
          {"outbox", counts.outbox},                     {"statuses", counts.statuses},
          {"conversations", counts.conversations},       {"media_files", counts.media_files},
          {"reports", counts.reports}};
}

// A query filter's value is not one we know: 400 naming the values that are, so a caller can
// mend a typo without reading the docs.
Response unknown_filter(const Request& r, const std::string& what, const std::vector<std::string>& known) {
  std::string list;
  for (const auto& value : known) list += (list.empty() ? "" : ", ") + value;
  return api::error_response(r, http::status::bad_request, "unknown " + what + "; one of " + list);
}

}  // namespace

struct ConsoleApi::Waiter {
  Request request;  // headers only matter (version, keep-alive)
  Respond respond;
  std::int64_t after = 0;
  std::chrono::steady_clock::time_point deadline;
};

namespace {

// An authenticated console caller.
struct Officer {
  ApiCaller caller;
  std::string token_hash;  // empty for the API token
  std::string csrf_token;
  std::int64_t expires_at_ms = 0;
  bool cookie = false;
};

struct Authenticated {
  std::optional<Officer> officer;
  int status = 401;
  std::string error = "sign in first (missing, invalid or expired session)";
};

}  // namespace

class ConsoleRoutes {
 public:
  ConsoleRoutes(ConsoleApi& api, ConsoleContext& ctx) : api_(api), ctx_(ctx) {}

  Authenticated authenticate(const Request& r) {
    const auto now = ctx_.now_ms();
    const auto header = r[http::field::authorization];
    constexpr std::string_view scheme = "Bearer ";
    if (header.size() > scheme.size() && header.substr(0, scheme.size()) == scheme) {
      const std::string_view token(header.data() + scheme.size(), header.size() - scheme.size());
      if (!ctx_.options.api_token.empty() && secrets_equal(token, ctx_.options.api_token)) {
        return {Officer{{"api", "admin"}, "", "", 0, false}};
      }
      const std::string hash = token_digest(token);
      auto session = ctx_.store->session(hash, now);
      if (!session) return {};
      return {Officer{{session->username, session->role}, hash, session->csrf_token, session->expires_at_ms, false}};
    }
    const std::string token = cookie_value(r, cookie_name);
    if (token.empty()) return {};
    const std::string hash = token_digest(token);
    auto session = ctx_.store->session(hash, now);
    if (!session) return {};
    // The cookie rides along with any request the browser makes, so a state change must also prove
    // it came from our page, which alone knows the CSRF token.
    if (!is_safe_method(r.method()) && !secrets_equal(r["X-CSRF-Token"], session->csrf_token)) {
      return {std::nullopt, 403, "missing or wrong X-CSRF-Token"};
    }
    return {Officer{{session->username, session->role}, hash, session->csrf_token, session->expires_at_ms, true}};
  }

  // Runs `handler` for a caller whose role is at least `need`.
  template <class F>
  void guarded(Request&& r, Respond& respond, Role need, F&& handler) {
    auto auth = authenticate(r);
    if (!auth.officer) return respond(refused(r, auth.status, auth.error));
    if (!role_allows(auth.officer->caller.role, need)) return respond(needs_role(r, need));
    answer_or_500(r, respond, "console_api_failed", [&] { return handler(r, *auth.officer); });
  }

  // --- login ----------------------------------------------------------------------------------

  // Whether `key` is locked out; `retry_after_s` says for how long.
  bool locked(const std::string& key, std::int64_t now, std::int64_t& retry_after_s) {
    const auto& o = ctx_.options;
    const auto window = std::chrono::duration_cast<std::chrono::milliseconds>(o.failure_window).count();
    const auto lockout = std::chrono::duration_cast<std::chrono::milliseconds>(o.lockout).count();
    auto failures = ctx_.store->login_failures(key, now - std::max(window, lockout),
                                               static_cast<std::size_t>(o.max_login_failures));
    if (static_cast<int>(failures.size()) < o.max_login_failures) return false;
    // The newest failures: all within the window, and the lockout counts from the last of them.
    if (failures.front() - failures.back() > window || now >= failures.front() + lockout) return false;
    retry_after_s = (failures.front() + lockout - now + 999) / 1000;
    return true;
  }

  Response login(const Request& r) {
    // A JSON body cannot be sent cross-site without a CORS preflight, which we never grant.
    if (r[http::field::content_type].find("application/json") == std::string_view::npos) {
      return error_response(r, http::status::unsupported_media_type, "send JSON (Content-Type: application/json)");
    }
    auto body = object_body(r);
    if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object");
    const std::string username = string_field(*body, "username");
    const std::string password = string_field(*body, "password");
    if (username.empty() || password.empty()) return error_response(r, http::status::bad_request, "username and password are required");
    const std::string remote = client_address(r);
    const auto now = ctx_.now_ms();
    std::vector<std::string> keys{"user:" + username};
    if (!remote.empty()) keys.push_back("ip:" + remote);
    for (const auto& key : keys) {
      std::int64_t retry_after = 0;
      if (locked(key, now, retry_after)) {
        api_.audit({username, ""}, r, "login_throttled", key);
        auto res = error_response(r, http::status::too_many_requests,
                                  "terlalu banyak percobaan masuk yang gagal; coba lagi dalam " +
                                      std::to_string((retry_after + 59) / 60) + " menit");
        res.set(http::field::retry_after, std::to_string(retry_after));
        return res;
      }
    }
    auto agent = valid_username(username) ? ctx_.store->agent(username) : std::nullopt;
    // Unknown users cost the same hashing as known ones, so timing does not reveal who exists.
    static const std::string dummy = hash_password("not-a-password");
    const bool ok = verify_password(password, agent ? agent->password_hash : dummy) && agent && !agent->disabled;
    if (!ok) {
      for (const auto& key : keys) (void)ctx_.store->record_login_failure(key, now);
      api_.audit({username, agent ? agent->role : ""}, r, "login_failed", username);
      return error_response(r, http::status::unauthorized, "nama pengguna atau kata sandi salah");
    }
    (void)ctx_.store->clear_login_failures("user:" + username);
    const std::string token = random_hex(32);
    const std::string csrf = random_hex(32);
    const auto ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.options.session_ttl).count();
    // The session's life starts now, after the deliberately slow password hash, not when the request came.
    const std::int64_t issued = ctx_.now_ms();
    const std::int64_t expires = issued + ttl_ms;
    if (auto s = ctx_.store->insert_session(token_digest(token), username, csrf, issued, expires); !s.ok) {
      return error_response(r, http::status::service_unavailable, "cannot store the session");
    }
    (void)ctx_.store->delete_expired_sessions(now);
    api_.audit({username, agent->role}, r, "login", username);
    auto res = json_response(r, http::status::ok,
                             json{{"token", token},
                                  {"role", agent->role},
                                  {"username", username},
                                  {"expires_at", ctx_.engine->format_time(expires)},
                                  {"expires_at_ms", expires},
                                  {"csrf_token", csrf}});
    std::string cookie = std::string(cookie_name) + "=" + token + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" +
                         std::to_string(ttl_ms / 1000);
    if (ctx_.options.secure_cookie) cookie += "; Secure";
    res.set(http::field::set_cookie, cookie);
    return res;
  }

  Response logout(const Request& r, const Officer& o) {
    if (!o.token_hash.empty()) (void)ctx_.store->delete_session(o.token_hash);
    api_.audit(o.caller, r, "logout", o.caller.name);
    auto res = json_response(r, http::status::ok, json{{"ok", true}});
    res.set(http::field::set_cookie, std::string(cookie_name) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    return res;
  }

  Response session(const Request& r, const Officer& o) {
    return json_response(r, http::status::ok,
                         json{{"username", o.caller.name},
                              {"role", o.caller.role},
                              {"csrf_token", o.csrf_token},
                              {"sees_personal_data", sees_personal_data(o.caller.role)},
                              {"expires_at_ms", o.expires_at_ms}});
  }

  // --- conversations --------------------------------------------------------------------------

  json conversation_json(const storage::ConsoleConversation& c, const Officer& o, std::int64_t now, int position) {
    const bool full = sees_personal_data(o.caller.role);
    json j{{"id", c.ref},
           {"wa_id", full ? c.user : mask_phone(c.user)},
           {"name", full ? c.profile_name : mask_name(c.profile_name)},
           {"state", c.mode},
           {"owner", c.owner},
           {"topic", c.topic},
           {"business_number", c.business_number},
           {"window_open", c.last_inbound_ms > 0 && now - c.last_inbound_ms < window_ms},
           {"last_inbound_at", c.last_inbound_ms > 0 ? json(ctx_.engine->format_time(c.last_inbound_ms)) : json(nullptr)},
           {"updated_at", ctx_.engine->format_time(c.updated_at_ms)}};
    if (c.mode == "waiting" && c.waiting_since_ms > 0) {
      j["waiting_since"] = ctx_.engine->format_time(c.waiting_since_ms);
      j["waiting_since_ms"] = c.waiting_since_ms;
      j["waiting_seconds"] = std::max<std::int64_t>(0, (now - c.waiting_since_ms) / 1000);
    } else {
      j["waiting_since"] = nullptr;
      j["waiting_since_ms"] = nullptr;
      j["waiting_seconds"] = nullptr;
    }
    j["position"] = position > 0 ? json(position) : json(nullptr);
    return j;
  }

  Response list_conversations(const Request& r, const Officer& o) {
    std::string state = query_param(r.target(), "state");
    if (state.empty()) state = "waiting";
    if (state != "waiting" && state != "agent" && state != "bot") {
      return error_response(r, http::status::bad_request, "state must be waiting, agent or bot");
    }
    // An officer may work one topic's queue; positions stay those of the whole queue, which is
    // what the user was told.
    const std::string topic = query_param(r.target(), "topic");
    const auto& topics = flows::handoff_topics();
    if (!topic.empty() && std::find(topics.begin(), topics.end(), topic) == topics.end()) {
      return unknown_filter(r, "topic", topics);
    }
    const auto now = ctx_.now_ms();
    json items = json::array();
    int position = 0;
    for (const auto& c : ctx_.store->conversations(state, 500)) {
      ++position;
      if (!topic.empty() && c.topic != topic) continue;
      items.push_back(conversation_json(c, o, now, state == "waiting" ? position : 0));
    }
    if (sees_personal_data(o.caller.role) && !items.empty()) {
      api_.audit(o.caller, r, "view_queue", topic.empty() ? state : state + " topic " + topic);
    }
    return json_response(r, http::status::ok, json{{"items", items}, {"topics", topics}});
  }

  std::optional<storage::ConsoleConversation> find(const std::string& id) { return ctx_.store->conversation(id); }

  Response conversation_action(const Request& r, const Officer& o) {
    const auto parts = segments_after(target_path(r.target()), "/api/v1/conversations/");
    if (parts.size() != 2) return error_response(r, http::status::not_found, "use /api/v1/conversations/{id}/{action}");
    auto c = find(parts[0]);
    if (!c) return error_response(r, http::status::not_found, "no such conversation");
    const storage::ConversationKey key{c->business_number, c->user};
    const std::string& action = parts[1];
    if (r.method() == http::verb::get) {
      if (action != "messages") return error_response(r, http::status::not_found, "unknown conversation resource");
      return transcript(r, o, *c);
    }
    if (action == "takeover") {
      const EngineResult result = ctx_.engine->take_over(key, o.caller.name);
      if (result == EngineResult::conflict) {
        auto now_row = find(c->ref);
        return json_response(r, http::status::conflict,
                             json{{"error", "percakapan sudah ditangani petugas lain"},
                                  {"owner", now_row ? now_row->owner : std::string()}});
      }
      if (result != EngineResult::done) return error_response(r, http::status::service_unavailable, "could not take over");
      api_.audit(o.caller, r, "takeover", c->user);
      api_.publish_change("takeover", c->ref);
      return state_answer(r, o, c->ref);
    }
    if (action == "messages") return reply(r, o, *c);
    if (action == "release" || action == "resolve") {
      // Agents hand back their own conversations; supervisors may release anyone's.
      if (c->mode == "agent" && c->owner != o.caller.name && !role_allows(o.caller.role, Role::supervisor)) {
        return error_response(r, http::status::forbidden, "percakapan ini milik petugas lain");
      }
      if (c->mode == "waiting" && !role_allows(o.caller.role, Role::supervisor)) {
        return error_response(r, http::status::forbidden, "ambil alih percakapan dulu");
      }
      auto body = object_body(r);
      if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object");
      const EngineResult result = ctx_.engine->release(key);
      if (result == EngineResult::conflict) return error_response(r, http::status::conflict, "percakapan sudah dilayani bot");
      if (result != EngineResult::done) return error_response(r, http::status::service_unavailable, "could not release");
      if (action == "resolve") {
        (void)ctx_.store->record_resolution(key, o.caller.name, string_field(*body, "note"), ctx_.now_ms());
      }
      api_.audit(o.caller, r, action, c->user);
      api_.publish_change(action, c->ref);
      return state_answer(r, o, c->ref);
    }
    return error_response(r, http::status::not_found, "unknown conversation action");
  }

  Response state_answer(const Request& r, const Officer& o, const std::string& ref) {
    auto c = find(ref);
    if (!c) return error_response(r, http::status::not_found, "no such conversation");
    return json_response(r, http::status::ok, conversation_json(*c, o, ctx_.now_ms(), 0));
  }

  Response reply(const Request& r, const Officer& o, const storage::ConsoleConversation& c) {
    auto body = object_body(r);
    if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object");
    if (c.mode != "agent" || c.owner != o.caller.name) {
      return error_response(r, http::status::conflict, "ambil alih percakapan dulu sebelum membalas");
    }
    const bool use_template = body->value("template", false);
    const std::string text = string_field(*body, "text");
    const auto now = ctx_.now_ms();
    json message{{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}, {"to", c.user}};
    std::string kind = "message";
    if (use_template) {
      message["type"] = "template";
      message["template"] = {{"name", ctx_.options.agent_template},
                             {"language", {{"code", ctx_.options.agent_template_language}}}};
      kind = "template";
    } else {
      if (text.empty()) return error_response(r, http::status::bad_request, "text is required");
      if (text.size() > max_reply_bytes) return error_response(r, http::status::bad_request, "text is over 4096 bytes");
      // Free-form messages are allowed only within 24 hours of the user's last message.
      if (c.last_inbound_ms <= 0 || now - c.last_inbound_ms >= window_ms) {
        return json_response(
            r, http::status::conflict,
            json{{"error",
                  "Jendela 24 jam sudah tertutup: pesan terakhir pengguna lebih dari 24 jam lalu, jadi WhatsApp "
                  "hanya mengizinkan template yang disetujui. Kirim template dengan {\"template\": true}."},
                 {"code", "window_closed"},
                 {"template", {{"name", ctx_.options.agent_template}, {"language", ctx_.options.agent_template_language}}}});
      }
      message["type"] = "text";
      message["text"] = {{"preview_url", false}, {"body", text}};
    }
    auto id = ctx_.store->enqueue_agent_message({c.business_number, c.user}, kind, message.dump(), o.caller.name, now);
    if (!id) return error_response(r, http::status::service_unavailable, "could not queue the message");
    if (ctx_.wake_sender) ctx_.wake_sender();
    api_.audit(o.caller, r, use_template ? "reply_template" : "reply", c.user);
    api_.publish_change("message", c.ref);
    return json_response(r, http::status::created, json{{"id", *id}, {"state", "queued"}, {"kind", kind}});
  }

  Response transcript(const Request& r, const Officer& o, const storage::ConsoleConversation& c) {
    const storage::ConversationKey key{c.business_number, c.user};
    const bool full = sees_personal_data(o.caller.role);
    struct Item {
      std::int64_t at_ms;
      json j;
    };
    std::vector<Item> items;
    for (const auto& m : ctx_.store->inbound_messages(key, 300)) {
      json j{{"direction", "in"}, {"wamid", m.wamid}, {"type", m.type}};
      std::int64_t at = m.timestamp * 1000;
      if (auto decoded = decode_message(m.payload_json)) {
        j["text"] = decoded->text;
        if (decoded->media) {
          j["caption"] = decoded->media->caption;
          j["filename"] = decoded->media->filename;
        }
        if (decoded->location) {
          j["location"] = {{"latitude", decoded->location->latitude},
                           {"longitude", decoded->location->longitude},
                           {"name", decoded->location->name},
                           {"address", decoded->location->address}};
        }
        if (!decoded->reply_id.empty()) j["reply_id"] = decoded->reply_id;
      }
      if (!m.media_sha256.empty()) {
        j["media"] = {{"sha256", m.media_sha256}, {"mime", m.media_mime}, {"url", "/api/v1/media/" + m.media_sha256}};
      }
      j["at"] = ctx_.engine->format_time(at);
      j["at_ms"] = at;
      items.push_back({at, std::move(j)});
    }
    for (const auto& m : ctx_.store->outbound_messages(key, 300)) {
      json body = json::parse(m.body_json, nullptr, false);
      // What an officer sees: Meta's delivery status once accepted, otherwise the row's own state.
      std::string status = m.state == "accepted" ? (m.delivery_status.empty() ? "accepted" : m.delivery_status) : m.state;
      if (m.delivery_status == "failed") status = "failed";
      json j{{"direction", "out"},
             {"id", m.id},
             {"kind", m.kind},
             {"source", m.source},
             {"officer", m.source == "agent" ? m.source_ref : std::string()},
             {"text", body.is_discarded() ? std::string() : outbound_text(body)},
             {"status", status},
             {"error_code", m.error_code},
             {"error", m.error_details},
             {"at", ctx_.engine->format_time(m.created_at_ms)},
             {"at_ms", m.created_at_ms}};
      items.push_back({m.created_at_ms, std::move(j)});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.at_ms < b.at_ms; });
    json list = json::array();
    for (auto& i : items) list.push_back(std::move(i.j));
    api_.audit(o.caller, r, "view_transcript", c.user, full ? "unmasked" : "masked");
    return json_response(r, http::status::ok,
                         json{{"conversation", conversation_json(c, o, ctx_.now_ms(), 0)}, {"items", list}});
  }

  Response media(const Request& r, const Officer& o) {
    const auto parts = segments_after(target_path(r.target()), "/api/v1/media/");
    if (parts.size() != 1 || !is_sha256_hex(parts[0])) return error_response(r, http::status::not_found, "use /api/v1/media/{sha256}");
    auto ref = ctx_.store->media(parts[0]);
    if (!ref) return error_response(r, http::status::not_found, "no such media");
    std::ifstream file(ref->path, std::ios::binary);
    if (!file) return error_response(r, http::status::not_found, "media file is gone (retention purge?)");
    std::ostringstream bytes;
    bytes << file.rdbuf();
    api_.audit(o.caller, r, "view_media", parts[0]);
    auto res = make_response(r, http::status::ok, bytes.str(), ref->mime);
    res.set(http::field::cache_control, "private, no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::content_disposition, "inline");
    res.set("Content-Security-Policy", "default-src 'none'; sandbox");
    return res;
  }

  Response reports(const Request& r, const Officer& o) {
    std::string status = query_param(r.target(), "status");
    if (status.empty()) status = "open";
    if (status == "all") status.clear();
    const std::string team = query_param(r.target(), "team");
    if (!team.empty() && !is_kandani_team(team)) {
      std::vector<std::string> ids;
      for (const auto& t : kandani_teams()) ids.push_back(t.id);
      return unknown_filter(r, "team", ids);
    }
    const bool full = sees_personal_data(o.caller.role);
    json items = json::array();
    for (const auto& rep : ctx_.store->reports(status, team, 500)) {
      json j{{"report_no", rep.report_no},
             {"wa_id", full ? rep.wa_id : mask_phone(rep.wa_id)},
             {"category", rep.category},
             {"team", rep.team},
             {"what", rep.what},
             {"how", rep.how},
             {"when", rep.when_text},
             {"where", rep.where_text},
             {"who", rep.who},
             {"status", rep.status},
             {"notes", rep.notes},
             {"photo_sha256", rep.photo_sha256},
             {"photo_url", rep.photo_sha256.empty() ? std::string() : "/api/v1/media/" + rep.photo_sha256},
             {"created_at", ctx_.engine->format_time(rep.created_at_ms)},
             {"updated_at", ctx_.engine->format_time(rep.updated_at_ms)}};
      if (rep.has_location) {
        j["latitude"] = rep.latitude;
        j["longitude"] = rep.longitude;
      }
      items.push_back(std::move(j));
    }
    if (!items.empty()) api_.audit(o.caller, r, "view_reports", team.empty() ? status : status + " team " + team);
    json teams = json::array();
    for (const auto& t : kandani_teams()) teams.push_back({{"id", t.id}, {"label", t.label}});
    return json_response(r, http::status::ok, json{{"items", items}, {"teams", teams}});
  }

  Response canned(const Request& r, const Officer&) {
    json items = json::array();
    for (const auto& c : ctx_.store->canned_responses(ctx_.options.business_number)) {
      items.push_back({{"id", c.id}, {"title", c.title}, {"text", c.body}});
    }
    return json_response(r, http::status::ok, json{{"items", items}});
  }

  Response audit_log(const Request& r, const Officer& o) {
    std::int64_t before = 0;
    try {
      if (auto b = query_param(r.target(), "before"); !b.empty()) before = std::stoll(b);
    } catch (const std::exception&) {
      return error_response(r, http::status::bad_request, "before must be an audit id");
    }
    json items = json::array();
    for (const auto& a : ctx_.store->audit_log(before, 200)) {
      items.push_back({{"id", a.id},
                       {"at", ctx_.engine->format_time(a.at_ms)},
                       {"at_ms", a.at_ms},
                       {"actor", a.actor},
                       {"role", a.role},
                       {"action", a.action},
                       {"target", a.target},
                       {"detail", a.detail},
                       {"remote", a.remote}});
    }
    api_.audit(o.caller, r, "view_audit", "");
    return json_response(r, http::status::ok, json{{"items", items}});
  }

  Response purge(const Request& r, const Officer& o) {
    auto counts = api_.purge_now();
    json j = deleted_json(counts);
    j["ok"] = counts.status.ok;
    if (!counts.status.ok) j["error"] = counts.status.error;
    api_.audit(o.caller, r, "purge", "", j.dump());
    return json_response(r, counts.status.ok ? http::status::ok : http::status::service_unavailable, j);
  }

  // A user's request to delete their data (UU 27/2022), carried out by an admin.
  Response erase(const Request& r, const Officer& o) {
    auto body = object_body(r);
    if (!body) return error_response(r, http::status::bad_request, "body must be a JSON object {\"wa_id\": \"628...\"}");
    const std::string typed = string_field(*body, "wa_id");
    // Indonesian numbers in any spelling; other countries' wa_ids as bare digits.
    std::string wa_id = flows::normalise_phone(typed).value_or(typed);
    if (wa_id.size() < 8 || wa_id.size() > 20 || !std::all_of(wa_id.begin(), wa_id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return error_response(r, http::status::bad_request, "wa_id must be a WhatsApp number, e.g. 6281234567890");
    }
    const auto erased = ctx_.store->erase_user(wa_id);
    const auto& d = erased.deleted;
    json j{{"ok", d.status.ok},
           {"wa_id", wa_id},
           {"deleted", deleted_json(d)},
           {"kept",
            {{"pending_proofs", erased.kept_pending_proofs},
             {"open_reports", erased.kept_open_reports},
             {"unsent_messages", erased.kept_unsent_messages},
             {"unhandled_messages", erased.kept_unhandled_messages},
             {"conversation_with_officer", erased.kept_conversation}}},
           {"note",
            "payment records, bookings, shipments and e-TLE notices are the office's records and stay; raw webhook "
            "bodies leave with the message retention; what was kept for open work goes when it is erased again "
            "after the work closes"}};
    if (!d.status.ok) j["error"] = d.status.error;
    api_.audit(o.caller, r, "erase", wa_id, j["deleted"].dump());
    return json_response(r, d.status.ok ? http::status::ok : http::status::service_unavailable, j);
  }

 private:
  ConsoleApi& api_;
  ConsoleContext& ctx_;
};

// --- ConsoleApi -----------------------------------------------------------------------------

ConsoleApi::ConsoleApi(ConsoleContext context) : ctx_(std::move(context)) {
  if (ctx_.engine == nullptr || !ctx_.store) throw std::invalid_argument("ConsoleApi: engine and store are required");
  if (!ctx_.now_ms) ctx_.now_ms = &wall_clock_ms;
  routes_ = std::make_shared<ConsoleRoutes>(*this, ctx_);
}

ConsoleApi::~ConsoleApi() { stop(); }

ApiAuth ConsoleApi::authenticate(const Request& request) {
  auto auth = routes_->authenticate(request);
  if (!auth.officer) return {std::nullopt, auth.status, auth.error};
  return {auth.officer->caller};
}

void ConsoleApi::audit(const ApiCaller& caller, const Request& request, const std::string& action,
                       const std::string& target, const std::string& detail) {
  const std::int64_t now = ctx_.now_ms();
  if (action.rfind("view_", 0) == 0) {
    // Live updates refresh the same views every few seconds: one audit row per minute and view is
    // enough to say who saw what, and keeps the log readable.
    std::lock_guard lock(audit_mutex_);
    const std::string key = caller.name + "|" + action + "|" + target + "|" + detail;
    auto [it, inserted] = recent_views_.try_emplace(key, now);
    if (!inserted && now - it->second < 60'000) return;
    it->second = now;
    if (recent_views_.size() > 10'000) recent_views_.clear();
  }
  storage::AuditRow row;
  row.at_ms = now;
  row.actor = caller.name;
  row.role = caller.role;
  row.action = action;
  row.target = target;
  row.detail = detail;
  row.remote = client_address(request);
  if (auto s = ctx_.store->audit(row); !s.ok) log::error("audit_failed", {{"action", action}, {"error", s.error}});
}

void ConsoleApi::install(Router& router) {
  auto routes = routes_;
  auto add = [&](http::verb method, const char* path, const char* name, Role need, auto member) {
    router.add(method, path, name, [routes, need, member](Request&& r, Respond respond) {
      routes->guarded(std::move(r), respond, need,
                      [&](const Request& req, const Officer& o) { return ((*routes).*member)(req, o); });
    });
  };
  router.add(http::verb::post, "/api/v1/login", "console_login", [this, routes](Request&& r, Respond respond) {
    // Password hashing takes a while: off the I/O threads.
    auto request = std::make_shared<Request>(std::move(r));
    run_slow([routes, request, respond] {
      try {
        respond(routes->login(*request));
      } catch (const std::exception& e) {
        log::error("console_login_failed", {{"error", e.what()}});
        respond(error_response(*request, http::status::internal_server_error, "internal error"));
      }
    });
  });
  add(http::verb::post, "/api/v1/logout", "console_logout", Role::agent, &ConsoleRoutes::logout);
  add(http::verb::get, "/api/v1/session", "console_session", Role::agent, &ConsoleRoutes::session);
  // The exact list route before the prefix route, which would also match "/api/v1/conversations".
  add(http::verb::get, "/api/v1/conversations", "console_conversations", Role::agent, &ConsoleRoutes::list_conversations);
  add(http::verb::get, "/api/v1/conversations/", "console_conversation", Role::agent, &ConsoleRoutes::conversation_action);
  add(http::verb::post, "/api/v1/conversations/", "console_conversation_action", Role::agent,
      &ConsoleRoutes::conversation_action);
  add(http::verb::get, "/api/v1/media/", "console_media", Role::agent, &ConsoleRoutes::media);
  add(http::verb::get, "/api/v1/reports", "console_reports", Role::agent, &ConsoleRoutes::reports);
  add(http::verb::get, "/api/v1/canned-responses", "console_canned", Role::agent, &ConsoleRoutes::canned);
  add(http::verb::get, "/api/v1/audit", "console_audit", Role::admin, &ConsoleRoutes::audit_log);
  add(http::verb::post, "/api/v1/admin/purge", "console_purge", Role::admin, &ConsoleRoutes::purge);
  add(http::verb::post, "/api/v1/admin/erase", "console_erase", Role::admin, &ConsoleRoutes::erase);
  router.add(http::verb::get, "/api/v1/events", "console_events", [this, routes](Request&& r, Respond respond) {
    auto auth = routes->authenticate(r);
    if (!auth.officer) {
      respond(error_response(r, static_cast<http::status>(auth.status), auth.error));
      return;
    }
    auto waiter = std::make_shared<Waiter>();
    std::int64_t after = -1;
    try {
      std::string last = std::string(r["Last-Event-ID"]);
      if (last.empty()) last = query_param(r.target(), "since");
      if (!last.empty()) after = std::stoll(last);
    } catch (const std::exception&) {
      after = -1;
    }
    waiter->request = std::move(r);
    waiter->request.body().clear();
    waiter->respond = std::move(respond);
    waiter->deadline = std::chrono::steady_clock::now() + ctx_.options.event_hold;
    {
      std::lock_guard lock(mutex_);
      waiter->after = after < 0 || after > last_event_id_ ? last_event_id_ : after;
      if (stopping_ || !started_) waiter->deadline = std::chrono::steady_clock::now();
      waiters_.push_back(waiter);
    }
    cv_.notify_all();
  });
}

void ConsoleApi::publish_change(const std::string& type, const std::string& ref) {
  json data{{"type", type}, {"id", ref}};
  {
    std::lock_guard lock(mutex_);
    events_.emplace_back(++last_event_id_, data.dump());
    while (events_.size() > 64) events_.pop_front();
  }
  cv_.notify_all();
}

void ConsoleApi::flush_waiters(bool all) {
  std::vector<std::pair<std::shared_ptr<Waiter>, std::string>> answers;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      auto& w = *it;
      std::string text;
      for (const auto& [id, data] : events_) {
        if (id > w->after) text += "id: " + std::to_string(id) + "\ndata: " + data + "\n\n";
      }
      if (text.empty() && !all && now < w->deadline) {
        ++it;
        continue;
      }
      // The long poll ends; EventSource reconnects after `retry` with Last-Event-ID.
      if (text.empty()) text = ": idle\nid: " + std::to_string(last_event_id_) + "\n\n";
      answers.emplace_back(w, "retry: 300\n" + text);
      it = waiters_.erase(it);
    }
  }
  for (auto& [w, text] : answers) {
    auto res = make_response(w->request, http::status::ok, std::move(text), "text/event-stream; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    w->respond(std::move(res));
  }
}

void ConsoleApi::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    run_as_background("tb-console");
    thread_main();
  });
  worker_ = std::thread([this] {
    run_as_background("tb-console-w");
    worker_main();
  });
}

void ConsoleApi::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  jobs_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (worker_.joinable()) worker_.join();
  flush_waiters(true);
}

void ConsoleApi::run_slow(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (started_ && !stopping_) {
      jobs_.push_back(std::move(job));
      jobs_cv_.notify_one();
      return;
    }
  }
  job();
}

void ConsoleApi::worker_main() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      jobs_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

void ConsoleApi::thread_main() {
  std::int64_t seen_version = ctx_.store->data_version();
  auto next_purge = std::chrono::steady_clock::now() + ctx_.options.first_purge_delay;
  const bool retention = ctx_.options.retention_days_messages > 0 || ctx_.options.retention_days_media > 0 ||
                         ctx_.options.retention_days_reports > 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, ctx_.options.poll_interval);
      if (stopping_) return;
    }
    try {
      // Someone else (webhooks, the engine, the sender) committed: tell the consoles to refresh.
      const std::int64_t version = ctx_.store->data_version();
      if (version != seen_version) {
        seen_version = version;
        publish_change("changed", "");
      }
      if (retention && std::chrono::steady_clock::now() >= next_purge) {
        next_purge = std::chrono::steady_clock::now() + ctx_.options.purge_interval;
        auto counts = purge_now();
        if (!counts.status.ok) log::warn("retention_purge_failed", {{"error", counts.status.error}});
      }
    } catch (const std::exception& e) {
      log::error("console_thread_failed", {{"error", e.what()}});
    }
    flush_waiters(false);
  }
}

storage::PurgeCounts ConsoleApi::purge_now() {
  const auto now = ctx_.now_ms();
  auto cutoff = [now](int days) { return days > 0 ? now - static_cast<std::int64_t>(days) * 24 * 3600 * 1000 : 0; };
  storage::RetentionCutoffs cutoffs{cutoff(ctx_.options.retention_days_messages), cutoff(ctx_.options.retention_days_media),
                                    cutoff(ctx_.options.retention_days_reports)};
  auto counts = ctx_.store->purge(cutoffs);
  if (counts.inbound_messages + counts.outbox + counts.media_files + counts.reports + counts.conversations > 0) {
    log::info("retention_purge", {{"inbound_messages", std::to_string(counts.inbound_messages)},
                                  {"outbox", std::to_string(counts.outbox)},
                                  {"media_files", std::to_string(counts.media_files)},
                                  {"reports", std::to_string(counts.reports)}});
  }
  return counts;
}

}  // namespace tilang::bot

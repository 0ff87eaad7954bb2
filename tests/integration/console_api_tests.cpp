// The help-desk console API through the real server: sign-in (sessions, expiry, throttling), CSRF,
// role checks, the queue, takeover races, agent replies reaching the (fake) Graph API, the 24-hour
// window, media access, audit and the retention purge.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "bot/agent_admin.hpp"
#include "bot/auth.hpp"
#include "storage/console_store.hpp"
#include "storage/sqlite.hpp"
#include "tests/support/api_calls.hpp"
#include "tests/support/graph_service_rig.hpp"
#include "tests/support/user_messages.hpp"

using namespace tilang;
using namespace tilang::test;
using nlohmann::json;

namespace {

constexpr const char* api_token = test_api_token;

struct Session {
  std::string token;
  std::string csrf;
  std::string role;
};

class Console {
 public:
  explicit Console(const std::function<void(bot::Config&)>& adjust = {}) : rig_(adjust) {
    REQUIRE(rig_.load_demo_data().empty());
    store_ = std::make_unique<storage::ConsoleStore>(rig_.db_path());
  }

  FakeGraphApi& graph() { return rig_.graph(); }
  ServiceHarness& harness() { return rig_.harness(); }
  storage::ConsoleStore& store() { return *store_; }
  const std::string& db_path() const { return rig_.db_path(); }

  // Few iterations keep the suite quick; verification reads the count from the stored hash.
  void add_agent(const std::string& user, const std::string& role, const std::string& password = "sandi-rahasia") {
    REQUIRE(store_->upsert_agent(user, role, bot::hash_password(password, 1000), now_ms()).ok);
  }

  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  ApiAnswer call(const std::string& method, const std::string& target, const std::string& body = "",
                 std::map<std::string, std::string> headers = {}) {
    return api_call(rig_.harness(), method, target, body, std::move(headers));
  }

  ApiAnswer login_answer(const std::string& user, const std::string& password, const std::string& ip = "") {
    std::map<std::string, std::string> headers;
    if (!ip.empty()) headers["X-Forwarded-For"] = ip;
    return call("POST", "/api/v1/login", json{{"username", user}, {"password", password}}.dump(), headers);
  }

  Session login(const std::string& user, const std::string& password = "sandi-rahasia") {
    auto a = login_answer(user, password);
    REQUIRE(a.status == 200);
    return {a.body["token"], a.body["csrf_token"], a.body["role"]};
  }

  // As the console page does: session cookie plus the CSRF header.
  ApiAnswer as(const Session& s, const std::string& method, const std::string& target,
               const json& body = json::object()) {
    return call(method, target, method == "GET" ? "" : body.dump(),
                {{"Cookie", "tilang_session=" + s.token}, {"X-CSRF-Token", s.csrf}});
  }

  void say(const std::string& user, const std::string& text) {
    const std::string wamid = rig_.next_wamid("wamid.console");
    REQUIRE(rig_.post_signed(user_text_notification(test_business, user, wamid, text)) == 200);
    REQUIRE(rig_.wait_handled(wamid));
  }

  void send_image(const std::string& user, const std::string& media_id, const std::string& bytes) {
    rig_.graph().add_media(media_id, "image/jpeg", bytes);
    const std::string wamid = rig_.next_wamid("wamid.console");
    REQUIRE(rig_.post_signed(user_image_notification(test_business, user, wamid, media_id)) == 200);
    REQUIRE(rig_.wait_handled(wamid));
  }

  std::int64_t query_int(const std::string& sql) { return rig_.query_int(sql); }
  // The one stored media file's path (a test's proof).
  std::string only_media_path() {
    const std::string path = rig_.query_text("SELECT path FROM media_files");
    REQUIRE(path != "<none>");
    return path;
  }
  void exec(const std::string& sql) {
    storage::sqlite::Connection db(rig_.db_path());
    REQUIRE(db.exec(sql).ok);
  }

  // Texts the fake Graph API accepted for `user`.
  std::vector<json> sent_to(const std::string& user) { return rig_.graph().messages_to(user); }

 private:
  GraphServiceRig rig_;
  std::unique_ptr<storage::ConsoleStore> store_;
};

std::string conversations_path(const std::string& id, const std::string& action) {
  return "/api/v1/conversations/" + id + "/" + action;
}

bool any_text(const std::vector<json>& messages, const std::string& needle) {
  for (const auto& m : messages) {
    if (m.dump().find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("each role's allowed and refused actions", "[console][roles]") {
  Console c;
  c.add_agent("ani", "agent");
  c.add_agent("budi", "supervisor");
  c.add_agent("citra", "admin");
  const std::string user = "6281234567890";
  c.say(user, "petugas");

  // Nobody without credentials.
  CHECK(c.call("GET", "/api/v1/conversations?state=waiting").status == 401);
  CHECK(c.call("GET", "/api/v1/conversations?state=waiting", "", {{"Authorization", "Bearer nope"}}).status == 401);
  CHECK(c.call("GET", "/api/v1/payments", "", {{"Cookie", "tilang_session=forged"}}).status == 401);

  auto agent = c.login("ani");
  auto supervisor = c.login("budi");
  auto admin = c.login("citra");
  CHECK(agent.role == "agent");

  // Agents see the queue with the number and name masked; supervisors in full.
  auto masked = c.as(agent, "GET", "/api/v1/conversations?state=waiting");
  REQUIRE(masked.status == 200);
  REQUIRE(masked.body["items"].size() == 1);
  CHECK(masked.body["items"][0]["wa_id"] == "62812****890");
  CHECK(masked.body["items"][0]["name"] == "B*** S******");
  const std::string id = masked.body["items"][0]["id"];
  CHECK(id.rfind("c", 0) == 0);
  CHECK(masked.body.dump().find(user) == std::string::npos);
  auto full = c.as(supervisor, "GET", "/api/v1/conversations?state=waiting");
  CHECK(full.body["items"][0]["wa_id"] == user);
  CHECK(full.body["items"][0]["name"] == "Budi Santoso");
  CHECK(full.body["items"][0]["position"] == 1);

  // Agent: may take over, read the transcript (masked), reply; may not read the audit log, purge,
  // import fines or dispatch shipments.
  CHECK(c.as(agent, "POST", conversations_path(id, "takeover")).status == 200);
  auto transcript = c.as(agent, "GET", conversations_path(id, "messages"));
  REQUIRE(transcript.status == 200);
  CHECK(transcript.body["conversation"]["wa_id"] == "62812****890");
  CHECK(transcript.body["items"].size() >= 2);  // "petugas" in, the queue message out
  CHECK(c.as(agent, "POST", conversations_path(id, "messages"), {{"text", "Halo, saya Ani."}}).status == 201);
  CHECK(c.as(agent, "GET", "/api/v1/audit").status == 403);
  CHECK(c.as(agent, "POST", "/api/v1/admin/purge").status == 403);
  CHECK(c.call("POST", "/api/v1/fines", "[]", {{"Authorization", "Bearer " + agent.token}}).status == 403);
  CHECK(c.as(agent, "POST", "/api/v1/shipments/1/dispatched", {{"tracking_no", "X"}}).status == 403);
  CHECK(c.as(agent, "GET", "/api/v1/payments?state=pending").status == 200);

  // Supervisor: may not reply in someone else's conversation, may release it; no audit, no purge.
  CHECK(c.as(supervisor, "POST", conversations_path(id, "messages"), {{"text", "x"}}).status == 409);
  CHECK(c.as(supervisor, "GET", "/api/v1/audit").status == 403);
  CHECK(c.as(supervisor, "POST", "/api/v1/admin/purge").status == 403);
  CHECK(c.as(supervisor, "POST", conversations_path(id, "release")).status == 200);

  // Another agent may not release a conversation that is not theirs.
  c.add_agent("dewi", "agent");
  auto dewi = c.login("dewi");
  CHECK(c.as(agent, "POST", conversations_path(id, "takeover")).status == 200);
  CHECK(c.as(dewi, "POST", conversations_path(id, "release")).status == 403);
  CHECK(c.as(dewi, "POST", conversations_path(id, "takeover")).status == 409);

  // Admin reads the audit log: every action and every view of personal data is there.
  auto audit = c.as(admin, "GET", "/api/v1/audit");
  REQUIRE(audit.status == 200);
  const std::string log = audit.body.dump();
  for (const char* action : {"\"login\"", "\"takeover\"", "\"reply\"", "\"view_transcript\"", "\"view_queue\"",
                             "\"release\"", "\"view_payments\""}) {
    INFO(action);
    CHECK(log.find(action) != std::string::npos);
  }
  // The machine token acts as an admin.
  CHECK(c.call("GET", "/api/v1/audit", "", {{"Authorization", "Bearer " + std::string(api_token)}}).status == 200);
}

TEST_CASE("sessions expire, and logout ends them", "[console][session]") {
  Console c([](bot::Config& config) { config.session_ttl_seconds = 2; });
  c.add_agent("ani", "agent");
  auto s = c.login("ani");
  const auto issued = std::chrono::steady_clock::now();
  // Checked at once: a slow hash (PBKDF2, slower still under sanitizers) must not eat the TTL first.
  CHECK(c.as(s, "GET", "/api/v1/session").status == 200);
  auto a = c.login_answer("ani", "sandi-rahasia");
  const std::string cookie = a.headers["Set-Cookie"];
  CHECK(cookie.find("tilang_session=") == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);
  std::this_thread::sleep_until(issued + std::chrono::milliseconds(2300));
  CHECK(c.as(s, "GET", "/api/v1/session").status == 401);
  CHECK(c.call("GET", "/api/v1/conversations", "", {{"Authorization", "Bearer " + s.token}}).status == 401);

  Console d;
  d.add_agent("ani", "agent");
  auto live = d.login("ani");
  CHECK(d.as(live, "GET", "/api/v1/session").status == 200);
  CHECK(d.as(live, "POST", "/api/v1/logout").status == 200);
  CHECK(d.as(live, "GET", "/api/v1/session").status == 401);
}

TEST_CASE("`agent disable` signs the officer out everywhere and refuses new sign-ins; `agent add` re-enables",
          "[console][session]") {
  Console c;
  c.add_agent("ani", "agent");
  const auto laptop = c.login("ani");
  const auto phone = c.login("ani");
  CHECK(c.as(laptop, "GET", "/api/v1/session").status == 200);

  std::ostringstream out, err;
  CHECK(bot::run_agent_disable(c.db_path(), "ani", out, err) == 0);
  CHECK(out.str().find("2 session(s) ended") != std::string::npos);
  CHECK(c.as(laptop, "GET", "/api/v1/session").status == 401);
  CHECK(c.call("GET", "/api/v1/conversations", "", {{"Authorization", "Bearer " + phone.token}}).status == 401);
  CHECK(c.login_answer("ani", "sandi-rahasia").status == 401);

  std::ostringstream out2, err2;
  CHECK(bot::run_agent_disable(c.db_path(), "nobody", out2, err2) == 2);
  CHECK(err2.str().find("no console account named nobody") != std::string::npos);

  std::istringstream password("sandi-baru-123\n");
  std::ostringstream out3, err3;
  CHECK(bot::run_agent_add(c.db_path(), "ani", "agent", password, out3, err3) == 0);
  CHECK(c.login_answer("ani", "sandi-baru-123").status == 200);
}

TEST_CASE("state changes with the session cookie need the CSRF token", "[console][csrf]") {
  Console c;
  c.add_agent("ani", "agent");
  c.say("6281100000001", "petugas");
  auto s = c.login("ani");
  const std::string id = c.as(s, "GET", "/api/v1/conversations?state=waiting").body["items"][0]["id"];
  const std::string cookie = "tilang_session=" + s.token;
  auto missing = c.call("POST", conversations_path(id, "takeover"), "{}", {{"Cookie", cookie}});
  CHECK(missing.status == 403);
  CHECK(c.call("POST", conversations_path(id, "takeover"), "{}", {{"Cookie", cookie}, {"X-CSRF-Token", "wrong"}}).status == 403);
  CHECK(c.call("POST", "/api/v1/payments/1/verify", "{}", {{"Cookie", cookie}}).status == 403);
  CHECK(c.call("POST", "/api/v1/logout", "{}", {{"Cookie", cookie}}).status == 403);
  CHECK(c.query_int("SELECT count(*) FROM conversations WHERE mode = 'agent'") == 0);
  // Reads need no token; the bearer form (no ambient credential) needs none either.
  CHECK(c.call("GET", "/api/v1/conversations?state=waiting", "", {{"Cookie", cookie}}).status == 200);
  CHECK(c.call("POST", conversations_path(id, "takeover"), "{}", {{"Authorization", "Bearer " + s.token}}).status == 200);
  // A login form posted from another site (not JSON) is refused.
  CHECK(c.call("POST", "/api/v1/login", "username=ani&password=x", {{"Content-Type", "application/x-www-form-urlencoded"}})
            .status == 415);
}

TEST_CASE("five failed logins lock the user (and the client address) for 15 minutes", "[console][throttle]") {
  Console c;
  c.add_agent("ani", "agent");
  c.add_agent("eko", "agent");
  // (From one address: every request has one now, and it counts too; another address is used below.)
  for (int i = 0; i < 5; ++i) CHECK(c.login_answer("ani", "salah-" + std::to_string(i), "192.0.2.10").status == 401);
  auto locked = c.login_answer("ani", "sandi-rahasia");
  CHECK(locked.status == 429);
  CHECK(std::stoi(locked.headers["Retry-After"]) > 14 * 60);
  CHECK(std::stoi(locked.headers["Retry-After"]) <= 15 * 60);
  // Another user is not affected.
  CHECK(c.login_answer("eko", "sandi-rahasia").status == 200);
  // After 15 minutes (failures moved into the past) the right password works again.
  c.exec("UPDATE login_failures SET at_ms = at_ms - 16 * 60 * 1000");
  CHECK(c.login_answer("ani", "sandi-rahasia").status == 200);

  // Per client address: five failures for various names from one address lock that address.
  for (int i = 0; i < 5; ++i) CHECK(c.login_answer("nobody" + std::to_string(i), "x", "203.0.113.7").status == 401);
  CHECK(c.login_answer("eko", "sandi-rahasia", "203.0.113.7").status == 429);
  CHECK(c.login_answer("eko", "sandi-rahasia", "198.51.100.1").status == 200);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'login_throttled'") == 2);
}

TEST_CASE("the audit log records the socket's address; a client cannot forge it", "[console][audit]") {
  Console c;
  c.add_agent("ani", "agent");
  // Direct from this host, no proxy header: the peer address itself.
  REQUIRE(c.login_answer("ani", "sandi-rahasia").status == 200);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'login' AND remote = '127.0.0.1'") == 1);
  // A client sending the listener's own peer header gets it replaced by the real peer.
  auto forged = c.call("POST", "/api/v1/login", json{{"username", "ani"}, {"password", "x"}}.dump(),
                       {{std::string(bot::peer_address_field), "6.6.6.6"}});
  CHECK(forged.status == 401);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE remote = '6.6.6.6'") == 0);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND remote = '127.0.0.1'") == 1);
  // Behind a reverse proxy on this host (a loopback peer), the forwarded client address counts.
  REQUIRE(c.login_answer("ani", "sandi-rahasia", "203.0.113.9").status == 200);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'login' AND remote = '203.0.113.9'") == 1);
}

TEST_CASE("two officers take over the same conversation at once: exactly one wins", "[console][takeover]") {
  Console c;
  c.add_agent("ani", "agent");
  c.add_agent("eko", "agent");
  auto ani = c.login("ani");
  auto eko = c.login("eko");
  for (int round = 0; round < 5; ++round) {
    const std::string user = "62811000001" + std::to_string(10 + round);
    c.say(user, "petugas");
    const std::string id = user;  // a conversation may be addressed by its wa_id too
    std::atomic<int> ready{0};
    int status[2] = {0, 0};
    auto racer = [&](int i, const Session& s) {
      HttpClient client = c.harness().client();
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      status[i] = client.request("POST", conversations_path(id, "takeover"), "{}",
                                 {{"Content-Type", "application/json"}, {"Cookie", "tilang_session=" + s.token},
                                  {"X-CSRF-Token", s.csrf}})
                      .status;
    };
    std::thread a(racer, 0, std::cref(ani)), b(racer, 1, std::cref(eko));
    a.join();
    b.join();
    INFO("round " << round << ": " << status[0] << " " << status[1]);
    CHECK(((status[0] == 200 && status[1] == 409) || (status[0] == 409 && status[1] == 200)));
    CHECK(c.query_int("SELECT count(*) FROM conversations WHERE user_id = '" + user + "' AND mode = 'agent'"
                      " AND owner IN ('ani', 'eko')") == 1);
  }
}

TEST_CASE("the queue is oldest first with waiting times; the user is told their position", "[console][queue]") {
  Console c;
  c.add_agent("budi", "supervisor");
  c.say("6281100000021", "petugas");
  c.say("6281100000022", "petugas");
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE recipient = '6281100000022'"
                    " AND body_json LIKE '%antrean%' AND body_json LIKE '%*2*%'") == 1);
  auto s = c.login("budi");
  auto list = c.as(s, "GET", "/api/v1/conversations?state=waiting");
  REQUIRE(list.body["items"].size() == 2);
  CHECK(list.body["items"][0]["wa_id"] == "6281100000021");
  CHECK(list.body["items"][0]["position"] == 1);
  CHECK(list.body["items"][1]["position"] == 2);
  CHECK(list.body["items"][0]["waiting_seconds"].get<std::int64_t>() >= 0);
  CHECK(list.body["items"][0]["waiting_since"].get<std::string>().find("WIB") != std::string::npos);
  CHECK(c.as(s, "GET", "/api/v1/conversations?state=nope").status == 400);
  CHECK(c.as(s, "GET", "/api/v1/conversations?state=bot").status == 200);

  // A third user asks for an officer from inside "cek denda": queued under topic "denda".
  c.say("6281100000023", "denda");
  c.say("6281100000023", "petugas");
  auto denda = c.as(s, "GET", "/api/v1/conversations?state=waiting&topic=denda");
  REQUIRE(denda.status == 200);
  REQUIRE(denda.body["items"].size() == 1);
  CHECK(denda.body["items"][0]["wa_id"] == "6281100000023");
  CHECK(denda.body["items"][0]["topic"] == "denda");
  CHECK(denda.body["items"][0]["position"] == 3);  // the whole queue's position, as the user was told
  CHECK(c.as(s, "GET", "/api/v1/conversations?state=waiting&topic=umum").body["items"].size() == 2);
  CHECK(c.as(s, "GET", "/api/v1/conversations?state=waiting").body["items"].size() == 3);
  CHECK(c.as(s, "GET", "/api/v1/conversations?state=waiting&topic=parkir").status == 400);
  CHECK(denda.body["topics"].size() == 7);
}

TEST_CASE("an agent's reply goes out through the sender; while owned the bot is silent; release resumes the menu",
          "[console][reply]") {
  Console c;
  c.add_agent("ani", "agent");
  const std::string user = "6281100000031";
  c.say(user, "petugas");
  auto s = c.login("ani");
  const std::string id = c.as(s, "GET", "/api/v1/conversations?state=waiting").body["items"][0]["id"];
  CHECK(c.as(s, "POST", conversations_path(id, "messages"), {{"text", "belum diambil"}}).status == 409);
  REQUIRE(c.as(s, "POST", conversations_path(id, "takeover")).status == 200);
  const auto bot_rows = c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + user + "' AND kind = 'message'");
  c.say(user, "halo pak, denda saya berapa?");
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + user + "' AND kind = 'message'") == bot_rows);

  auto sent = c.as(s, "POST", conversations_path(id, "messages"), {{"text", "Selamat siang, saya cek dulu ya."}});
  REQUIRE(sent.status == 201);
  CHECK(eventually([&] { return any_text(c.sent_to(user), "Selamat siang, saya cek dulu ya."); }));
  // The fake has the message before the sender has recorded Meta's answer: wait for that too.
  CHECK(eventually([&] {
    return c.query_int("SELECT count(*) FROM outbox WHERE source = 'agent' AND source_ref = 'ani' AND state = 'accepted'") == 1;
  }));
  auto transcript = c.as(s, "GET", conversations_path(id, "messages"));
  bool seen = false;
  for (const auto& item : transcript.body["items"]) {
    if (item["direction"] == "out" && item["text"] == "Selamat siang, saya cek dulu ya.") {
      seen = true;
      CHECK(item["officer"] == "ani");
      CHECK(item["status"] != "queued");
    }
  }
  CHECK(seen);
  CHECK(c.as(s, "POST", conversations_path(id, "messages"), {{"text", ""}}).status == 400);

  REQUIRE(c.as(s, "POST", conversations_path(id, "release")).status == 200);
  CHECK(c.query_int("SELECT count(*) FROM conversations WHERE user_id = '" + user + "' AND mode = 'bot'") == 1);
  CHECK(eventually([&] { return any_text(c.sent_to(user), "\"type\":\"list\""); }));
  CHECK(c.as(s, "POST", conversations_path(id, "release")).status == 409);

  // Resolve records who closed it.
  c.say(user, "petugas");
  REQUIRE(c.as(s, "POST", conversations_path(id, "takeover")).status == 200);
  REQUIRE(c.as(s, "POST", conversations_path(id, "resolve"), {{"note", "sudah dijelaskan"}}).status == 200);
  CHECK(c.query_int("SELECT count(*) FROM conversation_resolutions WHERE user_id = '" + user + "' AND resolved_by = 'ani'") == 1);
}

TEST_CASE("a closed 24-hour window refuses free text with 409 and offers the template", "[console][window]") {
  Console c;
  c.add_agent("ani", "agent");
  const std::string user = "6281100000041";
  c.say(user, "petugas");
  auto s = c.login("ani");
  const std::string id = c.as(s, "GET", "/api/v1/conversations?state=waiting").body["items"][0]["id"];
  REQUIRE(c.as(s, "POST", conversations_path(id, "takeover")).status == 200);
  c.exec("UPDATE conversations SET last_inbound_ms = last_inbound_ms - 25 * 3600 * 1000 WHERE user_id = '" + user + "'");
  auto refused = c.as(s, "POST", conversations_path(id, "messages"), {{"text", "Halo?"}});
  CHECK(refused.status == 409);
  CHECK(refused.body["code"] == "window_closed");
  CHECK(refused.body["error"].get<std::string>().find("24 jam") != std::string::npos);
  CHECK(refused.body["template"]["name"] == "petugas_tindak_lanjut");
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE source = 'agent'") == 0);
  CHECK(c.as(s, "GET", conversations_path(id, "messages")).body["conversation"]["window_open"] == false);

  REQUIRE(c.as(s, "POST", conversations_path(id, "messages"), {{"template", true}}).status == 201);
  CHECK(eventually([&] { return any_text(c.sent_to(user), "petugas_tindak_lanjut"); }));
}

TEST_CASE("payment proofs are served only to signed-in officers; verifying tells the user", "[console][media]") {
  Console c;
  c.add_agent("ani", "agent");
  const std::string user = "6281100000051";
  c.say(user, "bayar");
  c.say(user, "E1234567");
  const std::string bytes = std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-console-receipt";
  c.send_image(user, "media-console-1", bytes);
  auto s = c.login("ani");
  auto payments = c.as(s, "GET", "/api/v1/payments?state=pending");
  REQUIRE(payments.body["items"].size() == 1);
  const auto& p = payments.body["items"][0];
  CHECK(p["wa_id"] == "62811****051");
  CHECK(p["fine"]["total"].get<std::int64_t>() > 0);
  const std::string sha = p["media_sha256"];
  CHECK(c.call("GET", "/api/v1/media/" + sha).status == 401);
  auto image = c.harness().client().request("GET", "/api/v1/media/" + sha, "", {{"Cookie", "tilang_session=" + s.token}});
  CHECK(image.status == 200);
  CHECK(image.body == bytes);
  CHECK(image.headers["Content-Type"] == "image/jpeg");
  CHECK(c.as(s, "GET", "/api/v1/media/" + std::string(64, 'a')).status == 404);
  CHECK(c.as(s, "GET", "/api/v1/media/../../etc/passwd").status == 404);

  auto transcript = c.as(s, "GET", "/api/v1/conversations/" + user + "/messages");
  CHECK(transcript.body.dump().find("/api/v1/media/" + sha) != std::string::npos);

  CHECK(c.as(s, "POST", "/api/v1/payments/" + std::to_string(p["id"].get<std::int64_t>()) + "/verify").status == 200);
  CHECK(eventually([&] { return any_text(c.sent_to(user), "diverifikasi"); }));
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'view_media' AND actor = 'ani'") == 1);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'payment_verify' AND actor = 'ani'") == 1);
}

namespace {

// A user with a payment proof whose rows are aged 40 days, past a 30-day retention, and a user who
// wrote just now. Returns the stored proof's file.
std::string age_one_user_past_retention(Console& c, const std::string& user, const std::string& fresh) {
  c.say(user, "bayar");
  c.say(user, "E1234568");
  c.send_image(user, "media-old", std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-old");
  c.exec("UPDATE payments SET state = 'rejected'");
  c.say(fresh, "menu");
  const std::string old = std::to_string(Console::now_ms() - 40LL * 24 * 3600 * 1000);
  c.exec("UPDATE inbound_messages SET created_at_ms = " + old + " WHERE user_id = '" + user + "'");
  c.exec("UPDATE outbox SET created_at_ms = " + old + " WHERE recipient = '" + user + "'");
  c.exec("UPDATE media_files SET created_at_ms = " + old);
  c.exec("UPDATE conversations SET updated_at_ms = " + old + " WHERE user_id = '" + user + "'");
  const std::string path = c.only_media_path();
  REQUIRE(std::filesystem::exists(path));
  REQUIRE(eventually([&] {
    return c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + user + "' AND state IN ('queued', 'sending')") == 0;
  }));
  return path;
}

void check_purged(Console& c, const std::string& user, const std::string& fresh, const std::string& path) {
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(c.query_int("SELECT count(*) FROM media_files") == 0);
  CHECK(c.query_int("SELECT count(*) FROM inbound_messages WHERE user_id = '" + user + "'") == 0);
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + user + "'") == 0);
  CHECK(c.query_int("SELECT count(*) FROM conversations WHERE user_id = '" + user + "'") == 0);
  // Recent data stays.
  CHECK(c.query_int("SELECT count(*) FROM inbound_messages WHERE user_id = '" + fresh + "'") == 1);
}

void keep_for_30_days(bot::Config& config) {
  config.retention_days_messages = 30;
  config.retention_days_media = 30;
  config.retention_days_reports = 30;
  // Only the purges the tests ask for may delete: a scheduled one would race them on a slow run.
  config.first_purge_delay_seconds = 3600;
}

}  // namespace

TEST_CASE("the retention purge deletes old rows and media files for real", "[console][retention]") {
  Console c(keep_for_30_days);
  c.add_agent("citra", "admin");
  c.add_agent("ani", "agent");
  const std::string user = "6281100000061";
  const std::string fresh = "6281100000062";
  const std::string path = age_one_user_past_retention(c, user, fresh);

  auto agent = c.login("ani");
  CHECK(c.as(agent, "POST", "/api/v1/admin/purge").status == 403);
  auto admin = c.login("citra");
  auto purged = c.as(admin, "POST", "/api/v1/admin/purge");
  REQUIRE(purged.status == 200);
  CHECK(purged.body["media_files"] == 1);
  CHECK(purged.body["inbound_messages"].get<int>() >= 3);
  check_purged(c, user, fresh, path);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'purge' AND actor = 'citra'") == 1);
}

TEST_CASE("the scheduled retention purge runs soon after a start, with nobody asking", "[console][retention]") {
  Console c(keep_for_30_days);
  const std::string user = "6281100000063";
  const std::string fresh = "6281100000064";
  const std::string path = age_one_user_past_retention(c, user, fresh);
  CHECK(c.query_int("SELECT count(*) FROM media_files") == 1);

  c.harness().restart([](bot::Config& config) { config.first_purge_delay_seconds = 0; });
  // Files go first, then the rows in one transaction: wait for both.
  REQUIRE(eventually([&] {
    return c.query_int("SELECT count(*) FROM media_files") == 0 &&
           c.query_int("SELECT count(*) FROM conversations WHERE user_id = '" + user + "'") == 0;
  }));
  check_purged(c, user, fresh, path);
}

TEST_CASE("erasing a user's data on request deletes theirs, keeps open work and other users' data", "[console][erase]") {
  Console c;
  c.add_agent("citra", "admin");
  c.add_agent("ani", "agent");
  const std::string user = "6281100000081";
  const std::string other = "6281100000082";
  c.say(user, "bayar");
  c.say(user, "E1234568");
  c.send_image(user, "media-erase", std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-erase");
  c.say(other, "menu");
  auto finished = [&](const std::string& who) {
    return c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + who + "' AND state IN ('queued', 'sending')") == 0;
  };
  REQUIRE(eventually([&] { return finished(user) && finished(other); }));
  REQUIRE(c.query_int("SELECT count(*) FROM payments WHERE wa_id = '" + user + "' AND state = 'pending'") == 1);
  const std::string proof = c.only_media_path();

  auto agent = c.login("ani");
  CHECK(c.as(agent, "POST", "/api/v1/admin/erase", json{{"wa_id", user}}).status == 403);
  auto admin = c.login("citra");
  CHECK(c.as(admin, "POST", "/api/v1/admin/erase", json{{"wa_id", "bukan nomor"}}).status == 400);
  CHECK(c.as(admin, "POST", "/api/v1/admin/erase", json::array()).status == 400);

  // The number as people write it; the proof still waits for an officer, so it stays.
  auto first = c.as(admin, "POST", "/api/v1/admin/erase", json{{"wa_id", "0811-0000-0081"}});
  REQUIRE(first.status == 200);
  CHECK(first.body["wa_id"] == user);
  CHECK(first.body["deleted"]["inbound_messages"].get<int>() >= 3);
  CHECK(first.body["deleted"]["outbox"].get<int>() >= 3);
  CHECK(first.body["deleted"]["conversations"] == 1);
  CHECK(first.body["deleted"]["media_files"] == 0);
  CHECK(first.body["kept"]["pending_proofs"] == 1);
  CHECK(first.body["kept"]["conversation_with_officer"] == false);
  CHECK(std::filesystem::exists(proof));
  CHECK(c.query_int("SELECT count(*) FROM inbound_messages WHERE user_id = '" + user + "'") == 0);
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + user + "'") == 0);
  CHECK(c.query_int("SELECT count(*) FROM message_status WHERE recipient = '" + user + "'") == 0);
  CHECK(c.query_int("SELECT count(*) FROM conversations WHERE user_id = '" + user + "'") == 0);

  // Once an officer has decided, erasing again removes the proof's file and row.
  c.exec("UPDATE payments SET state = 'rejected' WHERE wa_id = '" + user + "'");
  auto second = c.as(admin, "POST", "/api/v1/admin/erase", json{{"wa_id", user}});
  REQUIRE(second.status == 200);
  CHECK(second.body["deleted"]["media_files"] == 1);
  CHECK(second.body["kept"]["pending_proofs"] == 0);
  CHECK_FALSE(std::filesystem::exists(proof));
  CHECK(c.query_int("SELECT count(*) FROM media_files") == 0);

  // Someone else's conversation is untouched, and the erasure is on the record.
  CHECK(c.query_int("SELECT count(*) FROM inbound_messages WHERE user_id = '" + other + "'") == 1);
  CHECK(c.query_int("SELECT count(*) FROM conversations WHERE user_id = '" + other + "'") == 1);
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + other + "'") >= 1);
  CHECK(c.query_int("SELECT count(*) FROM audit_log WHERE action = 'erase' AND actor = 'citra' AND target = '" + user +
                    "'") == 2);
}

TEST_CASE("erasing one user keeps a file another user's proof also needs", "[console][erase]") {
  Console c;
  c.add_agent("citra", "admin");
  const std::string user = "6281100000083";
  const std::string other = "6281100000084";
  const std::string same_bytes = std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF-shared";
  c.say(user, "bayar");
  c.say(user, "E1234568");
  c.send_image(user, "media-shared-1", same_bytes);
  c.say(other, "bayar");
  c.say(other, "E1234567");
  c.send_image(other, "media-shared-2", same_bytes);
  REQUIRE(c.query_int("SELECT count(*) FROM payments") == 2);
  REQUIRE(c.query_int("SELECT count(*) FROM media_files") == 1);  // stored once per content
  // Both decided, so only "another user's record needs it" can keep the file.
  c.exec("UPDATE payments SET state = 'rejected' WHERE wa_id = '" + user + "'");
  c.exec("UPDATE payments SET state = 'verified' WHERE wa_id = '" + other + "'");

  auto admin = c.login("citra");
  auto erased = c.as(admin, "POST", "/api/v1/admin/erase", json{{"wa_id", user}});
  REQUIRE(erased.status == 200);
  CHECK(erased.body["deleted"]["media_files"] == 0);
  CHECK(c.query_int("SELECT count(*) FROM media_files") == 1);
  CHECK(c.query_int("SELECT count(*) FROM payments WHERE wa_id = '" + other + "'") == 1);
}

TEST_CASE("outside working hours the user is told when officers are back", "[console][hours]") {
  // Open only on a day that is not today (WIB), so now is always outside the hours.
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(7);
  const auto day = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
  const char* names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  const std::string other_day = names[((day % 7) + 7 + 3 + 3) % 7];  // three days from today
  Console c([&](bot::Config& config) { config.working_hours = other_day + " 08:00-16:00"; });
  const std::string user = "6281100000071";
  c.say(user, "petugas");
  CHECK(c.query_int("SELECT count(*) FROM outbox WHERE recipient = '" + user +
                    "' AND body_json LIKE '%di luar jam layanan%' AND body_json LIKE '%08.00 WIB%'") == 1);
}

// The fake Graph API behaves like Meta's where the service depends on it: auth, validation,
// error JSON, injected faults, and the two-step media download.
#include <catch2/catch.hpp>

#include <mutex>
#include <utility>
#include <vector>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "bot/net.hpp"
#include "bot/webhook_parser.hpp"
#include "tests/support/fake_graph_api.hpp"

using nlohmann::json;
using tilang::test::FakeGraphApi;
using tilang::test::GraphFault;

namespace {

namespace net = tilang::net;
namespace beast = tilang::beast;
namespace http = tilang::http;
using tilang::tcp;

struct Answer {
  int status = 0;
  bool dropped = false;  // the connection closed without an answer
  std::string body;
  std::string content_type;
  json json_body() const { return json::parse(body, nullptr, false); }
};

// One request on a fresh connection, headers exactly as given (no implicit User-Agent).
Answer call(std::uint16_t port, http::verb method, const std::string& target,
            const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(20));
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(stream, buffer, res, ec);
  Answer answer;
  if (ec) {
    answer.dropped = true;
    return answer;
  }
  answer.status = res.result_int();
  answer.body = res.body();
  answer.content_type = std::string(res[http::field::content_type]);
  return answer;
}

std::map<std::string, std::string> bearer(const std::string& token = "test-token") {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

const std::string send_path = "/v25.0/100000000000001/messages";

Answer send(const FakeGraphApi& fake, const json& body) {
  return call(fake.port(), http::verb::post, send_path, body.dump(), bearer());
}

json text_to(const std::string& to, const std::string& text) {
  return {{"messaging_product", "whatsapp"},
          {"recipient_type", "individual"},
          {"to", to},
          {"type", "text"},
          {"text", {{"body", text}}}};
}

json buttons(int count, std::size_t title_length = 5) {
  json list = json::array();
  for (int i = 0; i < count; ++i) {
    list.push_back({{"type", "reply"},
                    {"reply",
                     {{"id", "b" + std::to_string(i)},
                      {"title", std::string(title_length - 1, 'T') + std::to_string(i)}}}});
  }
  return {{"messaging_product", "whatsapp"},
          {"to", "6281234567890"},
          {"type", "interactive"},
          {"interactive",
           {{"type", "button"}, {"body", {{"text", "Pilih"}}}, {"action", {{"buttons", list}}}}}};
}

json list_message(int rows_per_section, int sections) {
  json secs = json::array();
  int n = 0;
  for (int s = 0; s < sections; ++s) {
    json rows = json::array();
    for (int r = 0; r < rows_per_section; ++r, ++n) {
      rows.push_back({{"id", "row" + std::to_string(n)}, {"title", "Row " + std::to_string(n)}});
    }
    secs.push_back({{"title", "Section " + std::to_string(s)}, {"rows", rows}});
  }
  return {{"messaging_product", "whatsapp"},
          {"to", "6281234567890"},
          {"type", "interactive"},
          {"interactive",
           {{"type", "list"},
            {"body", {{"text", "Menu"}}},
            {"action", {{"button", "Pilih menu"}, {"sections", secs}}}}}};
}

void check_error(const Answer& a, int http_status, int code) {
  INFO("body: " << a.body);
  CHECK(a.status == http_status);
  const json j = a.json_body();
  REQUIRE(j.is_object());
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"] == code);
  CHECK(j["error"]["type"] == "OAuthException");
  const bool names_code =
      j["error"]["message"].get<std::string>().find(std::to_string(code)) != std::string::npos;
  CHECK((names_code || code == 190));  // Meta's 190 message is prose without "(#190)"
  CHECK(j["error"].contains("fbtrace_id"));
}

}  // namespace

TEST_CASE("fake graph: sends without the right bearer token are refused with 190", "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  const std::string body = text_to("6281234567890", "halo").dump();
  check_error(call(fake.port(), http::verb::post, send_path, body), 401, 190);
  check_error(call(fake.port(), http::verb::post, send_path, body, bearer("wrong")), 401, 190);
  check_error(call(fake.port(), http::verb::post, send_path, body, {{"Authorization", "test-token"}}),
              401, 190);
  CHECK(fake.messages().empty());
  CHECK(fake.attempts() == 3);
}

TEST_CASE("fake graph: bodies Meta would refuse get (#100)", "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  json no_product = text_to("6281", "x");
  no_product.erase("messaging_product");
  json no_to = text_to("6281", "x");
  no_to.erase("to");
  json unknown_type = text_to("6281", "x");
  unknown_type["type"] = "hologram";
  json stray_key = text_to("6281", "x");
  stray_key["image"] = {{"id", "1"}};
  json bad_text_key = text_to("6281", "x");
  bad_text_key["text"]["preview"] = true;
  json dup_ids = buttons(2);
  dup_ids["interactive"]["action"]["buttons"][1]["reply"]["id"] = "b0";
  json dup_titles = buttons(2);
  dup_titles["interactive"]["action"]["buttons"][1]["reply"]["title"] =
      dup_titles["interactive"]["action"]["buttons"][0]["reply"]["title"];
  json long_button_body = buttons(1);
  long_button_body["interactive"]["body"]["text"] = std::string(1025, 'x');
  json long_row_title = list_message(1, 1);
  long_row_title["interactive"]["action"]["sections"][0]["rows"][0]["title"] = std::string(25, 'r');
  json long_description = list_message(1, 1);
  long_description["interactive"]["action"]["sections"][0]["rows"][0]["description"] =
      std::string(73, 'd');
  json untitled_sections = list_message(1, 2);
  untitled_sections["interactive"]["action"]["sections"][1].erase("title");
  json long_list_button = list_message(1, 1);
  long_list_button["interactive"]["action"]["button"] = std::string(21, 'b');
  const json template_no_language = {{"messaging_product", "whatsapp"},
                                     {"to", "6281"},
                                     {"type", "template"},
                                     {"template", {{"name", "etle_notice"}}}};
  const json template_no_code = {{"messaging_product", "whatsapp"},
                                 {"to", "6281"},
                                 {"type", "template"},
                                 {"template", {{"name", "etle_notice"}, {"language", json::object()}}}};
  const json image_without_media = {
      {"messaging_product", "whatsapp"}, {"to", "6281"}, {"type", "image"}, {"image", json::object()}};
  const json read_without_id = {{"messaging_product", "whatsapp"}, {"status", "read"}};

  const std::map<std::string, std::string> bad{
      {"not JSON", "{oops"},
      {"JSON array", "[1,2]"},
      {"no messaging_product", no_product.dump()},
      {"no to nor recipient", no_to.dump()},
      {"unknown type", unknown_type.dump()},
      {"stray content key", stray_key.dump()},
      {"unknown key in text", bad_text_key.dump()},
      {"empty text", text_to("6281", "").dump()},
      {"text of 4097 characters", text_to("6281", std::string(4097, 'a')).dump()},
      {"no buttons", buttons(0).dump()},
      {"4 buttons", buttons(4).dump()},
      {"button title of 21", buttons(1, 21).dump()},
      {"duplicate button ids", dup_ids.dump()},
      {"duplicate button titles", dup_titles.dump()},
      {"button body of 1025", long_button_body.dump()},
      {"11 rows in total", list_message(6, 2).dump()},
      {"row title of 25", long_row_title.dump()},
      {"row description of 73", long_description.dump()},
      {"untitled section among several", untitled_sections.dump()},
      {"list button of 21", long_list_button.dump()},
      {"template without language", template_no_language.dump()},
      {"template without language code", template_no_code.dump()},
      {"image without id or link", image_without_media.dump()},
      {"mark-as-read without message_id", read_without_id.dump()},
  };
  for (const auto& [name, body] : bad) {
    INFO("case: " << name);
    const Answer a = call(fake.port(), http::verb::post, send_path, body, bearer());
    check_error(a, 400, 100);
    const json j = a.json_body();
    CHECK(j["error"]["error_data"]["messaging_product"] == "whatsapp");
    CHECK_FALSE(j["error"]["error_data"]["details"].get<std::string>().empty());
  }
  CHECK(fake.messages().empty());
  CHECK(fake.read_receipts().empty());
}

TEST_CASE("fake graph: limits are inclusive and counted in characters", "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  CHECK(send(fake, text_to("6281", std::string(4096, 'a'))).status == 200);
  // 20 characters of 2 bytes each: over 20 bytes but within Meta's 20-character limit.
  json emoji_title = buttons(1);
  std::string title;
  for (int i = 0; i < 20; ++i) title += "\xC3\xA9";  // é
  emoji_title["interactive"]["action"]["buttons"][0]["reply"]["title"] = title;
  CHECK(send(fake, emoji_title).status == 200);
  CHECK(send(fake, buttons(3, 20)).status == 200);
  CHECK(send(fake, list_message(5, 2)).status == 200);
  CHECK(fake.messages().size() == 4);
}

TEST_CASE("fake graph: valid sends are accepted with unique wamids and recorded", "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  // The hook runs on the fake's thread: record under a lock, assert on this thread.
  std::mutex hook_mutex;
  std::vector<std::pair<std::string, json>> hooked;
  fake.on_accepted([&](const std::string& wamid, const json& request) {
    std::lock_guard lock(hook_mutex);
    hooked.emplace_back(wamid, request);
  });

  const Answer text = send(fake, text_to("+62 812-3456-7890", "Denda Anda Rp500.000"));
  REQUIRE(text.status == 200);
  const json tj = text.json_body();
  CHECK(tj["messaging_product"] == "whatsapp");
  CHECK(tj["contacts"][0]["input"] == "+62 812-3456-7890");
  CHECK(tj["contacts"][0]["wa_id"] == "6281234567890");
  const std::string wamid1 = tj["messages"][0]["id"];
  CHECK(wamid1.rfind("wamid.", 0) == 0);

  const Answer button = send(fake, buttons(3));
  REQUIRE(button.status == 200);
  const Answer list = send(fake, list_message(10, 1));
  REQUIRE(list.status == 200);
  const json bsuid = {{"messaging_product", "whatsapp"},
                      {"recipient", "ID.13491208655302741918"},
                      {"type", "template"},
                      {"template", {{"name", "etle_notice"}, {"language", {{"code", "id"}}}}}};
  const Answer tpl = send(fake, bsuid);
  REQUIRE(tpl.status == 200);
  CHECK(tpl.json_body()["contacts"][0]["user_id"] == "ID.13491208655302741918");

  std::set<std::string> wamids{wamid1, button.json_body()["messages"][0]["id"],
                               list.json_body()["messages"][0]["id"],
                               tpl.json_body()["messages"][0]["id"]};
  CHECK(wamids.size() == 4);
  CHECK(fake.wait_for_messages(4, std::chrono::seconds(1)));
  CHECK_FALSE(fake.wait_for_messages(5, std::chrono::milliseconds(10)));
  REQUIRE(fake.messages().size() == 4);
  CHECK(fake.messages()[0]["text"]["body"] == "Denda Anda Rp500.000");
  CHECK(fake.accepted()[0].wamid == wamid1);
  CHECK(fake.accepted()[0].phone_number_id == "100000000000001");
  CHECK(fake.messages_to("6281234567890").size() == 3);  // "+62 812-…" and "6281234567890" match
  CHECK(fake.messages_to("ID.13491208655302741918").size() == 1);
  CHECK(fake.messages_to("628999").empty());
  {
    std::lock_guard lock(hook_mutex);
    REQUIRE(hooked.size() == 4);
    CHECK(hooked[0].first == wamid1);
    CHECK(hooked[0].second == fake.messages()[0]);
    CHECK(hooked[3].second["template"]["name"] == "etle_notice");
  }

  // Mark-as-read (with typing indicator) is answered {"success":true} and not a message.
  const Answer read =
      send(fake, {{"messaging_product", "whatsapp"},
                  {"status", "read"},
                  {"message_id", "wamid.in1"},
                  {"typing_indicator", {{"type", "text"}}}});
  REQUIRE(read.status == 200);
  CHECK(read.json_body() == json{{"success", true}});
  CHECK(fake.read_receipts() == std::vector<std::string>{"wamid.in1"});
  CHECK(fake.messages().size() == 4);
}

TEST_CASE("fake graph: every send example of Meta's OpenAPI is accepted", "[fake_graph]") {
  std::ifstream in(std::string(TILANGBOT_SHARED_DIR) + "/spec/send-message.schema.json");
  REQUIRE(in);
  const json spec = json::parse(in);
  FakeGraphApi fake;
  fake.start();
  int sent = 0;
  for (const auto& [name, example] : spec["examples"].items()) {
    INFO("example: " << name);
    json body = example;
    // The examples carry placeholders where a real recipient and media URL go.
    if (body.contains("to")) body["to"] = "+6281234567890";
    for (const char* media : {"image", "audio", "video", "document", "sticker"}) {
      if (body.contains(media) && body[media].contains("link")) {
        body[media]["link"] = "https://example.go.id/media";
      }
    }
    const Answer a = send(fake, body);
    INFO("answer: " << a.body);
    CHECK(a.status == 200);
    ++sent;
  }
  CHECK(sent == 50);
}

TEST_CASE("fake graph: injected faults answer like Meta, then normal service resumes",
          "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  const json body = text_to("6281234567890", "halo");
  fake.push_fault(GraphFault::error(130429));
  fake.push_fault(GraphFault::error(131056));
  fake.push_fault(GraphFault::error(131047));
  fake.push_fault(GraphFault::error(190));
  fake.push_fault(GraphFault::error(131000));
  fake.push_fault(GraphFault::error(2));
  fake.push_fault(GraphFault::drop());

  const Answer rate = send(fake, body);
  check_error(rate, 400, 130429);
  CHECK(rate.json_body()["error"]["message"] == "(#130429) Rate limit hit");
  const Answer pair = send(fake, body);
  check_error(pair, 400, 131056);
  CHECK(pair.json_body()["error"]["message"] ==
        "(#131056) (Business Account, Consumer Account) pair rate limit hit");
  check_error(send(fake, body), 400, 131047);
  check_error(send(fake, body), 401, 190);
  check_error(send(fake, body), 500, 131000);
  check_error(send(fake, body), 503, 2);
  const Answer dropped = send(fake, body);
  CHECK(dropped.dropped);
  CHECK(fake.messages().empty());

  CHECK(send(fake, body).status == 200);
  CHECK(fake.messages().size() == 1);
  CHECK(fake.attempts() == 8);

  SECTION("a fault for several sends") {
    fake.push_fault(GraphFault::error(131000), 2);
    CHECK(send(fake, body).status == 500);
    CHECK(send(fake, body).status == 500);
    CHECK(send(fake, body).status == 200);
  }
}

TEST_CASE("fake graph: random failures follow the seed", "[fake_graph]") {
  auto pattern = [](std::uint32_t seed) {
    FakeGraphApi fake;
    fake.start();
    fake.set_failure_ratio(0.5, seed, 130429);
    std::string out;
    for (int i = 0; i < 40; ++i) {
      const Answer a = send(fake, text_to("6281", "x"));
      out += a.status == 200 ? '.' : 'F';
      if (a.status != 200) CHECK(a.json_body()["error"]["code"] == 130429);
    }
    return out;
  };
  const std::string first = pattern(42);
  CHECK(first == pattern(42));
  CHECK(first.find('F') != std::string::npos);
  CHECK(first.find('.') != std::string::npos);

  FakeGraphApi all;
  all.start();
  all.set_failure_ratio(1.0, 7);
  for (int i = 0; i < 5; ++i) CHECK(send(all, text_to("6281", "x")).status == 500);
  all.set_failure_ratio(0, 7);
  CHECK(send(all, text_to("6281", "x")).status == 200);
}

TEST_CASE("fake graph: a response delay holds the answer back", "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  fake.set_response_delay(std::chrono::milliseconds(150));
  const auto start = std::chrono::steady_clock::now();
  CHECK(send(fake, text_to("6281", "x")).status == 200);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
}

TEST_CASE("fake graph: media download needs the bearer token twice and a User-Agent",
          "[fake_graph]") {
  FakeGraphApi fake;
  fake.start();
  const std::string bytes("\x89PNG\r\n\x1a\n\0fake-proof", 19);
  fake.add_media("1003383421387256", "image/png", bytes);

  check_error(call(fake.port(), http::verb::get, "/v25.0/1003383421387256"), 401, 190);
  const Answer unknown = call(fake.port(), http::verb::get, "/v25.0/999", "", bearer());
  check_error(unknown, 404, 100);

  const Answer info = call(fake.port(), http::verb::get, "/v25.0/1003383421387256", "", bearer());
  REQUIRE(info.status == 200);
  const json j = info.json_body();
  CHECK(j["messaging_product"] == "whatsapp");
  CHECK(j["mime_type"] == "image/png");
  CHECK(j["file_size"] == "19");
  CHECK(j["id"] == "1003383421387256");
  CHECK(j["sha256"].get<std::string>().size() == 64);
  const std::string url = j["url"];
  const std::string prefix = fake.base_url();
  REQUIRE(url.rfind(prefix, 0) == 0);
  const std::string target = url.substr(prefix.size());

  const Answer no_token = call(fake.port(), http::verb::get, target, "", {{"User-Agent", "t/1"}});
  CHECK(no_token.status == 401);
  const Answer no_agent = call(fake.port(), http::verb::get, target, "", bearer());
  CHECK(no_agent.status == 400);
  CHECK(fake.media_downloads() == 0);
  auto with_agent = bearer();
  with_agent["User-Agent"] = "tilangbot-tests/1";
  const Answer file = call(fake.port(), http::verb::get, target, "", with_agent);
  REQUIRE(file.status == 200);
  CHECK(file.body == bytes);
  CHECK(file.content_type == "image/png");
  CHECK(fake.media_downloads() == 1);

  // An expired URL answers 404; a fresh one from step 1 works again.
  fake.invalidate_media_urls();
  CHECK(call(fake.port(), http::verb::get, target, "", with_agent).status == 404);
  const Answer again = call(fake.port(), http::verb::get, "/v25.0/1003383421387256", "", bearer());
  const std::string fresh = again.json_body()["url"].get<std::string>().substr(prefix.size());
  CHECK(call(fake.port(), http::verb::get, fresh, "", with_agent).body == bytes);
}

TEST_CASE("fake graph: status_notification is a status webhook the parser reads", "[fake_graph]") {
  const auto delivered = tilang::bot::parse_notification(tilang::test::status_notification(
      "100000000000001", "wamid.FAKE1", "6281234567890", "delivered"));
  REQUIRE(delivered.ok);
  REQUIRE(delivered.statuses.size() == 1);
  CHECK(delivered.statuses[0].wamid == "wamid.FAKE1");
  CHECK(delivered.statuses[0].business_number == "100000000000001");
  CHECK(delivered.statuses[0].recipient == "6281234567890");
  CHECK(delivered.statuses[0].status == tilang::flows::DeliveryStatus::delivered);
  CHECK(delivered.statuses[0].timestamp > 0);

  const auto failed = tilang::bot::parse_notification(tilang::test::status_notification(
      "100000000000001", "wamid.FAKE2", "ID.777", "failed", 131047));
  REQUIRE(failed.statuses.size() == 1);
  CHECK(failed.statuses[0].status == tilang::flows::DeliveryStatus::failed);
  CHECK(failed.statuses[0].recipient == "ID.777");
  CHECK(failed.statuses[0].error_code == 131047);
  CHECK(failed.statuses[0].error_title == "Re-engagement message");
  CHECK(failed.unknown_items == 0);
}

TEST_CASE("fake graph: a send from another phone number id is refused", "[fake_graph]") {
  tilang::test::FakeGraphOptions options;
  options.phone_number_id = "100000000000001";
  FakeGraphApi fake(options);
  fake.start();
  CHECK(send(fake, text_to("6281", "x")).status == 200);
  const Answer other = call(fake.port(), http::verb::post, "/v25.0/555/messages",
                            text_to("6281", "x").dump(), bearer());
  check_error(other, 400, 100);
  check_error(call(fake.port(), http::verb::post, "/latest/100000000000001/messages",
                   text_to("6281", "x").dump(), bearer()),
              400, 100);
  fake.stop();
  fake.stop();  // idempotent
}

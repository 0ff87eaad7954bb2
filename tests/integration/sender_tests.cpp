// Sender + GraphClient against the fake Graph API on loopback, with Meta's faults: every row ends
// accepted exactly once or failed with its reason, per-recipient order holds, the number's limit
// holds in the fake's receive times, and a restart sends nothing twice.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "bot/graph_client.hpp"
#include "bot/sender.hpp"
#include "storage/outbox_store.hpp"
#include "tests/support/fake_graph_api.hpp"
#include "tests/support/service_harness.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;
using namespace std::chrono_literals;
using nlohmann::json;
using test::eventually;

namespace {

constexpr const char* phone_id = "100000000000001";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bot::SenderOptions fast_options() {
  bot::SenderOptions o;
  o.max_mps = 0;
  o.pair_burst = 1000;
  o.pair_refill_ms = 50;  // after a 131056 the recipient gets one message per refill
  o.backoff_base_ms = 10;
  o.backoff_cap_ms = 100;
  o.pair_backoff_base_ms = 20;
  o.ambiguous_delay_ms = 300;
  o.throughput_pause_ms = 50;
  o.token_probe_ms = 200;
  o.idle_poll = 20ms;
  o.webhook_poll = 20ms;
  o.workers = 4;
  return o;
}

std::string text_body(const std::string& to, const std::string& text) {
  return json{{"messaging_product", "whatsapp"}, {"to", to}, {"type", "text"}, {"text", {{"body", text}}}}.dump();
}

std::string template_body(const std::string& to) {
  return json{{"messaging_product", "whatsapp"},
              {"to", to},
              {"type", "template"},
              {"template", {{"name", "tilang_reengage"}, {"language", {{"code", "id"}}}}}}
      .dump();
}

// Meta's status webhooks, simulated: every message the fake accepts gets a 'sent' status stored
// through the real parser's Store (another connection, another thread), as POST /webhook would.
class StatusFeed {
 public:
  StatusFeed(const std::string& db, test::FakeGraphApi& fake) : store_(storage::open_sqlite_store({db, 0})) {
    fake.on_accepted([this](const std::string& wamid, const json& body) {
      storage::StatusRow row;
      row.wamid = wamid;
      row.business_number = phone_id;
      row.recipient = body.value("to", std::string());
      row.status = "sent";
      row.timestamp = 1;
      row.biz_opaque_callback_data = body.value("biz_opaque_callback_data", std::string());
      std::lock_guard lock(mutex_);
      queue_.push_back(row);
      cv_.notify_one();
    });
    thread_ = std::thread([this] { run(); });
  }
  ~StatusFeed() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void fail(const std::string& wamid, int code) {
    storage::StatusRow row;
    row.wamid = wamid;
    row.business_number = phone_id;
    row.status = "failed";
    row.timestamp = 2;
    row.error_code = code;
    row.error_title = "failed";
    row.error_details = "status webhook " + std::to_string(code);
    std::lock_guard lock(mutex_);
    queue_.push_back(row);
    cv_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::vector<storage::StatusRow> rows;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty() && stop_) return;
        rows.assign(queue_.begin(), queue_.end());
        queue_.clear();
      }
      const storage::InboxRow raw{0, 1, "{}"};
      REQUIRE(store_->append_inbox({&raw, 1}).ok);
      storage::ParsedInbox parsed;
      parsed.inbox_id = store_->unparsed_inbox(1).at(0).id;
      parsed.statuses = rows;
      REQUIRE(store_->record_parsed(parsed).status.ok);
    }
  }

  std::unique_ptr<storage::Store> store_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<storage::StatusRow> queue_;
  bool stop_ = false;
  std::thread thread_;
};

struct Rig {
  test::TempDir dir;
  std::string db = dir.file("sender.db");
  test::FakeGraphApi fake{test::FakeGraphOptions{"test-token", phone_id}};
  std::unique_ptr<bot::GraphClient> client;
  std::unique_ptr<storage::OutboxStore> out;
  std::mt19937 rng{42};

  explicit Rig(std::chrono::milliseconds read_timeout = 5000ms) {
    fake.start();
    bot::GraphClientOptions o;
    o.base_url = fake.base_url();
    o.access_token = "test-token";
    o.read_timeout = read_timeout;
    client = std::make_unique<bot::GraphClient>(o);
    out = storage::open_sqlite_outbox(db);
  }

  std::unique_ptr<bot::Sender> sender(bot::SenderOptions options) {
    auto s = std::make_unique<bot::Sender>(*client, storage::open_sqlite_outbox(db), options, &wall_ms,
                                           [this] { return std::uniform_real_distribution<double>(0, 1)(rng); });
    s->start();
    return s;
  }

  std::int64_t enqueue(const std::string& to, const std::string& text, const std::string& fallback = "") {
    storage::NewOutboxMessage m;
    m.business_number = phone_id;
    m.recipient = to;
    m.body_json = text_body(to, text);
    m.fallback_json = fallback;
    const auto r = out->enqueue(m, wall_ms());
    REQUIRE(r.status.ok);
    return r.id;
  }

  std::int64_t enqueue_read_receipt(const std::string& to, const std::string& inbound_wamid) {
    storage::NewOutboxMessage m;
    m.business_number = phone_id;
    m.recipient = to;
    m.kind = "read";
    m.body_json = nlohmann::json{{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", inbound_wamid}}.dump();
    const auto r = out->enqueue(m, wall_ms());
    REQUIRE(r.status.ok);
    return r.id;
  }

  bool all_final() { return out->backlog() == 0; }

  // No message reached the fake twice (by callback data), and every accepted row is the fake's.
  void check_exactly_once() {
    std::set<std::string> opaques;
    std::map<std::string, std::string> wamid_to_opaque;
    for (const auto& m : fake.accepted()) {
      const std::string opaque = m.body.value("biz_opaque_callback_data", std::string());
      REQUIRE_FALSE(opaque.empty());
      INFO("duplicate send of " << opaque);
      CHECK(opaques.insert(opaque).second);
      wamid_to_opaque[m.wamid] = opaque;
    }
    for (const auto& [wamid, opaque] : wamid_to_opaque) {
      const auto row = out->find_by_opaque(opaque);
      REQUIRE(row);
      CHECK(row->state == "accepted");
      CHECK(row->wamid == wamid);
    }
  }
};

std::vector<std::string> texts_to(const test::FakeGraphApi& fake, const std::string& to) {
  std::vector<std::string> out;
  for (const auto& body : fake.messages_to(to)) {
    if (body.contains("text")) out.push_back(body["text"]["body"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("sender: every row is sent once, in order per recipient, with its callback data") {
  Rig rig;
  std::map<std::string, std::vector<std::string>> expected;
  for (int i = 0; i < 12; ++i) {
    for (int u = 0; u < 8; ++u) {
      const std::string to = "62811" + std::to_string(1000 + u);
      const std::string text = "m" + std::to_string(i);
      rig.enqueue(to, text);
      expected[to].push_back(text);
    }
  }
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return rig.all_final(); }));
  sender->stop();
  CHECK(rig.fake.accepted().size() == 96);
  for (const auto& [to, texts] : expected) CHECK(texts_to(rig.fake, to) == texts);
  rig.check_exactly_once();
  const auto stats = sender->stats();
  CHECK(stats.accepted == 96);
  CHECK(stats.failed == 0);
  CHECK(stats.in_flight == 0);
  // Keep-alive: a handful of connections carried all of it.
  CHECK(rig.client->connections_opened() <= 8);
}

TEST_CASE("sender: with max_mps=50, no one-second window of the fake's receive times holds more than 50") {
  Rig rig;
  for (int i = 0; i < 300; ++i) rig.enqueue("6282" + std::to_string(100000 + i), "burst " + std::to_string(i));
  auto options = fast_options();
  options.max_mps = 50;
  options.workers = 6;
  auto sender = rig.sender(options);
  REQUIRE(eventually([&] { return rig.all_final(); }, 30s));
  sender->stop();
  const auto times = rig.fake.receive_times();
  REQUIRE(times.size() == 300);
  std::size_t worst = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    std::size_t n = 0;
    for (std::size_t j = i; j < times.size() && times[j] - times[i] < 1s; ++j) ++n;
    worst = std::max(worst, n);
  }
  CHECK(worst <= 50);
  CHECK(worst >= 40);  // the limit is used, not just respected
  rig.check_exactly_once();
}

TEST_CASE("sender: transient errors, throughput and pair-rate limits and dropped connections are retried") {
  Rig rig;
  std::map<std::string, std::vector<std::string>> expected;
  rig.fake.push_fault(test::GraphFault::error(131000), 2);  // HTTP 500
  rig.fake.push_fault(test::GraphFault::error(2), 1);       // HTTP 503
  rig.fake.push_fault(test::GraphFault::error(130429), 2);
  rig.fake.push_fault(test::GraphFault::error(131056), 2);
  rig.fake.push_fault(test::GraphFault::drop(), 2);
  for (int i = 0; i < 6; ++i) {
    for (int u = 0; u < 4; ++u) {
      const std::string to = "62813" + std::to_string(u);
      rig.enqueue(to, "t" + std::to_string(i));
      expected[to].push_back("t" + std::to_string(i));
    }
  }
  auto sender = rig.sender(fast_options());
  const bool finished = eventually([&] { return rig.all_final(); });
  if (!finished) {
    for (int u = 0; u < 4; ++u) {
      for (const auto& row : rig.out->list_by_recipient("62813" + std::to_string(u), 10)) {
        UNSCOPED_INFO(row.id << " " << row.state << " att=" << row.attempts << " doubt=" << row.in_doubt << " code="
                              << row.error_code << " next=" << row.next_attempt_ms - wall_ms() << " " << row.error_details);
      }
    }
    UNSCOPED_INFO("in_flight " << sender->stats().in_flight << " attempts " << rig.fake.attempts());
  }
  REQUIRE(finished);
  sender->stop();
  CHECK(rig.fake.accepted().size() == 24);
  CHECK(rig.fake.attempts() == 24 + 9);
  for (const auto& [to, texts] : expected) CHECK(texts_to(rig.fake, to) == texts);
  rig.check_exactly_once();
  const auto stats = sender->stats();
  CHECK(stats.accepted == 24);
  CHECK(stats.retries == 9);
  CHECK(stats.ambiguous == 2);
  CHECK(stats.failed == 0);
}

TEST_CASE("sender: permanent errors fail the row with Meta's code; retries stop at max_attempts") {
  Rig rig;
  rig.fake.push_fault(test::GraphFault::error(131026), 1);
  const auto undeliverable = rig.enqueue("628140", "a");
  auto options = fast_options();
  options.max_attempts = 3;
  {
    auto sender = rig.sender(options);
    REQUIRE(eventually([&] { return rig.all_final(); }));
  }
  auto row = rig.out->find_by_id(undeliverable);
  CHECK(row->state == "failed");
  CHECK(row->error_code == 131026);
  CHECK(row->error_details == "Unable to deliver message to this recipient.");
  CHECK(row->attempts == 1);

  rig.fake.push_fault(test::GraphFault::error(131000), 3);
  const auto flaky = rig.enqueue("628141", "b");
  {
    auto sender = rig.sender(options);
    REQUIRE(eventually([&] { return rig.all_final(); }));
    CHECK(sender->stats().failed_by_code.at(131000) == 1);
  }
  row = rig.out->find_by_id(flaky);
  CHECK(row->state == "failed");
  CHECK(row->error_code == 131000);
  CHECK(row->attempts == 3);
  CHECK(row->error_details.find("gave up after 3 attempts") != std::string::npos);
  CHECK(rig.fake.accepted().empty());
}

TEST_CASE("sender: a connection dropped twice fails the row as ambiguous, never shown as sent") {
  Rig rig;
  rig.fake.push_fault(test::GraphFault::drop(), 2);
  const auto id = rig.enqueue("628150", "dropped");
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return rig.all_final(); }));
  sender->stop();
  const auto row = rig.out->find_by_id(id);
  CHECK(row->state == "failed");
  CHECK(row->error_code == storage::outbox_error_ambiguous);
  CHECK(row->display_status() == "failed");
  CHECK(row->attempts == 2);
  CHECK(rig.fake.attempts() == 2);  // retried at most once
}

TEST_CASE("sender: slow answers time out, and the status webhook proves the send instead of a duplicate") {
  Rig rig(300ms);
  StatusFeed feed(rig.db, rig.fake);
  rig.fake.set_response_delay(700ms);
  for (int i = 0; i < 6; ++i) rig.enqueue("62816" + std::to_string(i), "slow " + std::to_string(i));
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return rig.all_final(); }));
  sender->stop();
  CHECK(rig.fake.accepted().size() == 6);
  rig.check_exactly_once();
  CHECK(sender->stats().ambiguous == 6);
  CHECK(sender->stats().accepted == 6);
  for (const auto& row : rig.out->list_by_recipient("628160", 10)) {
    CHECK(row.state == "accepted");
    CHECK(row.display_status() == "sent");
  }
}

TEST_CASE("sender: 131047 sends the row's template instead, or fails visibly without one") {
  Rig rig;
  rig.fake.push_fault(test::GraphFault::error(131047), 1);
  const auto with = rig.enqueue("628170", "free form", template_body("628170"));
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return rig.all_final(); }));
  auto row = rig.out->find_by_id(with);
  CHECK(row->state == "failed");
  CHECK(row->error_code == 131047);
  const auto bodies = rig.fake.messages_to("628170");
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0]["type"] == "template");
  CHECK(sender->stats().fallbacks == 1);

  rig.fake.push_fault(test::GraphFault::error(131047), 1);
  const auto without = rig.enqueue("628171", "free form");
  sender->wake();
  REQUIRE(eventually([&] { return rig.all_final(); }));
  row = rig.out->find_by_id(without);
  CHECK(row->state == "failed");
  CHECK(row->error_code == 131047);
  CHECK(row->error_details.find("officer") != std::string::npos);
  CHECK(rig.fake.messages_to("628171").empty());
  CHECK(sender->stats().window_closed_no_template == 1);
}

TEST_CASE("sender: a failed status webhook after acceptance fails the row; 131047 by webhook falls back") {
  Rig rig;
  StatusFeed feed(rig.db, rig.fake);
  const auto plain = rig.enqueue("628180", "will bounce");
  const auto windowed = rig.enqueue("628181", "outside window", template_body("628181"));
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return rig.all_final(); }));
  const auto a = rig.out->find_by_id(plain);
  const auto b = rig.out->find_by_id(windowed);
  REQUIRE(a->state == "accepted");
  REQUIRE(b->state == "accepted");
  REQUIRE(eventually([&] { return rig.out->find_by_id(plain)->delivery_status == "sent"; }));
  feed.fail(a->wamid, 131026);
  feed.fail(b->wamid, 131047);
  REQUIRE(eventually([&] { return rig.out->find_by_id(plain)->state == "failed"; }));
  CHECK(rig.out->find_by_id(plain)->error_code == 131026);
  REQUIRE(eventually([&] { return rig.fake.messages_to("628181").size() == 2; }));
  CHECK(rig.fake.messages_to("628181")[1]["type"] == "template");
  CHECK(rig.out->find_by_id(windowed)->state == "failed");
  CHECK(rig.out->find_by_id(windowed)->error_code == 131047);
  const auto stats = sender->stats();
  CHECK(stats.failed_by_webhook == 2);
  CHECK(stats.fallbacks == 1);
}

TEST_CASE("sender: a bad token (190) pauses all sending with an alert until the token works") {
  Rig rig;
  rig.client->set_access_token("expired-token");
  for (int i = 0; i < 10; ++i) rig.enqueue("62819" + std::to_string(i % 3), "p" + std::to_string(i));
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return sender->stats().paused_for_token; }));
  std::this_thread::sleep_for(500ms);
  // Paused: only the first send and the occasional probe (every 200 ms) reach the Graph API.
  CHECK(rig.fake.attempts() <= 8);
  CHECK(rig.fake.accepted().empty());
  CHECK(rig.out->counts().queued + rig.out->counts().sending == 10);
  for (const auto& row : rig.out->list_by_recipient("628190", 10)) CHECK(row.attempts == 0);

  rig.client->set_access_token("test-token");
  REQUIRE(eventually([&] { return rig.all_final(); }));
  CHECK_FALSE(sender->stats().paused_for_token);
  CHECK(rig.fake.accepted().size() == 10);
  rig.check_exactly_once();
}

TEST_CASE("sender: destroyed mid-run and restarted on the same database, it sends no row twice") {
  Rig rig;
  for (int i = 0; i < 200; ++i) rig.enqueue("62820" + std::to_string(i % 40), "r" + std::to_string(i));
  auto options = fast_options();
  options.max_mps = 150;
  {
    auto sender = rig.sender(options);
    REQUIRE(rig.fake.wait_for_messages(40, 10s));
  }  // destroyed while sending
  const auto after_first = rig.fake.accepted().size();
  CHECK(after_first < 200);
  auto sender = rig.sender(options);
  REQUIRE(eventually([&] { return rig.all_final(); }, 30s));
  sender->stop();
  CHECK(rig.fake.accepted().size() == 200);
  rig.check_exactly_once();
  for (int u = 0; u < 40; ++u) {
    const auto texts = texts_to(rig.fake, "62820" + std::to_string(u));
    REQUIRE(texts.size() == 5);
    for (int k = 0; k < 5; ++k) CHECK(texts[static_cast<std::size_t>(k)] == "r" + std::to_string(u + 40 * k));
  }
}

TEST_CASE("sender: rows left mid-send by a crash are re-sent only if no status webhook proves them") {
  Rig rig;
  const auto lost = rig.enqueue("628210", "never reached Meta");
  const auto arrived = rig.enqueue("628211", "reached Meta");
  // The "crashed" run claimed both; only the second one's status webhook came in.
  REQUIRE(rig.out->claim_due(wall_ms(), 10).size() == 2);
  {
    auto store = storage::open_sqlite_store({rig.db, 0});
    const storage::InboxRow raw{0, 1, "{}"};
    REQUIRE(store->append_inbox({&raw, 1}).ok);
    storage::ParsedInbox parsed;
    parsed.inbox_id = store->unparsed_inbox(1).at(0).id;
    storage::StatusRow st;
    st.wamid = "wamid.BEFORECRASH";
    st.business_number = phone_id;
    st.recipient = "628211";
    st.status = "delivered";
    st.timestamp = 1;
    st.biz_opaque_callback_data = rig.out->find_by_id(arrived)->biz_opaque_callback_data;
    parsed.statuses.push_back(st);
    REQUIRE(store->record_parsed(parsed).status.ok);
  }
  auto sender = rig.sender(fast_options());
  REQUIRE(eventually([&] { return rig.all_final(); }));
  sender->stop();
  CHECK(rig.fake.messages_to("628211").empty());
  CHECK(rig.fake.messages_to("628210").size() == 1);
  const auto a = rig.out->find_by_id(arrived);
  CHECK(a->state == "accepted");
  CHECK(a->wamid == "wamid.BEFORECRASH");
  CHECK(a->display_status() == "delivered");
  CHECK(rig.out->find_by_id(lost)->state == "accepted");
  CHECK(rig.out->find_by_id(lost)->in_doubt == 1);
}

TEST_CASE("sender: the pair rate spaces a recipient's messages after the burst") {
  Rig rig;
  for (int i = 0; i < 5; ++i) rig.enqueue("628220", "b" + std::to_string(i));
  auto options = fast_options();
  options.pair_burst = 2;
  options.pair_refill_ms = 300;
  auto sender = rig.sender(options);
  REQUIRE(eventually([&] { return rig.all_final(); }));
  sender->stop();
  const auto times = rig.fake.receive_times();
  REQUIRE(times.size() == 5);
  // Two at once, then one per 300 ms.
  CHECK(times[2] - times[0] >= 250ms);
  CHECK(times[4] - times[3] >= 250ms);
  CHECK(texts_to(rig.fake, "628220") == std::vector<std::string>{"b0", "b1", "b2", "b3", "b4"});
}

TEST_CASE("sender: read receipts do not use up a recipient's pair-rate tokens") {
  Rig rig;
  // What a lively chat leaves in the outbox: a read receipt and an answer for each user message.
  for (int i = 0; i < 3; ++i) {
    rig.enqueue_read_receipt("628221", "wamid.IN" + std::to_string(i));
    rig.enqueue("628221", "answer " + std::to_string(i));
  }
  auto options = fast_options();
  options.pair_burst = 3;         // exactly the three answers
  options.pair_refill_ms = 10000;  // had the receipts taken tokens, answers would wait 10 s each
  auto sender = rig.sender(options);
  REQUIRE(eventually([&] { return rig.all_final(); }, std::chrono::milliseconds(20000)));
  sender->stop();
  CHECK(rig.fake.read_receipts() == std::vector<std::string>{"wamid.IN0", "wamid.IN1", "wamid.IN2"});
  CHECK(texts_to(rig.fake, "628221") == std::vector<std::string>{"answer 0", "answer 1", "answer 2"});
  const auto times = rig.fake.receive_times();
  REQUIRE(times.size() == 6);
  // Half the refill: a wide margin for a slow machine (sanitizers), still failing on the old rule.
  CHECK(times.back() - times.front() < std::chrono::milliseconds(5000));
}

TEST_CASE("graph client: options are checked; plain http only to loopback") {
  bot::GraphClientOptions o;
  o.access_token = "t";
  CHECK(bot::check_graph_options(o).empty());  // https://graph.facebook.com
  o.base_url = "http://graph.facebook.com";
  CHECK_FALSE(bot::check_graph_options(o).empty());
  CHECK_THROWS_AS(bot::GraphClient(o), std::invalid_argument);
  o.base_url = "http://10.0.0.5:8080";
  CHECK_FALSE(bot::check_graph_options(o).empty());
  for (const char* ok : {"http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000",
                         "https://graph.example.com/prefix"}) {
    o.base_url = ok;
    INFO(ok);
    CHECK(bot::check_graph_options(o).empty());
  }
  o.base_url = "ftp://127.0.0.1";
  CHECK_FALSE(bot::check_graph_options(o).empty());
  o.base_url = "https://graph.facebook.com";
  o.access_token.clear();
  CHECK_FALSE(bot::check_graph_options(o).empty());
}

TEST_CASE("graph client: answers become accepted, rejected (with Meta's code), ambiguous or not sent") {
  Rig rig;
  const std::string body = text_body("628230", "hello");
  auto r = rig.client->send_message(phone_id, body);
  CHECK(r.outcome == bot::SendOutcome::accepted);
  CHECK(r.http_status == 200);
  CHECK(r.wamid.rfind("wamid.", 0) == 0);

  rig.fake.push_fault(test::GraphFault::error(131026), 1);
  r = rig.client->send_message(phone_id, body);
  CHECK(r.outcome == bot::SendOutcome::rejected);
  CHECK(r.error_code == 131026);
  CHECK(r.error_details == "Unable to deliver message to this recipient.");

  r = rig.client->send_message(phone_id, R"({"messaging_product":"whatsapp","to":"628230","type":"nope"})");
  CHECK(r.outcome == bot::SendOutcome::rejected);
  CHECK(r.error_code == 100);

  rig.fake.push_fault(test::GraphFault::drop(), 1);
  r = rig.client->send_message(phone_id, body);
  CHECK(r.outcome == bot::SendOutcome::ambiguous);

  // Mark-as-read answers success:true without an id.
  const std::string read = R"({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"})";
  r = rig.client->send_message(phone_id, read);
  CHECK(r.outcome == bot::SendOutcome::accepted);
  CHECK(r.wamid.empty());

  const auto port = rig.fake.port();
  rig.fake.stop();
  bot::GraphClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.access_token = "test-token";
  bot::GraphClient closed(o);
  r = closed.send_message(phone_id, body);
  CHECK(r.outcome == bot::SendOutcome::not_sent);
}

TEST_CASE("graph client: media download in two steps, with the size limit") {
  Rig rig;
  const std::string bytes(50'000, 'x');
  rig.fake.add_media("media-1", "image/jpeg", bytes);
  auto media = rig.client->fetch("media-1", 1'000'000);
  REQUIRE(media.ok);
  CHECK(media.bytes == bytes);
  CHECK(media.mime_type == "image/jpeg");
  CHECK(rig.fake.media_downloads() == 1);

  media = rig.client->fetch("media-1", 10'000);
  CHECK_FALSE(media.ok);
  CHECK_FALSE(media.transient);
  CHECK(rig.fake.media_downloads() == 1);

  media = rig.client->fetch("missing", 1'000'000);
  CHECK_FALSE(media.ok);
  CHECK(media.error_code == 100);
}

TEST_CASE("sender: the callback data is added to message bodies but not to mark-as-read") {
  storage::OutboxEntry row;
  row.biz_opaque_callback_data = "ob-1";
  row.kind = "message";
  row.body_json = R"({"messaging_product":"whatsapp","to":"1","text":{"body":"x"}})";
  const auto with = json::parse(bot::body_with_callback_data(row));
  CHECK(with["biz_opaque_callback_data"] == "ob-1");
  CHECK(with["text"]["body"] == "x");
  row.body_json = "{}";
  CHECK(json::parse(bot::body_with_callback_data(row))["biz_opaque_callback_data"] == "ob-1");
  row.kind = "read";
  row.body_json = R"({"messaging_product":"whatsapp","status":"read","message_id":"w"})";
  CHECK(bot::body_with_callback_data(row) == row.body_json);
}

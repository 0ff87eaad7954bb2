// EngineStore on a real SQLite file: work-list order, one-transaction turns, counters, capacity.
#include <catch2/catch.hpp>

#include "storage/engine_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;
using namespace tilang::storage;

namespace {

void add_messages(const std::string& path, const std::vector<MessageRow>& rows) {
  auto store = open_sqlite_store({path, 0});
  const InboxRow raw{0, 1, "{}"};
  REQUIRE(store->append_inbox({&raw, 1}).ok);
  ParsedInbox parsed;
  parsed.inbox_id = store->unparsed_inbox(1).at(0).id;
  parsed.messages = rows;
  REQUIRE(store->record_parsed(parsed).status.ok);
}

MessageRow message(const std::string& wamid, const std::string& user, std::int64_t ts) {
  return MessageRow{wamid, "100", user, ts, "text", R"({"v":1})"};
}

TurnCommit turn_for(const std::string& user, const std::string& wamid, int rows) {
  TurnCommit t;
  t.conversation.business_number = "100";
  t.conversation.user = user;
  t.conversation.state_text = "state of " + user;
  t.handled_wamid = wamid;
  t.now_ms = 42;
  for (int i = 0; i < rows; ++i) {
    t.outbox.push_back({"100", user, "message", "{}", wamid + "#" + std::to_string(i + 1), "bot", wamid});
  }
  return t;
}

}  // namespace

TEST_CASE("users with pending messages come in arrival order, their messages by timestamp", "[engine_store]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto store = open_sqlite_engine_store(path);
  add_messages(path, {message("w1", "62811", 20), message("w2", "62822", 10), message("w3", "62811", 15)});
  auto users = store->users_with_pending(10);
  REQUIRE(users.size() == 2);
  CHECK(users[0].user == "62811");
  CHECK(users[1].user == "62822");
  auto messages = store->pending_messages(users[0], 10);
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].wamid == "w3");
  CHECK(messages[1].wamid == "w1");
}

TEST_CASE("commit_turn writes state, outbox and handled together; abort writes nothing", "[engine_store]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto store = open_sqlite_engine_store(path);
  add_messages(path, {message("w1", "62811", 1), message("w2", "62811", 2)});

  // A domain write, then abort: neither it nor anything else stays.
  REQUIRE(store->next_sequence("BYR", "20250101") == 1);
  store->abort();
  CHECK(store->next_sequence("BYR", "20250101") == 1);
  REQUIRE(store->commit_turn(turn_for("62811", "w1", 2)).ok);
  CHECK(store->message_handled("w1"));
  CHECK_FALSE(store->message_handled("w2"));
  auto conv = store->load_conversation({"100", "62811"});
  REQUIRE(conv);
  CHECK(conv->state_text == "state of 62811");
  CHECK(store->next_sequence("BYR", "20250101") == 2);  // the committed turn kept its number
  store->abort();

  // A duplicate callback id fails the whole turn: w2 stays unhandled, the state is unchanged.
  auto bad = turn_for("62811", "w2", 1);
  bad.outbox[0].biz_opaque_callback_data = "w1#1";
  bad.conversation.state_text = "changed";
  CHECK_FALSE(store->commit_turn(bad).ok);
  CHECK_FALSE(store->message_handled("w2"));
  CHECK(store->load_conversation({"100", "62811"})->state_text == "state of 62811");

  REQUIRE(store->mark_failed("w2", "boom", 7).ok);
  CHECK(store->message_handled("w2"));
  CHECK(store->users_with_pending(10).empty());
}

TEST_CASE("sequences are per prefix and day", "[engine_store]") {
  test::TempDir dir;
  auto store = open_sqlite_engine_store(dir.file("t.db"));
  CHECK(store->next_sequence("KDN", "20250101") == 1);
  CHECK(store->next_sequence("KDN", "20250101") == 2);
  CHECK(store->next_sequence("KDN", "20250102") == 1);
  CHECK(store->next_sequence("BYR", "20250101") == 1);
  REQUIRE(store->commit().ok);
}

TEST_CASE("slots never take more than their capacity", "[engine_store]") {
  test::TempDir dir;
  auto store = open_sqlite_engine_store(dir.file("t.db"));
  REQUIRE(store->upsert_slot({0, "100", "2025-06-02", "08:00", "10:00", 2, 0}).ok);
  REQUIRE(store->upsert_slot({0, "100", "2025-06-01", "08:00", "10:00", 1, 0}).ok);
  REQUIRE(store->commit().ok);
  auto open = store->open_slots("100", "2025-06-01", "07:00", 10);
  REQUIRE(open.size() == 2);
  CHECK(open[0].date == "2025-06-01");
  CHECK(store->open_slots("100", "2025-06-01", "09:00", 10).size() == 1);  // today's slot has started
  const auto id = open[1].id;
  CHECK(store->take_slot_place(id));
  CHECK(store->take_slot_place(id));
  CHECK_FALSE(store->take_slot_place(id));
  REQUIRE(store->commit().ok);
  CHECK(store->slot(id)->booked == 2);
  CHECK(store->open_slots("100", "2025-06-01", "07:00", 10).size() == 1);
}

TEST_CASE("a payment is decided once; duplicates are found across fines only", "[engine_store]") {
  test::TempDir dir;
  auto store = open_sqlite_engine_store(dir.file("t.db"));
  PaymentRow p;
  p.reference = "BYR-20250101-0001";
  p.business_number = "100";
  p.wa_id = "62811";
  p.register_no = "E1234567";
  p.media_sha256 = "abc";
  REQUIRE(store->insert_payment(p, 1).ok);
  REQUIRE(store->commit().ok);
  CHECK_FALSE(store->payment_with_media("abc", "E1234567"));
  CHECK(store->payment_with_media("abc", "E1234568") == "BYR-20250101-0001");
  auto pending = store->payments_in_state("pending", 10);
  REQUIRE(pending.size() == 1);
  CHECK(store->decide_payment(pending[0].id, false, "blurry", "officer", 2));
  CHECK_FALSE(store->decide_payment(pending[0].id, true, "", "officer", 3));
  REQUIRE(store->commit().ok);
  auto row = store->payment_by_reference("BYR-20250101-0001");
  REQUIRE(row);
  CHECK(row->state == "rejected");
  CHECK(row->reason == "blurry");
  // A rejected proof no longer counts as "already used".
  CHECK_FALSE(store->payment_with_media("abc", "E1234568"));
}

TEST_CASE("grouped turns share one commit; a failing turn is undone alone", "[engine_store]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto store = open_sqlite_engine_store(path);
  add_messages(path, {message("g1", "62811", 1), message("g2", "62822", 2), message("g3", "62833", 3)});
  auto other = open_sqlite_engine_store(path);  // opened (and migrated) before the group holds the lock

  REQUIRE(store->begin_group().ok);
  REQUIRE(store->commit_turn(turn_for("62811", "g1", 1)).ok);
  // g2's turn takes a reference number, then fails on a duplicate callback id: only it is undone.
  REQUIRE(store->next_sequence("KDN", "20250101") == 1);
  auto bad = turn_for("62822", "g2", 1);
  bad.outbox[0].biz_opaque_callback_data = "g1#1";
  CHECK_FALSE(store->commit_turn(bad).ok);
  REQUIRE(store->commit_turn(turn_for("62833", "g3", 2)).ok);

  // Nothing is visible to another connection before the group commits.
  CHECK_FALSE(other->message_handled("g1"));
  REQUIRE(store->end_group().ok);
  CHECK(other->message_handled("g1"));
  CHECK_FALSE(other->message_handled("g2"));
  CHECK(other->message_handled("g3"));
  CHECK(other->next_sequence("KDN", "20250101") == 1);  // g2's number was rolled back with its turn
  other->abort();
  CHECK_FALSE(other->load_conversation({"100", "62822"}));
  REQUIRE(other->load_conversation({"100", "62833"}));

  // After the group, turns commit one by one again.
  REQUIRE(store->commit_turn(turn_for("62822", "g2", 1)).ok);
  CHECK(other->message_handled("g2"));
}

TEST_CASE("a group whose turns are all aborted commits nothing and leaves no transaction open", "[engine_store]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto store = open_sqlite_engine_store(path);
  add_messages(path, {message("a1", "62811", 1)});
  REQUIRE(store->begin_group().ok);
  REQUIRE(store->next_sequence("BYR", "20250101") == 1);
  store->abort();
  REQUIRE(store->end_group().ok);
  CHECK(store->next_sequence("BYR", "20250101") == 1);
  store->abort();
  // Another writer is not blocked by a leftover transaction.
  auto other = open_sqlite_engine_store(path);
  REQUIRE(other->commit_turn(turn_for("62811", "a1", 1)).ok);
  CHECK(store->message_handled("a1"));
}

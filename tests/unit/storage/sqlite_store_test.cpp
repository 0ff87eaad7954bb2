#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "storage/migrations.hpp"
#include "storage/sqlite.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/store.hpp"
#include "tests/unit/storage/temp_dir.hpp"

using namespace tilang::storage;
using tilang::storage::testing::TempDir;
using tilang::storage::testing::inbox_page_cap;

namespace {

std::unique_ptr<Store> open(const std::string& path, std::int64_t max_page_count = 0) {
  StoreOptions options;
  options.path = path;
  options.max_page_count = max_page_count;
  return open_sqlite_store(options);
}

// Appends one body and returns its inbox id.
std::int64_t append_one(Store& store, std::string body, std::int64_t at_ms = 1000) {
  const std::vector<InboxRow> rows{{0, at_ms, std::move(body)}};
  REQUIRE(store.append_inbox(rows).ok);
  std::int64_t last = 0;
  for (const InboxRow& row : store.unparsed_inbox(1'000'000)) last = row.id;
  REQUIRE(last > 0);
  return last;
}

MessageRow message(std::string wamid, std::string user, std::int64_t timestamp) {
  return MessageRow{std::move(wamid), "100000000000001", std::move(user), timestamp, "text", R"({"type":"text"})"};
}

StatusRow status(std::string wamid, std::string value, std::int64_t timestamp = 1700000000) {
  StatusRow row;
  row.wamid = std::move(wamid);
  row.business_number = "100000000000001";
  row.recipient = "6281234567890";
  row.status = std::move(value);
  row.timestamp = timestamp;
  return row;
}

// Records one status in its own inbox row; returns whether it was applied.
bool apply_status(Store& store, StatusRow row) {
  ParsedInbox parsed;
  parsed.inbox_id = append_one(store, "{}");
  parsed.statuses.push_back(std::move(row));
  const ParseOutcome outcome = store.record_parsed(parsed);
  REQUIRE(outcome.status.ok);
  REQUIRE(outcome.statuses_applied + outcome.statuses_ignored == 1);
  return outcome.statuses_applied == 1;
}

}  // namespace

TEST_CASE("status_rank orders sent < delivered < read < played < failed", "[store]") {
  CHECK(status_rank("sent") == 1);
  CHECK(status_rank("delivered") == 2);
  CHECK(status_rank("read") == 3);
  CHECK(status_rank("played") == 4);
  CHECK(status_rank("failed") > status_rank("played"));
  CHECK(status_rank("deleted") == 0);
}

TEST_CASE("open_sqlite_store throws a one-line reason when the file cannot be opened", "[store]") {
  TempDir dir;
  // A folder where the database file should be.
  std::filesystem::create_directories(dir.file("db.sqlite"));
  CHECK_THROWS_AS(open(dir.file("db.sqlite")), std::runtime_error);
}

TEST_CASE("appended inbox rows read back oldest first bytes intact", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));
  const std::string binary("a\0b\xff\"c", 6);
  const std::vector<InboxRow> rows{{0, 10, "first"}, {0, 11, binary}, {0, 12, ""}};
  REQUIRE(store->append_inbox(rows).ok);
  REQUIRE(store->append_inbox(std::vector<InboxRow>{{0, 13, "fourth"}}).ok);
  REQUIRE(store->append_inbox({}).ok);

  const auto unparsed = store->unparsed_inbox(10);
  REQUIRE(unparsed.size() == 4);
  CHECK(unparsed[0].body == "first");
  CHECK(unparsed[0].received_at_ms == 10);
  CHECK(unparsed[1].body == binary);
  CHECK(unparsed[2].body.empty());
  CHECK(unparsed[3].body == "fourth");
  CHECK(unparsed[0].id < unparsed[1].id);
  CHECK(unparsed[2].id < unparsed[3].id);

  const auto limited = store->unparsed_inbox(2);
  REQUIRE(limited.size() == 2);
  CHECK(limited[1].id == unparsed[1].id);

  const InboxStats stats = store->inbox_stats();
  CHECK(stats.total == 4);
  CHECK(stats.unparsed == 4);
  CHECK(stats.oldest_unparsed_ms == 10);
  CHECK(stats.parse_failures == 0);
  CHECK(store->unparsed_count() == 4);

  // Parsed rows leave the work list; the oldest unparsed moves on.
  ParsedInbox parsed;
  parsed.inbox_id = unparsed[0].id;
  REQUIRE(store->record_parsed(parsed).status.ok);
  CHECK(store->unparsed_inbox(10).size() == 3);
  CHECK(store->inbox_stats().oldest_unparsed_ms == 11);
  CHECK(store->inbox_stats().total == 4);
}

TEST_CASE("a second connection sees committed rows (WAL one store per thread)", "[store]") {
  TempDir dir;
  auto writer = open(dir.file("db.sqlite"));
  auto reader = open(dir.file("db.sqlite"));
  CHECK(reader->inbox_stats().total == 0);
  append_one(*writer, "x");
  CHECK(reader->inbox_stats().total == 1);
}

TEST_CASE("record_parsed drops duplicate wamids within a batch across batches and reopen", "[store]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  {
    auto store = open(path);
    ParsedInbox parsed;
    parsed.inbox_id = append_one(*store, "body 1");
    parsed.messages = {message("wamid.A", "628111", 100), message("wamid.B", "628111", 101),
                       message("wamid.A", "628111", 100)};
    const ParseOutcome outcome = store->record_parsed(parsed);
    REQUIRE(outcome.status.ok);
    CHECK(outcome.messages_new == 2);
    CHECK(outcome.messages_duplicate == 1);

    // Meta redelivers the same notification plus one new message.
    ParsedInbox again;
    again.inbox_id = append_one(*store, "body 1 again");
    again.messages = {message("wamid.B", "628111", 101), message("wamid.C", "628111", 102)};
    const ParseOutcome second = store->record_parsed(again);
    REQUIRE(second.status.ok);
    CHECK(second.messages_new == 1);
    CHECK(second.messages_duplicate == 1);
    CHECK(store->message_count() == 3);
  }
  auto reopened = open(path);
  ParsedInbox later;
  later.inbox_id = append_one(*reopened, "body 1 a week later");
  later.messages = {message("wamid.A", "628111", 100)};
  const ParseOutcome third = reopened->record_parsed(later);
  REQUIRE(third.status.ok);
  CHECK(third.messages_new == 0);
  CHECK(third.messages_duplicate == 1);
  CHECK(reopened->message_count() == 3);
}

TEST_CASE("messages_for_user orders by timestamp then arrival and keeps every field", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));
  ParsedInbox parsed;
  parsed.inbox_id = append_one(*store, "b");
  parsed.messages = {message("w3", "u1", 300), message("w1", "u1", 100), message("w2a", "u1", 200),
                     message("w2b", "u1", 200), message("other", "u2", 50)};
  parsed.messages[0].type = "image";
  parsed.messages[0].payload_json = R"({"image":{"id":"m1"}})";
  REQUIRE(store->record_parsed(parsed).status.ok);

  const auto rows = store->messages_for_user("u1");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].wamid == "w1");
  CHECK(rows[1].wamid == "w2a");
  CHECK(rows[2].wamid == "w2b");
  CHECK(rows[3].wamid == "w3");
  CHECK(rows[3].type == "image");
  CHECK(rows[3].payload_json == R"({"image":{"id":"m1"}})");
  CHECK(rows[3].business_number == "100000000000001");
  CHECK(rows[3].user == "u1");
  CHECK(rows[3].timestamp == 300);
  CHECK(store->messages_for_user("nobody").empty());
}

TEST_CASE("statuses move forward only - failed is final", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));

  SECTION("sent, delivered, read, played apply in turn") {
    CHECK(apply_status(*store, status("w", "sent", 1)));
    CHECK(apply_status(*store, status("w", "delivered", 2)));
    CHECK(apply_status(*store, status("w", "read", 3)));
    CHECK(apply_status(*store, status("w", "played", 4)));
    CHECK(store->message_status("w")->status == "played");
    CHECK(store->message_status("w")->timestamp == 4);
  }
  SECTION("a late delivered after read is ignored") {
    CHECK(apply_status(*store, status("w", "read", 3)));
    CHECK_FALSE(apply_status(*store, status("w", "delivered", 2)));
    CHECK_FALSE(apply_status(*store, status("w", "sent", 1)));
    CHECK_FALSE(apply_status(*store, status("w", "read", 5)));  // a redelivery changes nothing
    CHECK(store->message_status("w")->status == "read");
    CHECK(store->message_status("w")->timestamp == 3);
  }
  SECTION("delivered arriving before sent keeps delivered") {
    CHECK(apply_status(*store, status("w", "delivered", 2)));
    CHECK_FALSE(apply_status(*store, status("w", "sent", 1)));
    CHECK(store->message_status("w")->status == "delivered");
  }
  SECTION("failed may follow sent or read, and nothing follows failed") {
    CHECK(apply_status(*store, status("w", "sent", 1)));
    StatusRow failed = status("w", "failed", 2);
    failed.error_code = 131049;
    failed.error_title = "This message was not delivered to maintain healthy ecosystem engagement.";
    failed.error_details = "In order to maintain a healthy ecosystem engagement, the message failed.";
    CHECK(apply_status(*store, failed));
    CHECK_FALSE(apply_status(*store, status("w", "delivered", 3)));
    CHECK_FALSE(apply_status(*store, status("w", "read", 4)));
    CHECK_FALSE(apply_status(*store, status("w", "played", 5)));
    CHECK_FALSE(apply_status(*store, status("w", "failed", 6)));
    CHECK_FALSE(apply_status(*store, status("w", "some_new_status", 7)));
    const auto stored = store->message_status("w");
    REQUIRE(stored);
    CHECK(stored->status == "failed");
    CHECK(stored->timestamp == 2);
    CHECK(stored->error_code == 131049);
    CHECK(stored->error_details == failed.error_details);

    CHECK(apply_status(*store, status("r", "read", 1)));
    CHECK(apply_status(*store, status("r", "failed", 2)));
    CHECK(store->message_status("r")->status == "failed");
  }
  SECTION("an unknown status string is kept only when nothing is known") {
    CHECK(apply_status(*store, status("w", "deleted", 1)));
    CHECK(store->message_status("w")->status == "deleted");
    CHECK_FALSE(apply_status(*store, status("w", "deleted_again", 2)));
    CHECK(apply_status(*store, status("w", "sent", 3)));
    CHECK_FALSE(apply_status(*store, status("w", "deleted", 4)));
    CHECK(store->message_status("w")->status == "sent");
  }
  SECTION("a status for a wamid never seen before is kept") {
    CHECK_FALSE(store->message_status("unknown").has_value());
    CHECK(apply_status(*store, status("unknown", "delivered", 9)));
    const auto stored = store->message_status("unknown");
    REQUIRE(stored);
    CHECK(stored->wamid == "unknown");
    CHECK(stored->status == "delivered");
    CHECK(stored->timestamp == 9);
  }
}

TEST_CASE("statuses in one notification count applied and ignored", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));
  ParsedInbox parsed;
  parsed.inbox_id = append_one(*store, "b");
  parsed.statuses = {status("w", "read", 3), status("w", "delivered", 2), status("x", "sent", 1),
                     status("x", "sent", 1)};
  const ParseOutcome outcome = store->record_parsed(parsed);
  REQUIRE(outcome.status.ok);
  CHECK(outcome.statuses_applied == 2);
  CHECK(outcome.statuses_ignored == 2);
  CHECK(store->message_status("w")->status == "read");
}

TEST_CASE("a parse failure keeps the row marked with its error", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));
  const std::int64_t bad = append_one(*store, "not json {", 500);
  const std::int64_t good = append_one(*store, "{}", 600);

  ParsedInbox parsed;
  parsed.inbox_id = bad;
  parsed.parse_failed = true;
  parsed.parse_error = "syntax error at byte 9";
  REQUIRE(store->record_parsed(parsed).status.ok);

  const InboxStats stats = store->inbox_stats();
  CHECK(stats.total == 2);
  CHECK(stats.unparsed == 1);
  CHECK(stats.parse_failures == 1);
  CHECK(stats.oldest_unparsed_ms == 600);
  const auto remaining = store->unparsed_inbox(10);
  REQUIRE(remaining.size() == 1);
  CHECK(remaining[0].id == good);

  // The raw body (inbox file) and its error (main database) stay for an operator to look at.
  sqlite::Connection inbox(inbox_path_for(dir.file("db.sqlite")));
  auto body = inbox.prepare("SELECT body FROM inbox WHERE id = ?1");
  body.bind_int(1, bad);
  REQUIRE(body.step() == sqlite::Step::row);
  CHECK(body.column_blob(0) == "not json {");
  sqlite::Connection db(dir.file("db.sqlite"));
  auto failure = db.prepare("SELECT parse_error FROM inbox_parse_failures WHERE inbox_id = ?1");
  failure.bind_int(1, bad);
  REQUIRE(failure.step() == sqlite::Step::row);
  CHECK(failure.column_text(0) == "syntax error at byte 9");
}

TEST_CASE("notification errors and unknown items are stored with the parsed row", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));
  ParsedInbox parsed;
  parsed.inbox_id = append_one(*store, "b");
  parsed.errors = {{"100000000000001", 131000, "Something went wrong", "details"}};
  parsed.unknown_items = 2;
  REQUIRE(store->record_parsed(parsed).status.ok);

  sqlite::Connection db(dir.file("db.sqlite"));
  auto errors = db.prepare("SELECT inbox_id, business_number, code, title, details FROM notification_errors");
  REQUIRE(errors.step() == sqlite::Step::row);
  CHECK(errors.column_int(0) == parsed.inbox_id);
  CHECK(errors.column_text(1) == "100000000000001");
  CHECK(errors.column_int(2) == 131000);
  CHECK(errors.column_text(3) == "Something went wrong");
  CHECK(errors.column_text(4) == "details");
  CHECK(errors.step() == sqlite::Step::done);
  CHECK(db.query_int("SELECT unknown_items FROM inbox_parse_failures WHERE parse_error IS NULL") == 2);
}

TEST_CASE("record_parsed refuses a row already parsed or missing writing nothing", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"));
  ParsedInbox parsed;
  parsed.inbox_id = append_one(*store, "b");
  parsed.messages = {message("w1", "u", 1)};
  REQUIRE(store->record_parsed(parsed).status.ok);

  parsed.messages = {message("w2", "u", 2)};
  const ParseOutcome twice = store->record_parsed(parsed);
  CHECK_FALSE(twice.status.ok);
  CHECK(twice.messages_new == 0);
  CHECK(store->unhandled_messages() == 1);  // stored, not yet answered by the engine

  parsed.inbox_id = 999999;
  CHECK_FALSE(store->record_parsed(parsed).status.ok);
  CHECK(store->message_count() == 1);
}

TEST_CASE("a full disk fails the whole append and nothing partial is stored", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"), inbox_page_cap(dir.file("db.sqlite"), 128 * 1024));
  CHECK(store->writable());
  const std::string big(60 * 1024, 'x');
  const std::vector<InboxRow> rows{{0, 1, "small"}, {0, 2, big}, {0, 3, big}, {0, 4, big}, {0, 5, big}, {0, 6, big}};
  const Status status = store->append_inbox(rows);
  CHECK_FALSE(status.ok);
  CHECK_FALSE(status.error.empty());
  CHECK(store->inbox_stats().total == 0);
  CHECK(store->unparsed_inbox(10).empty());

  // The connection stays usable: what fits still goes in.
  REQUIRE(store->append_inbox(std::vector<InboxRow>{{0, 7, "small"}}).ok);
  CHECK(store->inbox_stats().total == 1);
}

TEST_CASE("writable() is false once the database cannot grow", "[store]") {
  TempDir dir;
  auto store = open(dir.file("db.sqlite"), inbox_page_cap(dir.file("db.sqlite"), 64 * 1024));
  CHECK(store->writable());
  // Fill page by page until an append fails.
  const std::string chunk(2000, 'y');
  int appended = 0;
  while (store->append_inbox(std::vector<InboxRow>{{0, 1, chunk}}).ok) {
    REQUIRE(++appended < 1000);
  }
  CHECK(appended > 0);
  CHECK_FALSE(store->writable());
}

TEST_CASE("an inbox of the schema before 0007 moves into the inbox file, parsed rows stay parsed", "[store]") {
  TempDir dir;
  const std::string path = dir.file("old.sqlite");
  {
    // The schema of version 6, with the inbox still in the main database.
    sqlite::Connection db(path);
    std::vector<MigrationFile> files;
    for (const auto& file : builtin_migration_files()) {
      if (migration_version(file.first) <= 6) files.push_back(file);
    }
    REQUIRE(apply_migrations(db, files).status.ok);
    REQUIRE(db.exec("INSERT INTO inbox(id, received_at_ms, body, parsed, parse_error) VALUES"
                    " (1, 100, 'one', 1, NULL), (2, 200, 'two', 1, 'bad json'), (3, 300, 'three', 0, NULL),"
                    " (4, 400, 'four', 0, NULL)")
                .ok);
  }
  auto store = open(path);
  const InboxStats stats = store->inbox_stats();
  CHECK(stats.total == 4);
  CHECK(stats.unparsed == 2);
  CHECK(stats.parse_failures == 1);
  CHECK(stats.oldest_unparsed_ms == 300);
  const auto rows = store->unparsed_inbox(10);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].id == 3);
  CHECK(rows[0].body == "three");
  CHECK(rows[1].id == 4);

  // New bodies continue after the adopted ids, and opening again moves nothing twice.
  const std::int64_t next = append_one(*store, "five");
  CHECK(next == 5);
  store.reset();
  store = open(path);
  CHECK(store->inbox_stats().total == 5);
  sqlite::Connection db(path);
  CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'legacy_inbox'") == 0);
}

TEST_CASE("parse progress survives reopening and counts only rows after it", "[store]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  auto store = open(path);
  for (int i = 0; i < 5; ++i) append_one(*store, "b" + std::to_string(i), 10 * (i + 1));
  std::vector<ParsedInbox> batch(3);
  const auto rows = store->unparsed_inbox(3);
  for (std::size_t i = 0; i < 3; ++i) batch[i].inbox_id = rows[i].id;
  REQUIRE(store->record_parsed_batch(batch).status.ok);
  store.reset();

  store = open(path);
  CHECK(store->unparsed_count() == 2);
  CHECK(store->oldest_unparsed_ms() == 40);
  const auto left = store->unparsed_inbox(10);
  REQUIRE(left.size() == 2);
  CHECK(left[0].body == "b3");
  // A batch starting at or below the watermark (a second parser) writes nothing.
  CHECK_FALSE(store->record_parsed_batch(batch).status.ok);
  CHECK(store->unparsed_count() == 2);
}

// The sender's OutboxStore on a real SQLite file: per-recipient claim order, results, failed
// status webhooks (also before the HTTP response), 131047 fallback, in-doubt recovery.
#include <catch2/catch.hpp>

#include <set>

#include "storage/outbox_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace tilang;
using namespace tilang::storage;

namespace {

NewOutboxMessage msg(const std::string& recipient, const std::string& text, const std::string& fallback = "") {
  NewOutboxMessage m;
  m.business_number = "100";
  m.recipient = recipient;
  m.body_json = R"({"messaging_product":"whatsapp","to":")" + recipient + R"(","type":"text","text":{"body":")" +
                text + R"("}})";
  m.fallback_json = fallback;
  return m;
}

std::int64_t add(OutboxStore& out, const NewOutboxMessage& m, std::int64_t now = 1000) {
  const EnqueueResult r = out.enqueue(m, now);
  REQUIRE(r.status.ok);
  return r.id;
}

std::vector<std::int64_t> ids(const std::vector<OutboxEntry>& rows) {
  std::vector<std::int64_t> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

OutboxUpdate accepted(std::int64_t id, const std::string& wamid) {
  OutboxUpdate u;
  u.kind = OutboxUpdate::Kind::accepted;
  u.id = id;
  u.wamid = wamid;
  u.attempted = true;
  return u;
}

// A status webhook as the parser records it (the real Store, another connection).
void record_status(const std::string& path, const std::string& wamid, const std::string& status, int code = 0,
                   const std::string& opaque = "") {
  auto store = open_sqlite_store({path, 0});
  const InboxRow raw{0, 1, "{}"};
  REQUIRE(store->append_inbox({&raw, 1}).ok);
  ParsedInbox parsed;
  parsed.inbox_id = store->unparsed_inbox(1).at(0).id;
  StatusRow row;
  row.wamid = wamid;
  row.business_number = "100";
  row.recipient = "628111";
  row.status = status;
  row.timestamp = 1;
  row.biz_opaque_callback_data = opaque;
  row.error_code = code;
  row.error_title = code != 0 ? "Failure" : "";
  row.error_details = code != 0 ? "details of " + std::to_string(code) : "";
  parsed.statuses.push_back(row);
  REQUIRE(store->record_parsed(parsed).status.ok);
}

}  // namespace

TEST_CASE("outbox: enqueue generates unique callback data and keeps given ones") {
  test::TempDir dir;
  auto out = open_sqlite_outbox(dir.file("t.db"));
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const EnqueueResult r = out->enqueue(msg("628111", "hi"), 1);
    REQUIRE(r.status.ok);
    CHECK(r.biz_opaque_callback_data.rfind("ob-", 0) == 0);
    CHECK(seen.insert(r.biz_opaque_callback_data).second);
  }
  NewOutboxMessage m = msg("628111", "x");
  m.biz_opaque_callback_data = "mine-1";
  const EnqueueResult mine = out->enqueue(m, 1);
  REQUIRE(mine.status.ok);
  CHECK(out->find_by_opaque("mine-1")->id == mine.id);
  // The same callback data twice is refused (as a value, not an exception).
  CHECK_FALSE(out->enqueue(m, 1).status.ok);
}

TEST_CASE("outbox: a recipient's rows are claimed one at a time, in order; others are not held up") {
  test::TempDir dir;
  auto out = open_sqlite_outbox(dir.file("t.db"));
  const auto a1 = add(*out, msg("628111", "a1"));
  const auto a2 = add(*out, msg("628111", "a2"));
  const auto b1 = add(*out, msg("628222", "b1"));
  const auto a3 = add(*out, msg("628111", "a3"));

  auto first = out->claim_due(2000, 10);
  CHECK(ids(first) == std::vector<std::int64_t>{a1, b1});
  CHECK(first[0].state == "sending");
  CHECK(out->claim_due(2000, 10).empty());  // a2 waits for a1

  const OutboxUpdate done[] = {accepted(a1, "wamid.A1")};
  REQUIRE(out->apply(done, 2000).committed);
  CHECK(ids(out->claim_due(2000, 10)) == std::vector<std::int64_t>{a2});

  // A retry keeps the recipient's later rows behind it until it is due.
  OutboxUpdate retry;
  retry.kind = OutboxUpdate::Kind::retry;
  retry.id = a2;
  retry.next_attempt_ms = 5000;
  retry.error_code = 131000;
  retry.error_details = "Something went wrong.";
  retry.attempted = true;
  const OutboxUpdate r[] = {retry};
  REQUIRE(out->apply(r, 2000).committed);
  CHECK(out->claim_due(4999, 10).empty());
  auto again = out->claim_due(5000, 10);
  REQUIRE(ids(again) == std::vector<std::int64_t>{a2});
  CHECK(again[0].attempts == 1);
  CHECK(again[0].error_code == 131000);

  OutboxUpdate fail;
  fail.kind = OutboxUpdate::Kind::failed;
  fail.id = a2;
  fail.error_code = 131026;
  fail.error_details = "Unable to deliver message to this recipient.";
  fail.attempted = true;
  const OutboxUpdate f[] = {fail};
  REQUIRE(out->apply(f, 6000).committed);
  // A failed row no longer blocks the recipient.
  CHECK(ids(out->claim_due(6000, 10)) == std::vector<std::int64_t>{a3});

  const auto row = out->find_by_id(a2);
  REQUIRE(row);
  CHECK(row->state == "failed");
  CHECK(row->attempts == 2);
  CHECK(row->error_code == 131026);
  CHECK(row->display_status() == "failed");
  const auto counts = out->counts();
  CHECK(counts.accepted == 1);
  CHECK(counts.failed == 1);
  CHECK(counts.sending == 2);  // b1 and a3
  CHECK(out->backlog() == 2);
}

TEST_CASE("outbox: delivery status comes from status webhooks and never shows 'sent' before acceptance") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto out = open_sqlite_outbox(path);
  const auto id = add(*out, msg("628111", "hello"));
  CHECK(out->find_by_id(id)->display_status() == "queued");
  out->claim_due(2000, 1);
  CHECK(out->find_by_id(id)->display_status() == "sending");
  // The 'sent' webhook overtakes the HTTP response: the row is not shown as sent before Meta's 200
  // is recorded, because the join is by the wamid the row does not have yet.
  record_status(path, "wamid.H", "sent");
  CHECK(out->find_by_id(id)->display_status() == "sending");
  const OutboxUpdate done[] = {accepted(id, "wamid.H")};
  REQUIRE(out->apply(done, 2000).committed);
  CHECK(out->find_by_id(id)->display_status() == "sent");
  record_status(path, "wamid.H", "read");
  record_status(path, "wamid.H", "delivered");  // late: never backwards
  const auto rows = out->list_by_recipient("628111", 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].delivery_status == "read");
  CHECK(rows[0].display_status() == "read");
  CHECK(out->find_by_wamid("wamid.H")->id == id);
}

TEST_CASE("outbox: a failed status webhook turns the accepted row failed with Meta's code") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto out = open_sqlite_outbox(path);
  const auto id = add(*out, msg("628111", "hello"));
  out->claim_due(2000, 1);
  const OutboxUpdate done[] = {accepted(id, "wamid.F")};
  REQUIRE(out->apply(done, 2000).committed);
  record_status(path, "wamid.F", "sent");
  record_status(path, "wamid.F", "failed", 131026);

  const ApplyResult applied = out->apply_webhook_failures(3000, 100);
  REQUIRE(applied.committed);
  REQUIRE(applied.failed_by_webhook.size() == 1);
  CHECK(applied.failed_by_webhook[0].id == id);
  CHECK(applied.failed_by_webhook[0].error_code == 131026);
  const auto row = out->find_by_id(id);
  CHECK(row->state == "failed");
  CHECK(row->error_code == 131026);
  CHECK(row->error_details.find("details of 131026") != std::string::npos);
  // Drained: a second run finds nothing.
  CHECK(out->apply_webhook_failures(3000, 100).failed_by_webhook.empty());
}

TEST_CASE("outbox: a 131047 failure webhook before the HTTP response still falls back to the template") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto out = open_sqlite_outbox(path);
  const auto id = add(*out, msg("628111", "free form", R"({"messaging_product":"whatsapp","to":"628111","type":"template","template":{"name":"t","language":{"code":"id"}}})"));
  out->claim_due(2000, 1);
  // The status webhook is stored (and drained by the sender's poll) before the response is recorded.
  record_status(path, "wamid.W", "failed", 131047);
  CHECK(out->apply_webhook_failures(2500, 100).failed_by_webhook.empty());
  const OutboxUpdate done[] = {accepted(id, "wamid.W")};
  const ApplyResult applied = out->apply(done, 3000);
  REQUIRE(applied.committed);
  REQUIRE(applied.failed_by_webhook.size() == 1);
  REQUIRE(applied.fallback_ids.size() == 1);
  const auto row = out->find_by_id(id);
  CHECK(row->state == "failed");
  CHECK(row->error_code == 131047);
  const auto tpl = out->find_by_id(applied.fallback_ids[0]);
  REQUIRE(tpl);
  CHECK(tpl->kind == "template");
  CHECK(tpl->state == "queued");
  CHECK(tpl->recipient == "628111");
  CHECK(tpl->body_json.find("\"template\"") != std::string::npos);
  CHECK(tpl->source_ref == "outbox:" + std::to_string(id));
  CHECK(row->error_details.find("#" + std::to_string(tpl->id)) != std::string::npos);
}

TEST_CASE("outbox: a synchronous 131047 fails the row and enqueues its template; without one it just fails") {
  test::TempDir dir;
  auto out = open_sqlite_outbox(dir.file("t.db"));
  const auto with = add(*out, msg("628111", "a", R"({"type":"template"})"));
  const auto without = add(*out, msg("628222", "b"));
  out->claim_due(2000, 10);
  OutboxUpdate a;
  a.kind = OutboxUpdate::Kind::fallback;
  a.id = with;
  a.error_code = 131047;
  a.error_details = "24-hour window closed";
  OutboxUpdate b = a;
  b.id = without;
  const OutboxUpdate both[] = {a, b};
  const ApplyResult applied = out->apply(both, 3000);
  REQUIRE(applied.committed);
  CHECK(applied.fallback_ids.size() == 1);
  CHECK(out->find_by_id(with)->state == "failed");
  CHECK(out->find_by_id(without)->state == "failed");
  CHECK(out->find_by_id(without)->error_code == 131047);
  CHECK(ids(out->claim_due(3000, 10)) == applied.fallback_ids);
}

TEST_CASE("outbox: rows left mid-send are recovered as in doubt and correlated by callback data") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  std::string opaque;
  std::int64_t id = 0;
  {
    auto out = open_sqlite_outbox(path);
    const EnqueueResult r = out->enqueue(msg("628111", "x"), 1000);
    id = r.id;
    opaque = r.biz_opaque_callback_data;
    REQUIRE(out->claim_due(2000, 1).size() == 1);
  }  // the process "dies" with the row 'sending'
  auto out = open_sqlite_outbox(path);
  CHECK(out->recover_in_flight(9000, 3000) == 1);
  CHECK(out->claim_due(8999, 10).empty());
  auto rows = out->claim_due(9000, 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].in_doubt == 1);
  CHECK_FALSE(out->wamid_for_opaque(opaque));
  record_status(path, "wamid.D", "delivered", 0, opaque);
  CHECK(out->wamid_for_opaque(opaque) == std::optional<std::string>("wamid.D"));
  CHECK_FALSE(out->wamid_for_opaque(""));
  (void)id;
}

TEST_CASE("outbox: release returns a claimed row untouched") {
  test::TempDir dir;
  auto out = open_sqlite_outbox(dir.file("t.db"));
  const auto id = add(*out, msg("628111", "x"));
  out->claim_due(2000, 1);
  OutboxUpdate u;
  u.kind = OutboxUpdate::Kind::release;
  u.id = id;
  const OutboxUpdate us[] = {u};
  REQUIRE(out->apply(us, 2000).committed);
  const auto row = out->find_by_id(id);
  CHECK(row->state == "queued");
  CHECK(row->attempts == 0);
  CHECK(row->in_doubt == 0);
  CHECK(out->claim_due(2000, 1).size() == 1);
}

TEST_CASE("outbox: enqueue_many stores all rows in one transaction, or none") {
  test::TempDir dir;
  auto out = open_sqlite_outbox(dir.file("t.db"));
  std::vector<NewOutboxMessage> batch{msg("628111", "a"), msg("628222", "b"), msg("628111", "c")};
  const auto stored = out->enqueue_many(batch, 1000);
  REQUIRE(stored.size() == 3);
  for (const auto& r : stored) CHECK(r.status.ok);
  CHECK(out->backlog() == 3);
  // A duplicate callback data in the batch rolls the whole batch back.
  batch[0].biz_opaque_callback_data = "dup";
  batch[1].biz_opaque_callback_data = "dup";
  const auto refused = out->enqueue_many(batch, 1000);
  REQUIRE(refused.size() == 1);
  CHECK_FALSE(refused[0].status.ok);
  CHECK(out->backlog() == 3);
}

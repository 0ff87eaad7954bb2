// Engine benchmark: events per second (a) through the pure flows alone (flows::step + rendering,
// no storage), and (b) through the whole engine turn: load the conversation, step, look fines up,
// render, and commit state + outbox rows + the handled mark in one durable SQLite transaction.
// Usage: engine_bench [EVENTS]   (default 20000) — prints one JSON line.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bot/demo_data.hpp"
#include "bot/engine.hpp"
#include "bot/event_codec.hpp"
#include "flows/step.hpp"
#include "storage/engine_store.hpp"
#include "storage/store.hpp"
#include "templates/catalog.hpp"
#include "templates/renderer.hpp"

using namespace tilang;
using Clock = std::chrono::steady_clock;

namespace {

// A short, typical conversation: greeting, menu choice, a plate lookup, back to the menu.
const char* const script[] = {"halo", "denda", "B 1234 XYZ", "menu", "info", "batal"};

flows::InboundMessage text(const std::string& user, long n) {
  flows::InboundMessage m;
  m.business_number = "100000000000001";
  m.wamid = "wamid.bench" + std::to_string(n);
  m.user = user;
  m.timestamp = 1749416383 + n;
  m.kind = flows::MessageKind::text;
  m.type_name = "text";
  m.text = script[n % 6];
  return m;
}

class NoMedia : public bot::MediaFetcher {
 public:
  bot::FetchedMedia fetch(const std::string&, std::size_t) override { return {}; }
};

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 20000;
  auto catalog = templates::load_builtin_catalog();
  if (!catalog) return std::fprintf(stderr, "catalog: %s\n", catalog.error.c_str()), 1;

  // (a) Pure flows: step + render, data requests answered with an empty result.
  std::vector<flows::Conversation> states(100);
  auto now = std::chrono::system_clock::now();
  long actions = 0;
  auto start = Clock::now();
  for (long n = 0; n < events; ++n) {
    auto& state = states[static_cast<std::size_t>(n % 100)];
    flows::Input input{text("62811" + std::to_string(n % 100), n), {}};
    auto transition = flows::step(state, input, now);
    for (const auto& action : transition.actions) {
      auto body = templates::render(action, transition.next.language, "62811", *catalog.catalog);
      actions += body.is_null() ? 0 : 1;
    }
    state = std::move(transition.next);
  }
  double pure_s = std::chrono::duration<double>(Clock::now() - start).count();

  // (b) Engine turns against a real SQLite file (WAL, synchronous=FULL): insert the parsed messages
  // as the inbox parser would, then time process_pending().
  auto dir = std::filesystem::temp_directory_path() / ("tilangbot-engine-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string db = (dir / "engine.db").string();
  storage::migrate_sqlite(db);
  {
    auto store = storage::open_sqlite_store({db, 0});
    storage::ParsedInbox batch;
    std::vector<storage::InboxRow> rows{{0, 0, "{}"}};
    for (long n = 0; n < events; ++n) {
      if (n % 1000 == 0) {
        store->append_inbox(rows);
        auto unparsed = store->unparsed_inbox(1);
        batch = storage::ParsedInbox{};
        batch.inbox_id = unparsed.front().id;
      }
      auto m = text("62812" + std::to_string(n % 1000), n);
      batch.messages.push_back({m.wamid, m.business_number, m.user, m.timestamp, "text", bot::encode_message(m)});
      if (n % 1000 == 999 || n == events - 1) store->record_parsed(batch);
    }
  }
  NoMedia media;
  bot::EngineOptions options;
  options.media_dir = (dir / "media").string();
  bot::Engine engine(storage::open_sqlite_engine_store(db), media, *catalog.catalog, options);
  engine.with_store([](storage::EngineStore& s) {
    return bot::load_demo_data(s, "100000000000001", std::chrono::system_clock::now());
  });
  start = Clock::now();
  int handled = engine.process_pending();
  double engine_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::filesystem::remove_all(dir);

  std::printf("{\"events\":%ld,\"pure_flows_per_s\":%.0f,\"rendered_messages\":%ld,\"engine_turns\":%d,"
              "\"engine_turns_per_s\":%.0f}\n",
              events, static_cast<double>(events) / pure_s, actions, handled,
              static_cast<double>(handled) / engine_s);
  return handled == events ? 0 : 1;
}

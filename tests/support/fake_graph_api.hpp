// A fake of Meta's Graph API on 127.0.0.1:<port> for integration tests: it accepts and refuses
// POST /{version}/{phone_number_id}/messages the way Meta does (auth, body validation, error
// JSON), serves the two-step media download, records what was sent and injects faults.
// Point the service at it with WA_GRAPH_URL=base_url().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tilang::test {

struct FakeGraphOptions {
  std::string access_token = "test-token";  // the only bearer token accepted
  std::string phone_number_id;              // when set, sends from another number are refused (100)
};

// One response to inject instead of handling the request normally.
struct GraphFault {
  enum class Kind { error, drop_connection };
  Kind kind = Kind::error;
  int code = 0;  // Meta error code (130429, 131056, 131047, 131026, 190, 131000, 2, 4, ...)

  static GraphFault error(int error_code) { return {Kind::error, error_code}; }
  static GraphFault drop() { return {Kind::drop_connection, 0}; }
};

struct AcceptedMessage {
  std::string wamid;
  std::string phone_number_id;
  nlohmann::json body;
};

class FakeGraphApi {
 public:
  using AcceptedHook = std::function<void(const std::string& wamid, const nlohmann::json& request)>;

  explicit FakeGraphApi(FakeGraphOptions options = {});
  ~FakeGraphApi();
  FakeGraphApi(const FakeGraphApi&) = delete;
  FakeGraphApi& operator=(const FakeGraphApi&) = delete;

  // Listens on 127.0.0.1:0 with its own io_context and thread. Throws if it cannot listen.
  void start();
  void stop();  // idempotent; also done by the destructor
  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  const std::string& access_token() const;

  // --- what was sent (thread-safe) ---
  std::vector<nlohmann::json> messages() const;  // accepted send bodies, in arrival order
  std::vector<AcceptedMessage> accepted() const;
  // Accepted bodies whose `to` (compared as digits) or `recipient` matches.
  std::vector<nlohmann::json> messages_to(const std::string& recipient) const;
  std::vector<std::string> read_receipts() const;  // message_ids marked as read
  std::size_t attempts() const;  // POST .../messages requests received, whatever the answer
  // When each POST .../messages request was received (fully read), whatever the answer, in order.
  std::vector<std::chrono::steady_clock::time_point> receive_times() const;
  // True once at least n messages were accepted; false after the timeout.
  bool wait_for_messages(std::size_t n, std::chrono::milliseconds timeout) const;
  void clear_recorded();

  // --- fault injection for POST .../messages (thread-safe; applied after the auth check) ---
  void push_fault(GraphFault fault, int count = 1);  // the next `count` sends get this fault
  // Each send (with no queued fault) fails with `code` with probability `ratio`, drawn from a
  // generator seeded with `seed` so a run is reproducible. ratio 0 turns it off.
  void set_failure_ratio(double ratio, std::uint32_t seed, int code = 131000);
  void set_response_delay(std::chrono::milliseconds delay);  // before every response

  // --- media ---
  void add_media(const std::string& id, const std::string& mime_type, std::string bytes);
  // URLs handed out so far answer 404 from now on (Meta's URLs live 5 minutes).
  void invalidate_media_urls();
  std::size_t media_downloads() const;  // successful GET /media-bin/... answers

  // Called on the fake's thread for every accepted send, before the HTTP response is written
  // (Meta's status webhooks may overtake the response too). Keep it short or hand off.
  void on_accepted(AcceptedHook hook);

  struct State;
  struct Server;

 private:
  std::shared_ptr<State> state_;
  std::unique_ptr<Server> server_;
};

// Meta's status webhook body for one sent message (sent|delivered|read|failed|played), ready to
// be signed and posted to POST /webhook. error_code != 0 adds Meta's errors[] (for failed).
std::string status_notification(const std::string& phone_number_id, const std::string& wamid,
                                const std::string& recipient, const std::string& status,
                                int error_code = 0);

// Meta's error JSON for a code, as the fake answers it: {"error":{message,type,code,...}}.
nlohmann::json graph_error(int code, const std::string& details = "");

}  // namespace tilang::test

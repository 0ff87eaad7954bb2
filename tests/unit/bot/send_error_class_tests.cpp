#include <catch2/catch.hpp>

#include "bot/send_error_class.hpp"

using tilang::bot::classify;
using tilang::bot::SendErrorClass;
using tilang::bot::SendOutcome;
using tilang::bot::SendResult;

namespace {

SendResult rejected(int code, int http_status = 400) {
  SendResult r;
  r.outcome = SendOutcome::rejected;
  r.error_code = code;
  r.http_status = http_status;
  return r;
}

}  // namespace

TEST_CASE("send errors: Meta's codes map to the sender's policy") {
  struct Row {
    int code;
    int http;
    SendErrorClass expected;
  };
  const Row table[] = {
      {1, 400, SendErrorClass::transient},        {2, 503, SendErrorClass::transient},
      {4, 400, SendErrorClass::transient},        {17, 400, SendErrorClass::transient},
      {32, 400, SendErrorClass::transient},       {613, 400, SendErrorClass::transient},
      {80007, 400, SendErrorClass::transient},    {130429, 400, SendErrorClass::transient},
      {131000, 500, SendErrorClass::transient},   {131016, 503, SendErrorClass::transient},
      {131057, 500, SendErrorClass::transient},   {133004, 503, SendErrorClass::transient},
      {131056, 400, SendErrorClass::per_user},    {190, 401, SendErrorClass::pause},
      {131047, 400, SendErrorClass::window_closed},
      {100, 400, SendErrorClass::permanent},      {131026, 400, SendErrorClass::permanent},
      {131030, 400, SendErrorClass::permanent},   {131048, 400, SendErrorClass::permanent},
      {131049, 400, SendErrorClass::permanent},   {131051, 400, SendErrorClass::permanent},
      {132000, 400, SendErrorClass::permanent},   {132001, 404, SendErrorClass::permanent},
      {10, 403, SendErrorClass::permanent},       {368, 403, SendErrorClass::permanent},
      {3, 500, SendErrorClass::permanent},        {131009, 400, SendErrorClass::permanent},
  };
  for (const Row& row : table) {
    INFO("code " << row.code);
    CHECK(classify(rejected(row.code, row.http)) == row.expected);
  }
}

TEST_CASE("send errors: outcomes without a Graph code") {
  SendResult accepted;
  accepted.outcome = SendOutcome::accepted;
  accepted.http_status = 200;
  accepted.wamid = "wamid.X";
  CHECK(classify(accepted) == SendErrorClass::accepted);

  SendResult never_sent;
  never_sent.outcome = SendOutcome::not_sent;
  CHECK(classify(never_sent) == SendErrorClass::transient);

  SendResult timeout;
  timeout.outcome = SendOutcome::ambiguous;
  CHECK(classify(timeout) == SendErrorClass::ambiguous);

  // 5xx and 429 that named no code: the server's trouble, retried.
  CHECK(classify(rejected(0, 500)) == SendErrorClass::transient);
  CHECK(classify(rejected(0, 503)) == SendErrorClass::transient);
  CHECK(classify(rejected(0, 429)) == SendErrorClass::transient);
  // 401 without a code is still the token.
  CHECK(classify(rejected(0, 401)) == SendErrorClass::pause);
  // A 4xx without a code is the request's fault.
  CHECK(classify(rejected(0, 400)) == SendErrorClass::permanent);
}

TEST_CASE("send errors: only 130429 slows the whole number") {
  CHECK(tilang::bot::is_throughput_limit(rejected(130429)));
  CHECK_FALSE(tilang::bot::is_throughput_limit(rejected(131056)));
  CHECK_FALSE(tilang::bot::is_throughput_limit(rejected(4)));
}

// Password hashing, tokens, roles, masking and working hours of the help-desk console.
#include <catch2/catch.hpp>

#include <chrono>

#include "bot/auth.hpp"
#include "bot/privacy.hpp"
#include "bot/working_hours.hpp"

using namespace tilang::bot;

TEST_CASE("a password hash verifies its password and nothing else", "[auth]") {
  const std::string hash = hash_password("rahasia-123");
  CHECK(hash.rfind("pbkdf2-sha256$600000$", 0) == 0);
  CHECK(hash.find("rahasia") == std::string::npos);
  CHECK(verify_password("rahasia-123", hash));
  CHECK_FALSE(verify_password("rahasia-124", hash));
  CHECK_FALSE(verify_password("", hash));
  CHECK_FALSE(verify_password("Rahasia-123", hash));
}

TEST_CASE("the same password hashed twice gets different salts and hashes", "[auth]") {
  const std::string a = hash_password("sama-sama", 1000);
  const std::string b = hash_password("sama-sama", 1000);
  CHECK(a != b);
  const auto salt = [](const std::string& h) { return h.substr(0, h.rfind('$')); };
  CHECK(salt(a) != salt(b));
  CHECK(verify_password("sama-sama", a));
  CHECK(verify_password("sama-sama", b));
}

TEST_CASE("malformed or foreign hashes never verify", "[auth]") {
  const std::string good = hash_password("x-password", 10);
  CHECK(verify_password("x-password", good));
  CHECK_FALSE(verify_password("x-password", ""));
  CHECK_FALSE(verify_password("x-password", "x-password"));
  CHECK_FALSE(verify_password("x-password", "md5$10$00$00"));
  CHECK_FALSE(verify_password("x-password", "pbkdf2-sha256$0$00$00"));
  CHECK_FALSE(verify_password("x-password", "pbkdf2-sha256$10$zz$00"));
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK_FALSE(verify_password("x-password", flipped));
}

TEST_CASE("tokens are random hex and stored as their digest", "[auth]") {
  const std::string a = random_hex(32), b = random_hex(32);
  CHECK(a.size() == 64);
  CHECK(a != b);
  CHECK(token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(secrets_equal("abc", "abc"));
  CHECK_FALSE(secrets_equal("abc", "abd"));
  CHECK_FALSE(secrets_equal("abc", "abcd"));
}

TEST_CASE("roles are ordered and only supervisors and admins see personal data", "[privacy]") {
  CHECK(role_allows("agent", Role::agent));
  CHECK_FALSE(role_allows("agent", Role::supervisor));
  CHECK(role_allows("supervisor", Role::agent));
  CHECK_FALSE(role_allows("supervisor", Role::admin));
  CHECK(role_allows("admin", Role::admin));
  CHECK_FALSE(role_allows("root", Role::agent));
  CHECK_FALSE(sees_personal_data("agent"));
  CHECK(sees_personal_data("supervisor"));
  CHECK(sees_personal_data("admin"));
}

TEST_CASE("phone numbers and names are masked for agents", "[privacy]") {
  CHECK(mask_phone("6281234567890") == "62812****890");
  CHECK(mask_phone("12345678") == "12****78");
  CHECK(mask_phone("123") == "****");
  CHECK(mask_phone("") == "");
  CHECK(mask_name("Budi Santoso") == "B*** S******");
  CHECK(mask_name("Ñoño") == "Ñ***");
  CHECK(mask_name("") == "");
}

namespace {
std::chrono::system_clock::time_point wib(int y, unsigned m, unsigned d, int h, int min) {
  using namespace std::chrono;
  return sys_days(year{y} / month{m} / day{d}) + hours(h) + minutes(min) - hours(7);
}
}  // namespace

TEST_CASE("working hours say when officers are back", "[working_hours]") {
  auto parsed = parse_working_hours("Mon-Fri 08:00-16:00; Sat 08:00-12:00");
  REQUIRE(parsed.hours);
  const auto& h = *parsed.hours;
  // 2025-06-09 is a Monday.
  CHECK_FALSE(officers_back_at(h, wib(2025, 6, 9, 8, 0)));
  CHECK_FALSE(officers_back_at(h, wib(2025, 6, 9, 15, 59)));
  CHECK(officers_back_at(h, wib(2025, 6, 9, 7, 30)) == "hari ini 08.00 WIB");
  CHECK(officers_back_at(h, wib(2025, 6, 9, 16, 0)) == "besok (Selasa) 08.00 WIB");
  CHECK_FALSE(officers_back_at(h, wib(2025, 6, 14, 11, 0)));                      // Saturday morning
  CHECK(officers_back_at(h, wib(2025, 6, 14, 12, 0)) == "Senin 08.00 WIB");       // Saturday noon
  CHECK(officers_back_at(h, wib(2025, 6, 15, 10, 0)) == "besok (Senin) 08.00 WIB");  // Sunday

  CHECK_FALSE(parse_working_hours("").hours);
  CHECK_FALSE(parse_working_hours("Mon-Fri").hours);
  CHECK_FALSE(parse_working_hours("Foo 08:00-16:00").hours);
  CHECK_FALSE(parse_working_hours("Mon 16:00-08:00").hours);
  CHECK(parse_working_hours("Sen-Jum 07.30-15.30").hours);
}

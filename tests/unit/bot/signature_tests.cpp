#include <catch2/catch.hpp>

#include "bot/signature.hpp"

using tilang::bot::escape_unicode;
using tilang::bot::SignatureVerifier;

TEST_CASE("signature matches Meta's published test vector, including the escaped-unicode form", "[signature]") {
  SignatureVerifier verifier("YOUR_APP_SECRET");
  const std::string body =
      "Let's pretend this body is equal to the message object and can handle unicode characters like "
      "\xe3\x81\xbf\xe3\x81\xa9\xe3\x82\x8a\xe3\x81\x84\xe3\x82\x8d and J'ai mang\xc3\xa9 des p\xc3\xa2tes";
  // Meta signs the escaped form; raw-UTF-8 signers produce the other value. Both must verify.
  CHECK(verifier.verify(body, "sha256=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688"));
  CHECK(verifier.verify(body, "sha256=5ab50fefd5b7b7258964d9825904e7916acb73fe8030123871485627791ffbde"));
  CHECK(verifier.sign(body) == "sha256=5ab50fefd5b7b7258964d9825904e7916acb73fe8030123871485627791ffbde");
}

TEST_CASE("signature refuses wrong, malformed and missing headers", "[signature]") {
  SignatureVerifier verifier("secret");
  std::string body = R"({"object":"whatsapp_business_account"})";
  std::string good = verifier.sign(body);
  CHECK(verifier.verify(body, good));
  std::string upper = good;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper.replace(0, 7, "sha256=");
  CHECK(verifier.verify(body, upper));  // hex case does not matter
  CHECK_FALSE(verifier.verify(body, ""));
  CHECK_FALSE(verifier.verify(body, "sha256="));
  CHECK_FALSE(verifier.verify(body, good.substr(0, good.size() - 1)));
  CHECK_FALSE(verifier.verify(body, "sha1=" + good.substr(7)));
  CHECK_FALSE(verifier.verify(body + "x", good));
  CHECK_FALSE(SignatureVerifier("other").verify(body, good));
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK_FALSE(verifier.verify(body, flipped));
}

TEST_CASE("escape_unicode writes UTF-16 units in lowercase hex, surrogate pairs for astral characters", "[signature]") {
  CHECK(escape_unicode("abc") == "abc");
  CHECK(escape_unicode("\xc3\xa4\xc3\xb6\xc3\xa5") == "\\u00e4\\u00f6\\u00e5");
  CHECK(escape_unicode("\xf0\x9f\x91\x8d") == "\\ud83d\\udc4d");  // thumbs up
}

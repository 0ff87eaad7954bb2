// X-Hub-Signature-256: HMAC-SHA256 over the raw body with the App Secret, compared in constant time.
#pragma once

#include <string>
#include <string_view>

namespace tilang::bot {

class SignatureVerifier {
 public:
  explicit SignatureVerifier(std::string app_secret);

  // `header` is the full header value, "sha256=<64 hex>". Any other shape is a mismatch.
  bool verify(std::string_view body, std::string_view header) const;

  // "sha256=<lowercase hex>" for `body` (used by the chat simulator, tests and benchmarks).
  std::string sign(std::string_view body) const;

 private:
  bool mac_matches(std::string_view body, const unsigned char* expected) const;
  std::string secret_;
};

// Meta signs an escaped-unicode form of the payload (non-ASCII as \uXXXX, lowercase hex).
// Real payloads are already ASCII; this is the fallback for bodies that are not.
std::string escape_unicode(std::string_view utf8);

}  // namespace tilang::bot

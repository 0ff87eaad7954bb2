// Officers' credentials: slow salted password hashes (PBKDF2-HMAC-SHA256, OpenSSL), random session
// tokens and the digests they are stored under, compared in constant time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tilang::bot {

// OWASP's 2023 floor for PBKDF2-HMAC-SHA256.
inline constexpr int password_iterations = 600'000;

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" with a fresh 16-byte random salt.
// Throws std::runtime_error only when OpenSSL cannot produce random bytes (a broken system).
std::string hash_password(std::string_view password, int iterations = password_iterations);

// True when `password` matches an encoded hash from hash_password (any iteration count >= 1).
// Malformed encodings are simply not a match.
bool verify_password(std::string_view password, std::string_view encoded);

// `bytes` random bytes from OpenSSL's CSPRNG as lower-case hex (session tokens, CSRF tokens).
std::string random_hex(std::size_t bytes);

// SHA-256 of `data` as lower-case hex: sessions are stored under the digest of their token, so a
// copy of the database does not hand out live sessions.
std::string token_digest(std::string_view data);

// Compares without an early exit (OpenSSL's CRYPTO_memcmp); different lengths are unequal.
bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace tilang::bot

#include "bot/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace tilang::bot {
namespace {

constexpr std::size_t mac_size = 32;
constexpr std::string_view prefix = "sha256=";

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// One keyed HMAC context per thread: re-initialising a keyed context is cheaper than HMAC().
struct ThreadMac {
  std::unique_ptr<EVP_MAC, MacDeleter> mac;
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx;
  std::string key;
};

std::array<unsigned char, mac_size> compute(const std::string& key, std::string_view body) {
  thread_local ThreadMac state;
  if (!state.mac) {
    state.mac.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!state.mac) throw std::runtime_error("OpenSSL HMAC unavailable");
  }
  bool rekey = !state.ctx || state.key != key;
  if (!state.ctx) state.ctx.reset(EVP_MAC_CTX_new(state.mac.get()));
  if (!state.ctx) throw std::runtime_error("EVP_MAC_CTX_new failed");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  int ok = rekey ? EVP_MAC_init(state.ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params)
                 : EVP_MAC_init(state.ctx.get(), nullptr, 0, nullptr);
  if (ok != 1) throw std::runtime_error("EVP_MAC_init failed");
  state.key = key;
  EVP_MAC_update(state.ctx.get(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
  std::array<unsigned char, mac_size> out{};
  std::size_t len = 0;
  EVP_MAC_final(state.ctx.get(), out.data(), &len, out.size());
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

SignatureVerifier::SignatureVerifier(std::string app_secret) : secret_(std::move(app_secret)) {}

bool SignatureVerifier::mac_matches(std::string_view body, const unsigned char* expected) const {
  auto mac = compute(secret_, body);
  return CRYPTO_memcmp(mac.data(), expected, mac_size) == 0;
}

bool SignatureVerifier::verify(std::string_view body, std::string_view header) const {
  if (header.size() != prefix.size() + 2 * mac_size || header.substr(0, prefix.size()) != prefix) return false;
  std::array<unsigned char, mac_size> expected{};
  std::string_view hex = header.substr(prefix.size());
  for (std::size_t i = 0; i < mac_size; ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    expected[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  if (mac_matches(body, expected.data())) return true;
  for (char c : body) {
    if (static_cast<unsigned char>(c) >= 0x80) return mac_matches(escape_unicode(body), expected.data());
  }
  return false;
}

std::string SignatureVerifier::sign(std::string_view body) const {
  static constexpr char digits[] = "0123456789abcdef";
  auto mac = compute(secret_, body);
  std::string out(prefix);
  for (unsigned char b : mac) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::string escape_unicode(std::string_view utf8) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(utf8.size() + 16);
  auto emit_unit = [&](unsigned unit) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(digits[(unit >> shift) & 15]);
  };
  for (std::size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x7f) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    unsigned cp = c;
    std::size_t len = 1;
    if (c >= 0xf0) len = 4, cp = c & 0x07u;
    else if (c >= 0xe0) len = 3, cp = c & 0x0fu;
    else if (c >= 0xc0) len = 2, cp = c & 0x1fu;
    if (i + len > utf8.size()) len = 1;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3fu);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      emit_unit(0xd800 + (cp >> 10));
      emit_unit(0xdc00 + (cp & 0x3ff));
    } else {
      emit_unit(cp);
    }
    i += len;
  }
  return out;
}

}  // namespace tilang::bot

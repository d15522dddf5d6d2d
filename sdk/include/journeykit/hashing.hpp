// hashing.hpp — SHA-256 and e-mail normalization used for identities; FNV-1a for short,
// non-cryptographic fingerprints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace journeykit {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Trims ASCII white space and lower-cases an e-mail address. Returns nullopt when the result
// is not an address (empty, no '@', or '@' at either end).
std::optional<std::string> NormalizeEmail(std::string_view raw);

// FNV-1a 64 of `data` (header-only, so plugins can use it): record digests, budget-key account
// names, the event snapshot's model fingerprint. Not for secrets or integrity against attack.
inline uint64_t Fnv1a64(std::string_view data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The same as 16 lower-case hex digits.
inline std::string Fnv1a64Hex(std::string_view data) {
  uint64_t h = Fnv1a64(data);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 15];
  return out;
}

}  // namespace journeykit

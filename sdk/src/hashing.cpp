// hashing.cpp — SHA-256 through OpenSSL's EVP interface.
#include <journeykit/hashing.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace journeykit {

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<size_t>(length) * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

std::optional<std::string> NormalizeEmail(std::string_view raw) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  auto at = raw.find('@');
  if (raw.empty() || at == std::string_view::npos || at == 0 || at + 1 == raw.size()) {
    return std::nullopt;
  }
  std::string out(raw);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace journeykit

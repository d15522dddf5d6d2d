// webhook_signing.cpp — SHA-256 and HMAC-SHA256 through OpenSSL 3 (EVP_Q_digest, HMAC).
#include "webhook_signing.hpp"

#include <journeykit/plugin.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace journeykit::webhook {

namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

// Incremental SHA-256, for hashing many pieces without concatenating them.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(ctx_);
      throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
    }
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data) {
    if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) {
      throw std::runtime_error("OpenSSL SHA-256 update failed");
    }
  }
  std::string FinalHex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_, md, &len) != 1) {
      throw std::runtime_error("OpenSSL SHA-256 final failed");
    }
    return Hex(md, len);
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.FinalHex();
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), md,
           &len) == nullptr) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  }
  return Hex(md, len);
}

std::string SignatureHeader(std::string_view secret, int64_t timestamp, std::string_view body) {
  std::string message = std::to_string(timestamp);
  message.push_back('.');
  message.append(body);
  return "v1=" + HmacSha256Hex(secret, message);
}

std::string BatchId(std::span<const jk_record> records) {
  Sha256 h;
  for (const jk_record& r : records) {
    h.Update(plugin::FromJk(r.type));
    h.Update("\n");
    h.Update(plugin::FromJk(r.key));
    h.Update("\n");
    h.Update(Sha256Hex(plugin::FromJk(r.json)));
    h.Update("\n");
  }
  return h.FinalHex();
}

}  // namespace journeykit::webhook

// webhook_signing.hpp — the webhook's signature and idempotency key (OpenSSL EVP/HMAC).
#pragma once

#include <journeykit/plugin_abi.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace journeykit::webhook {

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// The X-JourneyKit-Signature value: "v1=" + hex HMAC-SHA256(secret, timestamp + "." + body).
std::string SignatureHeader(std::string_view secret, int64_t timestamp, std::string_view body);

// The batch's idempotency key: hex SHA-256 over, for each record in order,
// type "\n" key "\n" hex-SHA-256(data) "\n". Equal records in equal order give the same id;
// a record whose content changed (a journey snapshot of a later run) gives a new one.
std::string BatchId(std::span<const jk_record> records);

}  // namespace journeykit::webhook

// webhook_options.hpp — the webhook connector's configuration, validated.
#pragma once

#include <journeykit/http_util.hpp>
#include <journeykit/plugin.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace journeykit::webhook {

inline constexpr int64_t kDefaultMaxRecords = 500;
inline constexpr int64_t kDefaultMaxBytes = 1048576;
inline constexpr int64_t kMinMaxBytes = 1024;

struct WebhookOptions {
  std::string url;
  std::string secret;
  plugin::Headers headers;  // extra headers (Authorization, ...)
  size_t max_records = kDefaultMaxRecords;
  size_t max_bytes = kDefaultMaxBytes;
};

Result<WebhookOptions> ParseWebhookOptions(const plugin::Config& config);

using http::RedactUrl;  // journeykit/http_util.hpp

// True for header names whose values are credentials (registered as secrets).
bool IsCredentialHeader(std::string_view name);

extern const jk_config_field kConfigFields[5];

}  // namespace journeykit::webhook

// webhook_options.cpp — config parsing and validation.
#include "webhook_options.hpp"

#include <algorithm>
#include <cctype>

namespace journeykit::webhook {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Headers the connector sets itself; the config may not replace them.
bool IsReserved(std::string_view lower_name) {
  return lower_name == "content-type" || lower_name == "idempotency-key" ||
         lower_name == "content-length" || lower_name == "host" ||
         lower_name.starts_with("x-journeykit-");
}

}  // namespace

const jk_config_field kConfigFields[5] = {
    {"url", JK_CONFIG_STRING, 1, 0, nullptr,
     "The receiver's http(s) URL; every batch is POSTed to it"},
    {"secret", JK_CONFIG_STRING, 1, 1, nullptr,
     "Shared secret of the HMAC-SHA256 signature (X-JourneyKit-Signature); use "
     "\"${env:WEBHOOK_SECRET}\""},
    {"headers", JK_CONFIG_OBJECT, 0, 1, nullptr,
     "Extra request headers, name -> value (e.g. Authorization); values from ${env:NAME}"},
    {"max_records", JK_CONFIG_INT, 0, 0, "500", "At most this many records per batch"},
    {"max_bytes", JK_CONFIG_INT, 0, 0, "1048576",
     "At most this many bytes per request body (a single larger record goes alone)"},
};

bool IsCredentialHeader(std::string_view name) {
  std::string n = Lower(name);
  for (std::string_view word :
       {"authorization", "token", "key", "secret", "cookie", "password", "signature", "auth"}) {
    if (n.find(word) != std::string::npos) return true;
  }
  return false;
}

Result<WebhookOptions> ParseWebhookOptions(const plugin::Config& config) {
  WebhookOptions o;
  o.url = config.string("url");
  if (o.url.empty()) return InvalidArgument("webhook: 'url' is required");
  std::string scheme = Lower(o.url.substr(0, o.url.find("://")));
  if (o.url.find("://") == std::string::npos || (scheme != "http" && scheme != "https")) {
    return InvalidArgument("webhook: 'url' must be an http:// or https:// URL, not '" +
                           RedactUrl(o.url) + "'");
  }
  o.secret = config.string("secret");
  if (o.secret.empty()) {
    return InvalidArgument(
        "webhook: 'secret' is required (the HMAC key; set it with \"${env:WEBHOOK_SECRET}\")");
  }
  for (auto& [name, value] : config.string_map("headers")) {
    std::string lower = Lower(name);
    if (name.empty() || name.find_first_of(" :\r\n\t") != std::string::npos) {
      return InvalidArgument("webhook: 'headers' has an invalid header name '" + name + "'");
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("webhook: the value of header '" + name + "' holds a line break");
    }
    if (IsReserved(lower)) {
      return InvalidArgument("webhook: header '" + name +
                             "' is set by the connector and cannot be configured");
    }
    o.headers.emplace_back(name, value);
  }
  int64_t max_records = config.integer("max_records", kDefaultMaxRecords);
  if (max_records < 1) return InvalidArgument("webhook: 'max_records' must be at least 1");
  int64_t max_bytes = config.integer("max_bytes", kDefaultMaxBytes);
  if (max_bytes < kMinMaxBytes) {
    return InvalidArgument("webhook: 'max_bytes' must be at least " + std::to_string(kMinMaxBytes));
  }
  o.max_records = static_cast<size_t>(max_records);
  o.max_bytes = static_cast<size_t>(max_bytes);
  return o;
}

}  // namespace journeykit::webhook

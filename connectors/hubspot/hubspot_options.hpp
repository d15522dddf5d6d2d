// hubspot_options.hpp — the hubspot connector's configuration, validated.
#pragma once

#include <journeykit/http_util.hpp>
#include <journeykit/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace journeykit::hubspot {

inline constexpr int64_t kMaxBatchSize = 100;  // HubSpot's cap on inputs per batch call
inline constexpr std::string_view kDefaultBaseUrl = "https://api.hubapi.com";
inline constexpr std::string_view kUpsertPath = "/crm/v3/objects/contacts/batch/upsert";
inline constexpr std::string_view kProbePath = "/crm/v3/objects/contacts?limit=1";
inline constexpr uint32_t kRateWindowMs = 10000;  // HubSpot's rolling window

struct HubSpotOptions {
  std::string access_token;
  std::string base_url;  // without a trailing '/'
  size_t batch_size = kMaxBatchSize;
  std::string property_prefix = "journeykit_";
  std::string id_property = "email";  // anything else: a unique property holding email_sha256
  uint32_t requests_per_10s = 100;
  uint32_t max_concurrent = 4;
  uint32_t max_attempts = 8;
  uint32_t time_budget_ms = 90000;
  bool check_connection = false;

  bool hashed_ids() const { return id_property != "email"; }
  std::string upsert_url() const { return base_url + std::string(kUpsertPath); }
};

Result<HubSpotOptions> ParseHubSpotOptions(const plugin::Config& config);

// "hubspot:<16 hex of FNV-1a 64 of the token>": one budget per HubSpot account (portal +
// app) shared by every instance of the run, without the token itself in any key or log.
std::string BudgetKey(std::string_view access_token);

using http::RedactUrl;  // journeykit/http_util.hpp

extern const jk_config_field kConfigFields[10];

}  // namespace journeykit::hubspot

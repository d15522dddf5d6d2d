// trustpilot_options.hpp — the trustpilot config spec and its parsed form.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <string>

namespace journeykit::trustpilot {

inline constexpr const char* kPluginName = "trustpilot";
inline constexpr const char* kStream = "reviews";
inline constexpr int64_t kMaxPerPage = 100;  // the API's limit

// The config spec the host validates before the plugin sees it.
inline constexpr jk_config_field kConfigFields[] = {
    {"business_unit_id", JK_CONFIG_STRING, 1, 0, nullptr,
     "Business unit to read (find it with GET /v1/business-units/find?name=your-domain)"},
    {"api_key", JK_CONFIG_STRING, 1, 1, nullptr,
     "Trustpilot API key, sent as the apikey header; pass it as ${env:NAME}"},
    {"private_api", JK_CONFIG_BOOL, 0, 0, "false",
     "Read /v1/private/business-units/{id}/reviews (adds referralEmail, referenceId) with "
     "access_token"},
    {"access_token", JK_CONFIG_STRING, 0, 1, nullptr,
     "OAuth business-user access token for the private API; pass it as ${env:NAME}"},
    {"base_url", JK_CONFIG_STRING, 0, 0, "\"https://api.trustpilot.com\"",
     "API root; the plugin appends /v1/..."},
    {"per_page", JK_CONFIG_INT, 0, 0, "100", "Reviews per request (1 to 100)"},
    {"overlap_s", JK_CONFIG_INT, 0, 0, "3600",
     "Incremental runs re-read reviews this many seconds older than the newest one seen "
     "(duplicates are dropped by event id)"},
    {"requests_per_minute", JK_CONFIG_INT, 0, 0, "150",
     "Rate budget shared by every instance with the same API key"},
};

struct TrustpilotOptions {
  std::string business_unit_id;
  std::string api_key;
  bool private_api = false;
  std::string access_token;
  std::string base_url;  // without a trailing '/'
  int64_t per_page = kMaxPerPage;
  int64_t overlap_s = 3600;
  uint32_t requests_per_minute = 150;
};

// Errors name the config key and say what a valid value looks like.
[[nodiscard]] Result<TrustpilotOptions> ParseTrustpilotOptions(const plugin::Config& config);

}  // namespace journeykit::trustpilot

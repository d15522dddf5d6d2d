// google_reviews_options.hpp — the google-reviews config spec and its parsed form.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace journeykit::google_reviews {

inline constexpr const char* kPluginName = "google-reviews";
inline constexpr const char* kStream = "reviews";
inline constexpr int64_t kMaxPageSize = 50;  // the API's limit

// The config spec the host validates before the plugin sees it.
inline constexpr jk_config_field kConfigFields[] = {
    {"locations", JK_CONFIG_STRING_LIST, 1, 0, nullptr,
     "Locations to read, each \"accounts/{accountId}/locations/{locationId}\""},
    {"access_token", JK_CONFIG_STRING, 0, 1, nullptr,
     "OAuth access token (scope business.manage); pass it as ${env:NAME}. Not needed when "
     "client_id, client_secret and refresh_token are set"},
    {"client_id", JK_CONFIG_STRING, 0, 0, nullptr, "OAuth client id, for the refresh-token flow"},
    {"client_secret", JK_CONFIG_STRING, 0, 1, nullptr,
     "OAuth client secret, for the refresh-token flow; pass it as ${env:NAME}"},
    {"refresh_token", JK_CONFIG_STRING, 0, 1, nullptr,
     "OAuth refresh token (offline access, scope business.manage); pass it as ${env:NAME}"},
    {"base_url", JK_CONFIG_STRING, 0, 0, "\"https://mybusiness.googleapis.com\"",
     "API root; the plugin appends /v4/{location}/reviews"},
    {"token_url", JK_CONFIG_STRING, 0, 0, "\"https://oauth2.googleapis.com/token\"",
     "OAuth token endpoint of the refresh-token flow"},
    {"page_size", JK_CONFIG_INT, 0, 0, "50", "Reviews per request (1 to 50)"},
    {"overlap_s", JK_CONFIG_INT, 0, 0, "3600",
     "Incremental runs re-read reviews this many seconds older than the newest one seen "
     "(duplicates are dropped by event id)"},
    {"requests_per_minute", JK_CONFIG_INT, 0, 0, "300",
     "Rate budget shared by every instance with the same budget_key"},
    {"budget_key", JK_CONFIG_STRING, 0, 0, "\"\"",
     "Name of the shared rate budget (the Google Cloud project); empty: derived from "
     "client_id, else from the first location's account"},
    {"reviewer_identity", JK_CONFIG_STRING, 0, 0, "\"\"",
     "Identity kind for a non-anonymous reviewer's display name (e.g. \"google_reviewer\"); "
     "empty: the name is only a property"},
};

struct GoogleReviewsOptions {
  std::vector<std::string> locations;  // "accounts/{a}/locations/{l}"
  std::string access_token;
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string base_url;  // without a trailing '/'
  std::string token_url;
  int64_t page_size = kMaxPageSize;
  int64_t overlap_s = 3600;
  uint32_t requests_per_minute = 300;
  std::string budget_key;
  std::string reviewer_identity;

  bool can_refresh() const {
    return !client_id.empty() && !client_secret.empty() && !refresh_token.empty();
  }
};

// Errors name the config key and say what a valid value looks like.
[[nodiscard]] Result<GoogleReviewsOptions> ParseGoogleReviewsOptions(const plugin::Config& config);

}  // namespace journeykit::google_reviews

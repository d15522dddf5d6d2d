// google_reviews_options.cpp — validates the google-reviews config.
#include "google_reviews_options.hpp"

namespace journeykit::google_reviews {

namespace {

Status ConfigError(const std::string& message) {
  return InvalidArgument(std::string(kPluginName) + ": " + message);
}

// "accounts/{a}/locations/{l}" with non-empty ids and nothing else.
bool IsLocationName(const std::string& name) {
  constexpr std::string_view kAccounts = "accounts/";
  constexpr std::string_view kLocations = "/locations/";
  if (name.rfind(kAccounts, 0) != 0) return false;
  size_t mid = name.find(kLocations, kAccounts.size());
  if (mid == std::string::npos || mid == kAccounts.size()) return false;
  std::string account = name.substr(kAccounts.size(), mid - kAccounts.size());
  std::string location = name.substr(mid + kLocations.size());
  return !location.empty() && account.find('/') == std::string::npos &&
         location.find('/') == std::string::npos;
}

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Result<GoogleReviewsOptions> ParseGoogleReviewsOptions(const plugin::Config& config) {
  GoogleReviewsOptions o;
  o.locations = config.string_list("locations");
  if (o.locations.empty()) {
    return ConfigError(
        "config key 'locations' needs at least one \"accounts/{accountId}/locations/"
        "{locationId}\"");
  }
  for (const std::string& l : o.locations) {
    if (!IsLocationName(l)) {
      return ConfigError("config key 'locations': '" + l +
                         "' is not of the form \"accounts/{accountId}/locations/{locationId}\"");
    }
  }
  o.access_token = config.string("access_token");
  o.client_id = config.string("client_id");
  o.client_secret = config.string("client_secret");
  o.refresh_token = config.string("refresh_token");
  const bool any_refresh =
      !o.client_id.empty() || !o.client_secret.empty() || !o.refresh_token.empty();
  if (any_refresh && !o.can_refresh()) {
    return ConfigError(
        "the refresh-token flow needs all of 'client_id', 'client_secret' and "
        "'refresh_token'");
  }
  if (o.access_token.empty() && !o.can_refresh()) {
    return ConfigError(
        "set 'access_token', or 'client_id', 'client_secret' and 'refresh_token' to obtain "
        "one");
  }
  o.base_url = TrimSlash(config.string("base_url", "https://mybusiness.googleapis.com"));
  o.token_url = config.string("token_url", "https://oauth2.googleapis.com/token");
  if (o.base_url.empty()) return ConfigError("config key 'base_url' must not be empty");
  if (o.token_url.empty()) return ConfigError("config key 'token_url' must not be empty");
  o.page_size = config.integer("page_size", kMaxPageSize);
  if (o.page_size < 1 || o.page_size > kMaxPageSize) {
    return ConfigError("config key 'page_size' must be between 1 and 50 (the API's limit)");
  }
  o.overlap_s = config.integer("overlap_s", 3600);
  if (o.overlap_s < 0) return ConfigError("config key 'overlap_s' must not be negative");
  const int64_t rpm = config.integer("requests_per_minute", 300);
  if (rpm < 1 || rpm > 100000) {
    return ConfigError("config key 'requests_per_minute' must be between 1 and 100000");
  }
  o.requests_per_minute = static_cast<uint32_t>(rpm);
  o.budget_key = config.string("budget_key");
  if (o.budget_key.empty()) {
    const std::string& first = o.locations.front();
    o.budget_key = "google-business-profile:" + (o.client_id.empty()
                                                     ? first.substr(0, first.find("/locations/"))
                                                     : "client/" + o.client_id);
  }
  o.reviewer_identity = config.string("reviewer_identity");
  return o;
}

}  // namespace journeykit::google_reviews

// trustpilot_options.cpp — validates the trustpilot config.
#include "trustpilot_options.hpp"

namespace journeykit::trustpilot {

namespace {

Status ConfigError(const std::string& message) {
  return InvalidArgument(std::string(kPluginName) + ": " + message);
}

}  // namespace

Result<TrustpilotOptions> ParseTrustpilotOptions(const plugin::Config& config) {
  TrustpilotOptions o;
  o.business_unit_id = config.string("business_unit_id");
  if (o.business_unit_id.empty() ||
      o.business_unit_id.find_first_of("/?#& ") != std::string::npos) {
    return ConfigError(
        "config key 'business_unit_id' must be a business unit id such as "
        "\"5d2b94b915dd0c0001cab136\"");
  }
  o.api_key = config.string("api_key");
  if (o.api_key.empty()) {
    return ConfigError("config key 'api_key' is required (a Trustpilot API key)");
  }
  o.private_api = config.boolean("private_api", false);
  o.access_token = config.string("access_token");
  if (o.private_api && o.access_token.empty()) {
    return ConfigError("'private_api' needs 'access_token' (a business-user OAuth token)");
  }
  o.base_url = config.string("base_url", "https://api.trustpilot.com");
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  if (o.base_url.empty()) return ConfigError("config key 'base_url' must not be empty");
  o.per_page = config.integer("per_page", kMaxPerPage);
  if (o.per_page < 1 || o.per_page > kMaxPerPage) {
    return ConfigError("config key 'per_page' must be between 1 and 100 (the API's limit)");
  }
  o.overlap_s = config.integer("overlap_s", 3600);
  if (o.overlap_s < 0) return ConfigError("config key 'overlap_s' must not be negative");
  const int64_t rpm = config.integer("requests_per_minute", 150);
  if (rpm < 1 || rpm > 100000) {
    return ConfigError("config key 'requests_per_minute' must be between 1 and 100000");
  }
  o.requests_per_minute = static_cast<uint32_t>(rpm);
  return o;
}

}  // namespace journeykit::trustpilot

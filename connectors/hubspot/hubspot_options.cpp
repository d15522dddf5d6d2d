// hubspot_options.cpp — config parsing and validation.
#include "hubspot_options.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace journeykit::hubspot {

namespace {

// HubSpot internal property names: lower-case letters, digits and '_', starting with a letter.
bool IsPropertyName(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() < 'a' || s.front() > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<uint32_t> Bounded(const plugin::Config& config, std::string_view key, int64_t fallback,
                         int64_t min, int64_t max) {
  int64_t v = config.integer(key, fallback);
  if (v < min || v > max) {
    return InvalidArgument("hubspot: '" + std::string(key) + "' must be between " +
                           std::to_string(min) + " and " + std::to_string(max) + ", not " +
                           std::to_string(v));
  }
  return static_cast<uint32_t>(v);
}

}  // namespace

const jk_config_field kConfigFields[10] = {
    {"access_token", JK_CONFIG_STRING, 1, 1, nullptr,
     "HubSpot private-app access token (scope crm.objects.contacts.write); use "
     "\"${env:HUBSPOT_ACCESS_TOKEN}\""},
    {"base_url", JK_CONFIG_STRING, 0, 0, "\"https://api.hubapi.com\"",
     "API root; tests point it at a loopback mock, users at a proxy"},
    {"batch_size", JK_CONFIG_INT, 0, 0, "100", "Contacts per batch upsert call (1..100)"},
    {"property_prefix", JK_CONFIG_STRING, 0, 0, "\"journeykit_\"",
     "Prefix of the contact properties written (they must exist in HubSpot)"},
    {"id_property", JK_CONFIG_STRING, 0, 0, "\"email\"",
     "\"email\": match contacts by e-mail; any other name: a unique contact property that "
     "holds the SHA-256 of the normalised e-mail (no raw e-mail is sent)"},
    {"requests_per_10s", JK_CONFIG_INT, 0, 0, "100",
     "Requests per rolling 10 s shared by every instance using this token (HubSpot's limit "
     "is 100-190 by tier)"},
    {"max_concurrent", JK_CONFIG_INT, 0, 0, "4", "Batch calls in flight at once (1..16)"},
    {"max_attempts", JK_CONFIG_INT, 0, 0, "8",
     "Attempts per batch call (429, 5xx and network errors are retried by the host)"},
    {"time_budget_ms", JK_CONFIG_INT, 0, 0, "90000",
     "All attempts of one batch call; keep it well above HubSpot's 10 s rate window"},
    {"check_connection", JK_CONFIG_BOOL, 0, 0, "false",
     "journeykit check also GETs /crm/v3/objects/contacts?limit=1 to test the token"},
};

std::string BudgetKey(std::string_view access_token) {
  return "hubspot:" + http::AccountHash(access_token);
}

Result<HubSpotOptions> ParseHubSpotOptions(const plugin::Config& config) {
  HubSpotOptions o;
  o.access_token = config.string("access_token");
  if (o.access_token.empty()) {
    return InvalidArgument(
        "hubspot: 'access_token' is required: a private-app token with scope "
        "crm.objects.contacts.write, set as \"${env:HUBSPOT_ACCESS_TOKEN}\"");
  }
  if (o.access_token.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgument(
        "hubspot: 'access_token' holds a space or line break; give the token alone (no "
        "\"Bearer \" prefix), e.g. \"${env:HUBSPOT_ACCESS_TOKEN}\"");
  }
  o.base_url = config.string("base_url", kDefaultBaseUrl);
  size_t scheme_end = o.base_url.find("://");
  std::string scheme = o.base_url.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme_end == std::string::npos || (scheme != "http" && scheme != "https") ||
      o.base_url.size() == scheme_end + 3) {
    return InvalidArgument("hubspot: 'base_url' must be an http:// or https:// URL, not '" +
                           RedactUrl(o.base_url) + "'");
  }
  if (o.base_url.find_first_of("?#") != std::string::npos) {
    return InvalidArgument("hubspot: 'base_url' must not hold a query or fragment");
  }
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();

  int64_t batch_size = config.integer("batch_size", kMaxBatchSize);
  if (batch_size < 1 || batch_size > kMaxBatchSize) {
    return InvalidArgument(
        "hubspot: 'batch_size' must be between 1 and " + std::to_string(kMaxBatchSize) +
        " (HubSpot's limit of inputs per batch call), not " + std::to_string(batch_size));
  }
  o.batch_size = static_cast<size_t>(batch_size);

  o.property_prefix = config.string("property_prefix", "journeykit_");
  if (!o.property_prefix.empty() && !IsPropertyName(o.property_prefix)) {
    return InvalidArgument("hubspot: 'property_prefix' '" + o.property_prefix +
                           "' is not usable in HubSpot property names: lower-case letters, "
                           "digits and '_', starting with a letter (e.g. \"journeykit_\")");
  }
  o.id_property = config.string("id_property", "email");
  if (!IsPropertyName(o.id_property)) {
    return InvalidArgument("hubspot: 'id_property' '" + o.id_property +
                           "' is not a HubSpot property name (lower-case letters, digits and "
                           "'_', starting with a letter)");
  }
  JK_ASSIGN_OR_RETURN(o.requests_per_10s, Bounded(config, "requests_per_10s", 100, 1, 1000));
  JK_ASSIGN_OR_RETURN(o.max_concurrent, Bounded(config, "max_concurrent", 4, 1, 16));
  JK_ASSIGN_OR_RETURN(o.max_attempts, Bounded(config, "max_attempts", 8, 1, 20));
  JK_ASSIGN_OR_RETURN(o.time_budget_ms, Bounded(config, "time_budget_ms", 90000, 1000, 600000));
  o.check_connection = config.boolean("check_connection", false);
  return o;
}

}  // namespace journeykit::hubspot

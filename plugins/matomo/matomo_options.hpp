// matomo_options.hpp — the matomo source's declared config and its parsed form.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace journeykit::matomo {

inline constexpr const char* kPluginName = "matomo";
inline constexpr const char* kStream = "visits";

// The config spec the host validates before the plugin sees it.
inline constexpr jk_config_field kConfigFields[] = {
    {"base_url", JK_CONFIG_STRING, 1, 0, nullptr,
     "Matomo's URL (https://analytics.example.com or …/index.php)"},
    {"token_auth", JK_CONFIG_STRING, 1, 1, nullptr,
     "API token of a user with view access to the site; pass it as ${env:MATOMO_TOKEN}"},
    {"id_site", JK_CONFIG_INT, 1, 0, nullptr, "The site's idSite"},
    {"page_size", JK_CONFIG_INT, 0, 0, "500", "Visits per request (filter_limit), 1–10000"},
    {"overlap_seconds", JK_CONFIG_INT, 0, 0, "900",
     "An incremental run starts this long before the last visit seen (late actions)"},
    {"start_date", JK_CONFIG_STRING, 0, 0, "\"\"",
     "First run only: visits from this day or time on (YYYY-MM-DD or ISO-8601, UTC); empty: all"},
    {"segment", JK_CONFIG_STRING, 0, 0, "\"\"", "Matomo segment expression (empty: every visit)"},
    {"token_in_query", JK_CONFIG_BOOL, 0, 0, "false",
     "Send token_auth in the URL (GET) instead of the POST body"},
};

struct MatomoOptions {
  std::string endpoint;  // …/index.php
  std::string token;
  int64_t id_site = 0;
  int64_t page_size = 500;
  int64_t overlap_seconds = 900;
  std::optional<int64_t> start_timestamp;  // unix seconds
  std::string segment;
  bool token_in_query = false;
};

// Errors name the config key and what is wrong with it.
[[nodiscard]] Result<MatomoOptions> ParseMatomoOptions(const plugin::Config& config);

}  // namespace journeykit::matomo

// mailchimp_options.hpp — the mailchimp source's declared config and its parsed form.
#pragma once

#include <journeykit/kit/mailchimp_account.hpp>
#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::mailchimp {

inline constexpr const char* kPluginName = "mailchimp";
inline constexpr const char* kStream = "email_activity";
inline constexpr int64_t kMailchimpMaxConnections = kit::kMailchimpMaxConnections;

inline constexpr jk_config_field kConfigFields[] = {
    {"api_key", JK_CONFIG_STRING, 1, 1, nullptr,
     "Marketing API key (…-us6: the suffix is the data centre); pass it as "
     "${env:MAILCHIMP_API_KEY}"},
    {"base_url", JK_CONFIG_STRING, 0, 0, "\"\"",
     "API root; empty: https://<dc>.api.mailchimp.com/3.0 from the key (set for tests/proxies)"},
    {"campaign_status", JK_CONFIG_STRING, 0, 0, "\"sent\"",
     "Only campaigns with this status (status=…); empty: every campaign"},
    {"since_send_time", JK_CONFIG_STRING, 0, 0, "\"\"",
     "Only campaigns sent at or after this ISO-8601 time; empty: all"},
    {"campaigns", JK_CONFIG_STRING_LIST, 0, 0, "[]", "Only these campaign ids (empty: all listed)"},
    {"page_size", JK_CONFIG_INT, 0, 0, "1000", "Items per request (count), 1–1000"},
    {"max_connections", JK_CONFIG_INT, 0, 0, "10",
     "Most simultaneous connections to the account, shared by every instance with this key (1–10)"},
};

struct MailchimpOptions {
  std::string api_key;
  std::string data_centre;  // "us6"; from the key
  std::string base_url;     // without a trailing '/'
  std::string campaign_status;
  std::string since_send_time;
  std::vector<std::string> campaigns;
  int64_t page_size = 1000;
  int64_t max_connections = kMailchimpMaxConnections;
  // kit::MailchimpBudgetKey: every instance of one account (the source and the mailchimp-tags
  // connector) shares its budget.
  std::string budget_key;
};

// The data centre of an API key: the text after its last '-' ("" when there is none).
std::string DataCentreOfKey(std::string_view api_key);

// Errors name the config key and what to do.
[[nodiscard]] Result<MailchimpOptions> ParseMailchimpOptions(const plugin::Config& config);

}  // namespace journeykit::mailchimp

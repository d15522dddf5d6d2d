// mailchimp_tags_options.hpp — the mailchimp-tags connector's declared config and its parsed form.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <string>

namespace journeykit::mailchimp_tags {

inline constexpr const char* kPluginName = "mailchimp-tags";

inline constexpr jk_config_field kConfigFields[] = {
    {"api_key", JK_CONFIG_STRING, 1, 1, nullptr,
     "Marketing API key (…-us6: the suffix is the data centre); pass it as "
     "\"${env:MAILCHIMP_API_KEY}\""},
    {"list_id", JK_CONFIG_STRING, 1, 0, nullptr,
     "The audience (list) whose members are tagged, e.g. \"10c097ca71\""},
    {"base_url", JK_CONFIG_STRING, 0, 0, "\"\"",
     "API root; empty: https://<dc>.api.mailchimp.com/3.0 from the key (set for tests/proxies)"},
    {"tag_prefix", JK_CONFIG_STRING, 0, 0, "\"journeykit:\"",
     "Put before every tag name: <prefix><audience>, <prefix>stage:<stage>"},
    {"stage_tags", JK_CONFIG_BOOL, 0, 0, "true",
     "Tag the member's current stage (stage_change records) and untag the previous one"},
    {"is_syncing", JK_CONFIG_BOOL, 0, 0, "false",
     "true: Mailchimp does not start automations triggered by these tag changes"},
    {"create_missing", JK_CONFIG_BOOL, 0, 0, "false",
     "true: a person who is not a member of the list is added (status_if_new) and then tagged; "
     "false: their records are set aside (dead letters)"},
    {"status_if_new", JK_CONFIG_STRING, 0, 0, "\"subscribed\"",
     "With create_missing: the status of added members (subscribed, pending, unsubscribed, "
     "transactional)"},
    {"max_connections", JK_CONFIG_INT, 0, 0, "10",
     "Most simultaneous connections to the account, shared by every Mailchimp instance with this "
     "key (1–10)"},
};

struct MailchimpTagsOptions {
  std::string api_key;
  std::string list_id;
  std::string base_url;  // without a trailing '/'
  std::string tag_prefix = "journeykit:";
  bool stage_tags = true;
  bool is_syncing = false;
  bool create_missing = false;
  std::string status_if_new = "subscribed";
  int64_t max_connections = 10;
  // kit::MailchimpBudgetKey: the same key as the mailchimp source's, so every instance of one
  // account shares Mailchimp's 10 simultaneous connections.
  std::string budget_key;
};

// Errors name the config key and what to do.
[[nodiscard]] Result<MailchimpTagsOptions> ParseMailchimpTagsOptions(const plugin::Config& config);

}  // namespace journeykit::mailchimp_tags

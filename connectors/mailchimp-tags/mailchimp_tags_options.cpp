// mailchimp_tags_options.cpp — config validation: API root, list, tag naming, shared budget.
#include "mailchimp_tags_options.hpp"

#include <journeykit/kit/mailchimp_account.hpp>

#include <array>
#include <string_view>

namespace journeykit::mailchimp_tags {

Result<MailchimpTagsOptions> ParseMailchimpTagsOptions(const plugin::Config& config) {
  MailchimpTagsOptions o;
  o.api_key = config.string("api_key");
  if (o.api_key.empty()) {
    return InvalidArgument(
        "mailchimp-tags: api_key is empty; set it to a Marketing API key "
        "(\"${env:MAILCHIMP_API_KEY}\")");
  }
  o.list_id = config.string("list_id");
  if (o.list_id.empty()) {
    return InvalidArgument(
        "mailchimp-tags: list_id is required: the id of the audience (list) to tag, shown in "
        "Mailchimp under Audience → Settings → Audience name and defaults");
  }
  if (o.list_id.find_first_of("/?#% ") != std::string::npos) {
    return InvalidArgument("mailchimp-tags: list_id '" + o.list_id +
                           "' is not a list id (expected something like 10c097ca71)");
  }
  o.base_url = config.string("base_url");
  if (o.base_url.empty()) {
    o.base_url = kit::MailchimpApiRoot(o.api_key);
    if (o.base_url.empty()) {
      return InvalidArgument(
          "mailchimp-tags: api_key: a Mailchimp API key ends with its data centre (…-us6); this "
          "one has none — copy the whole key, or set base_url");
    }
  } else if (o.base_url.rfind("http://", 0) != 0 && o.base_url.rfind("https://", 0) != 0) {
    return InvalidArgument("mailchimp-tags: base_url: expected an http:// or https:// URL, got '" +
                           o.base_url + "'");
  }
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  o.tag_prefix = config.string("tag_prefix", "journeykit:");
  o.stage_tags = config.boolean("stage_tags", true);
  o.is_syncing = config.boolean("is_syncing", false);
  o.create_missing = config.boolean("create_missing", false);
  o.status_if_new = config.string("status_if_new", "subscribed");
  constexpr std::array<std::string_view, 4> kStatuses = {"subscribed", "pending", "unsubscribed",
                                                         "transactional"};
  bool known = false;
  for (std::string_view s : kStatuses) known = known || o.status_if_new == s;
  if (!known) {
    return InvalidArgument(
        "mailchimp-tags: status_if_new: expected subscribed, pending, "
        "unsubscribed or transactional, got '" +
        o.status_if_new + "'");
  }
  o.max_connections = config.integer("max_connections", kit::kMailchimpMaxConnections);
  if (o.max_connections < 1 || o.max_connections > kit::kMailchimpMaxConnections) {
    return InvalidArgument(
        "mailchimp-tags: max_connections: expected 1 to 10 (Mailchimp allows 10 per user), got " +
        std::to_string(o.max_connections));
  }
  o.budget_key = kit::MailchimpBudgetKey(o.api_key);
  return o;
}

}  // namespace journeykit::mailchimp_tags

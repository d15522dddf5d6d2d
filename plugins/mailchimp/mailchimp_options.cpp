// mailchimp_options.cpp — data centre, API root and shared budget of a mailchimp instance.
#include "mailchimp_options.hpp"

#include <journeykit/kit/mailchimp_account.hpp>
#include <journeykit/kit/time_parse.hpp>

namespace journeykit::mailchimp {

std::string DataCentreOfKey(std::string_view api_key) { return kit::MailchimpDataCentre(api_key); }

Result<MailchimpOptions> ParseMailchimpOptions(const plugin::Config& config) {
  MailchimpOptions o;
  o.api_key = config.string("api_key");
  if (o.api_key.empty()) {
    return InvalidArgument(
        "api_key: empty; set it to a Marketing API key (${env:MAILCHIMP_API_KEY})");
  }
  o.data_centre = DataCentreOfKey(o.api_key);
  o.base_url = config.string("base_url");
  if (o.base_url.empty()) {
    if (o.data_centre.empty()) {
      return InvalidArgument(
          "api_key: a Mailchimp API key ends with its data centre (…-us6); this one has none — "
          "copy the whole key, or set base_url");
    }
    o.base_url = kit::MailchimpApiRoot(o.api_key);
  } else if (o.base_url.rfind("http://", 0) != 0 && o.base_url.rfind("https://", 0) != 0) {
    return InvalidArgument("base_url: expected an http:// or https:// URL, got '" + o.base_url +
                           "'");
  }
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  o.campaign_status = config.string("campaign_status", "sent");
  o.since_send_time = config.string("since_send_time");
  if (!o.since_send_time.empty()) {
    Result<int64_t> t = kit::ParseIso8601(o.since_send_time);
    if (!t.ok()) return InvalidArgument("since_send_time: " + t.status().message());
  }
  o.campaigns = config.string_list("campaigns");
  o.page_size = config.integer("page_size", 1000);
  if (o.page_size < 1 || o.page_size > 1000) {
    return InvalidArgument("page_size: expected 1 to 1000 (Mailchimp's maximum count), got " +
                           std::to_string(o.page_size));
  }
  o.max_connections = config.integer("max_connections", kMailchimpMaxConnections);
  if (o.max_connections < 1 || o.max_connections > kMailchimpMaxConnections) {
    return InvalidArgument(
        "max_connections: expected 1 to 10 (Mailchimp allows 10 per user), got " +
        std::to_string(o.max_connections));
  }
  o.budget_key = kit::MailchimpBudgetKey(o.api_key);
  return o;
}

}  // namespace journeykit::mailchimp

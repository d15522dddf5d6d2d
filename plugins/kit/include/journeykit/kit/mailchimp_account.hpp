// mailchimp_account.hpp — what every Mailchimp plugin derives from an API key: its data centre,
// the default API root and the budget key that makes all instances of one account share
// Mailchimp's limit of 10 simultaneous connections (the source and the tags connector alike).
#pragma once

#include <journeykit/http_util.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace journeykit::kit {

// Mailchimp refuses an 11th simultaneous connection of one user with 429.
inline constexpr int64_t kMailchimpMaxConnections = 10;

// The data centre of an API key: the text after its last '-' ("" when there is none).
inline std::string MailchimpDataCentre(std::string_view api_key) {
  size_t dash = api_key.rfind('-');
  if (dash == std::string_view::npos || dash + 1 >= api_key.size()) return {};
  std::string dc(api_key.substr(dash + 1));
  for (char c : dc) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return {};
  }
  return dc;
}

// "https://<dc>.api.mailchimp.com/3.0" ("" when the key names no data centre).
inline std::string MailchimpApiRoot(std::string_view api_key) {
  std::string dc = MailchimpDataCentre(api_key);
  return dc.empty() ? std::string() : "https://" + dc + ".api.mailchimp.com/3.0";
}

// "mailchimp:<dc>:<FNV-1a of the key>" ("custom" for a key without a data centre). The hash
// names the account in budgets and logs without putting the key itself there.
inline std::string MailchimpBudgetKey(std::string_view api_key) {
  std::string dc = MailchimpDataCentre(api_key);
  return "mailchimp:" + (dc.empty() ? std::string("custom") : dc) + ":" +
         http::AccountHash(api_key);
}

}  // namespace journeykit::kit

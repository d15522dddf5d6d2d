// mailchimp_source.hpp — the mailchimp source: the campaign list, then each campaign's
// e-mail activity, several campaigns' pages in flight at once, a checkpoint after every page.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailchimp_activity_mapper.hpp"
#include "mailchimp_options.hpp"

namespace journeykit::mailchimp {

// Per campaign: `since` is the newest activity time read by finished runs (the next run asks
// for activity after it). While a run pages through a campaign, `offset` is the next page and
// `newest` the newest activity seen so far in that run.
struct CampaignCursor {
  std::string since;
  std::optional<int64_t> offset;
  std::string newest;
  int64_t newest_us = 0;
};

struct MailchimpState {
  std::map<std::string, CampaignCursor> campaigns;
  [[nodiscard]] static Result<MailchimpState> Parse(std::string_view json);
  std::string ToJson() const;
};

class MailchimpSource final : public plugin::Source {
 public:
  // Throws std::invalid_argument naming the config key when the config is unusable.
  MailchimpSource(plugin::Host& host, const plugin::Config& config);

  Status check() override;
  std::vector<std::string> streams() override { return {kStream}; }
  Status read(std::string_view stream, std::string_view state) override;

  // Requests (public for tests).
  plugin::HttpRequest CampaignsRequest(int64_t offset) const;
  plugin::HttpRequest ActivityRequest(const std::string& campaign_id, const std::string& since,
                                      int64_t offset) const;

 private:
  plugin::HttpRequest Get(std::string url) const;
  Result<std::vector<Campaign>> ListCampaigns();
  Status RequestError(const plugin::HttpResponse& response, const std::string& what) const;

  const plugin::Host& host_;
  MailchimpOptions options_;
  MailchimpActivityMapper mapper_;
};

}  // namespace journeykit::mailchimp

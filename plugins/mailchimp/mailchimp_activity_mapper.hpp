// mailchimp_activity_mapper.hpp — Mailchimp response bodies: campaign list pages, e-mail
// activity pages (→ events) and RFC 7807 problem bodies (→ messages).
#pragma once

#include <simdjson.h>

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::mailchimp {

struct Campaign {
  std::string id;
  std::string title;  // settings.title, else settings.subject_line ("" when neither)
};

struct CampaignPage {
  std::vector<Campaign> campaigns;
  size_t items = 0;  // entries on the page
  std::optional<int64_t> total_items;
};

// An activity entry that could not become an event (no usable timestamp).
struct BadActivity {
  std::string location;  // "member #3 activity #1"
  std::string reason;
  std::string raw;
};

struct ActivityPage {
  std::vector<plugin::Event> events;
  std::vector<BadActivity> bad;
  size_t members = 0;  // entries of "emails" on the page
  std::optional<int64_t> total_items;
  int64_t newest_us = 0;         // newest activity time on the page (0: none)
  std::string newest_timestamp;  // its text, as Mailchimp wrote it (for `since`)
};

// The parts of an RFC 7807 problem body; nullopt when `body` is not one.
struct Problem {
  std::string type, title, detail, instance;
  int64_t status = 0;
  std::vector<std::string> errors;  // "field: message"
};
std::optional<Problem> ParseProblem(std::string_view body);

class MailchimpActivityMapper {
 public:
  [[nodiscard]] Result<CampaignPage> ParseCampaigns(std::string_view body);

  // The whole page is parsed before anything is mapped: an error means none of it is usable.
  // `campaign` names the touchpoint when the members do not carry their own campaign_id.
  [[nodiscard]] Result<ActivityPage> MapActivity(std::string_view body, const Campaign& campaign);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace journeykit::mailchimp

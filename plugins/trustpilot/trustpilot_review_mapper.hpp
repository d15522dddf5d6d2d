// trustpilot_review_mapper.hpp — one business-unit reviews page → review events.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::trustpilot {

// A review the mapper could not turn into an event; the caller reports it as a bad record.
struct RejectedReview {
  size_t index = 0;  // position on the page
  std::string reason;
  std::string raw;  // the review object as JSON
};

struct ReviewsPage {
  std::vector<plugin::Event> events;  // in page order
  std::vector<int64_t> created_us;    // createdAt of events[i]
  std::vector<RejectedReview> rejected;
  size_t review_count = 0;     // entries of "reviews", mapped or not
  bool has_next_link = false;  // a links[] entry with rel "next-page"
};

// Parses the whole page before anything is emitted: an error (not JSON, no object, a
// "reviews" that is not a list) leaves nothing half-stored.
[[nodiscard]] Result<ReviewsPage> ParseReviewsPage(std::string_view body,
                                                   std::string_view business_unit_id);

// Trustpilot's error body {"message","details","errorCode"} as "message: details (code)";
// "" when the body is something else.
std::string TrustpilotErrorText(std::string_view body);

}  // namespace journeykit::trustpilot

// google_review_mapper.hpp — one reviews.list response page → review events.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::google_reviews {

struct MapperOptions {
  std::string reviewer_identity;  // identity kind for non-anonymous names; empty: none
};

// A review the mapper could not turn into an event; the caller reports it as a bad record.
struct RejectedReview {
  size_t index = 0;  // position on the page
  std::string reason;
  std::string raw;  // the review object as JSON
};

struct ReviewsPage {
  std::vector<plugin::Event> events;  // in page order
  std::vector<int64_t> update_us;     // updateTime of events[i]
  std::vector<RejectedReview> rejected;
  std::string next_page_token;  // empty on the last page
};

// Parses the whole page before anything is emitted: an error (not JSON, no object, a
// "reviews" that is not a list) leaves nothing half-stored. `location` is
// "accounts/{a}/locations/{l}".
[[nodiscard]] Result<ReviewsPage> ParseReviewsPage(std::string_view body, std::string_view location,
                                                   const MapperOptions& options);

// "ONE".."FIVE" (or 1..5 as a number or numeric text) → 1..5; nullopt for
// STAR_RATING_UNSPECIFIED and anything else.
std::optional<int> StarRating(std::string_view text);

}  // namespace journeykit::google_reviews

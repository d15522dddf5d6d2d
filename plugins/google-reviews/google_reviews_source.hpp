// google_reviews_source.hpp — the google-reviews source: reviews.list pages → review events.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "google_oauth.hpp"
#include "google_reviews_options.hpp"
#include "google_reviews_state.hpp"

namespace journeykit::google_reviews {

class GoogleReviewsSource final : public plugin::Source {
 public:
  // Throws std::invalid_argument naming the config key when the config is unusable.
  GoogleReviewsSource(plugin::Host& host, const plugin::Config& config);

  Status check() override { return Status::Ok(); }
  std::vector<std::string> streams() override { return {kStream}; }
  Status read(std::string_view stream, std::string_view state) override;

 private:
  // Pages through one location from its cursor, checkpointing `state` after each page.
  Status ReadLocation(const std::string& location, ReviewsState& state);
  // One page's body; a 401 refreshes the token once; other failures become clear errors.
  Result<std::string> FetchPage(const std::string& url, const std::string& location, int64_t page);
  Status PageError(const plugin::HttpResponse& response, const std::string& location, int64_t page,
                   bool after_refresh) const;

  const plugin::Host& host_;
  GoogleReviewsOptions options_;
  GoogleAuth auth_;
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
};

}  // namespace journeykit::google_reviews

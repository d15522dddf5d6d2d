// google_oauth.hpp — the bearer token of the google-reviews source: a configured access
// token, or one obtained (and renewed) with the OAuth refresh-token flow.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <chrono>
#include <string>

#include "google_reviews_options.hpp"

namespace journeykit::google_reviews {

class GoogleAuth {
 public:
  GoogleAuth(const plugin::Host& host, const GoogleReviewsOptions& options);

  // The token to send: refreshes first when there is none yet or it has expired.
  [[nodiscard]] Result<std::string> Token();
  // After a 401: obtains a new token. An error when the flow is not configured.
  [[nodiscard]] Status Refresh();
  bool can_refresh() const { return options_.can_refresh(); }
  int refreshes() const { return refreshes_; }

 private:
  const plugin::Host& host_;
  const GoogleReviewsOptions& options_;
  std::string token_;
  std::chrono::steady_clock::time_point expires_ = std::chrono::steady_clock::time_point::max();
  int refreshes_ = 0;
};

}  // namespace journeykit::google_reviews

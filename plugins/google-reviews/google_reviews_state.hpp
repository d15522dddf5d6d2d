// google_reviews_state.hpp — the saved cursor of the reviews stream, per location.
#pragma once

#include <journeykit/status.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace journeykit::google_reviews {

// A paging run through one location that has not reached its end yet (saved after each
// page so that a killed run resumes at the next page).
struct LocationRun {
  int64_t next_page = 1;   // 1-based number of the page `page_token` asks for
  std::string page_token;  // the nextPageToken of the last stored page
  int64_t newest_update_us = 0;
  bool operator==(const LocationRun&) const = default;
};

struct LocationCursor {
  // The newest updateTime stored by a finished run (0: never finished).
  int64_t newest_update_us = 0;
  std::optional<LocationRun> run;
  bool operator==(const LocationCursor&) const = default;
};

// {"version":1,"locations":{"accounts/a/locations/l":{"newest_update_us":N,
//   "run":{"next_page":N,"page_token":"...","newest_update_us":N}}}}
class ReviewsState {
 public:
  // An empty string is the empty state (first run or full refresh).
  [[nodiscard]] static Result<ReviewsState> Parse(std::string_view json);
  std::string ToJson() const;

  LocationCursor& location(const std::string& name) { return locations_[name]; }
  const std::map<std::string, LocationCursor>& locations() const { return locations_; }

 private:
  std::map<std::string, LocationCursor> locations_;
};

}  // namespace journeykit::google_reviews

// trustpilot_state.hpp — the saved cursor of the reviews stream.
#pragma once

#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace journeykit::trustpilot {

// A paging pass that has not reached its end yet (saved after each page so that a killed
// run resumes at the next page).
struct ReviewsRun {
  int64_t next_page = 1;
  int64_t newest_created_us = 0;
  bool operator==(const ReviewsRun&) const = default;
};

// {"version":1,"newest_created_us":N,"run":{"next_page":N,"newest_created_us":N}}
struct ReviewsState {
  int64_t newest_created_us = 0;  // newest createdAt stored by a finished pass (0: none)
  std::optional<ReviewsRun> run;
  bool operator==(const ReviewsState&) const = default;

  // An empty string is the empty state (first run or full refresh).
  [[nodiscard]] static Result<ReviewsState> Parse(std::string_view json);
  std::string ToJson() const;
};

}  // namespace journeykit::trustpilot

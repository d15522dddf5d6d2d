// text_format.hpp — optional numbers as the text and HTML maps show them ("–" when absent).
#pragma once

#include <journeykit/time_units.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>

namespace journeykit::internal {

inline std::string PercentOrDash(const std::optional<double>& share) {
  return share ? fmt::format("{:.1f}%", *share * 100) : "–";
}

inline std::string DurationOrDash(const std::optional<double>& seconds) {
  return seconds ? HumanDuration(*seconds) : "–";
}

}  // namespace journeykit::internal

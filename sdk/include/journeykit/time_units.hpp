// time_units.hpp — microsecond time units shared by every analysis (event times are UTC µs).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace journeykit {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// The one way a duration is written for people: "42 s", "6 min", "5.4 h", "6.9 d" (or
// "6.9 days" with day_unit "days").
inline std::string HumanDuration(double seconds, const char* day_unit = "d") {
  char buf[48];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  } else if (seconds < 86400) {
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", seconds / 86400, day_unit);
  }
  return buf;
}

}  // namespace journeykit

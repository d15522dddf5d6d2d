// time_units.hpp — microsecond time units shared by every analysis (event times are UTC µs).
#pragma once

#include <cstdint>

namespace journeykit {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

}  // namespace journeykit

// time_parse.hpp — turns epoch numbers and ISO-8601 strings into UTC microseconds.
#pragma once

#include <cstdint>
#include <journeykit/status.hpp>
#include <string_view>

namespace journeykit::kit {

enum class TimeFormat { kAuto, kEpochSeconds, kEpochMillis, kEpochMicros, kIso8601 };

// "auto", "epoch_s", "epoch_ms", "epoch_us", "iso8601".
[[nodiscard]] Result<TimeFormat> ParseTimeFormat(std::string_view name);

// ISO-8601 / RFC 3339: "YYYY-MM-DD", "YYYY-MM-DDThh:mm[:ss[.fraction]]" ('T' or ' '), then
// "Z", "±hh:mm", "±hhmm", "±hh" or nothing (read as UTC). Fractions beyond µs are truncated.
[[nodiscard]] Result<int64_t> ParseIso8601(std::string_view text);

// A number in the given epoch unit. kAuto picks the unit by magnitude: |v| < 1e11 seconds,
// < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds. kIso8601 is an error.
[[nodiscard]] Result<int64_t> TimeFromInteger(int64_t value, TimeFormat format);
[[nodiscard]] Result<int64_t> TimeFromDouble(double value, TimeFormat format);

// A string: numeric text is an epoch number (as above); for kAuto and kIso8601 anything
// else is parsed as ISO-8601.
[[nodiscard]] Result<int64_t> TimeFromString(std::string_view text, TimeFormat format);

}  // namespace journeykit::kit

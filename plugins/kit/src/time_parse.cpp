// time_parse.cpp — epoch numbers and ISO-8601 timestamps to UTC microseconds.
#include <charconv>
#include <chrono>
#include <cmath>
#include <journeykit/kit/time_parse.hpp>
#include <limits>
#include <string>

namespace journeykit::kit {
namespace {

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  out.append(text.substr(0, 64));
  if (text.size() > 64) out += "...";
  out += "\"";
  return out;
}

// Reads exactly `count` digits at `pos`.
bool Digits(std::string_view s, size_t& pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

// Multiplier from the unit to microseconds; ns is a divisor (returned as -1000).
int64_t UnitScale(TimeFormat format, double magnitude) {
  switch (format) {
    case TimeFormat::kEpochSeconds:
      return 1'000'000;
    case TimeFormat::kEpochMillis:
      return 1'000;
    case TimeFormat::kEpochMicros:
      return 1;
    default:
      break;
  }
  if (magnitude < 1e11) return 1'000'000;
  if (magnitude < 1e14) return 1'000;
  if (magnitude < 1e17) return 1;
  return -1'000;
}

bool IsNumericText(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool digits = false;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<TimeFormat> ParseTimeFormat(std::string_view name) {
  if (name == "auto" || name.empty()) return TimeFormat::kAuto;
  if (name == "epoch_s") return TimeFormat::kEpochSeconds;
  if (name == "epoch_ms") return TimeFormat::kEpochMillis;
  if (name == "epoch_us") return TimeFormat::kEpochMicros;
  if (name == "iso8601") return TimeFormat::kIso8601;
  return InvalidArgument("unknown time_format " + Quoted(name) +
                         "; use auto, epoch_s, epoch_ms, epoch_us or iso8601");
}

Result<int64_t> ParseIso8601(std::string_view text) {
  using namespace std::chrono;
  const std::string_view s = Trim(text);
  auto fail = [&](std::string_view why) -> Status {
    return InvalidArgument(Quoted(text) + " is not an ISO-8601 time (" + std::string(why) +
                           "; expected e.g. 2024-03-15T10:00:00Z or 2024-03-15T11:00:00.5+01:00)");
  };
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!Digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, mo) ||
      pos >= s.size() || s[pos++] != '-' || !Digits(s, pos, 2, d)) {
    return fail("the date must be YYYY-MM-DD");
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return fail("no such date");
  int64_t fraction_us = 0;
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!Digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' || !Digits(s, pos, 2, mi)) {
      return fail("the time must be hh:mm[:ss[.fraction]]");
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!Digits(s, pos, 2, sec)) return fail("the seconds must be two digits");
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        size_t digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 6) fraction_us = fraction_us * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return fail("a fraction of a second needs digits");
        for (size_t i = digits; i < 6; ++i) fraction_us *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return fail("hour, minute or second out of range");
    if (pos < s.size()) {
      char c = s[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!Digits(s, pos, 2, oh)) return fail("the UTC offset must be ±hh:mm");
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size() && !Digits(s, pos, 2, om)) return fail("the UTC offset must be ±hh:mm");
        if (oh > 23 || om > 59) return fail("the UTC offset is out of range");
        offset_s = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
      }
    }
  }
  if (pos != s.size()) return fail("unexpected text after the time");
  const int64_t days = sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  return seconds * 1'000'000 + fraction_us;
}

Result<int64_t> TimeFromInteger(int64_t value, TimeFormat format) {
  if (format == TimeFormat::kIso8601) {
    return InvalidArgument("the number " + std::to_string(value) +
                           " is not an ISO-8601 time (time_format is iso8601)");
  }
  double magnitude = std::fabs(static_cast<double>(value));
  int64_t scale = UnitScale(format, magnitude);
  if (scale < 0) return value / -scale;
  if (value > std::numeric_limits<int64_t>::max() / scale ||
      value < std::numeric_limits<int64_t>::min() / scale) {
    return InvalidArgument("the time " + std::to_string(value) + " is out of range");
  }
  return value * scale;
}

Result<int64_t> TimeFromDouble(double value, TimeFormat format) {
  if (!std::isfinite(value)) return InvalidArgument("the time is not a finite number");
  if (format == TimeFormat::kIso8601) {
    return InvalidArgument("a number is not an ISO-8601 time (time_format is iso8601)");
  }
  int64_t scale = UnitScale(format, std::fabs(value));
  double us = scale < 0 ? value / static_cast<double>(-scale) : value * static_cast<double>(scale);
  if (!(std::fabs(us) < 9.2e18)) return InvalidArgument("the time is out of range");
  return static_cast<int64_t>(std::llround(us));
}

Result<int64_t> TimeFromString(std::string_view text, TimeFormat format) {
  std::string_view s = Trim(text);
  if (s.empty()) return InvalidArgument("the time is empty");
  if (IsNumericText(s) && format != TimeFormat::kIso8601) {
    std::string_view digits = s.front() == '+' ? s.substr(1) : s;
    int64_t integer = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), integer);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      return TimeFromInteger(integer, format);
    }
    double real = 0;
    auto [end2, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), real);
    if (ec2 == std::errc() && end2 == digits.data() + digits.size()) {
      return TimeFromDouble(real, format);
    }
    return InvalidArgument(Quoted(text) + " is out of range for a time");
  }
  if (format == TimeFormat::kAuto || format == TimeFormat::kIso8601) return ParseIso8601(s);
  return InvalidArgument(Quoted(text) + " is not an epoch number (time_format is " +
                         (format == TimeFormat::kEpochSeconds  ? "epoch_s"
                          : format == TimeFormat::kEpochMillis ? "epoch_ms"
                                                               : "epoch_us") +
                         ")");
}

}  // namespace journeykit::kit

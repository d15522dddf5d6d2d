// Tests of epoch and ISO-8601 time parsing.
#include <gtest/gtest.h>

#include <journeykit/kit/time_parse.hpp>

namespace journeykit::kit {
namespace {

// 2024-03-15T10:20:30Z
constexpr int64_t kT = 1710498030LL * 1000000;

int64_t Iso(std::string_view s) {
  Result<int64_t> r = ParseIso8601(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
  return r.ok() ? *r : -1;
}

TEST(TimeParse, IsoUtcWithZ) {
  EXPECT_EQ(Iso("2024-03-15T10:20:30Z"), kT);
  EXPECT_EQ(Iso("2024-03-15t10:20:30z"), kT);
  EXPECT_EQ(Iso("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Iso("1969-12-31T23:59:59Z"), -1000000);
}

TEST(TimeParse, IsoFractionsAndOffsets) {
  EXPECT_EQ(Iso("2024-03-15T10:20:30.123456Z"), kT + 123456);
  EXPECT_EQ(Iso("2024-03-15T10:20:30.5Z"), kT + 500000);
  EXPECT_EQ(Iso("2024-03-15T10:20:30.123456789Z"), kT + 123456);  // truncated to µs
  EXPECT_EQ(Iso("2024-03-15T11:20:30+01:00"), kT);
  EXPECT_EQ(Iso("2024-03-15T05:50:30-04:30"), kT);
  EXPECT_EQ(Iso("2024-03-15T11:20:30+0100"), kT);
  EXPECT_EQ(Iso("2024-03-15T11:20:30+01"), kT);
  EXPECT_EQ(Iso("2024-03-15 10:20:30"), kT);  // no offset: UTC
  EXPECT_EQ(Iso("2024-03-15T10:20Z"), kT - 30000000);
  EXPECT_EQ(Iso("2024-03-15"), 1710460800LL * 1000000);
  EXPECT_EQ(Iso("2024-03-16T00:20:30.25+14:00"), kT + 250000);
}

TEST(TimeParse, IsoRejectsNonsense) {
  for (std::string_view bad : {"", "yesterday", "2024-02-30T00:00:00Z", "2024-13-01",
                               "2024-03-15T25:00:00Z", "2024-03-15T10:20:30.Z",
                               "2024-03-15T10:20:30Zjunk", "2024/03/15", "2024-03-15T10:20:30+1"}) {
    Result<int64_t> r = ParseIso8601(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  Result<int64_t> r = ParseIso8601("2024-02-30T00:00:00Z");
  EXPECT_NE(r.status().message().find("no such date"), std::string::npos) << r.status().message();
}

TEST(TimeParse, LeapDay) { EXPECT_EQ(Iso("2024-02-29T00:00:00Z"), 1709164800LL * 1000000); }

TEST(TimeParse, ExplicitEpochUnits) {
  EXPECT_EQ(*TimeFromInteger(1710498030, TimeFormat::kEpochSeconds), kT);
  EXPECT_EQ(*TimeFromInteger(1710498030123, TimeFormat::kEpochMillis), kT + 123000);
  EXPECT_EQ(*TimeFromInteger(1710498030123456, TimeFormat::kEpochMicros), kT + 123456);
  EXPECT_EQ(*TimeFromDouble(1710498030.25, TimeFormat::kEpochSeconds), kT + 250000);
  // Explicit units are not second-guessed: 5 seconds stays 5 seconds.
  EXPECT_EQ(*TimeFromInteger(5, TimeFormat::kEpochMillis), 5000);
  EXPECT_FALSE(TimeFromInteger(1710498030, TimeFormat::kIso8601).ok());
  EXPECT_FALSE(TimeFromInteger(INT64_MAX / 10, TimeFormat::kEpochSeconds).ok());
}

TEST(TimeParse, AutoByMagnitude) {
  EXPECT_EQ(*TimeFromInteger(1710498030, TimeFormat::kAuto), kT);
  EXPECT_EQ(*TimeFromInteger(1710498030123, TimeFormat::kAuto), kT + 123000);
  EXPECT_EQ(*TimeFromInteger(1710498030123456, TimeFormat::kAuto), kT + 123456);
  EXPECT_EQ(*TimeFromInteger(1710498030123456789, TimeFormat::kAuto), kT + 123456);
  EXPECT_EQ(*TimeFromDouble(1710498030.5, TimeFormat::kAuto), kT + 500000);
}

TEST(TimeParse, Strings) {
  EXPECT_EQ(*TimeFromString("1710498030", TimeFormat::kAuto), kT);
  EXPECT_EQ(*TimeFromString(" 1710498030123456 ", TimeFormat::kAuto), kT + 123456);
  EXPECT_EQ(*TimeFromString("1710498030123", TimeFormat::kEpochMillis), kT + 123000);
  EXPECT_EQ(*TimeFromString("1710498030.5", TimeFormat::kEpochSeconds), kT + 500000);
  EXPECT_EQ(*TimeFromString("2024-03-15T10:20:30Z", TimeFormat::kAuto), kT);
  EXPECT_EQ(*TimeFromString("2024-03-15T10:20:30Z", TimeFormat::kIso8601), kT);
  Result<int64_t> r = TimeFromString("2024-03-15T10:20:30Z", TimeFormat::kEpochSeconds);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("epoch_s"), std::string::npos);
  EXPECT_FALSE(TimeFromString("1710498030", TimeFormat::kIso8601).ok());
  EXPECT_FALSE(TimeFromString("", TimeFormat::kAuto).ok());
  EXPECT_FALSE(TimeFromString("12abc", TimeFormat::kAuto).ok());
}

TEST(TimeParse, FormatNames) {
  EXPECT_EQ(*ParseTimeFormat("auto"), TimeFormat::kAuto);
  EXPECT_EQ(*ParseTimeFormat("epoch_s"), TimeFormat::kEpochSeconds);
  EXPECT_EQ(*ParseTimeFormat("epoch_ms"), TimeFormat::kEpochMillis);
  EXPECT_EQ(*ParseTimeFormat("epoch_us"), TimeFormat::kEpochMicros);
  EXPECT_EQ(*ParseTimeFormat("iso8601"), TimeFormat::kIso8601);
  Result<TimeFormat> bad = ParseTimeFormat("unix");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("epoch_ms"), std::string::npos);
}

}  // namespace
}  // namespace journeykit::kit

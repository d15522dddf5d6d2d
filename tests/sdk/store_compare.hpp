// store_compare.hpp — comparing what two loads of the same events give. ExpectSameStore asserts
// that two event stores are the same store: every string id, source, column and side value of
// every event (a snapshot read back, a merge, a run's store filled as events committed, against
// the store built by appending one by one or read back). MapsJson: every map of an analysis.
#pragma once

#include <journeykit/event_store.hpp>
#include <journeykit/journey_map.hpp>
#include <journeykit/pipeline.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace journeykit::testing {

inline void ExpectSameStore(const EventStore& a, const EventStore& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.source_count(), b.source_count());
  ASSERT_EQ(a.strings().size(), b.strings().size());
  for (uint32_t id = 0; id < a.strings().size(); ++id) {
    ASSERT_EQ(a.strings().Get(id), b.strings().Get(id)) << id;
  }
  for (uint16_t s = 0; s < a.source_count(); ++s) EXPECT_EQ(a.source_name(s), b.source_name(s));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.time_us(i), b.time_us(i)) << i;
    EXPECT_EQ(a.source(i), b.source(i)) << i;
    EXPECT_EQ(a.action(i), b.action(i)) << i;
    EXPECT_EQ(a.touchpoint(i), b.touchpoint(i)) << i;
    EXPECT_EQ(a.stage(i), b.stage(i)) << i;
    EXPECT_EQ(a.segment_matches(i), b.segment_matches(i)) << i;
    ASSERT_EQ(a.identities(i).size(), b.identities(i).size()) << i;
    for (size_t k = 0; k < a.identities(i).size(); ++k) {
      EXPECT_EQ(a.identities(i)[k].kind, b.identities(i)[k].kind);
      EXPECT_EQ(a.identities(i)[k].value, b.identities(i)[k].value);
    }
    EXPECT_EQ(a.value(i), b.value(i)) << i;
    EXPECT_EQ(a.rating(i), b.rating(i)) << i;
    EXPECT_EQ(a.sentiment(i), b.sentiment(i)) << i;
    EXPECT_EQ(a.page_load_s(i), b.page_load_s(i)) << i;
    EXPECT_EQ(a.reply_delay_s(i), b.reply_delay_s(i)) << i;
    EXPECT_EQ(a.text(i), b.text(i)) << i;
    EXPECT_EQ(a.campaign(i), b.campaign(i)) << i;
  }
}

// The JSON of every map of `analysis` (everyone, then each segment), one per line.
inline std::string MapsJson(const JourneyAnalysis& analysis) {
  std::string out;
  for (const JourneyMap& m : analysis.maps) out += JourneyMapToJson(m) + "\n";
  return out;
}

}  // namespace journeykit::testing

// journeys_test.cpp — JourneySet::Build details: per-person sort (stable, any length), person
// ids as documented (docs/metrics.md), identities sorted.
#include <journeykit/hashing.hpp>
#include <journeykit/journeys.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace journeykit {
namespace {

JourneyModel Model() {
  JourneyModel model;
  Stage any{"any", "Any", false, {Condition{}}};
  EXPECT_TRUE(model.AddStage(any).ok());
  return model;
}

TEST(JourneySet, EventsSortedByTimeStablyForShortAndLongJourneys) {
  JourneyModel model = Model();
  EventStore store(model);
  // Person i has 3 + 20 * (i % 4) events with times going down and up, many ties.
  std::vector<std::pair<std::string, int64_t>> arrivals;
  for (int round = 0; round < 63; ++round) {
    for (int i = 0; i < 12; ++i) {
      if (round >= 3 + 20 * (i % 4)) continue;
      int64_t t = 1000 + ((round * 7919 + i) % 13) * 10;  // ties within a person
      Event e;
      e.source = "s";
      e.action = "a" + std::to_string(round);
      e.time_us = t;
      e.identities = {{"user_id", "u" + std::to_string(i)}};
      store.Append(e);
      arrivals.emplace_back(e.identities[0].second, t);
    }
  }
  JourneySet set = JourneySet::Build(store, {});
  ASSERT_EQ(set.person_count(), 12u);
  size_t total = 0;
  for (uint32_t p = 0; p < set.person_count(); ++p) {
    auto ev = set.events(p);
    total += ev.size();
    std::vector<uint32_t> want(ev.begin(), ev.end());
    std::sort(want.begin(), want.end());  // arrival order
    std::stable_sort(want.begin(), want.end(),
                     [&](uint32_t a, uint32_t b) { return store.time_us(a) < store.time_us(b); });
    EXPECT_EQ(std::vector<uint32_t>(ev.begin(), ev.end()), want) << "person " << p;
  }
  EXPECT_EQ(total, store.size());
}

TEST(JourneySet, PersonIdsAreTheDocumentedHashOfTheSmallestIdentity) {
  JourneyModel model = Model();
  EventStore store(model);
  for (int i = 0; i < 300; ++i) {
    Event e;
    e.source = "s";
    e.action = "a";
    e.time_us = i;
    e.identities = {{"user_id", "u" + std::to_string(i % 100)},
                    {"device", "d" + std::to_string((i * 37) % 150)}};
    store.Append(e);
  }
  JourneySet set = JourneySet::Build(store, {});
  ASSERT_GT(set.person_count(), 0u);
  for (uint32_t p = 0; p < set.person_count(); ++p) {
    std::vector<std::string_view> ids = set.identities(p);
    ASSERT_FALSE(ids.empty());
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    EXPECT_TRUE(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    EXPECT_EQ(set.person_id(p), "p_" + Sha256Hex(ids.front()).substr(0, 16));
  }
}

}  // namespace
}  // namespace journeykit

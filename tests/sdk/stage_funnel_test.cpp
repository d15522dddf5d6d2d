// stage_funnel_test.cpp — the stage funnel against numbers worked out by hand
// (journey_fixture.hpp).
#include <journeykit/stage_funnel.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

namespace journeykit {
namespace {

using testing::MakeFixture;

TEST(StageFunnel, EveryoneMatchesHandComputedValues) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  StageFunnel funnel = ComputeStageFunnel(set, -1);
  EXPECT_EQ(funnel.segment_id, "all");
  EXPECT_EQ(funnel.people, 7u);
  EXPECT_EQ(funnel.events, 13u);  // 14 events less the unidentified one
  EXPECT_EQ(funnel.sources, std::vector<std::string>{"test"});
  ASSERT_EQ(funnel.rows.size(), 4u);

  const auto& aw = funnel.rows[0];  // A B C D G H reached; A B D moved on (2h, 2h, 24h)
  EXPECT_EQ(aw.reached, 6u);
  EXPECT_EQ(aw.progressed, 3u);
  EXPECT_EQ(aw.dropped, 3u);
  EXPECT_DOUBLE_EQ(*aw.conversion_rate, 0.5);
  EXPECT_DOUBLE_EQ(*aw.drop_off_rate, 0.5);
  EXPECT_DOUBLE_EQ(*aw.median_time_to_next_s, 2 * 3600.0);
  EXPECT_EQ(aw.events, 6u);

  const auto& co = funnel.rows[1];  // A B D; A (3h) and B (7h) moved on
  EXPECT_EQ(co.reached, 3u);
  EXPECT_EQ(co.progressed, 2u);
  EXPECT_DOUBLE_EQ(*co.conversion_rate, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*co.median_time_to_next_s, 5 * 3600.0);  // mean of 3h and 7h

  const auto& de = funnel.rows[2];  // A B; A bought 1h later
  EXPECT_EQ(de.reached, 2u);
  EXPECT_EQ(de.progressed, 1u);
  EXPECT_EQ(de.dropped, 1u);
  EXPECT_DOUBLE_EQ(*de.median_time_to_next_s, 3600.0);

  const auto& pu = funnel.rows[3];  // A and E (E skipped every earlier stage)
  EXPECT_EQ(pu.reached, 2u);
  EXPECT_EQ(pu.progressed, 0u);
  EXPECT_EQ(pu.dropped, 0u);
  EXPECT_FALSE(pu.conversion_rate.has_value());
  EXPECT_FALSE(pu.median_time_to_next_s.has_value());
  EXPECT_TRUE(pu.goal);

  EXPECT_EQ(funnel.people_reaching_goal, 2u);
  EXPECT_DOUBLE_EQ(*funnel.goal_conversion_rate, 2.0 / 7.0);
}

TEST(StageFunnel, SegmentByFirstTouchpoint) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  StageFunnel funnel = ComputeStageFunnel(set, 0);  // A and D came first through Meta ads
  EXPECT_EQ(funnel.segment_id, "meta");
  EXPECT_EQ(funnel.people, 2u);
  EXPECT_EQ(funnel.rows[0].reached, 2u);
  EXPECT_EQ(funnel.rows[0].progressed, 2u);
  EXPECT_DOUBLE_EQ(*funnel.rows[0].median_time_to_next_s, 13 * 3600.0);  // (2h + 24h) / 2
  EXPECT_EQ(funnel.rows[1].reached, 2u);
  EXPECT_EQ(funnel.rows[1].progressed, 1u);
  EXPECT_DOUBLE_EQ(*funnel.rows[1].conversion_rate, 0.5);
  EXPECT_EQ(funnel.rows[3].reached, 1u);
  EXPECT_DOUBLE_EQ(*funnel.goal_conversion_rate, 0.5);
}

TEST(StageFunnel, EmptySegmentHasNoRates) {
  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  EventStore store(model);
  JourneySet set = JourneySet::Build(store, {});
  StageFunnel funnel = ComputeStageFunnel(set, 0);
  EXPECT_EQ(funnel.people, 0u);
  EXPECT_FALSE(funnel.goal_conversion_rate.has_value());
  for (const auto& row : funnel.rows) {
    EXPECT_EQ(row.reached, 0u);
    EXPECT_FALSE(row.conversion_rate.has_value());
  }
}

TEST(StageFunnel, StageEnteredOnlyBeforeEarlierStageDoesNotCountAsProgress) {
  // Purchase at 1h, then first checkout at 3h: the decision stage was entered after the
  // purchase, so it did not lead on to it.
  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  EventStore store(model);
  auto add = [&](int64_t h, const char* action) {
    Event e;
    e.source = "s";
    e.event_id = action;
    e.action = action;
    e.time_us = testing::kT0 + h * testing::kHour;
    e.identities = {{"user_id", "u"}};
    store.Append(e);
  };
  add(1, "purchase");
  add(3, "begin_checkout");
  JourneySet set = JourneySet::Build(store, {});
  StageFunnel funnel = ComputeStageFunnel(set, -1);
  EXPECT_EQ(funnel.rows[2].reached, 1u);
  EXPECT_EQ(funnel.rows[2].progressed, 0u);
  EXPECT_EQ(funnel.rows[2].dropped, 1u);
}

TEST(Median, OddEvenEmpty) {
  std::vector<double> odd = {5, 1, 3};
  std::vector<double> even = {4, 1, 3, 2};
  std::vector<double> none;
  EXPECT_DOUBLE_EQ(*Median(odd), 3);
  EXPECT_DOUBLE_EQ(*Median(even), 2.5);
  EXPECT_FALSE(Median(none).has_value());
}

}  // namespace
}  // namespace journeykit

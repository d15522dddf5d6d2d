// loyalty_test.cpp — repeat purchase, time between purchases, weekly and monthly cohorts and
// the loops of the journey, against numbers worked out by hand in the comments.
#include <journeykit/loyalty.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using testing::kHour;
using testing::kT0;  // 2026-01-01T00:00:00Z, a Thursday

constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kUs = 1;

constexpr const char* kModel = R"({
  "stages": [
    {"id": "awareness", "name": "Awareness", "when": [{"action": "page_view"}]},
    {"id": "consideration", "name": "Consideration", "when": [{"action": "webinar_attended"}]},
    {"id": "purchase", "name": "Purchase", "goal": true, "when": [{"action": "purchase"}]},
    {"id": "experience", "name": "Experience", "when": [{"action": "lesson"}]}
  ],
  "segments": [
    {"id": "nobody", "name": "Nobody", "when": [{"action": "never_happens"}]}
  ]
})";

struct Data {
  std::unique_ptr<JourneyModel> model;
  std::unique_ptr<EventStore> store;
  int next_id = 0;
  Data() {
    auto m = JourneyModel::FromJson(kModel);
    EXPECT_TRUE(m.ok()) << m.status().message();
    model = std::make_unique<JourneyModel>(std::move(m).value());
    store = std::make_unique<EventStore>(*model);
  }
  // `at` is microseconds after kT0; purchases come from source "shop", the rest from "web".
  void Add(const std::string& person, int64_t at, const std::string& action) {
    Event e;
    e.time_us = kT0 + at;
    e.source = action == "purchase" ? "shop" : "web";
    e.event_id = std::to_string(next_id++);
    e.action = action;
    e.identities = {{"user_id", person}};
    store->Append(e);
  }
  JourneySet Journeys() const { return JourneySet::Build(*store, {}); }
};

LoyaltyOptions Options() {
  LoyaltyOptions o;
  o.cycle_stages = {"experience"};
  return o;
}

Loyalty RunLoyalty(const JourneySet& set, const LoyaltyOptions& o) {
  auto r = ComputeLoyalty(set, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Loyalty{};
}

// Days after kT0: Jan 1 = day 0 (Thu), Jan 4 = 3 (Sun), Jan 5 = 4 (Mon), Feb 1 = 31 (Sun),
// Feb 2 = 32 (Mon). Weeks start on Mondays: Dec 29, Jan 5, Jan 12, Jan 19, Jan 26, Feb 2.
//  A  page_view Jan 1 00:00, purchase Jan 1 10:00, lesson Jan 3, purchase Jan 10 10:00,
//     purchase Feb 2 00:00 (exactly a Monday)                 → small cycle
//  B  purchase Jan 4 23:59:59.999999, purchase Jan 5 00:00 (the next week, 1 µs later),
//     page_view Jan 20                                         → churn loop
//  C  purchase Jan 31 23:00, page_view Feb 3, purchase Feb 5  → fell back and recovered
//  D  page_view Jan 2 (one-event journey, never buys)
//  E  two purchases at the same microsecond, Jan 6 12:00 (a tie: two purchases, gap 0)
//  H  purchase Jan 15, lesson Jan 16 (experience, no second purchase)
//  -  a purchase with only a blocked identity: nobody's
void AddPeople(Data& d) {
  d.Add("a", 0, "page_view");
  d.Add("a", 10 * kHour, "purchase");
  d.Add("a", 2 * kDay, "lesson");
  d.Add("a", 9 * kDay + 10 * kHour, "purchase");
  d.Add("a", 32 * kDay, "purchase");
  d.Add("b", 4 * kDay - kUs, "purchase");
  d.Add("b", 4 * kDay, "purchase");
  d.Add("b", 19 * kDay, "page_view");
  d.Add("c", 30 * kDay + 23 * kHour, "purchase");
  d.Add("c", 33 * kDay, "page_view");
  d.Add("c", 35 * kDay, "purchase");
  d.Add("d", 1 * kDay, "page_view");
  d.Add("e", 5 * kDay + 12 * kHour, "purchase");
  d.Add("e", 5 * kDay + 12 * kHour, "purchase");
  d.Add("h", 14 * kDay, "purchase");
  d.Add("h", 15 * kDay, "lesson");
  d.Add("null", 3 * kDay, "purchase");
}

TEST(Calendar, WeeksStartOnMondayAndMonthsAreCalendarMonthsUtc) {
  // 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
  EXPECT_EQ(WeekStartUs(WeekIndex(kT0)), kT0 - 3 * kDay);
  EXPECT_EQ(WeekIndex(kT0 + 4 * kDay) - WeekIndex(kT0 + 4 * kDay - kUs), 1);  // Mon 00:00
  EXPECT_EQ(WeekIndex(kT0 + 3 * kDay), WeekIndex(kT0));                       // Sunday
  EXPECT_EQ(MonthStartUs(MonthIndex(kT0 + 20 * kDay)), kT0);
  EXPECT_EQ(MonthIndex(kT0 + 31 * kDay) - MonthIndex(kT0 + 31 * kDay - kUs), 1);  // Feb 1
  EXPECT_EQ(MonthIndex(kT0), (2026 - 1970) * 12);
  // Before the epoch: 1969-12-31 (Wednesday) is in the week of Monday 1969-12-29.
  EXPECT_EQ(WeekIndex(-1), 0);
  EXPECT_EQ(WeekStartUs(0), -3 * kDay);
  EXPECT_EQ(MonthIndex(-1), -1);
  EXPECT_EQ(MonthStartUs(-1), -31 * kDay);
  EXPECT_EQ(MonthStartUs(1), 31 * kDay);  // 1970-02-01
}

TEST(Loyalty, RepeatPurchaseAndTimeBetweenPurchases) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  Loyalty l = RunLoyalty(set, Options());
  // People A B C D E H (the blocked one is nobody); events 5+3+3+1+2+2 = 16.
  EXPECT_EQ(l.segment_id, "all");
  EXPECT_EQ(l.provenance.people, 6u);
  EXPECT_EQ(l.provenance.events, 16u);
  EXPECT_EQ(l.provenance.sources, (std::vector<std::string>{"web", "shop"}));
  EXPECT_EQ(l.as_of_us, kT0 + 35 * kDay);  // the latest event (C's purchase)
  // Buyers A(3) B(2) C(2) E(2) H(1): 5 buyers, 10 purchases, 4 with two or more.
  EXPECT_EQ(l.repeat.buyers, 5u);
  EXPECT_EQ(l.repeat.repeat_buyers, 4u);
  EXPECT_EQ(l.repeat.purchases, 10u);
  EXPECT_DOUBLE_EQ(*l.repeat.repeat_rate, 0.8);
  EXPECT_DOUBLE_EQ(*l.repeat.purchases_per_buyer, 2.0);
  EXPECT_EQ(l.repeat.provenance.people, 5u);
  EXPECT_EQ(l.repeat.provenance.events, 10u);
  EXPECT_EQ(l.repeat.provenance.sources, std::vector<std::string>{"shop"});
  // Gaps (s): A Jan 1 10:00 → Jan 10 10:00 = 9 d = 777600; Jan 10 10:00 → Feb 2 00:00 =
  // 22 d 14 h = 1951200; B 1 µs = 1e-6; C Jan 31 23:00 → Feb 5 = 4 d 1 h = 349200; E 0.
  // Sorted: 0, 1e-6, 349200, 777600, 1951200 → median 349200; p90 rank ceil(4.5) = 5.
  EXPECT_EQ(l.between.gaps, 5u);
  EXPECT_DOUBLE_EQ(*l.between.median_s, 349200.0);
  EXPECT_DOUBLE_EQ(*l.between.p90_s, 1951200.0);
  EXPECT_NEAR(*l.between.mean_s, (1e-6 + 349200.0 + 777600.0 + 1951200.0) / 5.0, 1e-6);
  // Edges 1, 7, 30, 90, 365 days: [0,1d) 0 and 1e-6; [1d,7d) 349200; [7d,30d) the two of A.
  EXPECT_EQ(l.between.histogram, (std::vector<uint64_t>{2, 1, 2, 0, 0, 0}));
}

TEST(Loyalty, WeeklyAndMonthlyCohortsByFirstPurchase) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  Loyalty l = RunLoyalty(set, Options());
  // as_of = Feb 5 00:00. Anchors (first purchase) and activity (any event at/after it):
  //  A Jan 1 (week Dec 29): k0 purchase+lesson, k1 Jan 10, k5 Feb 2 (Monday 00:00)
  //  B Jan 4 23:59:59.999999 (week Dec 29): k0, k1 Jan 5 00:00, k3 page_view Jan 20
  //  E Jan 6 (week Jan 5): k0.   H Jan 15 (week Jan 12): k0.
  //  C Jan 31 23:00 (week Jan 26): k0, k1 (Feb 3, Feb 5).   D never bought: no cohort.
  // Offsets reported while their week starts at or before Feb 5: Dec 29 + 5 weeks = Feb 2.
  const auto& w = l.weekly.rows;
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].label, "2025-12-29");
  EXPECT_EQ(w[0].start_us, kT0 - 3 * kDay);
  EXPECT_EQ(w[0].people, 2u);
  EXPECT_EQ(w[0].retained, (std::vector<uint64_t>{2, 2, 0, 1, 0, 1}));
  EXPECT_DOUBLE_EQ(w[0].retention[3], 0.5);
  EXPECT_EQ(w[0].complete_offsets, 5u);  // the week of Feb 2 is still running on Feb 5
  EXPECT_EQ(w[1].label, "2026-01-05");
  EXPECT_EQ(w[1].retained, (std::vector<uint64_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(w[1].complete_offsets, 4u);
  EXPECT_EQ(w[2].label, "2026-01-12");
  EXPECT_EQ(w[2].retained, (std::vector<uint64_t>{1, 0, 0, 0}));
  EXPECT_EQ(w[3].label, "2026-01-26");
  EXPECT_EQ(w[3].retained, (std::vector<uint64_t>{1, 1}));
  EXPECT_EQ(w[3].complete_offsets, 1u);
  // Members 5; activity events counted: A 4, B 3, C 3, E 2, H 2 = 14.
  EXPECT_EQ(l.weekly.provenance.people, 5u);
  EXPECT_EQ(l.weekly.provenance.events, 14u);
  // Months: every anchor is in January (C's Jan 31 23:00 included); February: A (Feb 2) and
  // C (Feb 3, Feb 5). March starts after as_of: 2 offsets, the first complete.
  const auto& m = l.monthly.rows;
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].label, "2026-01");
  EXPECT_EQ(m[0].start_us, kT0);
  EXPECT_EQ(m[0].people, 5u);
  EXPECT_EQ(m[0].retained, (std::vector<uint64_t>{5, 2}));
  EXPECT_DOUBLE_EQ(m[0].retention[1], 0.4);
  EXPECT_EQ(m[0].complete_offsets, 1u);
  EXPECT_EQ(l.monthly.provenance.events, 14u);
}

TEST(Loyalty, CohortsByFirstEventWithPurchaseActivity) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  LoyaltyOptions o = Options();
  o.cohort_basis = CohortBasis::kFirstEvent;
  o.retention_activity = RetentionActivity::kPurchase;
  o.max_offsets = 2;
  Loyalty l = RunLoyalty(set, o);
  // Week of Dec 29: A (Jan 1), B (Jan 4), D (Jan 2): purchases k0 A, B; k1 A (Jan 10),
  // B (Jan 5); k2 none. D never buys. Offsets capped at 2.
  const auto& w = l.weekly.rows;
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].people, 3u);
  EXPECT_EQ(w[0].retained, (std::vector<uint64_t>{2, 2, 0}));
  EXPECT_EQ(w[0].complete_offsets, 3u);
  // Week of Jan 26: C (Jan 31) purchases k0 and k1 (Feb 5).
  EXPECT_EQ(w[3].label, "2026-01-26");
  EXPECT_EQ(w[3].retained, (std::vector<uint64_t>{1, 1}));
  // Months: January: A B C D E H (6); purchases in February: A, C → 2.
  ASSERT_EQ(l.monthly.rows.size(), 1u);
  EXPECT_EQ(l.monthly.rows[0].people, 6u);
  EXPECT_EQ(l.monthly.rows[0].retained, (std::vector<uint64_t>{5, 2}));
}

TEST(Loyalty, SmallCycleAndChurnLoop) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  Loyalty l = RunLoyalty(set, Options());
  // A: purchase → lesson → purchase: small cycle. H: purchase → lesson, nothing after.
  // B: last purchase Jan 5, page_view Jan 20: churn loop. C: purchase → page_view →
  // purchase: fell back, recovered, not churned. A's first page_view precedes any purchase.
  const LoyaltyLoops& x = l.loops;
  EXPECT_EQ(x.buyers, 5u);
  EXPECT_TRUE(x.small_cycle_computed);
  EXPECT_EQ(x.small_cycle, 1u);
  EXPECT_DOUBLE_EQ(*x.small_cycle_rate, 0.2);
  EXPECT_TRUE(x.churn_computed);
  EXPECT_EQ(x.churn_loop, 1u);
  EXPECT_EQ(x.recovered, 1u);
  EXPECT_EQ(x.fell_back, 2u);
  EXPECT_DOUBLE_EQ(*x.churn_loop_rate, 0.2);
  EXPECT_DOUBLE_EQ(*x.fell_back_rate, 0.4);
  // Buyers' events: A 5, B 3, C 3, E 2, H 2 = 15, from web and shop.
  EXPECT_EQ(x.provenance.people, 5u);
  EXPECT_EQ(x.provenance.events, 15u);
  EXPECT_EQ(x.provenance.sources, (std::vector<std::string>{"web", "shop"}));
}

TEST(Loyalty, PeriodBoundsPurchasesAndLoops) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  LoyaltyOptions o = Options();
  o.from_us = kT0 + 4 * kDay;  // Mon Jan 5 00:00 (inclusive: B's second purchase is in)
  o.to_us = kT0 + 31 * kDay;   // Sun Feb 1 00:00 (exclusive)
  Loyalty l = RunLoyalty(set, o);
  // In the period: A Jan 10; B Jan 5; C Jan 31 23:00; E 2 (tie); H Jan 15.
  EXPECT_EQ(l.repeat.buyers, 5u);
  EXPECT_EQ(l.repeat.repeat_buyers, 1u);  // E
  EXPECT_EQ(l.repeat.purchases, 6u);
  EXPECT_EQ(l.between.gaps, 1u);  // E's two: A's Jan 1 → Jan 10 has one end outside
  EXPECT_DOUBLE_EQ(*l.between.median_s, 0.0);
  // Loops see the period only: A's lesson (Jan 3) is outside → no small cycle; B: purchase
  // Jan 5 then page_view Jan 20 → churn loop; C's page_view (Feb 3) is outside.
  EXPECT_EQ(l.loops.small_cycle, 0u);
  EXPECT_EQ(l.loops.churn_loop, 1u);
  EXPECT_EQ(l.loops.recovered, 0u);
  // Cohorts: anchors in the period only: E (week Jan 5), H (Jan 12), C (Jan 26).
  EXPECT_EQ(l.weekly.rows.size(), 3u);
  EXPECT_EQ(l.weekly.provenance.people, 3u);
  // Events in the period: A 1 (Jan 10), B 2, C 1, D 0, E 2, H 2 = 8.
  EXPECT_EQ(l.provenance.events, 8u);

  // New buyers: first purchase ever in the period: E, H, C. Repeats up to as_of: E (tie),
  // C (Feb 5, after the period). Purchases 2 + 1 + 2; gaps E 0 and C 349200.
  o.repeat_basis = RepeatBasis::kNewBuyersInPeriod;
  Loyalty n = RunLoyalty(set, o);
  EXPECT_EQ(n.repeat.buyers, 3u);
  EXPECT_EQ(n.repeat.repeat_buyers, 2u);
  EXPECT_EQ(n.repeat.purchases, 5u);
  EXPECT_EQ(n.between.gaps, 2u);
  EXPECT_DOUBLE_EQ(*n.between.median_s, 349200.0 / 2.0);
}

TEST(Loyalty, AsOfHidesLaterEvents) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  LoyaltyOptions o = Options();
  o.as_of_us = kT0 + 32 * kDay - kUs;  // just before Monday Feb 2
  Loyalty l = RunLoyalty(set, o);
  // Gone: A's Feb 2 purchase, C's Feb 3 page_view and Feb 5 purchase.
  EXPECT_EQ(l.repeat.purchases, 8u);
  EXPECT_EQ(l.repeat.repeat_buyers, 3u);  // A B E
  EXPECT_EQ(l.loops.recovered, 0u);
  // Week of Dec 29: offsets up to the week of Jan 26 (k4), all but k4 complete.
  EXPECT_EQ(l.weekly.rows[0].retained, (std::vector<uint64_t>{2, 2, 0, 1, 0}));
  EXPECT_EQ(l.weekly.rows[0].complete_offsets, 4u);
}

TEST(Loyalty, TiesInTimeFollowArrivalOrder) {
  Data d;
  // X: purchase, then a lesson and a purchase at the same microsecond; the lesson arrived
  // first, so in journey order it precedes the purchase: small cycle.
  d.Add("x", 0, "purchase");
  d.Add("x", kHour, "lesson");
  d.Add("x", kHour, "purchase");
  // Y: the same, but the purchase arrived before the lesson: no small cycle.
  d.Add("y", 0, "purchase");
  d.Add("y", kHour, "purchase");
  d.Add("y", kHour, "lesson");
  JourneySet set = d.Journeys();
  Loyalty l = RunLoyalty(set, Options());
  EXPECT_EQ(l.loops.buyers, 2u);
  EXPECT_EQ(l.loops.small_cycle, 1u);
  EXPECT_EQ(l.repeat.repeat_buyers, 2u);
}

TEST(Loyalty, PurchaseAsAStageAndAnEmptySegment) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  LoyaltyOptions o = Options();
  o.purchase.stage = "purchase";  // the purchase stage's rule is the purchase action
  Loyalty l = RunLoyalty(set, o);
  EXPECT_EQ(l.repeat.buyers, 5u);
  EXPECT_EQ(l.repeat.purchases, 10u);

  o = Options();
  o.segment = 0;  // nobody
  Loyalty e = RunLoyalty(set, o);
  EXPECT_EQ(e.segment_id, "nobody");
  EXPECT_EQ(e.provenance.people, 0u);
  EXPECT_EQ(e.provenance.events, 0u);
  EXPECT_TRUE(e.provenance.sources.empty());
  EXPECT_EQ(e.repeat.buyers, 0u);
  EXPECT_FALSE(e.repeat.repeat_rate.has_value());
  EXPECT_EQ(e.between.gaps, 0u);
  EXPECT_FALSE(e.between.median_s.has_value());
  EXPECT_FALSE(e.between.p90_s.has_value());
  EXPECT_TRUE(e.weekly.rows.empty());
  EXPECT_TRUE(e.monthly.rows.empty());
  EXPECT_FALSE(e.loops.small_cycle_rate.has_value());
  EXPECT_FALSE(e.loops.churn_loop_rate.has_value());
}

TEST(Loyalty, EmptyStoreAndSkippedLoops) {
  Data d;
  JourneySet set = d.Journeys();
  LoyaltyOptions o;
  o.cycle_stages.clear();
  o.awareness_stage.clear();
  Loyalty l = RunLoyalty(set, o);
  EXPECT_EQ(l.provenance.people, 0u);
  EXPECT_FALSE(l.loops.small_cycle_computed);
  EXPECT_FALSE(l.loops.churn_computed);
  EXPECT_FALSE(l.loops.small_cycle_rate.has_value());
}

TEST(Loyalty, RejectsBadOptions) {
  Data d;
  AddPeople(d);
  JourneySet set = d.Journeys();
  // The default cycle stages include "retention", which this model does not define.
  auto r = ComputeLoyalty(set, LoyaltyOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("'retention'"), std::string::npos);

  auto bad = [&](auto edit) {
    LoyaltyOptions o = Options();
    edit(o);
    return ComputeLoyalty(set, o).status().code();
  };
  EXPECT_EQ(bad([](LoyaltyOptions& o) { o.segment = 1; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](LoyaltyOptions& o) { o.from_us = o.to_us = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](LoyaltyOptions& o) { o.purchase.stage = "checkout"; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](LoyaltyOptions& o) { o.purchase.actions.clear(); }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](LoyaltyOptions& o) { o.awareness_stage = "top"; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](LoyaltyOptions& o) { o.max_offsets = 64; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad([](LoyaltyOptions& o) {
              o.gap_histogram_edges_s = {10, 5};
            }),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace journeykit

// funnel_test.cpp — ordered, strict-order and unordered funnels against numbers worked out by
// hand (each test's comments show the work), plus ClickHouse windowFunnel's documented examples.
#include <journeykit/funnel.hpp>

#include <journeykit/stage_funnel.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using testing::kHour;
using testing::kT0;
using testing::MakeFixture;

constexpr int64_t kMinute = kHour / 60;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kFarFuture = kT0 + 1000 * kDay;  // as_of where every window has closed

FunnelStep Step(const std::string& action) {
  FunnelStep s;
  s.id = action;
  s.when = {Condition{.actions = {action}}};
  return s;
}

std::vector<FunnelStep> Steps(std::initializer_list<const char*> actions) {
  std::vector<FunnelStep> out;
  for (const char* a : actions) out.push_back(Step(a));
  return out;
}

// A store on the fixture model (journey_fixture.hpp) with events added per person by name.
struct Data {
  std::unique_ptr<JourneyModel> model;
  std::unique_ptr<EventStore> store;
  int next_id = 0;

  Data() {
    model = std::make_unique<JourneyModel>(*JourneyModel::FromJson(testing::kFixtureModel));
    store = std::make_unique<EventStore>(*model);
  }
  // `at` is microseconds after kT0.
  void Add(const std::string& person, int64_t at, const std::string& action,
           const std::string& utm = {}) {
    Event e;
    e.time_us = kT0 + at;
    e.source = "web";
    e.event_id = std::to_string(next_id++);
    e.action = action;
    e.identities = {{"user_id", person}};
    if (!utm.empty()) e.hints.emplace_back("utm_source", utm);
    store->Append(e);
  }
  JourneySet Journeys() const { return JourneySet::Build(*store, {}); }
};

Funnel RunFunnel(const JourneySet& set, const FunnelOptions& options) {
  auto f = ComputeFunnel(set, options);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? *f : Funnel{};
}

std::vector<uint64_t> Reached(const Funnel& f) {
  std::vector<uint64_t> out;
  for (const auto& s : f.steps) out.push_back(s.reached);
  return out;
}

// Fixture people (hours): A pv0 web2 co5 pu6 · B pv1 web3 co10 · C pv0 · D pv0 web24 · E pu5 ·
// G pv0 · H pv0 · one unidentified pv0. as_of defaults to the latest event: 24h.
TEST(Funnel, OrderedOnFixtureMatchesHandComputedValues) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "begin_checkout", "purchase"});
  o.window_us = 12 * kHour;
  Funnel f = RunFunnel(set, o);
  // Entries: A B C D G H (E has no page_view; the unidentified event is nobody's).
  // A: 4 steps by 6h. B: 3 steps (checkout at 10h <= 1h + 12h). C, G, H: page view only.
  // D: webinar at 24h > 0h + 12h. Every window has closed by 24h: nothing in progress.
  EXPECT_EQ(f.segment_id, "all");
  EXPECT_EQ(f.as_of_us, kT0 + 24 * kHour);
  EXPECT_EQ(f.people, 7u);
  EXPECT_EQ(f.events, 13u);
  EXPECT_EQ(f.people_entered, 6u);
  EXPECT_EQ(f.events_of_people_entered, 12u);  // all but E's purchase
  EXPECT_EQ(f.sources, std::vector<std::string>{"test"});
  EXPECT_EQ(f.entered, 6u);
  EXPECT_EQ(f.excluded, 0u);
  EXPECT_EQ(f.counted, 6u);
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.in_progress, 0u);
  EXPECT_EQ(f.dropped, 5u);
  EXPECT_DOUBLE_EQ(*f.conversion_rate, 1.0 / 6.0);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{6, 2, 2, 1}));
  EXPECT_EQ(f.steps[0].dropped, 4u);  // C D G H
  EXPECT_EQ(f.steps[1].dropped, 0u);
  EXPECT_EQ(f.steps[2].dropped, 1u);  // B
  EXPECT_EQ(f.steps[3].dropped, 0u);
  EXPECT_FALSE(f.steps[0].conversion_from_previous.has_value());
  EXPECT_DOUBLE_EQ(*f.steps[1].conversion_from_previous, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(*f.steps[2].conversion_from_previous, 1.0);
  EXPECT_DOUBLE_EQ(*f.steps[3].conversion_from_previous, 0.5);
  EXPECT_DOUBLE_EQ(*f.steps[3].conversion_from_start, 1.0 / 6.0);
  // Time from entry: webinar A 2h, B 2h; checkout A 5h, B 9h; purchase A 6h.
  EXPECT_FALSE(f.steps[0].median_time_from_entry_s.has_value());
  EXPECT_TRUE(f.steps[0].time_histogram.empty());
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 7200.0);
  EXPECT_DOUBLE_EQ(*f.steps[1].p90_time_from_entry_s, 7200.0);
  EXPECT_EQ(f.steps[1].time_histogram, (std::vector<uint64_t>{0, 2, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(*f.steps[2].median_time_from_entry_s, 7 * 3600.0);  // (5h + 9h) / 2
  EXPECT_DOUBLE_EQ(*f.steps[2].p90_time_from_entry_s, 9 * 3600.0);     // rank ceil(1.8) = 2
  EXPECT_DOUBLE_EQ(*f.steps[3].median_time_from_entry_s, 6 * 3600.0);
}

TEST(Funnel, InProgressIsNotDroppedAndAsOfHidesLaterEvents) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "begin_checkout", "purchase"});
  o.window_us = 12 * kHour;
  o.as_of_us = kT0 + 12 * kHour;
  Funnel f = RunFunnel(set, o);
  // D's webinar at 24h is after as_of: not seen (13 - 1 = 12 events).
  // A complete. B entered at 1h: window closes at 13h > 12h, at checkout: in progress.
  // C D G H entered at 0h: window closes at 12h <= as_of: dropped (inclusive edge: closed).
  EXPECT_EQ(f.events, 12u);
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.in_progress, 1u);
  EXPECT_EQ(f.dropped, 4u);
  EXPECT_EQ(f.steps[2].in_progress, 1u);
  EXPECT_EQ(f.steps[2].dropped, 0u);
  EXPECT_EQ(f.steps[0].dropped, 4u);
  EXPECT_EQ(f.steps[0].in_progress, 0u);

  // With the default 30-day window nobody's window has closed at 24h: all open chains.
  FunnelOptions wide = o;
  wide.window_us = 30 * kDay;
  wide.as_of_us.reset();
  Funnel g = RunFunnel(set, wide);
  // A complete; B at checkout; D reaches the webinar at 24h; C G H at the page view.
  EXPECT_EQ(g.completed, 1u);
  EXPECT_EQ(g.in_progress, 5u);
  EXPECT_EQ(g.dropped, 0u);
  EXPECT_EQ(g.steps[0].in_progress, 3u);
  EXPECT_EQ(g.steps[1].in_progress, 1u);
  EXPECT_EQ(g.steps[2].in_progress, 1u);
  EXPECT_EQ(Reached(g), (std::vector<uint64_t>{6, 3, 2, 1}));
}

TEST(Funnel, WindowEdgeIsInclusive) {
  Data d;
  d.Add("p1", 0, "page_view");
  d.Add("p1", kHour, "webinar_attended");  // exactly entry + window: inside
  d.Add("p2", 0, "page_view");
  d.Add("p2", kHour + 1, "webinar_attended");  // 1 µs past the edge: outside
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended"});
  o.window_us = kHour;
  o.as_of_us = kT0 + kHour;  // == both windows' end: closed
  Funnel f = RunFunnel(set, o);
  // p2's webinar is after as_of and unseen anyway; p2 has reached step 1 and its window closed.
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.dropped, 1u);
  EXPECT_EQ(f.in_progress, 0u);
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 3600.0);

  o.as_of_us = kFarFuture;  // p2's late webinar is seen, still outside the window
  f = RunFunnel(set, o);
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.steps[0].dropped, 1u);

  o.as_of_us = kT0 + kHour - 1;  // one µs before the edge: both windows still open
  f = RunFunnel(set, o);
  EXPECT_EQ(f.completed, 0u);
  EXPECT_EQ(f.in_progress, 2u);
  EXPECT_EQ(f.steps[0].in_progress, 2u);
}

TEST(Funnel, PerStepWindowsUseTheBestChainNotTheFirstEvent) {
  Data d;
  // Window on step 3 (checkout): at most 2h after the webinar.
  d.Add("edge", 0, "page_view");
  d.Add("edge", kHour, "webinar_attended");
  d.Add("edge", 3 * kHour, "begin_checkout");  // exactly 2h after the webinar: inside
  d.Add("late", 0, "page_view");
  d.Add("late", kHour, "webinar_attended");
  d.Add("late", 3 * kHour + 1, "begin_checkout");  // 1 µs too late
  d.Add("again", 0, "page_view");
  d.Add("again", kHour, "webinar_attended");       // checkout 10h later: too late...
  d.Add("again", 10 * kHour, "webinar_attended");  // ...but this webinar is 1h before it
  d.Add("again", 11 * kHour, "begin_checkout");
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "begin_checkout"});
  o.window_us = kDay;
  o.step_windows_us = {0, 0, 2 * kHour};
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  // edge: 3 steps. late: 2 steps. again: 3 steps via the 10h webinar.
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{3, 3, 2}));
  EXPECT_EQ(f.steps[1].dropped, 1u);
  // Step 2 first reached at 1h by everyone; step 3 at 3h (edge) and 11h (again).
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 3600.0);
  EXPECT_DOUBLE_EQ(*f.steps[2].median_time_from_entry_s, 7 * 3600.0);
}

TEST(Funnel, StrictOrderBreaksOnASkippedStepOnly) {
  Data d;
  d.Add("skip", 0, "page_view");
  d.Add("skip", 1 * kHour, "begin_checkout");  // step 3 before step 2: breaks
  d.Add("skip", 2 * kHour, "webinar_attended");
  d.Add("skip", 3 * kHour, "begin_checkout");
  d.Add("repeat", 0, "page_view");
  d.Add("repeat", 1 * kHour, "page_view");
  d.Add("repeat", 2 * kHour, "webinar_attended");
  d.Add("repeat", 3 * kHour, "page_view");  // an earlier step again: allowed
  d.Add("repeat", 4 * kHour, "begin_checkout");
  d.Add("other", 0, "page_view");
  d.Add("other", 1 * kHour, "email_open");  // matches no step: ignored (unless CH parity)
  d.Add("other", 2 * kHour, "webinar_attended");
  d.Add("other", 3 * kHour, "begin_checkout");
  d.Add("later", 0, "page_view");
  d.Add("later", 1 * kHour, "begin_checkout");  // breaks the chain of the 0h entry
  d.Add("later", 5 * kHour, "page_view");       // a new entry: a clean chain
  d.Add("later", 6 * kHour, "webinar_attended");
  d.Add("later", 7 * kHour, "begin_checkout");
  JourneySet set = d.Journeys();  // people in order: skip, repeat, other, later
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "begin_checkout"});
  o.window_us = kDay;
  o.as_of_us = kT0 + 2 * kHour;  // every window open: a broken chain is still dropped
  o.mode = FunnelMode::kOrdered;
  Funnel ordered = RunFunnel(set, o);
  o.mode = FunnelMode::kStrictOrder;
  Funnel early = RunFunnel(set, o);
  // At 2h: skip broken at 1h (dropped at step 1, although its window is open); repeat and
  // other at the webinar (in progress); later broken at 1h (dropped).
  EXPECT_EQ(early.steps[0].dropped, 2u);
  EXPECT_EQ(early.steps[1].in_progress, 2u);

  o.as_of_us = kFarFuture;
  o.mode = FunnelMode::kOrdered;
  ordered = RunFunnel(set, o);
  EXPECT_EQ(ordered.completed, 4u);  // every person has pv < webinar < checkout in order
  o.mode = FunnelMode::kStrictOrder;
  Funnel strict = RunFunnel(set, o);
  // skip: 1 step. repeat: 3. other: 3. later: 3 from the 5h entry (ClickHouse's strict_order
  // stops the whole scan at the first break and would report 1 for "later").
  EXPECT_EQ(Reached(strict), (std::vector<uint64_t>{4, 3, 3}));
  EXPECT_EQ(strict.steps[0].dropped, 1u);
  EXPECT_EQ(strict.completed, 3u);

  o.strict_unmatched_breaks = true;  // "other": the e-mail open breaks as in ClickHouse
  Funnel parity = RunFunnel(set, o);
  EXPECT_EQ(Reached(parity), (std::vector<uint64_t>{4, 2, 2}));
}

// ClickHouse documentation, windowFunnel, "Example": table `trend`, user 1 has events 1003
// (2019-01-29 10:00:00), 1009 (01-30 08:00), 1007 (01-31 09:00), 1010 (02-01 08:00);
// windowFunnel(6048000000000000)(timestamp, eventID = 1003, eventID = 1009, eventID = 1007,
// eventID = 1010) gives level 4 for the user (result row: level 4, count 1).
TEST(Funnel, ReproducesClickHouseWindowFunnelDocumentedExample) {
  Data d;
  const int64_t jan29_10h = 1'548'756'000'000'000 - kT0;  // 2019-01-29T10:00:00Z
  d.Add("1", jan29_10h, "1003");
  d.Add("1", jan29_10h + 22 * kHour, "1009");  // 2019-01-30 08:00
  d.Add("1", jan29_10h + 47 * kHour, "1007");  // 2019-01-31 09:00
  d.Add("1", jan29_10h + 70 * kHour, "1010");  // 2019-02-01 08:00
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"1003", "1009", "1007", "1010"});
  o.window_us = std::numeric_limits<int64_t>::max();  // the example's window is "forever"
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{1, 1, 1, 1}));

  // Same data, windowFunnel(172800) (2 days): 1007 at +47h is inside, 1010 at +70h is not:
  // level 3 by the documented algorithm.
  o.window_us = 48 * kHour;
  f = RunFunnel(set, o);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{1, 1, 1, 0}));
  EXPECT_EQ(f.steps[2].dropped, 1u);
}

// A worked windowFunnel example from the ClickHouse community (cnblogs "clickhouse的
// windowFunnel"), checked against the documented algorithm: uid1 event1@04 event2@06 event3@08,
// uid2 event2@12 event3@15, uid3 event3@10 event4@13 (seconds); conditions event2, event3.
// windowFunnel(4): uid1 2, uid2 2, uid3 0 (no entry). windowFunnel(2): uid1 2 (08 - 06 = 2, the
// edge is inside), uid2 1 (15 - 12 = 3), uid3 0.
TEST(Funnel, ReproducesWindowFunnelLevelsPerUser) {
  Data d;
  const int64_t s = kMicrosPerSecond;
  d.Add("uid1", 4 * s, "event1");
  d.Add("uid1", 6 * s, "event2");
  d.Add("uid1", 8 * s, "event3");
  d.Add("uid2", 12 * s, "event2");
  d.Add("uid2", 15 * s, "event3");
  d.Add("uid3", 10 * s, "event3");
  d.Add("uid3", 13 * s, "event4");
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"event2", "event3"});
  o.as_of_us = kFarFuture;
  o.window_us = 4 * s;
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(f.people, 3u);
  EXPECT_EQ(f.entered, 2u);  // level 0 for uid3: not entered
  EXPECT_EQ(f.completed, 2u);
  o.window_us = 2 * s;
  f = RunFunnel(set, o);
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.steps[0].dropped, 1u);
}

// ClickHouse documentation, 'strict_order': "in the case of A->B->D->C, it stops finding
// A->B->C at the D and the max event level is 2" (D matches no condition).
TEST(Funnel, ReproducesClickHouseStrictOrderExample) {
  Data d;
  d.Add("u", 0, "A");
  d.Add("u", 1, "B");
  d.Add("u", 2, "D");
  d.Add("u", 3, "C");
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"A", "B", "C"});
  o.mode = FunnelMode::kStrictOrder;
  o.strict_unmatched_breaks = true;
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{1, 1, 0}));  // level 2, as documented
  o.strict_unmatched_breaks = false;                        // our default ignores D: level 3
  f = RunFunnel(set, o);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{1, 1, 1}));
}

// ClickHouse's own test (00632_aggregation_window_funnel): events 1000..1008 at t = 0..8 s;
// windowFunnel(10000)(t, e=1000, e=1001, e=1002, e=1008) = 4 and windowFunnel(2)(t, e=1000,
// e=1001, e=1002) = 3 (1002 at t=2 <= 0 + 2: the edge is inclusive); by the same rule
// windowFunnel(1) gives 2 (1002 at t=2 > 0 + 1).
TEST(Funnel, ReproducesClickHouseWindowEdgeTest) {
  Data d;
  for (int i = 0; i <= 8; ++i) d.Add("u", i * 1'000'000, std::to_string(1000 + i));
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.as_of_us = kFarFuture;
  o.steps = Steps({"1000", "1001", "1002", "1008"});
  o.window_us = 10000 * kMicrosPerSecond;
  EXPECT_EQ(RunFunnel(set, o).completed, 1u);
  o.steps = Steps({"1000", "1001", "1002"});
  o.window_us = 2 * kMicrosPerSecond;
  EXPECT_EQ(RunFunnel(set, o).completed, 1u);
  o.window_us = 1 * kMicrosPerSecond;
  EXPECT_EQ(Reached(RunFunnel(set, o)), (std::vector<uint64_t>{1, 1, 0}));
}

TEST(Funnel, UnorderedCountsDistinctStepsInAnyOrder) {
  Data d;
  d.Add("u1", 0, "begin_checkout");
  d.Add("u1", 1 * kHour, "page_view");
  d.Add("u1", 2 * kHour, "webinar_attended");
  d.Add("u2", 0, "webinar_attended");
  d.Add("u2", 11 * kHour, "page_view");  // outside the 10h window of the webinar
  d.Add("u3", 0, "page_view");
  d.Add("u3", 1 * kHour, "page_view");  // the same step twice is one step
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "begin_checkout"});
  o.mode = FunnelMode::kUnordered;
  o.window_us = 10 * kHour;
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  // u1: all 3 (entry: the checkout at 0h; 2 steps at 1h, 3 at 2h). u2: 1 from either entry,
  // the earliest (webinar) is kept. u3: 1.
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{3, 1, 1}));
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.steps[0].dropped, 2u);
  EXPECT_EQ(f.steps[0].did_step, 2u);  // page view: u1, u3
  EXPECT_EQ(f.steps[1].did_step, 2u);  // webinar: u1, u2
  EXPECT_EQ(f.steps[2].did_step, 1u);  // checkout: u1
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 3600.0);
  EXPECT_DOUBLE_EQ(*f.steps[2].median_time_from_entry_s, 7200.0);

  o.mode = FunnelMode::kOrdered;  // u1: page view 1h -> webinar 2h; checkout came first
  f = RunFunnel(set, o);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{3, 1, 0}));
}

TEST(Funnel, ExclusionStepsBetweenStepsAndAnywhere) {
  Data d;
  d.Add("x1", 0, "page_view");
  d.Add("x1", 1 * kHour, "webinar_attended");
  d.Add("x1", 2 * kHour, "unsubscribe");  // between webinar and purchase: excluded
  d.Add("x1", 3 * kHour, "purchase");
  d.Add("x2", 0, "page_view");
  d.Add("x2", 30 * kMinute, "unsubscribe");  // before the webinar
  d.Add("x2", 1 * kHour, "webinar_attended");
  d.Add("x2", 3 * kHour, "purchase");
  d.Add("x3", 0, "page_view");
  d.Add("x3", 1 * kHour, "webinar_attended");
  d.Add("x3", 2 * kHour, "unsubscribe");  // after the webinar, never bought: excluded
  d.Add("x4", 0, "page_view");
  d.Add("x4", 1 * kHour, "unsubscribe");  // never reached the webinar
  d.Add("x5", 0, "page_view");
  d.Add("x5", 1 * kHour, "webinar_attended");
  d.Add("x5", 2 * kHour, "purchase");
  d.Add("x5", 30 * kHour, "unsubscribe");  // after the 1-day window
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "purchase"});
  o.window_us = kDay;
  o.as_of_us = kFarFuture;
  o.exclusions = {FunnelExclusion{Step("unsubscribe"), 1, 2}};
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(f.entered, 5u);
  EXPECT_EQ(f.excluded, 2u);  // x1, x3
  EXPECT_EQ(f.counted, 3u);
  EXPECT_EQ(f.completed, 2u);         // x2, x5
  EXPECT_EQ(f.steps[0].dropped, 1u);  // x4
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{3, 2, 2}));

  o.exclusions = {FunnelExclusion{Step("unsubscribe"), -1, -1}};  // anywhere in the window
  f = RunFunnel(set, o);
  EXPECT_EQ(f.excluded, 4u);  // x1..x4; x5's is after its window
  EXPECT_EQ(f.counted, 1u);
  EXPECT_EQ(f.completed, 1u);
}

TEST(Funnel, DateRangeBoundsEntryOnly) {
  Data d;
  d.Add("r1", 0, "page_view");  // entry before the range
  d.Add("r1", 30 * kMinute, "webinar_attended");
  d.Add("r2", 90 * kMinute, "page_view");
  d.Add("r2", 5 * kHour, "webinar_attended");  // after the range end: still counts
  d.Add("r3", 0, "page_view");
  d.Add("r3", 90 * kMinute, "page_view");  // the entry inside the range
  d.Add("r3", 3 * kHour, "webinar_attended");
  d.Add("r4", 2 * kHour, "page_view");  // at the range end: excluded end
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended"});
  o.window_us = kDay;
  o.as_of_us = kFarFuture;
  o.entry_from_us = kT0 + kHour;
  o.entry_to_us = kT0 + 2 * kHour;
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(f.people, 4u);
  EXPECT_EQ(f.people_entered, 2u);  // r2, r3
  EXPECT_EQ(f.completed, 2u);
  // r2: 5h - 1.5h = 3.5h; r3: 3h - 1.5h = 1.5h; median 2.5h.
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 2.5 * 3600.0);
}

TEST(Funnel, ReEntriesUniqueVersusTotals) {
  Data d;
  d.Add("t1", 0, "page_view");
  d.Add("t1", 1 * kHour, "webinar_attended");  // completes
  d.Add("t1", 2 * kHour, "page_view");         // a re-entry after completing
  d.Add("t1", 3 * kHour, "webinar_attended");  // completes again
  d.Add("t2", 0, "page_view");
  d.Add("t2", 20 * kHour, "page_view");  // re-entry after the first window expired
  d.Add("t3", 0, "page_view");
  d.Add("t3", 5 * kHour, "page_view");  // inside the first attempt's window
  d.Add("t3", 12 * kHour, "webinar_attended");
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended"});
  o.window_us = 10 * kHour;
  o.as_of_us = kFarFuture;
  Funnel unique = RunFunnel(set, o);
  // t1 complete (entry 0h). t2 one step. t3: the 5h entry reaches the webinar at 12h (7h).
  EXPECT_EQ(unique.entered, 3u);
  EXPECT_EQ(unique.completed, 2u);
  EXPECT_EQ(unique.steps[0].dropped, 1u);
  EXPECT_DOUBLE_EQ(*unique.steps[1].median_time_from_entry_s, 4 * 3600.0);  // (1h + 7h) / 2

  o.counting = FunnelCounting::kTotals;
  Funnel totals = RunFunnel(set, o);
  // t1: two attempts, both complete (0h->1h, 2h->3h). t2: two attempts, both expire.
  // t3: one attempt from 0h that expires at 10h (the 5h page view is inside it); the webinar
  // at 12h is no entry, so no second attempt.
  EXPECT_EQ(totals.entered, 5u);
  EXPECT_EQ(totals.people_entered, 3u);
  EXPECT_EQ(totals.completed, 2u);
  EXPECT_EQ(totals.dropped, 3u);
  EXPECT_EQ(Reached(totals), (std::vector<uint64_t>{5, 2}));
  EXPECT_DOUBLE_EQ(*totals.steps[1].median_time_from_entry_s, 3600.0);
}

TEST(Funnel, TiesGoToTheEarliestEntryAchievingTheMaximum) {
  Data d;
  d.Add("p", 0, "page_view");
  d.Add("p", 3 * kHour, "webinar_attended");  // from 0h: 3h
  d.Add("p", 5 * kHour, "page_view");
  d.Add("p", 6 * kHour, "webinar_attended");  // from 5h: 1h
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended"});
  o.window_us = 10 * kHour;
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 3 * 3600.0);
}

TEST(Funnel, TiesInTimeFollowArrivalOrder) {
  Data d;
  d.Add("y1", 0, "webinar_attended");  // same µs as the page view, stored first
  d.Add("y1", 0, "page_view");
  d.Add("y2", 0, "page_view");  // page view stored first
  d.Add("y2", 0, "webinar_attended");
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended"});
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  // y1: the webinar precedes the entry in journey order: 1 step (ClickHouse orders equal
  // timestamps by condition index and would give 2). y2: 2 steps, 0 s.
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{2, 1}));
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 0.0);
  EXPECT_EQ(f.steps[1].time_histogram, (std::vector<uint64_t>{1, 0, 0, 0, 0}));
}

TEST(Funnel, MedianP90AndHistogram) {
  Data d;
  // Seven people: page view at 0, purchase after 30 min, 1h, 3h, 1d, 2d, 8d, 40d.
  const int64_t after[] = {30 * kMinute, kHour, 3 * kHour, kDay, 2 * kDay, 8 * kDay, 40 * kDay};
  int i = 0;
  for (int64_t a : after) {
    std::string person = "h" + std::to_string(i++);
    d.Add(person, 0, "page_view");
    d.Add(person, a, "purchase");
  }
  JourneySet set = d.Journeys();
  FunnelOptions o;
  o.steps = Steps({"page_view", "purchase"});
  o.window_us = 60 * kDay;
  o.as_of_us = kFarFuture;
  Funnel f = RunFunnel(set, o);
  // Sorted seconds: 1800 3600 10800 86400 172800 691200 3456000. Median: the 4th, 86400.
  // p90 nearest rank: ceil(0.9 * 7) = 7th = 3456000.
  // Buckets [0,1h) [1h,1d) [1d,7d) [7d,30d) [30d,inf): 1800 | 3600 10800 | 86400 172800 |
  // 691200 | 3456000 (an edge value falls in the bucket above it).
  EXPECT_DOUBLE_EQ(*f.steps[1].median_time_from_entry_s, 86400.0);
  EXPECT_DOUBLE_EQ(*f.steps[1].p90_time_from_entry_s, 3456000.0);
  EXPECT_EQ(f.steps[1].time_histogram, (std::vector<uint64_t>{1, 2, 2, 1, 1}));

  o.histogram_edges_s = {3600.0};
  f = RunFunnel(set, o);
  EXPECT_EQ(f.histogram_edges_s, std::vector<double>{3600.0});
  EXPECT_EQ(f.steps[1].time_histogram, (std::vector<uint64_t>{1, 6}));
}

TEST(Funnel, PercentileNearestRank) {
  std::vector<double> ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  std::vector<double> one = {5};
  std::vector<double> four = {4, 1, 3, 2};
  std::vector<double> none;
  EXPECT_DOUBLE_EQ(*PercentileNearestRank(ten, 90), 9);  // rank 9
  EXPECT_DOUBLE_EQ(*PercentileNearestRank(twenty, 90), 18);
  EXPECT_DOUBLE_EQ(*PercentileNearestRank(one, 90), 5);
  EXPECT_DOUBLE_EQ(*PercentileNearestRank(four, 50), 2);  // rank 2 (not interpolated 2.5)
  EXPECT_DOUBLE_EQ(*PercentileNearestRank(four, 100), 4);
  EXPECT_FALSE(PercentileNearestRank(none, 90).has_value());
}

TEST(Funnel, PerSegmentAndEmptySegment) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  FunnelOptions o;
  o.steps = Steps({"page_view", "webinar_attended", "begin_checkout", "purchase"});
  o.window_us = 12 * kHour;
  o.segment = 0;  // first touch Meta ads: A and D
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(f.segment_id, "meta");
  EXPECT_EQ(f.people, 2u);
  EXPECT_EQ(f.events, 6u);  // A 4, D 2
  EXPECT_EQ(f.completed, 1u);
  EXPECT_EQ(f.steps[0].dropped, 1u);  // D: webinar after 12h

  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  EventStore empty(model);
  JourneySet none = JourneySet::Build(empty, {});
  Funnel g = RunFunnel(none, o);
  EXPECT_EQ(g.people, 0u);
  EXPECT_EQ(g.entered, 0u);
  EXPECT_FALSE(g.conversion_rate.has_value());
  for (const auto& s : g.steps) {
    EXPECT_EQ(s.reached, 0u);
    EXPECT_FALSE(s.conversion_from_start.has_value());
    EXPECT_FALSE(s.median_time_from_entry_s.has_value());
  }
}

TEST(Funnel, StepsOnTouchpointChannelStageAndSource) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  FunnelOptions o;
  FunnelStep meta;  // the channel of the resolved touchpoint: A's and D's page views
  meta.id = "paid_social";
  meta.when = {Condition{.sources = {"TEST"}, .channels = {"paid_social"}}};
  FunnelStep bought;  // by stage, no condition
  bought.id = "bought";
  bought.stages = {"purchase"};
  FunnelStep google;
  google.id = "google";
  google.when = {Condition{.touchpoints = {"google_ads"}}};
  o.steps = {meta, bought};
  o.window_us = 12 * kHour;
  Funnel f = RunFunnel(set, o);
  EXPECT_EQ(Reached(f), (std::vector<uint64_t>{2, 1}));  // A bought at 6h
  EXPECT_EQ(f.steps[1].name, "bought");
  o.steps = {google};
  EXPECT_EQ(RunFunnel(set, o).entered, 1u);  // C
}

TEST(Funnel, RejectsInvalidOptions) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  FunnelOptions o;
  EXPECT_EQ(ComputeFunnel(set, o).status().code(), StatusCode::kInvalidArgument);  // no steps
  o.steps = Steps({"page_view", "purchase"});
  FunnelOptions bad = o;
  bad.steps[0].when[0].hints = {{"utm_source", {"facebook"}}};
  auto r = ComputeFunnel(set, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not stored"), std::string::npos) << r.status().message();
  bad = o;
  bad.steps[1].when[0].touchpoints = {"tiktok"};
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.steps[1].stages = {"nope"};
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.mode = FunnelMode::kUnordered;
  bad.step_windows_us = {0, kHour};
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.step_windows_us = {kHour, 0};
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.exclusions = {FunnelExclusion{Step("unsubscribe"), 1, 1}};
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.window_us = 0;
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.histogram_edges_s = {60, 60};
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  bad = o;
  bad.segment = 5;
  EXPECT_FALSE(ComputeFunnel(set, bad).ok());
  EXPECT_TRUE(ComputeFunnel(set, o).ok());
}

}  // namespace
}  // namespace journeykit

// paths_test.cpp — transitions, top paths and the next step after a drop-off, against numbers
// worked out by hand (journey_fixture.hpp and small stores built here).
#include <journeykit/paths.hpp>

#include <journeykit/stage_funnel.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using testing::kHour;
using testing::kT0;
using testing::MakeFixture;

struct Data {
  std::unique_ptr<JourneyModel> model;
  std::unique_ptr<EventStore> store;
  int next_id = 0;

  Data() {
    model = std::make_unique<JourneyModel>(*JourneyModel::FromJson(testing::kFixtureModel));
    store = std::make_unique<EventStore>(*model);
  }
  void Add(const std::string& person, int64_t hours, const std::string& action,
           const std::string& utm = {}) {
    Event e;
    e.time_us = kT0 + hours * kHour;
    e.source = "web";
    e.event_id = std::to_string(next_id++);
    e.action = action;
    e.identities = {{"user_id", person}};
    if (!utm.empty()) e.hints.emplace_back("utm_source", utm);
    store->Append(e);
  }
  JourneySet Journeys() const { return JourneySet::Build(*store, {}); }
};

Paths RunPaths(const JourneySet& set, const PathOptions& options) {
  auto r = ComputePaths(set, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Paths{};
}

// "from>to" -> (count, probability)
std::map<std::string, std::pair<uint64_t, double>> ByPair(const Paths& p) {
  std::map<std::string, std::pair<uint64_t, double>> out;
  for (const auto& t : p.transitions) out[t.from + ">" + t.to] = {t.count, t.probability};
  return out;
}

void ExpectRowsSumToOne(const Paths& p) {
  std::map<std::string, double> rows;
  for (const auto& t : p.transitions) rows[t.from] += t.probability;
  for (const auto& [from, sum] : rows) EXPECT_NEAR(sum, 1.0, 1e-12) << from;
}

void ExpectReconciles(const Paths& p) {
  uint64_t total = p.other_people + p.people_without_path;
  double share = 0;
  for (const auto& t : p.top) {
    total += t.people;
    share += t.share;
  }
  EXPECT_EQ(total, p.people);
  if (p.people > 0) {
    EXPECT_NEAR(share + *p.other_share + *p.without_path_share, 1.0, 1e-12);
  }
}

// Fixture stage sequences: A aw co de pu · B aw co de · C aw · D aw co · E pu · G aw · H aw.
TEST(Paths, StageTransitionsAndTopPathsOnFixture) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  PathOptions o;
  o.node = PathNode::kStage;
  Paths p = RunPaths(set, o);
  EXPECT_EQ(p.people, 7u);
  EXPECT_EQ(p.people, ComputeStageFunnel(set, -1).people);  // reconciles with the stage funnel
  EXPECT_EQ(p.events, 13u);
  EXPECT_EQ(p.sources, std::vector<std::string>{"test"});
  EXPECT_EQ(p.people_with_path, 7u);
  // aw>co: A B D (row total 3); co>de: A B; de>pu: A.
  auto t = ByPair(p);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t["awareness>consideration"], std::make_pair(uint64_t{3}, 1.0));
  EXPECT_EQ(t["consideration>decision"], std::make_pair(uint64_t{2}, 1.0));
  EXPECT_EQ(t["decision>purchase"], std::make_pair(uint64_t{1}, 1.0));
  // Paths: awareness (C G H) 3; four paths of 1, in label order.
  ASSERT_EQ(p.top.size(), 5u);
  EXPECT_EQ(p.top[0].label, "awareness");
  EXPECT_EQ(p.top[0].people, 3u);
  EXPECT_DOUBLE_EQ(p.top[0].share, 3.0 / 7.0);
  EXPECT_EQ(p.top[1].label, "awareness > consideration");
  EXPECT_EQ(p.top[2].label, "awareness > consideration > decision");
  EXPECT_EQ(p.top[3].label, "awareness > consideration > decision > purchase");
  EXPECT_EQ(p.top[3].nodes.size(), 4u);
  EXPECT_EQ(p.top[4].label, "purchase");
  EXPECT_EQ(p.other_people, 0u);
  ExpectReconciles(p);

  o.start_end_nodes = true;
  p = RunPaths(set, o);
  t = ByPair(p);
  // (start): aw 6, pu 1 (E). aw: co 3, end 3 (C G H). co: de 2, end 1 (D). de: pu 1, end 1 (B).
  // pu: end 2 (A E).
  EXPECT_EQ(t["(start)>awareness"], std::make_pair(uint64_t{6}, 6.0 / 7.0));
  EXPECT_EQ(t["(start)>purchase"], std::make_pair(uint64_t{1}, 1.0 / 7.0));
  EXPECT_EQ(t["awareness>consideration"], std::make_pair(uint64_t{3}, 0.5));
  EXPECT_EQ(t["awareness>(end)"], std::make_pair(uint64_t{3}, 0.5));
  EXPECT_EQ(t["consideration>decision"], std::make_pair(uint64_t{2}, 2.0 / 3.0));
  EXPECT_EQ(t["consideration>(end)"], std::make_pair(uint64_t{1}, 1.0 / 3.0));
  EXPECT_EQ(t["decision>purchase"], std::make_pair(uint64_t{1}, 0.5));
  EXPECT_EQ(t["purchase>(end)"], std::make_pair(uint64_t{2}, 1.0));
  ExpectRowsSumToOne(p);
  EXPECT_EQ(p.transitions.front().from, "(start)");  // rows in node order
  EXPECT_EQ(p.transitions.front().to, "awareness");  // larger count first
}

// Fixture touchpoints: A meta > unk > unk > unk · B unk unk unk · C google · D meta > unk ·
// E unk · G unk · H unk ("unk" = "(unknown)").
TEST(Paths, TouchpointPathsTopNOtherAndCollapse) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  PathOptions o;
  o.top_n = 2;
  Paths p = RunPaths(set, o);
  // meta>unk: A D = 2 (row 2); unk>unk: A 2, B 2 = 4 (row 4).
  auto t = ByPair(p);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t["meta_ads>(unknown)"], std::make_pair(uint64_t{2}, 1.0));
  EXPECT_EQ(t["(unknown)>(unknown)"], std::make_pair(uint64_t{4}, 1.0));
  // Paths: (unknown) 3 (E G H); then 1 each: "(unknown) > (unknown) > (unknown)" (B),
  // "google_ads" (C), "meta_ads > (unknown)" (D), "meta_ads > (unknown) x3" (A).
  ASSERT_EQ(p.top.size(), 2u);
  EXPECT_EQ(p.top[0].label, "(unknown)");
  EXPECT_EQ(p.top[0].people, 3u);
  EXPECT_EQ(p.top[1].label, "(unknown) > (unknown) > (unknown)");
  EXPECT_EQ(p.other_people, 3u);
  EXPECT_EQ(p.other_paths, 3u);
  EXPECT_DOUBLE_EQ(*p.other_share, 3.0 / 7.0);
  ExpectReconciles(p);

  o.collapse_repeats = true;  // A and D: meta > unk; B E G H: unk; C: google
  p = RunPaths(set, o);
  ASSERT_EQ(p.top.size(), 2u);
  EXPECT_EQ(p.top[0].label, "(unknown)");
  EXPECT_EQ(p.top[0].people, 4u);
  EXPECT_EQ(p.top[1].label, "meta_ads > (unknown)");
  EXPECT_EQ(p.top[1].people, 2u);
  EXPECT_EQ(p.other_people, 1u);
  EXPECT_EQ(ByPair(p).size(), 1u);  // only meta>unk remains: 2
  ExpectReconciles(p);

  o.skip_unknown_touchpoint = true;  // A D: meta; C: google; B E G H: no path
  p = RunPaths(set, o);
  EXPECT_EQ(p.people_without_path, 4u);
  EXPECT_EQ(p.top[0].label, "meta_ads");
  EXPECT_EQ(p.top[0].people, 2u);
  EXPECT_TRUE(p.transitions.empty());
  ExpectReconciles(p);
}

TEST(Paths, FromAndToATouchpointAndMaxNodes) {
  Data d;
  d.Add("z", 0, "page_view", "facebook");
  d.Add("z", 1, "page_view", "facebook");
  d.Add("z", 2, "page_view", "google");
  d.Add("z", 3, "page_view", "facebook");
  d.Add("y", 0, "page_view", "google");
  d.Add("y", 1, "page_view", "facebook");
  d.Add("x", 0, "page_view");  // never on an ad
  JourneySet set = d.Journeys();
  PathOptions o;
  o.top_n = 10;
  Paths p = RunPaths(set, o);
  // z: meta meta google meta; y: google meta; x: unk.
  auto t = ByPair(p);
  // meta row: meta>meta 1 (z), meta>google 1 (z): 0.5 each. google row: google>meta 2 (z, y).
  EXPECT_EQ(t["meta_ads>meta_ads"], std::make_pair(uint64_t{1}, 0.5));
  EXPECT_EQ(t["meta_ads>google_ads"], std::make_pair(uint64_t{1}, 0.5));
  EXPECT_EQ(t["google_ads>meta_ads"], std::make_pair(uint64_t{2}, 1.0));
  ExpectRowsSumToOne(p);

  o.start_at = "google_ads";  // z: google meta; y: google meta; x: none
  p = RunPaths(set, o);
  ASSERT_EQ(p.top.size(), 1u);
  EXPECT_EQ(p.top[0].label, "google_ads > meta_ads");
  EXPECT_EQ(p.top[0].people, 2u);
  EXPECT_EQ(p.people_without_path, 1u);
  ExpectReconciles(p);

  o.start_at.clear();
  o.end_at = "google_ads";  // z: meta meta google; y: google; x: none
  p = RunPaths(set, o);
  ASSERT_EQ(p.top.size(), 2u);
  EXPECT_EQ(p.top[0].label, "google_ads");
  EXPECT_EQ(p.top[1].label, "meta_ads > meta_ads > google_ads");
  EXPECT_EQ(p.people_without_path, 1u);

  o.start_at = "meta_ads";  // z: from the first meta (0) to the last google after it (2);
  p = RunPaths(set, o);     // y: first meta at 1, no google after it: no path
  ASSERT_EQ(p.top.size(), 1u);
  EXPECT_EQ(p.top[0].label, "meta_ads > meta_ads > google_ads");
  EXPECT_EQ(p.people_without_path, 2u);
  ExpectReconciles(p);

  o.start_at.clear();
  o.end_at.clear();
  o.max_nodes = 2;  // z: meta meta ...; y: google meta (not cut); x: unk
  p = RunPaths(set, o);
  ASSERT_EQ(p.top.size(), 3u);
  EXPECT_EQ(p.top[2].label, "meta_ads > meta_ads > ...");
  EXPECT_EQ(p.top[2].nodes.back(), "...");
  EXPECT_EQ(ByPair(p).size(), 3u);  // transitions still use the whole path

  o.max_nodes = 0;
  o.from_us = kT0 + 2 * kHour;  // period: z's google and last meta only
  o.to_us = kT0 + 4 * kHour;
  p = RunPaths(set, o);
  EXPECT_EQ(p.events, 2u);
  ASSERT_EQ(p.top.size(), 1u);
  EXPECT_EQ(p.top[0].label, "google_ads > meta_ads");
  EXPECT_EQ(p.people_without_path, 2u);
  ExpectReconciles(p);
}

TEST(Paths, EmptySegmentAndBadOptions) {
  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  EventStore empty(model);
  JourneySet none = JourneySet::Build(empty, {});
  PathOptions o;
  o.segment = 0;
  Paths p = RunPaths(none, o);
  EXPECT_EQ(p.segment_id, "meta");
  EXPECT_EQ(p.people, 0u);
  EXPECT_TRUE(p.top.empty());
  EXPECT_FALSE(p.other_share.has_value());

  o.start_at = "tiktok";
  EXPECT_EQ(ComputePaths(none, o).status().code(), StatusCode::kInvalidArgument);
  o.start_at.clear();
  o.segment = 3;
  EXPECT_FALSE(ComputePaths(none, o).ok());
  EXPECT_FALSE(ComputeDropOffNext(none, "nope", -1).ok());
}

TEST(Paths, SegmentReconcilesWithStageFunnel) {
  auto fx = MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  PathOptions o;
  o.segment = 0;  // A and D
  o.node = PathNode::kStage;
  Paths p = RunPaths(set, o);
  EXPECT_EQ(p.people, ComputeStageFunnel(set, 0).people);
  EXPECT_EQ(p.people, 2u);
  ExpectReconciles(p);
}

TEST(Paths, WhatDroppedPeopleDidNext) {
  // Every page_view is awareness; utm facebook → meta_ads, google → google_ads, none →
  // (unknown). "Next" is the first event after the person's LAST awareness event whose
  // touchpoint differs from that event's touchpoint.
  Data d;
  d.Add("k1", 0, "page_view", "facebook");
  d.Add("k1", 1, "page_view", "facebook");   // last awareness event: meta_ads
  d.Add("k1", 2, "email_open", "google");    // → google_ads / email_open
  d.Add("k2", 0, "page_view", "facebook");   // last awareness event: meta_ads
  d.Add("k2", 1, "email_open", "facebook");  // same touchpoint: not "next"
  d.Add("k2", 2, "email_click", "google");   // → google_ads / email_click
  d.Add("k3", 0, "page_view");               // (unknown)
  d.Add("k3", 1, "email_open", "facebook");  // → meta_ads / email_open
  d.Add("k4", 0, "page_view", "google");
  d.Add("k4", 3, "page_view", "google");  // last awareness event, nothing after: nothing
  d.Add("k5", 0, "page_view", "google");
  d.Add("k5", 1, "email_open", "google");  // only the same touchpoint after: nothing
  d.Add("k6", 0, "page_view");
  d.Add("k6", 1, "webinar_attended");  // moved on: not dropped
  d.Add("k7", 0, "page_view", "facebook");
  d.Add("k7", 1, "support_ticket");  // → (unknown) / support_ticket
  JourneySet set = d.Journeys();
  auto r = ComputeDropOffNext(set, "awareness", -1);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const DropOffNext& n = *r;
  EXPECT_EQ(n.people, 7u);
  EXPECT_EQ(n.reached, 7u);
  EXPECT_EQ(n.dropped, 6u);
  EXPECT_EQ(n.dropped, ComputeStageFunnel(set, -1).rows[0].dropped);
  EXPECT_EQ(n.events, 14u);  // k1 3, k2 3, k3 2, k4 2, k5 2, k7 2
  EXPECT_EQ(n.nothing, 2u);  // k4, k5
  EXPECT_DOUBLE_EQ(*n.nothing_share, 2.0 / 6.0);
  // Touchpoints: google_ads k1 k2; (unknown) k7; meta_ads k3 (ties by id).
  ASSERT_EQ(n.next_touchpoints.size(), 3u);
  EXPECT_EQ(n.next_touchpoints[0].id, "google_ads");
  EXPECT_EQ(n.next_touchpoints[0].people, 2u);
  EXPECT_DOUBLE_EQ(n.next_touchpoints[0].share, 2.0 / 6.0);
  EXPECT_EQ(n.next_touchpoints[1].id, "(unknown)");
  EXPECT_EQ(n.next_touchpoints[2].id, "meta_ads");
  EXPECT_EQ(n.next_touchpoints[2].people, 1u);
  // Actions of the same events: email_open k1 k3; email_click k2; support_ticket k7.
  ASSERT_EQ(n.next_actions.size(), 3u);
  EXPECT_EQ(n.next_actions[0].id, "email_open");
  EXPECT_EQ(n.next_actions[0].people, 2u);
  EXPECT_EQ(n.next_actions[1].id, "email_click");
  EXPECT_EQ(n.next_actions[2].id, "support_ticket");
  EXPECT_DOUBLE_EQ(n.next_actions[2].share, 1.0 / 6.0);
  uint64_t sum = n.nothing;
  for (const NextStepCount& c : n.next_touchpoints) sum += c.people;
  EXPECT_EQ(sum, n.dropped);

  // The period [start, 2 h): the events at 2 h and 3 h do not exist. k1 and k2 now have
  // nothing different after their last awareness event; k4's last one is at 0 h.
  DropOffNextOptions period;
  period.to_us = kT0 + 2 * kHour;
  auto q = ComputeDropOffNext(set, "awareness", period);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->dropped, 6u);
  EXPECT_EQ(q->nothing, 4u);  // k1 k2 k4 k5
  EXPECT_EQ(q->events, 11u);  // k1 2, k2 2, k3 2, k4 1, k5 2, k7 2
  ASSERT_EQ(q->next_touchpoints.size(), 2u);
  EXPECT_EQ(q->next_touchpoints[0].id, "(unknown)");
  EXPECT_EQ(q->next_touchpoints[1].id, "meta_ads");
  period.from_us = period.to_us;
  EXPECT_EQ(ComputeDropOffNext(set, "awareness", period).status().code(),
            StatusCode::kInvalidArgument);

  // Fixture, consideration: reached A B D; D dropped, its webinar is its last event.
  auto fx = MakeFixture();
  JourneySet fs = JourneySet::Build(*fx.store, {});
  auto c = ComputeDropOffNext(fs, "consideration", -1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->reached, 3u);
  EXPECT_EQ(c->dropped, 1u);
  EXPECT_EQ(c->nothing, 1u);
  EXPECT_TRUE(c->next_touchpoints.empty());

  // All stages in one pass (what the journey map uses) equal stage by stage, field by field.
  for (const JourneySet* js : {&set, &fs}) {
    const auto& stages = js->store().model().stages();
    std::vector<bool> wanted(stages.size(), true);
    wanted[1] = false;
    auto all = ComputeDropOffNextByStage(*js, wanted, DropOffNextOptions{});
    ASSERT_TRUE(all.ok()) << all.status().message();
    ASSERT_EQ(all->size(), stages.size());
    for (size_t s = 0; s < stages.size(); ++s) {
      const DropOffNext& a = (*all)[s];
      EXPECT_EQ(a.stage_id, stages[s].id);
      if (!wanted[s]) {
        EXPECT_EQ(a.dropped, 0u);
        continue;
      }
      auto one = ComputeDropOffNext(*js, stages[s].id, -1);
      ASSERT_TRUE(one.ok());
      EXPECT_EQ(a.people, one->people) << s;
      EXPECT_EQ(a.reached, one->reached) << s;
      EXPECT_EQ(a.dropped, one->dropped) << s;
      EXPECT_EQ(a.events, one->events) << s;
      EXPECT_EQ(a.nothing, one->nothing) << s;
      EXPECT_EQ(a.sources, one->sources) << s;
      ASSERT_EQ(a.next_touchpoints.size(), one->next_touchpoints.size()) << s;
      for (size_t i = 0; i < a.next_touchpoints.size(); ++i) {
        EXPECT_EQ(a.next_touchpoints[i].id, one->next_touchpoints[i].id);
        EXPECT_EQ(a.next_touchpoints[i].people, one->next_touchpoints[i].people);
      }
      ASSERT_EQ(a.next_actions.size(), one->next_actions.size()) << s;
      for (size_t i = 0; i < a.next_actions.size(); ++i) {
        EXPECT_EQ(a.next_actions[i].id, one->next_actions[i].id);
        EXPECT_EQ(a.next_actions[i].people, one->next_actions[i].people);
      }
    }
  }
  EXPECT_FALSE(ComputeDropOffNextByStage(set, {true}, DropOffNextOptions{}).ok());
}

}  // namespace
}  // namespace journeykit

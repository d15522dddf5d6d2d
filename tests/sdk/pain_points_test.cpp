// pain_points_test.cpp — the pain point rules on hand-built maps: where each rule fires, where it
// must not (thin evidence, a CI crossing zero, a value equal to its threshold), the ranking, the
// suggested audiences (valid in the audiences grammar) and the JSON.
#include <journeykit/analysis_plan.hpp>
#include <journeykit/audiences.hpp>
#include <journeykit/journey_map.hpp>
#include <journeykit/pain_points.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace journeykit {
namespace {

struct StageSpec {
  const char* id;
  const char* name;
  uint64_t reached;
  uint64_t dropped;
  std::optional<double> drop_off_rate;  // none: the last stage
  std::optional<double> median_s;
  bool goal = false;
};

MapStage MakeStage(const StageSpec& s) {
  MapStage m;
  m.row.stage_id = s.id;
  m.row.stage_name = s.name;
  m.row.goal = s.goal;
  m.row.reached = s.reached;
  m.row.dropped = s.dropped;
  m.row.progressed = s.reached - s.dropped;
  m.row.drop_off_rate = s.drop_off_rate;
  if (s.drop_off_rate) m.row.conversion_rate = 1 - *s.drop_off_rate;
  m.row.median_time_to_next_s = s.median_s;
  m.row.events = s.reached * 3;
  return m;
}

// The demo's shape: drop-off rates 0.5, 0.72, 0.25, 0.125 (median 0.375, threshold 0.525 with
// the default +0.15); medians to next 1 h, 2 h, 2 h, 4 h (median 2 h, threshold 4 h).
JourneyMap DemoMap(uint64_t consideration_reached = 545) {
  JourneyMap map;
  map.segment_id = "all";
  map.segment_name = "Everyone";
  map.sources = {"web", "webinar"};
  std::vector<StageSpec> specs = {
      {"awareness", "Awareness", 1000, 500, 0.5, 3600.0},
      {"consideration", "Consideration", consideration_reached, 392, 0.72, 7200.0},
      {"decision", "Decision", 160, 40, 0.25, 7200.0},
      {"purchase", "Purchase", 120, 15, 0.125, 14400.0, true},
      {"experience", "Experience", 105, 0, std::nullopt, std::nullopt},
  };
  for (const StageSpec& s : specs) map.stages.push_back(MakeStage(s));
  MapItem webinar{"webinar", "Free webinar", "webinar", true, 300, 420, 0.55};
  map.stages[1].touchpoints.push_back(webinar);
  return map;
}

const PainPoint* Find(const std::vector<PainPoint>& pains, PainPointType type,
                      const std::string& stage) {
  for (const PainPoint& p : pains) {
    if (p.type == type && p.stage_id == stage) return &p;
  }
  return nullptr;
}

void ExpectValidAudience(const PainPoint& p) {
  auto defs = ParseAudiences("[" + p.audience.definition + "]", "audiences");
  ASSERT_TRUE(defs.ok()) << defs.status().message() << "\n" << p.audience.definition;
  ASSERT_EQ(defs->size(), 1u);
  EXPECT_EQ((*defs)[0].id, p.audience.id);
}

TEST(PainPoints, DropOffWellAboveTheMedianFires) {
  JourneyMap map = DemoMap();
  auto pains = ComputePainPoints(map, PainPointOptions{});
  // Only consideration: 0.72 > 0.375 + 0.15; awareness's 0.5 is under 0.525.
  const PainPoint* p = Find(pains, PainPointType::kDropOff, "consideration");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(Find(pains, PainPointType::kDropOff, "awareness"), nullptr);
  EXPECT_DOUBLE_EQ(p->evidence.value, 0.72);
  EXPECT_DOUBLE_EQ(p->evidence.reference, 0.375);
  EXPECT_DOUBLE_EQ(p->evidence.threshold, 0.375 + 0.15);
  // Excess: the share of the drop-outs above the median stage's rate; severity: the dropped
  // people times it (= reached × (rate − median) when dropped = reached × rate).
  EXPECT_DOUBLE_EQ(p->excess, (0.72 - 0.375) / 0.72);
  EXPECT_DOUBLE_EQ(p->severity, 392 * (0.72 - 0.375) / 0.72);
  EXPECT_EQ(p->evidence.metric, "drop_off_rate");
  EXPECT_EQ(p->evidence.people, 545u);
  EXPECT_EQ(p->evidence.affected, 392u);
  EXPECT_EQ(p->evidence.events, 545u * 3);
  EXPECT_EQ(p->evidence.sources, (std::vector<std::string>{"web", "webinar"}));
  EXPECT_NE(p->summary.find("72% of people at Consideration drop off (392 of 545 people)"),
            std::string::npos)
      << p->summary;
  // A webinar at the stage: follow-up e-mail and remarketing to "webinar, no purchase in 7 d".
  ASSERT_FALSE(p->opportunities.empty());
  EXPECT_NE(p->opportunities[0].find("follow-up e-mail"), std::string::npos);
  EXPECT_NE(p->opportunities[1].find("Remarketing"), std::string::npos);
  EXPECT_NE(p->audience.definition.find(R"("event":{"touchpoint":["webinar"]})"), std::string::npos)
      << p->audience.definition;
  EXPECT_NE(p->audience.definition.find(R"("not_followed_by":{"stage":["purchase"]})"),
            std::string::npos);
  EXPECT_NE(p->audience.definition.find(R"("within_days":7)"), std::string::npos);
  EXPECT_EQ(p->audience.name, "Free webinar (Consideration), no purchase within 7 days");
  ExpectValidAudience(*p);
}

TEST(PainPoints, DropOffNeedsMinPeople) {
  // 29 people: thin evidence, no pain point; 30 ("at least") fires.
  EXPECT_EQ(Find(ComputePainPoints(DemoMap(29), {}), PainPointType::kDropOff, "consideration"),
            nullptr);
  EXPECT_NE(Find(ComputePainPoints(DemoMap(30), {}), PainPointType::kDropOff, "consideration"),
            nullptr);
}

TEST(PainPoints, DropOffEqualToTheThresholdDoesNotFire) {
  // Rates 0.125, 0.25, 0.25, 0.5: median 0.25; with a margin of 0.25 the threshold is 0.5, and
  // 0.5 does not exceed it. A margin of 0.125 makes it fire. (Exact binary fractions.)
  JourneyMap map;
  map.segment_id = "all";
  for (StageSpec s : std::vector<StageSpec>{{"a", "A", 100, 12, 0.125, std::nullopt},
                                            {"b", "B", 100, 25, 0.25, std::nullopt},
                                            {"c", "C", 100, 25, 0.25, std::nullopt},
                                            {"d", "D", 100, 50, 0.5, std::nullopt},
                                            {"e", "E", 50, 0, std::nullopt, std::nullopt}})
    map.stages.push_back(MakeStage(s));
  PainPointOptions options;
  options.drop_off_margin = 0.25;
  EXPECT_TRUE(ComputePainPoints(map, options).empty());
  options.drop_off_margin = 0.125;
  auto pains = ComputePainPoints(map, options);
  ASSERT_EQ(pains.size(), 1u);
  EXPECT_EQ(pains[0].stage_id, "d");
  // No goal after "d": the audience is "did not move on" to the later stage.
  EXPECT_NE(pains[0].audience.definition.find(R"("not_followed_by":{"stage":["e"]})"),
            std::string::npos);
  ExpectValidAudience(pains[0]);
}

VoiceRow SentimentRow(std::optional<double> mean, std::optional<double> lo,
                      std::optional<double> hi, uint64_t count) {
  VoiceRow row;
  row.sentiment.count = count;
  row.sentiment.mean = mean;
  row.sentiment.ci_low = lo;
  row.sentiment.ci_high = hi;
  row.provenance.people = count;
  row.provenance.events = count;
  row.provenance.sources = {"nps"};
  return row;
}

TEST(PainPoints, NegativeSentimentNeedsTheWholeIntervalBelowZero) {
  JourneyMap map = DemoMap();
  // Without the voice analysis: no sentiment pain point.
  for (const PainPoint& p : ComputePainPoints(map, {}))
    EXPECT_NE(p.type, PainPointType::kNegativeSentiment);
  map.voice = Voice{};
  map.voice->stages = {
      SentimentRow(-0.4, -0.7, -0.1, 50),                 // awareness: fires
      SentimentRow(-0.2, -0.45, 0.05, 40),                // consideration: CI crosses zero
      SentimentRow(-0.3, -0.6, 0.0, 40),                  // decision: upper bound equal to 0
      SentimentRow(-1.0, std::nullopt, std::nullopt, 1),  // purchase: one signal, no CI
      SentimentRow(0.5, 0.2, 0.8, 30),                    // experience: positive
  };
  map.voice->stages[0].nps.nps = -40;
  auto pains = ComputePainPoints(map, {});
  std::vector<std::string> stages;
  for (const PainPoint& p : pains) {
    if (p.type == PainPointType::kNegativeSentiment) stages.push_back(p.stage_id);
  }
  EXPECT_EQ(stages, std::vector<std::string>{"awareness"});
  const PainPoint* p = Find(pains, PainPointType::kNegativeSentiment, "awareness");
  ASSERT_NE(p, nullptr);
  EXPECT_DOUBLE_EQ(p->excess, 0.4);
  EXPECT_DOUBLE_EQ(p->severity, 50 * 0.4);  // 50 people × 0.4 below neutral
  EXPECT_EQ(p->evidence.metric, "sentiment_mean");
  EXPECT_DOUBLE_EQ(p->evidence.value, -0.4);
  EXPECT_EQ(p->evidence.people, 50u);
  EXPECT_EQ(p->evidence.events, 50u);
  EXPECT_EQ(p->evidence.sources, std::vector<std::string>{"nps"});
  EXPECT_NE(p->summary.find("-0.40 (95% CI -0.70 .. -0.10) from 50 signals"), std::string::npos)
      << p->summary;
  EXPECT_NE(p->summary.find("NPS -40"), std::string::npos);
  EXPECT_NE(p->opportunities[0].find("detractor comments"), std::string::npos);
  ExpectValidAudience(*p);
}

TEST(PainPoints, SlowTransitionAboveFactorTimesMedian) {
  // Only stages before the first goal stage (purchase) count: medians 1 h, 2 h, 2 h →
  // reference 2 h, threshold 4 h. Purchase's own 4 h is after the goal and never fires.
  JourneyMap map = DemoMap();
  for (const PainPoint& p : ComputePainPoints(map, {}))
    EXPECT_NE(p.type, PainPointType::kSlowTransition);
  map.stages[3].row.median_time_to_next_s = 10 * 14400.0;  // after the goal: not a pain point
  for (const PainPoint& p : ComputePainPoints(map, {}))
    EXPECT_NE(p.type, PainPointType::kSlowTransition);
  map.stages[2].row.median_time_to_next_s = 14400.0;  // equal to the threshold: no
  EXPECT_EQ(Find(ComputePainPoints(map, {}), PainPointType::kSlowTransition, "decision"), nullptr);
  map.stages[2].row.median_time_to_next_s = 14401.0;  // medians 1 h, 2 h, 4 h+: reference 2 h
  auto pains = ComputePainPoints(map, {});
  const PainPoint* p = Find(pains, PainPointType::kSlowTransition, "decision");
  ASSERT_NE(p, nullptr);
  EXPECT_DOUBLE_EQ(p->evidence.reference, 7200.0);
  EXPECT_DOUBLE_EQ(p->evidence.threshold, 14400.0);
  EXPECT_DOUBLE_EQ(p->excess, 1 - 7200.0 / 14401.0);
  EXPECT_DOUBLE_EQ(p->severity, 120 * (1 - 7200.0 / 14401.0));
  EXPECT_EQ(p->evidence.people, 120u);  // progressed: 160 reached − 40 dropped
  EXPECT_NE(p->opportunities[0].find("Reminder / trigger e-mail"), std::string::npos);
  ExpectValidAudience(*p);
  // Thin evidence: 29 people moved on.
  map.stages[2].row.progressed = 29;
  EXPECT_EQ(Find(ComputePainPoints(map, {}), PainPointType::kSlowTransition, "decision"), nullptr);
}

TEST(PainPoints, ChurnLoopAboveThresholdAttachesToAwareness) {
  JourneyMap map = DemoMap();
  map.loyalty = Loyalty{};
  LoyaltyLoops& l = map.loyalty->loops;
  l.churn_computed = true;
  l.buyers = 100;
  l.churn_loop = 25;
  l.churn_loop_rate = 0.25;
  l.provenance = {100, 900, {"web"}};
  PainPointOptions options;
  options.purchase_actions = {"purchase", "order"};
  auto pains = ComputePainPoints(map, options);
  const PainPoint* p = Find(pains, PainPointType::kChurnLoop, "awareness");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->stage_name, "Awareness");
  // Excess: the share of the loop above the 10% threshold, (0.25 − 0.10) / 0.25 = 0.6;
  // severity 25 × 0.6 = 15 (= buyers × (rate − threshold)).
  EXPECT_DOUBLE_EQ(p->excess, 0.6);
  EXPECT_DOUBLE_EQ(p->severity, 15);
  EXPECT_DOUBLE_EQ(p->evidence.reference, 0.10);
  EXPECT_EQ(p->evidence.people, 100u);
  EXPECT_EQ(p->evidence.affected, 25u);
  EXPECT_EQ(p->evidence.events, 900u);
  EXPECT_NE(p->opportunities[0].find("Win-back"), std::string::npos);
  EXPECT_NE(p->audience.definition.find(
                R"("anchor":"last","not_followed_by":{"action":["purchase","order"]})"),
            std::string::npos)
      << p->audience.definition;
  ExpectValidAudience(*p);
  // Equal to the threshold, too few buyers, or not computed: nothing.
  l.churn_loop_rate = 0.10;
  EXPECT_EQ(Find(ComputePainPoints(map, {}), PainPointType::kChurnLoop, "awareness"), nullptr);
  l.churn_loop_rate = 0.25;
  l.buyers = 29;
  EXPECT_EQ(Find(ComputePainPoints(map, {}), PainPointType::kChurnLoop, "awareness"), nullptr);
  l.buyers = 100;
  l.churn_computed = false;
  EXPECT_EQ(Find(ComputePainPoints(map, {}), PainPointType::kChurnLoop, "awareness"), nullptr);
}

TEST(PainPoints, SlowPagesAndReviewRepliesOnlyWithTheirData) {
  JourneyMap map = DemoMap();
  for (const PainPoint& p : ComputePainPoints(map, {})) {
    EXPECT_NE(p.type, PainPointType::kSlowPages);
    EXPECT_NE(p.type, PainPointType::kSlowReviewReplies);
  }
  PainPointInputs& inputs = map.timings;
  inputs.page_load = {{"decision", 6.0, 40, 400, {"matomo"}},
                      {"awareness", 3.0, 900, 5000, {"matomo"}},    // equal to the 3 s target
                      {"consideration", 9.0, 10, 20, {"matomo"}}};  // thin evidence
  inputs.review_reply = {{"experience", 96 * 3600.0, 11, 12, {"google_reviews"}},
                         {"decision", 96 * 3600.0, 9, 9, {"google_reviews"}}};  // < 10 reviews
  auto pains = ComputePainPoints(map, {});
  std::vector<std::string> found;
  for (const PainPoint& p : pains) {
    if (p.type == PainPointType::kSlowPages || p.type == PainPointType::kSlowReviewReplies)
      found.push_back(std::string(PainPointTypeName(p.type)) + ":" + p.stage_id);
  }
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found,
            (std::vector<std::string>{"slow_pages:decision", "slow_review_replies:experience"}));
  const PainPoint* pages = Find(pains, PainPointType::kSlowPages, "decision");
  ASSERT_NE(pages, nullptr);
  EXPECT_DOUBLE_EQ(pages->excess, 0.5);     // 1 − 3 / 6
  EXPECT_DOUBLE_EQ(pages->severity, 20.0);  // 40 people × 0.5
  EXPECT_EQ(pages->evidence.affected, 40u);
  EXPECT_EQ(pages->evidence.sources, std::vector<std::string>{"matomo"});
  const PainPoint* replies = Find(pains, PainPointType::kSlowReviewReplies, "experience");
  ASSERT_NE(replies, nullptr);
  EXPECT_DOUBLE_EQ(replies->excess, 0.5);    // 1 − 48 h / 96 h
  EXPECT_DOUBLE_EQ(replies->severity, 6.0);  // 12 replied reviews × 0.5
  EXPECT_EQ(replies->evidence.people, 11u);
  ExpectValidAudience(*pages);
  ExpectValidAudience(*replies);
}

TEST(PainPoints, RankedBySeverity) {
  // Drop-off at consideration: 392 × 0.345 / 0.72 = 187.8.
  JourneyMap map = DemoMap();
  map.voice = Voice{};
  map.voice->stages.assign(5, SentimentRow(std::nullopt, std::nullopt, std::nullopt, 0));
  map.voice->stages[2] = SentimentRow(-0.5, -0.8, -0.2, 40);  // 40 × 0.5 = 20
  map.loyalty = Loyalty{};
  map.loyalty->loops.churn_computed = true;
  map.loyalty->loops.buyers = 100;
  map.loyalty->loops.churn_loop = 25;
  map.loyalty->loops.churn_loop_rate = 0.25;  // 25 × 0.6 = 15
  auto pains = ComputePainPoints(map, {});
  ASSERT_EQ(pains.size(), 3u);
  EXPECT_EQ(pains[0].type, PainPointType::kDropOff);
  EXPECT_EQ(pains[1].type, PainPointType::kNegativeSentiment);
  EXPECT_EQ(pains[1].stage_id, "decision");
  EXPECT_DOUBLE_EQ(pains[1].severity, 20);
  EXPECT_EQ(pains[2].type, PainPointType::kChurnLoop);
  for (size_t i = 0; i < pains.size(); ++i) EXPECT_EQ(pains[i].rank, static_cast<int>(i + 1));
  PainPointOptions off;
  off.enabled = false;
  EXPECT_TRUE(ComputePainPoints(map, off).empty());
}

TEST(PainPoints, OneScaleADropOffOfManyOutranksASlowTransitionOfFew) {
  // Drop-off rates 0.6, 0.2, 0.25, 0.1: median (0.2 + 0.25) / 2 = 0.225, threshold 0.375.
  // Medians to next before the goal: 1 h, 10 d, 1 h: reference 1 h, threshold 2 h.
  JourneyMap map;
  map.segment_id = "all";
  for (StageSpec s : std::vector<StageSpec>{{"a", "A", 1000, 600, 0.6, 3600.0},
                                            {"b", "B", 50, 10, 0.2, 864000.0},
                                            {"c", "C", 40, 10, 0.25, 3600.0},
                                            {"d", "D", 30, 3, 0.1, 3600.0, true},
                                            {"e", "E", 27, 0, std::nullopt, std::nullopt}})
    map.stages.push_back(MakeStage(s));
  auto pains = ComputePainPoints(map, {});
  ASSERT_EQ(pains.size(), 2u);
  // A: 600 dropped × (0.6 − 0.225) / 0.6 = 600 × 0.625 = 375 people beyond the median stage.
  EXPECT_EQ(pains[0].type, PainPointType::kDropOff);
  EXPECT_EQ(pains[0].stage_id, "a");
  EXPECT_DOUBLE_EQ(pains[0].excess, 0.625);
  EXPECT_DOUBLE_EQ(pains[0].severity, 375);
  // B: 40 people moved on, 1 − 1 h / 10 d = 0.99583 of their time in excess: 39.83. On the old
  // 0..1 share alone it would have ranked first (0.996 against 0.625).
  EXPECT_EQ(pains[1].type, PainPointType::kSlowTransition);
  EXPECT_EQ(pains[1].stage_id, "b");
  EXPECT_DOUBLE_EQ(pains[1].excess, 1 - 3600.0 / 864000.0);
  EXPECT_DOUBLE_EQ(pains[1].severity, 40 * (1 - 3600.0 / 864000.0));
  EXPECT_GT(pains[1].excess, pains[0].excess);
  EXPECT_EQ(pains[0].rank, 1);
  EXPECT_EQ(pains[1].rank, 2);
}

TEST(PainPoints, ExpectedTimePerStageReplacesTheMedianReference) {
  // Decision is expected to take 8 h: its 2 h is fine. Purchase (after the goal, so never
  // compared with the median) is expected to take 1 h and takes 4 h: slow, against 1 h.
  JourneyMap map = DemoMap();
  PainPointOptions options;
  options.expected_time_to_next_s = {{"decision", 8 * 3600.0}, {"purchase", 3600.0}};
  auto pains = ComputePainPoints(map, options);
  EXPECT_EQ(Find(pains, PainPointType::kSlowTransition, "decision"), nullptr);
  const PainPoint* p = Find(pains, PainPointType::kSlowTransition, "purchase");
  ASSERT_NE(p, nullptr);
  EXPECT_DOUBLE_EQ(p->evidence.value, 14400.0);
  EXPECT_DOUBLE_EQ(p->evidence.reference, 3600.0);
  EXPECT_DOUBLE_EQ(p->evidence.threshold, 3600.0);  // no factor on an explicit expectation
  EXPECT_DOUBLE_EQ(p->excess, 0.75);
  EXPECT_DOUBLE_EQ(p->severity, 105 * 0.75);  // 120 reached − 15 dropped moved on
  EXPECT_NE(p->summary.find("against an expected 1.0 h"), std::string::npos) << p->summary;
  // Equal to the expectation: not slow.
  options.expected_time_to_next_s = {{"purchase", 14400.0}};
  EXPECT_EQ(Find(ComputePainPoints(map, options), PainPointType::kSlowTransition, "purchase"),
            nullptr);
  // Decision expected at 1 h while the median reference would be 2 h × 2: 2 h is now slow.
  options.expected_time_to_next_s = {{"decision", 3600.0}};
  auto decision_pains = ComputePainPoints(map, options);  // p points into it: keep it alive
  p = Find(decision_pains, PainPointType::kSlowTransition, "decision");
  ASSERT_NE(p, nullptr);
  EXPECT_DOUBLE_EQ(p->evidence.reference, 3600.0);
}

TEST(PainPoints, SegmentMapsTargetTheSegment) {
  JourneyMap map = DemoMap();
  map.segment_id = "webinar_registrants";
  map.segment_name = "Registered for the free webinar";
  auto pains = ComputePainPoints(map, {});
  const PainPoint* p = Find(pains, PainPointType::kDropOff, "consideration");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->audience.id, "dropped_off_consideration_webinar_registrants");
  EXPECT_NE(p->audience.definition.find(R"({"in_segment":"webinar_registrants"})"),
            std::string::npos);
  ExpectValidAudience(*p);
}

TEST(PainPoints, JsonCarriesTheDocumentedFields) {
  JourneyMap map = DemoMap();
  map.pain_points = ComputePainPoints(map, {});
  ASSERT_FALSE(map.pain_points.empty());
  std::string json = JourneyMapToJson(map);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  simdjson::dom::array pains = root["pain_points"];
  ASSERT_EQ(pains.size(), map.pain_points.size());
  simdjson::dom::element p = pains.at(0);
  EXPECT_EQ(std::string_view(p["type"]), "drop_off");
  EXPECT_EQ(std::string_view(p["stage_id"]), "consideration");
  EXPECT_EQ(std::string_view(p["stage_name"]), "Consideration");
  EXPECT_EQ(int64_t(p["rank"]), 1);
  EXPECT_DOUBLE_EQ(double(p["severity"]), 392 * (0.72 - 0.375) / 0.72);
  EXPECT_DOUBLE_EQ(double(p["excess"]), (0.72 - 0.375) / 0.72);
  EXPECT_FALSE(std::string_view(p["summary"]).empty());
  simdjson::dom::element e = p["evidence"];
  EXPECT_EQ(std::string_view(e["metric"]), "drop_off_rate");
  EXPECT_DOUBLE_EQ(double(e["value"]), 0.72);
  EXPECT_DOUBLE_EQ(double(e["reference"]), 0.375);
  EXPECT_DOUBLE_EQ(double(e["threshold"]), 0.525);
  EXPECT_EQ(int64_t(e["people"]), 545);
  EXPECT_EQ(int64_t(e["affected"]), 392);
  EXPECT_EQ(int64_t(e["events"]), 545 * 3);
  EXPECT_EQ(simdjson::dom::array(e["sources"]).size(), 2u);
  EXPECT_GE(simdjson::dom::array(p["opportunities"]).size(), 2u);
  EXPECT_EQ(std::string_view(p["audience"]["id"]), "dropped_off_consideration");
  EXPECT_EQ(std::string_view(p["audience"]["definition"]["id"]), "dropped_off_consideration");
  std::string text = JourneyMapToText(map);
  EXPECT_NE(text.find("Pain points and opportunities"), std::string::npos) << text;
  EXPECT_NE(text.find("72% of people at Consideration drop off"), std::string::npos) << text;
}

TEST(PainPoints, PlanEntrySetsThresholdsAndDefaultsApplyWithout) {
  auto f = testing::MakeFixture();
  auto defaults = AnalysisPlan::Parse(R"([{"type": "stage_funnel"}])", "analyses", f.model);
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->pain_points.enabled);
  EXPECT_DOUBLE_EQ(defaults->pain_points.drop_off_margin, 0.15);
  EXPECT_EQ(defaults->pain_points.min_people, 30u);
  auto plan = AnalysisPlan::Parse(
      R"([{"type": "pain_points", "drop_off_margin": 0.2, "min_people": 0,
           "slow_transition_factor": 3, "churn_loop_threshold": 0.05,
           "slow_page_load_s": 2.5, "slow_review_reply_s": 3600, "min_reviews": 3,
           "audience_window_days": 14, "expected_time_to_next_days": {"decision": 0.5}}])",
      "analyses", f.model);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const PainPointOptions& o = plan->pain_points;
  EXPECT_DOUBLE_EQ(o.drop_off_margin, 0.2);
  EXPECT_EQ(o.min_people, 0u);
  EXPECT_DOUBLE_EQ(o.slow_transition_factor, 3);
  EXPECT_DOUBLE_EQ(o.churn_loop_threshold, 0.05);
  EXPECT_DOUBLE_EQ(o.slow_page_load_s, 2.5);
  EXPECT_DOUBLE_EQ(o.slow_review_reply_s, 3600);
  EXPECT_EQ(o.min_reviews, 3u);
  EXPECT_DOUBLE_EQ(o.audience_window_days, 14);
  ASSERT_EQ(o.expected_time_to_next_s.size(), 1u);
  EXPECT_EQ(o.expected_time_to_next_s[0].first, "decision");
  EXPECT_DOUBLE_EQ(o.expected_time_to_next_s[0].second, 43200.0);
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"([{"type": "pain_points", "margin": 1}])", "analyses[0]"},
      {R"([{"type": "pain_points", "min_people": -1}])",
       "analyses[0].min_people: expected a non-negative integer"},
      {R"([{"type": "pain_points", "slow_transition_factor": 0}])",
       "analyses[0].slow_transition_factor: must be more than 0"},
      {R"([{"type": "pain_points", "drop_off_margin": "a lot"}])", "analyses[0].drop_off_margin"},
      {R"([{"type": "pain_points", "expected_time_to_next_days": {"checkout": 1}}])",
       "analyses[0].expected_time_to_next_days: no stage 'checkout' in model.stages"},
      {R"([{"type": "pain_points", "expected_time_to_next_days": {"decision": 0}}])",
       "analyses[0].expected_time_to_next_days.decision: must be more than 0 days"},
  };
  for (const auto& c : cases) {
    auto bad = AnalysisPlan::Parse(c.json, "analyses", f.model);
    ASSERT_FALSE(bad.ok()) << c.json;
    EXPECT_NE(bad.status().message().find(c.message), std::string::npos) << bad.status().message();
  }
}

TEST(PainPoints, BuildJourneyMapComputesThemFromItsOwnNumbers) {
  auto f = testing::MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  // The fixture has 7 people: under the default min_people nothing rests on enough people.
  auto plan = AnalysisPlan::Parse(R"([{"type": "stage_funnel"}])", "analyses", f.model);
  ASSERT_TRUE(plan.ok());
  auto map = BuildJourneyMap(set, *plan, -1);
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map->pain_points.empty());
  auto loose = AnalysisPlan::Parse(R"([{"type": "pain_points", "min_people": 0,
                                        "drop_off_margin": 0}])",
                                   "analyses", f.model);
  ASSERT_TRUE(loose.ok()) << loose.status().message();
  auto map2 = BuildJourneyMap(set, *loose, -1);
  ASSERT_TRUE(map2.ok());
  auto expected = ComputePainPoints(*map2, loose->pain_points);
  ASSERT_EQ(map2->pain_points.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(map2->pain_points[i].type, expected[i].type);
    EXPECT_EQ(map2->pain_points[i].stage_id, expected[i].stage_id);
    EXPECT_DOUBLE_EQ(map2->pain_points[i].severity, expected[i].severity);
  }
  // Drop-off rates 0.5, 1/3, 0.5 (median 0.5): none exceeds it. Medians to next: awareness 2 h
  // (A 2 h, B 2 h, D 24 h), consideration 5 h (A 3 h, B 7 h), decision 1 h: reference 2 h,
  // threshold 4 h, so consideration is slow.
  ASSERT_EQ(map2->pain_points.size(), 1u);
  EXPECT_EQ(map2->pain_points[0].type, PainPointType::kSlowTransition);
  EXPECT_EQ(map2->pain_points[0].stage_id, "consideration");
  EXPECT_DOUBLE_EQ(map2->pain_points[0].evidence.value, 5 * 3600.0);
}

}  // namespace
}  // namespace journeykit

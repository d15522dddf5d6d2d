// journey_map_test.cpp — the assembled journey map and the "analyses" plan of a pipeline file.
#include <journeykit/analysis_plan.hpp>
#include <journeykit/journey_map.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace journeykit {
namespace {

using testing::MakeFixture;

constexpr const char* kPlan = R"([
  {"type": "stage_funnel", "top_n": 3},
  {"type": "funnel", "id": "f", "name": "View to buy", "window_days": 1,
   "steps": [{"id": "view", "when": {"action": "page_view"}},
             {"id": "webinar", "stages": ["consideration"]},
             {"id": "buy", "when": {"action": "purchase"}}]},
  {"type": "paths", "by": "stage", "top_n": 2},
  {"type": "attribution", "by": "touchpoint", "models": ["first", "last", "linear"]},
  {"type": "voice"},
  {"type": "loyalty", "cycle_stages": ["purchase"], "awareness_stage": "awareness"}
])";

TEST(JourneyMap, StagesTouchpointsActionsMatchHandCounts) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  auto plan = AnalysisPlan::Parse(kPlan, "analyses", f.model);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  auto map = BuildJourneyMap(set, *plan, -1);
  ASSERT_TRUE(map.ok()) << map.status().message();
  EXPECT_EQ(map->people, 7u);
  EXPECT_EQ(map->events, 13u);
  ASSERT_EQ(map->stages.size(), 4u);
  // The stage rows are the stage funnel's (checked by hand in stage_funnel_test.cpp).
  StageFunnel funnel = ComputeStageFunnel(set, -1);
  for (size_t s = 0; s < 4; ++s) {
    EXPECT_EQ(map->stages[s].row.reached, funnel.rows[s].reached);
    EXPECT_EQ(map->stages[s].row.progressed, funnel.rows[s].progressed);
  }
  // Awareness: page views of A, D (utm facebook → meta_ads), C (google → google_ads), and
  // B, G, H (no utm → "(unknown)").
  const auto& tps = map->stages[0].touchpoints;
  ASSERT_EQ(tps.size(), 3u);
  EXPECT_EQ(tps[0].id, "(unknown)");
  EXPECT_EQ(tps[0].people, 3u);
  EXPECT_EQ(tps[1].id, "meta_ads");
  EXPECT_EQ(tps[1].people, 2u);
  EXPECT_EQ(tps[1].channel, "paid_social");
  EXPECT_DOUBLE_EQ(tps[1].people_share, 2.0 / 6.0);
  EXPECT_EQ(tps[2].id, "google_ads");
  EXPECT_EQ(tps[2].people, 1u);
  ASSERT_EQ(map->stages[0].actions.size(), 1u);
  EXPECT_EQ(map->stages[0].actions[0].id, "page_view");
  EXPECT_EQ(map->stages[0].actions[0].people, 6u);
  EXPECT_EQ(map->stages[0].actions[0].events, 6u);
  // Three people dropped off at awareness (C, G, H): none did anything afterwards.
  ASSERT_TRUE(map->stages[0].dropped_next.has_value());
  EXPECT_EQ(map->stages[0].dropped_next->dropped, 3u);
  EXPECT_EQ(map->stages[0].dropped_next->nothing, 3u);
  // The last stage has no drop-off, so no "what next".
  EXPECT_FALSE(map->stages[3].dropped_next.has_value());
  // The configured analyses are there.
  ASSERT_EQ(map->funnels.size(), 1u);
  EXPECT_EQ(map->funnels[0].id, "f");
  EXPECT_EQ(map->funnels[0].result.steps.size(), 3u);
  ASSERT_TRUE(map->paths.has_value());
  EXPECT_EQ(map->paths->people, 7u);
  ASSERT_TRUE(map->attribution.has_value());
  EXPECT_DOUBLE_EQ(map->attribution->conversions, 2.0);  // A and E reached the goal stage
}

TEST(JourneyMap, JsonIsValidAndCarriesTheNumbers) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  auto plan = AnalysisPlan::Parse(kPlan, "analyses", f.model);
  ASSERT_TRUE(plan.ok());
  auto map = BuildJourneyMap(set, *plan, 0);  // segment "meta": A and D
  ASSERT_TRUE(map.ok());
  std::string json = JourneyMapToJson(*map);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  EXPECT_EQ(int64_t(root["schema_version"]), 1);
  EXPECT_EQ(std::string_view(root["segment"]["id"]), "meta");
  EXPECT_EQ(int64_t(root["provenance"]["people"]), 2);
  simdjson::dom::array stages = root["stages"];
  EXPECT_EQ(stages.size(), 4u);
  EXPECT_EQ(int64_t(stages.at(0)["reached"]), 2);
  EXPECT_EQ(std::string_view(stages.at(0)["touchpoints"].at(0)["id"]), "meta_ads");
  EXPECT_TRUE(stages.at(3)["conversion_rate"].is_null());
  EXPECT_EQ(simdjson::dom::array(root["funnels"]).size(), 1u);
  EXPECT_FALSE(root["paths"].is_null());
  EXPECT_FALSE(root["attribution"].is_null());
  // The voice and loyalty analyses fill the emotion lane and the KPIs (no ratings in the
  // fixture: no sentiment signals; A is the segment's only buyer, with one purchase).
  EXPECT_EQ(int64_t(stages.at(0)["emotion"]["count"]), 0);
  EXPECT_TRUE(stages.at(0)["emotion"]["mean"].is_null());
  EXPECT_EQ(int64_t(root["kpis"]["buyers"]), 1);
  EXPECT_EQ(int64_t(root["kpis"]["repeat_buyers"]), 0);
  std::string text = JourneyMapToText(*map);
  EXPECT_NE(text.find("First touch: Meta ads"), std::string::npos) << text;
  EXPECT_NE(text.find("only 2 people"), std::string::npos) << text;
}

TEST(AnalysisPlan, ErrorsNameThePath) {
  auto f = MakeFixture();
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"([{"type": "cohorts"}])", "analyses[0].type: unknown analysis 'cohorts'"},
      {R"([{"type": "funnel", "id": "x", "mode": "fast", "steps": [{"id": "a", "when": {"action": "x"}}]}])",
       "analyses[0].mode: 'fast' is not one of"},
      {R"([{"type": "funnel", "id": "x", "steps": [{"id": "a", "stages": ["nope"]}]}])",
       "analyses[0].steps[0].stages: no stage 'nope'"},
      {R"([{"type": "funnel", "id": "x", "steps": [{"id": "a"}]}])",
       "needs \"when\" or \"stages\""},
      {R"([{"type": "funnel", "id": "x", "window_days": -1, "steps": [{"id": "a", "stages": ["purchase"]}]}])",
       "analyses[0].window_days: must be more than 0 days"},
      {R"([{"type": "paths", "by": "page"}])", "analyses[0].by: 'page' is not one of"},
      {R"([{"type": "attribution", "models": ["magic"]}])", "unknown model 'magic'"},
      {R"([{"type": "attribution", "goal_stage": "nope"}])", "no stage 'nope'"},
      {R"({"type": "paths"})", "analyses: expected an array"},
  };
  for (const auto& c : cases) {
    auto plan = AnalysisPlan::Parse(c.json, "analyses", f.model);
    ASSERT_FALSE(plan.ok()) << c.json;
    EXPECT_NE(plan.status().message().find(c.message), std::string::npos)
        << plan.status().message();
  }
  auto empty = AnalysisPlan::Parse("", "analyses", f.model);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->funnels.empty());
}

}  // namespace
}  // namespace journeykit

// journey_map_test.cpp — the assembled journey map and the "analyses" plan of a pipeline file.
#include <journeykit/analysis_plan.hpp>
#include <journeykit/journey_map.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

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

TEST(JourneyMap, PeriodMapCountsOnlyEventsInsideThePeriod) {
  // Period [1 h, 6 h) of the fixture: A webinar@2 checkout@5, B page_view@1 webinar@3, E
  // purchase@5. A's page view@0 and purchase@6, B's checkout@10, C, D, G, H are outside.
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  auto plan = AnalysisPlan::Parse(kPlan, "analyses", f.model);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  JourneyMapOptions options;
  options.from_us = testing::kT0 + 1 * testing::kHour;
  options.to_us = testing::kT0 + 6 * testing::kHour;
  auto map = BuildJourneyMap(set, *plan, options);
  ASSERT_TRUE(map.ok()) << map.status().message();
  EXPECT_EQ(map->people, 3u);  // A, B, E
  EXPECT_EQ(map->events, 5u);
  EXPECT_EQ(map->first_event_us, testing::kT0 + 1 * testing::kHour);
  EXPECT_EQ(map->last_event_us, testing::kT0 + 5 * testing::kHour);
  // Awareness: B only (page view@1), on to consideration@3.
  EXPECT_EQ(map->stages[0].row.reached, 1u);
  EXPECT_EQ(map->stages[0].row.progressed, 1u);
  EXPECT_EQ(map->stages[0].row.events, 1u);
  // Consideration: A@2 (checkout@5 inside) and B@3 (checkout@10 outside: dropped).
  EXPECT_EQ(map->stages[1].row.reached, 2u);
  EXPECT_EQ(map->stages[1].row.progressed, 1u);
  EXPECT_EQ(map->stages[1].row.dropped, 1u);
  EXPECT_DOUBLE_EQ(*map->stages[1].row.median_time_to_next_s, 3 * 3600.0);
  // Decision: A@5; the purchase@6 is outside, so A dropped here. Purchase: E@5.
  EXPECT_EQ(map->stages[2].row.reached, 1u);
  EXPECT_EQ(map->stages[2].row.dropped, 1u);
  EXPECT_EQ(map->stages[3].row.reached, 1u);
  EXPECT_EQ(map->people_reaching_goal, 1u);
  // B dropped at consideration; its checkout@10 is outside: nothing after.
  ASSERT_TRUE(map->stages[1].dropped_next.has_value());
  EXPECT_EQ(map->stages[1].dropped_next->dropped, 1u);
  EXPECT_EQ(map->stages[1].dropped_next->nothing, 1u);
  // Funnel entries (page views) only inside the period: B@1.
  EXPECT_EQ(map->funnels[0].result.entered, 1u);
  // Attribution: E's purchase@5 is the only conversion inside (A's@6 is not).
  EXPECT_DOUBLE_EQ(map->attribution->conversions, 1.0);
  EXPECT_EQ(map->loyalty->repeat.buyers, 1u);
  // The whole data for comparison.
  auto whole = BuildJourneyMap(set, *plan, -1);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->people, 7u);
  EXPECT_DOUBLE_EQ(whole->attribution->conversions, 2.0);
  // JSON names the period asked for.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string json = JourneyMapToJson(*map);
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(root["period"]["from"]), "2026-01-01T01:00:00.000000Z");
  EXPECT_EQ(std::string_view(root["period"]["to"]), "2026-01-01T06:00:00.000000Z");
  EXPECT_EQ(std::string_view(root["period"]["first_event"]), "2026-01-01T01:00:00.000000Z");
  std::string whole_json = JourneyMapToJson(*whole);
  ASSERT_EQ(parser.parse(whole_json).get(root), simdjson::SUCCESS);
  EXPECT_TRUE(root["period"]["from"].is_null());
  EXPECT_TRUE(root["period"]["to"].is_null());
  EXPECT_NE(JourneyMapToText(*map).find("Period asked: 2026-01-01T01:00:00.000000Z"),
            std::string::npos);
  // An empty period and a bad segment are errors.
  options.from_us = options.to_us;
  EXPECT_EQ(BuildJourneyMap(set, *plan, options).status().code(), StatusCode::kInvalidArgument);
  options.from_us = testing::kT0;
  options.segment = 5;
  EXPECT_EQ(BuildJourneyMap(set, *plan, options).status().code(), StatusCode::kInvalidArgument);
}

TEST(JourneyMap, AllMapsOnSeveralThreadsAreTheMapsBuiltOneByOne) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  auto plan = AnalysisPlan::Parse(kPlan, "analyses", f.model);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const size_t count = f.model.segments().size() + 1;
  ASSERT_GE(count, 2u);  // everyone and the segment "meta"
  JourneyMapOptions period;
  period.from_us = testing::kT0 + 1 * testing::kHour;
  period.segment = 1;  // ignored: every segment is built
  for (const JourneyMapOptions& options : {JourneyMapOptions{}, period}) {
    std::vector<std::string> expected;
    for (size_t i = 0; i < count; ++i) {
      JourneyMapOptions o = options;
      o.segment = static_cast<int>(i) - 1;
      auto map = BuildJourneyMap(set, *plan, o);
      ASSERT_TRUE(map.ok()) << map.status().message();
      expected.push_back(JourneyMapToJson(*map));
    }
    for (unsigned threads : {1u, 2u, 8u, 0u}) {
      auto maps = BuildJourneyMaps(set, *plan, options, threads);
      ASSERT_TRUE(maps.ok()) << maps.status().message();
      ASSERT_EQ(maps->size(), count);
      for (size_t i = 0; i < count; ++i) {
        EXPECT_EQ(JourneyMapToJson((*maps)[i]), expected[i])
            << "map " << i << ", " << threads << " threads";
      }
    }
  }
  // An error is reported, not a partial list.
  period.to_us = period.from_us;
  EXPECT_EQ(BuildJourneyMaps(set, *plan, period, 2).status().code(), StatusCode::kInvalidArgument);
}

// People x1..x4 at awareness (a page view at 0 h), then e-mail, page loads, reviews and
// purchases; every e-mail event of the campaign "welcome".
struct KpiData {
  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  std::unique_ptr<EventStore> store = std::make_unique<EventStore>(model);
  int next = 0;
  void Add(const std::string& who, int64_t hours, const std::string& action,
           KeyValues properties = {}, std::optional<double> value = std::nullopt) {
    Event e;
    e.time_us = testing::kT0 + hours * testing::kHour;
    e.source = "crm";
    e.event_id = std::to_string(next++);
    e.action = action;
    e.identities = {{"user_id", who}};
    e.properties = std::move(properties);
    e.value = value;
    store->Append(e);
  }
  KpiData() {
    const KeyValues welcome = {{"campaign", "welcome"}};
    Add("x1", 0, "page_view", {{"page_load_ms", "2500"}});
    Add("x2", 0, "page_view", {{"page_load_ms", "4000"}});
    Add("x3", 0, "page_view", {{"page_load_ms", "slow"}});  // not a number: ignored
    Add("x4", 0, "page_view");
    Add("x1", 1, "email_delivered", welcome);
    Add("x1", 2, "email_open", welcome);
    Add("x1", 3, "email_click", welcome);
    Add("x2", 1, "email_delivered", welcome);
    Add("x2", 2, "email_open", welcome);
    Add("x2", 3, "email_open", welcome);  // a second open: one opener, two open events
    Add("x3", 1, "email_bounce", welcome);
    Add("x4", 1, "email_delivered", welcome);
    Add("x4", 2, "email_unsubscribe", welcome);
    Add("x1", 4, "review", {{"reply_delay_s", "7200"}});
    Add("x2", 4, "review", {{"reply_delay_s", "86400"}});
    Add("x3", 4, "review");  // no reply: no reply delay
    Add("x1", 6, "purchase", {}, 100.0);
    Add("x1", 7, "purchase", {}, 20.0);
    Add("x2", 6, "purchase", {}, 60.0);
    Add("x2", 7, "purchase");  // no value: an order, not a valued one
  }
};

TEST(JourneyMap, EmailRevenueAndTimingsAreKpisAndLanes) {
  KpiData d;
  JourneySet set = JourneySet::Build(*d.store, {});
  auto plan = AnalysisPlan::Parse(
      R"([{"type": "voice"}, {"type": "loyalty", "cycle_stages": [], "awareness_stage": ""},
          {"type": "pain_points", "min_people": 0, "min_reviews": 0, "drop_off_margin": 1,
           "slow_review_reply_s": 3600}])",
      "analyses", d.model);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  auto map = BuildJourneyMap(set, *plan, -1);
  ASSERT_TRUE(map.ok()) << map.status().message();
  // E-mail: sent x1 x2 x3 x4 (delivered or bounced) = 4; delivered x1 x2 x4 = 3; bounced x3;
  // opened x1 x2; clicked x1; unsubscribed x4. Rates: open 2/3, click 1/3, click-to-open 1/2,
  // bounce 1/4, unsubscribe 1/3. The e-mail events have no stage: they count in awareness,
  // the people's current stage.
  ASSERT_TRUE(map->email.has_value());
  const EmailEngagementRow& t = map->email->total;
  EXPECT_EQ(t.sent, 4u);
  EXPECT_EQ(t.delivered, 3u);
  EXPECT_EQ(t.opened, 2u);
  EXPECT_EQ(t.open_events, 3u);
  EXPECT_DOUBLE_EQ(*t.open_rate, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*t.bounce_rate, 0.25);
  // Revenue: buyers x1 x2; orders 4, 3 with a value: 100 + 20 + 60 = 180; per buyer 90;
  // average order value 180 / 3 = 60.
  const Revenue& r = map->loyalty->revenue;
  EXPECT_EQ(r.buyers, 2u);
  EXPECT_EQ(r.orders, 4u);
  EXPECT_EQ(r.valued_orders, 3u);
  EXPECT_DOUBLE_EQ(r.revenue, 180.0);
  EXPECT_DOUBLE_EQ(*r.revenue_per_buyer, 90.0);
  EXPECT_DOUBLE_EQ(*r.average_order_value, 60.0);
  // Page loads at awareness: 2.5 s and 4 s (x3's "slow" is not a number): median 3.25 s over
  // 2 people, above the 3 s target. Review replies (no stage: the current stage, awareness):
  // 2 h and 24 h, median 13 h, above the 1 h set here.
  ASSERT_EQ(map->timings.page_load.size(), 1u);
  EXPECT_EQ(map->timings.page_load[0].stage_id, "awareness");
  EXPECT_DOUBLE_EQ(map->timings.page_load[0].median_s, 3.25);
  EXPECT_EQ(map->timings.page_load[0].people, 2u);
  EXPECT_EQ(map->page_load_all.events, 2u);
  ASSERT_EQ(map->timings.review_reply.size(), 1u);
  EXPECT_DOUBLE_EQ(map->timings.review_reply[0].median_s, 13 * 3600.0);
  EXPECT_EQ(map->timings.review_reply[0].events, 2u);
  const PainPoint* pages = nullptr;
  const PainPoint* replies = nullptr;
  for (const PainPoint& p : map->pain_points) {
    if (p.type == PainPointType::kSlowPages) pages = &p;
    if (p.type == PainPointType::kSlowReviewReplies) replies = &p;
  }
  ASSERT_NE(pages, nullptr);
  EXPECT_EQ(pages->stage_id, "awareness");
  EXPECT_DOUBLE_EQ(pages->excess, 1 - 3 / 3.25);
  EXPECT_DOUBLE_EQ(pages->severity, 2 * (1 - 3 / 3.25));
  EXPECT_EQ(pages->evidence.sources, std::vector<std::string>{"crm"});
  ASSERT_NE(replies, nullptr);
  EXPECT_DOUBLE_EQ(replies->evidence.value, 46800.0);
  EXPECT_DOUBLE_EQ(replies->excess, 1 - 3600.0 / 46800.0);

  // The JSON carries all of it: KPIs overall, per stage, per campaign.
  std::string json = JourneyMapToJson(*map);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  simdjson::dom::element k = root["kpis"];
  EXPECT_EQ(int64_t(k["email"]["delivered"]), 3);
  EXPECT_DOUBLE_EQ(double(k["email"]["click_to_open_rate"]), 0.5);
  EXPECT_DOUBLE_EQ(double(k["email"]["unsubscribe_rate"]), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(double(k["revenue"]), 180.0);
  EXPECT_DOUBLE_EQ(double(k["revenue_per_buyer"]), 90.0);
  EXPECT_DOUBLE_EQ(double(k["average_order_value"]), 60.0);
  EXPECT_EQ(int64_t(k["orders"]), 4);
  EXPECT_DOUBLE_EQ(double(k["page_load"]["median_s"]), 3.25);
  EXPECT_DOUBLE_EQ(double(k["review_reply"]["median_s"]), 46800.0);
  simdjson::dom::element aw = root["stages"].at(0);
  EXPECT_EQ(int64_t(aw["email"]["opened"]), 2);
  EXPECT_DOUBLE_EQ(double(aw["email"]["click_rate"]), 1.0 / 3.0);
  EXPECT_EQ(int64_t(aw["page_load"]["measurements"]), 2);
  EXPECT_TRUE(root["stages"].at(1)["email"].is_null());
  EXPECT_EQ(std::string_view(root["email_campaigns"].at(0)["key"]), "welcome");
  EXPECT_EQ(int64_t(root["email_campaigns"].at(0)["sent"]), 4);
  // And the text.
  std::string text = JourneyMapToText(*map);
  EXPECT_NE(text.find("E-mail: 4 sent, 3 delivered, opened 2 (66.7%), clicked 1 (33.3%, 50.0% "
                      "of openers), bounced 1 (25.0%), unsubscribed 1 (33.3%)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  e-mail: 4 sent"), std::string::npos) << text;
  EXPECT_NE(text.find("campaign welcome: 4 sent"), std::string::npos) << text;
  EXPECT_NE(text.find("revenue 180.00 from 4 orders, 90.00 per buyer, average order 60.00"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("page load: median 3.25 s (2 page loads, 2 people)"), std::string::npos)
      << text;
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

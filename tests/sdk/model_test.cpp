// model_test.cpp — parsing the journey model and evaluating its rules.
#include <journeykit/journey_model.hpp>

#include <gtest/gtest.h>

namespace journeykit {
namespace {

constexpr const char* kModel = R"({
  "touchpoints": [
    {"id": "meta_ads", "name": "Meta ads", "channel": "paid_social",
     "when": [{"hint": {"utm_source": ["facebook", "instagram"]}}]},
    {"id": "landing", "name": "Landing", "channel": "website", "when": [{"url_contains": "/courses/"}]},
    {"id": "store", "name": "Store", "channel": "store", "online": false, "when": {"source": "pos"}}
  ],
  "stages": [
    {"id": "awareness", "when": [{"action": "page_view"}]},
    {"id": "consideration", "when": [{"action": "page_view", "url_contains": "/courses/"}]},
    {"id": "purchase", "goal": true, "when": [{"action": "purchase"}, {"channel": "store"}]}
  ],
  "segments": [
    {"id": "meta", "scope": "first", "when": [{"touchpoint": "meta_ads"}]},
    {"id": "marketers", "when": [{"property": {"persona": "Marketer"}}]}
  ]
})";

Event MakeEvent(std::string action, std::string url = {}, std::string utm = {}) {
  Event e;
  e.source = "web";
  e.action = std::move(action);
  if (!url.empty()) e.hints.emplace_back("url", url);
  if (!utm.empty()) e.hints.emplace_back("utm_source", utm);
  return e;
}

TEST(JourneyModel, ParsesTouchpointsStagesSegments) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->touchpoints().size(), 4u);  // (unknown) + 3
  EXPECT_EQ(model->touchpoints()[0].id, "(unknown)");
  EXPECT_FALSE(model->touchpoints()[3].online);
  EXPECT_EQ(model->stages().size(), 3u);
  EXPECT_TRUE(model->stages()[2].goal);
  EXPECT_EQ(model->segments()[0].scope, SegmentScope::kFirst);
  EXPECT_EQ(model->segments()[1].scope, SegmentScope::kAny);
  EXPECT_EQ(model->SegmentIndex("marketers"), 1);
  EXPECT_EQ(model->SegmentIndex("nobody"), -1);
}

TEST(JourneyModel, FirstMatchingTouchpointWinsAndUnknownOtherwise) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok());
  // Both meta_ads (utm) and landing (url) match: list order decides.
  EXPECT_EQ(model->ResolveTouchpoint(MakeEvent("page_view", "https://x/courses/smm", "Facebook")),
            1);
  EXPECT_EQ(model->ResolveTouchpoint(MakeEvent("page_view", "https://x/COURSES/smm")), 2);
  EXPECT_EQ(model->ResolveTouchpoint(MakeEvent("page_view", "https://x/blog")), kUnknownTouchpoint);
  Event pos = MakeEvent("visit");
  pos.source = "POS";
  EXPECT_EQ(model->ResolveTouchpoint(pos), 3);
}

TEST(JourneyModel, LatestMatchingStageWins) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok());
  Event generic = MakeEvent("page_view", "https://x/blog");
  EXPECT_EQ(model->AssignStage(generic, model->ResolveTouchpoint(generic)), 0);
  Event course = MakeEvent("page_view", "https://x/courses/smm");
  EXPECT_EQ(model->AssignStage(course, model->ResolveTouchpoint(course)), 1);
  Event buy = MakeEvent("purchase");
  EXPECT_EQ(model->AssignStage(buy, model->ResolveTouchpoint(buy)), 2);
  Event store = MakeEvent("visit");
  store.source = "pos";
  EXPECT_EQ(model->AssignStage(store, model->ResolveTouchpoint(store)), 2);  // by channel
  Event other = MakeEvent("scroll");
  EXPECT_EQ(model->AssignStage(other, model->ResolveTouchpoint(other)), kNoStage);
}

TEST(JourneyModel, SegmentMatchesUsePropertiesAndTouchpoints) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok());
  Event e = MakeEvent("page_view", "", "instagram");
  e.properties.emplace_back("persona", "marketer");
  EXPECT_EQ(model->SegmentMatches(e, model->ResolveTouchpoint(e)), 0b11u);
  Event plain = MakeEvent("page_view");
  EXPECT_EQ(model->SegmentMatches(plain, model->ResolveTouchpoint(plain)), 0u);
}

struct BadModelCase {
  const char* json;
  const char* expected_message;
};

class BadModel : public ::testing::TestWithParam<BadModelCase> {};

TEST_P(BadModel, ErrorNamesThePath) {
  auto model = JourneyModel::FromJson(GetParam().json, "pipeline.json: model");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find(GetParam().expected_message), std::string::npos)
      << model.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadModel,
    ::testing::Values(
        BadModelCase{R"({"stages": []})", "model.stages: at least one stage"},
        BadModelCase{R"({"stages": [{"id": "a", "when": [{"acton": "x"}]}]})",
                     "model.stages[0].when[0].acton: unknown key"},
        BadModelCase{R"({"stages": [{"id": "a", "when": [{"action": 3}]}]})",
                     "model.stages[0].when[0].action: expected a string or an array of strings, "
                     "found an integer"},
        BadModelCase{R"({"stages": [{"id": "a"}]})", "model.stages[0].when: missing"},
        BadModelCase{R"({"stages": [{"id": "a", "when": []}]})",
                     "model.stages[0].when: empty list"},
        BadModelCase{
            R"({"stages": [{"id": "a", "when": {"action": "x"}}, {"id": "a", "when": {"action": "y"}}]})",
            "stage 'a' defined twice"},
        BadModelCase{R"({"stages": [{"id": "a", "when": {"touchpoint": "nope"}}]})",
                     "touchpoint 'nope' is not defined"},
        BadModelCase{
            R"({"touchpoints": [{"id": "t", "channel": "c", "when": {"channel": "x"}}], "stages": [{"id": "a", "when": {"action": "x"}}]})",
            "model.touchpoints[0].when.channel: unknown key"},
        BadModelCase{
            R"({"stages": [{"id": "a", "when": {"action": "x"}}], "segments": [{"id": "s", "scope": "some", "when": {"action": "x"}}]})",
            "model.segments[0].scope: 'some' is not one of: any, first"},
        BadModelCase{R"({"stages": [)", "not valid JSON"}));

}  // namespace
}  // namespace journeykit

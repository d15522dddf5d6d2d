// map_render_test.cpp — the HTML journey map page and the Markdown, CSV and Mermaid exports,
// on the hand-built fixture (journey_fixture.hpp).
#include <journeykit/analysis_plan.hpp>
#include <journeykit/journey_map.hpp>
#include <journeykit/map_render.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using testing::MakeFixture;

constexpr const char* kPlan = R"([
  {"type": "stage_funnel", "top_n": 2},
  {"type": "funnel", "id": "f", "name": "View to buy", "window_days": 1,
   "steps": [{"id": "view", "when": {"action": "page_view"}},
             {"id": "buy", "when": {"action": "purchase"}}]},
  {"type": "paths", "by": "touchpoint", "top_n": 2}
])";

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// Two stages with an emotion signal: consideration (+0.5, 2 signals, 95% CI) and purchase
// (-1, 1 signal); awareness and decision have none.
void AddEmotion(JourneyMap& map) {
  Voice voice;
  voice.stages.resize(map.stages.size());
  for (size_t i = 0; i < map.stages.size(); ++i) {
    voice.stages[i].stage_id = map.stages[i].row.stage_id;
  }
  voice.stages[1].sentiment.count = 2;
  voice.stages[1].sentiment.mean = 0.5;
  voice.stages[1].sentiment.ci_low = 0.25;
  voice.stages[1].sentiment.ci_high = 0.75;
  voice.stages[1].provenance.people = 2;
  voice.stages[3].sentiment.count = 1;
  voice.stages[3].sentiment.mean = -1;
  voice.stages[3].provenance.people = 1;
  map.voice = std::move(voice);
}

class MapRender : public ::testing::Test {
 protected:
  void SetUp() override {
    set_ = std::make_unique<JourneySet>(JourneySet::Build(*fixture_.store, {}));
    auto plan = AnalysisPlan::Parse(kPlan, "analyses", fixture_.model);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    for (int segment : {-1, 0}) {
      auto map = BuildJourneyMap(*set_, *plan, segment);
      ASSERT_TRUE(map.ok()) << map.status().message();
      maps_.push_back(std::move(map).value());
    }
    AddEmotion(maps_[0]);
  }
  // Built in place: the store keeps a pointer to the fixture's model.
  testing::Fixture fixture_ = MakeFixture();
  std::unique_ptr<JourneySet> set_;
  std::vector<JourneyMap> maps_;
};

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("plain text – ünïcode"), "plain text – ünïcode");
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST_F(MapRender, HtmlEscapesEveryStringFromTheData) {
  maps_[0].segment_name = "<script>alert('x')</script>";
  maps_[0].stages[0].touchpoints[0].name = "A&B <b>";
  maps_[0].stages[0].touchpoints[0].channel = "\"quoted\"";
  std::string html = JourneyMapsToHtml(maps_, fixture_.model, {});
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("A&amp;B &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&quot;"), std::string::npos);
  EXPECT_EQ(html.find("A&B <b>"), std::string::npos);
  // Only the page's own two script blocks end: the inline switcher and the JSON data.
  EXPECT_EQ(CountOf(html, "</script>"), 2u);
}

TEST_F(MapRender, HtmlIsSelfContained) {
  std::string html = JourneyMapsToHtml(maps_, fixture_.model, {});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("@page{size:A3 landscape"), std::string::npos);
}

TEST_F(MapRender, OneColumnPerStageAndOneSectionPerSegment) {
  std::string html = JourneyMapsToHtml(maps_, fixture_.model, {});
  EXPECT_EQ(CountOf(html, "<section class=\"segment\""), 2u);
  EXPECT_NE(html.find("id=\"seg-0\" data-segment=\"all\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"seg-1\" data-segment=\"meta\" hidden>"), std::string::npos);
  EXPECT_EQ(CountOf(html, "<div class=\"stage"), 2 * maps_[0].stages.size());
  for (const MapStage& s : maps_[0].stages) {
    EXPECT_NE(html.find("data-stage=\"" + s.row.stage_id + "\" data-reached=\"" +
                        std::to_string(s.row.reached) + "\""),
              std::string::npos)
        << s.row.stage_id;
  }
  EXPECT_EQ(CountOf(html, "<button type=\"button\" data-target=\"seg-"), 2u);
  // Lanes: a cell per stage, or one across all stages.
  for (const char* lane : {"lane-touchpoints", "lane-actions", "lane-dropped", "lane-pain-points",
                           "lane-opportunities"}) {
    EXPECT_EQ(CountOf(html, lane), 2 * maps_[0].stages.size()) << lane;  // a cell per stage
  }
  for (const char* lane : {"emotion-curve", "lane-kpis"}) {
    EXPECT_EQ(CountOf(html, lane), 2u) << lane;  // one across all stages
  }
  EXPECT_EQ(CountOf(html, "class=\"chart funnel\""), 2u);
  EXPECT_EQ(CountOf(html, "class=\"chart transitions\""), 2u);
}

TEST_F(MapRender, OneEmotionPointPerStageWithData) {
  std::vector<JourneyMap> one{maps_[0]};
  std::string html = JourneyMapsToHtml(one, fixture_.model, {});
  EXPECT_EQ(CountOf(html, "<g class=\"emotion-point"), 2u);
  EXPECT_NE(html.find("data-stage=\"consideration\" data-count=\"2\" data-mean=\"0.5\""),
            std::string::npos);
  EXPECT_NE(html.find("data-stage=\"purchase\" data-count=\"1\" data-mean=\"-1\""),
            std::string::npos);
  EXPECT_EQ(CountOf(html, "class=\"emotion-nodata\""), 2u);
  // The gap splits the line: consideration alone, purchase alone — no polyline of one point
  // joins across "no data".
  EXPECT_EQ(CountOf(html, "<polyline class=\"emotion-line\""), 2u);
  EXPECT_NE(html.find("class=\"whisker\""), std::string::npos);
  // -1 is red, +0.5 between amber and green.
  EXPECT_NE(html.find("hsl(0,70%,40%)"), std::string::npos);
  EXPECT_NE(html.find("hsl(90,70%,40%)"), std::string::npos);
}

TEST_F(MapRender, ThinEvidenceCellsAreGreyedOut) {
  HtmlOptions options;
  options.thin_evidence_people = 3;
  std::vector<JourneyMap> one{maps_[0]};
  std::string html = JourneyMapsToHtml(one, fixture_.model, options);
  // awareness: 6 people, consideration 3; decision and purchase: 2 each.
  EXPECT_NE(html.find("<div class=\"stage\" data-stage=\"awareness\""), std::string::npos);
  EXPECT_NE(html.find("<div class=\"stage\" data-stage=\"consideration\""), std::string::npos);
  EXPECT_NE(html.find("<div class=\"stage thin\" data-stage=\"decision\""), std::string::npos);
  EXPECT_NE(html.find("<div class=\"stage thin\" data-stage=\"purchase\""), std::string::npos);
}

TEST_F(MapRender, EmbeddedJsonParsesAndEqualsTheJsonOfEachMap) {
  maps_[1].segment_name = "Meta </script><!-- first";
  std::string html = JourneyMapsToHtml(maps_, fixture_.model, {});
  const std::string open = "<script type=\"application/json\" id=\"journeymap-data\">";
  size_t start = html.find(open);
  ASSERT_NE(start, std::string::npos);
  start += open.size();
  size_t end = html.find("</script>", start);
  ASSERT_NE(end, std::string::npos);
  std::string embedded = html.substr(start, end - start);
  EXPECT_EQ(embedded.find('<'), std::string::npos);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(embedded).get(doc), simdjson::SUCCESS);
  simdjson::dom::array array;
  ASSERT_EQ(doc.get_array().get(array), simdjson::SUCCESS);
  ASSERT_EQ(array.size(), maps_.size());
  size_t i = 0;
  for (simdjson::dom::element element : array) {
    simdjson::dom::parser own_parser;
    simdjson::dom::element own;
    std::string json = JourneyMapToJson(maps_[i]);
    ASSERT_EQ(own_parser.parse(json).get(own), simdjson::SUCCESS);
    EXPECT_EQ(simdjson::to_string(element), simdjson::to_string(own)) << "map " << i;
    ++i;
  }
  std::string_view name;
  ASSERT_EQ(array.at(1)["segment"]["name"].get(name), simdjson::SUCCESS);
  EXPECT_EQ(name, "Meta </script><!-- first");
}

TEST_F(MapRender, ParseMapSnapshotsReadsAnObjectAnArrayAndNdjson) {
  const std::string a = JourneyMapToJson(maps_[0]), b = JourneyMapToJson(maps_[1]);
  auto one = ParseMapSnapshots(a, "old.json");
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_EQ(one->size(), 1u);
  const MapSnapshot& s = (*one)[0];
  EXPECT_EQ(s.segment_id, "all");
  EXPECT_EQ(s.people, maps_[0].people);
  ASSERT_EQ(s.stages.size(), maps_[0].stages.size());
  EXPECT_EQ(s.stages[0].id, "awareness");
  EXPECT_EQ(s.stages[0].reached, maps_[0].stages[0].row.reached);
  EXPECT_EQ(s.stages[0].conversion_rate, maps_[0].stages[0].row.conversion_rate);
  EXPECT_EQ(s.stages[1].sentiment_mean, std::optional<double>(0.5));  // AddEmotion
  EXPECT_FALSE(s.stages[0].sentiment_mean.has_value());
  EXPECT_FALSE(s.stages[3].conversion_rate.has_value());  // the last stage
  auto array = ParseMapSnapshots("[" + a + "," + b + "]", "page.json");
  ASSERT_TRUE(array.ok()) << array.status().message();
  ASSERT_EQ(array->size(), 2u);
  EXPECT_EQ((*array)[1].segment_id, "meta");
  auto lines = ParseMapSnapshots(a + "\n" + b + "\n", "journey_maps.ndjson");
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(lines->size(), 2u);
  struct Case {
    std::string text;
    const char* message;
  } cases[] = {
      {"not json", "old.json: not valid JSON"},
      {R"({"a": 1})", "old.json: map 1: segment.id missing"},
      {R"({"segment": {"id": "all"}})", "old.json: map 1: stages missing"},
      {"[" + a + ", 3]", "old.json: map 2: not a JSON object"},
      {"", "old.json: no journey map in it"},
  };
  for (const Case& c : cases) {
    auto bad = ParseMapSnapshots(c.text, "old.json");
    ASSERT_FALSE(bad.ok()) << c.text;
    EXPECT_NE(bad.status().message().find(c.message), std::string::npos) << bad.status().message();
  }
}

TEST_F(MapRender, HtmlShowsTheChangeSinceThePreviousMap) {
  // Without a previous map: no change lane.
  std::string plain = JourneyMapsToHtml(maps_, fixture_.model, {});
  EXPECT_EQ(CountOf(plain, "class=\"cell lane-change"), 0u);
  EXPECT_EQ(CountOf(plain, "class=\"change"), 0u);
  // The previous "all" map: awareness reached 2 fewer, consideration's emotion +0.25 lower
  // (+0.25 then, +0.5 now), 3 people fewer overall; a decision drop-off that is gone now. The
  // current map has a slow transition at consideration that is new.
  auto prev = ParseMapSnapshots(JourneyMapToJson(maps_[0]), "old.json");
  ASSERT_TRUE(prev.ok());
  MapSnapshot& p = (*prev)[0];
  p.people -= 3;
  p.stages[0].reached -= 2;
  p.stages[1].sentiment_mean = 0.25;
  p.pain_points = {{"drop_off", "decision", "many dropped off at Decision"}};
  PainPoint slow;
  slow.type = PainPointType::kSlowTransition;
  slow.stage_id = "consideration";
  slow.stage_name = "Consideration";
  slow.rank = 1;
  slow.summary = "slow";
  maps_[0].pain_points = {slow};
  HtmlOptions options;
  options.previous = *prev;
  std::string html = JourneyMapsToHtml(maps_, fixture_.model, options);
  // One change cell per stage of the "all" map; the "meta" map has no previous map.
  EXPECT_EQ(CountOf(html, "<div class=\"cell lane-change\""), maps_[0].stages.size());
  EXPECT_NE(html.find("<div class=\"cell lane-change\" data-stage=\"awareness\" "
                      "data-delta-reached=\"2\""),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("data-stage=\"decision\" data-delta-reached=\"0\""), std::string::npos);
  EXPECT_NE(html.find("data-delta-sentiment=\"0.25\""), std::string::npos);
  EXPECT_NE(html.find("emotion <span class=\"delta better\">+0.25</span>"), std::string::npos);
  EXPECT_NE(html.find("data-previous-people=\"" + std::to_string(maps_[0].people - 3) +
                      "\" data-delta-people=\"3\" data-new-pain-points=\"1\" "
                      "data-gone-pain-points=\"1\""),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<span class=\"pain-new\">#1 slow_transition at Consideration</span>"),
            std::string::npos);
  EXPECT_NE(
      html.find("<span class=\"pain-gone\" title=\"many dropped off at Decision\">drop_off at "
                "decision</span>"),
      std::string::npos);
  EXPECT_EQ(CountOf(html, "class=\"badge-new\""), 1u);
  EXPECT_EQ(CountOf(html, "No previous map of this segment"), 1u);  // "meta"
}

TEST_F(MapRender, KpisShowRevenueAndEmailRates) {
  JourneyMap& map = maps_[0];
  map.loyalty = Loyalty{};
  map.loyalty->revenue.buyers = 2;
  map.loyalty->revenue.orders = 4;
  map.loyalty->revenue.valued_orders = 3;
  map.loyalty->revenue.revenue = 1800;
  map.loyalty->revenue.revenue_per_buyer = 900;
  map.loyalty->revenue.average_order_value = 600;
  std::string html = JourneyMapsToHtml(maps_, fixture_.model, {});
  EXPECT_NE(html.find("Revenue<b>1,800</b>"), std::string::npos);
  EXPECT_NE(html.find("Revenue per buyer<b>900</b><span class=\"n\">2 buyers</span>"),
            std::string::npos);
  EXPECT_NE(html.find("Average order value<b>600</b><span class=\"n\">3 orders</span>"),
            std::string::npos);
  EXPECT_EQ(html.find("E-mail open rate"), std::string::npos);  // no e-mail analysis
  map.email = EmailEngagement{};
  EXPECT_NE(JourneyMapsToHtml(maps_, fixture_.model, {}).find("no e-mail events"),
            std::string::npos);
  EmailEngagementRow& t = map.email->total;
  t.sent = 4;
  t.delivered = 3;
  t.opened = 2;
  t.clicked = 1;
  t.open_rate = 2.0 / 3.0;
  t.click_rate = 1.0 / 3.0;
  t.click_to_open_rate = 0.5;
  t.bounce_rate = 0.25;
  t.unsubscribe_rate = 1.0 / 3.0;
  t.provenance.events = 9;
  html = JourneyMapsToHtml(maps_, fixture_.model, {});
  EXPECT_NE(html.find("E-mail open rate<b>66.7%</b><span class=\"n\">3 delivered</span>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("Click-to-open<b>50.0%</b><span class=\"n\">2 openers</span>"),
            std::string::npos);
  EXPECT_NE(html.find("Bounce rate<b>25.0%</b><span class=\"n\">4 sent</span>"), std::string::npos);
}

TEST_F(MapRender, Markdown) {
  AddEmotion(maps_[0]);
  EXPECT_EQ(JourneyMapToMarkdown(maps_[0]), R"(# Journey map — Everyone (all)

7 people, 13 events; sources: test. Period: 2026-01-01 .. 2026-01-02.

| Stage | Reached | Onward | Conversion | Dropped | Median to next | Events | Emotion |
|---|---:|---:|---:|---:|---:|---:|---:|
| Awareness | 6 | 3 | 50.0% | 3 | 2.0 h | 6 | – |
| Consideration | 3 | 2 | 66.7% | 1 | 5.0 h | 3 | +0.50 (n=2) |
| Decision | 2 | 1 | 50.0% | 1 | 1.0 h | 2 | – |
| Purchase * | 2 | – | – | – | – | 2 | -1.00 (n=1) |

## Awareness

| Lane | Item | Channel | People | Share |
|---|---|---|---:|---:|
| Touchpoint | Unknown touchpoint | unknown | 3 | 50.0% |
| Touchpoint | Meta ads | paid_social | 2 | 33.3% |
| Action | page_view |  | 6 | 100.0% |

## Consideration

| Lane | Item | Channel | People | Share |
|---|---|---|---:|---:|
| Touchpoint | Unknown touchpoint | unknown | 3 | 100.0% |
| Action | webinar_attended |  | 3 | 100.0% |

## Decision

| Lane | Item | Channel | People | Share |
|---|---|---|---:|---:|
| Touchpoint | Unknown touchpoint | unknown | 2 | 100.0% |
| Action | begin_checkout |  | 2 | 100.0% |

## Purchase

| Lane | Item | Channel | People | Share |
|---|---|---|---:|---:|
| Touchpoint | Unknown touchpoint | unknown | 2 | 100.0% |
| Action | purchase |  | 2 | 100.0% |
)");
}

TEST_F(MapRender, Csv) {
  maps_[0].stages[1].row.stage_name = "Consideration, \"soft\"";
  EXPECT_EQ(
      JourneyMapToCsv(maps_[0]),
      "stage_id,stage_name,goal,reached,progressed,dropped,conversion_rate,"
      "median_time_to_next_s,events,touchpoints,actions,emotion_count,emotion_mean,"
      "emotion_ci_low,emotion_ci_high,nps\r\n"
      "awareness,Awareness,false,6,3,3,0.5,7200,6,Unknown touchpoint (3); Meta ads (2),"
      "page_view (6),0,,,,\r\n"
      "consideration,\"Consideration, \"\"soft\"\"\",false,3,2,1,0.6666666666666666,18000,3,"
      "Unknown touchpoint (3),webinar_attended (3),2,0.5,0.25,0.75,\r\n"
      "decision,Decision,false,2,1,1,0.5,3600,2,Unknown touchpoint (2),begin_checkout (2),0,,,,\r\n"
      "purchase,Purchase,true,2,0,0,,,2,Unknown touchpoint (2),purchase (2),1,-1,,,\r\n");
}

TEST_F(MapRender, Mermaid) {
  maps_[0].stages[0].touchpoints[1].name = "Meta: ads #1";
  EXPECT_EQ(JourneyMapToMermaid(maps_[0]),
            "journey\n"
            "  title Journey map Everyone (7 people)\n"
            "  section Awareness\n"
            "    Unknown touchpoint (3 people): 3: unknown\n"
            "    Meta  ads  1 (2 people): 3: paid_social\n"
            "  section Consideration\n"
            "    Unknown touchpoint (3 people): 4: unknown\n"
            "  section Decision\n"
            "    Unknown touchpoint (2 people): 3: unknown\n"
            "  section Purchase\n"
            "    Unknown touchpoint (2 people): 1: unknown\n");
}

}  // namespace
}  // namespace journeykit

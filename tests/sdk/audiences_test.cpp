// audiences_test.cpp — audience rules over hand-built journeys (each test's comments show the
// work), the N-day window at both edges, pending people, the parser's errors with JSON paths,
// and membership changes kept by the state store across updates and reopening.
#include <journeykit/audiences.hpp>

#include <journeykit/state_store.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace journeykit {
namespace {

using testing::kHour;
using testing::kT0;

constexpr int64_t kDay = 24 * kHour;

// Stages: awareness (page views), consideration (webinar registration page or attendance),
// decision (checkout), purchase. Touchpoints: meta_ads (utm), webinar_registration (url).
// Segments: meta (first touch Meta ads), webinar (any webinar attendance).
constexpr const char* kModel = R"({
  "touchpoints": [
    {"id": "meta_ads", "channel": "paid_social", "when": {"hint": {"utm_source": "facebook"}}},
    {"id": "webinar_registration", "channel": "website",
     "when": {"url_contains": "/webinar/register"}}
  ],
  "stages": [
    {"id": "awareness", "when": {"action": "page_view"}},
    {"id": "consideration", "when": [{"touchpoint": "webinar_registration"},
                                     {"action": "webinar_attended"}]},
    {"id": "decision", "when": {"action": "begin_checkout"}},
    {"id": "purchase", "goal": true, "when": {"action": "purchase"}}
  ],
  "segments": [
    {"id": "meta", "scope": "first", "when": {"touchpoint": "meta_ads"}},
    {"id": "webinar", "scope": "any", "when": {"action": "webinar_attended"}}
  ]
})";

// A store on kModel; events are added per person (identity user_id:<name>).
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
  // `at` is microseconds after kT0.
  void Add(const std::string& person, int64_t at, const std::string& action,
           const std::string& url = {}, const std::string& source = "web",
           std::optional<double> rating = std::nullopt, const std::string& utm = {}) {
    Event e;
    e.time_us = kT0 + at;
    e.source = source;
    e.event_id = std::to_string(next_id++);
    e.action = action;
    e.identities = {{"user_id", person}};
    if (!url.empty()) e.hints.emplace_back("url", url);
    if (!utm.empty()) e.hints.emplace_back("utm_source", utm);
    e.rating = rating;
    store->Append(e);
  }
  void Register(const std::string& person, int64_t at) {
    Add(person, at, "page_view", "https://school.example/webinar/register?x=1");
  }
  void Rate(const std::string& person, int64_t at, double rating,
            const std::string& action = "nps_answer") {
    Add(person, at, action, {}, "nps", rating);
  }
  JourneySet Journeys() const { return JourneySet::Build(*store, {}); }
};

// Parses one definition with id "t" from the body of a rule object (validated on the model).
AudienceDefinition Define(const JourneyModel& model, const std::string& rule) {
  std::string json = R"([{"id": "t", )" + rule.substr(1) + "]";
  auto defs = ParseAudiences(json, "audiences", &model);
  EXPECT_TRUE(defs.ok()) << defs.status().message() << "\n" << json;
  if (!defs.ok() || defs->size() != 1) return {};
  return (*defs)[0];
}

// The member names (the part after the first "kind:" of the person's first identity), sorted,
// after checking that members are sorted and agree with person_indices.
std::vector<std::string> Names(const JourneySet& set, const AudienceMembership& m) {
  EXPECT_TRUE(std::is_sorted(m.members.begin(), m.members.end()));
  EXPECT_EQ(m.members.size(), m.person_indices.size());
  std::vector<std::string> out;
  for (size_t i = 0; i < m.person_indices.size(); ++i) {
    EXPECT_EQ(m.members[i], set.person_id(m.person_indices[i]));
    std::string_view id = set.identities(m.person_indices[i]).front();
    out.emplace_back(id.substr(id.find(':') + 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Members(const Data& d, const JourneySet& set, const std::string& rule,
                                 std::optional<int64_t> as_of = std::nullopt,
                                 AudienceMembership* out = nullptr) {
  AudienceMembership m = EvaluateAudience(set, Define(*d.model, rule), as_of);
  if (out != nullptr) *out = m;
  return Names(set, m);
}

using Names_ = std::vector<std::string>;

// The shared fixture (journey_fixture.hpp, hours): A pv0(fb) web2 co5 pu6 · B pv1 web3 co10 ·
// C pv0(google) · D pv0(fb) web24 · E pu5 · G pv0 · H pv0 · unidentified pv0. as_of = 24h.
TEST(Audience, StagesAndSegmentsOnTheSharedFixture) {
  auto fx = testing::MakeFixture();
  JourneySet set = JourneySet::Build(*fx.store, {});
  auto members = [&](const std::string& rule, std::optional<int64_t> as_of = std::nullopt) {
    AudienceMembership m = EvaluateAudience(set, Define(fx.model, rule), as_of);
    return Names(set, m);
  };
  EXPECT_EQ(members(R"({"reached_stage": "consideration"})"), (Names_{"a1", "b1", "d1"}));
  EXPECT_EQ(members(R"({"reached_stage": ["decision", "purchase"]})"), (Names_{"a1", "b1", "e1"}));
  EXPECT_EQ(members(R"({"not": {"reached_stage": "purchase"}})"),
            (Names_{"b1", "c1", "d1", "g1", "h1"}));
  EXPECT_EQ(members(R"({"in_segment": "meta"})"), (Names_{"a1", "d1"}));  // first touch fb
  // As of 2h: A's webinar@2 counts (inclusive); B's webinar@3 and D's @24 not yet.
  EXPECT_EQ(members(R"({"reached_stage": "consideration"})", kT0 + 2 * kHour), (Names_{"a1"}));

  AudienceMembership all = EvaluateAudience(set, Define(fx.model, R"({"in_segment": "all"})"));
  EXPECT_EQ(all.as_of_us, kT0 + 24 * kHour);  // the latest event
  EXPECT_EQ(all.members.size(), 7u);          // A B C D E G H; the unidentified event is nobody
  EXPECT_EQ(all.people_evaluated, 7u);
  EXPECT_EQ(all.events_evaluated, 13u);  // 14 events minus the unidentified one
  EXPECT_EQ(all.sources, (Names_{"test"}));
  EXPECT_EQ(all.pending, 0u);
  // As of 4h, E (first event at 5h) does not exist yet: 6 people, 8 events (A 2, B 2, C, D, G, H).
  AudienceMembership early =
      EvaluateAudience(set, Define(fx.model, R"({"in_segment": "all"})"), kT0 + 4 * kHour);
  EXPECT_EQ(early.people_evaluated, 6u);
  EXPECT_EQ(early.events_evaluated, 8u);
  EXPECT_EQ(Names(set, early), (Names_{"a1", "b1", "c1", "d1", "g1", "h1"}));
}

// Segments are evaluated on the events up to as_of: scope "any" from any of them, scope
// "first" from the first one.
TEST(Audience, SegmentsAsOf) {
  Data d;
  d.Add("ann", 0, "page_view", {}, "web", std::nullopt, "facebook");  // first touch: meta
  d.Add("ann", 5 * kDay, "webinar_attended");                         // webinar from day 5
  d.Add("bob", 0, "page_view");                                       // first touch: unknown
  d.Add("bob", 1 * kDay, "page_view", {}, "web", std::nullopt, "facebook");
  d.Add("cat", 2 * kDay, "webinar_attended");
  JourneySet set = d.Journeys();
  EXPECT_EQ(Members(d, set, R"({"in_segment": "meta"})"), (Names_{"ann"}));
  EXPECT_EQ(Members(d, set, R"({"in_segment": "webinar"})"), (Names_{"ann", "cat"}));
  EXPECT_EQ(Members(d, set, R"({"in_segment": "webinar"})", kT0 + 5 * kDay - 1), (Names_{"cat"}));
  EXPECT_EQ(Members(d, set, R"({"in_segment": ["meta", "webinar"]})"), (Names_{"ann", "cat"}));
  EXPECT_EQ(Members(d, set, R"({"in_segment": "ALL"})", kT0 + 1 * kDay), (Names_{"ann", "bob"}));
}

// at_least counts matching events up to as_of; each condition key tests its stored column.
TEST(Audience, EventCountsAndConditions) {
  Data d;
  d.Add("ann", 0, "page_view");
  d.Add("ann", 1 * kDay, "page_view");
  d.Add("ann", 2 * kDay, "page_view");
  d.Register("bob", 0);                      // touchpoint webinar_registration, stage consideration
  d.Add("bob", 1 * kDay, "begin_checkout");  // stage decision
  d.Add("cat", 0, "store_visit", {}, "crm");
  d.Add("dan", 0, "page_view", {}, "web", std::nullopt, "facebook");  // channel paid_social
  JourneySet set = d.Journeys();
  // ann: 3 page views; bob's registration is a page_view too (1); dan 1.
  EXPECT_EQ(Members(d, set, R"({"event": {"action": "page_view"}, "at_least": 3})"),
            (Names_{"ann"}));
  EXPECT_EQ(Members(d, set, R"({"event": {"action": "page_view"}, "at_least": 4})"), Names_{});
  EXPECT_EQ(Members(d, set, R"({"event": {"action": "page_view"}, "at_least": 3})", kT0 + kDay),
            Names_{});  // only 2 by day 1
  EXPECT_EQ(Members(d, set, R"({"event": {"action": "PAGE_VIEW"}})"),
            (Names_{"ann", "bob", "dan"}));
  EXPECT_EQ(Members(d, set, R"({"event": {"touchpoint": "webinar_registration"}})"),
            (Names_{"bob"}));
  EXPECT_EQ(Members(d, set, R"({"event": {"channel": "paid_social"}})"), (Names_{"dan"}));
  EXPECT_EQ(Members(d, set, R"({"event": {"source": "crm"}})"), (Names_{"cat"}));
  EXPECT_EQ(Members(d, set, R"({"event": {"stage": "decision"}})"), (Names_{"bob"}));
  // Keys of one condition are ANDed; a list of conditions is ORed.
  EXPECT_EQ(Members(d, set, R"({"event": {"action": "page_view", "stage": "consideration"}})"),
            (Names_{"bob"}));
  EXPECT_EQ(Members(d, set, R"({"event": [{"source": "crm"}, {"channel": "paid_social"}]})"),
            (Names_{"cat", "dan"}));
  // An empty condition matches every event: people with at least 2 events.
  EXPECT_EQ(Members(d, set, R"({"event": {}, "at_least": 2})"), (Names_{"ann", "bob"}));
}

// "Registered, no purchase within 7 days": the follow-up counts when its time is at most
// anchor + 7 days (inclusive); a window still open at as_of leaves the person pending.
// Days after kT0; as_of = day 30.
TEST(Audience, NotFollowedByWindowEdgesAndPending) {
  Data d;
  d.Register("ann", 1 * kDay);
  d.Add("ann", 3 * kDay, "purchase");  // bought after 2 days: out
  d.Register("bob", 2 * kDay);         // never bought, window closed on day 9: in
  d.Register("cat", 5 * kDay);
  d.Add("cat", 12 * kDay, "purchase");  // exactly 7 days: inside the window, out
  d.Register("dan", 5 * kDay);
  d.Add("dan", 12 * kDay + 1, "purchase");  // 7 days + 1 µs: outside, in
  d.Register("fay", 25 * kDay);
  d.Add("fay", 26 * kDay, "purchase");   // window open at as_of but already bought: out
  d.Register("eve", 28 * kDay);          // window open, no purchase yet: pending
  d.Add("gus", 30 * kDay, "page_view");  // never registered: out (sets as_of = day 30)
  JourneySet set = d.Journeys();
  const std::string rule =
      R"({"event": {"touchpoint": "webinar_registration"},
          "not_followed_by": {"stage": "purchase"}, "within_days": 7})";
  AudienceMembership m;
  EXPECT_EQ(Members(d, set, rule, std::nullopt, &m), (Names_{"bob", "dan"}));
  EXPECT_EQ(m.as_of_us, kT0 + 30 * kDay);
  EXPECT_EQ(m.pending, 1u);  // eve
  EXPECT_EQ(m.people_evaluated, 7u);
  // Pending people are in neither the audience nor its negation.
  AudienceMembership neg;
  EXPECT_EQ(Members(d, set, R"({"not": )" + rule + "}", std::nullopt, &neg),
            (Names_{"ann", "cat", "fay", "gus"}));
  EXPECT_EQ(neg.pending, 1u);

  // The window closes at anchor + 7 days exactly: bob (registered day 2) is pending as of
  // day 9 − 1 µs and in as of day 9.
  EXPECT_EQ(Members(d, set, rule, kT0 + 9 * kDay - 1, &m), Names_{});
  EXPECT_EQ(m.pending, 3u);  // bob, cat, dan (registered day 5); ann bought already
  EXPECT_EQ(Members(d, set, rule, kT0 + 9 * kDay), (Names_{"bob"}));
  // dan as of day 12: the purchase (12 d + 1 µs) is not seen yet, but his window closed
  // exactly then; cat's purchase at exactly 12 d is seen and inside.
  EXPECT_EQ(Members(d, set, rule, kT0 + 12 * kDay), (Names_{"bob", "dan"}));
  // Fractional days: a 7-day window is 168 hours.
  EXPECT_EQ(Members(d, set,
                    R"({"event": {"touchpoint": "webinar_registration"},
                        "not_followed_by": {"action": "purchase"}, "within_days": 6.999999999})"),
            (Names_{"bob", "cat", "dan"}));  // 6.999999999 d rounds to 7 d − 86 µs: cat is out
}

// Which anchor counts: the first matching event (default) or the last; a follow-up must come
// after the anchor; without within_days the window runs to as_of and never pends.
TEST(Audience, NotFollowedByAnchorsAndOpenEndedWindows) {
  Data d;
  d.Register("kim", 0);
  d.Add("kim", 2 * kDay, "purchase");
  d.Register("kim", 10 * kDay);  // second registration, no purchase after it
  d.Add("lou", 0, "purchase");   // bought before registering
  d.Register("lou", 1 * kDay);   // nothing after: in (a purchase before does not count)
  d.Register("max", 1 * kDay);
  d.Add("max", 25 * kDay, "purchase");  // bought 24 days later
  d.Register("ned", 29 * kDay);         // window of 7 days still open at day 30
  d.Add("zed", 30 * kDay, "page_view");
  JourneySet set = d.Journeys();
  const std::string first =
      R"({"event": {"touchpoint": "webinar_registration"},
          "not_followed_by": {"action": "purchase"}, "within_days": 7})";
  const std::string last =
      R"({"event": {"touchpoint": "webinar_registration"}, "anchor": "last",
          "not_followed_by": {"action": "purchase"}, "within_days": 7})";
  AudienceMembership m;
  EXPECT_EQ(Members(d, set, first, std::nullopt, &m), (Names_{"lou", "max"}));
  EXPECT_EQ(m.pending, 1u);  // ned
  EXPECT_EQ(Members(d, set, last), (Names_{"kim", "lou", "max"}));
  // No within_days: "never followed, up to as_of": max bought eventually; ned is in now.
  AudienceMembership open;
  EXPECT_EQ(Members(d, set,
                    R"({"event": {"touchpoint": "webinar_registration"},
                        "not_followed_by": {"action": "purchase"}})",
                    std::nullopt, &open),
            (Names_{"lou", "ned"}));
  EXPECT_EQ(open.pending, 0u);
  // Anchored on a stage entry: the first event assigned to consideration.
  EXPECT_EQ(Members(d, set,
                    R"({"reached_stage": "consideration", "not_followed_by": {"stage": "purchase"},
                        "within_days": 7})"),
            (Names_{"lou", "max"}));
  // Excluding people who bought later: combine with "not reached purchase".
  EXPECT_EQ(Members(d, set,
                    R"({"all": [{"reached_stage": "consideration", "within_days": 7,
                                 "not_followed_by": {"stage": "purchase"}},
                                {"not": {"reached_stage": "purchase"}}]})"),
            Names_{});  // lou and max both bought at some point
}

// The demo audience: registered for the webinar (the touchpoint webinar_registration), no
// purchase within 7 days, and not a buyer since.
TEST(Audience, DemoWebinarAudience) {
  Data d;
  d.Add("ann", 0, "page_view", {}, "web", std::nullopt, "facebook");
  d.Register("ann", 1 * kDay);
  d.Add("ann", 20 * kDay, "page_view");
  d.Register("bob", 1 * kDay);
  d.Add("bob", 4 * kDay, "purchase");
  d.Register("cat", 2 * kDay);
  d.Add("cat", 15 * kDay, "purchase");
  d.Add("dan", 21 * kDay, "page_view");
  JourneySet set = d.Journeys();
  const std::string json = R"([
    {"id": "webinar_no_purchase_7d", "name": "Registered for the webinar, no purchase within 7 days",
     "description": "personalised e-mail and remarketing",
     "all": [{"reached_stage": "consideration"},
             {"event": {"touchpoint": "webinar_registration"},
              "not_followed_by": {"stage": "purchase"}, "within_days": 7}]},
    {"id": "still_not_bought",
     "all": [{"event": {"touchpoint": "webinar_registration"},
              "not_followed_by": {"stage": "purchase"}, "within_days": 7},
             {"not": {"reached_stage": "purchase"}}]}
  ])";
  auto defs = ParseAudiences(json, "pipeline.json: audiences", d.model.get());
  ASSERT_TRUE(defs.ok()) << defs.status().message();
  ASSERT_EQ(defs->size(), 2u);
  EXPECT_EQ((*defs)[0].name, "Registered for the webinar, no purchase within 7 days");
  EXPECT_EQ((*defs)[0].description, "personalised e-mail and remarketing");
  EXPECT_EQ((*defs)[1].name, "still_not_bought");  // defaults to the id
  EXPECT_EQ(Names(set, EvaluateAudience(set, (*defs)[0])), (Names_{"ann", "cat"}));
  EXPECT_EQ(Names(set, EvaluateAudience(set, (*defs)[1])), (Names_{"ann"}));
}

// The latest answer with a rating in [0, 10] on an nps_answer event decides: 0–6 detractor,
// 7–8 passive, 9–10 promoter.
TEST(Audience, NpsGroups) {
  Data d;
  d.Rate("gus", 1 * kDay, 3);
  d.Rate("gus", 2 * kDay, 9);  // latest: promoter
  d.Rate("hal", 1 * kDay, 9);
  d.Rate("hal", 2 * kDay, 6);  // latest: 6, a detractor (edge)
  d.Rate("ivy", 1 * kDay, 7);  // passive (edge)
  d.Rate("jon", 1 * kDay, 8.5);
  d.Rate("moe", 1 * kDay, 2, "review");  // a review rating is not an NPS answer
  d.Rate("pat", 1 * kDay, 4);
  d.Rate("pat", 2 * kDay, 11);           // out of range: ignored, the answer 4 stands
  d.Rate("ned", 5 * kDay, 0);            // detractor from day 5
  d.Add("ned", 1 * kDay, "nps_answer");  // no rating: not an answer
  JourneySet set = d.Journeys();
  EXPECT_EQ(Members(d, set, R"({"nps": "detractor"})"), (Names_{"hal", "ned", "pat"}));
  EXPECT_EQ(Members(d, set, R"({"nps": "passive"})"), (Names_{"ivy", "jon"}));
  EXPECT_EQ(Members(d, set, R"({"nps": "promoter"})"), (Names_{"gus"}));
  EXPECT_EQ(Members(d, set, R"({"nps": ["passive", "promoter"]})"), (Names_{"gus", "ivy", "jon"}));
  // As of day 1 (inclusive): gus 3 and hal 9 are the latest answers; ned has none yet.
  EXPECT_EQ(Members(d, set, R"({"nps": "detractor"})", kT0 + 1 * kDay), (Names_{"gus", "pat"}));
  EXPECT_EQ(Members(d, set, R"({"nps": "detractor", "action": "review"})"), (Names_{"moe"}));
}

// Last seen more than N days before as_of (strictly more).
TEST(Audience, LastSeen) {
  Data d;
  d.Add("ann", 0, "page_view");
  d.Add("ann", 20 * kDay, "page_view");  // exactly 10 days before as_of
  d.Add("bob", 20 * kDay - 1, "page_view");
  d.Add("cat", 30 * kDay, "page_view");
  JourneySet set = d.Journeys();
  EXPECT_EQ(Members(d, set, R"({"last_seen_more_than_days": 10})"), (Names_{"bob"}));
  EXPECT_EQ(Members(d, set, R"({"last_seen_more_than_days": 0})"), (Names_{"ann", "bob"}));
  // As of day 20: ann was seen at that very time (gap 0, not more than 0), bob 1 µs before;
  // cat does not exist yet.
  EXPECT_EQ(Members(d, set, R"({"last_seen_more_than_days": 0})", kT0 + 20 * kDay),
            (Names_{"bob"}));
}

// all / any / not, with pending values combined in three-valued logic.
TEST(Audience, AllAnyNot) {
  Data d;
  d.Register("ann", 0);
  d.Add("ann", 1 * kDay, "purchase");
  d.Register("bob", 0);
  d.Rate("bob", 1 * kDay, 2);
  d.Register("cat", 28 * kDay);  // pending in the 7-day rule below
  d.Rate("cat", 29 * kDay, 10);
  d.Add("dan", 30 * kDay, "page_view");
  JourneySet set = d.Journeys();
  EXPECT_EQ(
      Members(d, set, R"({"all": [{"reached_stage": "consideration"}, {"nps": "detractor"}]})"),
      (Names_{"bob"}));
  EXPECT_EQ(Members(d, set, R"({"any": [{"reached_stage": "purchase"}, {"nps": "detractor"}]})"),
            (Names_{"ann", "bob"}));
  EXPECT_EQ(Members(d, set, R"({"not": {"reached_stage": "consideration"}})"), (Names_{"dan"}));
  EXPECT_EQ(Members(d, set, R"({"not": {"not": {"nps": "promoter"}}})"), (Names_{"cat"}));
  const std::string pending_rule =
      R"({"reached_stage": "consideration", "not_followed_by": {"action": "purchase"},
          "within_days": 7})";  // ann false, bob true, cat pending, dan false
  AudienceMembership m;
  // any(pending, true) = true; any(pending, false) = pending.
  EXPECT_EQ(Members(d, set, R"({"any": [)" + pending_rule + R"(, {"nps": "promoter"}]})",
                    std::nullopt, &m),
            (Names_{"bob", "cat"}));
  EXPECT_EQ(m.pending, 0u);
  EXPECT_EQ(Members(d, set, R"({"any": [)" + pending_rule + R"(, {"nps": "detractor"}]})",
                    std::nullopt, &m),
            (Names_{"bob"}));
  EXPECT_EQ(m.pending, 1u);
  // all(pending, false) = false; all(pending, true) = pending.
  EXPECT_EQ(Members(d, set, R"({"all": [)" + pending_rule + R"(, {"nps": "detractor"}]})",
                    std::nullopt, &m),
            (Names_{"bob"}));
  EXPECT_EQ(m.pending, 0u);
  EXPECT_EQ(Members(d, set, R"({"all": [)" + pending_rule + R"(, {"nps": "promoter"}]})",
                    std::nullopt, &m),
            Names_{});
  EXPECT_EQ(m.pending, 1u);
}

TEST(Audience, EmptyStoreHasNobody) {
  Data d;
  JourneySet set = d.Journeys();
  AudienceMembership m = EvaluateAudience(set, Define(*d.model, R"({"in_segment": "all"})"));
  EXPECT_TRUE(m.members.empty());
  EXPECT_EQ(m.people_evaluated, 0u);
  EXPECT_EQ(m.as_of_us, 0);
}

// Every parser error names the JSON path of what is wrong.
TEST(AudienceParse, ErrorsNameTheJsonPath) {
  Data d;
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"({"id": "a"})", "audiences: expected an array of audience definitions, found an object"},
      {R"([{"id": "a", "all": [)", "audiences: not valid JSON"},
      {R"([3])", "audiences[0]: expected an object, found an integer"},
      {R"([{"reached_stage": "purchase"}])", "audiences[0].id: missing"},
      {R"([{"id": "a b", "reached_stage": "purchase"}])", "audiences[0].id: 'a b' must be"},
      {R"([{"id": "a", "reached_stage": "purchase"}, {"id": "a", "nps": "detractor"}])",
       "audiences[1].id: 'a' is already defined at audiences[0]"},
      {R"([{"id": "a", "name": 1, "reached_stage": "purchase"}])",
       "audiences[0].name: expected a string, found an integer"},
      {R"([{"id": "a"}])", "audiences[0]: no rule given (expected one of: all, any, not"},
      {R"([{"id": "a", "reached_stage": "x", "in_segment": "y"}])",
       "audiences[0]: 'reached_stage' and 'in_segment' cannot be combined"},
      {R"([{"id": "a", "all": []}])", "audiences[0].all: empty list"},
      {R"([{"id": "a", "any": {"nps": "detractor"}}])",
       "audiences[0].any: expected an array of rules, found an object"},
      {R"([{"id": "a", "all": [{"nps": "detractor"}, {"id": "b"}]}])",
       "audiences[0].all[1]: not a rule"},
      {R"([{"id": "a", "not": [{"nps": "detractor"}]}])",
       "audiences[0].not: expected an object, found an array"},
      {R"([{"id": "a", "all": [{"reached_stage": "x", "bogus": 1}]}])",
       "audiences[0].all[0].bogus: unknown key (allowed here: reached_stage)"},
      {R"([{"id": "a", "all": [{"reached_stage": "consideration"},
          {"event": {"action": "generate_lead", "url_contains": "/webinar/register"},
           "not_followed_by": {"stage": "purchase"}, "within_days": 7}]}])",
       "audiences[0].all[1].event.url_contains: not stored per event"},
      {R"([{"id": "a", "event": [{"action": "x"}, {"hint": {"utm_source": "g"}}]}])",
       "audiences[0].event[1].hint: not stored per event"},
      {R"([{"id": "a", "event": {"actoin": "x"}}])", "audiences[0].event.actoin: unknown key"},
      {R"([{"id": "a", "event": []}])", "audiences[0].event: empty list"},
      {R"([{"id": "a", "event": "purchase"}])",
       "audiences[0].event: expected an object or an array of objects, found a string"},
      {R"([{"id": "a", "event": {"action": []}}])", "audiences[0].event.action: empty list"},
      {R"([{"id": "a", "event": {"action": "x"}, "at_least": 0}])",
       "audiences[0].at_least: must be an integer of at least 1"},
      {R"([{"id": "a", "event": {"action": "x"}, "at_least": 1.5}])",
       "audiences[0].at_least: must be an integer of at least 1"},
      {R"([{"id": "a", "event": {"action": "x"}, "within_days": 7}])",
       "audiences[0].within_days: only meaningful with \"not_followed_by\""},
      {R"([{"id": "a", "event": {"action": "x"}, "not_followed_by": {"action": "y"},
            "at_least": 2}])",
       "audiences[0].at_least: unknown key"},
      {R"([{"id": "a", "all": [{"reached_stage": "x", "not_followed_by": {"stage": "y"},
            "within_days": -1}]}])",
       "audiences[0].all[0].within_days: must be a positive number of days"},
      {R"([{"id": "a", "reached_stage": "x", "not_followed_by": {"stage": "y"},
            "within_days": "7"}])",
       "audiences[0].within_days: expected a number, found a string"},
      {R"([{"id": "a", "reached_stage": "x", "not_followed_by": {"stage": "y"}, "anchor": "mid"}])",
       "audiences[0].anchor: 'mid' is not one of: first, last"},
      {R"([{"id": "a", "reached_stage": "x", "not_followed_by": "purchase"}])",
       "audiences[0].not_followed_by: expected an object or an array of objects"},
      {R"([{"id": "a", "nps": "angry"}])",
       "audiences[0].nps: 'angry' is not one of: detractor, passive, promoter"},
      {R"([{"id": "a", "nps": ["detractor", "meh"]}])", "audiences[0].nps[1]: 'meh'"},
      {R"([{"id": "a", "nps": "detractor", "action": 5}])",
       "audiences[0].action: expected a string or an array of strings, found an integer"},
      {R"([{"id": "a", "last_seen_more_than_days": -2}])",
       "audiences[0].last_seen_more_than_days: must be a non-negative number of days"},
      {R"([{"id": "a", "in_segment": ""}])", "audiences[0].in_segment: empty string"},
  };
  for (const Case& c : cases) {
    auto r = ParseAudiences(c.json, "audiences");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << "got: " << r.status().message() << "\nwanted: " << c.message;
  }
  // Nesting is bounded.
  std::string deep = R"({"nps": "detractor"})";
  for (int i = 0; i < 40; ++i) deep = R"({"not": )" + deep + "}";
  auto r = ParseAudiences(R"([{"id": "deep", "all": [)" + deep + "]}]", "audiences");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than 32 levels"), std::string::npos);
  // An empty list is no audiences.
  auto none = ParseAudiences("[]", "audiences");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// With the model, names of stages, segments, touchpoints and channels are checked.
TEST(AudienceParse, UnknownModelNamesNameTheJsonPath) {
  Data d;
  const std::pair<const char*, const char*> cases[] = {
      {R"([{"id": "a", "all": [{"reached_stage": "purchse"}]}])",
       "audiences[0].all[0].reached_stage: stage 'purchse' is not defined in the model"},
      {R"([{"id": "a", "in_segment": ["meta", "beginers"]}])",
       "audiences[0].in_segment: segment 'beginers' is not defined in the model"},
      {R"([{"id": "a", "reached_stage": "nope", "not_followed_by": {"stage": "purchase"}}])",
       "audiences[0].reached_stage: stage 'nope' is not defined in the model"},
      {R"([{"id": "a", "event": {"touchpoint": "webinar"}, "not_followed_by": {"stage": "x"}}])",
       "audiences[0].event: touchpoint 'webinar' is not defined in the model"},
      {R"([{"id": "a", "event": {"action": "a"},
            "not_followed_by": [{"action": "b"}, {"stage": "buy"}]}])",
       "audiences[0].not_followed_by[1]: stage 'buy' is not defined in the model"},
      {R"([{"id": "a", "any": [{"not": {"event": {"channel": "tv"}}}]}])",
       "audiences[0].any[0].not.event: no touchpoint of the model has channel 'tv'"},
  };
  for (const auto& [json, message] : cases) {
    auto r = ParseAudiences(json, "audiences", d.model.get());
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_NE(r.status().message().find(message), std::string::npos)
        << "got: " << r.status().message() << "\nwanted: " << message;
    // Without the model the same text parses; ValidateAudience finds the same error.
    auto unchecked = ParseAudiences(json, "audiences");
    ASSERT_TRUE(unchecked.ok()) << unchecked.status().message();
    Status s = ValidateAudience(*d.model, unchecked->front());
    EXPECT_NE(s.message().find(message), std::string::npos) << s.message();
  }
}

// Membership changes: entered/left across successive updates, re-entry, an audience that
// becomes empty, the change log, and audiences kept apart.
TEST(AudienceStore, EnteredAndLeftAcrossUpdates) {
  auto store = StateStore::Open(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().message();
  StateStore& s = **store;
  using V = std::vector<std::string>;

  auto first = s.UpdateAudience("aud", V{"p_c", "p_a", "p_b", "p_a"}, 100);  // duplicates ignored
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->entered, (V{"p_a", "p_b", "p_c"}));
  EXPECT_TRUE(first->left.empty());
  EXPECT_EQ(first->members, 3u);
  EXPECT_EQ(first->first_seq, 1u);
  EXPECT_EQ(first->last_seq, 3u);

  auto second = s.UpdateAudience("aud", V{"p_b", "p_c", "p_d"}, 200);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->entered, (V{"p_d"}));
  EXPECT_EQ(second->left, (V{"p_a"}));

  auto same = s.UpdateAudience("aud", V{"p_d", "p_c", "p_b"}, 250);  // nothing changes
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->entered.empty());
  EXPECT_TRUE(same->left.empty());
  EXPECT_EQ(same->first_seq, 0u);

  auto reentry = s.UpdateAudience("aud", V{"p_a", "p_b", "p_c", "p_d"}, 300);
  ASSERT_TRUE(reentry.ok());
  EXPECT_EQ(reentry->entered, (V{"p_a"}));
  EXPECT_TRUE(reentry->left.empty());
  auto loaded = s.LoadAudience("aud");
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 4u);
  EXPECT_EQ((*loaded)[0].person_id, "p_a");
  EXPECT_EQ((*loaded)[0].entered_at_us, 300);  // re-entered at 300
  EXPECT_EQ((*loaded)[1].entered_at_us, 100);  // p_b since the first update
  EXPECT_EQ((*loaded)[3].entered_at_us, 200);  // p_d

  // Another audience is independent.
  auto other = s.UpdateAudience("other", V{"p_a"}, 300);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->entered, (V{"p_a"}));

  auto empty = s.UpdateAudience("aud", V{}, 400);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entered.empty());
  EXPECT_EQ(empty->left, (V{"p_a", "p_b", "p_c", "p_d"}));
  EXPECT_EQ(empty->members, 0u);
  EXPECT_TRUE(s.LoadAudience("aud")->empty());
  EXPECT_EQ(s.LoadAudience("other")->size(), 1u);
  auto again = s.UpdateAudience("aud", V{}, 500);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->left.empty());

  // The change log, in order: 3 entered, p_d entered, p_a left, p_a entered, other p_a entered,
  // 4 left.
  auto log = s.AudienceChangesSince(0);
  ASSERT_TRUE(log.ok()) << log.status().message();
  ASSERT_EQ(log->size(), 11u);
  EXPECT_EQ((*log)[3].person_id, "p_d");
  EXPECT_TRUE((*log)[3].entered);
  EXPECT_EQ((*log)[4].person_id, "p_a");
  EXPECT_FALSE((*log)[4].entered);
  EXPECT_EQ((*log)[4].as_of_us, 200);
  EXPECT_EQ((*log)[6].audience, "other");
  for (size_t i = 0; i < log->size(); ++i) EXPECT_EQ((*log)[i].seq, i + 1);
  auto tail = s.AudienceChangesSince(9, 1);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].seq, 10u);
  EXPECT_EQ((*tail)[0].person_id, "p_c");

  EXPECT_FALSE(s.UpdateAudience("", V{"p_a"}, 1).ok());
}

// Membership survives reopening the state file; Reset (full refresh) keeps it.
TEST(AudienceStore, PersistsAcrossReopen) {
  auto dir = std::filesystem::temp_directory_path() / ("jk-aud-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "state.db").string();
  using V = std::vector<std::string>;
  {
    auto store = StateStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->UpdateAudience("aud", V{"p_a", "p_b"}, 100).ok());
  }
  {
    auto store = StateStore::Open(path);
    ASSERT_TRUE(store.ok());
    auto loaded = (*store)->LoadAudience("aud");
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded->size(), 2u);
    EXPECT_EQ((*loaded)[1].person_id, "p_b");
    ASSERT_TRUE((*store)->Reset().ok());
    auto changes = (*store)->UpdateAudience("aud", V{"p_b", "p_c"}, 200);
    ASSERT_TRUE(changes.ok());
    EXPECT_EQ(changes->entered, (V{"p_c"}));
    EXPECT_EQ(changes->left, (V{"p_a"}));
    EXPECT_EQ(changes->first_seq, 3u);  // the log continues after the first run's 2 rows
  }
  {
    auto store = StateStore::Open(path);
    ASSERT_TRUE(store.ok());
    auto loaded = (*store)->LoadAudience("aud");
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded->size(), 2u);
    EXPECT_EQ((*loaded)[0].person_id, "p_b");
    EXPECT_EQ((*loaded)[0].entered_at_us, 100);
    EXPECT_EQ((*loaded)[1].person_id, "p_c");
    EXPECT_EQ((*loaded)[1].entered_at_us, 200);
    EXPECT_EQ((*store)->AudienceChangesSince(0)->size(), 4u);
  }
  std::filesystem::remove_all(dir);
}

// End to end: evaluate twice as the data grows, keep the changes in the store.
TEST(AudienceStore, EvaluateThenUpdate) {
  Data d;
  d.Register("ann", 0);
  d.Register("bob", 0);
  d.Add("zed", 8 * kDay, "page_view");
  JourneySet set1 = d.Journeys();
  AudienceDefinition def = Define(*d.model, R"({"event": {"touchpoint": "webinar_registration"},
                           "not_followed_by": {"stage": "purchase"}, "within_days": 7})");
  auto store = StateStore::Open(":memory:");
  ASSERT_TRUE(store.ok());
  AudienceMembership m1 = EvaluateAudience(set1, def);
  auto c1 = (*store)->UpdateAudience(def.id, m1.members, m1.as_of_us);
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(c1->entered.size(), 2u);
  // Later: ann buys (late, 9 days after registering: still "did not buy within 7 days");
  // cat registers and stays pending; the audience is unchanged.
  d.Add("ann", 9 * kDay, "purchase");
  d.Register("cat", 9 * kDay);
  JourneySet set2 = d.Journeys();
  AudienceMembership m2 = EvaluateAudience(set2, def);
  EXPECT_EQ(m2.pending, 1u);
  auto c2 = (*store)->UpdateAudience(def.id, m2.members, m2.as_of_us);
  ASSERT_TRUE(c2.ok());
  EXPECT_TRUE(c2->entered.empty());
  EXPECT_TRUE(c2->left.empty());
  // With "and not a buyer", ann leaves.
  AudienceDefinition strict =
      Define(*d.model, R"({"all": [{"event": {"touchpoint": "webinar_registration"},
                             "not_followed_by": {"stage": "purchase"}, "within_days": 7},
                            {"not": {"reached_stage": "purchase"}}]})");
  AudienceMembership m3 = EvaluateAudience(set2, strict);
  auto c3 = (*store)->UpdateAudience(def.id, m3.members, m3.as_of_us);
  ASSERT_TRUE(c3.ok());
  ASSERT_EQ(c3->left.size(), 1u);
  EXPECT_EQ(Names(set2, m3), (Names_{"bob"}));
}

}  // namespace
}  // namespace journeykit

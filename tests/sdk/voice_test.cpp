// voice_test.cpp — NPS, CSAT, ratings, the emotion curve (sentiment with its 95% interval),
// the lexicon sentiment model and e-mail engagement, against numbers worked out by hand.
#include <journeykit/voice.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using testing::kHour;
using testing::kT0;

constexpr const char* kModel = R"({
  "stages": [
    {"id": "awareness", "name": "Awareness", "when": [{"action": "page_view"}]},
    {"id": "purchase", "name": "Purchase", "goal": true, "when": [{"action": "purchase"}]},
    {"id": "experience", "name": "Experience", "when": [{"action": "lesson"}]},
    {"id": "advocacy", "name": "Advocacy", "when": [{"action": ["nps_answer", "review"]}]}
  ],
  "segments": [
    {"id": "beginners", "name": "Beginners", "when": [{"hint": {"level": "beginner"}}]},
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
  // Events one hour apart per call order; `person` "null" has no usable identity.
  Event& Add(const std::string& person, const std::string& action) {
    events.emplace_back();
    Event& e = events.back();
    e.time_us = kT0 + next_id * kHour;
    e.source = "survey";
    e.event_id = std::to_string(next_id++);
    e.action = action;
    e.identities = {{"user_id", person}};
    return e;
  }
  JourneySet Journeys() {
    for (const Event& e : events) store->Append(e);
    events.clear();
    return JourneySet::Build(*store, {});
  }
  std::vector<Event> events;
};

Voice RunVoice(const JourneySet& set, const VoiceOptions& o = {}) {
  auto r = ComputeVoice(set, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Voice{};
}

EmailEngagement RunEmail(const JourneySet& set, const EmailOptions& o = {}) {
  auto r = ComputeEmailEngagement(set, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : EmailEngagement{};
}

LexiconSentimentModel Lexicon(std::string_view text) {
  auto m = LexiconSentimentModel::Parse(text, "test.tsv");
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : LexiconSentimentModel{};
}

// ---- NPS ----

TEST(Voice, NpsFromAHandSetOfScores) {
  Data d;
  // Scores 10 9 8 7 6 0, one per person; 10, 6 and 0 are beginners.
  const double scores[] = {10, 9, 8, 7, 6, 0};
  for (int i = 0; i < 6; ++i) {
    Event& e = d.Add("p" + std::to_string(i), "nps_answer");
    e.rating = scores[i];
    if (i == 0 || i == 4 || i == 5) e.hints.emplace_back("level", "beginner");
  }
  d.Add("p9", "nps_answer").rating = 11;   // off the scale: invalid
  d.Add("p9", "nps_answer");               // no rating: invalid
  d.Add("null", "nps_answer").rating = 0;  // nobody's: not counted
  JourneySet set = d.Journeys();

  Voice v = RunVoice(set);
  // Promoters 10, 9; passives 8, 7; detractors 6, 0: NPS = 2/6 − 2/6 = 0 points.
  EXPECT_EQ(v.overall.nps.answers, 6u);
  EXPECT_EQ(v.overall.nps.promoters, 2u);
  EXPECT_EQ(v.overall.nps.passives, 2u);
  EXPECT_EQ(v.overall.nps.detractors, 2u);
  EXPECT_DOUBLE_EQ(*v.overall.nps.nps, 0.0);
  EXPECT_EQ(v.invalid_scores, 2u);
  // All answers are in the advocacy stage (index 3).
  EXPECT_EQ(v.stages[3].stage_id, "advocacy");
  EXPECT_EQ(v.stages[3].nps.answers, 6u);
  EXPECT_DOUBLE_EQ(*v.stages[3].nps.nps, 0.0);
  EXPECT_FALSE(v.stages[0].nps.nps.has_value());
  // Sentiment from the 0..10 scale, (r − 7) / 3 above 7 and (r − 7) / 7 below:
  // 1, 2/3, 1/3, 0, −1/7, −1 → sum 6/7 → mean 1/7.
  EXPECT_EQ(v.overall.sentiment.from_rating, 6u);
  EXPECT_NEAR(*v.overall.sentiment.mean, 1.0 / 7.0, 1e-12);
  // Provenance: 7 people (p0..p5, p9), 8 events; evidence: 6 people, 6 answers.
  EXPECT_EQ(v.provenance.people, 7u);
  EXPECT_EQ(v.provenance.events, 8u);
  EXPECT_EQ(v.overall.provenance.people, 6u);
  EXPECT_EQ(v.overall.provenance.events, 6u);
  EXPECT_EQ(v.overall.provenance.sources, std::vector<std::string>{"survey"});

  // Beginners: 10 (promoter), 6 and 0 (detractors): (1 − 2) / 3 · 100 = −33.33 points.
  VoiceOptions o;
  o.segment = 0;
  Voice b = RunVoice(set, o);
  EXPECT_EQ(b.segment_id, "beginners");
  EXPECT_EQ(b.overall.nps.answers, 3u);
  EXPECT_NEAR(*b.overall.nps.nps, -100.0 / 3.0, 1e-12);
}

// ---- CSAT, average rating, stage inheritance ----

TEST(Voice, CsatAndAverageRatingWithInheritedStages) {
  Data d;
  // q1..q4: a lesson (experience), then a CSAT answer (no stage of its own → experience).
  const double csat[] = {5, 4, 3, 1};
  for (int i = 0; i < 4; ++i) {
    d.Add("q" + std::to_string(i), "lesson");
    d.Add("q" + std::to_string(i), "csat_answer").rating = csat[i];
  }
  d.Add("q9", "csat_answer").rating = 4;  // a first event: no stage to inherit
  d.Add("q9", "csat_answer").rating = 7;  // off the 1..5 scale: invalid
  // Reviews (advocacy): 5, 4, 2, and a rating off the 1..5 scale that is not a rating.
  d.Add("r1", "review").rating = 5;
  d.Add("r2", "review").rating = 4;
  d.Add("r3", "review").rating = 2;
  d.Add("r4", "review").rating = 0;
  JourneySet set = d.Journeys();

  Voice v = RunVoice(set);
  // CSAT: 5 4 3 1 4 → satisfied (>= 4): 3 of 5 = 0.6. Experience: 5 4 3 1 → 2/4. No stage: 1/1.
  EXPECT_EQ(v.overall.csat.answers, 5u);
  EXPECT_EQ(v.overall.csat.satisfied, 3u);
  EXPECT_DOUBLE_EQ(*v.overall.csat.csat, 0.6);
  EXPECT_EQ(v.stages[2].csat.answers, 4u);
  EXPECT_DOUBLE_EQ(*v.stages[2].csat.csat, 0.5);
  EXPECT_EQ(v.no_stage.stage_id, "(no stage)");
  EXPECT_DOUBLE_EQ(*v.no_stage.csat.csat, 1.0);
  EXPECT_EQ(v.invalid_scores, 1u);
  // Average rating of reviews: (5 + 4 + 2) / 3 = 11/3.
  EXPECT_EQ(v.stages[3].rating.count, 3u);
  EXPECT_DOUBLE_EQ(*v.stages[3].rating.mean, 11.0 / 3.0);
  EXPECT_DOUBLE_EQ(*v.overall.rating.mean, 11.0 / 3.0);
  // Experience sentiment from CSAT ratings (r − 3) / 2: 1, 0.5, 0, −1 → mean 0.125.
  EXPECT_DOUBLE_EQ(*v.stages[2].sentiment.mean, 0.125);
  EXPECT_EQ(v.stages[2].provenance.people, 4u);
  EXPECT_EQ(v.stages[2].provenance.events, 4u);  // the lessons are not evidence

  // Without inheritance every CSAT answer has no stage: 5 answers, 3 satisfied.
  VoiceOptions o;
  o.inherit_stage = false;
  Voice w = RunVoice(set, o);
  EXPECT_EQ(w.stages[2].csat.answers, 0u);
  EXPECT_EQ(w.no_stage.csat.answers, 5u);
  EXPECT_DOUBLE_EQ(*w.no_stage.csat.csat, 0.6);

  // A 0..10 CSAT scale, satisfied from 9: answers 5 4 3 1 4 7 are all on it; none >= 9.
  o = {};
  o.csat_scale_min = 0;
  o.csat_scale_max = 10;
  o.csat_satisfied_min = 9;
  Voice c = RunVoice(set, o);
  EXPECT_EQ(c.overall.csat.answers, 6u);
  EXPECT_DOUBLE_EQ(*c.overall.csat.csat, 0.0);
  EXPECT_EQ(c.invalid_scores, 0u);
}

// ---- the emotion curve ----

TEST(Voice, SentimentPerStageWithConfidenceInterval) {
  Data d;
  // Experience (index 2): values 1, 0, −0.5, 0.5.
  d.Add("s1", "lesson").sentiment = 1.0;
  d.events.back().rating = 1;  // explicit sentiment wins over the rating
  d.Add("s2", "lesson");
  d.Add("s2", "csat_answer").rating = 3;          // (3 − 3) / 2 = 0, inherited experience
  d.Add("s3", "lesson").text = "Confusing!";      // lexicon: confusing −0.5
  d.Add("s4", "lesson").text = "Nice.";           // nice 0.5
  d.Add("s5", "lesson").text = "It was Tuesday";  // no term: no sentiment
  // E-mail signals: −1 in no stage (a first event) and −1 in awareness.
  d.Add("s6", "email_unsubscribe");
  d.Add("s7", "page_view");
  d.Add("s7", "spam_report");
  JourneySet set = d.Journeys();

  Voice v = RunVoice(set);
  // Experience: n = 4, mean 0.25; deviations 0.75, −0.25, −0.75, 0.25; squares sum 1.25;
  // s² = 1.25/3, s = 0.6454972; half = 1.96 · s / √4 = 0.6325873.
  const SentimentStats& x = v.stages[2].sentiment;
  EXPECT_EQ(x.count, 4u);
  EXPECT_DOUBLE_EQ(*x.mean, 0.25);
  EXPECT_NEAR(*x.stddev, std::sqrt(1.25 / 3.0), 1e-12);
  EXPECT_NEAR(*x.ci_low, 0.25 - 0.6325873, 1e-7);
  EXPECT_NEAR(*x.ci_high, 0.25 + 0.6325873, 1e-7);
  EXPECT_EQ(x.from_explicit, 1u);
  EXPECT_EQ(x.from_rating, 1u);
  EXPECT_EQ(x.from_text, 2u);
  EXPECT_EQ(x.from_email, 0u);
  // Awareness: one value (−1): a mean, no interval.
  EXPECT_EQ(v.stages[0].sentiment.count, 1u);
  EXPECT_DOUBLE_EQ(*v.stages[0].sentiment.mean, -1.0);
  EXPECT_FALSE(v.stages[0].sentiment.ci_low.has_value());
  EXPECT_FALSE(v.stages[0].sentiment.stddev.has_value());
  EXPECT_EQ(v.no_stage.sentiment.from_email, 1u);
  // Purchase: nothing.
  EXPECT_EQ(v.stages[1].sentiment.count, 0u);
  EXPECT_FALSE(v.stages[1].sentiment.mean.has_value());
  // Overall: 1, 0, −0.5, 0.5, −1, −1: mean −1/6; squared deviations 49/36 + 1/36 + 4/36 +
  // 16/36 + 25/36 + 25/36 = 120/36; s² = (120/36)/5 = 2/3; half = 1.96 · √(2/3) / √6 = 0.6533.
  const SentimentStats& all = v.overall.sentiment;
  EXPECT_EQ(all.count, 6u);
  EXPECT_NEAR(*all.mean, -1.0 / 6.0, 1e-12);
  EXPECT_NEAR(*all.ci_low, -1.0 / 6.0 - 1.96 / 3.0, 1e-12);
  EXPECT_NEAR(*all.ci_high, -1.0 / 6.0 + 1.96 / 3.0, 1e-12);
  EXPECT_EQ(v.texts, 3u);
  EXPECT_EQ(v.texts_unscored, 1u);
  // The lesson with an unscored text is no evidence: experience rests on s1..s4.
  EXPECT_EQ(v.stages[2].provenance.people, 4u);

  // The interval is clipped to −1..+1: two values 1 and −1 → mean 0, s = √2,
  // half = 1.96 · √2 / √2 = 1.96 → [−1, 1].
  Data c;
  c.Add("a", "review").sentiment = 1;
  c.Add("b", "review").sentiment = -1;
  Voice cv = RunVoice(c.Journeys());
  EXPECT_DOUBLE_EQ(*cv.stages[3].sentiment.ci_low, -1.0);
  EXPECT_DOUBLE_EQ(*cv.stages[3].sentiment.ci_high, 1.0);

  // Text scoring off, and a pluggable model.
  VoiceOptions o;
  o.score_text = false;
  EXPECT_EQ(RunVoice(set, o).stages[2].sentiment.count, 2u);
  struct Always : SentimentModel {
    std::optional<double> Score(std::string_view) const override { return 0.75; }
  } always;
  o.score_text = true;
  o.text_model = &always;
  Voice p = RunVoice(set, o);
  EXPECT_EQ(p.stages[2].sentiment.from_text, 3u);  // "It was Tuesday" scores too
  EXPECT_EQ(p.texts_unscored, 0u);
  // The same resolution per event: s3's lesson is event 3.
  EXPECT_EQ(SentimentOfEvent(set.store(), 3, VoiceOptions{}).source, SentimentSource::kText);
  EXPECT_DOUBLE_EQ(*SentimentOfEvent(set.store(), 3, VoiceOptions{}).value, -0.5);
}

TEST(Voice, EmptySegmentsAndOneEventJourneys) {
  Data d;
  d.Add("a", "nps_answer").rating = 9;  // a one-event journey
  d.Add("null", "review").rating = 1;   // no usable identity
  JourneySet set = d.Journeys();
  VoiceOptions o;
  o.segment = 1;  // nobody
  Voice v = RunVoice(set, o);
  EXPECT_EQ(v.segment_id, "nobody");
  EXPECT_EQ(v.provenance.people, 0u);
  EXPECT_EQ(v.overall.nps.answers, 0u);
  EXPECT_FALSE(v.overall.nps.nps.has_value());
  EXPECT_FALSE(v.overall.csat.csat.has_value());
  EXPECT_FALSE(v.overall.rating.mean.has_value());
  EXPECT_FALSE(v.overall.sentiment.mean.has_value());
  EXPECT_EQ(v.stages.size(), 4u);

  Voice all = RunVoice(set);
  EXPECT_EQ(all.overall.nps.answers, 1u);
  EXPECT_DOUBLE_EQ(*all.overall.nps.nps, 100.0);
  EXPECT_EQ(all.overall.rating.count, 0u);  // the review is nobody's

  o.segment = 5;
  EXPECT_EQ(ComputeVoice(set, o).status().code(), StatusCode::kInvalidArgument);
  o.segment = -1;
  o.csat_scale_min = 5;
  o.csat_scale_max = 1;
  EXPECT_EQ(ComputeVoice(set, o).status().code(), StatusCode::kInvalidArgument);
}

// ---- the lexicon ----

TEST(Lexicon, ScoresWithNegationAndNoMatch) {
  const LexiconSentimentModel& en = LexiconSentimentModel::BuiltinEnglish();
  // good 0.6, confusing −0.5, like 0.4, bad −0.6, great 0.8, excellent 1.
  EXPECT_NEAR(*en.Score("Not good, confusing"), (-0.6 - 0.5) / 2, 1e-12);  // −0.55
  EXPECT_NEAR(*en.Score("I don't like it"), -0.4, 1e-12);
  EXPECT_NEAR(*en.Score("I don\u2019t like it"), -0.4, 1e-12);  // typographic apostrophe
  EXPECT_NEAR(*en.Score("never bad"), 0.6, 1e-12);
  EXPECT_NEAR(*en.Score("not very good"), 0.6, 1e-12);  // the negation only reaches "very"
  EXPECT_NEAR(*en.Score("GREAT!!! Excellent"), 0.9, 1e-12);
  EXPECT_NEAR(*en.Score("no no good"), -0.6, 1e-12);
  EXPECT_FALSE(en.Score("The webinar was on Tuesday").has_value());
  EXPECT_FALSE(en.Score("").has_value());
  EXPECT_FALSE(en.Score("not").has_value());
  EXPECT_FALSE(en.Score(std::string(200, 'g')).has_value());  // a token too long to be a term
  EXPECT_EQ(*en.TermScore("excellent"), 1.0);
}

TEST(Lexicon, ParsesTheDocumentedFormat) {
  // BOM, CRLF, comments, blank lines, upper case folded, an apostrophe inside a term.
  auto m = Lexicon(
      "\xEF\xBB\xBF# a comment\r\n\r\nGood\t0.5\r\n  # indented comment\nwon't\t-0.25\n"
      "bien\t1\n");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(*m.TermScore("good"), 0.5);
  EXPECT_EQ(*m.TermScore("won't"), -0.25);
  // "won't" ends in n't: as a token of a text it is a negator, not a term.
  EXPECT_NEAR(*m.Score("good bien"), 0.75, 1e-12);
  EXPECT_NEAR(*m.Score("not bien"), -1.0, 1e-12);

  auto error = [](std::string_view text) {
    auto r = LexiconSentimentModel::Parse(text, "x.tsv");
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error("good 0.5\n"), "x.tsv:1: expected term<TAB>score, got 'good 0.5'");
  EXPECT_EQ(error("#\ngood\tlots\n"), "x.tsv:2: score 'lots' is not a number");
  EXPECT_EQ(error("good\t1.5\n"), "x.tsv:1: score 1.5 is outside -1..+1");
  EXPECT_EQ(error("very good\t1\n"),
            "x.tsv:1: term 'very good' is not one word (letters and inner apostrophes only)");
  EXPECT_EQ(error("good\t1\nbad\t-1\nGOOD\t0.5\n"),
            "x.tsv:3: duplicate term 'good' (first on line 1)");
  EXPECT_EQ(error("good\t\n"), "x.tsv:1: score '' is not a number");
}

TEST(Lexicon, BuiltinMatchesTheFileAndLoadsPerLanguage) {
  const std::string dir = std::string(JK_SOURCE_DIR) + "/data/lexicons";
  auto file = LexiconSentimentModel::LoadLanguage(dir, "en");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->terms(), LexiconSentimentModel::BuiltinEnglish().terms());
  EXPECT_GT(file->size(), 50u);
  EXPECT_EQ(LexiconSentimentModel::LoadLanguage(dir, "xx").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LexiconSentimentModel::LoadLanguage(dir, "../en").status().code(),
            StatusCode::kInvalidArgument);
}

// ---- e-mail engagement ----

// Hundreds of distinct actions between the e-mail ones: action ids share the analyses' small
// per-id answer table (64 slots), so answers evicted by other ids must be asked again, right.
TEST(Email, ManyDistinctActionsDoNotConfuseTheActionSets) {
  Data d;
  for (int p = 0; p < 100; ++p) {
    const std::string person = "m" + std::to_string(p);
    for (int k = 0; k < 3; ++k) d.Add(person, "act_" + std::to_string(p * 3 + k));
    d.Add(person, p % 3 == 0 ? "EMAIL_DELIVERED" : "email_delivered");
    if (p % 2 == 0) d.Add(person, "Email_Open");
    d.Add(person, "email_open_later");  // not an open
    if (p % 5 == 0) d.Add(person, "email_click");
  }
  JourneySet set = d.Journeys();
  EmailEngagement m = RunEmail(set);
  EXPECT_EQ(m.total.delivered, 100u);
  EXPECT_EQ(m.total.opened, 50u);
  EXPECT_EQ(m.total.open_events, 50u);
  EXPECT_EQ(m.total.clicked, 20u);
  EXPECT_EQ(m.total.bounced, 0u);
}

TEST(Email, EngagementPerCampaignAndPerStage) {
  Data d;
  auto spring = [&](const std::string& person, const std::string& action) {
    d.Add(person, action).properties.emplace_back("campaign", "spring");
  };
  auto welcome = [&](const std::string& person, const std::string& action) {
    d.Add(person, action).hints.emplace_back("utm_campaign", "welcome");
  };
  d.Add("e1", "page_view");  // e1's e-mails inherit awareness
  spring("e1", "email_delivered");
  spring("e1", "email_open");
  spring("e1", "email_open");
  spring("e1", "email_click");
  welcome("e1", "email_delivered");
  welcome("e1", "email_click");  // a click without an open
  spring("e2", "email_delivered");
  spring("e2", "email_open");
  d.Add("e2", "email_open");  // no campaign
  spring("e3", "email_delivered");
  spring("e4", "email_bounce");
  spring("e5", "email_delivered");
  spring("e5", "email_unsubscribe");
  welcome("e6", "email_bounce");
  welcome("e6", "email_delivered");  // delivered on retry: sent once
  JourneySet set = d.Journeys();

  EmailEngagement m = RunEmail(set);
  ASSERT_EQ(m.campaigns.size(), 3u);
  // spring: sent e1..e5 = 5; delivered e1 e2 e3 e5 = 4; bounced e4; opened e1 e2; clicked e1;
  // unsubscribed e5; open events 3. Rates: open 2/4, click 1/4, click-to-open 1/2,
  // bounce 1/5, unsubscribe 1/4. Events 4 + 2 + 1 + 1 + 2 = 10.
  const EmailEngagementRow& s = m.campaigns[0];
  EXPECT_EQ(s.key, "spring");
  EXPECT_EQ(s.sent, 5u);
  EXPECT_EQ(s.delivered, 4u);
  EXPECT_EQ(s.bounced, 1u);
  EXPECT_EQ(s.opened, 2u);
  EXPECT_EQ(s.clicked, 1u);
  EXPECT_EQ(s.unsubscribed, 1u);
  EXPECT_EQ(s.open_events, 3u);
  EXPECT_EQ(s.click_events, 1u);
  EXPECT_DOUBLE_EQ(*s.open_rate, 0.5);
  EXPECT_DOUBLE_EQ(*s.click_rate, 0.25);
  EXPECT_DOUBLE_EQ(*s.click_to_open_rate, 0.5);
  EXPECT_DOUBLE_EQ(*s.bounce_rate, 0.2);
  EXPECT_DOUBLE_EQ(*s.unsubscribe_rate, 0.25);
  EXPECT_EQ(s.provenance.people, 5u);
  EXPECT_EQ(s.provenance.events, 10u);
  // welcome: sent e1 e6 = 2, delivered 2, bounced e6, opened 0, clicked e1.
  const EmailEngagementRow& w = m.campaigns[1];
  EXPECT_EQ(w.key, "welcome");
  EXPECT_EQ(w.sent, 2u);
  EXPECT_EQ(w.delivered, 2u);
  EXPECT_EQ(w.bounced, 1u);
  EXPECT_EQ(w.opened, 0u);
  EXPECT_EQ(w.clicked, 1u);
  EXPECT_DOUBLE_EQ(*w.open_rate, 0.0);
  EXPECT_DOUBLE_EQ(*w.click_rate, 0.5);
  EXPECT_FALSE(w.click_to_open_rate.has_value());
  EXPECT_DOUBLE_EQ(*w.bounce_rate, 0.5);
  // (none): e2's open without a campaign; nothing delivered: no rates.
  const EmailEngagementRow& n = m.campaigns[2];
  EXPECT_EQ(n.key, "(none)");
  EXPECT_EQ(n.opened, 1u);
  EXPECT_FALSE(n.open_rate.has_value());
  EXPECT_FALSE(n.bounce_rate.has_value());
  // Total (unique people): sent e1..e6 = 6; delivered e1 e2 e3 e5 e6 = 5; bounced e4 e6;
  // opened e1 e2; clicked e1; unsubscribed e5. open 2/5, click 1/5, bounce 2/6.
  EXPECT_EQ(m.total.sent, 6u);
  EXPECT_EQ(m.total.delivered, 5u);
  EXPECT_EQ(m.total.bounced, 2u);
  EXPECT_EQ(m.total.opened, 2u);
  EXPECT_EQ(m.total.clicked, 1u);
  EXPECT_EQ(m.total.open_events, 4u);
  EXPECT_EQ(m.total.click_events, 2u);
  EXPECT_DOUBLE_EQ(*m.total.open_rate, 0.4);
  EXPECT_DOUBLE_EQ(*m.total.click_rate, 0.2);
  EXPECT_DOUBLE_EQ(*m.total.bounce_rate, 2.0 / 6.0);
  EXPECT_EQ(m.total.provenance.people, 6u);
  EXPECT_EQ(m.total.provenance.events, 15u);
  EXPECT_EQ(m.provenance.people, 6u);
  EXPECT_EQ(m.provenance.events, 16u);  // the page view too
  // Stages: e1's six e-mail events are in awareness; everyone else's in (no stage).
  ASSERT_EQ(m.stages.size(), 5u);
  EXPECT_EQ(m.stages[0].key, "awareness");
  EXPECT_EQ(m.stages[0].delivered, 1u);
  EXPECT_EQ(m.stages[0].opened, 1u);
  EXPECT_EQ(m.stages[0].clicked, 1u);
  EXPECT_EQ(m.stages[0].provenance.events, 6u);
  EXPECT_EQ(m.stages[1].provenance.events, 0u);
  EXPECT_FALSE(m.stages[1].open_rate.has_value());
  EXPECT_EQ(m.stages[4].key, "(no stage)");
  EXPECT_EQ(m.stages[4].sent, 5u);
  EXPECT_EQ(m.stages[4].delivered, 4u);
  EXPECT_EQ(m.stages[4].bounced, 2u);
  EXPECT_EQ(m.stages[4].opened, 1u);
  EXPECT_EQ(m.stages[4].provenance.events, 9u);

  // Without inheritance, no stage row holds everything; a period before the data: nothing.
  EmailOptions o;
  o.inherit_stage = false;
  EXPECT_EQ(RunEmail(set, o).stages[0].provenance.events, 0u);
  o.to_us = kT0;
  EmailEngagement none = RunEmail(set, o);
  EXPECT_EQ(none.total.sent, 0u);
  EXPECT_TRUE(none.campaigns.empty());
  EXPECT_EQ(none.stages.size(), 4u);
  EXPECT_FALSE(none.total.open_rate.has_value());
  o.segment = 2;
  EXPECT_EQ(ComputeEmailEngagement(set, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace journeykit

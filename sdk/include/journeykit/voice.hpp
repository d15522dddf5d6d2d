// voice.hpp — voice of the customer: NPS, CSAT, average rating and the emotion curve
// (sentiment per stage with a 95% confidence interval), the pluggable text sentiment model
// with its default lexicon, and e-mail engagement per campaign and per stage.
//
// Definitions in full: docs/metrics.md, section "Voice of the customer". In short:
//  * NPS: events matching the NPS actions with a rating in 0..10; promoters >= 9, passives
//    >= 7, detractors < 7; NPS = (promoters - detractors) / answers * 100, in points.
//  * CSAT: events matching the CSAT actions with a rating on the scale (1..5): the share of
//    ratings >= satisfied_min (4). Average rating: review events with a rating in 1..5.
//  * Sentiment of an event, first that applies: its explicit sentiment; its rating (NPS
//    events: (r - 5) / 5; any other: (r - 3) / 2); -1 for a negative e-mail signal
//    (unsubscribe, spam report); its text through the SentimentModel. Clipped to -1..+1.
//  * Per stage: an event counts in its own stage or, when it has none, in the person's current
//    stage (the stage of their latest earlier event that has one), unless inherit_stage is off.
//  * 95% interval of mean sentiment: mean ± 1.96·s/√n (s: sample standard deviation), clipped
//    to -1..+1; none when n < 2.
#pragma once

#include <journeykit/journeys.hpp>
#include <journeykit/loyalty.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeykit {

// A text sentiment model: the sentiment of a text in -1..+1, or nullopt when it cannot tell.
// Score() may be called from several threads at once on one model and must not keep `text`.
class SentimentModel {
 public:
  virtual ~SentimentModel() = default;
  virtual std::optional<double> Score(std::string_view text) const = 0;
};

// The default model: a lexicon of scored terms.
//
// File format (UTF-8, one entry per line): `term<TAB>score`, score a number in -1..+1. Blank
// lines and lines whose first non-blank character is `#` are ignored; a UTF-8 BOM and CRLF line
// ends are accepted. Terms are lower-cased (ASCII) and must be one token (see below); a
// duplicate term is an error. Files live per language: data/lexicons/<language>.tsv.
//
// Scoring: the text is lower-cased (ASCII) and split into tokens on every byte that is not a
// letter: ASCII letters, bytes >= 0x80 (so UTF-8 words stay whole) and an apostrophe between
// two letters ("don't") are letters. "not", "no", "never" and tokens ending in "n't" are
// negators: a negator flips the sign of the next token's score when that token is a term
// (the next token only: "not very good" is positive). Score = mean of the matched terms'
// (possibly flipped) scores, clipped to -1..+1; no matched term → nullopt.
class LexiconSentimentModel : public SentimentModel {
 public:
  // Parses lexicon text; `origin` names it in errors ("en.tsv:12: ...").
  static Result<LexiconSentimentModel> Parse(std::string_view text, std::string_view origin);
  static Result<LexiconSentimentModel> LoadFile(const std::string& path);
  // Loads `<directory>/<language>.tsv`.
  static Result<LexiconSentimentModel> LoadLanguage(const std::string& directory,
                                                    std::string_view language);
  // The built-in English lexicon (a copy of data/lexicons/en.tsv compiled into the SDK).
  static const LexiconSentimentModel& BuiltinEnglish();
  static std::string_view BuiltinEnglishText();

  std::optional<double> Score(std::string_view text) const override;
  // The score of one term, or nullopt.
  std::optional<double> TermScore(std::string_view term) const;
  size_t size() const { return terms_.size(); }
  const std::vector<std::pair<std::string, double>>& terms() const { return terms_; }

 private:
  std::vector<std::pair<std::string, double>> terms_;  // sorted by term
};

struct NpsStats {
  uint64_t answers = 0;
  uint64_t promoters = 0;     // 9..10
  uint64_t passives = 0;      // 7..8 (>= 7 and < 9)
  uint64_t detractors = 0;    // 0..6 (< 7)
  std::optional<double> nps;  // (promoters - detractors) / answers * 100, in points
};

struct CsatStats {
  uint64_t answers = 0;
  uint64_t satisfied = 0;
  std::optional<double> csat;  // satisfied / answers (a share, 0..1)
};

struct RatingStats {
  uint64_t count = 0;
  std::optional<double> mean;
};

struct SentimentStats {
  uint64_t count = 0;
  std::optional<double> mean;
  std::optional<double> stddev;  // sample standard deviation (n - 1); none when n < 2
  std::optional<double> ci_low;  // mean ± 1.96·s/√n, clipped to -1..+1; none when n < 2
  std::optional<double> ci_high;
  // Where the values came from (they sum to count).
  uint64_t from_explicit = 0;
  uint64_t from_rating = 0;
  uint64_t from_email = 0;
  uint64_t from_text = 0;
};

struct VoiceRow {
  std::string stage_id;  // "" for the overall row, "(no stage)" for events without one
  std::string stage_name;
  NpsStats nps;
  CsatStats csat;
  RatingStats rating;
  SentimentStats sentiment;
  // People and events behind this row's numbers (evidence events: NPS and CSAT answers,
  // reviews with a rating, events with a sentiment) and their sources.
  Provenance provenance;
};

struct VoiceOptions {
  int segment = -1;  // index into model().segments(); -1 for everyone
  int64_t from_us = std::numeric_limits<int64_t>::min();  // period [from, to) of the events
  int64_t to_us = std::numeric_limits<int64_t>::max();
  std::vector<std::string> nps_actions = {"nps_answer"};
  std::vector<std::string> csat_actions = {"csat_answer"};
  double csat_scale_min = 1;  // ratings outside [min, max] are not CSAT answers
  double csat_scale_max = 5;
  double csat_satisfied_min = 4;                         // satisfied: rating >= this
  std::vector<std::string> review_actions = {"review"};  // average rating: ratings in 1..5
  // Sentiment -1 from these actions (when the event has no explicit sentiment or rating).
  std::vector<std::string> negative_email_actions = {"unsubscribe", "email_unsubscribe",
                                                     "spam_report", "email_spam_report"};
  // Text sentiment: nullptr uses LexiconSentimentModel::BuiltinEnglish().
  const SentimentModel* text_model = nullptr;
  bool score_text = true;
  // Events without a stage count in the person's current stage (see above).
  bool inherit_stage = true;
};

struct Voice {
  std::string segment_id;  // "all" for everyone
  std::string segment_name;
  Provenance provenance;         // people in the segment, their events in the period, sources
  VoiceRow overall;              // every evidence event of the segment
  std::vector<VoiceRow> stages;  // model order: the emotion curve is stages[i].sentiment.mean
  VoiceRow no_stage;             // evidence events with no (own or inherited) stage
  uint64_t texts = 0;            // events with a text that reached the text model
  uint64_t texts_unscored = 0;   // of those, texts the model could not score
  uint64_t invalid_scores = 0;   // NPS / CSAT answers without a rating or off the scale
};

Result<Voice> ComputeVoice(const JourneySet& journeys, const VoiceOptions& options);

// The sentiment the voice analysis gives one event (nullopt when none), and where it came from.
enum class SentimentSource { kNone, kExplicit, kRating, kEmail, kText };
struct EventSentiment {
  std::optional<double> value;
  SentimentSource source = SentimentSource::kNone;
};
EventSentiment SentimentOfEvent(const EventStore& store, size_t event, const VoiceOptions& options);

// ---- E-mail engagement ----

struct EmailActions {
  std::vector<std::string> delivered = {"email_delivered"};
  std::vector<std::string> opened = {"email_open"};
  std::vector<std::string> clicked = {"email_click"};
  std::vector<std::string> bounced = {"email_bounce"};
  std::vector<std::string> unsubscribed = {"email_unsubscribe"};
};

// Counts are unique people within the row (a person opening three times is one opener);
// *_events count events.
struct EmailEngagementRow {
  std::string key;  // campaign name ("(none)" without one), stage id ("(no stage)"), or "total"
  std::string name;
  uint64_t sent = 0;  // people with a delivered or a bounce event
  uint64_t delivered = 0;
  uint64_t bounced = 0;
  uint64_t opened = 0;
  uint64_t clicked = 0;
  uint64_t unsubscribed = 0;
  uint64_t open_events = 0;
  uint64_t click_events = 0;
  std::optional<double> open_rate;           // opened / delivered
  std::optional<double> click_rate;          // clicked / delivered
  std::optional<double> click_to_open_rate;  // clicked / opened
  std::optional<double> bounce_rate;         // bounced / sent
  std::optional<double> unsubscribe_rate;    // unsubscribed / delivered
  Provenance provenance;                     // people with an e-mail event here, those events
};

struct EmailOptions {
  int segment = -1;
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
  EmailActions actions;
  bool inherit_stage = true;  // as VoiceOptions::inherit_stage
};

struct EmailEngagement {
  std::string segment_id;
  std::string segment_name;
  Provenance provenance;  // people in the segment, their events in the period, sources
  EmailEngagementRow total;
  std::vector<EmailEngagementRow> campaigns;  // by campaign name; "(none)" last
  std::vector<EmailEngagementRow> stages;     // model order, then "(no stage)" when it has any
};

Result<EmailEngagement> ComputeEmailEngagement(const JourneySet& journeys,
                                               const EmailOptions& options);

}  // namespace journeykit

// pain_points.hpp — pain points and opportunities of a journey map: where a stage hurts or people
// leave, the evidence behind it, what to do about it and whom an action would target.
//
// Rules (docs/metrics.md, section "Pain points and opportunities", has them in full). Each is
// read from the numbers of one map (one segment and period); thresholds are PainPointOptions:
//  drop_off            drop_off_rate(s) > median drop-off of the stages with a rate + margin
//                      (0.15), and reached(s) >= min_people (30)
//  negative_sentiment  emotion mean < 0 and its 95% CI upper bound < 0 (voice analysis only)
//  slow_transition     median_time_to_next_s(s) > the stage's expected time when one is set,
//                      else > factor (2) x the median of the stages' medians (before the first
//                      goal); and progressed(s) >= min_people
//  churn_loop          loyalty churn_loop_rate > 0.10 and buyers >= min_people; attached to
//                      the awareness stage
//  slow_pages          median page load of a stage > 3 s over >= min_people people
//  slow_review_replies median reply delay to a stage's reviews > 48 h over >= min_reviews
// Severity is on one scale for every type, so types rank together: the people affected times
// the excess over the reference (a share in 0..1), i.e. people-equivalents hurt beyond what
// is normal. The list is sorted by it, most severe first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeykit {

struct JourneyMap;

enum class PainPointType {
  kDropOff,
  kNegativeSentiment,
  kSlowTransition,
  kChurnLoop,
  kSlowPages,
  kSlowReviewReplies,
};

// "drop_off", "negative_sentiment", "slow_transition", "churn_loop", "slow_pages",
// "slow_review_replies".
std::string_view PainPointTypeName(PainPointType type);

// What a pain point rests on.
struct PainPointEvidence {
  std::string metric;     // e.g. "drop_off_rate", "sentiment_ci_high", "median_time_to_next_s"
  double value = 0;       // the stage's value of the metric
  double reference = 0;   // what it is compared with (median across stages, 0, a target...)
  double threshold = 0;   // the value the rule had to pass (reference + margin, factor x ...)
  uint64_t people = 0;    // people the metric rests on (reached, progressed, buyers...)
  uint64_t affected = 0;  // of those, people the pain point hits (dropped off, churned...)
  uint64_t events = 0;    // events behind the metric
  std::vector<std::string> sources;  // where those events came from
};

// A suggested audience (docs/metrics.md, "Audiences"): paste `definition` into the pipeline
// file's "audiences" list to have connectors push the people out.
struct PainPointAudience {
  std::string id;
  std::string name;
  std::string definition;  // one audience definition as JSON: {"id", "name", rule}
};

struct PainPoint {
  PainPointType type = PainPointType::kDropOff;
  std::string stage_id;
  std::string stage_name;
  int rank = 0;         // 1 = most severe in the map
  double excess = 0;    // 0..1: how far the value is beyond the reference (docs/metrics.md)
  double severity = 0;  // evidence.affected x excess: people hurt beyond the normal
  PainPointEvidence evidence;
  std::string summary;                     // one human sentence with the numbers
  std::vector<std::string> opportunities;  // recommendations, most direct first
  PainPointAudience audience;
};

struct PainPointOptions {
  bool enabled = true;
  double drop_off_margin = 0.15;  // in rate points (0.15 = 15 points)
  uint64_t min_people = 30;
  double slow_transition_factor = 2.0;
  double churn_loop_threshold = 0.10;
  double slow_page_load_s = 3.0;
  double slow_review_reply_s = 48 * 3600.0;
  uint64_t min_reviews = 10;  // reviews a reply-time median must rest on
  // Expected time to move on from a stage (stage id, seconds); a stage listed here is slow when
  // its median time to next exceeds this (any stage, also after a goal); the others are
  // compared with factor x the median of the stages before the first goal.
  std::vector<std::pair<std::string, double>> expected_time_to_next_s;
  // Days in the "did not ... within N days" of suggested drop-off audiences.
  double audience_window_days = 7;
  // Filled from the loyalty analysis when the map has one: what a purchase is, and the
  // awareness stage the churn loop attaches to.
  std::vector<std::string> purchase_actions = {"purchase"};
  std::string purchase_stage;
  std::string awareness_stage = "awareness";
};

// Page load times and review reply delays at one stage: JourneyMap::timings, filled by
// BuildJourneyMap from the events' page_load_ms / page_load_s and reply_delay_s properties.
struct StageTiming {
  std::string stage_id;  // "" for the whole map
  double median_s = 0;   // meaningful when events > 0
  uint64_t people = 0;   // people measured (page loads) / people whose reviews got a reply
  uint64_t events = 0;   // page loads / replied reviews
  std::vector<std::string> sources;
};

struct PainPointInputs {
  std::vector<StageTiming> page_load;     // per stage with measurements, model order
  std::vector<StageTiming> review_reply;  // per stage (reviews usually sit at advocacy)
};

// Every pain point of the map, ranked (rank 1 first). Reads map.stages, map.voice,
// map.loyalty, map.timings, map.segment_id; ignores map.pain_points.
std::vector<PainPoint> ComputePainPoints(const JourneyMap& map, const PainPointOptions& options);

// One pain point as a JSON object (schema: docs/journey-map.md).
std::string PainPointToJson(const PainPoint& pain);

}  // namespace journeykit

// journey_map.hpp — the assembled journey map of one model × segment × period: per stage its
// reach, conversion, drop-off, time to move on, top touchpoints and actions, what people who
// dropped off did next; plus the configured funnels, paths and attribution.
#pragma once

#include <journeykit/analysis_plan.hpp>
#include <journeykit/attribution.hpp>
#include <journeykit/funnel.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/loyalty.hpp>
#include <journeykit/pain_points.hpp>
#include <journeykit/paths.hpp>
#include <journeykit/stage_funnel.hpp>
#include <journeykit/status.hpp>
#include <journeykit/voice.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace journeykit {

// A touchpoint or an action at one stage, with the evidence behind it.
struct MapItem {
  std::string id;
  std::string name;
  std::string channel;  // touchpoints only
  bool online = true;   // touchpoints only
  uint64_t people = 0;  // people of the segment with at least one such event in the stage
  uint64_t events = 0;
  double people_share = 0;  // people / people who reached the stage
};

struct MapStage {
  StageFunnelRow row;                // reach, onward, drop-off, median time to next, events
  std::vector<MapItem> touchpoints;  // most people first (ties: more events, then id)
  std::vector<MapItem> actions;
  std::optional<DropOffNext> dropped_next;  // when people dropped off here
};

struct NamedFunnel {
  std::string id;
  std::string name;
  Funnel result;
};

struct JourneyMap {
  std::string segment_id;
  std::string segment_name;
  // The period asked for, [from, to); nullopt for an open end (the whole data).
  std::optional<int64_t> period_from_us;
  std::optional<int64_t> period_to_us;
  int64_t first_event_us = 0;  // the span of the events inside the period
  int64_t last_event_us = 0;
  uint64_t people = 0;
  uint64_t events = 0;
  std::vector<std::string> sources;
  uint64_t people_reaching_goal = 0;
  std::optional<double> goal_conversion_rate;
  std::vector<MapStage> stages;
  std::vector<NamedFunnel> funnels;
  std::optional<Paths> paths;
  std::optional<AttributionResult> attribution;
  std::optional<Voice> voice;      // the emotion curve: voice->stages[i] matches stages[i]
  std::optional<Loyalty> loyalty;  // repeat purchase, cohorts, loops, revenue
  // E-mail engagement (with the voice analysis): total, per campaign, per stage (model order,
  // then "(no stage)").
  std::optional<EmailEngagement> email;
  // Page load times (events with page_load_ms / page_load_s) and review reply delays (events
  // with reply_delay_s): per stage where measured (model order; what the slow_pages and
  // slow_review_replies rules read), and over the whole map (stage_id "").
  PainPointInputs timings;
  StageTiming page_load_all;
  StageTiming review_reply_all;
  std::vector<PainPoint> pain_points;  // ranked, most severe first (pain_points.hpp)
};

// One map: a segment and a period. Every analysis of the map reads only the events inside
// [from_us, to_us) (docs/metrics.md, "Periods"); identities and segment membership are those
// of the whole data.
struct JourneyMapOptions {
  int segment = -1;  // index into model().segments(), or -1 for everyone
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
};

Result<JourneyMap> BuildJourneyMap(const JourneySet& journeys, const AnalysisPlan& plan,
                                   const JourneyMapOptions& options);
// segment: index into model().segments(), or -1 for everyone; the whole data.
Result<JourneyMap> BuildJourneyMap(const JourneySet& journeys, const AnalysisPlan& plan,
                                   int segment);

// Every map of a run, in the order of JourneyAnalysis::maps: everyone, then each segment of the
// model, for the period of `options` (its `segment` is ignored). The maps are independent and
// are built on up to `threads` threads at once (0: one per hardware thread, at most one per
// map); the result is what calling BuildJourneyMap for each in turn gives, and an error is the
// first one in that order.
Result<std::vector<JourneyMap>> BuildJourneyMaps(const JourneySet& journeys,
                                                 const AnalysisPlan& plan,
                                                 const JourneyMapOptions& options = {},
                                                 unsigned threads = 0);

// The map as one JSON object (schema: docs/journey-map.md).
std::string JourneyMapToJson(const JourneyMap& map);
// The map as text for a terminal: every lane, with counts.
std::string JourneyMapToText(const JourneyMap& map);

}  // namespace journeykit

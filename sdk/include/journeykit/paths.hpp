// paths.hpp — transitions between touchpoints or stages, the top paths people take, and what
// people who dropped off at a stage did next. Definitions: docs/metrics.md, section "Paths".
#pragma once

#include <journeykit/journeys.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

enum class PathNode {
  kTouchpoint,  // every event is a node: its touchpoint id ("(unknown)" included unless skipped)
  kStage,       // events with a stage are nodes (the stage id); events without one are skipped
};

inline constexpr std::string_view kPathStart = "(start)";
inline constexpr std::string_view kPathEnd = "(end)";
inline constexpr std::string_view kPathTruncated = "...";

struct PathOptions {
  PathNode node = PathNode::kTouchpoint;
  int segment = -1;  // index into model().segments(); -1 for everyone
  // Period: only events with from_us <= time < to_us make up the paths.
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
  bool collapse_repeats = false;         // a run of the same node counts as one node
  bool skip_unknown_touchpoint = false;  // kTouchpoint: drop "(unknown)" nodes
  // Sub-paths: start at the first occurrence of `start_at` / end at the last occurrence of
  // `end_at` (a touchpoint or stage id, by `node`); with both, end at the last occurrence of
  // `end_at` at or after that start. People whose path lacks them have no path.
  std::string start_at;
  std::string end_at;
  size_t top_n = 10;
  // Paths longer than this are cut to their first max_nodes nodes followed by "..." (0: no cut).
  // Transitions always use the whole (sub-)path.
  size_t max_nodes = 0;
  // Transitions: add "(start)" -> first node and last node -> "(end)" for every path.
  bool start_end_nodes = false;
};

struct PathTransition {
  std::string from;
  std::string to;
  uint64_t count = 0;
  double probability = 0;  // count / all transitions out of `from` (rows sum to 1)
};

struct PathCount {
  std::vector<std::string> nodes;
  std::string label;  // nodes joined with " > "
  uint64_t people = 0;
  double share = 0;  // people / Paths::people
};

struct Paths {
  std::string segment_id;  // "all" for everyone
  std::string segment_name;
  PathNode node = PathNode::kTouchpoint;
  // Provenance: people in the segment, their events inside the period, those events' sources.
  uint64_t people = 0;
  uint64_t events = 0;
  std::vector<std::string> sources;
  // people = people_with_path + people_without_path
  //        = sum(top[i].people) + other_people + people_without_path
  uint64_t people_with_path = 0;
  uint64_t people_without_path = 0;
  std::vector<PathCount> top;  // most people first; ties by label
  uint64_t other_people = 0;
  uint64_t other_paths = 0;  // distinct paths in the "other" bucket
  std::optional<double> other_share;
  std::optional<double> without_path_share;
  // Sorted by `from` (node order: "(start)", model order, "(end)"), then count descending.
  std::vector<PathTransition> transitions;
};

// Computes transitions and top paths; InvalidArgument for unknown ids or a bad segment/period.
Result<Paths> ComputePaths(const JourneySet& journeys, const PathOptions& options);

struct NextStepCount {
  std::string id;  // touchpoint id or action name
  uint64_t people = 0;
  double share = 0;  // people / DropOffNext::dropped
};

// People of the segment who reached `stage` and never entered a later stage at or after
// entering it (the stage funnel's dropped(s)) and what they did next: the first event after
// their LAST event in the stage whose touchpoint differs from that event's touchpoint — its
// touchpoint and its action — or nothing (docs/metrics.md, "What people who dropped off at a
// stage did next"). Only events inside the period [from_us, to_us) exist.
struct DropOffNext {
  std::string stage_id;
  std::string segment_id;
  uint64_t people = 0;  // in the segment, with an event in the period
  uint64_t reached = 0;
  uint64_t dropped = 0;
  uint64_t nothing = 0;  // dropped people with no different touchpoint after the stage
  std::optional<double> nothing_share;
  std::vector<NextStepCount> next_touchpoints;  // most people first; ties by id
  std::vector<NextStepCount> next_actions;
  std::vector<std::string> sources;  // of the dropped people's events
  uint64_t events = 0;               // events of the dropped people
};

struct DropOffNextOptions {
  int segment = -1;  // index into model().segments(); -1 for everyone
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
};

Result<DropOffNext> ComputeDropOffNext(const JourneySet& journeys, std::string_view stage_id,
                                       const DropOffNextOptions& options);
Result<DropOffNext> ComputeDropOffNext(const JourneySet& journeys, std::string_view stage_id,
                                       int segment);
// The same for every stage whose flag in `wanted` (one per model stage) is set, in one pass
// over the people; result[s] for stage s (only stage_id, segment_id and people for the others).
Result<std::vector<DropOffNext>> ComputeDropOffNextByStage(const JourneySet& journeys,
                                                           const std::vector<bool>& wanted,
                                                           const DropOffNextOptions& options);

}  // namespace journeykit

// stage_funnel.hpp — people reaching each stage, conversion onward, drop-off, time to move on.
//
// Definitions (docs/metrics.md has them in full):
//  reached(s)     people with at least one event assigned to stage s
//  progressed(s)  of those, people who entered any later stage at or after entering s
//  conversion(s)  progressed(s) / reached(s);  drop_off(s) = reached(s) - progressed(s)
//  time_to_next   per progressed person: earliest later-stage entry at/after entry(s) minus
//                 entry(s); the row reports its median (mean of the middle two when even)
#pragma once

#include <journeykit/journeys.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace journeykit {

struct StageFunnelRow {
  std::string stage_id;
  std::string stage_name;
  bool goal = false;
  uint64_t reached = 0;
  uint64_t progressed = 0;
  uint64_t dropped = 0;
  std::optional<double> conversion_rate;  // none for the last stage or when reached == 0
  std::optional<double> drop_off_rate;
  std::optional<double> median_time_to_next_s;
  uint64_t events = 0;  // events of this segment's people in the stage
};

struct StageFunnel {
  std::string segment_id;  // "all" for everyone
  std::string segment_name;
  uint64_t people = 0;                         // people in the segment
  uint64_t events = 0;                         // their events
  uint64_t people_reaching_goal = 0;           // reached any goal stage
  std::optional<double> goal_conversion_rate;  // people_reaching_goal / people
  std::vector<std::string> sources;            // provenance: sources the events came from
  std::vector<StageFunnelRow> rows;
};

// segment: index into model().segments(), or -1 for everyone.
StageFunnel ComputeStageFunnel(const JourneySet& journeys, int segment);

// The same over a period [from_us, to_us): only the events inside it exist (stage entries are
// the first events inside it; people without an event inside it are not counted).
struct StageFunnelOptions {
  int segment = -1;
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
};
StageFunnel ComputeStageFunnel(const JourneySet& journeys, const StageFunnelOptions& options);

// Median of `values` (sorted in place); nullopt when empty.
std::optional<double> Median(std::vector<double>& values);

}  // namespace journeykit

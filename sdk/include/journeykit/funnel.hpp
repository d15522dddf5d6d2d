// funnel.hpp — ordered, strict-order and unordered conversion funnels over a JourneySet.
//
// Definitions in full: docs/metrics.md, section "Funnels". In short:
//  * A step matches an event on the columns the EventStore keeps: action, source, touchpoint,
//    channel (of the resolved touchpoint) and stage. Hints, properties and url_contains are not
//    stored per event and are refused (make them a touchpoint or stage rule instead).
//  * A person enters at a step-1 event inside [entry_from_us, entry_to_us); later steps may fall
//    after the range. All steps must fall within window_us of the entry event (inclusive).
//  * Unique people by default: each person is counted once, on the chain that reaches the most
//    steps from any entry; ties go to the earliest entry (ClickHouse windowFunnel-style).
//  * Totals on request: every attempt counts; an attempt ends when it completes or its window
//    closes, and the next attempt starts at the next entry event after that.
//  * A person (attempt) that has not completed and can still advance at as_of is "in progress",
//    not dropped.
#pragma once

#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/status.hpp>
#include <journeykit/time_units.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace journeykit {

// One step (or exclusion) of a funnel: `when` is a Rule over stored columns only (conditions
// may use actions, sources, touchpoints, channels; a condition with none of them matches every
// event), and `stages` restricts the event's assigned stage (any stage id listed; empty: no
// restriction; an event without a stage never matches a non-empty list). The step matches an
// event when (`when` is empty or one of its conditions matches) and the stage restriction holds.
struct FunnelStep {
  std::string id;
  std::string name;  // defaults to id
  Rule when;
  std::vector<std::string> stages;
};

enum class FunnelMode {
  kOrdered,      // steps in order; other events in between are allowed
  kStrictOrder,  // steps in order; an event that matches only steps beyond the next one breaks
  kUnordered,    // all steps within the window, in any order
};

enum class FunnelCounting { kUniquePeople, kTotals };

// A person (attempt) whose chosen chain has an event matching `step` between two steps is
// excluded from the funnel. Steps are 0-based indices into FunnelOptions::steps; -1 means "from
// the entry event" / "to the end of the conversion window". Events that match any funnel step
// are never exclusion events.
struct FunnelExclusion {
  FunnelStep step;
  int after_step = -1;
  int before_step = -1;
};

struct FunnelOptions {
  std::vector<FunnelStep> steps;  // 1..32 steps
  FunnelMode mode = FunnelMode::kOrdered;
  // Whole funnel: every step at or before entry time + window_us (inclusive).
  int64_t window_us = 30 * kMicrosPerDay;
  // Optional, per step: the step's event at most this long after the previous step's event
  // (inclusive). Empty, or one value per step; 0 means no limit; step_windows_us[0] must be 0.
  // Not available in kUnordered mode.
  std::vector<int64_t> step_windows_us;
  // Entry range [from, to): bounds the entry event only.
  int64_t entry_from_us = std::numeric_limits<int64_t>::min();
  int64_t entry_to_us = std::numeric_limits<int64_t>::max();
  // Analysis time: events after it are not seen; windows still open at it are "in progress".
  // Default: the time of the latest event in the store.
  std::optional<int64_t> as_of_us;
  FunnelCounting counting = FunnelCounting::kUniquePeople;
  int segment = -1;  // index into model().segments(); -1 for everyone
  std::vector<FunnelExclusion> exclusions;
  // Histogram of time to convert (seconds from the entry): buckets [0, e1), [e1, e2), ...,
  // [e_last, inf). Strictly increasing, positive.
  std::vector<double> histogram_edges_s = {3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0};
  // ClickHouse parity for kStrictOrder: an event that matches no step also breaks the chain
  // (windowFunnel(...,'strict_order') sees every row it is given). Default: such events are
  // ignored, as if filtered out by a WHERE clause.
  bool strict_unmatched_breaks = false;
};

struct FunnelStepResult {
  std::string id;
  std::string name;
  // Chains (people, or attempts in totals mode) that reached this step: in ordered modes the
  // step itself, in kUnordered mode "at least k+1 distinct steps".
  uint64_t reached = 0;
  // Chains whose furthest step is this one: closed (dropped) or still open (in_progress).
  // Both are 0 for the last step.
  uint64_t dropped = 0;
  uint64_t in_progress = 0;
  // kUnordered: chains whose window contains this particular step. Ordered modes: == reached.
  uint64_t did_step = 0;
  std::optional<double> conversion_from_previous;  // reached / previous reached
  std::optional<double> conversion_from_start;     // reached / steps[0].reached
  // Time from the entry event to the event at which this step was first reached on the chain,
  // over the chains that reached it (none for step 0). Median: mean of the middle two for an
  // even count. p90: nearest rank (the ceil(0.9 n)-th smallest value).
  std::optional<double> median_time_from_entry_s;
  std::optional<double> p90_time_from_entry_s;
  std::vector<uint64_t> time_histogram;  // histogram_edges_s.size() + 1 buckets; empty for step 0
};

struct Funnel {
  std::string segment_id;  // "all" for everyone
  std::string segment_name;
  FunnelMode mode = FunnelMode::kOrdered;
  FunnelCounting counting = FunnelCounting::kUniquePeople;
  int64_t as_of_us = 0;
  // Provenance: people in the segment, their events up to as_of and the sources of those events.
  uint64_t people = 0;
  uint64_t events = 0;
  std::vector<std::string> sources;
  // People who entered (at least one entry in range), and their events up to as_of.
  uint64_t people_entered = 0;
  uint64_t events_of_people_entered = 0;
  // Chains: people (unique) or attempts (totals). entered = excluded + counted, and
  // counted = completed + in_progress + dropped.
  uint64_t entered = 0;
  uint64_t excluded = 0;
  uint64_t counted = 0;
  uint64_t completed = 0;
  uint64_t in_progress = 0;
  uint64_t dropped = 0;
  std::optional<double> conversion_rate;  // completed / counted
  std::vector<double> histogram_edges_s;
  std::vector<FunnelStepResult> steps;
};

// Computes the funnel; InvalidArgument names the offending option.
Result<Funnel> ComputeFunnel(const JourneySet& journeys, const FunnelOptions& options);

// Nearest-rank percentile (0 < p <= 100) of `values` (sorted in place): the ceil(p/100 * n)-th
// smallest value; nullopt when empty.
std::optional<double> PercentileNearestRank(std::vector<double>& values, double p);

}  // namespace journeykit

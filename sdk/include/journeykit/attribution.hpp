// attribution.hpp — credit for conversions per channel: heuristic models and exact Markov removal.
//
// Input is a PathTable: rows of channel sequences (first touch first), each with the
// conversions, conversion value and null (non-converting) journeys it stands for. It comes
// from a ChannelAttribution path file or from journeys (one row per conversion or
// non-converting person). Attribute() runs the models side by side; docs/metrics.md
// ("Attribution") defines every number.
#pragma once

#include <journeykit/journeys.hpp>
#include <journeykit/status.hpp>
#include <journeykit/time_units.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace journeykit {

// One path: the touches before a conversion (or before the end of a non-converting journey).
struct PathRow {
  std::vector<uint32_t> channels;  // ids into PathTable's channel names, first touch first
  // Empty when the path has no times (a path file); else one entry per channel: the
  // reference time (conversion, or the journey's last event for a null path) minus the
  // touch time, in microseconds (>= 0).
  std::vector<int64_t> ages_us;
  double conversions = 0;
  double value = 0;  // total conversion value of those conversions
  double nulls = 0;  // journeys along this path that did not convert
};

// Where a PathTable came from: the provenance every attribution result carries.
struct PathProvenance {
  std::string origin;                // the path file, or "journeys"
  uint64_t people = 0;               // journeys: people considered (0 for a file)
  uint64_t events = 0;               // journeys: their events (0 for a file)
  uint64_t unknown_touches = 0;      // journeys: events left out for touchpoint "(unknown)"
  std::vector<std::string> sources;  // journeys: sources of those events
};

class PathTable {
 public:
  // Returns the dense id of a channel name, adding it on first sight (ids follow first sight).
  uint32_t InternChannel(std::string_view name);
  std::optional<uint32_t> FindChannel(std::string_view name) const;
  const std::string& channel_name(uint32_t id) const { return names_[id]; }
  const std::vector<std::string>& channel_names() const { return names_; }

  // Adds a row given by channel names (convenience for tests and embedders).
  void AddPath(const std::vector<std::string_view>& channels, double conversions, double value,
               double nulls, std::vector<int64_t> ages_us = {});
  void AddRow(PathRow row) { rows_.push_back(std::move(row)); }
  const std::vector<PathRow>& rows() const { return rows_; }

  PathProvenance provenance;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<PathRow> rows_;
};

// Reads ChannelAttribution's path format: a header `path;total_conversions;
// total_conversion_value;total_null`, then one row per path, channels separated by `>`
// with optional spaces. Errors name the file and the line.
Result<PathTable> ReadChannelAttributionPaths(const std::string& path);
// The same from text already in memory; `origin` names it in errors.
Result<PathTable> ParseChannelAttributionPaths(std::string_view text, std::string_view origin);

// What counts as a conversion in a journey.
struct ConversionGoal {
  enum class Kind { kStage, kAction };
  Kind kind = Kind::kStage;
  size_t stage = 0;    // kStage: index into model().stages(); the person's first entry
  std::string action;  // kAction: every event with this action (case-sensitive)

  static ConversionGoal Stage(size_t stage_index) { return {Kind::kStage, stage_index, {}}; }
  static ConversionGoal Action(std::string name) { return {Kind::kAction, 0, std::move(name)}; }
};

enum class PathUnit { kTouchpoint, kChannel };

// One row per conversion (the person's touches since their previous conversion) and one
// null row per person whose touches did not end in a conversion; touchpoint "(unknown)" is
// left out. Every row carries touch ages, so AttributionOptions::lookback_us and time decay
// apply. segment: index into model().segments(), or -1 for everyone. Only events inside
// [from_us, to_us) are read (a period map's attribution).
PathTable PathsFromJourneys(const JourneySet& journeys, const ConversionGoal& goal,
                            PathUnit unit = PathUnit::kTouchpoint, int segment = -1,
                            int64_t from_us = std::numeric_limits<int64_t>::min(),
                            int64_t to_us = std::numeric_limits<int64_t>::max());

enum class AttributionModel : uint8_t {
  kFirstTouch,
  kLastTouch,
  kLinear,
  kPositionBased,
  kTimeDecay,
  kMarkov,
};

// "first", "last", "linear", "position", "time_decay", "markov".
std::string_view ModelName(AttributionModel model);
std::optional<AttributionModel> ParseModelName(std::string_view name);
const std::vector<AttributionModel>& AllModels();

struct AttributionOptions {
  // Models in output order. kTimeDecay needs times on every row.
  std::vector<AttributionModel> models = {
      AttributionModel::kFirstTouch,    AttributionModel::kLastTouch, AttributionModel::kLinear,
      AttributionModel::kPositionBased, AttributionModel::kMarkov,
  };
  // > 0: touches with an age above this are ignored (rows without times are not touched).
  int64_t lookback_us = 0;
  double half_life_us = 7.0 * static_cast<double>(kMicrosPerDay);  // time decay
  double position_first = 0.4;  // position-based share of the first touch
  double position_last = 0.4;   // ... of the last; the middle touches share the rest
  // false (ChannelAttribution's behaviour): a repeat of the same channel right after itself
  // adds no transition. Removal effects do not depend on this; the transition matrix does.
  bool markov_self_loops = false;
};

struct ChannelCredit {
  std::string channel;
  AttributionModel model;
  double conversions = 0;
  double value = 0;
  std::optional<double> removal_effect;  // kMarkov only
};

struct MarkovTransition {
  std::string from;  // a channel or "(start)"
  std::string to;    // a channel, "(conversion)" or "(null)"
  double probability = 0;
};

struct AttributionResult {
  std::vector<std::string> channels;     // in first-seen order
  std::vector<AttributionModel> models;  // as requested
  std::vector<ChannelCredit> credits;    // channel-major: channels × models
  const ChannelCredit* Find(std::string_view channel, AttributionModel model) const;

  // Provenance: what the numbers rest on.
  PathProvenance source;
  uint64_t paths = 0;                   // rows of the table
  double conversions = 0;               // total, including unattributed
  double value = 0;                     // total, including unattributed
  double nulls = 0;                     // null journeys
  double unattributed_conversions = 0;  // on rows with no touch left (after the lookback)
  double unattributed_value = 0;
  uint64_t touches = 0;  // touches credited (after the lookback)
  uint64_t touches_outside_lookback = 0;

  // Markov only (when requested): P(conversion) from (start), and the transition matrix.
  std::optional<double> markov_conversion_probability;
  std::vector<MarkovTransition> markov_transitions;
};

// Invalid options (half-life <= 0, negative lookback, position shares outside [0, 1] or
// above 1 together, time decay without times, negative or non-finite counts) are errors.
Result<AttributionResult> Attribute(const PathTable& paths, const AttributionOptions& options);

}  // namespace journeykit

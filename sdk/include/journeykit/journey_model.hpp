// journey_model.hpp — the map template: touchpoints, stages and segments with their rules.
#pragma once

#include <journeykit/event.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

// One condition: every key given must match (AND); a list of values means any (OR).
// String comparisons are case-insensitive; url_contains is a substring of hint "url".
struct Condition {
  std::vector<std::string> actions;
  std::vector<std::string> sources;
  std::vector<std::string> url_contains;
  std::vector<std::pair<std::string, std::vector<std::string>>> hints;
  std::vector<std::pair<std::string, std::vector<std::string>>> properties;
  // Only for stages and segments: the resolved touchpoint id and its channel.
  std::vector<std::string> touchpoints;
  std::vector<std::string> channels;
};

// A rule is a list of conditions; it matches when any condition matches.
using Rule = std::vector<Condition>;

struct Touchpoint {
  std::string id;
  std::string name;
  std::string channel;
  bool online = true;
  Rule when;
};

struct Stage {
  std::string id;
  std::string name;
  bool goal = false;
  Rule when;
};

enum class SegmentScope { kAny, kFirst };

struct Segment {
  std::string id;
  std::string name;
  SegmentScope scope = SegmentScope::kAny;
  Rule when;
};

inline constexpr uint16_t kUnknownTouchpoint = 0;  // index 0 is always "(unknown)"
inline constexpr uint8_t kNoStage = 0xFF;
inline constexpr size_t kMaxStages = 64;
inline constexpr size_t kMaxSegments = 32;

// Parses a `when` value (a condition object or a list of them) from JSON text. `path` names it
// in errors; `allow_resolved` permits the touchpoint and channel keys.
Result<Rule> ParseRuleJson(std::string_view json, const std::string& path, bool allow_resolved);

class JourneyModel {
 public:
  // Parses the "model" object of a pipeline file. `origin` names it in errors.
  static Result<JourneyModel> FromJson(std::string_view json, std::string_view origin = "model");

  // Adds definitions from code (embedding). Touchpoint 0 "(unknown)" exists from the start.
  JourneyModel();
  Status AddTouchpoint(Touchpoint touchpoint);
  Status AddStage(Stage stage);
  Status AddSegment(Segment segment);

  const std::vector<Touchpoint>& touchpoints() const { return touchpoints_; }
  const std::vector<Stage>& stages() const { return stages_; }
  const std::vector<Segment>& segments() const { return segments_; }
  int SegmentIndex(std::string_view id) const;  // -1 when absent

  // The first touchpoint (in list order) whose rule matches, else kUnknownTouchpoint.
  uint16_t ResolveTouchpoint(const Event& event) const;
  // The latest stage (highest order) whose rule matches, else kNoStage.
  uint8_t AssignStage(const Event& event, uint16_t touchpoint) const;
  // Bit i set when segment i's rule matches this event.
  uint32_t SegmentMatches(const Event& event, uint16_t touchpoint) const;

 private:
  bool Matches(const Rule& rule, const Event& event, const Touchpoint* touchpoint) const;
  std::vector<Touchpoint> touchpoints_;
  std::vector<Stage> stages_;
  std::vector<Segment> segments_;
};

}  // namespace journeykit

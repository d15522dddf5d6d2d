// analysis_plan.hpp — the "analyses" of a pipeline file, parsed into each analysis's options.
#pragma once

#include <journeykit/attribution.hpp>
#include <journeykit/funnel.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/loyalty.hpp>
#include <journeykit/pain_points.hpp>
#include <journeykit/paths.hpp>
#include <journeykit/status.hpp>
#include <journeykit/voice.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

struct FunnelAnalysis {
  std::string id;
  std::string name;
  FunnelOptions options;  // segment is set per map
};

struct PathsAnalysis {
  PathOptions options;  // segment is set per map
};

struct AttributionAnalysis {
  std::string goal_stage;  // stage id; conversion = first entry into it
  PathUnit unit = PathUnit::kTouchpoint;
  AttributionOptions options;
};

struct VoiceAnalysis {
  VoiceOptions options;  // segment set per map; text_model points into `lexicon`
  std::shared_ptr<const LexiconSentimentModel> lexicon;
  // E-mail engagement (computed with the voice analysis): the actions of each e-mail event,
  // set by "email_actions": {"delivered": [...], "opened": [...], ...}.
  EmailActions email_actions;
};

struct LoyaltyAnalysis {
  LoyaltyOptions options;  // segment set per map
};

struct AnalysisPlan {
  bool stage_funnel = true;  // always part of the map
  std::vector<FunnelAnalysis> funnels;
  std::optional<PathsAnalysis> paths;
  std::optional<AttributionAnalysis> attribution;
  std::optional<VoiceAnalysis> voice;
  std::optional<LoyaltyAnalysis> loyalty;
  size_t top_n = 5;  // touchpoints and actions listed per stage
  // Thresholds of the pain point rules; an optional {"type": "pain_points", ...} entry sets
  // them, the defaults apply without one ("enabled": false turns pain points off).
  PainPointOptions pain_points;

  // Parses the "analyses" array (JSON text). `path` names it in errors; stage ids are
  // checked against `model`.
  // `base_dir` resolves relative lexicon paths.
  static Result<AnalysisPlan> Parse(std::string_view json, const std::string& path,
                                    const JourneyModel& model, const std::string& base_dir = ".");
};

}  // namespace journeykit

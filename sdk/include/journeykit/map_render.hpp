// map_render.hpp — the journey map for people: one self-contained HTML page (every segment,
// switchable), and Markdown, CSV and Mermaid `journey` exports of one map.
//
// The HTML page needs no network: inline CSS, inline SVG charts, a few lines of inline script
// for the segment switcher only; the maps' JSON (docs/journey-map.md) is embedded in a
// <script type="application/json" id="journeymap-data"> block as an array, one object per map
// in page order, so tools and tests can read the numbers. Layout and rationale:
// docs/html-map.md.
#pragma once

#include <journeykit/journey_map.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

// A previous run's map, read back from its JSON (docs/journey-map.md): the numbers the
// before/after view of the HTML page compares with.
struct MapSnapshot {
  struct Stage {
    std::string id;
    std::string name;
    uint64_t reached = 0;
    std::optional<double> conversion_rate;
    std::optional<double> sentiment_mean;  // emotion.mean
    std::optional<double> nps;             // emotion.nps
  };
  struct Pain {
    std::string type;
    std::string stage_id;
    std::string summary;
  };
  std::string segment_id;
  std::string first_event;  // ISO time, "" when the map had no people
  std::string last_event;
  uint64_t people = 0;
  std::optional<double> goal_conversion_rate;
  std::optional<double> nps;             // kpis.nps
  std::optional<double> sentiment_mean;  // kpis.sentiment_mean
  std::vector<Stage> stages;
  std::vector<Pain> pain_points;
};

// Reads maps written by `journeykit map --format json` (one object), a JSON array of them (the
// HTML page's embedded #journeymap-data) or NDJSON, one map per line (the files connector's
// journey_maps.ndjson). `origin` names the text in errors ("old.json: map 2: stages: ...").
Result<std::vector<MapSnapshot>> ParseMapSnapshots(std::string_view text, std::string_view origin);

struct HtmlOptions {
  std::string title = "Customer journey map";
  // Cells backed by fewer people than this are greyed out ("thin evidence").
  uint64_t thin_evidence_people = 30;
  // The transitions chart shows this many of the most frequent touchpoint-to-touchpoint moves.
  size_t top_transitions = 12;
  // A previous run's maps: each segment's section shows the change since then (reach,
  // conversion, emotion and NPS per stage; people, goal conversion, NPS and sentiment overall;
  // new and gone pain points), matched by segment id.
  std::vector<MapSnapshot> previous;
};

// `&`, `<`, `>`, `"` and `'` as character references; everything else unchanged.
std::string HtmlEscape(std::string_view text);

// One HTML page showing every map (the first is shown without JavaScript; buttons switch).
// `model` supplies display names of touchpoints and stages used as path nodes.
std::string JourneyMapsToHtml(const std::vector<JourneyMap>& maps, const JourneyModel& model,
                              const HtmlOptions& options = {});

// Markdown for wikis: an overview table of the stages, then a table per stage of its lanes.
std::string JourneyMapToMarkdown(const JourneyMap& map);
// CSV (RFC 4180, CRLF line ends): one row per stage, one column per lane value.
std::string JourneyMapToCsv(const JourneyMap& map);
// Mermaid `journey` diagram: stages as sections, touchpoints as tasks scored 1..5 from the
// stage's mean emotion (3 when unknown), the touchpoint's channel as the actor.
std::string JourneyMapToMermaid(const JourneyMap& map);

}  // namespace journeykit

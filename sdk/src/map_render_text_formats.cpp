// map_render_text_formats.cpp — the journey map as Markdown, CSV and Mermaid `journey` text.
#include <journeykit/map_render.hpp>
#include <journeykit/pipeline.hpp>

#include "internal/text_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace journeykit {

using internal::DurationOrDash;
using internal::PercentOrDash;

namespace {

const VoiceRow* Emotion(const JourneyMap& map, size_t stage) {
  if (!map.voice || stage >= map.voice->stages.size()) return nullptr;
  return &map.voice->stages[stage];
}

// Markdown table cell: no pipes or line breaks.
std::string Md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string CsvNumber(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : ""; }

// Mermaid journey text: ':' separates fields, '#' and ';' start comments/entities.
std::string MermaidText(std::string_view s) {
  std::string out;
  for (char c : s) {
    out.push_back(c == ':' || c == '#' || c == ';' || c == '\n' || c == '\r' ? ' ' : c);
  }
  return out;
}

}  // namespace

std::string JourneyMapToMarkdown(const JourneyMap& map) {
  std::string out =
      fmt::format("# Journey map — {} ({})\n\n", Md(map.segment_name), Md(map.segment_id));
  out += fmt::format("{} people, {} events; sources: {}.", map.people, map.events,
                     map.sources.empty() ? std::string("none")
                                         : Md(fmt::format("{}", fmt::join(map.sources, ", "))));
  if (map.people > 0) {
    out += fmt::format(" Period: {} .. {}.", FormatTimeUs(map.first_event_us).substr(0, 10),
                       FormatTimeUs(map.last_event_us).substr(0, 10));
  }
  out += "\n\n";
  out +=
      "| Stage | Reached | Onward | Conversion | Dropped | Median to next | Events | Emotion |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const StageFunnelRow& r = map.stages[i].row;
    const VoiceRow* v = Emotion(map, i);
    std::string emotion = v && v->sentiment.mean ? fmt::format("{:+.2f} (n={})", *v->sentiment.mean,
                                                               v->sentiment.count)
                                                 : "–";
    out += fmt::format("| {}{} | {} | {} | {} | {} | {} | {} | {} |\n", Md(r.stage_name),
                       r.goal ? " *" : "", r.reached,
                       r.conversion_rate ? std::to_string(r.progressed) : std::string("–"),
                       PercentOrDash(r.conversion_rate),
                       r.conversion_rate ? std::to_string(r.dropped) : std::string("–"),
                       DurationOrDash(r.median_time_to_next_s), r.events, emotion);
  }
  for (const MapStage& s : map.stages) {
    out += fmt::format("\n## {}\n\n", Md(s.row.stage_name));
    if (s.touchpoints.empty() && s.actions.empty()) {
      out += "No events.\n";
      continue;
    }
    out += "| Lane | Item | Channel | People | Share |\n|---|---|---|---:|---:|\n";
    for (const MapItem& t : s.touchpoints) {
      out += fmt::format("| Touchpoint | {} | {}{} | {} | {} |\n", Md(t.name), Md(t.channel),
                         t.online ? "" : " (offline)", t.people, PercentOrDash(t.people_share));
    }
    for (const MapItem& a : s.actions) {
      out += fmt::format("| Action | {} |  | {} | {} |\n", Md(a.name), a.people,
                         PercentOrDash(a.people_share));
    }
  }
  return out;
}

std::string JourneyMapToCsv(const JourneyMap& map) {
  std::string out =
      "stage_id,stage_name,goal,reached,progressed,dropped,conversion_rate,"
      "median_time_to_next_s,events,touchpoints,actions,emotion_count,emotion_mean,"
      "emotion_ci_low,emotion_ci_high,nps\r\n";
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const MapStage& s = map.stages[i];
    auto items = [](const std::vector<MapItem>& list) {
      std::string joined;
      for (const MapItem& m : list) {
        if (!joined.empty()) joined += "; ";
        joined += fmt::format("{} ({})", m.name, m.people);
      }
      return joined;
    };
    const VoiceRow* v = Emotion(map, i);
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n", CsvField(s.row.stage_id),
        CsvField(s.row.stage_name), s.row.goal ? "true" : "false", s.row.reached, s.row.progressed,
        s.row.dropped, CsvNumber(s.row.conversion_rate), CsvNumber(s.row.median_time_to_next_s),
        s.row.events, CsvField(items(s.touchpoints)), CsvField(items(s.actions)),
        v ? std::to_string(v->sentiment.count) : std::string(),
        CsvNumber(v ? v->sentiment.mean : std::nullopt),
        CsvNumber(v ? v->sentiment.ci_low : std::nullopt),
        CsvNumber(v ? v->sentiment.ci_high : std::nullopt),
        CsvNumber(v ? v->nps.nps : std::nullopt));
  }
  return out;
}

std::string JourneyMapToMermaid(const JourneyMap& map) {
  std::string out = "journey\n";
  out += fmt::format("  title Journey map {} ({} people)\n", MermaidText(map.segment_name),
                     map.people);
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const MapStage& s = map.stages[i];
    int score = 3;
    const VoiceRow* v = Emotion(map, i);
    if (v && v->sentiment.mean) {
      score = std::clamp(static_cast<int>(std::lround(3 + 2 * *v->sentiment.mean)), 1, 5);
    }
    out += fmt::format("  section {}\n", MermaidText(s.row.stage_name));
    if (s.touchpoints.empty()) {
      out += fmt::format("    no touchpoint data: {}\n", score);
      continue;
    }
    for (const MapItem& t : s.touchpoints) {
      out += fmt::format("    {} ({} people): {}: {}\n", MermaidText(t.name), t.people, score,
                         MermaidText(t.channel.empty() ? std::string("unknown") : t.channel));
    }
  }
  return out;
}

}  // namespace journeykit

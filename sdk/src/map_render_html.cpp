// map_render_html.cpp — the journey map as one self-contained HTML page: stages as columns,
// lanes as rows, inline SVG charts, every segment embedded (docs/html-map.md).
#include <journeykit/map_render.hpp>
#include <journeykit/pain_points.hpp>
#include <journeykit/pipeline.hpp>

#include "internal/text_format.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace journeykit {

using internal::DurationOrDash;
using internal::PercentOrDash;

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {

using simdjson::dom::element;

// Missing keys give nullopt / "" (a result with an error is never converted to an element).
std::optional<double> OptionalNumber(simdjson::simdjson_result<element> e) {
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) return d;
  return std::nullopt;
}

std::string StringOr(simdjson::simdjson_result<element> o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) == simdjson::SUCCESS) return std::string(v);
  return {};
}
std::string StringOr(element o, std::string_view key) {
  return StringOr(simdjson::simdjson_result<element>(element(o)), key);
}

Result<MapSnapshot> SnapshotOf(element map, const std::string& where) {
  MapSnapshot s;
  if (map.type() != simdjson::dom::element_type::OBJECT) {
    return InvalidArgument(where + ": not a JSON object (a journey map)");
  }
  std::string_view id;
  if (map["segment"]["id"].get_string().get(id) != simdjson::SUCCESS) {
    return InvalidArgument(where + ": segment.id missing: not a journey map (docs/journey-map.md)");
  }
  s.segment_id = std::string(id);
  s.first_event = StringOr(map["period"], "first_event");
  s.last_event = StringOr(map["period"], "last_event");
  uint64_t people = 0;
  if (map["provenance"]["people"].get_uint64().get(people) == simdjson::SUCCESS) s.people = people;
  s.goal_conversion_rate = OptionalNumber(map["goal_conversion_rate"]);
  s.nps = OptionalNumber(map["kpis"]["nps"]);
  s.sentiment_mean = OptionalNumber(map["kpis"]["sentiment_mean"]);
  simdjson::dom::array stages;
  if (map["stages"].get_array().get(stages) != simdjson::SUCCESS) {
    return InvalidArgument(where + ": stages missing: not a journey map (docs/journey-map.md)");
  }
  for (element st : stages) {
    MapSnapshot::Stage stage;
    stage.id = StringOr(st, "id");
    stage.name = StringOr(st, "name");
    if (stage.id.empty()) return InvalidArgument(where + ": a stage without an id");
    uint64_t reached = 0;
    if (st["reached"].get_uint64().get(reached) == simdjson::SUCCESS) stage.reached = reached;
    stage.conversion_rate = OptionalNumber(st["conversion_rate"]);
    stage.sentiment_mean = OptionalNumber(st["emotion"]["mean"]);
    stage.nps = OptionalNumber(st["emotion"]["nps"]);
    s.stages.push_back(std::move(stage));
  }
  simdjson::dom::array pains;
  if (map["pain_points"].get_array().get(pains) == simdjson::SUCCESS) {
    for (element p : pains) {
      s.pain_points.push_back(
          {StringOr(p, "type"), StringOr(p, "stage_id"), StringOr(p, "summary")});
    }
  }
  return s;
}

}  // namespace

Result<std::vector<MapSnapshot>> ParseMapSnapshots(std::string_view text, std::string_view origin) {
  std::vector<MapSnapshot> out;
  const std::string name(origin);
  simdjson::dom::parser parser;
  simdjson::dom::document_stream docs;
  simdjson::padded_string padded(text);
  if (parser.parse_many(padded).get(docs) != simdjson::SUCCESS) {
    return InvalidArgument(name + ": not JSON");
  }
  size_t index = 0;
  for (auto doc : docs) {
    element root;
    if (doc.get(root) != simdjson::SUCCESS) {
      return InvalidArgument(name +
                             ": not valid JSON (a journey map object, an array of them, or "
                             "one per line)");
    }
    simdjson::dom::array list;
    if (root.get_array().get(list) == simdjson::SUCCESS) {
      for (element m : list) {
        JK_ASSIGN_OR_RETURN(MapSnapshot s,
                            SnapshotOf(m, name + ": map " + std::to_string(++index)));
        out.push_back(std::move(s));
      }
    } else {
      JK_ASSIGN_OR_RETURN(MapSnapshot s,
                          SnapshotOf(root, name + ": map " + std::to_string(++index)));
      out.push_back(std::move(s));
    }
  }
  if (out.empty()) return InvalidArgument(name + ": no journey map in it");
  return out;
}

namespace {

std::string Esc(std::string_view s) { return HtmlEscape(s); }

std::string Count(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Money(double v) {
  double whole = std::round(v);
  std::string s = Count(static_cast<uint64_t>(std::fabs(whole)));
  return (whole < 0 ? "−" : "") + s;
}

// Emotion colour: red (-1) through amber (0) to green (+1).
std::string EmotionColour(double mean) {
  double hue = std::clamp((mean + 1) / 2, 0.0, 1.0) * 120;
  return fmt::format("hsl({:.0f},70%,40%)", hue);
}

// The maps' JSON, safe inside <script>: "<" only occurs inside JSON strings, where \u003c
// means the same character.
std::string EmbeddedJson(const std::vector<JourneyMap>& maps) {
  std::string json = "[";
  for (size_t i = 0; i < maps.size(); ++i) {
    if (i > 0) json += ",\n";
    json += JourneyMapToJson(maps[i]);
  }
  json += "]";
  std::string out;
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

constexpr const char* kStyle = R"CSS(
:root{--ink:#1d2330;--muted:#5f6b7a;--line:#d9dee5;--bg:#f6f7f9;--card:#fff;--accent:#2b6cb0}
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
header.page{padding:14px 20px 8px}
header.page h1{margin:0 0 4px;font-size:20px}
.legend{color:var(--muted);font-size:12px}
.legend .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;vertical-align:middle;margin:0 3px 0 8px}
.switcher{display:none;gap:6px;flex-wrap:wrap;margin:8px 0 0}
.js .switcher{display:flex}
.switcher button{font:inherit;padding:4px 10px;border:1px solid var(--line);border-radius:14px;background:var(--card);cursor:pointer}
.switcher button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
.switcher button[aria-pressed=true] .n{color:#dbe7f5}
.nojs-note{color:var(--muted);font-size:12px}
.js .nojs-note{display:none}
section.segment{padding:0 20px 20px}
section.segment[hidden]{display:none}
.seg-head h2{margin:6px 0 2px;font-size:17px}
.seg-head p{margin:0 0 8px;color:var(--muted)}
.grid{display:grid;grid-template-columns:122px repeat(var(--stages),minmax(130px,1fr));background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:hidden}
.grid>div{border-top:1px solid var(--line);padding:6px 8px;min-width:0}
.grid>div.stage,.grid>.corner{border-top:none}
.grid>div+div{border-left:1px solid var(--line)}
.lane-label{font-weight:600;color:var(--muted);background:#fafbfc;border-left:none!important;font-size:11px;text-transform:uppercase;letter-spacing:0;overflow-wrap:anywhere}
.corner{background:#fafbfc}
.stage{background:#eef3f9}
.stage h3{margin:0;font-size:14px}
.stage .goal{color:#b7791f}
.stage .reach{font-size:18px;font-weight:700}
.stage .bar{height:5px;background:var(--line);border-radius:3px;margin:3px 0 4px}
.stage .bar span{display:block;height:100%;background:var(--accent);border-radius:3px}
.stage .conv{font-size:12px;color:var(--muted)}
.stage .conv b{color:var(--ink)}
ul.items{list-style:none;margin:0;padding:0}
ul.items li{display:flex;justify-content:space-between;align-items:baseline;gap:6px;padding:2px 0;border-bottom:1px dotted #eceff3;font-size:12px}
.n .share{font-size:10px}
ul.items li:last-child{border-bottom:none}
.item-name{overflow-wrap:anywhere;line-height:1.25}
.chan{display:inline-block;font-size:10px;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 3px;margin-left:3px}
.chan.offline{border-color:#b7791f;color:#b7791f}
.n{font-variant-numeric:tabular-nums;color:var(--muted);white-space:nowrap}
.thin{opacity:.45;filter:grayscale(1)}
.thin-note{display:block;font-size:10px;color:var(--muted)}
.pain{margin:0 0 6px}.pain p{margin:2px 0;font-size:12px}.pain-rank{font-weight:700;color:#b3261e}.pain-type{font-size:11px;text-transform:uppercase;color:#b3261e}.opportunities{margin:0 0 4px;padding-left:16px;font-size:12px}.audience{margin:2px 0 8px;font-size:11px;color:#555}.empty{color:#9aa4b1;font-style:italic}
.change{margin:0 0 8px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:#fffdf5;font-size:12px}.change.none{color:var(--muted)}
.delta.better{color:#276749;font-weight:600}.delta.worse{color:#b3261e;font-weight:600}.delta.same{color:var(--muted)}
.lane-change{font-size:12px}.badge-new{font-size:10px;background:#b3261e;color:#fff;border-radius:3px;padding:0 4px}.pain-new{color:#b3261e}.pain-gone{color:#276749;text-decoration:line-through}
.emotion{padding:0!important}
.emotion svg{display:block;width:100%;height:auto}
.placeholder{color:#9aa4b1;font-style:italic;background:repeating-linear-gradient(135deg,#fff,#fff 6px,#f7f8fa 6px,#f7f8fa 12px)}
.kpis{display:flex;flex-wrap:wrap;gap:8px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:4px 10px;background:#fafbfc}
.kpi b{font-size:16px;display:block}
.kpi .n{font-size:11px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px;margin-top:14px}
.chart{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 12px;break-inside:avoid}
.chart h3{margin:0 0 6px;font-size:14px}
.chart svg{display:block;width:100%;height:auto}
svg text{font-family:inherit}
footer{color:var(--muted);font-size:11px;padding:0 20px 16px}
@page{size:A3 landscape;margin:10mm}
@media print{
 body{background:#fff;font-size:11px}
 .switcher,.nojs-note{display:none!important}
 header.page{padding:0 0 6px}
 section.segment{padding:0}
 .grid{grid-template-columns:90px repeat(var(--stages),1fr)}
 .charts{grid-template-columns:1fr 1fr}
 .grid,.chart{break-inside:avoid}
}
)CSS";

constexpr const char* kScript = R"JS(
document.documentElement.classList.add('js');
document.addEventListener('DOMContentLoaded', function () {
  var buttons = document.querySelectorAll('.switcher button');
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      document.querySelectorAll('section.segment').forEach(function (s) {
        s.hidden = s.id !== b.dataset.target;
      });
      buttons.forEach(function (o) { o.setAttribute('aria-pressed', String(o === b)); });
    });
  });
});
)JS";

class Page {
 public:
  Page(const JourneyModel& model, const HtmlOptions& options) : model_(model), options_(options) {}

  std::string Thin(uint64_t people) const {
    return people < options_.thin_evidence_people ? " thin" : "";
  }

  std::string NodeName(const Paths& paths, const std::string& id) const {
    if (paths.node == PathNode::kTouchpoint) {
      for (const Touchpoint& t : model_.touchpoints()) {
        if (t.id == id) return t.name.empty() ? t.id : t.name;
      }
    } else {
      for (const Stage& s : model_.stages()) {
        if (s.id == id) return s.name.empty() ? s.id : s.name;
      }
    }
    return id;
  }

  std::string TouchpointName(const std::string& id) const {
    for (const Touchpoint& t : model_.touchpoints()) {
      if (t.id == id) return t.name.empty() ? t.id : t.name;
    }
    return id;
  }

  void Items(std::string& out, const std::vector<MapItem>& items, bool touchpoints) const {
    if (items.empty()) {
      out += "<span class=\"empty\">none</span>";
      return;
    }
    out += "<ul class=\"items\">";
    for (const MapItem& m : items) {
      out += fmt::format("<li class=\"item{}\" data-people=\"{}\" title=\"{} people, {} events\">",
                         Thin(m.people), m.people, m.people, m.events);
      out += "<span class=\"item-name\">" + Esc(m.name);
      if (touchpoints) {
        out += fmt::format("<span class=\"chan{}\">{}{}</span>", m.online ? "" : " offline",
                           Esc(m.channel.empty() ? "?" : m.channel), m.online ? "" : " · offline");
      }
      out += fmt::format(
          "</span><span class=\"n\">{} <span class=\"share\">{:.0f}%</span></span></li>",
          Count(m.people), m.people_share * 100);
    }
    out += "</ul>";
  }

  void EmotionSvg(std::string& out, const JourneyMap& map) const {
    const size_t n = map.stages.size();
    const double col = 200, height = 150, top = 22, plot = 96;
    auto y_of = [&](double v) { return top + (1 - std::clamp(v, -1.0, 1.0)) / 2 * plot; };
    out += fmt::format(
        "<svg class=\"emotion-curve\" viewBox=\"0 0 {} {}\" role=\"img\" "
        "aria-label=\"Emotion curve: mean sentiment per stage\">",
        col * static_cast<double>(n), height);
    out += fmt::format(
        "<line x1=\"0\" x2=\"{0}\" y1=\"{1}\" y2=\"{1}\" stroke=\"#c5ccd6\" "
        "stroke-dasharray=\"4 4\"/>",
        col * static_cast<double>(n), y_of(0));
    out += fmt::format(
        "<text x=\"4\" y=\"{:.1f}\" font-size=\"10\" fill=\"#8a94a3\">+1</text>"
        "<text x=\"4\" y=\"{:.1f}\" font-size=\"10\" fill=\"#8a94a3\">0</text>"
        "<text x=\"4\" y=\"{:.1f}\" font-size=\"10\" fill=\"#8a94a3\">−1</text>",
        y_of(1) + 4, y_of(0) - 3, y_of(-1));
    // The line: one polyline per run of consecutive stages with data (gaps stay gaps).
    std::vector<std::string> runs(1);
    for (size_t i = 0; i < n; ++i) {
      const VoiceRow* v =
          map.voice && i < map.voice->stages.size() ? &map.voice->stages[i] : nullptr;
      if (v && v->sentiment.mean) {
        runs.back() += fmt::format("{:.1f},{:.1f} ", (static_cast<double>(i) + 0.5) * col,
                                   y_of(*v->sentiment.mean));
      } else if (!runs.back().empty()) {
        runs.emplace_back();
      }
    }
    for (const std::string& r : runs) {
      if (r.empty()) continue;
      out +=
          "<polyline class=\"emotion-line\" fill=\"none\" stroke=\"#7b8794\" "
          "stroke-width=\"2\" points=\"" +
          r + "\"/>";
    }
    for (size_t i = 0; i < n; ++i) {
      double x = (static_cast<double>(i) + 0.5) * col;
      const VoiceRow* v =
          map.voice && i < map.voice->stages.size() ? &map.voice->stages[i] : nullptr;
      const std::string& stage_id = map.stages[i].row.stage_id;
      if (!v || !v->sentiment.mean) {
        out += fmt::format(
            "<text class=\"emotion-nodata\" data-stage=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" "
            "text-anchor=\"middle\" font-size=\"12\" fill=\"#9aa4b1\" font-style=\"italic\">"
            "no data</text>",
            Esc(stage_id), x, y_of(0) - 6);
        continue;
      }
      const SentimentStats& s = v->sentiment;
      std::string colour = EmotionColour(*s.mean);
      out += fmt::format(
          "<g class=\"emotion-point{}\" data-stage=\"{}\" data-count=\"{}\" data-mean=\"{}\" "
          "data-people=\"{}\"><title>{}: mean sentiment {:+.2f}{}, {} signals from {} people"
          "</title>",
          Thin(v->provenance.people), Esc(stage_id), s.count, *s.mean, v->provenance.people,
          Esc(map.stages[i].row.stage_name), *s.mean,
          s.ci_low ? fmt::format(" (95% CI {:+.2f} .. {:+.2f})", *s.ci_low, *s.ci_high) : "",
          s.count, v->provenance.people);
      if (s.ci_low && s.ci_high) {
        double y1 = y_of(*s.ci_low), y2 = y_of(*s.ci_high);
        out += fmt::format(
            "<path class=\"whisker\" d=\"M{0:.1f} {1:.1f}V{2:.1f}M{3:.1f} {1:.1f}H{4:.1f}"
            "M{3:.1f} {2:.1f}H{4:.1f}\" stroke=\"{5}\" stroke-width=\"1.5\" fill=\"none\"/>",
            x, y1, y2, x - 6, x + 6, colour);
      }
      double y = y_of(*s.mean);
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"7\" fill=\"{}\" stroke=\"#fff\" "
          "stroke-width=\"2\"/>",
          x, y, colour);
      out += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"12\" "
          "font-weight=\"600\" fill=\"{}\">{:+.2f}</text>",
          x + 32, y + 4, colour, *s.mean);
      std::string nps = v->nps.nps ? fmt::format(" · NPS {:+.0f} ({})", *v->nps.nps, v->nps.answers)
                                   : std::string();
      out += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"11\" "
          "fill=\"#5f6b7a\">n={} · {} people{}</text></g>",
          x, height - 10, Count(s.count), Count(v->provenance.people), nps);
    }
    out += "</svg>";
  }

  void Kpis(std::string& out, const JourneyMap& map) const {
    std::vector<std::string> cards;
    auto card = [&](std::string_view label, const std::string& value, uint64_t people,
                    std::string_view basis) {
      cards.push_back(fmt::format(
          "<div class=\"kpi{}\" data-people=\"{}\">{}<b>{}</b><span class=\"n\">{} {}</span></div>",
          Thin(people), people, Esc(label), Esc(value), Count(people), Esc(basis)));
    };
    if (map.voice) {
      const VoiceRow& o = map.voice->overall;
      if (o.nps.nps) card("NPS", fmt::format("{:+.0f}", *o.nps.nps), o.nps.answers, "answers");
      if (o.csat.csat) card("CSAT", PercentOrDash(o.csat.csat), o.csat.answers, "answers");
      if (o.rating.mean)
        card("Average rating", fmt::format("{:.2f} / 5", *o.rating.mean), o.rating.count,
             "reviews");
      if (o.sentiment.mean)
        card("Mean sentiment", fmt::format("{:+.2f}", *o.sentiment.mean), o.sentiment.count,
             "signals");
    }
    if (map.loyalty) {
      const Loyalty& l = *map.loyalty;
      card("Repeat purchase", PercentOrDash(l.repeat.repeat_rate), l.repeat.buyers, "buyers");
      if (l.between.median_s)
        card("Between purchases", DurationOrDash(l.between.median_s), l.repeat.repeat_buyers,
             "repeat buyers");
      card("Small cycle", PercentOrDash(l.loops.small_cycle_rate), l.repeat.buyers, "buyers");
      card("Churn loop", PercentOrDash(l.loops.churn_loop_rate), l.repeat.buyers, "buyers");
      const Revenue& r = l.revenue;
      if (r.valued_orders > 0) {
        card("Revenue", Money(r.revenue), r.valued_orders, "orders with a value");
        card("Revenue per buyer", Money(*r.revenue_per_buyer), r.buyers, "buyers");
        card("Average order value", Money(*r.average_order_value), r.valued_orders, "orders");
      }
    }
    if (map.email && map.email->total.provenance.events > 0) {
      const EmailEngagementRow& e = map.email->total;
      card("E-mail open rate", PercentOrDash(e.open_rate), e.delivered, "delivered");
      card("E-mail click rate", PercentOrDash(e.click_rate), e.delivered, "delivered");
      card("Click-to-open", PercentOrDash(e.click_to_open_rate), e.opened, "openers");
      card("Bounce rate", PercentOrDash(e.bounce_rate), e.sent, "sent");
      card("Unsubscribe rate", PercentOrDash(e.unsubscribe_rate), e.delivered, "delivered");
    }
    if (map.page_load_all.events > 0) {
      card("Page load (median)", fmt::format("{:.2f} s", map.page_load_all.median_s),
           map.page_load_all.people, "people");
    }
    if (map.review_reply_all.events > 0) {
      card("Review reply (median)", DurationOrDash(map.review_reply_all.median_s),
           map.review_reply_all.events, "replied reviews");
    }
    if (map.email && map.email->total.provenance.events == 0) {
      cards.push_back(
          "<div class=\"kpi thin\" data-people=\"0\">E-mail rates<b>–</b><span class=\"n\">no "
          "e-mail events (email_delivered, email_open, …) in the data</span></div>");
    }
    if (cards.empty()) {
      out += "<span class=\"empty\">no voice or loyalty analysis in this pipeline</span>";
      return;
    }
    out += "<div class=\"kpis\">";
    for (const std::string& c : cards) out += c;
    out += "</div>";
  }

  void FunnelChart(std::string& out, const NamedFunnel& f) const {
    const Funnel& r = f.result;
    const double width = 600, row = 30, label = 170;
    double first = r.steps.empty() ? 0 : static_cast<double>(r.steps.front().reached);
    out += fmt::format(
        "<div class=\"chart funnel\" data-funnel=\"{}\"><h3>Funnel: {}</h3>"
        "<p class=\"legend\">{} entered · {} completed ({}) · {} in progress · {} dropped</p>",
        Esc(f.id), Esc(f.name), Count(r.entered), Count(r.completed),
        PercentOrDash(r.conversion_rate), Count(r.in_progress), Count(r.dropped));
    out += fmt::format("<svg viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"Funnel {}\">", width,
                       row * static_cast<double>(r.steps.size()) + 4, Esc(f.name));
    for (size_t i = 0; i < r.steps.size(); ++i) {
      const FunnelStepResult& s = r.steps[i];
      double y = row * static_cast<double>(i) + 2;
      double w = first > 0 ? (width - label - 150) * static_cast<double>(s.reached) / first : 0;
      out += fmt::format(
          "<g class=\"funnel-step{}\" data-step=\"{}\" data-reached=\"{}\">"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" font-size=\"12\">{}</text>"
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" rx=\"3\" "
          "fill=\"#2b6cb0\"/>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" fill=\"#1d2330\">{} · {}</text></g>",
          Thin(s.reached), Esc(s.id), s.reached, label - 8, y + 17, Esc(s.name), label, y + 3,
          std::max(w, 1.0), row - 8, label + std::max(w, 1.0) + 6, y + 17, Count(s.reached),
          i == 0 ? std::string("start")
                 : PercentOrDash(s.conversion_from_previous) + " of previous");
    }
    out += "</svg></div>";
  }

  // A two-column flow diagram: "from" nodes left, "to" nodes right, one band per transition
  // with its width proportional to the count.
  void TransitionsChart(std::string& out, const Paths& paths) const {
    std::vector<const PathTransition*> top;
    for (const PathTransition& t : paths.transitions) {
      if (t.from != t.to && t.count > 0) top.push_back(&t);
    }
    std::sort(top.begin(), top.end(), [](const PathTransition* a, const PathTransition* b) {
      if (a->count != b->count) return a->count > b->count;
      if (a->from != b->from) return a->from < b->from;
      return a->to < b->to;
    });
    if (top.size() > options_.top_transitions) top.resize(options_.top_transitions);
    out += fmt::format(
        "<div class=\"chart transitions\"><h3>Top {} moves between {}s</h3>"
        "<p class=\"legend\">From {} people's paths; band width ∝ number of moves; repeats of "
        "the same {} left out.</p>",
        top.size(), paths.node == PathNode::kTouchpoint ? "touchpoint" : "stage",
        Count(paths.people), paths.node == PathNode::kTouchpoint ? "touchpoint" : "stage");
    if (top.empty()) {
      out += "<span class=\"empty\">no transitions</span></div>";
      return;
    }
    std::map<std::string, uint64_t> left_total, right_total;
    uint64_t total = 0;
    for (const PathTransition* t : top) {
      left_total[t->from] += t->count;
      right_total[t->to] += t->count;
      total += t->count;
    }
    auto order = [](const std::map<std::string, uint64_t>& m) {
      std::vector<std::pair<std::string, uint64_t>> v(m.begin(), m.end());
      std::stable_sort(v.begin(), v.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      return v;
    };
    auto left = order(left_total), right = order(right_total);
    const double width = 640, x1 = 190, x2 = 450, node_w = 10, gap = 10, min_h = 3;
    const double avail = 260;
    double scale = avail / static_cast<double>(total);
    auto layout = [&](const std::vector<std::pair<std::string, uint64_t>>& nodes) {
      std::map<std::string, double> y;
      double cursor = 6;
      for (const auto& [id, count] : nodes) {
        y[id] = cursor;
        cursor += std::max(min_h, static_cast<double>(count) * scale) + gap;
      }
      return std::pair{y, cursor};
    };
    auto [ly, lh] = layout(left);
    auto [ry, rh] = layout(right);
    double height = std::max(lh, rh) + 4;
    out += fmt::format(
        "<svg viewBox=\"0 0 {} {:.0f}\" role=\"img\" aria-label=\"Transitions between "
        "touchpoints\">",
        width, height);
    std::map<std::string, double> lcur = ly, rcur = ry;
    for (const PathTransition* t : top) {
      double w = std::max(1.0, static_cast<double>(t->count) * scale);
      double ya = lcur[t->from] + w / 2, yb = rcur[t->to] + w / 2;
      lcur[t->from] += w;
      rcur[t->to] += w;
      double mid = (x1 + node_w + x2) / 2;
      out += fmt::format(
          "<path class=\"transition{}\" data-from=\"{}\" data-to=\"{}\" data-count=\"{}\" "
          "d=\"M{:.1f} {:.1f}C{:.1f} {:.1f} {:.1f} {:.1f} {:.1f} {:.1f}\" stroke=\"#2b6cb0\" "
          "stroke-opacity=\".35\" stroke-width=\"{:.1f}\" fill=\"none\"><title>{} → {}: {} moves "
          "({:.1f}% of moves out of {})</title></path>",
          Thin(t->count), Esc(t->from), Esc(t->to), t->count, x1 + node_w, ya, mid, ya, mid, yb, x2,
          yb, w, Esc(NodeName(paths, t->from)), Esc(NodeName(paths, t->to)), Count(t->count),
          t->probability * 100, Esc(NodeName(paths, t->from)));
    }
    auto nodes = [&](const std::vector<std::pair<std::string, uint64_t>>& list,
                     std::map<std::string, double>& ys, double x, bool is_left) {
      for (const auto& [id, count] : list) {
        double h = std::max(min_h, static_cast<double>(count) * scale);
        out += fmt::format(
            "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\" fill=\"#1d2330\"/>"
            "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" font-size=\"11\">{} "
            "<tspan fill=\"#5f6b7a\">{}</tspan></text>",
            x, ys[id], node_w, h, is_left ? x - 6 : x + node_w + 6, ys[id] + h / 2 + 4,
            is_left ? "end" : "start", Esc(NodeName(paths, id)), Count(count));
      }
    };
    nodes(left, ly, x1, true);
    nodes(right, ry, x2, false);
    out += "</svg></div>";
  }

  const MapSnapshot* Previous(const JourneyMap& map) const {
    for (const MapSnapshot& p : options_.previous) {
      if (p.segment_id == map.segment_id) return &p;
    }
    return nullptr;
  }

  static bool HadPain(const MapSnapshot& prev, const PainPoint& p) {
    for (const MapSnapshot::Pain& q : prev.pain_points) {
      if (q.type == PainPointTypeName(p.type) && q.stage_id == p.stage_id) return true;
    }
    return false;
  }

  // "+12" in a span coloured by sign (`better` says which sign is good).
  static std::string Delta(double d, const std::string& text, bool higher_is_better = true) {
    const char* cls = d == 0 ? "same" : ((d > 0) == higher_is_better ? "better" : "worse");
    return fmt::format("<span class=\"delta {}\">{}</span>", cls, text);
  }

  // The change since the previous map: overall numbers and the pain points that came and went.
  void ChangePanel(std::string& out, const JourneyMap& map, const MapSnapshot& prev) const {
    std::vector<const PainPoint*> added;
    for (const PainPoint& p : map.pain_points) {
      if (!HadPain(prev, p)) added.push_back(&p);
    }
    std::vector<const MapSnapshot::Pain*> gone;
    for (const MapSnapshot::Pain& q : prev.pain_points) {
      bool still = false;
      for (const PainPoint& p : map.pain_points) {
        still = still || (q.type == PainPointTypeName(p.type) && q.stage_id == p.stage_id);
      }
      if (!still) gone.push_back(&q);
    }
    const int64_t people = static_cast<int64_t>(map.people) - static_cast<int64_t>(prev.people);
    out += fmt::format(
        "<div class=\"change\" data-previous-people=\"{}\" data-delta-people=\"{}\" "
        "data-new-pain-points=\"{}\" data-gone-pain-points=\"{}\"><b>Since the previous map</b> "
        "({}): people {}",
        prev.people, people, added.size(), gone.size(),
        prev.last_event.empty() ? std::string("no events")
                                : "events up to " + Esc(prev.last_event.substr(0, 10)),
        Delta(static_cast<double>(people), fmt::format("{:+d}", people)));
    if (map.goal_conversion_rate && prev.goal_conversion_rate) {
      double d = (*map.goal_conversion_rate - *prev.goal_conversion_rate) * 100;
      out += " · goal conversion " + Delta(d, fmt::format("{:+.1f} pts", d));
    }
    const VoiceRow* overall = map.voice ? &map.voice->overall : nullptr;
    if (overall && overall->nps.nps && prev.nps) {
      double d = *overall->nps.nps - *prev.nps;
      out += " · NPS " + Delta(d, fmt::format("{:+.0f}", d));
    }
    if (overall && overall->sentiment.mean && prev.sentiment_mean) {
      double d = *overall->sentiment.mean - *prev.sentiment_mean;
      out += " · sentiment " + Delta(d, fmt::format("{:+.2f}", d));
    }
    out += "<br>New pain points: ";
    if (added.empty()) out += "none";
    for (size_t i = 0; i < added.size(); ++i) {
      out += fmt::format("{}<span class=\"pain-new\">#{} {} at {}</span>", i ? "; " : "",
                         added[i]->rank, Esc(PainPointTypeName(added[i]->type)),
                         Esc(added[i]->stage_name));
    }
    out += " · gone since then: ";
    if (gone.empty()) out += "none";
    for (size_t i = 0; i < gone.size(); ++i) {
      out += fmt::format("{}<span class=\"pain-gone\" title=\"{}\">{} at {}</span>", i ? "; " : "",
                         Esc(gone[i]->summary), Esc(gone[i]->type), Esc(gone[i]->stage_id));
    }
    out += "</div>";
  }

  // One cell per stage: reach, conversion, emotion and NPS against the previous map.
  void ChangeLane(std::string& out, const JourneyMap& map, const MapSnapshot& prev) const {
    out += "<div class=\"lane-label\">Since previous</div>";
    for (size_t i = 0; i < map.stages.size(); ++i) {
      const StageFunnelRow& r = map.stages[i].row;
      const MapSnapshot::Stage* before = nullptr;
      for (const MapSnapshot::Stage& st : prev.stages) {
        if (st.id == r.stage_id) before = &st;
      }
      if (before == nullptr) {
        out += fmt::format(
            "<div class=\"cell lane-change\" data-stage=\"{}\"><span class=\"empty\">new "
            "stage</span></div>",
            Esc(r.stage_id));
        continue;
      }
      const int64_t reach = static_cast<int64_t>(r.reached) - static_cast<int64_t>(before->reached);
      std::string attrs = fmt::format(" data-delta-reached=\"{}\"", reach);
      std::string body = "reach " + Delta(static_cast<double>(reach), fmt::format("{:+d}", reach));
      if (r.conversion_rate && before->conversion_rate) {
        double d = *r.conversion_rate - *before->conversion_rate;
        attrs += fmt::format(" data-delta-conversion=\"{}\"", d);
        body += "<br>onward " + Delta(d, fmt::format("{:+.1f} pts", d * 100));
      }
      const VoiceRow* v =
          map.voice && i < map.voice->stages.size() ? &map.voice->stages[i] : nullptr;
      if (v && v->sentiment.mean && before->sentiment_mean) {
        double d = *v->sentiment.mean - *before->sentiment_mean;
        attrs += fmt::format(" data-delta-sentiment=\"{}\"", d);
        body += "<br>emotion " + Delta(d, fmt::format("{:+.2f}", d));
      }
      if (v && v->nps.nps && before->nps) {
        double d = *v->nps.nps - *before->nps;
        attrs += fmt::format(" data-delta-nps=\"{}\"", d);
        body += "<br>NPS " + Delta(d, fmt::format("{:+.0f}", d));
      }
      out += fmt::format("<div class=\"cell lane-change\" data-stage=\"{}\"{}>{}</div>",
                         Esc(r.stage_id), attrs, body);
    }
  }

  void Segment(std::string& out, const JourneyMap& map, size_t index) const {
    const MapSnapshot* prev = Previous(map);
    const size_t n = map.stages.size();
    uint64_t max_reach = 1;
    for (const MapStage& s : map.stages) max_reach = std::max(max_reach, s.row.reached);
    out += fmt::format("<section class=\"segment\" id=\"seg-{}\" data-segment=\"{}\"{}>", index,
                       Esc(map.segment_id), index == 0 ? "" : " hidden");
    out += fmt::format("<div class=\"seg-head\"><h2>{}</h2><p>{} people · {} events",
                       Esc(map.segment_name), Count(map.people), Count(map.events));
    if (map.people > 0) {
      out += fmt::format(" · {} .. {}", FormatTimeUs(map.first_event_us).substr(0, 10),
                         FormatTimeUs(map.last_event_us).substr(0, 10));
    }
    if (!map.sources.empty()) {
      out += " · sources: " + Esc(fmt::format("{}", fmt::join(map.sources, ", ")));
    }
    if (map.goal_conversion_rate) {
      out += fmt::format(" · reached a goal stage (★): {} ({})", Count(map.people_reaching_goal),
                         PercentOrDash(map.goal_conversion_rate));
    }
    out += "</p>";
    if (prev != nullptr) {
      ChangePanel(out, map, *prev);
    } else if (!options_.previous.empty()) {
      out += "<p class=\"change none\">No previous map of this segment to compare with.</p>";
    }
    out += "</div>";
    out += fmt::format("<div class=\"grid\" style=\"--stages:{}\">", n);
    // Stage header row.
    out += "<div class=\"corner lane-label\">Stage</div>";
    for (size_t i = 0; i < n; ++i) {
      const StageFunnelRow& r = map.stages[i].row;
      out += fmt::format(
          "<div class=\"stage{}\" data-stage=\"{}\" data-reached=\"{}\" data-people=\"{}\">"
          "<h3>{}{}</h3><div class=\"reach\">{}</div><div class=\"bar\"><span "
          "style=\"width:{:.1f}%\"></span></div>",
          Thin(r.reached), Esc(r.stage_id), r.reached, r.reached, Esc(r.stage_name),
          r.goal ? " <span class=\"goal\" title=\"goal stage\">★</span>" : "", Count(r.reached),
          100.0 * static_cast<double>(r.reached) / static_cast<double>(max_reach));
      if (r.conversion_rate) {
        out += fmt::format(
            "<div class=\"conv\">→ <b>{}</b> onward ({}) · {} dropped<br>median {} to move on"
            "</div>",
            PercentOrDash(r.conversion_rate), Count(r.progressed), Count(r.dropped),
            DurationOrDash(r.median_time_to_next_s));
      } else {
        out += "<div class=\"conv\">last stage</div>";
      }
      if (r.reached < options_.thin_evidence_people) {
        out += "<span class=\"thin-note\">thin evidence</span>";
      }
      out += "</div>";
    }
    if (prev != nullptr) ChangeLane(out, map, *prev);
    // Touchpoints and actions.
    out += "<div class=\"lane-label\">Touchpoints</div>";
    for (const MapStage& s : map.stages) {
      out += fmt::format("<div class=\"cell lane-touchpoints\" data-stage=\"{}\">",
                         Esc(s.row.stage_id));
      Items(out, s.touchpoints, true);
      out += "</div>";
    }
    out += "<div class=\"lane-label\">Actions</div>";
    for (const MapStage& s : map.stages) {
      out +=
          fmt::format("<div class=\"cell lane-actions\" data-stage=\"{}\">", Esc(s.row.stage_id));
      Items(out, s.actions, false);
      out += "</div>";
    }
    // Emotion curve: one SVG across every stage column.
    out += "<div class=\"lane-label\">Emotion</div>";
    out += "<div class=\"emotion\" style=\"grid-column:2 / -1\">";
    EmotionSvg(out, map);
    out += "</div>";
    // After dropping off: what people who left at each stage did next.
    out += "<div class=\"lane-label\">Dropped off, then</div>";
    for (const MapStage& s : map.stages) {
      out +=
          fmt::format("<div class=\"cell lane-dropped\" data-stage=\"{}\">", Esc(s.row.stage_id));
      if (!s.dropped_next || s.dropped_next->dropped == 0) {
        out += "<span class=\"empty\">–</span></div>";
        continue;
      }
      const DropOffNext& d = *s.dropped_next;
      out += fmt::format(
          "<ul class=\"items\"><li class=\"item{}\" data-people=\"{}\"><span "
          "class=\"item-name\">nothing more</span><span class=\"n\">{} · {}</span></li>",
          Thin(d.dropped), d.nothing, Count(d.nothing), PercentOrDash(d.nothing_share));
      for (const NextStepCount& t : d.next_touchpoints) {
        out += fmt::format(
            "<li class=\"item{}\" data-people=\"{}\"><span class=\"item-name\">{}</span><span "
            "class=\"n\">{} · {}</span></li>",
            Thin(t.people), t.people, Esc(TouchpointName(t.id)), Count(t.people),
            PercentOrDash(t.share));
      }
      out += "</ul></div>";
    }
    // Pain points and opportunities, one cell per stage, most severe first (ranked per map).
    out += "<div class=\"lane-label\">Pain points</div>";
    for (const MapStage& s : map.stages) {
      out += fmt::format("<div class=\"cell lane-pain-points\" data-stage=\"{}\">",
                         Esc(s.row.stage_id));
      bool any = false;
      for (const PainPoint& p : map.pain_points) {
        if (p.stage_id != s.row.stage_id) continue;
        any = true;
        const bool is_new = prev != nullptr && !HadPain(*prev, p);
        out += fmt::format(
            "<div class=\"pain{}\" data-people=\"{}\" data-severity=\"{:.1f}\"><span "
            "class=\"pain-rank\">#{}</span> <span class=\"pain-type\">{}</span>{}"
            "<span class=\"n\"> · severity {:.0f}</span><p>{}</p></div>",
            Thin(p.evidence.people), p.evidence.people, p.severity, p.rank,
            Esc(PainPointTypeName(p.type)), is_new ? " <span class=\"badge-new\">new</span>" : "",
            p.severity, Esc(p.summary));
      }
      if (!any) out += "<span class=\"empty\">–</span>";
      out += "</div>";
    }
    out += "<div class=\"lane-label\">Opportunities</div>";
    for (const MapStage& s : map.stages) {
      out += fmt::format("<div class=\"cell lane-opportunities\" data-stage=\"{}\">",
                         Esc(s.row.stage_id));
      bool any = false;
      for (const PainPoint& p : map.pain_points) {
        if (p.stage_id != s.row.stage_id) continue;
        any = true;
        out += "<ul class=\"opportunities\">";
        for (const std::string& o : p.opportunities) out += "<li>" + Esc(o) + "</li>";
        out += "</ul>";
        if (!p.audience.name.empty()) {
          out += "<p class=\"audience\">Target: " + Esc(p.audience.name) + "</p>";
        }
      }
      if (!any) out += "<span class=\"empty\">–</span>";
      out += "</div>";
    }
    out +=
        "<div class=\"lane-label\">KPIs</div><div class=\"cell lane-kpis\" "
        "style=\"grid-column:2 / -1\">";
    Kpis(out, map);
    out += "</div></div>";  // cell, grid
    out += "<div class=\"charts\">";
    for (const NamedFunnel& f : map.funnels) FunnelChart(out, f);
    if (map.paths) TransitionsChart(out, *map.paths);
    out += "</div></section>";
  }

 private:
  const JourneyModel& model_;
  const HtmlOptions& options_;
};

}  // namespace

std::string JourneyMapsToHtml(const std::vector<JourneyMap>& maps, const JourneyModel& model,
                              const HtmlOptions& options) {
  Page page(model, options);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  // No network: the page may load nothing from anywhere (inline style and script only).
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">";
  out += "<title>" + Esc(options.title) + "</title><style>" + kStyle + "</style><script>" +
         kScript + "</script></head><body>";
  out += "<header class=\"page\"><h1>" + Esc(options.title) + "</h1>";
  out += fmt::format(
      "<div class=\"legend\">Stages left to right; every number shows the people behind it."
      "<span class=\"swatch\" style=\"background:#bbb\"></span>greyed: fewer than {} people "
      "(thin evidence)<span class=\"swatch\" style=\"background:hsl(0,70%,40%)\"></span>negative"
      "<span class=\"swatch\" style=\"background:hsl(60,70%,40%)\"></span>neutral"
      "<span class=\"swatch\" style=\"background:hsl(120,70%,40%)\"></span>positive emotion"
      "</div>",
      options.thin_evidence_people);
  if (maps.size() > 1) {
    out += "<nav class=\"switcher\" aria-label=\"Segment\">";
    for (size_t i = 0; i < maps.size(); ++i) {
      out += fmt::format(
          "<button type=\"button\" data-target=\"seg-{}\" aria-pressed=\"{}\">{} "
          "<span class=\"n\">{}</span></button>",
          i, i == 0 ? "true" : "false", Esc(maps[i].segment_name), Count(maps[i].people));
    }
    out +=
        "</nav><p class=\"nojs-note\">Showing the first segment; the others need "
        "JavaScript to switch.</p>";
  }
  out += "</header>";
  for (size_t i = 0; i < maps.size(); ++i) page.Segment(out, maps[i], i);
  out +=
      "<footer>Generated by JourneyKit. Numbers: the embedded JSON (schema "
      "docs/journey-map.md) in #journeymap-data.</footer>";
  out += "<script type=\"application/json\" id=\"journeymap-data\">" + EmbeddedJson(maps) +
         "</script>";
  out += "</body></html>\n";
  return out;
}

}  // namespace journeykit

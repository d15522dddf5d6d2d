// journey_map.cpp — assembling the journey map and writing it as JSON or text.
#include <journeykit/journey_map.hpp>

#include "internal/json_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace journeykit {

using internal::AppendJsonNumber;
using internal::AppendJsonString;
using internal::JsonObjectWriter;

std::string FormatTimeUs(int64_t time_us);  // pipeline.hpp

namespace {

void SortItems(std::vector<MapItem>& items, size_t top_n) {
  std::sort(items.begin(), items.end(), [](const MapItem& a, const MapItem& b) {
    if (a.people != b.people) return a.people > b.people;
    if (a.events != b.events) return a.events > b.events;
    return a.id < b.id;
  });
  if (items.size() > top_n) items.resize(top_n);
}

// Top touchpoints and actions per stage: distinct people and events of the segment.
void FillStageItems(const JourneySet& journeys, int segment, size_t top_n,
                    std::vector<MapStage>& stages) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const size_t stage_count = stages.size();
  const size_t tp_count = model.touchpoints().size();
  std::vector<uint64_t> tp_people(stage_count * tp_count, 0), tp_events(stage_count * tp_count, 0);
  std::vector<uint32_t> tp_last(stage_count * tp_count, kNoPerson);
  std::vector<std::unordered_map<uint32_t, std::pair<uint64_t, uint64_t>>> actions(stage_count);
  std::vector<std::unordered_map<uint32_t, uint32_t>> action_last(stage_count);
  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, segment)) continue;
    for (uint32_t e : journeys.events(p)) {
      uint8_t s = store.stage(e);
      if (s == kNoStage) continue;
      size_t cell = s * tp_count + store.touchpoint(e);
      ++tp_events[cell];
      if (tp_last[cell] != p) {
        tp_last[cell] = p;
        ++tp_people[cell];
      }
      auto& counts = actions[s][store.action(e)];
      ++counts.second;
      auto [it, inserted] = action_last[s].try_emplace(store.action(e), p);
      if (inserted || it->second != p) {
        it->second = p;
        ++counts.first;
      }
    }
  }
  for (size_t s = 0; s < stage_count; ++s) {
    MapStage& stage = stages[s];
    double reached = static_cast<double>(stage.row.reached);
    for (size_t t = 0; t < tp_count; ++t) {
      size_t cell = s * tp_count + t;
      if (tp_events[cell] == 0) continue;
      const Touchpoint& tp = model.touchpoints()[t];
      stage.touchpoints.push_back(
          MapItem{tp.id, tp.name, tp.channel, tp.online, tp_people[cell], tp_events[cell],
                  reached > 0 ? static_cast<double>(tp_people[cell]) / reached : 0});
    }
    for (const auto& [action, counts] : actions[s]) {
      std::string name(store.strings().Get(action));
      stage.actions.push_back(
          MapItem{name,
                  name,
                  {},
                  true,
                  counts.first,
                  counts.second,
                  reached > 0 ? static_cast<double>(counts.first) / reached : 0});
    }
    SortItems(stage.touchpoints, top_n);
    SortItems(stage.actions, top_n);
  }
}

void WriteOptional(JsonObjectWriter& w, std::string_view key, const std::optional<double>& v) {
  v ? w.Number(key, *v) : w.Null(key);
}

std::string StringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, values[i]);
  }
  return out + "]";
}

std::string ItemsJson(const std::vector<MapItem>& items, bool touchpoints) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    JsonObjectWriter w(out);
    w.String("id", items[i].id).String("name", items[i].name);
    if (touchpoints) w.String("channel", items[i].channel).Bool("online", items[i].online);
    w.Int("people", static_cast<int64_t>(items[i].people))
        .Int("events", static_cast<int64_t>(items[i].events))
        .Number("people_share", items[i].people_share);
    w.Close();
  }
  return out + "]";
}

std::string NextJson(const std::vector<NextStepCount>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    JsonObjectWriter w(out);
    w.String("id", items[i].id)
        .Int("people", static_cast<int64_t>(items[i].people))
        .Number("share", items[i].share);
    w.Close();
  }
  return out + "]";
}

std::string FunnelJson(const NamedFunnel& f) {
  const Funnel& r = f.result;
  std::string out;
  JsonObjectWriter w(out);
  w.String("id", f.id).String("name", f.name);
  w.String("mode", r.mode == FunnelMode::kOrdered       ? "ordered"
                   : r.mode == FunnelMode::kStrictOrder ? "strict_order"
                                                        : "unordered");
  w.String("counting", r.counting == FunnelCounting::kUniquePeople ? "people" : "totals");
  w.String("as_of", FormatTimeUs(r.as_of_us));
  w.Int("people", static_cast<int64_t>(r.people)).Int("events", static_cast<int64_t>(r.events));
  w.Raw("sources", StringArray(r.sources));
  w.Int("entered", static_cast<int64_t>(r.entered))
      .Int("excluded", static_cast<int64_t>(r.excluded));
  w.Int("counted", static_cast<int64_t>(r.counted))
      .Int("completed", static_cast<int64_t>(r.completed));
  w.Int("in_progress", static_cast<int64_t>(r.in_progress))
      .Int("dropped", static_cast<int64_t>(r.dropped));
  WriteOptional(w, "conversion_rate", r.conversion_rate);
  std::string edges = "[";
  for (size_t i = 0; i < r.histogram_edges_s.size(); ++i) {
    if (i > 0) edges.push_back(',');
    AppendJsonNumber(edges, r.histogram_edges_s[i]);
  }
  w.Raw("histogram_edges_s", edges + "]");
  std::string steps = "[";
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const FunnelStepResult& s = r.steps[i];
    if (i > 0) steps.push_back(',');
    JsonObjectWriter sw(steps);
    sw.String("id", s.id).String("name", s.name);
    sw.Int("reached", static_cast<int64_t>(s.reached))
        .Int("dropped", static_cast<int64_t>(s.dropped));
    sw.Int("in_progress", static_cast<int64_t>(s.in_progress));
    WriteOptional(sw, "conversion_from_previous", s.conversion_from_previous);
    WriteOptional(sw, "conversion_from_start", s.conversion_from_start);
    WriteOptional(sw, "median_time_from_entry_s", s.median_time_from_entry_s);
    WriteOptional(sw, "p90_time_from_entry_s", s.p90_time_from_entry_s);
    std::string hist = "[";
    for (size_t k = 0; k < s.time_histogram.size(); ++k) {
      if (k > 0) hist.push_back(',');
      hist += std::to_string(s.time_histogram[k]);
    }
    sw.Raw("time_histogram", hist + "]");
    sw.Close();
  }
  w.Raw("steps", steps + "]");
  w.Close();
  return out;
}

std::string PathsJson(const Paths& p) {
  std::string out;
  JsonObjectWriter w(out);
  w.String("by", p.node == PathNode::kTouchpoint ? "touchpoint" : "stage");
  w.Int("people", static_cast<int64_t>(p.people)).Int("events", static_cast<int64_t>(p.events));
  w.Int("people_with_path", static_cast<int64_t>(p.people_with_path));
  w.Int("people_without_path", static_cast<int64_t>(p.people_without_path));
  std::string top = "[";
  for (size_t i = 0; i < p.top.size(); ++i) {
    if (i > 0) top.push_back(',');
    JsonObjectWriter tw(top);
    tw.Raw("nodes", StringArray(p.top[i].nodes)).String("label", p.top[i].label);
    tw.Int("people", static_cast<int64_t>(p.top[i].people)).Number("share", p.top[i].share);
    tw.Close();
  }
  w.Raw("top", top + "]");
  w.Int("other_people", static_cast<int64_t>(p.other_people));
  w.Int("other_paths", static_cast<int64_t>(p.other_paths));
  WriteOptional(w, "other_share", p.other_share);
  std::string tr = "[";
  for (size_t i = 0; i < p.transitions.size(); ++i) {
    if (i > 0) tr.push_back(',');
    JsonObjectWriter tw(tr);
    tw.String("from", p.transitions[i].from).String("to", p.transitions[i].to);
    tw.Int("count", static_cast<int64_t>(p.transitions[i].count))
        .Number("probability", p.transitions[i].probability);
    tw.Close();
  }
  w.Raw("transitions", tr + "]");
  w.Close();
  return out;
}

std::string AttributionJson(const AttributionResult& a) {
  std::string out;
  JsonObjectWriter w(out);
  w.Int("paths", static_cast<int64_t>(a.paths)).Number("conversions", a.conversions);
  w.Number("value", a.value).Number("nulls", a.nulls);
  w.Number("unattributed_conversions", a.unattributed_conversions);
  w.Int("touches", static_cast<int64_t>(a.touches));
  w.Int("touches_outside_lookback", static_cast<int64_t>(a.touches_outside_lookback));
  WriteOptional(w, "markov_conversion_probability", a.markov_conversion_probability);
  std::string credits = "[";
  for (size_t i = 0; i < a.credits.size(); ++i) {
    const ChannelCredit& c = a.credits[i];
    if (i > 0) credits.push_back(',');
    JsonObjectWriter cw(credits);
    cw.String("channel", c.channel).String("model", ModelName(c.model));
    cw.Number("conversions", c.conversions).Number("value", c.value);
    WriteOptional(cw, "removal_effect", c.removal_effect);
    cw.Close();
  }
  w.Raw("credits", credits + "]");
  w.Close();
  return out;
}

std::string EmotionJson(const VoiceRow& row) {
  std::string out;
  JsonObjectWriter w(out);
  w.Int("count", static_cast<int64_t>(row.sentiment.count));
  WriteOptional(w, "mean", row.sentiment.mean);
  WriteOptional(w, "ci_low", row.sentiment.ci_low);
  WriteOptional(w, "ci_high", row.sentiment.ci_high);
  w.Int("nps_answers", static_cast<int64_t>(row.nps.answers));
  WriteOptional(w, "nps", row.nps.nps);
  w.Int("people", static_cast<int64_t>(row.provenance.people));
  w.Close();
  return out;
}

std::string KpisJson(const JourneyMap& map) {
  std::string out;
  JsonObjectWriter w(out);
  if (map.voice) {
    const VoiceRow& o = map.voice->overall;
    w.Int("nps_answers", static_cast<int64_t>(o.nps.answers));
    WriteOptional(w, "nps", o.nps.nps);
    w.Int("csat_answers", static_cast<int64_t>(o.csat.answers));
    WriteOptional(w, "csat", o.csat.csat);
    w.Int("ratings", static_cast<int64_t>(o.rating.count));
    WriteOptional(w, "average_rating", o.rating.mean);
    w.Int("sentiment_count", static_cast<int64_t>(o.sentiment.count));
    WriteOptional(w, "sentiment_mean", o.sentiment.mean);
  }
  if (map.loyalty) {
    const Loyalty& l = *map.loyalty;
    w.Int("buyers", static_cast<int64_t>(l.repeat.buyers));
    w.Int("repeat_buyers", static_cast<int64_t>(l.repeat.repeat_buyers));
    WriteOptional(w, "repeat_purchase_rate", l.repeat.repeat_rate);
    WriteOptional(w, "median_time_between_purchases_s", l.between.median_s);
    w.Int("small_cycle", static_cast<int64_t>(l.loops.small_cycle));
    WriteOptional(w, "small_cycle_rate", l.loops.small_cycle_rate);
    w.Int("churn_loop", static_cast<int64_t>(l.loops.churn_loop));
    WriteOptional(w, "churn_loop_rate", l.loops.churn_loop_rate);
  }
  w.Close();
  return out;
}

std::string Percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}%", *v * 100) : "–";
}

std::string Duration(const std::optional<double>& seconds) {
  if (!seconds) return "–";
  double s = *seconds;
  if (s < 60) return fmt::format("{:.0f} s", s);
  if (s < 3600) return fmt::format("{:.0f} min", s / 60);
  if (s < 86400) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} d", s / 86400);
}

}  // namespace

Result<JourneyMap> BuildJourneyMap(const JourneySet& journeys, const AnalysisPlan& plan,
                                   int segment) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  JourneyMap map;
  StageFunnel funnel = ComputeStageFunnel(journeys, segment);
  map.segment_id = funnel.segment_id;
  map.segment_name = funnel.segment_name;
  map.people = funnel.people;
  map.events = funnel.events;
  map.sources = funnel.sources;
  map.people_reaching_goal = funnel.people_reaching_goal;
  map.goal_conversion_rate = funnel.goal_conversion_rate;
  map.first_event_us = std::numeric_limits<int64_t>::max();
  map.last_event_us = std::numeric_limits<int64_t>::min();
  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, segment)) continue;
    auto events = journeys.events(p);
    if (events.empty()) continue;
    map.first_event_us = std::min(map.first_event_us, store.time_us(events.front()));
    map.last_event_us = std::max(map.last_event_us, store.time_us(events.back()));
  }
  if (map.people == 0) map.first_event_us = map.last_event_us = 0;
  for (StageFunnelRow& row : funnel.rows) {
    MapStage stage;
    stage.row = std::move(row);
    map.stages.push_back(std::move(stage));
  }
  FillStageItems(journeys, segment, plan.top_n, map.stages);
  for (MapStage& stage : map.stages) {
    if (stage.row.dropped == 0) continue;
    JK_ASSIGN_OR_RETURN(DropOffNext next,
                        ComputeDropOffNext(journeys, stage.row.stage_id, segment));
    if (next.next_touchpoints.size() > plan.top_n) next.next_touchpoints.resize(plan.top_n);
    if (next.next_actions.size() > plan.top_n) next.next_actions.resize(plan.top_n);
    stage.dropped_next = std::move(next);
  }
  for (const FunnelAnalysis& f : plan.funnels) {
    FunnelOptions options = f.options;
    options.segment = segment;
    auto result = ComputeFunnel(journeys, options);
    if (!result.ok()) return result.status().WithContext("funnel '" + f.id + "'");
    map.funnels.push_back(NamedFunnel{f.id, f.name, std::move(result).value()});
  }
  if (plan.paths) {
    PathOptions options = plan.paths->options;
    options.segment = segment;
    JK_ASSIGN_OR_RETURN(map.paths, ComputePaths(journeys, options));
  }
  if (plan.attribution) {
    size_t goal = 0;
    for (size_t s = 0; s < model.stages().size(); ++s) {
      if (model.stages()[s].id == plan.attribution->goal_stage) goal = s;
    }
    PathTable table =
        PathsFromJourneys(journeys, ConversionGoal::Stage(goal), plan.attribution->unit, segment);
    auto result = Attribute(table, plan.attribution->options);
    if (!result.ok()) return result.status().WithContext("attribution");
    map.attribution = std::move(result).value();
  }
  if (plan.voice) {
    VoiceOptions options = plan.voice->options;
    options.segment = segment;
    auto result = ComputeVoice(journeys, options);
    if (!result.ok()) return result.status().WithContext("voice");
    map.voice = std::move(result).value();
  }
  if (plan.loyalty) {
    LoyaltyOptions options = plan.loyalty->options;
    options.segment = segment;
    auto result = ComputeLoyalty(journeys, options);
    if (!result.ok()) return result.status().WithContext("loyalty");
    map.loyalty = std::move(result).value();
  }
  // Pain points from the map's own numbers; the churn loop reads the loyalty analysis's
  // purchase definition and awareness stage.
  PainPointOptions pain_options = plan.pain_points;
  if (plan.loyalty) {
    pain_options.purchase_actions = plan.loyalty->options.purchase.actions;
    pain_options.purchase_stage = plan.loyalty->options.purchase.stage;
    pain_options.awareness_stage = plan.loyalty->options.awareness_stage;
  }
  map.pain_points = ComputePainPoints(map, pain_options);
  return map;
}

std::string JourneyMapToJson(const JourneyMap& map) {
  std::string out;
  JsonObjectWriter w(out);
  w.Int("schema_version", 1);
  std::string seg;
  JsonObjectWriter sw(seg);
  sw.String("id", map.segment_id).String("name", map.segment_name);
  sw.Close();
  w.Raw("segment", seg);
  std::string period;
  JsonObjectWriter pw(period);
  if (map.people > 0) {
    pw.String("first_event", FormatTimeUs(map.first_event_us))
        .String("last_event", FormatTimeUs(map.last_event_us));
  } else {
    pw.Null("first_event").Null("last_event");
  }
  pw.Close();
  w.Raw("period", period);
  std::string prov;
  JsonObjectWriter vw(prov);
  vw.Int("people", static_cast<int64_t>(map.people))
      .Int("events", static_cast<int64_t>(map.events));
  vw.Raw("sources", StringArray(map.sources));
  vw.Close();
  w.Raw("provenance", prov);
  w.Int("people_reaching_goal", static_cast<int64_t>(map.people_reaching_goal));
  WriteOptional(w, "goal_conversion_rate", map.goal_conversion_rate);
  std::string stages = "[";
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const MapStage& s = map.stages[i];
    if (i > 0) stages.push_back(',');
    JsonObjectWriter st(stages);
    st.String("id", s.row.stage_id).String("name", s.row.stage_name).Bool("goal", s.row.goal);
    st.Int("reached", static_cast<int64_t>(s.row.reached));
    st.Int("progressed", static_cast<int64_t>(s.row.progressed));
    st.Int("dropped", static_cast<int64_t>(s.row.dropped));
    WriteOptional(st, "conversion_rate", s.row.conversion_rate);
    WriteOptional(st, "drop_off_rate", s.row.drop_off_rate);
    WriteOptional(st, "median_time_to_next_s", s.row.median_time_to_next_s);
    st.Int("events", static_cast<int64_t>(s.row.events));
    st.Raw("touchpoints", ItemsJson(s.touchpoints, true));
    st.Raw("actions", ItemsJson(s.actions, false));
    if (s.dropped_next) {
      std::string dn;
      JsonObjectWriter dw(dn);
      dw.Int("dropped", static_cast<int64_t>(s.dropped_next->dropped));
      dw.Int("nothing", static_cast<int64_t>(s.dropped_next->nothing));
      dw.Raw("next_touchpoints", NextJson(s.dropped_next->next_touchpoints));
      dw.Raw("next_actions", NextJson(s.dropped_next->next_actions));
      dw.Close();
      st.Raw("dropped_next", dn);
    } else {
      st.Null("dropped_next");
    }
    if (map.voice && i < map.voice->stages.size()) {
      st.Raw("emotion", EmotionJson(map.voice->stages[i]));
    } else {
      st.Null("emotion");
    }
    st.Close();
  }
  w.Raw("stages", stages + "]");
  std::string funnels = "[";
  for (size_t i = 0; i < map.funnels.size(); ++i) {
    if (i > 0) funnels.push_back(',');
    funnels += FunnelJson(map.funnels[i]);
  }
  w.Raw("funnels", funnels + "]");
  map.paths ? w.Raw("paths", PathsJson(*map.paths)) : w.Null("paths");
  map.attribution ? w.Raw("attribution", AttributionJson(*map.attribution)) : w.Null("attribution");
  w.Raw("kpis", KpisJson(map));
  std::string pains = "[";
  for (size_t i = 0; i < map.pain_points.size(); ++i) {
    if (i > 0) pains.push_back(',');
    pains += PainPointToJson(map.pain_points[i]);
  }
  w.Raw("pain_points", pains + "]");
  w.Close();
  return out;
}

std::string JourneyMapToText(const JourneyMap& map) {
  std::string out;
  out += fmt::format(
      "Journey map — {} ({}): {} people, {} events; sources: {}\n", map.segment_name,
      map.segment_id, map.people, map.events,
      map.sources.empty() ? std::string("none") : fmt::format("{}", fmt::join(map.sources, ", ")));
  if (map.people > 0) {
    out += fmt::format("Period: {} .. {}\n", FormatTimeUs(map.first_event_us).substr(0, 10),
                       FormatTimeUs(map.last_event_us).substr(0, 10));
  }
  if (map.people > 0 && map.people < 30) {
    out += fmt::format("Note: only {} people — treat rates as indicative.\n", map.people);
  }
  for (const MapStage& s : map.stages) {
    out += fmt::format(
        "\n[{}{}] reached {} · onward {} · drop-off {} · median to next {} · {} events\n",
        s.row.stage_name, s.row.goal ? " *" : "", s.row.reached, Percent(s.row.conversion_rate),
        s.row.conversion_rate ? fmt::format("{} ({})", s.row.dropped, Percent(s.row.drop_off_rate))
                              : "–",
        Duration(s.row.median_time_to_next_s), s.row.events);
    size_t index = static_cast<size_t>(&s - map.stages.data());
    if (map.voice && index < map.voice->stages.size()) {
      const VoiceRow& v = map.voice->stages[index];
      if (v.sentiment.count > 0) {
        out += fmt::format("  emotion: {:+.2f}", *v.sentiment.mean);
        if (v.sentiment.ci_low)
          out += fmt::format(" (95% CI {:+.2f} .. {:+.2f})", *v.sentiment.ci_low,
                             *v.sentiment.ci_high);
        out += fmt::format(", {} signals from {} people", v.sentiment.count, v.provenance.people);
        if (v.nps.nps)
          out += fmt::format("; NPS {:+.0f} from {} answers", *v.nps.nps, v.nps.answers);
        out += "\n";
      }
    }
    if (!s.touchpoints.empty()) {
      out += "  touchpoints: ";
      for (size_t i = 0; i < s.touchpoints.size(); ++i) {
        const MapItem& t = s.touchpoints[i];
        out += fmt::format("{}{} [{}{}] {} people", i ? "; " : "", t.name, t.channel,
                           t.online ? "" : ", offline", t.people);
      }
      out += "\n";
    }
    if (!s.actions.empty()) {
      out += "  actions: ";
      for (size_t i = 0; i < s.actions.size(); ++i) {
        out += fmt::format("{}{} ({} people)", i ? "; " : "", s.actions[i].id, s.actions[i].people);
      }
      out += "\n";
    }
    if (s.dropped_next && s.dropped_next->dropped > 0) {
      out += fmt::format("  after dropping off ({} people): nothing more {}",
                         s.dropped_next->dropped, Percent(s.dropped_next->nothing_share));
      for (const auto& n : s.dropped_next->next_touchpoints) {
        out += fmt::format("; {} {:.1f}%", n.id, n.share * 100);
      }
      out += "\n";
    }
  }
  if (map.goal_conversion_rate) {
    out += fmt::format("\nReached a goal stage (*): {} of {} people ({})\n",
                       map.people_reaching_goal, map.people, Percent(map.goal_conversion_rate));
  }
  if (map.voice || map.loyalty) {
    out += "\nKPIs:";
    if (map.voice) {
      const VoiceRow& o = map.voice->overall;
      if (o.nps.nps) out += fmt::format(" NPS {:+.0f} ({} answers);", *o.nps.nps, o.nps.answers);
      if (o.csat.csat)
        out += fmt::format(" CSAT {} ({} answers);", Percent(o.csat.csat), o.csat.answers);
      if (o.rating.mean)
        out += fmt::format(" average rating {:.2f} ({} reviews);", *o.rating.mean, o.rating.count);
      if (o.sentiment.mean)
        out += fmt::format(" mean sentiment {:+.2f} ({} signals);", *o.sentiment.mean,
                           o.sentiment.count);
    }
    if (map.loyalty) {
      const Loyalty& l = *map.loyalty;
      out += fmt::format(" {} buyers, repeat purchase {} ({} people)", l.repeat.buyers,
                         Percent(l.repeat.repeat_rate), l.repeat.repeat_buyers);
      if (l.between.median_s)
        out += fmt::format(", median {} between purchases", Duration(l.between.median_s));
      out += fmt::format("; small cycle {} ({}), churn loop {} ({})", l.loops.small_cycle,
                         Percent(l.loops.small_cycle_rate), l.loops.churn_loop,
                         Percent(l.loops.churn_loop_rate));
    }
    out += "\n";
  }
  out += "\nPain points and opportunities";
  if (map.pain_points.empty()) {
    out += ": none found by the rules (docs/metrics.md)\n";
  } else {
    out += " (most severe first):\n";
    for (const PainPoint& p : map.pain_points) {
      out += fmt::format("  {}. [{}] {} — severity {:.2f}\n     {}\n", p.rank, p.stage_name,
                         PainPointTypeName(p.type), p.severity, p.summary);
      for (const std::string& o : p.opportunities) out += fmt::format("     → {}\n", o);
      if (!p.audience.id.empty()) {
        out += fmt::format("     audience: {} — \"{}\"\n", p.audience.id, p.audience.name);
      }
    }
  }
  for (const NamedFunnel& f : map.funnels) {
    const Funnel& r = f.result;
    out += fmt::format(
        "\nFunnel '{}': {} entered, {} completed ({}), {} in progress, {} dropped, {} excluded\n",
        f.name, r.entered, r.completed, Percent(r.conversion_rate), r.in_progress, r.dropped,
        r.excluded);
    for (const FunnelStepResult& s : r.steps) {
      out += fmt::format("  {:<28} {:>8}  {:>7} of previous  median {:>8}  p90 {:>8}\n", s.name,
                         s.reached, Percent(s.conversion_from_previous),
                         Duration(s.median_time_from_entry_s), Duration(s.p90_time_from_entry_s));
    }
  }
  if (map.paths) {
    out += fmt::format("\nTop paths ({}s, {} people):\n",
                       map.paths->node == PathNode::kTouchpoint ? "touchpoint" : "stage",
                       map.paths->people);
    for (const PathCount& p : map.paths->top) {
      out += fmt::format("  {:>6.1f}%  {:>6}  {}\n", p.share * 100, p.people, p.label);
    }
    if (map.paths->other_people > 0) {
      out += fmt::format("  {:>6.1f}%  {:>6}  (other: {} paths)\n",
                         map.paths->other_share.value_or(0) * 100, map.paths->other_people,
                         map.paths->other_paths);
    }
  }
  if (map.attribution && !map.attribution->channels.empty()) {
    const AttributionResult& a = *map.attribution;
    out +=
        fmt::format("\nAttribution of {:.0f} conversions ({} paths, {:.0f} without conversion):\n",
                    a.conversions, a.paths, a.nulls);
    out += fmt::format("  {:<24}", "touchpoint");
    for (AttributionModel m : a.models) out += fmt::format(" {:>10}", ModelName(m));
    out += "\n";
    for (const std::string& ch : a.channels) {
      out += fmt::format("  {:<24}", ch);
      for (AttributionModel m : a.models) {
        const ChannelCredit* c = a.Find(ch, m);
        out += fmt::format(" {:>10.2f}", c ? c->conversions : 0.0);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace journeykit

// journey_map.cpp — assembling the journey map and writing it as JSON or text.
#include <journeykit/journey_map.hpp>

#include "internal/json_writer.hpp"

#include "internal/text_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace journeykit {

using internal::DurationOrDash;
using internal::PercentOrDash;

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
void FillStageItems(const JourneySet& journeys, const JourneyMapOptions& period, size_t top_n,
                    std::vector<MapStage>& stages) {
  const int segment = period.segment;
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const size_t stage_count = stages.size();
  const size_t tp_count = model.touchpoints().size();
  std::vector<uint64_t> tp_people(stage_count * tp_count, 0), tp_events(stage_count * tp_count, 0);
  std::vector<uint32_t> tp_last(stage_count * tp_count, kNoPerson);
  // Actions per stage: a dense list of counts, found through a map by action id — asked once
  // per run of equal actions (people repeat an action: page views follow page views).
  struct ActionCount {
    uint32_t action;
    uint32_t last_person;
    uint64_t people;
    uint64_t events;
  };
  struct StageActions {
    std::vector<ActionCount> counts;
    std::unordered_map<uint32_t, uint32_t> slot;  // action id -> index into counts
    uint32_t last_action = std::numeric_limits<uint32_t>::max();
    uint32_t last_slot = 0;
  };
  std::vector<StageActions> actions(stage_count);
  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, segment)) continue;
    for (uint32_t e : journeys.events(p)) {
      uint8_t s = store.stage(e);
      if (s == kNoStage || store.time_us(e) < period.from_us || store.time_us(e) >= period.to_us) {
        continue;
      }
      size_t cell = s * tp_count + store.touchpoint(e);
      ++tp_events[cell];
      if (tp_last[cell] != p) {
        tp_last[cell] = p;
        ++tp_people[cell];
      }
      StageActions& sa = actions[s];
      const uint32_t action = store.action(e);
      if (action != sa.last_action) {
        auto [it, inserted] = sa.slot.try_emplace(action, static_cast<uint32_t>(sa.counts.size()));
        if (inserted) sa.counts.push_back(ActionCount{action, kNoPerson, 0, 0});
        sa.last_action = action;
        sa.last_slot = it->second;
      }
      ActionCount& counts = sa.counts[sa.last_slot];
      ++counts.events;
      if (counts.last_person != p) {
        counts.last_person = p;
        ++counts.people;
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
    for (const ActionCount& counts : actions[s].counts) {
      std::string name(store.strings().Get(counts.action));
      stage.actions.push_back(
          MapItem{name,
                  name,
                  {},
                  true,
                  counts.people,
                  counts.events,
                  reached > 0 ? static_cast<double>(counts.people) / reached : 0});
    }
    SortItems(stage.touchpoints, top_n);
    SortItems(stage.actions, top_n);
  }
}

// Page load times and review reply delays of the segment's people inside the period, per
// stage and overall. An event's stage is its own or, without one, the person's current stage
// (their latest earlier event with a stage, before the period included), as in the voice
// analysis.
void FillTimings(const JourneySet& journeys, const JourneyMapOptions& period, JourneyMap& map) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const size_t stages = model.stages().size();
  struct Acc {
    std::vector<double> values;
    uint64_t people = 0;
    uint32_t last_person = kNoPerson;
    std::vector<uint8_t> sources;
  };
  auto acc_for = [&] {
    std::vector<Acc> v(stages + 1);  // [stages] = the whole map
    for (Acc& a : v) a.sources.assign(store.source_count(), 0);
    return v;
  };
  std::vector<Acc> loads = acc_for(), replies = acc_for();
  auto add = [&](Acc& a, double value, uint32_t p, uint16_t source) {
    a.values.push_back(value);
    a.sources[source] = 1;
    if (a.last_person != p) {
      a.last_person = p;
      ++a.people;
    }
  };
  // Without a single page load or reply delay in the store there is nothing to scan for.
  const bool any_loads = store.has_page_loads(), any_replies = store.has_reply_delays();
  for (uint32_t p = 0; (any_loads || any_replies) && p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, period.segment)) continue;
    uint8_t current = kNoStage;
    for (uint32_t e : journeys.events(p)) {
      const uint8_t own = store.stage(e);
      const uint8_t stage = own != kNoStage ? own : current;
      if (own != kNoStage) current = own;
      const int64_t t = store.time_us(e);
      if (t < period.from_us || t >= period.to_us) continue;
      const std::optional<double> load = any_loads ? store.page_load_s(e) : std::nullopt;
      const std::optional<double> reply = any_replies ? store.reply_delay_s(e) : std::nullopt;
      for (auto [value, accs] : {std::pair{load, &loads}, std::pair{reply, &replies}}) {
        if (!value) continue;
        add((*accs)[stages], *value, p, store.source(e));
        if (stage != kNoStage) add((*accs)[stage], *value, p, store.source(e));
      }
    }
  }
  auto finish = [&](Acc& a, const std::string& stage_id) {
    StageTiming t;
    t.stage_id = stage_id;
    t.events = a.values.size();
    t.people = a.people;
    t.median_s = Median(a.values).value_or(0);
    for (size_t i = 0; i < a.sources.size(); ++i) {
      if (a.sources[i]) t.sources.emplace_back(store.source_name(static_cast<uint16_t>(i)));
    }
    std::sort(t.sources.begin(), t.sources.end());
    return t;
  };
  for (size_t s = 0; s < stages; ++s) {
    if (!loads[s].values.empty()) {
      map.timings.page_load.push_back(finish(loads[s], model.stages()[s].id));
    }
    if (!replies[s].values.empty()) {
      map.timings.review_reply.push_back(finish(replies[s], model.stages()[s].id));
    }
  }
  map.page_load_all = finish(loads[stages], "");
  map.review_reply_all = finish(replies[stages], "");
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

std::string EmailJson(const EmailEngagementRow& r) {
  std::string out;
  JsonObjectWriter w(out);
  w.String("key", r.key).String("name", r.name);
  w.Int("sent", static_cast<int64_t>(r.sent)).Int("delivered", static_cast<int64_t>(r.delivered));
  w.Int("bounced", static_cast<int64_t>(r.bounced)).Int("opened", static_cast<int64_t>(r.opened));
  w.Int("clicked", static_cast<int64_t>(r.clicked))
      .Int("unsubscribed", static_cast<int64_t>(r.unsubscribed));
  w.Int("open_events", static_cast<int64_t>(r.open_events))
      .Int("click_events", static_cast<int64_t>(r.click_events));
  WriteOptional(w, "open_rate", r.open_rate);
  WriteOptional(w, "click_rate", r.click_rate);
  WriteOptional(w, "click_to_open_rate", r.click_to_open_rate);
  WriteOptional(w, "bounce_rate", r.bounce_rate);
  WriteOptional(w, "unsubscribe_rate", r.unsubscribe_rate);
  w.Int("people", static_cast<int64_t>(r.provenance.people))
      .Int("events", static_cast<int64_t>(r.provenance.events));
  w.Close();
  return out;
}

std::string TimingJson(const StageTiming& t) {
  std::string out;
  JsonObjectWriter w(out);
  w.Int("measurements", static_cast<int64_t>(t.events))
      .Int("people", static_cast<int64_t>(t.people));
  t.events > 0 ? w.Number("median_s", t.median_s) : w.Null("median_s");
  w.Close();
  return out;
}

const StageTiming* TimingAt(const std::vector<StageTiming>& list, const std::string& stage) {
  for (const StageTiming& t : list) {
    if (t.stage_id == stage) return &t;
  }
  return nullptr;
}

const EmailEngagementRow* EmailAt(const JourneyMap& map, const std::string& stage) {
  if (!map.email) return nullptr;
  for (const EmailEngagementRow& r : map.email->stages) {
    if (r.key == stage) return r.provenance.events > 0 ? &r : nullptr;
  }
  return nullptr;
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
    const Revenue& r = l.revenue;
    w.Int("orders", static_cast<int64_t>(r.orders))
        .Int("valued_orders", static_cast<int64_t>(r.valued_orders));
    w.Number("revenue", r.revenue);
    WriteOptional(w, "revenue_per_buyer", r.revenue_per_buyer);
    WriteOptional(w, "average_order_value", r.average_order_value);
  }
  if (map.email) w.Raw("email", EmailJson(map.email->total));
  w.Raw("page_load", TimingJson(map.page_load_all));
  w.Raw("review_reply", TimingJson(map.review_reply_all));
  w.Close();
  return out;
}

std::string EmailText(const EmailEngagementRow& r) {
  return fmt::format(
      "{} sent, {} delivered, opened {} ({}), clicked {} ({}, {} of openers), bounced {} ({}), "
      "unsubscribed {} ({})",
      r.sent, r.delivered, r.opened, PercentOrDash(r.open_rate), r.clicked,
      PercentOrDash(r.click_rate), PercentOrDash(r.click_to_open_rate), r.bounced,
      PercentOrDash(r.bounce_rate), r.unsubscribed, PercentOrDash(r.unsubscribe_rate));
}

}  // namespace

Result<JourneyMap> BuildJourneyMap(const JourneySet& journeys, const AnalysisPlan& plan,
                                   int segment) {
  JourneyMapOptions options;
  options.segment = segment;
  return BuildJourneyMap(journeys, plan, options);
}

Result<std::vector<JourneyMap>> BuildJourneyMaps(const JourneySet& journeys,
                                                 const AnalysisPlan& plan,
                                                 const JourneyMapOptions& options,
                                                 unsigned threads) {
  const size_t count = journeys.store().model().segments().size() + 1;
  std::vector<std::optional<Result<JourneyMap>>> results(count);
  // Maps are taken in order (everyone, the largest, first) by whichever thread is free.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      JourneyMapOptions o = options;
      o.segment = static_cast<int>(i) - 1;
      results[i].emplace(BuildJourneyMap(journeys, plan, o));
    }
  };
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t helpers = std::min<size_t>(threads, count) - 1;
  std::vector<std::thread> pool;
  pool.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  std::vector<JourneyMap> maps;
  maps.reserve(count);
  for (auto& r : results) {
    if (!r->ok()) return r->status();
    maps.push_back(std::move(*r).value());
  }
  return maps;
}

Result<JourneyMap> BuildJourneyMap(const JourneySet& journeys, const AnalysisPlan& plan,
                                   const JourneyMapOptions& options) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const int segment = options.segment;
  if (segment < -1 || segment >= static_cast<int>(model.segments().size())) {
    return InvalidArgument("journey map: no segment with index " + std::to_string(segment));
  }
  if (options.from_us >= options.to_us) {
    return InvalidArgument("journey map: the period is empty: " + FormatTimeUs(options.from_us) +
                           " is not before " + FormatTimeUs(options.to_us));
  }
  constexpr int64_t kOpenFrom = std::numeric_limits<int64_t>::min();
  constexpr int64_t kOpenTo = std::numeric_limits<int64_t>::max();
  // Every analysis's own period, narrowed to the map's.
  auto narrow = [&](int64_t& from, int64_t& to) {
    from = std::max(from, options.from_us);
    to = std::min(to, options.to_us);
  };
  JourneyMap map;
  if (options.from_us != kOpenFrom) map.period_from_us = options.from_us;
  if (options.to_us != kOpenTo) map.period_to_us = options.to_us;
  StageFunnelOptions funnel_options;
  funnel_options.segment = segment;
  funnel_options.from_us = options.from_us;
  funnel_options.to_us = options.to_us;
  StageFunnel funnel = ComputeStageFunnel(journeys, funnel_options);
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
    for (uint32_t e : journeys.events(p)) {
      const int64_t t = store.time_us(e);
      if (t < options.from_us || t >= options.to_us) continue;
      map.first_event_us = std::min(map.first_event_us, t);
      map.last_event_us = std::max(map.last_event_us, t);
    }
  }
  if (map.people == 0) map.first_event_us = map.last_event_us = 0;
  for (StageFunnelRow& row : funnel.rows) {
    MapStage stage;
    stage.row = std::move(row);
    map.stages.push_back(std::move(stage));
  }
  FillStageItems(journeys, options, plan.top_n, map.stages);
  DropOffNextOptions next_options;
  next_options.segment = segment;
  next_options.from_us = options.from_us;
  next_options.to_us = options.to_us;
  {
    // Every stage with drop-offs in one pass over the people (map.stages[s] is model stage s).
    std::vector<bool> wanted(map.stages.size(), false);
    for (size_t s = 0; s < map.stages.size(); ++s) wanted[s] = map.stages[s].row.dropped > 0;
    JK_ASSIGN_OR_RETURN(std::vector<DropOffNext> all,
                        ComputeDropOffNextByStage(journeys, wanted, next_options));
    for (size_t s = 0; s < map.stages.size(); ++s) {
      if (!wanted[s]) continue;
      DropOffNext next = std::move(all[s]);
      if (next.next_touchpoints.size() > plan.top_n) next.next_touchpoints.resize(plan.top_n);
      if (next.next_actions.size() > plan.top_n) next.next_actions.resize(plan.top_n);
      map.stages[s].dropped_next = std::move(next);
    }
  }
  for (const FunnelAnalysis& f : plan.funnels) {
    FunnelOptions o = f.options;
    o.segment = segment;
    narrow(o.entry_from_us, o.entry_to_us);
    if (o.entry_from_us >= o.entry_to_us) {
      return InvalidArgument("funnel '" + f.id +
                             "': its entry range does not overlap the map's period");
    }
    auto result = ComputeFunnel(journeys, o);
    if (!result.ok()) return result.status().WithContext("funnel '" + f.id + "'");
    map.funnels.push_back(NamedFunnel{f.id, f.name, std::move(result).value()});
  }
  if (plan.paths) {
    PathOptions o = plan.paths->options;
    o.segment = segment;
    narrow(o.from_us, o.to_us);
    JK_ASSIGN_OR_RETURN(map.paths, ComputePaths(journeys, o));
  }
  if (plan.attribution) {
    size_t goal = 0;
    for (size_t s = 0; s < model.stages().size(); ++s) {
      if (model.stages()[s].id == plan.attribution->goal_stage) goal = s;
    }
    PathTable table =
        PathsFromJourneys(journeys, ConversionGoal::Stage(goal), plan.attribution->unit, segment,
                          options.from_us, options.to_us);
    auto result = Attribute(table, plan.attribution->options);
    if (!result.ok()) return result.status().WithContext("attribution");
    map.attribution = std::move(result).value();
  }
  if (plan.voice) {
    VoiceOptions o = plan.voice->options;
    o.segment = segment;
    narrow(o.from_us, o.to_us);
    auto result = ComputeVoice(journeys, o);
    if (!result.ok()) return result.status().WithContext("voice");
    map.voice = std::move(result).value();
    EmailOptions e;
    e.segment = segment;
    e.from_us = o.from_us;
    e.to_us = o.to_us;
    e.actions = plan.voice->email_actions;
    e.inherit_stage = o.inherit_stage;
    auto email = ComputeEmailEngagement(journeys, e);
    if (!email.ok()) return email.status().WithContext("e-mail engagement");
    map.email = std::move(email).value();
  }
  if (plan.loyalty) {
    LoyaltyOptions o = plan.loyalty->options;
    o.segment = segment;
    narrow(o.from_us, o.to_us);
    auto result = ComputeLoyalty(journeys, o);
    if (!result.ok()) return result.status().WithContext("loyalty");
    map.loyalty = std::move(result).value();
  }
  FillTimings(journeys, options, map);
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
  map.period_from_us ? pw.String("from", FormatTimeUs(*map.period_from_us)) : pw.Null("from");
  map.period_to_us ? pw.String("to", FormatTimeUs(*map.period_to_us)) : pw.Null("to");
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
    if (const EmailEngagementRow* e = EmailAt(map, s.row.stage_id)) {
      st.Raw("email", EmailJson(*e));
    } else {
      st.Null("email");
    }
    const StageTiming* load = TimingAt(map.timings.page_load, s.row.stage_id);
    load ? st.Raw("page_load", TimingJson(*load)) : st.Null("page_load");
    const StageTiming* reply = TimingAt(map.timings.review_reply, s.row.stage_id);
    reply ? st.Raw("review_reply", TimingJson(*reply)) : st.Null("review_reply");
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
  if (map.email) {
    std::string campaigns = "[";
    for (size_t i = 0; i < map.email->campaigns.size(); ++i) {
      if (i > 0) campaigns.push_back(',');
      campaigns += EmailJson(map.email->campaigns[i]);
    }
    w.Raw("email_campaigns", campaigns + "]");
  } else {
    w.Null("email_campaigns");
  }
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
  if (map.period_from_us || map.period_to_us) {
    out += fmt::format("Period asked: {} .. {} (to exclusive)\n",
                       map.period_from_us ? FormatTimeUs(*map.period_from_us) : "start",
                       map.period_to_us ? FormatTimeUs(*map.period_to_us) : "end");
  }
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
        s.row.stage_name, s.row.goal ? " *" : "", s.row.reached,
        PercentOrDash(s.row.conversion_rate),
        s.row.conversion_rate
            ? fmt::format("{} ({})", s.row.dropped, PercentOrDash(s.row.drop_off_rate))
            : "–",
        DurationOrDash(s.row.median_time_to_next_s), s.row.events);
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
    if (const EmailEngagementRow* e = EmailAt(map, s.row.stage_id)) {
      out += "  e-mail: " + EmailText(*e) + "\n";
    }
    if (const StageTiming* t = TimingAt(map.timings.page_load, s.row.stage_id)) {
      out += fmt::format("  page load: median {:.2f} s ({} page loads, {} people)\n", t->median_s,
                         t->events, t->people);
    }
    if (const StageTiming* t = TimingAt(map.timings.review_reply, s.row.stage_id)) {
      out += fmt::format("  review replies: median {} ({} replied reviews)\n",
                         DurationOrDash(t->median_s), t->events);
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
                         s.dropped_next->dropped, PercentOrDash(s.dropped_next->nothing_share));
      for (const auto& n : s.dropped_next->next_touchpoints) {
        out += fmt::format("; {} {:.1f}%", n.id, n.share * 100);
      }
      out += "\n";
    }
  }
  if (map.goal_conversion_rate) {
    out +=
        fmt::format("\nReached a goal stage (*): {} of {} people ({})\n", map.people_reaching_goal,
                    map.people, PercentOrDash(map.goal_conversion_rate));
  }
  if (map.voice || map.loyalty || map.page_load_all.events > 0 || map.review_reply_all.events > 0) {
    out += "\nKPIs:";
    if (map.voice) {
      const VoiceRow& o = map.voice->overall;
      if (o.nps.nps) out += fmt::format(" NPS {:+.0f} ({} answers);", *o.nps.nps, o.nps.answers);
      if (o.csat.csat)
        out += fmt::format(" CSAT {} ({} answers);", PercentOrDash(o.csat.csat), o.csat.answers);
      if (o.rating.mean)
        out += fmt::format(" average rating {:.2f} ({} reviews);", *o.rating.mean, o.rating.count);
      if (o.sentiment.mean)
        out += fmt::format(" mean sentiment {:+.2f} ({} signals);", *o.sentiment.mean,
                           o.sentiment.count);
    }
    if (map.loyalty) {
      const Loyalty& l = *map.loyalty;
      out += fmt::format(" {} buyers, repeat purchase {} ({} people)", l.repeat.buyers,
                         PercentOrDash(l.repeat.repeat_rate), l.repeat.repeat_buyers);
      if (l.between.median_s)
        out += fmt::format(", median {} between purchases", DurationOrDash(l.between.median_s));
      out += fmt::format("; small cycle {} ({}), churn loop {} ({})", l.loops.small_cycle,
                         PercentOrDash(l.loops.small_cycle_rate), l.loops.churn_loop,
                         PercentOrDash(l.loops.churn_loop_rate));
      const Revenue& r = l.revenue;
      out += fmt::format("; revenue {:.2f} from {} orders", r.revenue, r.orders);
      if (r.revenue_per_buyer) out += fmt::format(", {:.2f} per buyer", *r.revenue_per_buyer);
      if (r.average_order_value) {
        out += fmt::format(", average order {:.2f} ({} orders with a value)",
                           *r.average_order_value, r.valued_orders);
      }
      out += ";";
    }
    if (map.page_load_all.events > 0) {
      out += fmt::format(" page load median {:.2f} s ({} page loads);", map.page_load_all.median_s,
                         map.page_load_all.events);
    }
    if (map.review_reply_all.events > 0) {
      out +=
          fmt::format(" review replies median {} ({} replied reviews);",
                      DurationOrDash(map.review_reply_all.median_s), map.review_reply_all.events);
    }
    if (out.back() == ';') out.pop_back();
    out += "\n";
    if (map.email) {
      out += "E-mail: " +
             (map.email->total.provenance.events == 0 ? std::string("no e-mail events")
                                                      : EmailText(map.email->total)) +
             "\n";
      for (const EmailEngagementRow& c : map.email->campaigns) {
        out += fmt::format("  campaign {}: {}\n", c.name, EmailText(c));
      }
    }
  }
  out += "\nPain points and opportunities";
  if (map.pain_points.empty()) {
    out += ": none found by the rules (docs/metrics.md)\n";
  } else {
    out += " (most severe first):\n";
    for (const PainPoint& p : map.pain_points) {
      out += fmt::format("  {}. [{}] {} — severity {:.1f} ({} affected × excess {:.2f})\n     {}\n",
                         p.rank, p.stage_name, PainPointTypeName(p.type), p.severity,
                         p.evidence.affected, p.excess, p.summary);
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
        f.name, r.entered, r.completed, PercentOrDash(r.conversion_rate), r.in_progress, r.dropped,
        r.excluded);
    for (const FunnelStepResult& s : r.steps) {
      out += fmt::format("  {:<28} {:>8}  {:>7} of previous  median {:>8}  p90 {:>8}\n", s.name,
                         s.reached, PercentOrDash(s.conversion_from_previous),
                         DurationOrDash(s.median_time_from_entry_s),
                         DurationOrDash(s.p90_time_from_entry_s));
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

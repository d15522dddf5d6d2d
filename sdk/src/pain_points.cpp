// pain_points.cpp — the pain point rules over a journey map's own numbers, their opportunities
// and suggested audiences.
#include <journeykit/journey_map.hpp>
#include <journeykit/pain_points.hpp>

#include "internal/json_writer.hpp"

#include <journeykit/time_units.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace journeykit {

using internal::AppendJsonNumber;
using internal::AppendJsonString;
using internal::JsonObjectWriter;

std::string_view PainPointTypeName(PainPointType type) {
  switch (type) {
    case PainPointType::kDropOff:
      return "drop_off";
    case PainPointType::kNegativeSentiment:
      return "negative_sentiment";
    case PainPointType::kSlowTransition:
      return "slow_transition";
    case PainPointType::kChurnLoop:
      return "churn_loop";
    case PainPointType::kSlowPages:
      return "slow_pages";
    case PainPointType::kSlowReviewReplies:
      return "slow_review_replies";
  }
  return "unknown";
}

namespace {

std::string Pct(double share) { return fmt::format("{:.0f}%", share * 100); }

std::string Dur(double s) { return HumanDuration(s, "days"); }

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string JsonList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, values[i]);
  }
  return out + "]";
}

std::string JsonNumber(double v) {
  std::string out;
  AppendJsonNumber(out, v);
  return out;
}

// Audience ids allow letters, digits, '-', '_', '.'.
std::string AudienceId(std::string_view base, const JourneyMap& map) {
  std::string id(base);
  if (!map.segment_id.empty() && map.segment_id != "all") id += "_" + map.segment_id;
  for (char& c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return id;
}

// {"id": ..., "name": ..., "all": [rules..., {"in_segment": seg}]}
PainPointAudience MakeAudience(const JourneyMap& map, std::string_view base_id, std::string name,
                               std::vector<std::string> rules) {
  PainPointAudience a;
  a.id = AudienceId(base_id, map);
  if (!map.segment_id.empty() && map.segment_id != "all") {
    rules.push_back("{\"in_segment\":" + JsonString(map.segment_id) + "}");
    name += " (" + map.segment_name + ")";
  }
  a.name = std::move(name);
  std::string def = "{\"id\":" + JsonString(a.id) + ",\"name\":" + JsonString(a.name) + ",";
  if (rules.size() == 1) {
    def += rules[0].substr(1);  // the rule's own keys
  } else {
    def += "\"all\":[";
    for (size_t i = 0; i < rules.size(); ++i) def += (i ? "," : "") + rules[i];
    def += "]}";
  }
  a.definition = std::move(def);
  return a;
}

std::string PurchaseCondition(const PainPointOptions& o) {
  if (!o.purchase_stage.empty()) return "{\"stage\":" + JsonString(o.purchase_stage) + "}";
  return "{\"action\":" + JsonList(o.purchase_actions) + "}";
}

bool IsWebinar(const MapItem& tp) {
  return tp.channel == "webinar" || tp.id.find("webinar") != std::string::npos;
}

struct StageContext {
  std::vector<std::string> later;  // stage ids after s, model order
  std::vector<std::string> goals_after;
  bool after_goal = false;  // a goal stage comes before s
};

// severity = affected x excess, the excess clipped to 0..1 (docs/metrics.md).
void SetSeverity(PainPoint& p, double excess, uint64_t affected) {
  p.excess = std::clamp(excess, 0.0, 1.0);
  p.severity = static_cast<double>(affected) * p.excess;
}

StageContext ContextOf(const JourneyMap& map, size_t s) {
  StageContext c;
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const StageFunnelRow& r = map.stages[i].row;
    if (i < s && r.goal) c.after_goal = true;
    if (i > s) {
      c.later.push_back(r.stage_id);
      if (r.goal) c.goals_after.push_back(r.stage_id);
    }
  }
  return c;
}

void DropOff(const JourneyMap& map, const PainPointOptions& o, std::vector<PainPoint>& out) {
  std::vector<double> rates;
  for (const MapStage& s : map.stages) {
    if (s.row.drop_off_rate) rates.push_back(*s.row.drop_off_rate);
  }
  std::optional<double> median = Median(rates);
  if (!median) return;
  const double threshold = *median + o.drop_off_margin;
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const MapStage& s = map.stages[i];
    const StageFunnelRow& r = s.row;
    if (!r.drop_off_rate || r.reached < o.min_people || !(*r.drop_off_rate > threshold)) continue;
    PainPoint p;
    p.type = PainPointType::kDropOff;
    p.stage_id = r.stage_id;
    p.stage_name = r.stage_name;
    // The share of the stage's drop-outs above the typical stage's rate: severity is then
    // reached x (rate - median), the drop-outs in excess of the median stage.
    SetSeverity(p, (*r.drop_off_rate - *median) / *r.drop_off_rate, r.dropped);
    p.evidence = {"drop_off_rate", *r.drop_off_rate, *median,  threshold,
                  r.reached,       r.dropped,        r.events, map.sources};
    p.summary = fmt::format(
        "{} of people at {} drop off ({} of {} people), against a median of {} across stages",
        Pct(*r.drop_off_rate), r.stage_name, r.dropped, r.reached, Pct(*median));
    StageContext c = ContextOf(map, i);
    std::vector<std::string> webinar;
    std::vector<std::string> webinar_names;
    for (const MapItem& tp : s.touchpoints) {
      if (IsWebinar(tp)) {
        webinar.push_back(tp.id);
        webinar_names.push_back(tp.name);
      }
    }
    const std::string window = JsonNumber(o.audience_window_days);
    const std::string days = fmt::format("{:g}", o.audience_window_days);
    if (!c.goals_after.empty()) {
      // Before the goal: the people who did not buy.
      std::string anchor = webinar.empty()
                               ? "{\"reached_stage\":" + JsonString(r.stage_id)
                               : "{\"event\":{\"touchpoint\":" + JsonList(webinar) + "}";
      anchor += ",\"not_followed_by\":{\"stage\":" + JsonList(c.goals_after) +
                "},\"within_days\":" + window + "}";
      std::string no_goal = "{\"not\":{\"reached_stage\":" + JsonList(c.goals_after) + "}}";
      std::string who = webinar.empty()
                            ? "Reached " + r.stage_name
                            : fmt::format("{} ({})", fmt::join(webinar_names, " / "), r.stage_name);
      p.audience = MakeAudience(map, "dropped_off_" + r.stage_id,
                                fmt::format("{}, no {} within {} days", who,
                                            c.goals_after.size() == 1 ? "purchase" : "goal", days),
                                {anchor, no_goal});
      if (!webinar.empty()) {
        p.opportunities = {
            "Personalised follow-up e-mail to the people who registered for or attended the "
            "webinar and did not buy: the recording, answers to the questions asked, a "
            "time-limited offer",
            "Remarketing ads (Meta, Google) to the same people",
            "Look at what they did next (dropped_next) and at the webinar's content and timing"};
      } else if (c.later.size() > 0 && c.later.front() == c.goals_after.front()) {
        p.opportunities = {
            "Abandoned-checkout reminder e-mail to the people who dropped off at " + r.stage_name,
            "Remove friction at this step: fewer fields, more payment options, clear price",
            "Remarketing ads to the people who dropped off"};
      } else {
        p.opportunities = {
            "Remarketing ads to the people who dropped off at " + r.stage_name,
            "A nurture e-mail series that answers the questions of this stage",
            "Review the stage's top touchpoints: the content that should move people on"};
      }
    } else {
      // After the goal (or no goal after it): the people who did not move on.
      std::string anchor = "{\"reached_stage\":" + JsonString(r.stage_id) +
                           ",\"not_followed_by\":{\"stage\":" + JsonList(c.later) +
                           "},\"within_days\":" + window + "}";
      std::string not_later = "{\"not\":{\"reached_stage\":" + JsonList(c.later) + "}}";
      p.audience = MakeAudience(
          map, "dropped_off_" + r.stage_id,
          fmt::format("Reached {}, did not move on within {} days", r.stage_name, days),
          {anchor, not_later});
      p.opportunities = {
          "Trigger e-mail to the people who stopped at " + r.stage_name +
              ": the next step, help, a reason to come back",
          c.after_goal ? "Onboarding and support outreach: ask what blocks them"
                       : "Remarketing ads to the people who dropped off",
          "Review the stage's top touchpoints: the content that should move people on"};
    }
    out.push_back(std::move(p));
  }
}

void NegativeSentiment(const JourneyMap& map, const PainPointOptions&,
                       std::vector<PainPoint>& out) {
  if (!map.voice) return;
  for (size_t i = 0; i < map.stages.size() && i < map.voice->stages.size(); ++i) {
    const VoiceRow& v = map.voice->stages[i];
    const SentimentStats& st = v.sentiment;
    if (!st.mean || !st.ci_high || !(*st.mean < 0) || !(*st.ci_high < 0)) continue;
    const StageFunnelRow& r = map.stages[i].row;
    PainPoint p;
    p.type = PainPointType::kNegativeSentiment;
    p.stage_id = r.stage_id;
    p.stage_name = r.stage_name;
    SetSeverity(p, -*st.mean, v.provenance.people);
    p.evidence = {
        "sentiment_mean",    *st.mean, 0.0, 0.0, v.provenance.people, v.provenance.people, st.count,
        v.provenance.sources};
    p.summary = fmt::format(
        "Feelings at {} are negative: mean sentiment {:+.2f} (95% CI {:+.2f} .. {:+.2f}) from {} "
        "signals of {} people",
        r.stage_name, *st.mean, *st.ci_low, *st.ci_high, st.count, v.provenance.people);
    if (v.nps.nps) p.summary += fmt::format("; NPS {:+.0f}", *v.nps.nps);
    p.opportunities = {"Read the detractor comments and negative reviews of " + r.stage_name +
                           " and fix the cause they name",
                       "Reach out to the detractors personally and reply to the negative reviews",
                       "Ask again after the fix and check that the emotion curve recovers"};
    p.audience = MakeAudience(
        map, "detractors_" + r.stage_id, "NPS detractors who reached " + r.stage_name,
        {"{\"reached_stage\":" + JsonString(r.stage_id) + "}", "{\"nps\":\"detractor\"}"});
    out.push_back(std::move(p));
  }
}

void SlowTransition(const JourneyMap& map, const PainPointOptions& o, std::vector<PainPoint>& out) {
  // Without an expected time, only the road to the first goal stage: after a purchase, time in
  // a stage (using the course, say) is the product being used, not a customer kept waiting.
  size_t road = map.stages.size();
  for (size_t i = 0; i < map.stages.size(); ++i) {
    if (map.stages[i].row.goal) {
      road = i;
      break;
    }
  }
  auto expected = [&](const std::string& id) -> std::optional<double> {
    for (const auto& [stage, seconds] : o.expected_time_to_next_s) {
      if (stage == id) return seconds;
    }
    return std::nullopt;
  };
  std::vector<double> medians;
  for (size_t i = 0; i < road; ++i) {
    const MapStage& s = map.stages[i];
    if (s.row.median_time_to_next_s) medians.push_back(*s.row.median_time_to_next_s);
  }
  const std::optional<double> median = Median(medians);
  for (size_t i = 0; i < map.stages.size(); ++i) {
    const StageFunnelRow& r = map.stages[i].row;
    const std::optional<double> own = expected(r.stage_id);
    if (!own && (i >= road || !median)) continue;
    const double reference = own ? *own : *median;
    const double threshold = own ? *own : o.slow_transition_factor * *median;
    if (!r.median_time_to_next_s || r.progressed < o.min_people ||
        !(*r.median_time_to_next_s > threshold))
      continue;
    const double value = *r.median_time_to_next_s;
    PainPoint p;
    p.type = PainPointType::kSlowTransition;
    p.stage_id = r.stage_id;
    p.stage_name = r.stage_name;
    SetSeverity(p, value > 0 ? 1 - reference / value : 0.0, r.progressed);
    p.evidence = {"median_time_to_next_s",
                  value,
                  reference,
                  threshold,
                  r.progressed,
                  r.progressed,
                  r.events,
                  map.sources};
    p.summary =
        own ? fmt::format(
                  "People take {} (median) to move on from {}, against an expected {} ({} people "
                  "moved on)",
                  Dur(value), r.stage_name, Dur(reference), r.progressed)
            : fmt::format(
                  "People take {} (median) to move on from {}, against a median of {} across "
                  "stages ({} people moved on)",
                  Dur(value), r.stage_name, Dur(reference), r.progressed);
    StageContext c = ContextOf(map, i);
    // The people still at the stage after the typical time between stages.
    double days = std::max(1.0, std::ceil(reference / 86400.0));
    std::string anchor = "{\"reached_stage\":" + JsonString(r.stage_id) +
                         ",\"not_followed_by\":{\"stage\":" + JsonList(c.later) +
                         "},\"within_days\":" + JsonNumber(days) + "}";
    std::string not_later = "{\"not\":{\"reached_stage\":" + JsonList(c.later) + "}}";
    p.audience = MakeAudience(
        map, "slow_" + r.stage_id,
        fmt::format("At {} for more than {:g} days without moving on", r.stage_name, days),
        {anchor, not_later});
    p.opportunities = {
        fmt::format("Reminder / trigger e-mail to people still at {} after {:g} days", r.stage_name,
                    days),
        "A time-limited offer or a deadline to shorten the decision",
        "Find what makes people wait here (missing information, price, availability)"};
    out.push_back(std::move(p));
  }
}

void ChurnLoop(const JourneyMap& map, const PainPointOptions& o, std::vector<PainPoint>& out) {
  if (!map.loyalty) return;
  const LoyaltyLoops& l = map.loyalty->loops;
  if (!l.churn_computed || !l.churn_loop_rate || l.buyers < o.min_people ||
      !(*l.churn_loop_rate > o.churn_loop_threshold))
    return;
  PainPoint p;
  p.type = PainPointType::kChurnLoop;
  p.stage_id = o.awareness_stage;
  p.stage_name = o.awareness_stage;
  for (const MapStage& s : map.stages) {
    if (s.row.stage_id == o.awareness_stage) p.stage_name = s.row.stage_name;
  }
  // The share of the loop above the threshold: severity = buyers x (rate - threshold).
  SetSeverity(p, (*l.churn_loop_rate - o.churn_loop_threshold) / *l.churn_loop_rate, l.churn_loop);
  p.evidence = {
      "churn_loop_rate", *l.churn_loop_rate, o.churn_loop_threshold, o.churn_loop_threshold,
      l.buyers,          l.churn_loop,       l.provenance.events,    l.provenance.sources};
  p.summary = fmt::format(
      "{} of buyers fall back to {} after their last purchase and do not buy again ({} of {} "
      "buyers), above the {} threshold",
      Pct(*l.churn_loop_rate), p.stage_name, l.churn_loop, l.buyers, Pct(o.churn_loop_threshold));
  p.opportunities = {
      "Win-back campaign to customers who fell back to " + p.stage_name +
          ": an offer for the next product",
      "Trigger e-mail after the purchase that starts the small cycle (next course, loyalty "
      "discount) before they search again",
      "Show existing customers dedicated creatives instead of acquisition ads"};
  // Bought, and their latest awareness event was never followed by a purchase.
  std::string purchase = PurchaseCondition(o);
  p.audience = MakeAudience(map, "churn_loop",
                            "Customers who fell back to " + p.stage_name + " and did not buy again",
                            {"{\"event\":" + purchase + "}",
                             "{\"event\":{\"stage\":" + JsonString(o.awareness_stage) +
                                 "},\"anchor\":\"last\",\"not_followed_by\":" + purchase + "}"});
  out.push_back(std::move(p));
}

void SlowTiming(const JourneyMap& map, const PainPointOptions& o,
                const std::vector<StageTiming>& timings, PainPointType type,
                std::vector<PainPoint>& out) {
  const bool pages = type == PainPointType::kSlowPages;
  const double threshold = pages ? o.slow_page_load_s : o.slow_review_reply_s;
  for (const StageTiming& t : timings) {
    // Page loads rest on people, reply delays on reviews.
    const uint64_t basis = pages ? t.people : t.events;
    if (basis < (pages ? o.min_people : o.min_reviews) || !(t.median_s > threshold)) continue;
    PainPoint p;
    p.type = type;
    p.stage_id = t.stage_id;
    p.stage_name = t.stage_id;
    for (const MapStage& s : map.stages) {
      if (s.row.stage_id == t.stage_id) p.stage_name = s.row.stage_name;
    }
    SetSeverity(p, 1 - threshold / t.median_s, basis);
    p.evidence = {pages ? "median_page_load_s" : "median_review_reply_s",
                  t.median_s,
                  threshold,
                  threshold,
                  t.people,
                  basis,
                  t.events,
                  t.sources};
    if (pages) {
      p.summary = fmt::format(
          "Pages at {} take {} to load (median of {} page loads by {} people), "
          "against a {} target",
          p.stage_name, Dur(t.median_s), t.events, t.people, Dur(threshold));
      p.opportunities = {
          "Speed up the slowest pages of " + p.stage_name + " (images, scripts, hosting)",
          "Watch page load time per page after each release"};
      p.audience = MakeAudience(map, "slow_pages_" + t.stage_id,
                                "Reached " + p.stage_name + " (saw the slow pages)",
                                {"{\"reached_stage\":" + JsonString(t.stage_id) + "}"});
    } else {
      p.summary = fmt::format(
          "Reviews at {} get a reply after {} (median of {} replied reviews), against a {} "
          "target",
          p.stage_name, Dur(t.median_s), t.events, Dur(threshold));
      p.opportunities = {
          "Reply to every review within the target: an owner and an alert per new review",
          "Answer the unanswered negative reviews first"};
      p.audience = MakeAudience(map, "reviewers_" + t.stage_id, "Left a review at " + p.stage_name,
                                {"{\"reached_stage\":" + JsonString(t.stage_id) + "}"});
    }
    out.push_back(std::move(p));
  }
}

size_t StageIndex(const JourneyMap& map, const std::string& id) {
  for (size_t i = 0; i < map.stages.size(); ++i) {
    if (map.stages[i].row.stage_id == id) return i;
  }
  return map.stages.size();
}

}  // namespace

std::vector<PainPoint> ComputePainPoints(const JourneyMap& map, const PainPointOptions& options) {
  const PainPointInputs& inputs = map.timings;
  std::vector<PainPoint> out;
  if (!options.enabled) return out;
  DropOff(map, options, out);
  NegativeSentiment(map, options, out);
  SlowTransition(map, options, out);
  ChurnLoop(map, options, out);
  SlowTiming(map, options, inputs.page_load, PainPointType::kSlowPages, out);
  SlowTiming(map, options, inputs.review_reply, PainPointType::kSlowReviewReplies, out);
  std::stable_sort(out.begin(), out.end(), [&](const PainPoint& a, const PainPoint& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.evidence.affected != b.evidence.affected)
      return a.evidence.affected > b.evidence.affected;
    if (a.type != b.type) return a.type < b.type;
    return StageIndex(map, a.stage_id) < StageIndex(map, b.stage_id);
  });
  for (size_t i = 0; i < out.size(); ++i) out[i].rank = static_cast<int>(i + 1);
  return out;
}

std::string PainPointToJson(const PainPoint& pain) {
  std::string out;
  JsonObjectWriter w(out);
  w.String("type", PainPointTypeName(pain.type));
  w.String("stage_id", pain.stage_id).String("stage_name", pain.stage_name);
  w.Int("rank", pain.rank).Number("severity", pain.severity).Number("excess", pain.excess);
  w.String("summary", pain.summary);
  std::string ev;
  JsonObjectWriter e(ev);
  e.String("metric", pain.evidence.metric)
      .Number("value", pain.evidence.value)
      .Number("reference", pain.evidence.reference)
      .Number("threshold", pain.evidence.threshold);
  e.Int("people", static_cast<int64_t>(pain.evidence.people))
      .Int("affected", static_cast<int64_t>(pain.evidence.affected))
      .Int("events", static_cast<int64_t>(pain.evidence.events));
  e.Raw("sources", JsonList(pain.evidence.sources));
  e.Close();
  w.Raw("evidence", ev);
  w.Raw("opportunities", JsonList(pain.opportunities));
  std::string au;
  JsonObjectWriter a(au);
  a.String("id", pain.audience.id).String("name", pain.audience.name);
  pain.audience.definition.empty() ? a.Null("definition")
                                   : a.Raw("definition", pain.audience.definition);
  a.Close();
  w.Raw("audience", au);
  w.Close();
  return out;
}

}  // namespace journeykit

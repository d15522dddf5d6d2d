// voice.cpp — NPS, CSAT, ratings, the emotion curve and e-mail engagement
// (docs/metrics.md, "Voice of the customer").
//
// One pass over each person's events in journey order: the person's current stage is carried
// along (for events without a stage of their own), evidence events feed the accumulators of
// their stage row and of the overall row. Accumulators are fixed per row; the per-person
// scratch of the e-mail counts is reused: no allocation per event.
#include <journeykit/voice.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <unordered_map>
#include "internal/text_match.hpp"

namespace journeykit {

namespace {

using internal::ActionSet;
using internal::EqualsIgnoreCase;

constexpr double kZ95 = 1.96;

std::vector<std::string> SourceNames(const EventStore& store, const std::vector<uint8_t>& seen) {
  std::vector<std::string> out;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) out.emplace_back(store.source_name(static_cast<uint16_t>(i)));
  }
  return out;
}

std::optional<double> Ratio(uint64_t num, uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

// A rating on [lo, hi] mapped linearly to -1..+1; nullopt off the scale.
std::optional<double> FromScale(double r, double lo, double hi) {
  if (!std::isfinite(r) || r < lo || r > hi || !(hi > lo)) return std::nullopt;
  return 2.0 * (r - lo) / (hi - lo) - 1.0;
}

// An NPS score 0..10 mapped to -1..+1 so that its sign follows the NPS groups: 7 (the lowest
// passive) is 0, promoters are positive, detractors negative: (r - 7) / 3 from 7 to 10 and
// (r - 7) / 7 from 0 to 7. nullopt off the scale.
std::optional<double> FromNpsScore(double r) {
  if (!std::isfinite(r) || r < 0 || r > 10) return std::nullopt;
  return r >= 7 ? (r - 7) / 3 : (r - 7) / 7;
}

Status CheckCommon(const JourneyModel& model, int segment, int64_t from, int64_t to,
                   std::string_view what) {
  if (segment < -1 || segment >= static_cast<int>(model.segments().size())) {
    return InvalidArgument(std::string(what) + ": segment: no segment with index " +
                           std::to_string(segment));
  }
  if (from >= to) return InvalidArgument(std::string(what) + ": period: from must be before to");
  return Status::Ok();
}

void SegmentNames(const JourneyModel& model, int segment, std::string* id, std::string* name) {
  if (segment < 0) {
    *id = "all";
    *name = "Everyone";
  } else {
    *id = model.segments()[static_cast<size_t>(segment)].id;
    *name = model.segments()[static_cast<size_t>(segment)].name;
  }
}

// What the voice analysis reads from one event.
class Resolver {
 public:
  Resolver(const EventStore& store, const VoiceOptions& o)
      : store_(store),
        o_(o),
        nps_(store.strings(), o.nps_actions),
        csat_(store.strings(), o.csat_actions),
        review_(store.strings(), o.review_actions),
        negative_(store.strings(), o.negative_email_actions),
        model_(o.text_model != nullptr ? o.text_model : &LexiconSentimentModel::BuiltinEnglish()) {}

  struct Reading {
    bool nps = false;   // an NPS answer (valid or not)
    bool csat = false;  // a CSAT answer (valid or not)
    bool review = false;
    std::optional<double> rating;
    EventSentiment sentiment;
    bool text = false;  // the text reached the model
  };

  Reading Read(size_t e) {
    Reading r;
    const uint32_t action = store_.action(e);
    r.nps = nps_.Contains(action);
    r.csat = !r.nps && csat_.Contains(action);
    r.review = !r.nps && !r.csat && review_.Contains(action);
    r.rating = store_.rating(e);
    if (auto s = store_.sentiment(e); s && std::isfinite(*s)) {
      r.sentiment = {std::clamp(*s, -1.0, 1.0), SentimentSource::kExplicit};
      return r;
    }
    if (r.rating) {
      std::optional<double> s;
      if (r.nps) {
        s = FromNpsScore(*r.rating);
      } else if (r.csat) {
        s = FromScale(*r.rating, o_.csat_scale_min, o_.csat_scale_max);
      } else {
        s = FromScale(*r.rating, 1, 5);
      }
      if (s) {
        r.sentiment = {std::clamp(*s, -1.0, 1.0), SentimentSource::kRating};
        return r;
      }
    }
    if (negative_.Contains(action)) {
      r.sentiment = {-1.0, SentimentSource::kEmail};
      return r;
    }
    if (o_.score_text) {
      std::string_view text = store_.text(e);
      if (!text.empty()) {
        r.text = true;
        if (auto s = model_->Score(text); s && std::isfinite(*s)) {
          r.sentiment = {std::clamp(*s, -1.0, 1.0), SentimentSource::kText};
        }
      }
    }
    return r;
  }

 private:
  const EventStore& store_;
  const VoiceOptions& o_;
  ActionSet nps_, csat_, review_, negative_;
  const SentimentModel* model_;
};

struct VoiceAcc {
  NpsStats nps;
  CsatStats csat;
  uint64_t rating_count = 0;
  double rating_sum = 0;
  SentimentStats sentiment;
  double mean = 0, m2 = 0;  // Welford
  uint64_t people = 0, events = 0;
  uint32_t last_person = kNoPerson;
  std::vector<uint8_t> sources;

  void Touch(uint32_t p, uint16_t source) {
    ++events;
    if (last_person != p) {
      last_person = p;
      ++people;
    }
    sources[source] = 1;
  }
  void AddSentiment(double x, SentimentSource from) {
    ++sentiment.count;
    const double delta = x - mean;
    mean += delta / static_cast<double>(sentiment.count);
    m2 += delta * (x - mean);
    switch (from) {
      case SentimentSource::kExplicit:
        ++sentiment.from_explicit;
        break;
      case SentimentSource::kRating:
        ++sentiment.from_rating;
        break;
      case SentimentSource::kEmail:
        ++sentiment.from_email;
        break;
      case SentimentSource::kText:
        ++sentiment.from_text;
        break;
      case SentimentSource::kNone:
        break;
    }
  }

  VoiceRow Finish(const EventStore& store, std::string id, std::string name) const {
    VoiceRow row;
    row.stage_id = std::move(id);
    row.stage_name = std::move(name);
    row.nps = nps;
    if (nps.answers > 0) {
      row.nps.nps = (static_cast<double>(nps.promoters) - static_cast<double>(nps.detractors)) /
                    static_cast<double>(nps.answers) * 100.0;
    }
    row.csat = csat;
    row.csat.csat = Ratio(csat.satisfied, csat.answers);
    row.rating.count = rating_count;
    if (rating_count > 0) row.rating.mean = rating_sum / static_cast<double>(rating_count);
    row.sentiment = sentiment;
    const auto n = static_cast<double>(sentiment.count);
    if (sentiment.count > 0) row.sentiment.mean = mean;
    if (sentiment.count >= 2) {
      const double s = std::sqrt(std::max(0.0, m2 / (n - 1.0)));
      const double half = kZ95 * s / std::sqrt(n);
      row.sentiment.stddev = s;
      row.sentiment.ci_low = std::clamp(mean - half, -1.0, 1.0);
      row.sentiment.ci_high = std::clamp(mean + half, -1.0, 1.0);
    }
    row.provenance.people = people;
    row.provenance.events = events;
    row.provenance.sources = SourceNames(store, sources);
    return row;
  }
};

// ---- e-mail ----

enum EmailFlag : uint8_t {
  kDelivered = 1,
  kBounced = 2,
  kOpened = 4,
  kClicked = 8,
  kUnsubscribed = 16,
};

struct EmailAcc {
  uint64_t delivered = 0, bounced = 0, sent = 0, opened = 0, clicked = 0, unsubscribed = 0;
  uint64_t people = 0, events = 0, open_events = 0, click_events = 0;
  std::vector<uint8_t> sources;

  void AddPerson(uint8_t flags) {
    ++people;
    if (flags & kDelivered) ++delivered;
    if (flags & kBounced) ++bounced;
    if (flags & (kDelivered | kBounced)) ++sent;
    if (flags & kOpened) ++opened;
    if (flags & kClicked) ++clicked;
    if (flags & kUnsubscribed) ++unsubscribed;
  }
  void AddEvent(uint8_t flag, uint16_t source) {
    ++events;
    if (flag == kOpened) ++open_events;
    if (flag == kClicked) ++click_events;
    sources[source] = 1;
  }
  EmailEngagementRow Finish(const EventStore& store, std::string key, std::string name) const {
    EmailEngagementRow r;
    r.key = std::move(key);
    r.name = std::move(name);
    r.sent = sent;
    r.delivered = delivered;
    r.bounced = bounced;
    r.opened = opened;
    r.clicked = clicked;
    r.unsubscribed = unsubscribed;
    r.open_events = open_events;
    r.click_events = click_events;
    r.open_rate = Ratio(opened, delivered);
    r.click_rate = Ratio(clicked, delivered);
    r.click_to_open_rate = Ratio(clicked, opened);
    r.bounce_rate = Ratio(bounced, sent);
    r.unsubscribe_rate = Ratio(unsubscribed, delivered);
    r.provenance.people = people;
    r.provenance.events = events;
    r.provenance.sources = SourceNames(store, sources);
    return r;
  }
};

constexpr std::string_view kNoStageId = "(no stage)";
constexpr std::string_view kNoCampaign = "(none)";

}  // namespace

EventSentiment SentimentOfEvent(const EventStore& store, size_t event,
                                const VoiceOptions& options) {
  Resolver resolver(store, options);
  return resolver.Read(event).sentiment;
}

Result<Voice> ComputeVoice(const JourneySet& journeys, const VoiceOptions& options) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const VoiceOptions& o = options;
  JK_RETURN_IF_ERROR(CheckCommon(model, o.segment, o.from_us, o.to_us, "voice"));
  if (!(o.csat_scale_max > o.csat_scale_min) || !std::isfinite(o.csat_scale_min) ||
      !std::isfinite(o.csat_scale_max) || !std::isfinite(o.csat_satisfied_min)) {
    return InvalidArgument("voice: csat_scale_min must be below csat_scale_max");
  }

  Voice out;
  SegmentNames(model, o.segment, &out.segment_id, &out.segment_name);
  const size_t stages = model.stages().size();
  const size_t n_sources = store.source_count();
  // Rows: the stages in model order, then (no stage), then overall.
  std::vector<VoiceAcc> acc(stages + 2);
  for (VoiceAcc& a : acc) a.sources.assign(n_sources, 0);
  const size_t no_stage_row = stages;
  const size_t overall_row = stages + 1;
  std::vector<uint8_t> segment_sources(n_sources, 0);
  Resolver resolver(store, o);

  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, o.segment)) continue;
    ++out.provenance.people;
    uint8_t current = kNoStage;
    for (uint32_t e : journeys.events(p)) {
      const uint8_t own = store.stage(e);
      const uint8_t stage = own != kNoStage ? own : (o.inherit_stage ? current : kNoStage);
      if (own != kNoStage) current = own;
      const int64_t t = store.time_us(e);
      if (t < o.from_us || t >= o.to_us) continue;
      ++out.provenance.events;
      const uint16_t source = store.source(e);
      segment_sources[source] = 1;

      const Resolver::Reading r = resolver.Read(e);
      if (r.text) {
        ++out.texts;
        if (r.sentiment.source != SentimentSource::kText) ++out.texts_unscored;
      }
      VoiceAcc& row = acc[stage == kNoStage ? no_stage_row : stage];
      VoiceAcc& all = acc[overall_row];
      bool evidence = false;
      if (r.nps) {
        const double x = r.rating.value_or(-1.0);
        if (r.rating && std::isfinite(x) && x >= 0.0 && x <= 10.0) {
          evidence = true;
          for (VoiceAcc* a : {&row, &all}) {
            ++a->nps.answers;
            if (x >= 9.0) {
              ++a->nps.promoters;
            } else if (x >= 7.0) {
              ++a->nps.passives;
            } else {
              ++a->nps.detractors;
            }
          }
        } else {
          ++out.invalid_scores;
        }
      } else if (r.csat) {
        const double x = r.rating.value_or(o.csat_scale_min - 1.0);
        if (r.rating && std::isfinite(x) && x >= o.csat_scale_min && x <= o.csat_scale_max) {
          evidence = true;
          for (VoiceAcc* a : {&row, &all}) {
            ++a->csat.answers;
            if (x >= o.csat_satisfied_min) ++a->csat.satisfied;
          }
        } else {
          ++out.invalid_scores;
        }
      } else if (r.review && r.rating && *r.rating >= 1.0 && *r.rating <= 5.0) {
        evidence = true;
        for (VoiceAcc* a : {&row, &all}) {
          ++a->rating_count;
          a->rating_sum += *r.rating;
        }
      }
      if (r.sentiment.value) {
        evidence = true;
        row.AddSentiment(*r.sentiment.value, r.sentiment.source);
        all.AddSentiment(*r.sentiment.value, r.sentiment.source);
      }
      if (evidence) {
        row.Touch(p, source);
        all.Touch(p, source);
      }
    }
  }

  out.provenance.sources = SourceNames(store, segment_sources);
  out.overall = acc[overall_row].Finish(store, "", "All stages");
  out.no_stage = acc[no_stage_row].Finish(store, std::string(kNoStageId), "No stage");
  for (size_t s = 0; s < stages; ++s) {
    out.stages.push_back(acc[s].Finish(store, model.stages()[s].id, model.stages()[s].name));
  }
  return out;
}

Result<EmailEngagement> ComputeEmailEngagement(const JourneySet& journeys,
                                               const EmailOptions& options) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const EmailOptions& o = options;
  JK_RETURN_IF_ERROR(CheckCommon(model, o.segment, o.from_us, o.to_us, "email"));

  EmailEngagement out;
  SegmentNames(model, o.segment, &out.segment_id, &out.segment_name);
  const size_t stages = model.stages().size();
  const size_t n_sources = store.source_count();
  ActionSet delivered(store.strings(), o.actions.delivered);
  ActionSet opened(store.strings(), o.actions.opened);
  ActionSet clicked(store.strings(), o.actions.clicked);
  ActionSet bounced(store.strings(), o.actions.bounced);
  ActionSet unsubscribed(store.strings(), o.actions.unsubscribed);
  auto flag_of = [&](uint32_t action) -> uint8_t {
    if (delivered.Contains(action)) return kDelivered;
    if (opened.Contains(action)) return kOpened;
    if (clicked.Contains(action)) return kClicked;
    if (bounced.Contains(action)) return kBounced;
    if (unsubscribed.Contains(action)) return kUnsubscribed;
    return 0;
  };

  auto make_acc = [&] {
    EmailAcc a;
    a.sources.assign(n_sources, 0);
    return a;
  };
  EmailAcc total = make_acc();
  std::vector<EmailAcc> stage_acc(stages + 1, make_acc());  // + (no stage)
  std::vector<EmailAcc> campaign_acc;
  std::unordered_map<uint32_t, size_t> campaign_row;  // campaign string id -> campaign_acc
  std::vector<uint8_t> segment_sources(n_sources, 0);

  // Per-person scratch: flags per stage row and per campaign row touched by the person.
  std::vector<uint8_t> stage_flags(stages + 1, 0);
  std::vector<size_t> stages_touched;
  std::vector<std::pair<size_t, uint8_t>> campaign_flags;

  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, o.segment)) continue;
    ++out.provenance.people;
    uint8_t current = kNoStage;
    uint8_t total_flags = 0;
    bool any = false;
    for (uint32_t e : journeys.events(p)) {
      const uint8_t own = store.stage(e);
      const uint8_t stage = own != kNoStage ? own : (o.inherit_stage ? current : kNoStage);
      if (own != kNoStage) current = own;
      const int64_t t = store.time_us(e);
      if (t < o.from_us || t >= o.to_us) continue;
      ++out.provenance.events;
      const uint16_t source = store.source(e);
      segment_sources[source] = 1;
      const uint8_t flag = flag_of(store.action(e));
      if (flag == 0) continue;
      any = true;
      total_flags |= flag;
      total.AddEvent(flag, source);

      const size_t srow = stage == kNoStage ? stages : stage;
      if (stage_flags[srow] == 0) stages_touched.push_back(srow);
      stage_flags[srow] |= flag;
      stage_acc[srow].AddEvent(flag, source);

      const uint32_t campaign = store.campaign_id(e);
      auto [it, inserted] = campaign_row.emplace(campaign, campaign_acc.size());
      if (inserted) campaign_acc.push_back(make_acc());
      const size_t crow = it->second;
      campaign_acc[crow].AddEvent(flag, source);
      auto cf = std::find_if(campaign_flags.begin(), campaign_flags.end(),
                             [&](const auto& x) { return x.first == crow; });
      if (cf == campaign_flags.end()) {
        campaign_flags.emplace_back(crow, flag);
      } else {
        cf->second |= flag;
      }
    }
    if (any) total.AddPerson(total_flags);
    for (size_t s : stages_touched) {
      stage_acc[s].AddPerson(stage_flags[s]);
      stage_flags[s] = 0;
    }
    stages_touched.clear();
    for (const auto& [crow, flags] : campaign_flags) campaign_acc[crow].AddPerson(flags);
    campaign_flags.clear();
  }

  out.provenance.sources = SourceNames(store, segment_sources);
  out.total = total.Finish(store, "total", "All e-mail");
  for (size_t s = 0; s < stages; ++s) {
    out.stages.push_back(stage_acc[s].Finish(store, model.stages()[s].id, model.stages()[s].name));
  }
  if (stage_acc[stages].events > 0) {
    out.stages.push_back(
        stage_acc[stages].Finish(store, std::string(kNoStageId), std::string("No stage")));
  }
  std::vector<std::pair<std::string_view, size_t>> names;
  for (const auto& [id, row] : campaign_row) names.emplace_back(store.strings().Get(id), row);
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
    if (a.first.empty() != b.first.empty()) return b.first.empty();  // "(none)" last
    return a.first < b.first;
  });
  for (const auto& [name, row] : names) {
    std::string key = name.empty() ? std::string(kNoCampaign) : std::string(name);
    out.campaigns.push_back(campaign_acc[row].Finish(store, key, key));
  }
  return out;
}

}  // namespace journeykit

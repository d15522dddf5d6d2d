// funnel.cpp — ordered, strict-order and unordered funnels (docs/metrics.md, "Funnels").
//
// Per person, one pass collects the events that match a step or an exclusion (a reused
// scratch vector: no allocation per event). Each candidate entry is then evaluated by a
// forward scan bounded by the conversion window; the scan keeps, per step, the latest time the
// step was reached on some valid chain from that entry (the latest is the best one to extend
// under per-step windows), which makes the furthest step reached from a fixed entry exact.
#include <journeykit/funnel.hpp>

#include <journeykit/stage_funnel.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <unordered_map>
#include "internal/text_match.hpp"

namespace journeykit {

namespace {

using internal::AnyEquals;
using internal::EqualsIgnoreCase;

constexpr size_t kMaxFunnelSteps = 32;
constexpr size_t kMaxConditions = 64;
constexpr uint32_t kNoIndex = std::numeric_limits<uint32_t>::max();

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

// Low `n` bits set (n <= 64).
uint64_t LowBits(size_t n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

// Steps and exclusions compiled to bit masks over the stored columns. Every condition of every
// step gets one bit; an event's condition mask is the AND of its per-column masks.
class StepMatcher {
 public:
  Status Compile(const EventStore& store, const std::vector<FunnelStep>& steps,
                 const std::vector<FunnelExclusion>& exclusions) {
    const JourneyModel& model = store.model();
    strings_ = &store.strings();
    source_mask_.assign(store.source_count(), 0);
    touchpoint_mask_.assign(model.touchpoints().size(), 0);
    stage_mask_.fill(0);
    for (size_t k = 0; k < steps.size(); ++k) {
      JK_RETURN_IF_ERROR(AddStep(store, steps[k], &step_conditions_)
                             .WithContext("steps[" + std::to_string(k) + "]"));
    }
    for (size_t x = 0; x < exclusions.size(); ++x) {
      JK_RETURN_IF_ERROR(AddStep(store, exclusions[x].step, &exclusion_conditions_)
                             .WithContext("exclusions[" + std::to_string(x) + "]"));
    }
    return Status::Ok();
  }

  // Bit k set when the event matches funnel step k.
  uint32_t Steps(uint64_t conditions) const { return Project(conditions, step_conditions_); }
  uint32_t Exclusions(uint64_t conditions) const {
    return Project(conditions, exclusion_conditions_);
  }

  uint64_t Conditions(const EventStore& store, size_t e) {
    uint64_t mask = source_mask_[store.source(e)] & touchpoint_mask_[store.touchpoint(e)] &
                    stage_mask_[store.stage(e)];
    if (mask == 0) return 0;
    return mask & ActionMask(store.action(e));
  }

 private:
  static uint32_t Project(uint64_t conditions, const std::vector<uint64_t>& per_step) {
    uint32_t out = 0;
    for (size_t k = 0; k < per_step.size(); ++k) {
      if ((conditions & per_step[k]) != 0) out |= 1u << k;
    }
    return out;
  }

  uint64_t ActionMask(uint32_t action) {
    if (action == last_action_) return last_action_mask_;
    auto it = action_cache_.find(action);
    uint64_t mask = 0;
    if (it != action_cache_.end()) {
      mask = it->second;
    } else {
      std::string_view name = strings_->Get(action);
      for (size_t b = 0; b < actions_.size(); ++b) {
        if (actions_[b].empty() || AnyEquals(actions_[b], name)) mask |= uint64_t{1} << b;
      }
      action_cache_.emplace(action, mask);
    }
    last_action_ = action;
    last_action_mask_ = mask;
    return mask;
  }

  Status AddStep(const EventStore& store, const FunnelStep& step, std::vector<uint64_t>* out) {
    const JourneyModel& model = store.model();
    for (const std::string& s : step.stages) {
      bool found = std::any_of(model.stages().begin(), model.stages().end(),
                               [&](const Stage& st) { return EqualsIgnoreCase(st.id, s); });
      if (!found) return InvalidArgument("stage '" + s + "' is not defined in the model");
    }
    static const Condition kEverything;
    std::vector<const Condition*> conditions;
    for (const Condition& c : step.when) conditions.push_back(&c);
    if (conditions.empty()) conditions.push_back(&kEverything);
    uint64_t bits = 0;
    for (const Condition* c : conditions) {
      if (!c->url_contains.empty() || !c->hints.empty() || !c->properties.empty()) {
        return InvalidArgument(
            "a funnel step can only test stored columns (action, source, touchpoint, channel, "
            "stage); url_contains, hints and properties are not stored per event: define a "
            "touchpoint or stage rule for them and test that instead");
      }
      for (const std::string& t : c->touchpoints) {
        bool found = std::any_of(model.touchpoints().begin(), model.touchpoints().end(),
                                 [&](const Touchpoint& tp) { return EqualsIgnoreCase(tp.id, t); });
        if (!found) return InvalidArgument("touchpoint '" + t + "' is not defined in the model");
      }
      for (const std::string& ch : c->channels) {
        bool found =
            std::any_of(model.touchpoints().begin(), model.touchpoints().end(),
                        [&](const Touchpoint& tp) { return EqualsIgnoreCase(tp.channel, ch); });
        if (!found) return InvalidArgument("no touchpoint of the model has channel '" + ch + "'");
      }
      if (actions_.size() >= kMaxConditions) {
        return InvalidArgument("at most " + std::to_string(kMaxConditions) +
                               " conditions in all steps and exclusions of one funnel");
      }
      const size_t b = actions_.size();
      const uint64_t bit = uint64_t{1} << b;
      bits |= bit;
      actions_.push_back(c->actions);
      for (size_t s = 0; s < source_mask_.size(); ++s) {
        if (c->sources.empty() ||
            AnyEquals(c->sources, store.source_name(static_cast<uint16_t>(s))))
          source_mask_[s] |= bit;
      }
      for (size_t t = 0; t < model.touchpoints().size(); ++t) {
        const Touchpoint& tp = model.touchpoints()[t];
        if ((c->touchpoints.empty() || AnyEquals(c->touchpoints, tp.id)) &&
            (c->channels.empty() || AnyEquals(c->channels, tp.channel))) {
          touchpoint_mask_[t] |= bit;
        }
      }
      for (size_t s = 0; s < stage_mask_.size(); ++s) {
        bool ok = step.stages.empty() ||
                  (s < model.stages().size() && AnyEquals(step.stages, model.stages()[s].id));
        if (ok) stage_mask_[s] |= bit;
      }
    }
    out->push_back(bits);
    return Status::Ok();
  }

  const StringPool* strings_ = nullptr;
  std::vector<std::vector<std::string>> actions_;  // per condition bit; empty: any action
  std::vector<uint64_t> source_mask_;
  std::vector<uint64_t> touchpoint_mask_;
  std::array<uint64_t, 256> stage_mask_{};
  std::vector<uint64_t> step_conditions_;
  std::vector<uint64_t> exclusion_conditions_;
  std::unordered_map<uint32_t, uint64_t> action_cache_;
  uint32_t last_action_ = kNoIndex;
  uint64_t last_action_mask_ = 0;
};

// An event of the person that matters to the funnel.
struct Ev {
  int64_t t;
  uint32_t steps;       // funnel steps it matches
  uint32_t exclusions;  // exclusions it matches (0 when it matches a step)
};

// One chain evaluated from a fixed entry.
struct Chain {
  uint32_t entry = 0;
  size_t level = 0;  // steps reached (ordered) / distinct steps done (unordered)
  std::array<uint32_t, kMaxFunnelSteps> first{};  // index in `rel` where step k was first reached
  std::array<int64_t, kMaxFunnelSteps> latest{};  // latest time step k was reached (ordered)
  uint32_t did = 0;                               // unordered: steps done within the window
  uint32_t end = 0;                               // index of the completing event
  bool broken = false;                            // strict order: an out-of-order step came
  bool exhausted = false;                         // scanned to the last event inside the window
  bool cut = false;                               // stopped at an event beyond the window
};

class FunnelEngine {
 public:
  FunnelEngine(const FunnelOptions& options, int64_t as_of)
      : o_(options), n_(options.steps.size()), as_of_(as_of) {}

  bool IsEntry(const Ev& ev) const {
    bool step = o_.mode == FunnelMode::kUnordered ? ev.steps != 0 : (ev.steps & 1u) != 0;
    return step && ev.t >= o_.entry_from_us && ev.t < o_.entry_to_us;
  }

  int64_t Limit(const std::vector<Ev>& rel, uint32_t i) const {
    return SaturatingAdd(rel[i].t, o_.window_us);
  }

  int64_t StepWindow(size_t k) const {
    return o_.step_windows_us.empty() ? 0 : o_.step_windows_us[k];
  }

  void Evaluate(const std::vector<Ev>& rel, uint32_t i, Chain& c) const {
    if (o_.mode == FunnelMode::kUnordered) {
      EvaluateUnordered(rel, i, c);
    } else {
      EvaluateOrdered(rel, i, c);
    }
  }

  void EvaluateOrdered(const std::vector<Ev>& rel, uint32_t i, Chain& c) const {
    const bool strict = o_.mode == FunnelMode::kStrictOrder;
    c.entry = i;
    c.level = 1;
    c.first[0] = i;
    c.latest[0] = rel[i].t;
    c.did = 1;
    c.broken = c.exhausted = c.cut = false;
    c.end = i;
    if (n_ == 1) return;
    const int64_t limit = Limit(rel, i);
    uint32_t j = i + 1;
    for (; j < rel.size(); ++j) {
      const Ev& ev = rel[j];
      if (ev.t > limit) {
        c.cut = true;
        break;
      }
      const uint32_t sm = ev.steps;
      if (sm == 0) {
        if (strict && o_.strict_unmatched_breaks) {
          c.broken = true;
          break;
        }
        continue;
      }
      // Strict order: an event that matches only steps beyond the next one breaks the chain.
      if (strict && (sm & LowBits(c.level + 1)) == 0) {
        c.broken = true;
        break;
      }
      // Highest step first, so that one event never fills two consecutive steps of a chain.
      for (size_t k = std::min(c.level, n_ - 1); k >= 1; --k) {
        if ((sm >> k & 1u) == 0) continue;
        const int64_t w = StepWindow(k);
        if (w > 0 && ev.t - c.latest[k - 1] > w) continue;
        if (k == c.level) {
          c.first[k] = j;
          ++c.level;
        }
        c.latest[k] = ev.t;
      }
      if (c.level == n_) {
        c.end = j;
        break;
      }
    }
    c.did = static_cast<uint32_t>(LowBits(c.level));
    if (j == rel.size()) c.exhausted = true;
  }

  void EvaluateUnordered(const std::vector<Ev>& rel, uint32_t i, Chain& c) const {
    c.entry = i;
    c.level = 0;
    c.did = 0;
    c.broken = c.exhausted = c.cut = false;
    c.end = i;
    const int64_t limit = Limit(rel, i);
    uint32_t j = i;
    for (; j < rel.size(); ++j) {
      if (rel[j].t > limit) {
        c.cut = true;
        break;
      }
      uint32_t added = rel[j].steps & ~c.did;
      if (added == 0) continue;
      c.did |= added;
      for (int extra = std::popcount(added); extra > 0; --extra) c.first[c.level++] = j;
      if (c.level == n_) {
        c.end = j;
        break;
      }
    }
    if (j == rel.size()) c.exhausted = true;
  }

  // Can the chain still reach a further step at as_of?
  bool Advanceable(const std::vector<Ev>& rel, const Chain& c) const {
    if (c.level >= n_ || c.broken) return false;
    if (Limit(rel, c.entry) <= as_of_) return false;
    if (o_.mode == FunnelMode::kUnordered) return true;
    for (size_t k = 0; k < c.level; ++k) {
      const int64_t w = StepWindow(k + 1);
      if (w == 0 || SaturatingAdd(c.latest[k], w) > as_of_) return true;
    }
    return false;
  }

  bool Excluded(const std::vector<Ev>& rel, const Chain& c) const {
    const int64_t limit = Limit(rel, c.entry);
    for (size_t x = 0; x < o_.exclusions.size(); ++x) {
      const FunnelExclusion& ex = o_.exclusions[x];
      const uint32_t bit = 1u << x;
      uint32_t from = c.entry;
      if (ex.after_step >= 0) {
        if (static_cast<size_t>(ex.after_step) >= c.level) continue;  // interval never opened
        from = c.first[static_cast<size_t>(ex.after_step)];
      }
      uint32_t to = kNoIndex;  // exclusive; kNoIndex: up to the end of the window
      if (ex.before_step >= 0 && static_cast<size_t>(ex.before_step) < c.level) {
        to = c.first[static_cast<size_t>(ex.before_step)];
      }
      for (uint32_t j = from + 1; j < rel.size(); ++j) {
        if (to != kNoIndex ? j >= to : rel[j].t > limit) break;
        if ((rel[j].exclusions & bit) != 0) return true;
      }
    }
    return false;
  }

  // Unique people: the chain that reaches the most steps from any entry, earliest entry on ties.
  // Returns false when the person has no entry.
  bool BestChain(const std::vector<Ev>& rel, Chain& best, Chain& scratch) const {
    bool found = false;
    if (o_.mode == FunnelMode::kUnordered) {
      // Sliding window over the events: distinct steps in [t_i, t_i + window], from i onwards.
      std::array<uint32_t, kMaxFunnelSteps> count{};
      size_t distinct = 0;
      uint32_t j = 0;
      uint32_t best_entry = 0;
      size_t best_level = 0;
      for (uint32_t i = 0; i < rel.size(); ++i) {
        const int64_t limit = Limit(rel, i);
        if (j < i) j = i;
        for (; j < rel.size() && rel[j].t <= limit; ++j) {
          for (uint32_t m = rel[j].steps; m != 0; m &= m - 1) {
            if (count[static_cast<size_t>(std::countr_zero(m))]++ == 0) ++distinct;
          }
        }
        if (IsEntry(rel[i]) && distinct > best_level) {
          best_level = distinct;
          best_entry = i;
          found = true;
          if (distinct == n_) break;
        }
        for (uint32_t m = rel[i].steps; m != 0; m &= m - 1) {
          if (--count[static_cast<size_t>(std::countr_zero(m))] == 0) --distinct;
        }
      }
      if (found) EvaluateUnordered(rel, best_entry, best);
      return found;
    }
    const bool can_prune = o_.mode == FunnelMode::kOrdered && StepWindow(1) == 0;
    for (uint32_t i = 0; i < rel.size(); ++i) {
      if (!IsEntry(rel[i])) continue;
      EvaluateOrdered(rel, i, scratch);
      if (!found || scratch.level > best.level) {
        best = scratch;
        found = true;
      }
      if (best.level == n_) break;
      // Ordered mode without a window on step 2: a chain that was not cut by its window reached
      // all it could; any later entry reaches at most as far (its chain is also a chain of this
      // entry), and ties go to the earlier entry.
      if (can_prune && scratch.exhausted && !scratch.cut) break;
    }
    return found;
  }

  // Unique people: in progress when not complete and some entry's chain can still advance.
  bool PersonInProgress(const std::vector<Ev>& rel, const Chain& best, Chain& scratch) const {
    if (best.level >= n_) return false;
    if (Advanceable(rel, best)) return true;
    for (uint32_t i = static_cast<uint32_t>(rel.size()); i-- > 0;) {
      if (i == best.entry || !IsEntry(rel[i])) continue;
      if (Limit(rel, i) <= as_of_) break;  // earlier entries close even earlier
      Evaluate(rel, i, scratch);
      if (Advanceable(rel, scratch)) return true;
    }
    return false;
  }

  const FunnelOptions& o_;
  const size_t n_;
  const int64_t as_of_;
};

struct Accumulator {
  std::vector<FunnelStepResult>* steps;
  std::vector<std::vector<double>>* times;
  Funnel* funnel;

  void Add(const std::vector<Ev>& rel, const Chain& c, bool excluded, bool open, size_t n) {
    ++funnel->entered;
    if (excluded) {
      ++funnel->excluded;
      return;
    }
    ++funnel->counted;
    const int64_t entry_time = rel[c.entry].t;
    for (size_t k = 0; k < c.level; ++k) {
      ++(*steps)[k].reached;
      if (k >= 1) {
        (*times)[k].push_back(static_cast<double>(rel[c.first[k]].t - entry_time) / 1e6);
      }
    }
    for (uint32_t m = c.did; m != 0; m &= m - 1) {
      ++(*steps)[static_cast<size_t>(std::countr_zero(m))].did_step;
    }
    if (c.level == n) {
      ++funnel->completed;
    } else if (open) {
      ++funnel->in_progress;
      ++(*steps)[c.level - 1].in_progress;
    } else {
      ++funnel->dropped;
      ++(*steps)[c.level - 1].dropped;
    }
  }
};

Status Validate(const JourneySet& journeys, const FunnelOptions& o) {
  const JourneyModel& model = journeys.store().model();
  const size_t n = o.steps.size();
  if (n == 0 || n > kMaxFunnelSteps) {
    return InvalidArgument("funnel: steps: between 1 and " + std::to_string(kMaxFunnelSteps) +
                           " steps are required, got " + std::to_string(n));
  }
  if (o.window_us <= 0) return InvalidArgument("funnel: window_us: must be positive");
  if (!o.step_windows_us.empty()) {
    if (o.step_windows_us.size() != n) {
      return InvalidArgument("funnel: step_windows_us: one value per step is required (" +
                             std::to_string(n) + "), got " +
                             std::to_string(o.step_windows_us.size()));
    }
    if (o.step_windows_us[0] != 0) {
      return InvalidArgument(
          "funnel: step_windows_us[0]: the first step has no previous step; use 0");
    }
    for (size_t k = 0; k < n; ++k) {
      if (o.step_windows_us[k] < 0) {
        return InvalidArgument("funnel: step_windows_us[" + std::to_string(k) +
                               "]: must be 0 (none) or positive");
      }
      if (o.step_windows_us[k] > 0 && o.mode == FunnelMode::kUnordered) {
        return InvalidArgument(
            "funnel: step_windows_us: per-step windows need an order of steps; "
            "not available in unordered mode");
      }
    }
  }
  if (o.entry_from_us >= o.entry_to_us) {
    return InvalidArgument("funnel: entry range: entry_from_us must be before entry_to_us");
  }
  if (o.segment < -1 || o.segment >= static_cast<int>(model.segments().size())) {
    return InvalidArgument("funnel: segment: no segment with index " + std::to_string(o.segment));
  }
  for (size_t i = 0; i < o.histogram_edges_s.size(); ++i) {
    double e = o.histogram_edges_s[i];
    if (!std::isfinite(e) || e <= 0 || (i > 0 && e <= o.histogram_edges_s[i - 1])) {
      return InvalidArgument(
          "funnel: histogram_edges_s: edges must be positive and strictly increasing");
    }
  }
  if (o.exclusions.size() > kMaxFunnelSteps) {
    return InvalidArgument("funnel: exclusions: at most " + std::to_string(kMaxFunnelSteps));
  }
  for (size_t x = 0; x < o.exclusions.size(); ++x) {
    const FunnelExclusion& ex = o.exclusions[x];
    std::string path = "funnel: exclusions[" + std::to_string(x) + "]";
    const int last = static_cast<int>(n) - 1;
    if (ex.after_step < -1 || ex.after_step > last || ex.before_step < -1 ||
        ex.before_step > last) {
      return InvalidArgument(path + ": after_step/before_step must be -1 or a step index (0.." +
                             std::to_string(last) + ")");
    }
    if (ex.before_step == 0) {
      return InvalidArgument(path + ": before_step 0 leaves nothing between the entry and it");
    }
    if (ex.after_step >= 0 && ex.before_step >= 0 && ex.after_step >= ex.before_step) {
      return InvalidArgument(path + ": after_step must come before before_step");
    }
    if (o.mode == FunnelMode::kUnordered && (ex.after_step >= 0 || ex.before_step >= 0)) {
      return InvalidArgument(path +
                             ": steps have no order in unordered mode; an exclusion "
                             "applies to the whole window (after_step = before_step = -1)");
    }
  }
  return Status::Ok();
}

void FinishStepStatistics(const FunnelOptions& o, std::vector<std::vector<double>>& times,
                          Funnel& f) {
  for (size_t k = 0; k < f.steps.size(); ++k) {
    FunnelStepResult& row = f.steps[k];
    const std::string& id = o.steps[k].id;
    row.id = id.empty() ? "step_" + std::to_string(k + 1) : id;
    row.name = o.steps[k].name.empty() ? row.id : o.steps[k].name;
    if (o.mode != FunnelMode::kUnordered) row.did_step = row.reached;
    if (k > 0 && f.steps[k - 1].reached > 0) {
      row.conversion_from_previous =
          static_cast<double>(row.reached) / static_cast<double>(f.steps[k - 1].reached);
    }
    if (f.steps[0].reached > 0) {
      row.conversion_from_start =
          static_cast<double>(row.reached) / static_cast<double>(f.steps[0].reached);
    }
    if (k == 0) continue;
    row.time_histogram.assign(o.histogram_edges_s.size() + 1, 0);
    for (double t : times[k]) {
      auto bucket = std::upper_bound(o.histogram_edges_s.begin(), o.histogram_edges_s.end(), t) -
                    o.histogram_edges_s.begin();
      ++row.time_histogram[static_cast<size_t>(bucket)];
    }
    row.p90_time_from_entry_s = PercentileNearestRank(times[k], 90.0);
    row.median_time_from_entry_s = Median(times[k]);
  }
  if (f.counted > 0) {
    f.conversion_rate = static_cast<double>(f.completed) / static_cast<double>(f.counted);
  }
}

}  // namespace

std::optional<double> PercentileNearestRank(std::vector<double>& values, double p) {
  if (values.empty() || !(p > 0.0) || p > 100.0) return std::nullopt;
  std::sort(values.begin(), values.end());
  // ceil(p/100 * n) computed so that exact products (0.9 * 10) do not round up to the next rank.
  const double exact = p / 100.0 * static_cast<double>(values.size());
  auto rank = static_cast<size_t>(std::ceil(exact - 1e-9 * exact));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

Result<Funnel> ComputeFunnel(const JourneySet& journeys, const FunnelOptions& options) {
  JK_RETURN_IF_ERROR(Validate(journeys, options));
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  StepMatcher matcher;
  JK_RETURN_IF_ERROR(
      matcher.Compile(store, options.steps, options.exclusions).WithContext("funnel"));

  int64_t as_of = 0;
  if (options.as_of_us) {
    as_of = *options.as_of_us;
  } else if (store.size() > 0) {
    as_of = std::numeric_limits<int64_t>::min();
    for (size_t e = 0; e < store.size(); ++e) as_of = std::max(as_of, store.time_us(e));
  }

  Funnel f;
  f.mode = options.mode;
  f.counting = options.counting;
  f.as_of_us = as_of;
  f.histogram_edges_s = options.histogram_edges_s;
  if (options.segment < 0) {
    f.segment_id = "all";
    f.segment_name = "Everyone";
  } else {
    f.segment_id = model.segments()[static_cast<size_t>(options.segment)].id;
    f.segment_name = model.segments()[static_cast<size_t>(options.segment)].name;
  }
  const size_t n = options.steps.size();
  f.steps.resize(n);
  std::vector<std::vector<double>> times(n);
  Accumulator acc{&f.steps, &times, &f};
  FunnelEngine engine(options, as_of);
  std::vector<uint8_t> source_seen(store.source_count(), 0);
  const bool keep_unmatched =
      options.mode == FunnelMode::kStrictOrder && options.strict_unmatched_breaks;

  std::vector<Ev> rel;
  Chain best;
  Chain scratch;
  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, options.segment)) continue;
    ++f.people;
    rel.clear();
    uint64_t person_events = 0;
    for (uint32_t e : journeys.events(p)) {
      const int64_t t = store.time_us(e);
      if (t > as_of) break;  // events are sorted by time
      ++person_events;
      source_seen[store.source(e)] = 1;
      const uint64_t conditions = matcher.Conditions(store, e);
      const uint32_t steps = matcher.Steps(conditions);
      const uint32_t exclusions = steps != 0 ? 0 : matcher.Exclusions(conditions);
      if (steps != 0 || exclusions != 0 || keep_unmatched) rel.push_back(Ev{t, steps, exclusions});
    }
    f.events += person_events;

    bool entered = false;
    if (options.counting == FunnelCounting::kUniquePeople) {
      if (engine.BestChain(rel, best, scratch)) {
        entered = true;
        bool excluded = engine.Excluded(rel, best);
        bool open = !excluded && engine.PersonInProgress(rel, best, scratch);
        acc.Add(rel, best, excluded, open, n);
      }
    } else {
      // Totals: successive attempts; each ends when it completes or its window closes.
      uint32_t pos = 0;
      while (pos < rel.size()) {
        uint32_t i = pos;
        while (i < rel.size() && !engine.IsEntry(rel[i])) ++i;
        if (i == rel.size()) break;
        entered = true;
        engine.Evaluate(rel, i, best);
        bool excluded = engine.Excluded(rel, best);
        bool open = !excluded && engine.Advanceable(rel, best);
        acc.Add(rel, best, excluded, open, n);
        if (best.level == n) {
          pos = best.end + 1;
        } else {
          const int64_t limit = engine.Limit(rel, i);
          pos = i + 1;
          while (pos < rel.size() && rel[pos].t <= limit) ++pos;
        }
      }
    }
    if (entered) {
      ++f.people_entered;
      f.events_of_people_entered += person_events;
    }
  }

  FinishStepStatistics(options, times, f);
  for (size_t i = 0; i < source_seen.size(); ++i) {
    if (source_seen[i]) f.sources.emplace_back(store.source_name(static_cast<uint16_t>(i)));
  }
  std::sort(f.sources.begin(), f.sources.end());
  return f;
}

}  // namespace journeykit

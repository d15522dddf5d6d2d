// loyalty.cpp — repeat purchase, time between purchases, cohorts and the loops of the journey
// (docs/metrics.md, "Loyalty").
//
// One pass over each person's events (time order, then arrival order) feeds every part: the
// purchase counters, the gaps, one bit per cohort offset (week and month) and the small
// state machines of the two loops. Per-person scratch is reused: no allocation per event.
#include <journeykit/loyalty.hpp>

#include <journeykit/funnel.hpp>
#include <journeykit/stage_funnel.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>
#include "internal/text_match.hpp"

namespace journeykit {

namespace {

using internal::ActionSet;
using internal::EqualsIgnoreCase;

constexpr size_t kMaxCohortOffsets = 63;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian, days since 1970-01-01).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Sources seen by one result; PersonSources collects one person's and merges them on demand.
class SourceSet {
 public:
  explicit SourceSet(size_t n) : seen_(n, 0) {}
  void Add(uint16_t s) { seen_[s] = 1; }
  std::vector<std::string> Names(const EventStore& store) const {
    std::vector<std::string> out;
    for (size_t i = 0; i < seen_.size(); ++i) {
      if (seen_[i]) out.emplace_back(store.source_name(static_cast<uint16_t>(i)));
    }
    return out;
  }

 private:
  std::vector<uint8_t> seen_;
};

class PersonSources {
 public:
  explicit PersonSources(size_t n) : seen_(n, 0) {}
  void Add(uint16_t s) {
    if (seen_[s]) return;
    seen_[s] = 1;
    touched_.push_back(s);
  }
  void MergeInto(SourceSet& set) const {
    for (uint16_t s : touched_) set.Add(s);
  }
  void Reset() {
    for (uint16_t s : touched_) seen_[s] = 0;
    touched_.clear();
  }

 private:
  std::vector<uint8_t> seen_;
  std::vector<uint16_t> touched_;
};

int FindStage(const JourneyModel& model, std::string_view id) {
  for (size_t s = 0; s < model.stages().size(); ++s) {
    if (EqualsIgnoreCase(model.stages()[s].id, id)) return static_cast<int>(s);
  }
  return -1;
}

Status Validate(const JourneyModel& model, const LoyaltyOptions& o) {
  if (o.segment < -1 || o.segment >= static_cast<int>(model.segments().size())) {
    return InvalidArgument("loyalty: segment: no segment with index " + std::to_string(o.segment));
  }
  if (o.from_us >= o.to_us) return InvalidArgument("loyalty: period: from must be before to");
  if (o.purchase.stage.empty() && o.purchase.actions.empty()) {
    return InvalidArgument("loyalty: purchase: give at least one action or a stage");
  }
  if (!o.purchase.stage.empty() && FindStage(model, o.purchase.stage) < 0) {
    return InvalidArgument("loyalty: purchase.stage: stage '" + o.purchase.stage +
                           "' is not defined in the model");
  }
  for (const std::string& s : o.cycle_stages) {
    if (FindStage(model, s) < 0) {
      return InvalidArgument("loyalty: cycle_stages: stage '" + s +
                             "' is not defined in the model (use an empty list to skip the "
                             "small cycle)");
    }
  }
  if (!o.awareness_stage.empty() && FindStage(model, o.awareness_stage) < 0) {
    return InvalidArgument("loyalty: awareness_stage: stage '" + o.awareness_stage +
                           "' is not defined in the model (use \"\" to skip the churn loop)");
  }
  if (o.max_offsets > kMaxCohortOffsets) {
    return InvalidArgument("loyalty: max_offsets: at most " + std::to_string(kMaxCohortOffsets));
  }
  for (size_t i = 0; i < o.gap_histogram_edges_s.size(); ++i) {
    double e = o.gap_histogram_edges_s[i];
    if (!(e > 0) || !std::isfinite(e) || (i > 0 && e <= o.gap_histogram_edges_s[i - 1])) {
      return InvalidArgument(
          "loyalty: gap_histogram_edges_s: edges must be positive, finite and strictly "
          "increasing");
    }
  }
  return Status::Ok();
}

std::optional<double> Ratio(uint64_t num, uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

std::string WeekLabel(int64_t week) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(FloorDiv(WeekStartUs(week), kMicrosPerDay), &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string MonthLabel(int64_t month) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld",
                static_cast<long long>(1970 + FloorDiv(month, 12)),
                static_cast<long long>(month - FloorDiv(month, 12) * 12 + 1));
  return buf;
}

// Accumulates one cohort table (week or month).
class CohortBuilder {
 public:
  CohortBuilder(CohortPeriod period, size_t max_offsets, size_t sources)
      : period_(period), max_offsets_(max_offsets), sources_(sources) {}

  int64_t Index(int64_t t) const {
    return period_ == CohortPeriod::kWeek ? WeekIndex(t) : MonthIndex(t);
  }
  int64_t Start(int64_t index) const {
    return period_ == CohortPeriod::kWeek ? WeekStartUs(index) : MonthStartUs(index);
  }

  // Per person: Begin at the anchor, Activity for each qualifying event at/after it, End.
  void Begin(int64_t anchor_time) {
    anchor_ = Index(anchor_time);
    mask_ = 0;
    active_ = true;
  }
  void Activity(int64_t t, uint16_t source) {
    if (!active_) return;
    const int64_t k = Index(t) - anchor_;
    if (k < 0 || k > static_cast<int64_t>(max_offsets_)) return;
    mask_ |= uint64_t{1} << k;
    ++events_;
    sources_.Add(source);
  }
  void End() {
    if (!active_) return;
    active_ = false;
    Row& row = rows_[anchor_];
    ++row.people;
    ++people_;
    for (size_t k = 0; k <= max_offsets_; ++k) {
      if (mask_ >> k & 1u) ++row.retained[k];
    }
  }

  CohortTable Finish(const EventStore& store, int64_t as_of) const {
    CohortTable table;
    table.period = period_;
    table.provenance.people = people_;
    table.provenance.events = events_;
    table.provenance.sources = sources_.Names(store);
    for (const auto& [index, acc] : rows_) {
      CohortRow row;
      row.label = period_ == CohortPeriod::kWeek ? WeekLabel(index) : MonthLabel(index);
      row.start_us = Start(index);
      row.people = acc.people;
      for (size_t k = 0; k <= max_offsets_; ++k) {
        const int64_t idx = index + static_cast<int64_t>(k);
        if (Start(idx) > as_of) break;
        row.retained.push_back(acc.retained[k]);
        row.retention.push_back(static_cast<double>(acc.retained[k]) /
                                static_cast<double>(acc.people));
        if (Start(idx + 1) <= as_of) row.complete_offsets = k + 1;
      }
      table.rows.push_back(std::move(row));
    }
    return table;
  }

 private:
  struct Row {
    uint64_t people = 0;
    std::array<uint64_t, kMaxCohortOffsets + 1> retained{};
  };
  CohortPeriod period_;
  size_t max_offsets_;
  std::map<int64_t, Row> rows_;
  int64_t anchor_ = 0;
  uint64_t mask_ = 0;
  bool active_ = false;
  uint64_t people_ = 0;
  uint64_t events_ = 0;
  SourceSet sources_;
};

}  // namespace

int64_t WeekIndex(int64_t time_us) {
  // 1970-01-01 was a Thursday: day 4 (1970-01-05) is the first Monday.
  return FloorDiv(FloorDiv(time_us, kMicrosPerDay) + 3, 7);
}

int64_t WeekStartUs(int64_t week) { return (week * 7 - 3) * kMicrosPerDay; }

int64_t MonthIndex(int64_t time_us) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(FloorDiv(time_us, kMicrosPerDay), &y, &m, &d);
  return (y - 1970) * 12 + static_cast<int64_t>(m) - 1;
}

int64_t MonthStartUs(int64_t month) {
  const int64_t y = 1970 + FloorDiv(month, 12);
  const auto m = static_cast<unsigned>(month - FloorDiv(month, 12) * 12 + 1);
  return DaysFromCivil(y, m, 1) * kMicrosPerDay;
}

Result<Loyalty> ComputeLoyalty(const JourneySet& journeys, const LoyaltyOptions& options) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  JK_RETURN_IF_ERROR(Validate(model, options));
  const LoyaltyOptions& o = options;

  Loyalty out;
  if (o.segment < 0) {
    out.segment_id = "all";
    out.segment_name = "Everyone";
  } else {
    out.segment_id = model.segments()[static_cast<size_t>(o.segment)].id;
    out.segment_name = model.segments()[static_cast<size_t>(o.segment)].name;
  }
  out.from_us = o.from_us;
  out.to_us = o.to_us;
  if (o.as_of_us) {
    out.as_of_us = *o.as_of_us;
  } else if (store.size() > 0) {
    out.as_of_us = std::numeric_limits<int64_t>::min();
    for (size_t e = 0; e < store.size(); ++e)
      out.as_of_us = std::max(out.as_of_us, store.time_us(e));
  }
  const int64_t as_of = out.as_of_us;

  const int purchase_stage = o.purchase.stage.empty() ? -1 : FindStage(model, o.purchase.stage);
  ActionSet purchase_actions(store.strings(), o.purchase.actions);
  auto is_purchase = [&](uint32_t e) {
    if (purchase_stage >= 0) return store.stage(e) == purchase_stage;
    return purchase_actions.Contains(store.action(e));
  };
  std::array<uint8_t, 256> cycle_stage{};
  for (const std::string& s : o.cycle_stages) cycle_stage[FindStage(model, s)] = 1;
  const int awareness = o.awareness_stage.empty() ? -1 : FindStage(model, o.awareness_stage);
  const bool new_buyers = o.repeat_basis == RepeatBasis::kNewBuyersInPeriod;

  const size_t n_sources = store.source_count();
  SourceSet segment_sources(n_sources), purchase_sources(n_sources), loop_sources(n_sources),
      revenue_sources(n_sources);
  PersonSources person_sources(n_sources);
  CohortBuilder weekly(CohortPeriod::kWeek, o.max_offsets, n_sources);
  CohortBuilder monthly(CohortPeriod::kMonth, o.max_offsets, n_sources);
  std::vector<double> gaps;

  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, o.segment)) continue;
    ++out.provenance.people;
    person_sources.Reset();

    uint64_t events_in_period = 0;
    uint64_t counted_purchases = 0;  // purchases that count for the repeat rate
    uint64_t purchases_in_period = 0;
    int64_t first_purchase = kNotReached;
    int64_t previous_purchase = kNotReached;
    bool previous_counted = false;
    bool anchored = false;
    // Loops (events in the period only).
    bool cycle_stage_after_purchase = false;
    bool small_cycle = false;
    bool awareness_since_last_purchase = false;
    bool recovered = false;

    for (uint32_t e : journeys.events(p)) {
      const int64_t t = store.time_us(e);
      if (t > as_of) break;  // events are in time order
      const bool purchase = is_purchase(e);
      const bool in_period = t >= o.from_us && t < o.to_us;
      const uint16_t source = store.source(e);

      // Cohorts: the anchor is the first event or the first purchase (up to as_of).
      if (!anchored) {
        const bool anchor = o.cohort_basis == CohortBasis::kFirstEvent || purchase;
        if (anchor) {
          anchored = true;
          if (in_period) {
            weekly.Begin(t);
            monthly.Begin(t);
          }
        }
      }
      if (o.retention_activity == RetentionActivity::kAnyEvent || purchase) {
        weekly.Activity(t, source);  // no-ops until Begin()
        monthly.Activity(t, source);
      }

      if (purchase) {
        if (first_purchase == kNotReached) first_purchase = t;
        const bool counted =
            new_buyers ? (first_purchase >= o.from_us && first_purchase < o.to_us) : in_period;
        if (counted) {
          ++counted_purchases;
          purchase_sources.Add(source);
          if (previous_purchase != kNotReached && previous_counted) {
            gaps.push_back(static_cast<double>(t - previous_purchase) / 1e6);
          }
        }
        previous_purchase = t;
        previous_counted = counted;
      }

      if (!in_period) continue;
      ++events_in_period;
      person_sources.Add(source);
      if (purchase) {
        ++purchases_in_period;
        revenue_sources.Add(source);
        if (const std::optional<double> value = store.value(e)) {
          ++out.revenue.valued_orders;
          out.revenue.revenue += *value;
        }
        if (cycle_stage_after_purchase) small_cycle = true;
        if (awareness_since_last_purchase) recovered = true;
        awareness_since_last_purchase = false;
      } else if (purchases_in_period > 0) {
        const uint8_t s = store.stage(e);
        if (s != kNoStage && cycle_stage[s]) cycle_stage_after_purchase = true;
        if (s != kNoStage && s == awareness) awareness_since_last_purchase = true;
      }
    }
    weekly.End();
    monthly.End();

    out.provenance.events += events_in_period;
    person_sources.MergeInto(segment_sources);
    if (counted_purchases > 0) {
      ++out.repeat.buyers;
      out.repeat.purchases += counted_purchases;
      if (counted_purchases >= 2) ++out.repeat.repeat_buyers;
    }
    if (purchases_in_period > 0) {
      LoyaltyLoops& l = out.loops;
      ++l.buyers;
      ++out.revenue.buyers;
      out.revenue.orders += purchases_in_period;
      l.provenance.events += events_in_period;
      person_sources.MergeInto(loop_sources);
      if (small_cycle) ++l.small_cycle;
      if (awareness_since_last_purchase) ++l.churn_loop;
      if (recovered) ++l.recovered;
      if (awareness_since_last_purchase || recovered) ++l.fell_back;
    }
  }

  out.provenance.sources = segment_sources.Names(store);

  RepeatPurchase& r = out.repeat;
  r.repeat_rate = Ratio(r.repeat_buyers, r.buyers);
  r.purchases_per_buyer = Ratio(r.purchases, r.buyers);
  r.provenance.people = r.buyers;
  r.provenance.events = r.purchases;
  r.provenance.sources = purchase_sources.Names(store);

  TimeBetweenPurchases& b = out.between;
  b.gaps = gaps.size();
  b.histogram_edges_s = o.gap_histogram_edges_s;
  b.histogram.assign(o.gap_histogram_edges_s.size() + 1, 0);
  if (!gaps.empty()) {
    double sum = 0;
    for (double g : gaps) {
      sum += g;
      auto bucket = std::upper_bound(b.histogram_edges_s.begin(), b.histogram_edges_s.end(), g) -
                    b.histogram_edges_s.begin();
      ++b.histogram[static_cast<size_t>(bucket)];
    }
    b.mean_s = sum / static_cast<double>(gaps.size());
  }
  b.p90_s = PercentileNearestRank(gaps, 90.0);
  b.median_s = Median(gaps);

  out.weekly = weekly.Finish(store, as_of);
  out.monthly = monthly.Finish(store, as_of);

  LoyaltyLoops& l = out.loops;
  l.small_cycle_computed = !o.cycle_stages.empty();
  l.churn_computed = awareness >= 0;
  if (!l.small_cycle_computed) l.small_cycle = 0;
  if (!l.churn_computed) l.fell_back = l.churn_loop = l.recovered = 0;
  if (l.small_cycle_computed) l.small_cycle_rate = Ratio(l.small_cycle, l.buyers);
  if (l.churn_computed) {
    l.churn_loop_rate = Ratio(l.churn_loop, l.buyers);
    l.fell_back_rate = Ratio(l.fell_back, l.buyers);
  }
  l.provenance.people = l.buyers;
  l.provenance.sources = loop_sources.Names(store);

  Revenue& rev = out.revenue;
  if (rev.buyers > 0) rev.revenue_per_buyer = rev.revenue / static_cast<double>(rev.buyers);
  if (rev.valued_orders > 0) {
    rev.average_order_value = rev.revenue / static_cast<double>(rev.valued_orders);
  }
  rev.provenance.people = rev.buyers;
  rev.provenance.events = rev.orders;
  rev.provenance.sources = revenue_sources.Names(store);
  return out;
}

}  // namespace journeykit

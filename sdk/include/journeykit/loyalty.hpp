// loyalty.hpp — repeat purchase, time between purchases, cohort retention by week and month,
// and the loops of the journey: the small cycle (experience → purchase again) and the churn
// loop (a customer who falls back to awareness and does not buy again).
//
// Definitions in full: docs/metrics.md, section "Loyalty". In short:
//  * A purchase is an event whose action is one of `purchase.actions` (case-insensitive), or,
//    when `purchase.stage` is set, an event assigned to that stage. Two purchases at the same
//    microsecond are two purchases.
//  * The period [from_us, to_us) bounds the events every number reads, except cohorts: their
//    anchor (first purchase or first event) must fall in the period, their activity is read up
//    to as_of. Events after as_of are never read.
//  * Weeks start on Monday 00:00 UTC; months are calendar months in UTC.
#pragma once

#include <journeykit/journeys.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace journeykit {

// What every result rests on: people, their events, and the sources those events came from.
struct Provenance {
  uint64_t people = 0;
  uint64_t events = 0;
  std::vector<std::string> sources;  // sorted by source id (first seen first)
};

struct PurchaseDefinition {
  std::vector<std::string> actions = {"purchase"};
  // When set, purchases are the events assigned to this stage id, and `actions` is not used.
  std::string stage;
};

enum class RepeatBasis {
  // Buyers: people with >= 1 purchase in the period; repeat buyers: >= 2 purchases in it.
  kPurchasesInPeriod,
  // Buyers: people whose first purchase ever (up to as_of) is in the period; repeat buyers:
  // those with a second purchase at any time up to as_of (it may fall after the period).
  kNewBuyersInPeriod,
};

enum class CohortBasis {
  kFirstPurchase,  // cohort = the period of the person's first purchase; non-buyers are in none
  kFirstEvent,     // cohort = the period of the person's first event
};

enum class RetentionActivity {
  kAnyEvent,  // any event of the person counts as activity
  kPurchase,  // only purchases count
};

struct LoyaltyOptions {
  PurchaseDefinition purchase;
  int segment = -1;  // index into model().segments(); -1 for everyone
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
  // Analysis time: events after it are not read; cohort cells after it are not reported.
  // Default: the time of the latest event in the store.
  std::optional<int64_t> as_of_us;
  RepeatBasis repeat_basis = RepeatBasis::kPurchasesInPeriod;
  // Time between consecutive purchases: buckets [0, e1), [e1, e2), ..., [e_last, inf) in
  // seconds. Strictly increasing, positive.
  std::vector<double> gap_histogram_edges_s = {86400.0, 7 * 86400.0, 30 * 86400.0, 90 * 86400.0,
                                               365 * 86400.0};
  CohortBasis cohort_basis = CohortBasis::kFirstPurchase;
  RetentionActivity retention_activity = RetentionActivity::kAnyEvent;
  size_t max_offsets = 12;  // cohort offsets 0..max_offsets (at most 63)
  // Small cycle: purchase → an event in one of these stages → purchase again. Empty: skipped.
  std::vector<std::string> cycle_stages = {"experience", "retention"};
  // Churn loop: a buyer with an event in this stage after their last purchase. Empty: skipped.
  std::string awareness_stage = "awareness";
};

struct RepeatPurchase {
  uint64_t buyers = 0;
  uint64_t repeat_buyers = 0;
  uint64_t purchases = 0;             // purchases counted (of the buyers)
  std::optional<double> repeat_rate;  // repeat_buyers / buyers
  std::optional<double> purchases_per_buyer;
  Provenance provenance;  // buyers, their counted purchases and their sources
};

// Consecutive purchases of one person (pairs of the purchases counted in RepeatPurchase).
struct TimeBetweenPurchases {
  uint64_t gaps = 0;
  std::optional<double> mean_s;
  std::optional<double> median_s;  // mean of the middle two for an even count
  std::optional<double> p90_s;     // nearest rank: the ceil(0.9 n)-th smallest gap
  std::vector<double> histogram_edges_s;
  std::vector<uint64_t> histogram;  // edges.size() + 1 buckets
};

enum class CohortPeriod { kWeek, kMonth };

struct CohortRow {
  std::string label;     // week: its Monday "2026-01-05"; month: "2026-01"
  int64_t start_us = 0;  // start of the cohort's period (UTC)
  uint64_t people = 0;   // cohort size
  // Per offset k = 0, 1, ...: people with a qualifying activity at or after their anchor in
  // period (cohort + k), and that count / people. Only offsets whose period starts at or
  // before as_of are reported (at most max_offsets + 1).
  std::vector<uint64_t> retained;
  std::vector<double> retention;
  // Offsets [0, complete_offsets) ended at or before as_of; later ones are still running.
  size_t complete_offsets = 0;
};

struct CohortTable {
  CohortPeriod period = CohortPeriod::kWeek;
  std::vector<CohortRow> rows;  // by start, ascending
  Provenance provenance;        // cohort members, the activity events counted, their sources
};

struct LoyaltyLoops {
  uint64_t buyers = 0;  // people with >= 1 purchase in the period
  // Small cycle: a purchase, later an event in a cycle stage, later another purchase.
  bool small_cycle_computed = false;
  uint64_t small_cycle = 0;
  std::optional<double> small_cycle_rate;  // small_cycle / buyers
  // Fell back: a purchase followed later by an event in the awareness stage.
  // Churn loop: an awareness event after the person's last purchase (no purchase after it).
  // Recovered: fell back, then bought again. A person can be both churn loop and recovered.
  bool churn_computed = false;
  uint64_t fell_back = 0;
  uint64_t churn_loop = 0;
  uint64_t recovered = 0;
  std::optional<double> churn_loop_rate;  // churn_loop / buyers
  std::optional<double> fell_back_rate;   // fell_back / buyers
  Provenance provenance;                  // the buyers, all their events in the period, sources
};

// Revenue of the purchases in the period (values summed as given: one currency is assumed).
struct Revenue {
  uint64_t buyers = 0;                        // people with >= 1 purchase in the period
  uint64_t orders = 0;                        // purchases in the period
  uint64_t valued_orders = 0;                 // of those, purchases that carry a value
  double revenue = 0;                         // sum of those values
  std::optional<double> revenue_per_buyer;    // revenue / buyers
  std::optional<double> average_order_value;  // revenue / valued_orders
  Provenance provenance;                      // buyers, their purchases in the period, sources
};

struct Loyalty {
  std::string segment_id;  // "all" for everyone
  std::string segment_name;
  int64_t from_us = 0;
  int64_t to_us = 0;
  int64_t as_of_us = 0;
  Provenance provenance;  // people in the segment, their events in the period, sources
  RepeatPurchase repeat;
  TimeBetweenPurchases between;
  CohortTable weekly;
  CohortTable monthly;
  LoyaltyLoops loops;
  Revenue revenue;
};

// Computes every loyalty number in one linear pass per person; InvalidArgument names the
// offending option (bad segment, empty period, unknown stage id, bad histogram edges).
Result<Loyalty> ComputeLoyalty(const JourneySet& journeys, const LoyaltyOptions& options);

// Calendar helpers (UTC), exposed for callers that label periods the same way.
// Monday-based week number since the Unix epoch (1970-01-05 starts week 1) and its start.
int64_t WeekIndex(int64_t time_us);
int64_t WeekStartUs(int64_t week);
// Months since 1970-01 (0 = January 1970) and the start of such a month.
int64_t MonthIndex(int64_t time_us);
int64_t MonthStartUs(int64_t month);

}  // namespace journeykit

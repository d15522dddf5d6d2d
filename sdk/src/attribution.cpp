// attribution.cpp — the attribution models over a PathTable (definitions: docs/metrics.md).
#include <journeykit/attribution.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace journeykit {
namespace {

constexpr std::array<std::string_view, 6> kModelNames = {"first",    "last",       "linear",
                                                         "position", "time_decay", "markov"};

// The touches of one row that fall inside the lookback window.
struct Touches {
  std::vector<uint32_t> channels;
  std::vector<int64_t> ages_us;  // empty when the row has no times
};

Touches InsideLookback(const PathRow& row, int64_t lookback_us, uint64_t& dropped) {
  Touches t;
  if (row.ages_us.empty() || lookback_us <= 0) {
    t.channels = row.channels;
    t.ages_us = row.ages_us;
    return t;
  }
  for (size_t i = 0; i < row.channels.size(); ++i) {
    if (row.ages_us[i] > lookback_us) {
      ++dropped;
      continue;
    }
    t.channels.push_back(row.channels[i]);
    t.ages_us.push_back(row.ages_us[i]);
  }
  return t;
}

// Shares of one path's credit per touch (sum 1) for a heuristic model.
void HeuristicShares(AttributionModel model, const Touches& t, const AttributionOptions& o,
                     std::vector<double>& shares) {
  const size_t n = t.channels.size();
  shares.assign(n, 0.0);
  switch (model) {
    case AttributionModel::kFirstTouch:
      shares.front() = 1.0;
      break;
    case AttributionModel::kLastTouch:
      shares.back() = 1.0;
      break;
    case AttributionModel::kLinear:
      std::fill(shares.begin(), shares.end(), 1.0 / static_cast<double>(n));
      break;
    case AttributionModel::kPositionBased:
      if (n == 1) {
        shares[0] = 1.0;
      } else if (n == 2) {
        double ends = o.position_first + o.position_last;
        shares[0] = ends > 0 ? o.position_first / ends : 0.5;
        shares[1] = ends > 0 ? o.position_last / ends : 0.5;
      } else {
        double middle = (1.0 - o.position_first - o.position_last) / static_cast<double>(n - 2);
        std::fill(shares.begin(), shares.end(), middle);
        shares.front() = o.position_first;
        shares.back() = o.position_last;
      }
      break;
    case AttributionModel::kTimeDecay: {
      // 2^(-age/half_life), taken relative to the youngest touch so that old paths do not
      // underflow to zero; the normalization cancels the common factor.
      int64_t youngest = *std::min_element(t.ages_us.begin(), t.ages_us.end());
      double total = 0;
      for (size_t i = 0; i < n; ++i) {
        shares[i] = std::exp2(-static_cast<double>(t.ages_us[i] - youngest) / o.half_life_us);
        total += shares[i];
      }
      for (double& s : shares) s /= total;
      break;
    }
    case AttributionModel::kMarkov:
      break;
  }
}

// Dense LU decomposition with partial pivoting of an n×n row-major matrix.
class DenseLu {
 public:
  Status Factor(std::vector<double> a, size_t n) {
    a_ = std::move(a);
    n_ = n;
    perm_.resize(n);
    for (size_t i = 0; i < n; ++i) perm_[i] = i;
    for (size_t k = 0; k < n; ++k) {
      size_t pivot = k;
      for (size_t i = k + 1; i < n; ++i) {
        if (std::abs(At(i, k)) > std::abs(At(pivot, k))) pivot = i;
      }
      if (std::abs(At(pivot, k)) < 1e-300) {
        return InternalError("attribution: the Markov chain has a state that never ends");
      }
      if (pivot != k) {
        for (size_t j = 0; j < n; ++j) std::swap(At(k, j), At(pivot, j));
        std::swap(perm_[k], perm_[pivot]);
      }
      for (size_t i = k + 1; i < n; ++i) {
        double f = At(i, k) / At(k, k);
        At(i, k) = f;
        if (f == 0) continue;
        for (size_t j = k + 1; j < n; ++j) At(i, j) -= f * At(k, j);
      }
    }
    return Status::Ok();
  }

  // Solves A x = b.
  std::vector<double> Solve(const std::vector<double>& b) const {
    std::vector<double> x(n_);
    for (size_t i = 0; i < n_; ++i) {
      double s = b[perm_[i]];
      for (size_t j = 0; j < i; ++j) s -= At(i, j) * x[j];
      x[i] = s;
    }
    for (size_t i = n_; i-- > 0;) {
      double s = x[i];
      for (size_t j = i + 1; j < n_; ++j) s -= At(i, j) * x[j];
      x[i] = s / At(i, i);
    }
    return x;
  }

 private:
  double& At(size_t i, size_t j) { return a_[i * n_ + j]; }
  double At(size_t i, size_t j) const { return a_[i * n_ + j]; }
  std::vector<double> a_;
  size_t n_ = 0;
  std::vector<size_t> perm_;
};

struct MarkovOutcome {
  double conversion_probability = 0;
  std::vector<double> removal_effect;  // per channel id
  std::vector<MarkovTransition> transitions;
};

// First-order absorbing chain: state 0 = (start), 1..C = channels, C+1 = (conversion),
// C+2 = (null). Removal effects come from one factorization of I − Q:
//   P_removed(k) = P_base − P(visit k) · h(k),  P(visit k) = N[s][k] / N[k][k]
// where N = (I − Q)^-1 and h = N r the absorption probabilities into (conversion); this
// equals re-solving the chain with k's transitions redirected to (null).
Result<MarkovOutcome> SolveMarkov(const PathTable& table, const std::vector<Touches>& touches,
                                  bool self_loops) {
  const size_t channels = table.channel_names().size();
  const size_t transient = channels + 1;
  const size_t conv = channels + 1, null = channels + 2, states = channels + 3;
  std::vector<double> counts(transient * states, 0.0);
  for (size_t r = 0; r < touches.size(); ++r) {
    const PathRow& row = table.rows()[r];
    const double weight = row.conversions + row.nulls;
    if (touches[r].channels.empty() || weight <= 0) continue;
    size_t from = 0;
    for (uint32_t c : touches[r].channels) {
      size_t to = c + 1;
      if (to == from && !self_loops) continue;
      counts[from * states + to] += weight;
      from = to;
    }
    counts[from * states + conv] += row.conversions;
    counts[from * states + null] += row.nulls;
  }

  auto name = [&](size_t state) -> std::string {
    if (state == 0) return "(start)";
    if (state == conv) return "(conversion)";
    if (state == null) return "(null)";
    return table.channel_name(static_cast<uint32_t>(state - 1));
  };
  MarkovOutcome out;
  out.removal_effect.assign(channels, 0.0);
  std::vector<double> out_weight(transient, 0.0);
  std::vector<size_t> active_index(transient, SIZE_MAX);
  std::vector<size_t> active;
  for (size_t i = 0; i < transient; ++i) {
    for (size_t j = 0; j < states; ++j) out_weight[i] += counts[i * states + j];
    if (out_weight[i] <= 0) continue;
    active_index[i] = active.size();
    active.push_back(i);
    for (size_t j = 0; j < states; ++j) {
      double c = counts[i * states + j];
      if (c > 0) out.transitions.push_back({name(i), name(j), c / out_weight[i]});
    }
  }
  if (active.empty() || active.front() != 0) return out;  // no path: nothing converts

  const size_t n = active.size();
  std::vector<double> m(n * n, 0.0);
  std::vector<double> to_conv(n, 0.0);
  for (size_t a = 0; a < n; ++a) {
    const size_t i = active[a];
    m[a * n + a] = 1.0;
    for (size_t j = 1; j < transient; ++j) {
      double c = counts[i * states + j];
      if (c > 0) m[a * n + active_index[j]] -= c / out_weight[i];
    }
    to_conv[a] = counts[i * states + conv] / out_weight[i];
  }
  DenseLu lu;
  JK_RETURN_IF_ERROR(lu.Factor(std::move(m), n));
  std::vector<double> h = lu.Solve(to_conv);
  out.conversion_probability = h[0];
  if (h[0] <= 0) return out;
  // Column k of N gives N[0][k] and N[k][k].
  std::vector<double> unit(n, 0.0);
  for (size_t a = 1; a < n; ++a) {
    unit[a] = 1.0;
    std::vector<double> column = lu.Solve(unit);
    unit[a] = 0.0;
    double visit = column[0] / column[a];
    double effect = visit * h[a] / h[0];
    out.removal_effect[active[a] - 1] = std::clamp(effect, 0.0, 1.0);
  }
  return out;
}

Status Validate(const PathTable& table, const AttributionOptions& o) {
  if (o.lookback_us < 0) return InvalidArgument("attribution: lookback must not be negative");
  if (!(o.half_life_us > 0) || !std::isfinite(o.half_life_us)) {
    return InvalidArgument("attribution: the time-decay half-life must be positive");
  }
  if (!(o.position_first >= 0 && o.position_last >= 0 &&
        o.position_first + o.position_last <= 1.0 + 1e-12)) {
    return InvalidArgument(
        "attribution: position-based shares must be >= 0 and sum to at most 1 (default 0.4, "
        "0.4)");
  }
  const bool time_decay =
      std::find(o.models.begin(), o.models.end(), AttributionModel::kTimeDecay) != o.models.end();
  const size_t names = table.channel_names().size();
  for (size_t r = 0; r < table.rows().size(); ++r) {
    const PathRow& row = table.rows()[r];
    std::string where =
        "attribution: " + table.provenance.origin + ": row " + std::to_string(r + 1);
    if (!(row.conversions >= 0) || !(row.nulls >= 0) || !std::isfinite(row.conversions) ||
        !std::isfinite(row.nulls) || !std::isfinite(row.value)) {
      return InvalidArgument(where + ": conversions and nulls must be finite and >= 0");
    }
    if (!row.ages_us.empty() && row.ages_us.size() != row.channels.size()) {
      return InvalidArgument(where + ": one age per touch expected");
    }
    for (int64_t age : row.ages_us) {
      if (age < 0) return InvalidArgument(where + ": a touch after its conversion");
    }
    for (uint32_t c : row.channels) {
      if (c >= names) return InvalidArgument(where + ": unknown channel id");
    }
    if (time_decay && row.ages_us.empty() && !row.channels.empty()) {
      return InvalidArgument(where +
                             ": time_decay needs touch times, and this path has none (a "
                             "ChannelAttribution path file carries no times)");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view ModelName(AttributionModel model) {
  return kModelNames[static_cast<size_t>(model)];
}

std::optional<AttributionModel> ParseModelName(std::string_view name) {
  for (size_t i = 0; i < kModelNames.size(); ++i) {
    if (kModelNames[i] == name) return static_cast<AttributionModel>(i);
  }
  return std::nullopt;
}

const std::vector<AttributionModel>& AllModels() {
  static const std::vector<AttributionModel> kAll = {
      AttributionModel::kFirstTouch,    AttributionModel::kLastTouch, AttributionModel::kLinear,
      AttributionModel::kPositionBased, AttributionModel::kTimeDecay, AttributionModel::kMarkov,
  };
  return kAll;
}

const ChannelCredit* AttributionResult::Find(std::string_view channel,
                                             AttributionModel model) const {
  for (const ChannelCredit& c : credits) {
    if (c.channel == channel && c.model == model) return &c;
  }
  return nullptr;
}

Result<AttributionResult> Attribute(const PathTable& paths, const AttributionOptions& options) {
  JK_RETURN_IF_ERROR(Validate(paths, options));
  AttributionResult result;
  result.channels = paths.channel_names();
  result.models = options.models;
  result.source = paths.provenance;
  result.paths = paths.rows().size();

  std::vector<Touches> touches;
  touches.reserve(paths.rows().size());
  double attributable_conversions = 0, attributable_value = 0;
  for (const PathRow& row : paths.rows()) {
    touches.push_back(InsideLookback(row, options.lookback_us, result.touches_outside_lookback));
    result.conversions += row.conversions;
    result.value += row.value;
    result.nulls += row.nulls;
    if (touches.back().channels.empty()) {
      result.unattributed_conversions += row.conversions;
      result.unattributed_value += row.value;
    } else {
      attributable_conversions += row.conversions;
      attributable_value += row.value;
      result.touches += touches.back().channels.size();
    }
  }

  const size_t channels = result.channels.size();
  const size_t models = options.models.size();
  result.credits.resize(channels * models);
  for (size_t c = 0; c < channels; ++c) {
    for (size_t m = 0; m < models; ++m) {
      result.credits[c * models + m].channel = result.channels[c];
      result.credits[c * models + m].model = options.models[m];
    }
  }

  std::vector<double> shares;
  for (size_t m = 0; m < models; ++m) {
    const AttributionModel model = options.models[m];
    if (model == AttributionModel::kMarkov) {
      JK_ASSIGN_OR_RETURN(MarkovOutcome markov,
                          SolveMarkov(paths, touches, options.markov_self_loops));
      double total = 0;
      for (double e : markov.removal_effect) total += e;
      for (size_t c = 0; c < channels; ++c) {
        ChannelCredit& credit = result.credits[c * models + m];
        credit.removal_effect = markov.removal_effect[c];
        if (total > 0) {
          credit.conversions = markov.removal_effect[c] / total * attributable_conversions;
          credit.value = markov.removal_effect[c] / total * attributable_value;
        }
      }
      result.markov_conversion_probability = markov.conversion_probability;
      result.markov_transitions = std::move(markov.transitions);
      continue;
    }
    for (size_t r = 0; r < touches.size(); ++r) {
      const PathRow& row = paths.rows()[r];
      if (touches[r].channels.empty()) continue;
      if (row.conversions == 0 && row.value == 0) continue;
      HeuristicShares(model, touches[r], options, shares);
      for (size_t i = 0; i < shares.size(); ++i) {
        ChannelCredit& credit = result.credits[touches[r].channels[i] * models + m];
        credit.conversions += row.conversions * shares[i];
        credit.value += row.value * shares[i];
      }
    }
  }
  return result;
}

}  // namespace journeykit

// attribution_test.cpp — attribution models against published and hand-worked numbers.
#include <journeykit/attribution.hpp>
#include <journeykit/journey_model.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using M = AttributionModel;

const std::string kDir = std::string(JK_FIXTURE_DIR) + "/attribution/";
constexpr int64_t kHourUs = 3'600'000'000;

PathTable Load(const std::string& name) {
  auto t = ReadChannelAttributionPaths(kDir + name);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return std::move(t).value();
}

AttributionResult Attributed(const PathTable& t, AttributionOptions o) {
  auto r = Attribute(t, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

const ChannelCredit& Get(const AttributionResult& r, std::string_view channel, M model) {
  const ChannelCredit* c = r.Find(channel, model);
  if (c == nullptr) {
    static const ChannelCredit kMissing{"(missing)", M::kFirstTouch, NAN, NAN, std::nullopt};
    ADD_FAILURE() << "no credit for " << channel << " / " << ModelName(model);
    return kMissing;
  }
  return *c;
}

// ca_heuristic_PathData.csv: ChannelAttribution's published heuristic_models() output.
std::vector<std::vector<std::string>> ReadReferenceCsv(const std::string& name) {
  std::ifstream in(kDir + name);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) {
      if (f.size() >= 2 && f.front() == '"') f = f.substr(1, f.size() - 2);
      fields.push_back(f);
    }
    rows.push_back(fields);
  }
  return rows;
}

// Absolute tolerance 1e-6: the reference prints 15 significant digits (values up to ~3e4,
// so at least 10 decimals), so 1e-6 absolute is tighter than 1e-6 relative for all of them.
TEST(AttributionPathData, HeuristicsMatchChannelAttribution) {
  PathTable table = Load("PathData.csv");
  ASSERT_EQ(table.rows().size(), 10000u);
  AttributionOptions o;
  o.models = {M::kFirstTouch, M::kLastTouch, M::kLinear};
  AttributionResult r = Attributed(table, o);
  auto ref = ReadReferenceCsv("ca_heuristic_PathData.csv");
  ASSERT_EQ(ref.size(), 12u);
  ASSERT_EQ(r.channels.size(), 12u);
  for (const auto& row : ref) {
    ASSERT_EQ(row.size(), 7u);
    const std::string& ch = row[0];
    SCOPED_TRACE(ch);
    EXPECT_NEAR(Get(r, ch, M::kFirstTouch).conversions, std::stod(row[1]), 1e-6);
    EXPECT_NEAR(Get(r, ch, M::kFirstTouch).value, std::stod(row[2]), 1e-6);
    EXPECT_NEAR(Get(r, ch, M::kLastTouch).conversions, std::stod(row[3]), 1e-6);
    EXPECT_NEAR(Get(r, ch, M::kLastTouch).value, std::stod(row[4]), 1e-6);
    EXPECT_NEAR(Get(r, ch, M::kLinear).conversions, std::stod(row[5]), 1e-6);
    EXPECT_NEAR(Get(r, ch, M::kLinear).value, std::stod(row[6]), 1e-6);
    EXPECT_FALSE(Get(r, ch, M::kLinear).removal_effect.has_value());
  }
  // A few spelled out, so a wrong reference reader cannot hide a wrong model.
  EXPECT_NEAR(Get(r, "alpha", M::kLastTouch).conversions, 8447, 1e-9);
  EXPECT_NEAR(Get(r, "mi", M::kLinear).conversions, 2.22222222222222, 1e-6);
  EXPECT_NEAR(r.conversions, 19785, 1e-9);
  EXPECT_NEAR(r.nulls, 68602, 1e-9);
  EXPECT_EQ(r.paths, 10000u);
}

// Toy 1 (AnalyzeCore): c1>c2>c3 converts once, c1 and c2>c3 end in null.
// start→c1 2/3, start→c2 1/3, c1→c2 1/2, c1→null 1/2, c2→c3 1, c3→conv 1/2, c3→null 1/2.
// P = 2/3·1/2·1/2 + 1/3·1/2 = 1/3; without c1: 1/6 (effect 1/2); without c2 or c3: 0.
TEST(AttributionMarkov, Toy1RemovalEffectsAndConversions) {
  AttributionOptions o;
  o.models = {M::kMarkov};
  AttributionResult r = Attributed(Load("toy1_analyzecore.csv"), o);
  EXPECT_NEAR(*r.markov_conversion_probability, 1.0 / 3, 1e-12);
  EXPECT_NEAR(*Get(r, "c1", M::kMarkov).removal_effect, 0.5, 1e-9);
  EXPECT_NEAR(*Get(r, "c2", M::kMarkov).removal_effect, 1.0, 1e-9);
  EXPECT_NEAR(*Get(r, "c3", M::kMarkov).removal_effect, 1.0, 1e-9);
  EXPECT_NEAR(Get(r, "c1", M::kMarkov).conversions, 0.2, 1e-9);
  EXPECT_NEAR(Get(r, "c2", M::kMarkov).conversions, 0.4, 1e-9);
  EXPECT_NEAR(Get(r, "c3", M::kMarkov).conversions, 0.4, 1e-9);
}

// Toy 2: start→google ads 4/5, start→mailing 1/5; google ads→conv 2/4, →mailing 1/4,
// →null 1/4; mailing→conv 1. P = 4/5; without google ads 1/5 (0.75), without mailing
// 2/5 (0.5); 4 conversions split 0.75:0.5.
TEST(AttributionMarkov, Toy2Conversions) {
  AttributionOptions o;
  o.models = {M::kMarkov};
  AttributionResult r = Attributed(Load("toy2_puzyrov.csv"), o);
  EXPECT_NEAR(*r.markov_conversion_probability, 0.8, 1e-12);
  EXPECT_NEAR(Get(r, "google ads", M::kMarkov).conversions, 2.4, 1e-9);
  EXPECT_NEAR(Get(r, "mailing", M::kMarkov).conversions, 1.6, 1e-9);
  EXPECT_NEAR(*Get(r, "google ads", M::kMarkov).removal_effect, 0.75, 1e-9);
  EXPECT_NEAR(*Get(r, "mailing", M::kMarkov).removal_effect, 0.5, 1e-9);
  // The transition matrix as documented.
  std::map<std::pair<std::string, std::string>, double> t;
  for (const auto& tr : r.markov_transitions) t[{tr.from, tr.to}] = tr.probability;
  EXPECT_NEAR((t[{"(start)", "google ads"}]), 0.8, 1e-12);
  EXPECT_NEAR((t[{"google ads", "(conversion)"}]), 0.5, 1e-12);
  EXPECT_NEAR((t[{"google ads", "(null)"}]), 0.25, 1e-12);
  EXPECT_NEAR((t[{"mailing", "(conversion)"}]), 1.0, 1e-12);
  EXPECT_EQ(t.size(), 6u);
}

// Revisits: a>b>a converts, b ends in null. a: →b 1/2, →conv 1/2; b: →a 1/2, →null 1/2;
// h(a) = 2/3, h(b) = 1/3, P = 1/2. Without a: 0 (effect 1); without b: 1/4 (effect 1/2).
TEST(AttributionMarkov, CycleBetweenChannels) {
  PathTable t;
  t.AddPath({"a", "b", "a"}, 1, 30, 0);
  t.AddPath({"b"}, 0, 0, 1);
  AttributionOptions o;
  o.models = {M::kMarkov};
  AttributionResult r = Attributed(t, o);
  EXPECT_NEAR(*r.markov_conversion_probability, 0.5, 1e-12);
  EXPECT_NEAR(*Get(r, "a", M::kMarkov).removal_effect, 1.0, 1e-12);
  EXPECT_NEAR(*Get(r, "b", M::kMarkov).removal_effect, 0.5, 1e-12);
  EXPECT_NEAR(Get(r, "a", M::kMarkov).conversions, 2.0 / 3, 1e-12);
  EXPECT_NEAR(Get(r, "b", M::kMarkov).value, 10.0, 1e-12);
}

// Self-loops change the transition matrix but not absorption probabilities.
// a>a>b converts, a ends in null. Without self-loops: a→b 1/2, a→null 1/2; with them
// a→a 1/3, a→b 1/3, a→null 1/3. P = 1/2 either way; both effects 1; 0.5 conversions each.
TEST(AttributionMarkov, SelfLoopsOptionKeepsRemovalEffects) {
  PathTable t;
  t.AddPath({"a", "a", "b"}, 1, 0, 0);
  t.AddPath({"a"}, 0, 0, 1);
  for (bool loops : {false, true}) {
    SCOPED_TRACE(loops);
    AttributionOptions o;
    o.models = {M::kMarkov};
    o.markov_self_loops = loops;
    AttributionResult r = Attributed(t, o);
    std::map<std::pair<std::string, std::string>, double> tr;
    for (const auto& x : r.markov_transitions) tr[{x.from, x.to}] = x.probability;
    EXPECT_EQ(tr.count({"a", "a"}), loops ? 1u : 0u);
    EXPECT_NEAR((tr[{"a", "b"}]), loops ? 1.0 / 3 : 0.5, 1e-12);
    EXPECT_NEAR(*r.markov_conversion_probability, 0.5, 1e-12);
    EXPECT_NEAR(*Get(r, "a", M::kMarkov).removal_effect, 1.0, 1e-12);
    EXPECT_NEAR(Get(r, "b", M::kMarkov).conversions, 0.5, 1e-12);
  }
}

// An independent check of the SDK's one-factorization shortcut: for every channel,
// rebuild the chain with that channel redirected to (null) and solve it by Gauss-Seidel.
TEST(AttributionMarkov, PathDataMatchesDirectRemoval) {
  PathTable table = Load("PathData.csv");
  const size_t C = table.channel_names().size();
  // Transient 0 = start, 1..C channels; counts to transient, conv and null.
  std::vector<std::vector<double>> to(C + 1, std::vector<double>(C + 1, 0.0));
  std::vector<double> conv(C + 1, 0.0), total(C + 1, 0.0);
  for (const PathRow& row : table.rows()) {
    double w = row.conversions + row.nulls;
    size_t from = 0;
    for (uint32_t c : row.channels) {
      if (c + 1 == from) continue;
      to[from][c + 1] += w;
      total[from] += w;
      from = c + 1;
    }
    conv[from] += row.conversions;
    total[from] += w;
  }
  auto solve = [&](size_t removed) {
    std::vector<double> h(C + 1, 0.0);
    for (int iter = 0; iter < 100000; ++iter) {
      double delta = 0;
      for (size_t i = 0; i <= C; ++i) {
        if (i == removed || total[i] == 0) continue;
        double v = conv[i];
        for (size_t j = 1; j <= C; ++j) v += to[i][j] * h[j];
        v /= total[i];
        delta = std::max(delta, std::abs(v - h[i]));
        h[i] = v;
      }
      if (delta < 1e-15) break;
    }
    return h[0];
  };
  const double base = solve(SIZE_MAX);
  AttributionOptions o;
  o.models = {M::kMarkov};
  AttributionResult r = Attributed(table, o);
  EXPECT_NEAR(*r.markov_conversion_probability, base, 1e-12);
  double sum_conv = 0, sum_value = 0, sum_effect = 0;
  for (size_t c = 0; c < C; ++c) {
    const auto& credit = Get(r, table.channel_name(static_cast<uint32_t>(c)), M::kMarkov);
    EXPECT_NEAR(*credit.removal_effect, 1.0 - solve(c + 1) / base, 1e-9)
        << table.channel_name(static_cast<uint32_t>(c));
    sum_conv += credit.conversions;
    sum_value += credit.value;
    sum_effect += *credit.removal_effect;
  }
  EXPECT_NEAR(sum_conv, r.conversions, 1e-6);
  EXPECT_NEAR(sum_value, r.value, 1e-6);
  EXPECT_NEAR(Get(r, "eta", M::kMarkov).conversions,
              *Get(r, "eta", M::kMarkov).removal_effect / sum_effect * 19785, 1e-6);
  // Keeping self-loops changes no removal effect.
  o.markov_self_loops = true;
  AttributionResult loops = Attributed(table, o);
  for (const auto& ch : r.channels) {
    EXPECT_NEAR(*Get(loops, ch, M::kMarkov).removal_effect, *Get(r, ch, M::kMarkov).removal_effect,
                1e-9);
  }
}

TEST(AttributionMarkov, NoConversionsAndEmptyInput) {
  PathTable nulls;
  nulls.AddPath({"a", "b"}, 0, 0, 3);
  AttributionOptions o;
  o.models = {M::kMarkov, M::kLinear};
  AttributionResult r = Attributed(nulls, o);
  EXPECT_EQ(*r.markov_conversion_probability, 0.0);
  EXPECT_EQ(*Get(r, "a", M::kMarkov).removal_effect, 0.0);
  EXPECT_EQ(Get(r, "a", M::kMarkov).conversions, 0.0);
  EXPECT_EQ(Get(r, "b", M::kLinear).conversions, 0.0);
  EXPECT_EQ(r.nulls, 3.0);

  PathTable empty;
  o.models = AllModels();
  AttributionResult e = Attributed(empty, o);
  EXPECT_TRUE(e.channels.empty());
  EXPECT_TRUE(e.credits.empty());
  EXPECT_EQ(e.paths, 0u);
  EXPECT_EQ(e.conversions, 0.0);
  EXPECT_EQ(*e.markov_conversion_probability, 0.0);
}

// Position-based (40/20/40):
//  a            1 conv,  10 → a 1
//  a>b          1 conv,  10 → a 0.5, b 0.5 (two touches: 50/50)
//  a>b>c>b      2 conv, 100 → a 0.4, b 0.1 + 0.4 (repeat counts twice), c 0.1; × 2
//  c            0 conv, 1 null → nothing
// a 1 + 0.5 + 0.8 = 2.3; b 0.5 + 1.0 = 1.5; c 0.2. Value a 10+5+40, b 5+50, c 10.
TEST(AttributionHeuristics, PositionBasedHandWorked) {
  PathTable t;
  t.AddPath({"a"}, 1, 10, 0);
  t.AddPath({"a", "b"}, 1, 10, 0);
  t.AddPath({"a", "b", "c", "b"}, 2, 100, 0);
  t.AddPath({"c"}, 0, 0, 1);
  AttributionOptions o;
  o.models = {M::kPositionBased, M::kLinear};
  AttributionResult r = Attributed(t, o);
  EXPECT_NEAR(Get(r, "a", M::kPositionBased).conversions, 2.3, 1e-12);
  EXPECT_NEAR(Get(r, "b", M::kPositionBased).conversions, 1.5, 1e-12);
  EXPECT_NEAR(Get(r, "c", M::kPositionBased).conversions, 0.2, 1e-12);
  EXPECT_NEAR(Get(r, "a", M::kPositionBased).value, 55, 1e-12);
  EXPECT_NEAR(Get(r, "b", M::kPositionBased).value, 55, 1e-12);
  EXPECT_NEAR(Get(r, "c", M::kPositionBased).value, 10, 1e-12);
  // Linear counts each occurrence: b gets 2/4 of the 4-touch path.
  EXPECT_NEAR(Get(r, "b", M::kLinear).conversions, 0.5 + 1.0, 1e-12);
  EXPECT_EQ(r.nulls, 1.0);
}

// Time decay, half-life 1 day (weights 2^-age_days, normalized per path):
//  a>b>c ages 2d,1d,0d, 1 conv, 70 → 1/4 : 1/2 : 1 → a 1/7, b 2/7, c 4/7 (value 10, 20, 40)
//  a>b   ages 1d,1d (a tie), 1 conv  → 1/2 each
//  a>b>a ages 1d,1d,0d, 1 conv       → a (1/2 + 1)/2 = 3/4, b 1/4
TEST(AttributionHeuristics, TimeDecayHandWorked) {
  const int64_t d = kMicrosPerDay;
  PathTable t;
  t.AddPath({"a", "b", "c"}, 1, 70, 0, {2 * d, d, 0});
  t.AddPath({"a", "b"}, 1, 0, 0, {d, d});
  t.AddPath({"a", "b", "a"}, 1, 0, 0, {d, d, 0});
  AttributionOptions o;
  o.models = {M::kTimeDecay};
  o.half_life_us = static_cast<double>(d);
  AttributionResult r = Attributed(t, o);
  EXPECT_NEAR(Get(r, "a", M::kTimeDecay).conversions, 1.0 / 7 + 0.5 + 0.75, 1e-12);
  EXPECT_NEAR(Get(r, "b", M::kTimeDecay).conversions, 2.0 / 7 + 0.5 + 0.25, 1e-12);
  EXPECT_NEAR(Get(r, "c", M::kTimeDecay).conversions, 4.0 / 7, 1e-12);
  EXPECT_NEAR(Get(r, "a", M::kTimeDecay).value, 10, 1e-12);
  EXPECT_NEAR(Get(r, "c", M::kTimeDecay).value, 40, 1e-12);
  // Half-life 2 days: 2^-1 : 2^-0.5 : 1 on the first path.
  o.half_life_us = 2.0 * static_cast<double>(d);
  r = Attributed(t, o);
  double w = 0.5 + std::sqrt(0.5) + 1;
  EXPECT_NEAR(Get(r, "c", M::kTimeDecay).conversions, 1 / w, 1e-12);
  // Very old touches do not underflow: ages of 10,000 days, one day apart.
  PathTable old;
  old.AddPath({"x", "y"}, 1, 0, 0, {10001 * d, 10000 * d});
  o.half_life_us = static_cast<double>(d);
  r = Attributed(old, o);
  EXPECT_NEAR(Get(r, "x", M::kTimeDecay).conversions, 1.0 / 3, 1e-12);
}

// Lookback 1.5 days on a>b>c (ages 2d, 1d, 0): a is ignored by every model.
// A conversion whose touches are all older than the window is unattributed.
TEST(AttributionHeuristics, LookbackExcludesOldTouches) {
  const int64_t d = kMicrosPerDay;
  PathTable t;
  t.AddPath({"a", "b", "c"}, 1, 10, 0, {2 * d, d, 0});
  t.AddPath({"a"}, 1, 5, 0, {3 * d});
  t.AddPath({"a", "c"}, 0, 0, 1, {2 * d, 0});
  AttributionOptions o;
  o.models = AllModels();
  o.lookback_us = d + d / 2;
  o.half_life_us = static_cast<double>(d);
  AttributionResult r = Attributed(t, o);
  EXPECT_EQ(r.touches_outside_lookback, 3u);
  EXPECT_EQ(r.touches, 3u);
  EXPECT_EQ(r.unattributed_conversions, 1.0);
  EXPECT_EQ(r.unattributed_value, 5.0);
  EXPECT_EQ(r.conversions, 2.0);
  EXPECT_EQ(Get(r, "a", M::kFirstTouch).conversions, 0.0);
  EXPECT_EQ(Get(r, "b", M::kFirstTouch).conversions, 1.0);
  EXPECT_NEAR(Get(r, "b", M::kPositionBased).conversions, 0.5, 1e-12);
  EXPECT_NEAR(Get(r, "c", M::kTimeDecay).conversions, 2.0 / 3, 1e-12);
  EXPECT_EQ(Get(r, "a", M::kMarkov).conversions, 0.0);
  // Markov on b>c (1 conv) and c (1 null): start→b 1/2, start→c 1/2, b→c 1, c→conv 1/2.
  // P = 1/2; without b 1/4 (1/2), without c 0 (1): 1 conversion split 1/3, 2/3.
  EXPECT_NEAR(Get(r, "b", M::kMarkov).conversions, 1.0 / 3, 1e-12);
  EXPECT_NEAR(Get(r, "c", M::kMarkov).value, 10.0 * 2 / 3, 1e-12);
  // A touch exactly at the window's edge counts.
  o.lookback_us = 2 * d;
  r = Attributed(t, o);
  EXPECT_EQ(Get(r, "a", M::kFirstTouch).conversions, 1.0);
  EXPECT_EQ(r.touches_outside_lookback, 1u);
}

TEST(AttributionOptionsCheck, BadOptionsAreErrors) {
  PathTable t;
  t.AddPath({"a"}, 1, 0, 0);
  AttributionOptions o;
  o.models = {M::kTimeDecay};
  auto r = Attribute(t, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("time_decay needs touch times"), std::string::npos);
  o.models = {M::kLinear};
  o.half_life_us = 0;
  EXPECT_FALSE(Attribute(t, o).ok());
  o.half_life_us = 1;
  o.lookback_us = -1;
  EXPECT_FALSE(Attribute(t, o).ok());
  o.lookback_us = 0;
  o.position_first = 0.7;
  o.position_last = 0.4;
  EXPECT_FALSE(Attribute(t, o).ok());
  EXPECT_EQ(ParseModelName("time_decay"), M::kTimeDecay);
  EXPECT_FALSE(ParseModelName("shapley").has_value());
}

// Parser: errors name the file and the line.
void ExpectParseError(std::string_view text, std::string_view expected) {
  auto r = ParseChannelAttributionPaths(text, "paths.csv");
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status().message();
}

TEST(AttributionParser, ErrorsNameFileAndLine) {
  const std::string h = "path;total_conversions;total_conversion_value;total_null\n";
  ExpectParseError(h + "a > b;1;2;0\na;x;0;1\n",
                   "paths.csv:3: total_conversions: 'x' is not a number");
  ExpectParseError(h + "a;1;2\n", "paths.csv:2: expected 4 fields");
  ExpectParseError(h + "a;1;2;0\n;1;2;0\n", "paths.csv:3: path: empty");
  ExpectParseError(h + "a > > b;1;2;0\n", "paths.csv:2: path: empty channel name in 'a > > b'");
  ExpectParseError(h + "a;1;2;-1\n", "paths.csv:2: total_null: -1 is negative");
  ExpectParseError(h + "a;1;nan;0\n", "paths.csv:2: total_conversion_value: 'nan' is not a number");
  ExpectParseError(h + "a;1;2;0;9\n", "paths.csv:2: expected 4 fields");
  ExpectParseError(h, "paths.csv: no paths");
  auto missing = ReadChannelAttributionPaths(kDir + "no-such-file.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no-such-file.csv"), std::string::npos);
}

TEST(AttributionParser, AcceptsSpacesQuotesCrlfAndNoHeader) {
  auto r = ParseChannelAttributionPaths(
      "\xEF\xBB\xBF\"path\";total_conversions;total_conversion_value;total_null\r\n"
      "\"google ads >mailing\";1;2.5;0\r\n\r\n  google ads  ;0; 0 ;1\r\n",
      "p.csv");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows().size(), 2u);
  EXPECT_EQ(r->channel_names(), (std::vector<std::string>{"google ads", "mailing"}));
  EXPECT_EQ(r->rows()[0].channels, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(r->rows()[0].value, 2.5);
  EXPECT_EQ(r->rows()[1].nulls, 1.0);
  EXPECT_TRUE(r->rows()[1].ages_us.empty());
  auto bare = ParseChannelAttributionPaths("a>b;1;0;0\n", "p.csv");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->rows().size(), 1u);
}

// Journeys (hours after t0):
//  u1  page_view facebook@0, google@10, (unknown)@11, purchase@12 ($100), newsletter@20,
//      purchase@30 ($50), google@40
//  u2  instagram@0, newsletter@5 (never buys)
//  u3  purchase@0 ($20), then google@0 recorded after it (a tie in time)
//  u4  google@0, facebook@0 (a tie, google recorded first), purchase@1 (no value)
//  u5  (unknown)@0 only
constexpr const char* kModel = R"({
  "touchpoints": [
    {"id": "meta_ads", "name": "Meta ads", "channel": "paid_social", "when": [{"hint": {"utm_source": "facebook"}}]},
    {"id": "google_ads", "name": "Google ads", "channel": "paid_search", "when": [{"hint": {"utm_source": "google"}}]},
    {"id": "instagram", "name": "Instagram", "channel": "paid_social", "when": [{"hint": {"utm_source": "instagram"}}]},
    {"id": "email", "name": "E-mail", "channel": "email", "when": [{"hint": {"utm_source": "newsletter"}}]}
  ],
  "stages": [
    {"id": "awareness", "name": "Awareness", "when": [{"action": "page_view"}]},
    {"id": "purchase", "name": "Purchase", "goal": true, "when": [{"action": "purchase"}]}
  ],
  "segments": [
    {"id": "meta", "name": "First touch: Meta", "scope": "first", "when": [{"touchpoint": "meta_ads"}]}
  ]
})";

struct JourneyFixture {
  JourneyModel model;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<JourneySet> journeys;
};

JourneyFixture MakeJourneys() {
  auto model = JourneyModel::FromJson(kModel);
  EXPECT_TRUE(model.ok()) << model.status().message();
  JourneyFixture f{std::move(model).value(), nullptr, nullptr};
  f.store = std::make_unique<EventStore>(f.model);
  const int64_t t0 = 1'767'225'600'000'000;
  int n = 0;
  auto add = [&](const char* user, int64_t hours, const char* action, const char* utm,
                 std::optional<double> value = std::nullopt) {
    Event e;
    e.time_us = t0 + hours * kHourUs;
    e.source = hours >= 20 ? "crm" : "web";
    e.event_id = std::to_string(n++);
    e.action = action;
    e.identities = {{"user_id", user}};
    if (utm[0] != '\0') e.hints.emplace_back("utm_source", utm);
    e.value = value;
    f.store->Append(e);
  };
  add("u1", 0, "page_view", "facebook");
  add("u1", 10, "page_view", "google");
  add("u1", 11, "page_view", "");
  add("u1", 12, "purchase", "", 100.0);
  add("u1", 20, "page_view", "newsletter");
  add("u1", 30, "purchase", "", 50.0);
  add("u1", 40, "page_view", "google");
  add("u2", 0, "page_view", "instagram");
  add("u2", 5, "page_view", "newsletter");
  add("u3", 0, "purchase", "", 20.0);
  add("u3", 0, "page_view", "google");
  add("u4", 0, "page_view", "google");
  add("u4", 0, "page_view", "facebook");
  add("u4", 1, "purchase", "");
  add("u5", 0, "page_view", "");
  f.journeys = std::make_unique<JourneySet>(JourneySet::Build(*f.store, IdentityOptions{}));
  return f;
}

// A row as text: "ch1@age_h>ch2@age_h conv value null", sorted for comparison.
std::vector<std::string> RowsAsText(const PathTable& t) {
  std::vector<std::string> out;
  for (const PathRow& row : t.rows()) {
    std::string s;
    for (size_t i = 0; i < row.channels.size(); ++i) {
      if (i > 0) s += ">";
      s += t.channel_name(row.channels[i]) + "@" + std::to_string(row.ages_us[i] / kHourUs);
    }
    std::ostringstream num;
    num << " " << row.conversions << " " << row.value << " " << row.nulls;
    out.push_back(s + num.str());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AttributionJourneys, StageGoalFirstEntryOnly) {
  JourneyFixture f = MakeJourneys();
  ASSERT_EQ(f.journeys->person_count(), 5u);
  PathTable t = PathsFromJourneys(*f.journeys, ConversionGoal::Stage(1));
  EXPECT_EQ(RowsAsText(t), (std::vector<std::string>{
                               " 1 20 0",                           // u3: nothing before
                               "google_ads@1>meta_ads@1 1 0 0",     // u4: tie kept in order
                               "instagram@5>email@0 0 0 1",         // u2: null path
                               "meta_ads@12>google_ads@2 1 100 0",  // u1: first purchase
                           }));
  EXPECT_EQ(t.provenance.people, 5u);
  EXPECT_EQ(t.provenance.events, 15u);
  EXPECT_EQ(t.provenance.unknown_touches, 2u);  // u1@11 and u5@0
  EXPECT_EQ(t.provenance.sources, (std::vector<std::string>{"crm", "web"}));
}

TEST(AttributionJourneys, ActionGoalEveryPurchaseAndTrailingNulls) {
  JourneyFixture f = MakeJourneys();
  PathTable t = PathsFromJourneys(*f.journeys, ConversionGoal::Action("purchase"));
  EXPECT_EQ(RowsAsText(t), (std::vector<std::string>{
                               " 1 20 0",
                               "email@10 1 50 0",     // u1's second purchase
                               "google_ads@0 0 0 1",  // u1 after it
                               "google_ads@0 0 0 1",  // u3 after the tie
                               "google_ads@1>meta_ads@1 1 0 0",
                               "instagram@5>email@0 0 0 1",
                               "meta_ads@12>google_ads@2 1 100 0",
                           }));
  EXPECT_EQ(t.provenance.unknown_touches, 2u);
}

TEST(AttributionJourneys, ChannelUnitSegmentAndAttribution) {
  JourneyFixture f = MakeJourneys();
  PathTable by_channel =
      PathsFromJourneys(*f.journeys, ConversionGoal::Stage(1), PathUnit::kChannel);
  EXPECT_EQ(RowsAsText(by_channel), (std::vector<std::string>{
                                        " 1 20 0",
                                        "paid_search@1>paid_social@1 1 0 0",
                                        "paid_social@12>paid_search@2 1 100 0",
                                        "paid_social@5>email@0 0 0 1",
                                    }));
  // Segment "meta" (first touch Meta ads): only u1.
  PathTable meta = PathsFromJourneys(*f.journeys, ConversionGoal::Stage(1), PathUnit::kTouchpoint,
                                     f.model.SegmentIndex("meta"));
  EXPECT_EQ(RowsAsText(meta), (std::vector<std::string>{"meta_ads@12>google_ads@2 1 100 0"}));
  EXPECT_EQ(meta.provenance.people, 1u);

  // Attribution of the stage-goal paths, half-life 1 hour, lookback 3 hours.
  PathTable t = PathsFromJourneys(*f.journeys, ConversionGoal::Stage(1));
  AttributionOptions o;
  o.models = AllModels();
  o.half_life_us = static_cast<double>(kHourUs);
  AttributionResult r = Attributed(t, o);
  EXPECT_EQ(r.conversions, 3.0);
  EXPECT_EQ(r.unattributed_conversions, 1.0);  // u3
  EXPECT_EQ(r.unattributed_value, 20.0);
  EXPECT_EQ(Get(r, "meta_ads", M::kFirstTouch).conversions, 1.0);
  EXPECT_EQ(Get(r, "google_ads", M::kFirstTouch).conversions, 1.0);
  // u1: ages 12h and 2h → 2^-10 : 1; u4: a tie → 1/2 each.
  EXPECT_NEAR(Get(r, "meta_ads", M::kTimeDecay).conversions, 1.0 / 1025 + 0.5, 1e-12);
  EXPECT_NEAR(Get(r, "google_ads", M::kTimeDecay).value, 100.0 * 1024 / 1025, 1e-9);
  EXPECT_EQ(Get(r, "instagram", M::kLinear).conversions, 0.0);
  o.lookback_us = 3 * kHourUs;
  r = Attributed(t, o);
  EXPECT_EQ(r.touches_outside_lookback, 2u);  // u1's Meta ad (12h), u2's Instagram (5h)
  EXPECT_EQ(Get(r, "meta_ads", M::kFirstTouch).conversions, 0.0 + 0.0);
  EXPECT_EQ(Get(r, "google_ads", M::kFirstTouch).conversions, 2.0);
  EXPECT_EQ(Get(r, "google_ads", M::kLastTouch).conversions, 1.0);
}

TEST(AttributionJourneys, EmptyStore) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok());
  EventStore store(*model);
  JourneySet journeys = JourneySet::Build(store, IdentityOptions{});
  PathTable t = PathsFromJourneys(journeys, ConversionGoal::Stage(1));
  EXPECT_TRUE(t.rows().empty());
  AttributionOptions o;
  o.models = AllModels();
  AttributionResult r = Attributed(t, o);
  EXPECT_TRUE(r.credits.empty());
}

// The command: CSV for toy 2, exit code 2 for a bad file.
TEST(AttributionCli, WritesCsvAndRejectsBadFiles) {
  std::string cli = JK_CLI_PATH;
  if (cli.empty()) GTEST_SKIP() << "the journeykit command is not built";
  auto dir =
      std::filesystem::temp_directory_path() / ("jk-attribution-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string out = (dir / "out.csv").string();
  std::string cmd =
      cli + " attribution --paths " + kDir + "toy2_puzyrov.csv --models first,markov -o " + out;
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
  std::ifstream in(out);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "channel,model,conversions,value,removal_effect");
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "google ads,first,3,0,");
  EXPECT_EQ(lines[1].rfind("google ads,markov,2.4", 0), 0u) << lines[1];
  EXPECT_EQ(lines[3], "mailing,markov,1.6,0,0.5");

  std::string bad = (dir / "bad.csv").string();
  std::ofstream(bad) << "path;total_conversions;total_conversion_value;total_null\na;1;0\n";
  rc = std::system((cli + " attribution --paths " + bad + " 2>/dev/null").c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace journeykit

// micro_benchmarks.cpp — Google Benchmark micro-benchmarks of the engine's hot paths.
//
// Every benchmark reports items/s (events, strings or people) and, where input bytes make
// sense, bytes/s. Inputs are synthesized in-process, deterministically (std::mt19937_64 raw
// output), in the shape journeykit-bench-generate --format compact writes and the
// events-file plugin turns into events: about 10 events per person, six channels, ~3.5% of
// people buying, revenue on purchases, people interleaved in blocks of 4096 sorted by time.
// The journey model (bench/model.json) is the one bench/run_end_to_end.sh writes into its pipeline:
// 7 stages, 10 touchpoints, 3 segments.
//
//   journeykit-bench-micro                                  # everything (a few minutes)
//   journeykit-bench-micro --benchmark_filter=Parse         # one group
//   journeykit-bench-micro --benchmark_format=json > micro.json
//
// Absolute numbers drift on a shared machine; compare ratios measured in one run.
#include "bench_model.hpp"

#include <journeykit/attribution.hpp>
#include <journeykit/event.hpp>
#include <journeykit/event_store.hpp>
#include <journeykit/funnel.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/paths.hpp>
#include <journeykit/stage_funnel.hpp>
#include <journeykit/state_store.hpp>
#include <journeykit/string_pool.hpp>
#include <journeykit/time_units.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace jk = journeykit;

namespace {

// ---------------------------------------------------------------------------------------
// The journey model used by the benchmarks and by run_end_to_end.sh.

// ---------------------------------------------------------------------------------------
// Deterministic synthetic events (the shape of the compact NDJSON data set).

constexpr std::array<std::string_view, 6> kChannels{"paid_social", "paid_search", "organic",
                                                    "email",       "direct",      "referral"};
constexpr std::array<int, 6> kAcquisitionWeights{25, 20, 25, 8, 12, 10};
constexpr std::array<int, 6> kReturnWeights{15, 10, 15, 30, 25, 5};

class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  uint64_t Below(uint64_t n) {
    const uint64_t reject_under = (0 - n) % n;
    for (;;) {
      const uint64_t x = engine_();
      if (x >= reject_under) return x % n;
    }
  }
  bool Percent(uint64_t p) { return Below(100) < p; }
  template <size_t N>
  size_t Weighted(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    auto x = static_cast<int>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < N; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return N - 1;
  }

 private:
  std::mt19937_64 engine_;
};

struct Raw {
  int64_t time_ms;
  uint32_t person;
  uint16_t order;
  uint8_t channel;
  std::string_view action;
  int revenue_cents;
};

// Events of `people_per_block` people at a time, each block sorted by time.
std::vector<Raw> SynthesizeRaw(size_t events) {
  constexpr int64_t kStartMs = 1'767'225'600'000;  // 2026-01-01
  constexpr int64_t kWindowMs = 90LL * 24 * 3600 * 1000;
  constexpr size_t kBlockPeople = 4096;
  constexpr std::array<int, 5> kPrices{4990, 9900, 14900, 29900, 49900};
  std::vector<Raw> out;
  out.reserve(events);
  Random rng(20260101);
  uint32_t person = 0;
  while (out.size() < events) {
    const size_t block_begin = out.size();
    for (size_t k = 0; k < kBlockPeople && out.size() < events; ++k, ++person) {
      const size_t length = 1 + rng.Below(19);
      const size_t depth = rng.Weighted(std::array<int, 5>{760, 140, 40, 25, 35});
      std::vector<std::string_view> actions{"page_view"};
      auto filler = [&] {
        const uint64_t r = rng.Below(100);
        actions.push_back(r < 72 ? "page_view" : r < 88 ? "email_open" : "email_click");
      };
      const size_t milestones = depth == 0 ? 0 : depth + 1 + (depth >= 4 ? 3 : 0);
      while (actions.size() + milestones < length) filler();
      if (depth >= 1) actions.push_back("sign_up");
      if (depth >= 1 && rng.Percent(40)) actions.push_back("webinar_attended");
      if (depth >= 2) actions.push_back("add_to_cart");
      if (depth >= 3) actions.push_back("begin_checkout");
      if (depth >= 4) {
        actions.push_back("purchase");
        actions.push_back("login");
        if (rng.Percent(15)) actions.push_back("support_ticket");
        if (rng.Percent(20)) actions.push_back("review_submitted");
      }
      auto channel = static_cast<uint8_t>(rng.Weighted(kAcquisitionWeights));
      int64_t t = kStartMs + static_cast<int64_t>(rng.Below(kWindowMs - 20LL * 86'400'000));
      for (size_t i = 0; i < actions.size() && out.size() < events; ++i) {
        if (i > 0) {
          if (rng.Percent(30)) {
            t += 3'600'000 + static_cast<int64_t>(rng.Below(86'400'000));
            channel = static_cast<uint8_t>(rng.Weighted(kReturnWeights));
          } else {
            t += 5'000 + static_cast<int64_t>(rng.Below(600'000));
          }
        }
        if (actions[i] == "email_open" || actions[i] == "email_click") channel = 3;
        const int revenue = actions[i] == "purchase" ? kPrices[rng.Below(kPrices.size())] : 0;
        out.push_back(Raw{t, person, static_cast<uint16_t>(i), channel, actions[i], revenue});
      }
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(block_begin), out.end(),
              [](const Raw& a, const Raw& b) {
                if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
                if (a.person != b.person) return a.person < b.person;
                return a.order < b.order;
              });
  }
  return out;
}

std::string UserId(uint32_t person) { return "u" + std::to_string(person + 1); }

// What the events-file plugin emits for a compact line (and the host stores).
jk::Event ToEvent(const Raw& r, size_t line) {
  jk::Event e;
  e.time_us = r.time_ms * 1000;
  e.source = "events";
  e.event_id = "events.ndjson:" + std::to_string(line + 1);
  e.action = std::string(r.action);
  e.identities.emplace_back("user_id", UserId(r.person));
  e.hints.emplace_back("channel", std::string(kChannels[r.channel]));
  if (r.revenue_cents != 0) e.value = r.revenue_cents / 100.0;
  return e;
}

void AppendLine(const Raw& r, std::string& out) {
  char buf[24];
  out += "{\"user_id\":\"";
  out += UserId(r.person);
  out += "\",\"ts\":";
  out.append(buf, std::to_chars(buf, buf + sizeof buf, r.time_ms).ptr);
  out += ",\"channel\":\"";
  out += kChannels[r.channel];
  out += "\",\"action\":\"";
  out += r.action;
  out += '"';
  if (r.revenue_cents != 0) {
    out += ",\"revenue\":";
    out.append(buf, std::to_chars(buf, buf + sizeof buf, r.revenue_cents / 100).ptr);
    out += '.';
    out += static_cast<char>('0' + r.revenue_cents / 10 % 10);
    out += static_cast<char>('0' + r.revenue_cents % 10);
  }
  out += "}\n";
}

// Cached inputs: built once per size, shared by the benchmarks (the 1M events take ~0.5 GB
// as jk::Event objects, so they are built only when a benchmark needs them).
const std::vector<Raw>& RawEvents() {
  static const std::vector<Raw> raw = SynthesizeRaw(1'000'000);
  return raw;
}

const std::vector<jk::Event>& Events(size_t n) {
  static std::map<size_t, std::vector<jk::Event>> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  const auto& raw = RawEvents();
  std::vector<jk::Event> events;
  events.reserve(n);
  for (size_t i = 0; i < n; ++i) events.push_back(ToEvent(raw[i], i));
  return cache.emplace(n, std::move(events)).first->second;
}

const jk::JourneyModel& Model() {
  static const jk::JourneyModel model = [] {
    auto m = jk::JourneyModel::FromJson(jk_bench::ModelJson(), "bench model");
    if (!m.ok()) {
      std::fprintf(stderr, "bench model: %s\n", m.status().message().c_str());
      std::abort();
    }
    return std::move(*m);
  }();
  return model;
}

const jk::EventStore& Store(size_t n) {
  static std::map<size_t, std::unique_ptr<jk::EventStore>> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return *it->second;
  auto store = std::make_unique<jk::EventStore>(Model());
  store->Reserve(n);
  for (const jk::Event& e : Events(n)) store->Append(e);
  return *cache.emplace(n, std::move(store)).first->second;
}

const jk::JourneySet& Journeys(size_t n) {
  static std::map<size_t, std::unique_ptr<jk::JourneySet>> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return *it->second;
  auto set = std::make_unique<jk::JourneySet>(jk::JourneySet::Build(Store(n), {}));
  return *cache.emplace(n, std::move(set)).first->second;
}

// NDJSON text of the first n synthetic events, with simdjson's padding after the end.
const simdjson::padded_string& Ndjson(size_t n) {
  static std::map<size_t, simdjson::padded_string> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  std::string text;
  text.reserve(n * 80);
  const auto& raw = RawEvents();
  for (size_t i = 0; i < n; ++i) AppendLine(raw[i], text);
  return cache.emplace(n, simdjson::padded_string(text)).first->second;
}

// Calls fn(line) for every line of the padded text (the line is followed by readable bytes).
template <class Fn>
void ForEachLine(const simdjson::padded_string& text, Fn&& fn) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (nl == nullptr) nl = end;
    fn(p, static_cast<size_t>(nl - p));
    p = nl + 1;
  }
}

void SetThroughput(benchmark::State& state, size_t items, size_t bytes = 0) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * items));
  if (bytes != 0) state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

// ---------------------------------------------------------------------------------------
// Reference points: memory bandwidth and line splitting on this machine.

void BM_Reference_Memcpy(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<char> src(n, 'x'), dst(n);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), n);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  SetThroughput(state, 1, n);
}
BENCHMARK(BM_Reference_Memcpy)->Arg(256 << 20)->Unit(benchmark::kMillisecond);

void BM_Reference_SplitLines(benchmark::State& state) {
  const auto& text = Ndjson(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    size_t lines = 0;
    ForEachLine(text, [&](const char*, size_t) { ++lines; });
    benchmark::DoNotOptimize(lines);
  }
  SetThroughput(state, static_cast<size_t>(state.range(0)), text.size());
}
BENCHMARK(BM_Reference_SplitLines)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------
// Parsing compact NDJSON: the five fields of every line.

struct Parsed {
  std::string_view user_id, channel, action;
  int64_t ts = 0;
  double revenue = 0;
};

// What the events-file plugin does today: one DOM parse per line.
void BM_Parse_Dom_PerLine(benchmark::State& state) {
  const auto& text = Ndjson(static_cast<size_t>(state.range(0)));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    uint64_t sum = 0;
    ForEachLine(text, [&](const char* p, size_t n) {
      simdjson::dom::element root;
      if (parser.parse(p, n, false).get(root)) std::abort();
      simdjson::dom::object o = root.get_object().value_unsafe();
      Parsed r;
      r.user_id = o["user_id"].get_string().value_unsafe();
      r.ts = o["ts"].get_int64().value_unsafe();
      r.channel = o["channel"].get_string().value_unsafe();
      r.action = o["action"].get_string().value_unsafe();
      double revenue = 0;
      if (o["revenue"].get_double().get(revenue) == simdjson::SUCCESS) r.revenue = revenue;
      sum += static_cast<uint64_t>(r.ts) + r.user_id.size() + r.channel.size() + r.action.size();
    });
    benchmark::DoNotOptimize(sum);
  }
  SetThroughput(state, static_cast<size_t>(state.range(0)), text.size());
}
BENCHMARK(BM_Parse_Dom_PerLine)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_Parse_Dom_ParseMany(benchmark::State& state) {
  const auto& text = Ndjson(static_cast<size_t>(state.range(0)));
  simdjson::dom::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = false;  // one core: the benchmark's CPU time counts only this thread
#endif
  for (auto _ : state) {
    uint64_t sum = 0;
    simdjson::dom::document_stream docs;
    if (parser.parse_many(text).get(docs)) std::abort();
    for (auto doc : docs) {
      simdjson::dom::object o;
      if (doc.get_object().get(o)) std::abort();
      Parsed r;
      r.user_id = o["user_id"].get_string().value_unsafe();
      r.ts = o["ts"].get_int64().value_unsafe();
      r.channel = o["channel"].get_string().value_unsafe();
      r.action = o["action"].get_string().value_unsafe();
      sum += static_cast<uint64_t>(r.ts) + r.user_id.size() + r.channel.size() + r.action.size();
    }
    benchmark::DoNotOptimize(sum);
  }
  SetThroughput(state, static_cast<size_t>(state.range(0)), text.size());
}
BENCHMARK(BM_Parse_Dom_ParseMany)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_Parse_OnDemand_PerLine(benchmark::State& state) {
  const auto& text = Ndjson(static_cast<size_t>(state.range(0)));
  simdjson::ondemand::parser parser;
  const char* end = text.data() + text.size() + simdjson::SIMDJSON_PADDING;
  for (auto _ : state) {
    uint64_t sum = 0;
    ForEachLine(text, [&](const char* p, size_t n) {
      simdjson::ondemand::document doc;
      // The rest of the buffer is the padding simdjson needs after the line.
      if (parser.iterate(p, n, static_cast<size_t>(end - p)).get(doc)) std::abort();
      Parsed r;
      if (doc["user_id"].get_string().get(r.user_id)) std::abort();
      if (doc["ts"].get_int64().get(r.ts)) std::abort();
      if (doc["channel"].get_string().get(r.channel)) std::abort();
      if (doc["action"].get_string().get(r.action)) std::abort();
      double revenue = 0;
      if (doc["revenue"].get_double().get(revenue) == simdjson::SUCCESS) r.revenue = revenue;
      sum += static_cast<uint64_t>(r.ts) + r.user_id.size() + r.channel.size() + r.action.size();
    });
    benchmark::DoNotOptimize(sum);
  }
  SetThroughput(state, static_cast<size_t>(state.range(0)), text.size());
}
BENCHMARK(BM_Parse_OnDemand_PerLine)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_Parse_OnDemand_IterateMany(benchmark::State& state) {
  const auto& text = Ndjson(static_cast<size_t>(state.range(0)));
  simdjson::ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = false;  // one core: the benchmark's CPU time counts only this thread
#endif
  for (auto _ : state) {
    uint64_t sum = 0;
    simdjson::ondemand::document_stream docs;
    if (parser.iterate_many(text).get(docs)) std::abort();
    for (auto doc : docs) {
      Parsed r;
      if (doc["user_id"].get_string().get(r.user_id)) std::abort();
      if (doc["ts"].get_int64().get(r.ts)) std::abort();
      if (doc["channel"].get_string().get(r.channel)) std::abort();
      if (doc["action"].get_string().get(r.action)) std::abort();
      sum += static_cast<uint64_t>(r.ts) + r.user_id.size() + r.channel.size() + r.action.size();
    }
    benchmark::DoNotOptimize(sum);
  }
  SetThroughput(state, static_cast<size_t>(state.range(0)), text.size());
}
BENCHMARK(BM_Parse_OnDemand_IterateMany)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------
// Interning.

std::vector<std::string> IdentityKeys(size_t n) {
  std::vector<std::string> keys;
  keys.reserve(n);
  for (const Raw& r : RawEvents()) {
    if (keys.size() == n) break;
    keys.push_back("user_id:" + UserId(r.person));
  }
  return keys;
}

// A fresh pool per iteration: the first sight of a person misses, the other ~9 of their
// events hit (the mix EventStore::Append sees for "kind:value" identity keys).
void BM_StringPool_Intern_FreshPool(benchmark::State& state) {
  const auto keys = IdentityKeys(static_cast<size_t>(state.range(0)));
  size_t bytes = 0;
  for (const auto& k : keys) bytes += k.size();
  size_t distinct = 0;
  for (auto _ : state) {
    jk::StringPool pool;
    for (const auto& k : keys) benchmark::DoNotOptimize(pool.Intern(k));
    distinct = pool.size() - 1;
  }
  state.counters["miss_share"] = static_cast<double>(distinct) / static_cast<double>(keys.size());
  SetThroughput(state, keys.size(), bytes);
}
BENCHMARK(BM_StringPool_Intern_FreshPool)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// Every string already interned: the hash-map lookup alone.
void BM_StringPool_Intern_AllHits(benchmark::State& state) {
  const auto keys = IdentityKeys(static_cast<size_t>(state.range(0)));
  size_t bytes = 0;
  for (const auto& k : keys) bytes += k.size();
  jk::StringPool pool;
  for (const auto& k : keys) pool.Intern(k);
  for (auto _ : state) {
    for (const auto& k : keys) benchmark::DoNotOptimize(pool.Intern(k));
  }
  SetThroughput(state, keys.size(), bytes);
}
BENCHMARK(BM_StringPool_Intern_AllHits)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------
// EventStore::Append: touchpoint, stage and segment rules, interning, columns.

void BM_EventStore_Append(benchmark::State& state) {
  const auto& events = Events(static_cast<size_t>(state.range(0)));
  size_t memory = 0;
  for (auto _ : state) {
    jk::EventStore store(Model());
    store.Reserve(events.size());
    for (const jk::Event& e : events) store.Append(e);
    memory = store.memory_bytes();
    benchmark::DoNotOptimize(store.size());
  }
  state.counters["store_bytes_per_event"] =
      static_cast<double>(memory) / static_cast<double>(events.size());
  SetThroughput(state, events.size());
}
BENCHMARK(BM_EventStore_Append)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The rules alone (what Append spends on the model per event).
void BM_JourneyModel_ResolveAssign(benchmark::State& state) {
  const auto& events = Events(static_cast<size_t>(state.range(0)));
  const jk::JourneyModel& model = Model();
  for (auto _ : state) {
    uint64_t sum = 0;
    for (const jk::Event& e : events) {
      const uint16_t tp = model.ResolveTouchpoint(e);
      sum += tp + model.AssignStage(e, tp) + model.SegmentMatches(e, tp);
    }
    benchmark::DoNotOptimize(sum);
  }
  SetThroughput(state, events.size());
}
BENCHMARK(BM_JourneyModel_ResolveAssign)->Arg(100'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------
// Journeys and the stage funnel.

void BM_JourneySet_Build(benchmark::State& state) {
  const jk::EventStore& store = Store(static_cast<size_t>(state.range(0)));
  size_t people = 0;
  for (auto _ : state) {
    jk::JourneySet set = jk::JourneySet::Build(store, {});
    people = set.person_count();
    benchmark::DoNotOptimize(people);
  }
  state.counters["people"] = static_cast<double>(people);
  SetThroughput(state, store.size());
}
BENCHMARK(BM_JourneySet_Build)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// All funnels of a run: everyone, then each of the 3 segments.
void BM_ComputeStageFunnel_AllSegments(benchmark::State& state) {
  const jk::JourneySet& set = Journeys(static_cast<size_t>(state.range(0)));
  const int segments = static_cast<int>(Model().segments().size());
  for (auto _ : state) {
    for (int s = -1; s < segments; ++s) {
      jk::StageFunnel f = jk::ComputeStageFunnel(set, s);
      benchmark::DoNotOptimize(f.people);
    }
  }
  state.counters["people"] = static_cast<double>(set.person_count());
  SetThroughput(state, set.store().size());
}
BENCHMARK(BM_ComputeStageFunnel_AllSegments)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// The 4-step ordered funnel of compare.sh (page_view → sign_up → add_to_cart → purchase, 7 days,
// unique people): ClickHouse windowFunnel's semantics.
void BM_ComputeFunnel_Ordered4Steps(benchmark::State& state) {
  const jk::JourneySet& set = Journeys(static_cast<size_t>(state.range(0)));
  jk::FunnelOptions options;
  options.window_us = 7 * jk::kMicrosPerDay;
  for (const char* action : {"page_view", "sign_up", "add_to_cart", "purchase"}) {
    jk::FunnelStep step;
    step.id = action;
    jk::Condition c;
    c.actions = {action};
    step.when = {c};
    options.steps.push_back(std::move(step));
  }
  for (auto _ : state) {
    auto funnel = jk::ComputeFunnel(set, options);
    if (!funnel.ok()) state.SkipWithError(funnel.status().message().c_str());
    benchmark::DoNotOptimize(funnel);
  }
  SetThroughput(state, set.store().size());
}
BENCHMARK(BM_ComputeFunnel_Ordered4Steps)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// Touchpoint paths of everyone, repeats collapsed, top 10 and every transition.
void BM_ComputePaths_Touchpoints(benchmark::State& state) {
  const jk::JourneySet& set = Journeys(static_cast<size_t>(state.range(0)));
  jk::PathOptions options;
  options.collapse_repeats = true;
  for (auto _ : state) {
    auto paths = jk::ComputePaths(set, options);
    if (!paths.ok()) state.SkipWithError(paths.status().message().c_str());
    benchmark::DoNotOptimize(paths);
  }
  SetThroughput(state, set.store().size());
}
BENCHMARK(BM_ComputePaths_Touchpoints)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Attribution, in its two halves: the converting and non-converting touchpoint paths of every
// person (goal: first entry into the purchase stage, 30-day lookback) ...
size_t PurchaseStage() {
  const auto& stages = Model().stages();
  for (size_t s = 0; s < stages.size(); ++s) {
    if (stages[s].id == "purchase") return s;
  }
  std::fprintf(stderr, "the benchmark model has no purchase stage\n");
  std::exit(1);
}

void BM_Attribution_PathsFromJourneys(benchmark::State& state) {
  const jk::JourneySet& set = Journeys(static_cast<size_t>(state.range(0)));
  size_t rows = 0;
  for (auto _ : state) {
    jk::PathTable table = jk::PathsFromJourneys(set, jk::ConversionGoal::Stage(PurchaseStage()));
    rows = table.rows().size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["path_rows"] = static_cast<double>(rows);
  SetThroughput(state, set.store().size());
}
BENCHMARK(BM_Attribution_PathsFromJourneys)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// ... and the six models over that table (first, last, linear, position, time decay with a
// 7-day half-life, Markov removal effects; 30-day lookback).
void BM_Attribution_AllModels(benchmark::State& state) {
  const jk::JourneySet& set = Journeys(static_cast<size_t>(state.range(0)));
  const jk::PathTable table =
      jk::PathsFromJourneys(set, jk::ConversionGoal::Stage(PurchaseStage()));
  jk::AttributionOptions options;
  options.models = jk::AllModels();
  options.lookback_us = 30 * jk::kMicrosPerDay;
  for (auto _ : state) {
    auto result = jk::Attribute(table, options);
    if (!result.ok()) state.SkipWithError(result.status().message().c_str());
    benchmark::DoNotOptimize(result);
  }
  state.counters["path_rows"] = static_cast<double>(table.rows().size());
  SetThroughput(state, set.store().size());
}
BENCHMARK(BM_Attribution_AllModels)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------
// The SQLite state store (a temp file in WAL mode, as a run uses it).

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "jk-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string File(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Stores n events in transactions of 4096 events plus a cursor, the way a source plugin's
// batches and checkpoints arrive. Each iteration uses a new source name, so every event is
// new; the table grows across iterations like a store that already holds data.
void BM_StateStore_Commit(benchmark::State& state) {
  const auto& events = Events(static_cast<size_t>(state.range(0)));
  TempDir dir;
  auto store = jk::StateStore::Open(dir.File("state.db"));
  if (!store.ok()) std::abort();
  int round = 0;
  const std::string cursor = R"({"files":{"events.ndjson":{"offset":123456789,"line":1000000}}})";
  for (auto _ : state) {
    const std::string source = "events-" + std::to_string(round++);
    for (size_t i = 0; i < events.size(); i += 4096) {
      const size_t n = std::min<size_t>(4096, events.size() - i);
      auto r = (*store)->Commit(source, "files", std::span(events.data() + i, n), &cursor);
      if (!r.ok() || r->inserted != n) std::abort();
    }
  }
  SetThroughput(state, events.size());
}
BENCHMARK(BM_StateStore_Commit)
    ->Arg(100'000)
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A rerun that reads events it already stored: INSERT OR IGNORE finds each one a duplicate.
void BM_StateStore_Commit_Duplicates(benchmark::State& state) {
  const auto& events = Events(static_cast<size_t>(state.range(0)));
  TempDir dir;
  auto store = jk::StateStore::Open(dir.File("state.db"));
  if (!store.ok()) std::abort();
  const std::string cursor = "{}";
  for (size_t i = 0; i < events.size(); i += 4096) {
    const size_t n = std::min<size_t>(4096, events.size() - i);
    if (!(*store)->Commit("events", "files", std::span(events.data() + i, n), &cursor).ok()) {
      std::abort();
    }
  }
  for (auto _ : state) {
    for (size_t i = 0; i < events.size(); i += 4096) {
      const size_t n = std::min<size_t>(4096, events.size() - i);
      auto r = (*store)->Commit("events", "files", std::span(events.data() + i, n), &cursor);
      if (!r.ok() || r->duplicates != n) std::abort();
    }
  }
  SetThroughput(state, events.size());
}
BENCHMARK(BM_StateStore_Commit_Duplicates)
    ->Arg(100'000)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// What every run does after the sources: read all stored events back into the EventStore.
void BM_StateStore_LoadIntoEventStore(benchmark::State& state) {
  const auto& events = Events(static_cast<size_t>(state.range(0)));
  TempDir dir;
  auto store = jk::StateStore::Open(dir.File("state.db"));
  if (!store.ok()) std::abort();
  for (size_t i = 0; i < events.size(); i += 4096) {
    const size_t n = std::min<size_t>(4096, events.size() - i);
    if (!(*store)->Commit("events", "files", std::span(events.data() + i, n), nullptr).ok()) {
      std::abort();
    }
  }
  for (auto _ : state) {
    jk::EventStore es(Model());
    es.Reserve(events.size());
    if (!(*store)->ForEachEvent([&](const jk::Event& e) { es.Append(e); }).ok()) std::abort();
    benchmark::DoNotOptimize(es.size());
  }
  SetThroughput(state, events.size());
}
BENCHMARK(BM_StateStore_LoadIntoEventStore)
    ->Arg(100'000)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---------------------------------------------------------------------------------------
// Ingest without SQLite: compact NDJSON → parse (On-Demand) → Event → EventStore::Append.
// The closest in-process equivalent of the issue's "ingest into the in-memory store" target
// (before stitching) with today's Event type and Append.

void BM_Ingest_OnDemandToEventStore(benchmark::State& state) {
  const auto& text = Ndjson(static_cast<size_t>(state.range(0)));
  simdjson::ondemand::parser parser;
  const char* end = text.data() + text.size() + simdjson::SIMDJSON_PADDING;
  for (auto _ : state) {
    jk::EventStore store(Model());
    store.Reserve(static_cast<size_t>(state.range(0)));
    jk::Event e;
    e.source = "events";
    size_t line = 0;
    ForEachLine(text, [&](const char* p, size_t n) {
      simdjson::ondemand::document doc;
      if (parser.iterate(p, n, static_cast<size_t>(end - p)).get(doc)) std::abort();
      std::string_view user, channel, action;
      int64_t ts = 0;
      if (doc["user_id"].get_string().get(user)) std::abort();
      if (doc["ts"].get_int64().get(ts)) std::abort();
      if (doc["channel"].get_string().get(channel)) std::abort();
      if (doc["action"].get_string().get(action)) std::abort();
      double revenue = 0;
      e.value.reset();
      if (doc["revenue"].get_double().get(revenue) == simdjson::SUCCESS) e.value = revenue;
      e.time_us = ts * 1000;
      e.event_id = "events.ndjson:" + std::to_string(++line);
      e.action.assign(action);
      e.identities.assign(1, {"user_id", std::string(user)});
      e.hints.assign(1, {"channel", std::string(channel)});
      store.Append(e);
    });
    benchmark::DoNotOptimize(store.size());
  }
  SetThroughput(state, static_cast<size_t>(state.range(0)), text.size());
}
BENCHMARK(BM_Ingest_OnDemandToEventStore)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// compare_funnel.cpp — the JourneyKit side of bench/compare.sh (issue 7 §1): compact NDJSON
// file → 4-step ordered funnel, timed phase by phase, through the SDK's own types.
//
// Usage: journeykit-bench-compare-funnel --file events.ndjson
//            [--steps page_view,sign_up,add_to_cart,purchase] [--window-days 7] [--repeat N]
//            [--model bench|empty] [--threads N]
//
// What it does, in the order the product does it (bench/README.md, "Comparison with DuckDB and
// ClickHouse", says why this path and not `journeykit run`):
//  1. read    the whole file into one padded buffer, a byte range per thread (pread);
//  2. ingest  simdjson On-Demand over the whole buffer (iterate_many): each line becomes a
//             journeykit::Event exactly as the events-file plugin maps it with the pipeline of
//             run_end_to_end.sh (time ts epoch_ms → µs, action, identity user_id, hint
//             channel, value revenue, source "events"), appended to an EventStore under the
//             bench model (10 touchpoints, 7 stages, 3 segments: the rules run per event);
//  3. stitch  JourneySet::Build (identity graph, per-person sort by time, stage entries);
//  4. funnel  ComputeFunnel: ordered mode, unique people, window_us = 7 days (inclusive),
//             one step per action — ClickHouse windowFunnel's default mode (docs/metrics.md,
//             "Compared with ClickHouse windowFunnel").
// --model empty is a diagnostic, not the comparison: no touchpoints or segments and one stage
// with one action (a model needs a stage), so Append runs almost no rules — roughly what the
// ingest would cost with the model's rules compiled away (bench/README.md, recommendation 4).
// Output: one JSON object on stdout: {"steps":[...],"reached":[...],"seconds":{...},...}.
// The event id ("file:line") is not built: the in-memory store does not keep it (only the
// SQLite state store uses it, and this path has no SQLite).
#include <journeykit/event.hpp>
#include <journeykit/event_store.hpp>
#include <journeykit/funnel.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/time_units.hpp>

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_model.hpp"
#include "compact_ingest.hpp"

namespace jk = journeykit;

namespace {

[[noreturn]] void Die(const std::string& message) {
  jk_bench::Die("journeykit-bench-compare-funnel", message);
}

using jk_bench::Since;

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (true) {
    const size_t p = s.find(sep);
    out.emplace_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

struct Timings {
  double read = 0, ingest = 0, stitch = 0, funnel = 0, total = 0;
  size_t events = 0, people = 0, bytes = 0;
  std::vector<uint64_t> reached;
};

Timings RunOnce(const std::string& path, const jk::JourneyModel& model,
                const jk::FunnelOptions& options, unsigned threads) {
  Timings t;
  const auto start = std::chrono::steady_clock::now();

  auto t0 = std::chrono::steady_clock::now();
  const simdjson::padded_string text =
      jk_bench::ReadFile(path, threads, "journeykit-bench-compare-funnel");
  t.bytes = text.size();
  t.read = Since(t0);

  t0 = std::chrono::steady_clock::now();
  jk::EventStore store(model);
  // ~81 bytes per compact line: reserve once instead of growing the columns.
  store.Reserve(text.size() / 70 + 16);
  jk_bench::IngestCompactParallel(text, store, threads, "journeykit-bench-compare-funnel");
  t.events = store.size();
  t.ingest = Since(t0);

  t0 = std::chrono::steady_clock::now();
  jk::JourneySet journeys = jk::JourneySet::Build(store, jk::IdentityOptions{});
  t.people = journeys.person_count();
  t.stitch = Since(t0);

  t0 = std::chrono::steady_clock::now();
  jk::Result<jk::Funnel> funnel = jk::ComputeFunnel(journeys, options);
  if (!funnel.ok()) Die("ComputeFunnel: " + funnel.status().message());
  t.funnel = Since(t0);
  for (const auto& s : funnel->steps) t.reached.push_back(s.reached);
  t.total = Since(start);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  std::string steps_arg = "page_view,sign_up,add_to_cart,purchase";
  double window_days = 7;
  int repeat = 1;
  std::string model_name = "bench";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--file") {
      path = next();
    } else if (a == "--steps") {
      steps_arg = next();
    } else if (a == "--window-days") {
      window_days = std::stod(next());
    } else if (a == "--model") {
      model_name = next();
      if (model_name != "bench" && model_name != "empty") Die("--model: bench or empty");
    } else if (a == "--threads") {
      threads = static_cast<unsigned>(std::max(1, std::stoi(next())));
    } else if (a == "--repeat") {
      repeat = std::max(1, std::stoi(next()));
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: journeykit-bench-compare-funnel --file F [--steps a,b,c,d] "
          "[--window-days 7] [--repeat N] [--model bench|empty] [--threads N]\n");
      return 0;
    } else {
      Die("unknown option " + std::string(a));
    }
  }
  if (path.empty()) Die("--file is required");

  auto model = jk::JourneyModel::FromJson(
      model_name == "empty"
          ? R"({"stages": [{"id": "any", "name": "Any", "when": [{"action": "page_view"}]}]})"
          : jk_bench::ModelJson().c_str());
  if (!model.ok()) Die("model: " + model.status().message());

  jk::FunnelOptions options;
  options.mode = jk::FunnelMode::kOrdered;
  options.counting = jk::FunnelCounting::kUniquePeople;
  options.window_us = static_cast<int64_t>(window_days * static_cast<double>(jk::kMicrosPerDay));
  const std::vector<std::string> steps = Split(steps_arg, ',');
  for (const std::string& s : steps) {
    jk::FunnelStep step;
    step.id = s;
    step.name = s;
    jk::Condition c;
    c.actions = {s};
    step.when = {c};
    options.steps.push_back(std::move(step));
  }

  // The best of --repeat runs (each run starts from the file, nothing is cached in-process).
  Timings best;
  for (int r = 0; r < repeat; ++r) {
    Timings t = RunOnce(path, *model, options, threads);
    if (r > 0 && t.reached != best.reached) Die("the counts changed between repeats");
    if (r == 0 || t.total < best.total) best = t;
  }

  std::string out = "{\"steps\":[";
  for (size_t k = 0; k < steps.size(); ++k) out += (k ? ",\"" : "\"") + steps[k] + "\"";
  out += "],\"reached\":[";
  for (size_t k = 0; k < best.reached.size(); ++k) {
    out += (k ? "," : "") + std::to_string(best.reached[k]);
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "],\"events\":%zu,\"people\":%zu,\"bytes\":%zu,\"window_days\":%g,\"threads\":%u,"
                "\"seconds\":{\"read\":%.4f,\"ingest\":%.4f,\"stitch\":%.4f,\"funnel\":%.4f,"
                "\"total\":%.4f}}\n",
                best.events, best.people, best.bytes, window_days, threads, best.read, best.ingest,
                best.stitch, best.funnel, best.total);
  out += buf;
  std::fputs(out.c_str(), stdout);
  return 0;
}

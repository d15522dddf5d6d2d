// map_at_scale.cpp — issue 7 §2's "10M events → the full map" and "resident memory of the
// in-memory store", measured in process (bench/README.md, "The full map at scale").
//
// Usage: journeykit-bench-map --file events.ndjson [--analyses bench/analyses.json] [--threads N]
//            [--ingest-threads N]
//
// 1. read    the compact NDJSON file into one padded buffer;
// 2. ingest  into an EventStore under the bench model (compact_ingest.hpp, as compare_funnel;
//            --ingest-threads N: N parts of the file on N threads, default 1);
//            then the buffer is freed and the process's resident set is read again, so
//            "store RSS" is what the store itself holds (resident set after the ingest with
//            the buffer gone, minus the resident set before the file was read) — next to
//            EventStore::memory_bytes(), the store's own count of its columns and pool;
// 3. stitch  JourneySet::Build;
// 4. each analysis of the plan once for everyone (the breakdown: stage funnel, funnels,
//    paths, attribution = PathsFromJourneys + Attribute with every model, voice, loyalty);
// 5. maps    BuildJourneyMaps: everyone and each segment, side by side on --threads threads
//            (default: one per hardware thread) — what `journeykit run` computes after
//            loading — then JourneyMapToJson of each.
// The "full map" time is stitch + maps (5) — step 4 repeats work of step 5 and is reported
// only to say where the time goes. Output: a table on stderr, one JSON object on stdout.
#include <journeykit/analysis_plan.hpp>
#include <journeykit/attribution.hpp>
#include <journeykit/event_store.hpp>
#include <journeykit/funnel.hpp>
#include <journeykit/journey_map.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/loyalty.hpp>
#include <journeykit/paths.hpp>
#include <journeykit/stage_funnel.hpp>
#include <journeykit/voice.hpp>

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench_model.hpp"
#include "compact_ingest.hpp"

namespace jk = journeykit;

namespace {

constexpr const char* kTool = "journeykit-bench-map";

using jk_bench::Since;

// The process's resident set (VmRSS) and its peak (VmHWM), in bytes, from /proc/self/status.
std::pair<uint64_t, uint64_t> ResidentBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  uint64_t rss = 0;
  uint64_t hwm = 0;
  while (std::getline(in, line)) {
    auto value = [&line] { return std::strtoull(line.c_str() + line.find(':') + 1, nullptr, 10); };
    if (line.rfind("VmRSS:", 0) == 0) rss = value() * 1024;
    if (line.rfind("VmHWM:", 0) == 0) hwm = value() * 1024;
  }
  return {rss, hwm};
}

template <typename T>
T Check(jk::Result<T> r, const std::string& what) {
  if (!r.ok()) jk_bench::Die(kTool, what + ": " + r.status().message());
  return std::move(r).value();
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  std::string analyses_path = JK_BENCH_ANALYSES_FILE;
  unsigned threads = 0;         // maps built side by side: 0 = one per hardware thread (as a run)
  unsigned ingest_threads = 1;  // the file split in parts, one store each, appended in order
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) jk_bench::Die(kTool, std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--file") {
      path = next();
    } else if (a == "--analyses") {
      analyses_path = next();
    } else if (a == "--threads") {
      threads = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--ingest-threads") {
      ingest_threads = static_cast<unsigned>(std::max(1ul, std::stoul(next())));
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: %s --file F [--analyses bench/analyses.json] [--threads N] [--ingest-threads "
          "N]\n",
          kTool);
      return 0;
    } else {
      jk_bench::Die(kTool, "unknown option " + std::string(a));
    }
  }
  if (path.empty()) jk_bench::Die(kTool, "--file is required");

  const jk::JourneyModel model =
      Check(jk::JourneyModel::FromJson(jk_bench::ModelJson().c_str()), "model");
  std::ifstream analyses_in(analyses_path);
  if (!analyses_in) jk_bench::Die(kTool, "cannot read " + analyses_path);
  std::stringstream analyses_json;
  analyses_json << analyses_in.rdbuf();
  const jk::AnalysisPlan plan =
      Check(jk::AnalysisPlan::Parse(analyses_json.str(), analyses_path, model), "analyses");

  const uint64_t rss_start = ResidentBytes().first;
  const auto start = std::chrono::steady_clock::now();
  auto t0 = start;
  auto text =
      std::make_unique<simdjson::padded_string>(jk_bench::ReadFile(path, ingest_threads, kTool));
  const size_t bytes = text->size();
  const double read_s = Since(t0);

  t0 = std::chrono::steady_clock::now();
  jk::EventStore store(model);
  store.Reserve(bytes / 70 + 16);  // ~81 bytes per compact line
  jk_bench::IngestCompactParallel(*text, store, ingest_threads, kTool);
  const double ingest_s = Since(t0);
  text.reset();
  const uint64_t rss_store = ResidentBytes().first - rss_start;
  const size_t events = store.size();
  const size_t store_bytes = store.memory_bytes();

  t0 = std::chrono::steady_clock::now();
  const jk::JourneySet journeys = jk::JourneySet::Build(store, jk::IdentityOptions{});
  const double stitch_s = Since(t0);
  const uint64_t rss_journeys = ResidentBytes().first - rss_start - rss_store;

  // Where the time goes: each analysis once, for everyone.
  std::vector<std::pair<std::string, double>> parts;
  auto timed = [&parts](const std::string& name, auto&& fn) {
    const auto t = std::chrono::steady_clock::now();
    fn();
    parts.emplace_back(name, Since(t));
  };
  timed("stage funnel", [&] { (void)jk::ComputeStageFunnel(journeys, -1); });
  for (const jk::FunnelAnalysis& f : plan.funnels) {
    timed("funnel " + f.id, [&] { (void)Check(jk::ComputeFunnel(journeys, f.options), f.id); });
  }
  if (plan.paths) {
    timed("paths", [&] { (void)Check(jk::ComputePaths(journeys, plan.paths->options), "paths"); });
  }
  if (plan.attribution) {
    size_t goal = 0;
    for (size_t s = 0; s < model.stages().size(); ++s) {
      if (model.stages()[s].id == plan.attribution->goal_stage) goal = s;
    }
    jk::PathTable table;
    timed("attribution: paths from journeys", [&] {
      table =
          jk::PathsFromJourneys(journeys, jk::ConversionGoal::Stage(goal), plan.attribution->unit);
    });
    timed("attribution: models",
          [&] { (void)Check(jk::Attribute(table, plan.attribution->options), "attribution"); });
  }
  if (plan.voice) {
    timed("voice", [&] { (void)Check(jk::ComputeVoice(journeys, plan.voice->options), "voice"); });
  }
  if (plan.loyalty) {
    timed("loyalty",
          [&] { (void)Check(jk::ComputeLoyalty(journeys, plan.loyalty->options), "loyalty"); });
  }

  // The maps of a run: everyone, then each segment.
  t0 = std::chrono::steady_clock::now();
  const std::vector<jk::JourneyMap> maps =
      Check(jk::BuildJourneyMaps(journeys, plan, {}, threads), "maps");
  const int segments = static_cast<int>(model.segments().size());
  const double maps_s = Since(t0);
  t0 = std::chrono::steady_clock::now();
  size_t json_bytes = 0;
  for (const jk::JourneyMap& m : maps) json_bytes += jk::JourneyMapToJson(m).size();
  const double json_s = Since(t0);
  const double full_map_s = stitch_s + maps_s + json_s;
  const uint64_t peak = ResidentBytes().second;

  const double n = static_cast<double>(events);
  const double mb = static_cast<double>(bytes) / 1e6;
  std::fprintf(stderr, "%zu events, %.1f MB, %zu people, model: %zu stages, %zu segments\n", events,
               mb, journeys.person_count(), model.stages().size(), model.segments().size());
  std::fprintf(stderr, "read %.3f s | ingest %.3f s (%.0f MB/s, %.2fM events/s)\n", read_s,
               ingest_s, mb / ingest_s, n / ingest_s / 1e6);
  std::fprintf(stderr,
               "store: memory_bytes %.1f B/event, resident %.1f B/event | journeys resident "
               "%.1f B/event | peak RSS %.0f MB\n",
               static_cast<double>(store_bytes) / n, static_cast<double>(rss_store) / n,
               static_cast<double>(rss_journeys) / n, static_cast<double>(peak) / 1e6);
  std::fprintf(stderr,
               "full map %.3f s = stitch %.3f + %d maps %.3f (%u threads) + JSON %.3f (%zu "
               "bytes)\n",
               full_map_s, stitch_s, segments + 1, maps_s,
               threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency()), json_s,
               json_bytes);
  for (const auto& [name, s] : parts)
    std::fprintf(stderr, "  everyone: %-34s %.3f s\n", name.c_str(), s);

  std::string out = "{";
  char buf[768];
  std::snprintf(buf, sizeof buf,
                "\"events\":%zu,\"people\":%zu,\"bytes\":%zu,\"seconds\":{\"read\":%.4f,"
                "\"ingest\":%.4f,\"stitch\":%.4f,\"maps\":%.4f,\"json\":%.4f,\"full_map\":%.4f,"
                "\"total\":%.4f},\"store_memory_bytes\":%zu,\"store_rss_bytes\":%llu,"
                "\"journeys_rss_bytes\":%llu,\"peak_rss_bytes\":%llu,\"parts\":{",
                events, journeys.person_count(), bytes, read_s, ingest_s, stitch_s, maps_s, json_s,
                full_map_s, Since(start), store_bytes, static_cast<unsigned long long>(rss_store),
                static_cast<unsigned long long>(rss_journeys),
                static_cast<unsigned long long>(peak));
  out += buf;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s\"%s\":%.4f", i ? "," : "", parts[i].first.c_str(),
                  parts[i].second);
    out += buf;
  }
  out += "}}\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}

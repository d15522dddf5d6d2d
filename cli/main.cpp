// main.cpp — the journeykit command: run, check, plugins, map.
#include "attribution_command.hpp"
#include "stage_table_printer.hpp"

#include <journeykit/map_render.hpp>
#include <journeykit/pipeline.hpp>
#include <journeykit/plugin_registry.hpp>
#include <journeykit/version.hpp>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

using namespace journeykit;

// Exit codes (docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitRunFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitCheckFailed = 3;
constexpr int kExitDeliveryIncomplete = 4;
constexpr int kExitInterrupted = 130;

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return kExitBadInput;
    case StatusCode::kDataError:
      return kExitRunFailed;
    case StatusCode::kFailedPrecondition:
      return kExitCheckFailed;
    case StatusCode::kCancelled:
      return kExitInterrupted;
    default:
      return kExitRunFailed;
  }
}

int Fail(const Status& s) {
  std::cerr << "journeykit: error: " << s.message() << "\n";
  return ExitCodeFor(s);
}

// The build tree keeps plugins in <build>/plugins-out; an installed tree (possibly moved to
// another prefix) in <prefix>/lib/journeykit/plugins, next to <prefix>/bin.
std::vector<std::string> ExecutableRelativePluginDirs() {
  std::vector<std::string> out;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return out;
  auto prefix = exe.parent_path().parent_path();
  for (const auto& dir :
       {prefix / "plugins-out", prefix / PluginRegistry::RelativeInstallDirectory()}) {
    if (std::filesystem::is_directory(dir, ec)) out.push_back(dir.string());
  }
  return out;
}

PipelineOptions MakeOptions(bool verbose) {
  PipelineOptions options;
  options.extra_plugin_dirs = ExecutableRelativePluginDirs();
  // On a terminal, a message first clears the progress line it interrupts.
  const char* clear_line = isatty(STDERR_FILENO) != 0 ? "\r\033[K" : "";
  options.log = [verbose, clear_line](LogLevel level, const std::string& message) {
    if (level == LogLevel::kDebug && !verbose) return;
    if (level == LogLevel::kInfo && !verbose) return;
    static const char* kNames[] = {"debug", "info", "warn", "error"};
    std::cerr << clear_line << "journeykit " << kNames[static_cast<int>(level)] << ": " << message
              << "\n";
  };
  return options;
}

// Prints a progress line on stderr while a run is going, when stderr is a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(const Pipeline& pipeline) : pipeline_(pipeline) {
    if (isatty(STDERR_FILENO) == 0) return;
    thread_ = std::thread([this] { Loop(); });
  }
  ~ProgressLine() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
      std::cerr << "\r\033[K" << std::flush;
    }
  }

 private:
  void Loop() {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      Progress p = pipeline_.progress();
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr
          << fmt::format(
                 "\r\033[Kreading: {} events ({:.0f} events/s), {:.1f} MB, {}/{} sources done{}",
                 p.events, secs > 0 ? static_cast<double>(p.events) / secs : 0.0,
                 static_cast<double>(p.bytes) / 1e6, p.sources_done, p.sources_total,
                 p.delivered > 0 ? fmt::format("; delivered: {} records", p.delivered) : "")
          << std::flush;
    }
  }
  const Pipeline& pipeline_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// The delivery table; false when a connector failed, dead-lettered or left records waiting.
bool PrintDeliveries(const std::vector<DeliveryReport>& deliveries) {
  if (deliveries.empty()) return true;
  bool ok = true;
  std::cout << fmt::format("\n{:<16} {:<16} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
                           "Connector", "Plugin", "Delivered", "Batches", "Refused", "Failed",
                           "Waiting", "Dead-ltr", "Seconds");
  for (const DeliveryReport& d : deliveries) {
    std::cout << fmt::format("{:<16} {:<16} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8.2f}\n",
                             d.name, d.plugin, d.delivered, d.batches, d.rejected, d.failed,
                             d.pending, d.dead_letters, d.seconds);
  }
  for (const DeliveryReport& d : deliveries) {
    if (!d.status.ok()) {
      ok = false;
      std::cerr << "journeykit: connector " << d.name << ": " << d.status.message() << "\n";
    }
    if (d.rejected + d.failed > 0 || d.pending > 0) ok = false;
    if (d.dead_letters > 0) {
      std::cerr << "journeykit: connector " << d.name << ": " << d.dead_letters
                << " records in the dead-letter store; `journeykit replay PIPELINE --list` shows "
                   "them, `journeykit replay PIPELINE` re-delivers them\n";
    }
  }
  return ok;
}

void PrintFunnels(const JourneyAnalysis& analysis, const std::string& segment) {
  for (const StageFunnel& f : analysis.funnels) {
    if (!segment.empty() && f.segment_id != segment) continue;
    std::cout << cli::FormatStageTable(f) << "\n";
  }
}

int RunCommand(const std::string& path, bool full_refresh, bool no_connectors,
               const std::string& segment, const std::string& http_mode, bool verbose) {
  auto pipeline = Pipeline::Open(path, MakeOptions(verbose));
  if (!pipeline.ok()) return Fail(pipeline.status());
  if (!segment.empty() && segment != "all" &&
      JourneyModel::FromJson(pipeline.value()->spec().model_json)->SegmentIndex(segment) < 0) {
    return Fail(InvalidArgument("--segment: no segment '" + segment + "' in " + path));
  }
  RunOptions options;
  options.full_refresh = full_refresh;
  options.write_connectors = !no_connectors;
  options.handle_signals = true;
  if (http_mode == "live") options.http_mode = HttpMode::kLive;
  if (http_mode == "record") options.http_mode = HttpMode::kRecord;
  if (http_mode == "replay") options.http_mode = HttpMode::kReplay;
  Result<RunReport> report = [&] {
    ProgressLine progress(**pipeline);
    return pipeline.value()->Run(options);
  }();
  if (!report.ok()) return Fail(report.status());
  std::cout << fmt::format("{:<16} {:<14} {:>10} {:>10} {:>10} {:>6} {:>8}\n", "Source", "Plugin",
                           "Read", "New", "Duplicate", "Bad", "Seconds");
  for (const SourceReport& s : report->sources) {
    std::cout << fmt::format("{:<16} {:<14} {:>10} {:>10} {:>10} {:>6} {:>8.2f}\n", s.name,
                             s.plugin, s.emitted, s.inserted, s.duplicates, s.bad_records,
                             s.seconds);
  }
  const JourneySet& j = *report->analysis.journeys;
  std::cout << fmt::format(
      "\nStored events: {}; people: {} (identity merges: {}); events without "
      "a usable identity: {}\n",
      report->stored_events, j.person_count(), j.identity_merges(), j.unidentified_events());
  if (report->dead_lettered > 0) {
    std::cout << fmt::format("Bad records set aside: {} (see {})\n", report->dead_lettered,
                             fmt::join(report->dead_letter_files, ", "));
  }
  bool delivery_ok = PrintDeliveries(report->deliveries);
  for (size_t i = 0; i < report->analysis.audiences.size(); ++i) {
    const AudienceMembership& m = report->analysis.audiences[i];
    const AudienceChanges& c = report->audience_changes[i];
    std::cout << fmt::format(
        "Audience {}: {} people (entered {}, left {}; {} still inside their window)\n",
        m.audience_id, m.members.size(), c.entered.size(), c.left.size(), m.pending);
  }
  std::cout << "\n";
  PrintFunnels(report->analysis, segment);
  return delivery_ok ? kExitOk : kExitDeliveryIncomplete;
}

int ReplayCommand(const std::string& path, const std::vector<std::string>& connectors,
                  uint64_t limit, bool list, bool verbose) {
  auto pipeline = Pipeline::Open(path, MakeOptions(verbose));
  if (!pipeline.ok()) return Fail(pipeline.status());
  if (list) {
    std::vector<std::string> names = connectors;
    if (names.empty()) names.emplace_back();
    for (const std::string& name : names) {
      auto letters = pipeline.value()->DeadLetters(name, limit == 0 ? 1000 : limit);
      if (!letters.ok()) return Fail(letters.status());
      for (const DeadLetter& d : *letters) {
        std::cout << fmt::format("{:>6} {:<14} {:<16} {:<40} attempts {}  {}\n  reason: {}\n", d.id,
                                 d.connector, d.type, d.key, d.attempts, d.failed_at, d.reason);
      }
    }
    return kExitOk;
  }
  Result<std::vector<DeliveryReport>> reports = [&] {
    ProgressLine progress(**pipeline);
    ReplayOptions options;
    options.connectors = connectors;
    options.limit = limit;
    return pipeline.value()->Replay(options);
  }();
  if (!reports.ok()) return Fail(reports.status());
  return PrintDeliveries(*reports) ? kExitOk : kExitDeliveryIncomplete;
}

int CheckCommand(const std::string& path, bool verbose) {
  auto pipeline = Pipeline::Open(path, MakeOptions(verbose));
  if (!pipeline.ok()) return Fail(pipeline.status());
  std::cout << "pipeline " << path << ": valid\n";
  auto lines = pipeline.value()->Check();
  if (!lines.ok()) return Fail(lines.status());
  for (const auto& l : *lines) std::cout << l << "\n";
  return kExitOk;
}

int PluginsCommand(const std::vector<std::string>& paths, bool verbose) {
  PluginRegistry registry;
  std::vector<std::vector<std::string>> levels = {paths,
                                                  PluginRegistry::EnvironmentPaths(),
                                                  ExecutableRelativePluginDirs(),
                                                  {PluginRegistry::InstallDirectory()}};
  Status s = registry.Discover(levels);
  if (!s.ok()) return Fail(s);
  auto list = registry.List();
  if (list.empty()) {
    std::cout << "no plugins found (searched --path, JOURNEYKIT_PLUGIN_PATH, "
              << PluginRegistry::InstallDirectory() << ")\n";
  }
  for (const PluginInfo& p : list) {
    std::cout << fmt::format("{} {} ({}, ABI {}.{})\n  {}\n  {}\n", p.name, p.version,
                             KindName(p.kind), p.abi_major, p.abi_minor, p.description, p.path);
    for (const ConfigFieldInfo& f : p.config) {
      std::cout << fmt::format("    {:<18} {:<16} {:<9}{} {}{}\n", f.key, ConfigTypeName(f.type),
                               f.required ? "required" : "optional", f.secret ? " secret" : "",
                               f.description,
                               f.default_json.empty() ? "" : " (default " + f.default_json + ")");
    }
  }
  if (verbose) {
    for (const auto& n : registry.notes()) std::cout << "note: " << n << "\n";
  }
  return kExitOk;
}

// --from / --to: a date (YYYY-MM-DD, UTC) or a time (YYYY-MM-DDTHH:MM:SS[.ffffff]Z). A date
// given to --to means the end of that day (the period includes it).
Result<int64_t> ParsePeriodBound(const std::string& text, bool end, const char* flag) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  long long micros = 0;
  const bool date_only = text.size() == 10 &&
                         std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3 &&
                         used == 10;
  bool ok = date_only;
  if (!ok && std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
                         &used) == 6) {
    std::string rest = text.substr(static_cast<size_t>(used));
    if (rest.size() > 2 && rest[0] == '.' && rest.back() == 'Z' && rest.size() <= 8) {
      std::string digits = rest.substr(1, rest.size() - 2);
      ok = digits.find_first_not_of("0123456789") == std::string::npos;
      if (ok) micros = std::stoll(digits + std::string(6 - digits.size(), '0'));
    } else {
      ok = rest == "Z";
    }
  }
  ok = ok && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 59;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const time_t t = ok ? timegm(&tm) : 0;
  std::tm back{};
  if (ok) gmtime_r(&t, &back);
  if (!ok || back.tm_mday != d || back.tm_mon != mo - 1) {
    return InvalidArgument(std::string(flag) + ": '" + text +
                           "' is not a date (2026-09-01) or a UTC time (2026-09-01T12:00:00Z)");
  }
  int64_t us = static_cast<int64_t>(t) * 1000000 + micros;
  if (end && date_only) us += int64_t{86400} * 1000000;
  return us;
}

int MapCommand(const std::string& path, const std::string& segment, const std::string& format,
               const std::string& output, const std::string& from, const std::string& to,
               const std::string& previous, bool verbose) {
  JourneyMapOptions period;
  if (!from.empty()) {
    auto t = ParsePeriodBound(from, false, "--from");
    if (!t.ok()) return Fail(t.status());
    period.from_us = *t;
  }
  if (!to.empty()) {
    auto t = ParsePeriodBound(to, true, "--to");
    if (!t.ok()) return Fail(t.status());
    period.to_us = *t;
  }
  if (period.from_us >= period.to_us) {
    return Fail(InvalidArgument("--from " + from + " --to " + to +
                                ": the period is empty (--to is the last day included)"));
  }
  auto pipeline = Pipeline::Open(path, MakeOptions(verbose));
  if (!pipeline.ok()) return Fail(pipeline.status());
  if (format != "text" && format != "json" && format != "html" && format != "markdown" &&
      format != "csv" && format != "mermaid") {
    return Fail(InvalidArgument("--format: '" + format +
                                "' is not one of: text, json, html, markdown, csv, mermaid"));
  }
  if (format == "html" && (output.empty() || output == "-")) {
    return Fail(InvalidArgument("--format html writes a file: add -o FILE.html"));
  }
  std::vector<MapSnapshot> previous_maps;
  if (!previous.empty()) {
    if (format != "html") {
      return Fail(
          InvalidArgument("--previous shows the change since a previous map in the HTML "
                          "page: use it with --format html"));
    }
    std::ifstream in(previous, std::ios::binary);
    if (!in) return Fail(NotFound("--previous: cannot read " + previous));
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = ParseMapSnapshots(text.str(), previous);
    if (!parsed.ok()) return Fail(parsed.status());
    previous_maps = std::move(parsed).value();
  }
  auto analysis = pipeline.value()->Analyze();
  if (!analysis.ok()) return Fail(analysis.status());
  if (!from.empty() || !to.empty()) {
    // The maps of the period replace the whole-data ones (same order: all, then segments).
    auto maps = BuildJourneyMaps(*analysis->journeys, analysis->plan, period);
    if (!maps.ok()) return Fail(maps.status());
    analysis->maps = std::move(maps).value();
  }
  std::string id = segment.empty() ? "all" : segment;
  const JourneyMap* map = analysis->Map(id);
  if (map == nullptr) {
    std::string known = "all";
    for (const auto& s : analysis->model->segments()) known += ", " + s.id;
    return Fail(InvalidArgument("--segment: no segment '" + segment + "' (known: " + known + ")"));
  }
  if (analysis->events->size() == 0) {
    std::cerr << "journeykit: the state store holds no events yet; run `journeykit run " << path
              << "` first\n";
  }
  std::string text;
  if (format == "json") {
    text = JourneyMapToJson(*map) + "\n";
  } else if (format == "html") {
    // Every segment on one page, the requested one first (shown without JavaScript).
    std::vector<JourneyMap> maps{*map};
    for (const JourneyMap& m : analysis->maps) {
      if (m.segment_id != map->segment_id) maps.push_back(m);
    }
    HtmlOptions options;
    std::filesystem::path file = std::filesystem::absolute(path);
    std::string name =
        file.stem() == "pipeline" ? file.parent_path().filename().string() : file.stem().string();
    options.title = "Customer journey map — " + name;
    options.previous = std::move(previous_maps);
    text = JourneyMapsToHtml(maps, *analysis->model, options);
  } else if (format == "markdown") {
    text = JourneyMapToMarkdown(*map);
  } else if (format == "csv") {
    text = JourneyMapToCsv(*map);
  } else if (format == "mermaid") {
    text = JourneyMapToMermaid(*map);
  } else {
    text = JourneyMapToText(*map);
  }
  if (output.empty() || output == "-") {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Fail(IoError("cannot write " + output));
  std::cerr << "journeykit: wrote " << output << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"journeykit — customer journey maps computed from your data"};
  app.set_version_flag("--version", std::string(journeykit::Version()) + " (plugin ABI " +
                                        std::to_string(journeykit::AbiMajor()) + "." +
                                        std::to_string(journeykit::AbiMinor()) + ")");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 run failed, 2 invalid pipeline/config/arguments, 3 check failed, "
      "4 delivery incomplete (records dead-lettered or waiting), 130 interrupted (checkpoints "
      "kept).");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Print info and debug messages")->configurable(false);

  std::string pipeline_path, segment;
  bool full_refresh = false, no_connectors = false;
  auto* run = app.add_subcommand(
      "run", "Read every source, build journeys, print the stage table, deliver to connectors");
  run->add_option("pipeline", pipeline_path, "Pipeline file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_flag("--full-refresh", full_refresh,
                "Forget stored events and cursors and read everything again");
  run->add_flag("--no-connectors", no_connectors, "Do not deliver to connectors");
  std::string http_mode;
  run->add_option("--http-mode", http_mode,
                  "Override every instance's HTTP mode for this run (docs/http.md)")
      ->check(CLI::IsMember({"live", "record", "replay"}));
  run->add_option("--segment", segment, "Print only this segment's stage table");

  auto* check = app.add_subcommand("check", "Validate the pipeline and run each plugin's check");
  check->add_option("pipeline", pipeline_path, "Pipeline file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);

  std::vector<std::string> plugin_paths;
  auto* plugins =
      app.add_subcommand("plugins", "List plugins: name, kind, version, ABI, config spec");
  plugins->add_option("--path", plugin_paths, "Extra plugin folder or file (repeatable)");

  auto* map = app.add_subcommand(
      "map", "Print the journey map of a segment (every lane, with counts) from the stored state");
  map->add_option("pipeline", pipeline_path, "Pipeline file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  map->add_option("--segment", segment, "Segment id (default: all)");
  std::string map_format = "text", map_output;
  map->add_option("--format", map_format,
                  "text (default), json (schema: docs/journey-map.md), html (every segment, "
                  "needs -o; docs/html-map.md), markdown, csv or mermaid");
  map->add_option("-o,--output", map_output, "Write to this file instead of standard output");
  std::string map_from, map_to, map_previous;
  map->add_option("--previous", map_previous,
                  "With --format html: a previous run's map JSON (--format json, or the HTML's "
                  "embedded data, or journey_maps.ndjson); the page shows the change since then");
  map->add_option("--from", map_from,
                  "Only events from this date (YYYY-MM-DD, UTC) or time (…T12:00:00Z) on");
  map->add_option("--to", map_to,
                  "Only events up to this date, included (or before this exact time)");

  std::vector<std::string> replay_connectors;
  uint64_t replay_limit = 0;
  bool replay_list = false;
  auto* replay = app.add_subcommand(
      "replay", "Re-deliver the records in the connectors' dead-letter stores (docs/delivery.md)");
  replay->add_option("pipeline", pipeline_path, "Pipeline file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  replay->add_option("--connector", replay_connectors, "Only this connector (repeatable)");
  replay->add_option("--limit", replay_limit, "At most this many records per connector");
  replay->add_flag("--list", replay_list, "List the dead letters (id, key, reason) instead");

  journeykit::cli::AttributionCommand attribution(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  if (*run) {
    return RunCommand(pipeline_path, full_refresh, no_connectors, segment, http_mode, verbose);
  }
  if (*check) return CheckCommand(pipeline_path, verbose);
  if (*replay) {
    return ReplayCommand(pipeline_path, replay_connectors, replay_limit, replay_list, verbose);
  }
  if (*plugins) return PluginsCommand(plugin_paths, verbose);
  if (*map) {
    return MapCommand(pipeline_path, segment, map_format, map_output, map_from, map_to,
                      map_previous, verbose);
  }
  if (attribution.selected()) return attribution.Run();
  return kExitBadInput;
}

// pipeline.cpp — opening a pipeline, running its sources concurrently, analysing, delivering.
#include <journeykit/pipeline.hpp>

#include <journeykit/config_spec.hpp>
#include <journeykit/hashing.hpp>

#include "internal/delivery.hpp"
#include "internal/http_engine.hpp"
#include "internal/json_writer.hpp"
#include "internal/plugin_instance.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/filesystem.hpp>

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>

namespace journeykit {

using internal::JsonObjectWriter;
using internal::PluginInstance;
using internal::RunContext;

std::string FormatTimeUs(int64_t time_us) {
  int64_t seconds = time_us / 1000000;
  int64_t micros = time_us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

const JourneyMap* JourneyAnalysis::Map(std::string_view segment_id) const {
  for (const JourneyMap& m : maps) {
    if (m.segment_id == segment_id) return &m;
  }
  return nullptr;
}

const StageFunnel* JourneyAnalysis::Funnel(std::string_view segment_id) const {
  for (const StageFunnel& f : funnels) {
    if (f.segment_id == segment_id) return &f;
  }
  return nullptr;
}

namespace {

// What an event snapshot was written from: the model (FNV-1a of its JSON) and the stored
// events up to `seq` — their count, the first and the last (source and id).
struct SnapshotTag {
  std::string model;
  uint64_t seq = 0, count = 0;
  std::string first, last;

  // `e`, stored as `seq`, is the newest event the snapshot holds (first: also the oldest).
  // Assigns into the existing strings: called for every event of a load.
  void Track(uint64_t event_seq, const Event& e) {
    auto assign_key = [&e](std::string& key) {
      key.assign(e.source).push_back('\x1f');
      key.append(e.event_id);
    };
    if (first.empty()) assign_key(first);
    assign_key(last);
    seq = event_seq;
  }

  std::string Text() const {
    return "model=" + model + "\nseq=" + std::to_string(seq) + "\ncount=" + std::to_string(count) +
           "\nfirst=" + first + "\nlast=" + last;
  }
  static SnapshotTag Parse(std::string_view text) {
    SnapshotTag t;
    auto field = [&](std::string_view name) -> std::string_view {
      const std::string key = std::string(name) + "=";
      size_t at = text.find(key);
      if (at == std::string_view::npos || (at > 0 && text[at - 1] != '\n')) return {};
      size_t end = name == "last" ? text.size() : text.find('\n', at);
      return text.substr(at + key.size(), end - at - key.size());
    };
    t.model = field("model");
    t.seq = std::strtoull(std::string(field("seq")).c_str(), nullptr, 10);
    t.count = std::strtoull(std::string(field("count")).c_str(), nullptr, 10);
    t.first = field("first");
    t.last = field("last");
    return t;
  }
};

std::string EventKey(const Event& e) { return e.source + '\x1f' + e.event_id; }

}  // namespace

// The run's in-memory store, filled while a run that starts on an empty state database stores
// its events (StateStore::SetCommitObserver, in seq order): the analysis then starts from it
// instead of reading every event back from SQLite.
struct LiveEvents {
  std::unique_ptr<JourneyModel> model;
  std::unique_ptr<EventStore> events;
  SnapshotTag tag;      // seq, first and last of the events appended
  bool broken = false;  // an append failed: read the events back instead
};

struct Pipeline::Impl {
  PipelineSpec spec;
  PipelineOptions options;
  PluginRegistry registry;
  std::vector<std::string> secrets;
  std::vector<std::string> source_configs;  // validated, defaults filled, env resolved
  std::vector<std::string> connector_configs;
  std::atomic<bool> cancelled{false};
  std::unique_ptr<RunContext> run;  // of the current run, for progress()
  std::mutex run_mutex;
  std::atomic<size_t> sources_done{0};
  std::once_flag http_once;
  std::unique_ptr<internal::HttpEngine> http_engine;  // one event loop for every request

  internal::HttpEngine* Http() {
    std::call_once(http_once,
                   [this] { http_engine = std::make_unique<internal::HttpEngine>(spec.http); });
    return http_engine.get();
  }

  void Log(LogLevel level, const std::string& message) const {
    std::string text = Redact(message, secrets);
    if (options.log) {
      options.log(level, text);
    } else {
      static const char* kNames[] = {"debug", "info", "warn", "error"};
      std::cerr << "journeykit " << kNames[static_cast<int>(level)] << ": " << text << "\n";
    }
  }

  std::unique_ptr<RunContext> MakeRunContext(StateStore* store) {
    auto ctx = std::make_unique<RunContext>();
    ctx->store = store;
    ctx->cancelled = &cancelled;
    ctx->secrets = &secrets;
    ctx->log = [this](LogLevel level, const std::string& m) { Log(level, m); };
    ctx->base_dir = spec.base_dir;
    ctx->dead_letter_dir = spec.dead_letter_dir;
    ctx->http = [this] { return Http(); };
    ctx->keep_email_addresses = spec.identity.keep_email_addresses;
    return ctx;
  }

  Result<std::unique_ptr<StateStore>> OpenStore() const {
    if (spec.state_path != ":memory:") {
      boost::system::error_code ec;
      auto parent = boost::filesystem::path(spec.state_path).parent_path();
      if (!parent.empty()) boost::filesystem::create_directories(parent, ec);
    }
    return StateStore::Open(spec.state_path);
  }

  // `live`: the events this run stored, when it started on an empty state database; used when
  // it holds every stored event (else the events are loaded as without it).
  Result<JourneyAnalysis> AnalyzeStore(const StateStore& store, LiveEvents* live = nullptr) const;
  // Fills `events` with every stored event: from the event snapshot next to the state
  // database when it is still right, plus the events stored after it; then writes a new
  // snapshot when events were added (docs/pipeline.md, "The event snapshot").
  Status LoadEvents(const StateStore& store, EventStore& events) const;
  // Next to the state database; "" for an in-memory one (no snapshot).
  std::string SnapshotPath() const {
    return spec.state_path == ":memory:" ? std::string() : spec.state_path + ".events";
  }
  // Writes the event snapshot of `events` with `tag` (a warning when it cannot).
  void WriteEventSnapshot(const EventStore& events, const std::string& tag) const;
  Status Deliver(StateStore& store, const JourneyAnalysis& analysis, RunReport& report);
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

const PipelineSpec& Pipeline::spec() const { return impl_->spec; }
const PluginRegistry& Pipeline::plugins() const { return impl_->registry; }
void Pipeline::Cancel() { impl_->cancelled = true; }
bool Pipeline::cancelled() const { return impl_->cancelled.load(); }

Progress Pipeline::progress() const {
  Progress p;
  std::lock_guard lock(impl_->run_mutex);
  if (impl_->run) {
    p.events = impl_->run->events.load();
    p.bytes = impl_->run->bytes.load();
    p.records = impl_->run->records.load();
    p.delivered = impl_->run->delivered.load();
  }
  p.sources_done = impl_->sources_done.load();
  p.sources_total = impl_->spec.sources.size();
  return p;
}

Result<std::unique_ptr<Pipeline>> Pipeline::Open(const std::string& path, PipelineOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  JK_ASSIGN_OR_RETURN(impl->spec, PipelineSpec::Load(path));
  PipelineSpec& spec = impl->spec;
  // The model and the analyses are parsed here too so that a bad rule is reported before
  // anything runs.
  JK_ASSIGN_OR_RETURN(JourneyModel model,
                      JourneyModel::FromJson(spec.model_json, spec.file + ": model"));
  JK_RETURN_IF_ERROR(
      AnalysisPlan::Parse(spec.analyses_json, spec.file + ": analyses", model, spec.base_dir)
          .status());
  if (!spec.audiences_json.empty()) {
    JK_RETURN_IF_ERROR(
        ParseAudiences(spec.audiences_json, spec.file + ": audiences", &model).status());
  }

  for (size_t i = 0; i < spec.connectors.size(); ++i) {
    const ConnectorFilter& f = spec.connectors[i].filter;
    std::string p = spec.file + ": connectors[" + std::to_string(i) + "].filter";
    for (const std::string& id : f.stages) {
      if (std::none_of(model.stages().begin(), model.stages().end(),
                       [&](const Stage& st) { return st.id == id; })) {
        return InvalidArgument(p + ".stages: '" + id + "' is not a stage of the model");
      }
    }
    for (const std::string& id : f.segments) {
      if (model.SegmentIndex(id) < 0) {
        return InvalidArgument(p + ".segments: '" + id + "' is not a segment of the model");
      }
    }
  }

  std::vector<std::vector<std::string>> levels;
  levels.push_back(spec.plugin_paths);
  levels.push_back(PluginRegistry::EnvironmentPaths());
  levels.push_back(impl->options.extra_plugin_dirs);
  if (impl->options.search_install_dir) levels.push_back({PluginRegistry::InstallDirectory()});
  JK_RETURN_IF_ERROR(impl->registry.Discover(levels));
  for (const std::string& note : impl->registry.notes()) impl->Log(LogLevel::kDebug, note);

  auto prepare = [&](const std::string& kind_path, const std::string& name,
                     const std::string& plugin, const std::string& config_json,
                     jk_plugin_kind kind) -> Result<std::string> {
    const PluginInfo* info = impl->registry.Find(plugin);
    std::string p = spec.file + ": " + kind_path + " '" + name + "'";
    if (info == nullptr) {
      std::string known;
      for (const auto& i : impl->registry.List()) known += (known.empty() ? "" : ", ") + i.name;
      return NotFound(p + ": no plugin named '" + plugin +
                      "' (found: " + (known.empty() ? "none" : known) +
                      "); add its folder to plugin_paths or JOURNEYKIT_PLUGIN_PATH");
    }
    if (info->kind != kind) {
      return InvalidArgument(p + ": plugin '" + plugin + "' (" + info->path + ") is a " +
                             KindName(info->kind) + ", not a " + KindName(kind));
    }
    std::vector<std::string> warnings;
    JK_ASSIGN_OR_RETURN(std::string validated,
                        ValidateConfig(info->config, config_json, p + ": config", &warnings));
    for (const auto& w : warnings) impl->Log(LogLevel::kWarn, w);
    JK_ASSIGN_OR_RETURN(std::string resolved,
                        SubstituteEnvironment(validated, p + ": config", &impl->secrets));
    // Secret fields written literally in the file are redacted too (and warned about by
    // ValidateConfig): only their values, never the field names.
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(resolved).get(root) == simdjson::SUCCESS) {
      for (const auto& f : info->config) {
        std::string_view v;
        if (f.secret && root[f.key].get_string().get(v) == simdjson::SUCCESS && v.size() >= 3) {
          impl->secrets.emplace_back(v);
        }
      }
    }
    return resolved;
  };
  for (size_t i = 0; i < spec.sources.size(); ++i) {
    const SourceSpec& s = spec.sources[i];
    JK_ASSIGN_OR_RETURN(std::string config, prepare("sources[" + std::to_string(i) + "]", s.name,
                                                    s.plugin, s.config_json, JK_KIND_SOURCE));
    impl->source_configs.push_back(std::move(config));
  }
  for (size_t i = 0; i < spec.connectors.size(); ++i) {
    const ConnectorSpec& c = spec.connectors[i];
    JK_ASSIGN_OR_RETURN(std::string config, prepare("connectors[" + std::to_string(i) + "]", c.name,
                                                    c.plugin, c.config_json, JK_KIND_CONNECTOR));
    impl->connector_configs.push_back(std::move(config));
  }
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Result<std::vector<std::string>> Pipeline::Check() {
  std::vector<std::string> lines;
  RunContext ctx;
  ctx.cancelled = &impl_->cancelled;
  ctx.secrets = &impl_->secrets;
  ctx.log = [this](LogLevel level, const std::string& m) { impl_->Log(level, m); };
  ctx.base_dir = impl_->spec.base_dir;
  ctx.dead_letter_dir = impl_->spec.dead_letter_dir;
  ctx.http = [this] { return impl_->Http(); };
  bool all_ok = true;
  auto check_one = [&](const std::string& name, const std::string& plugin,
                       const std::string& config, const HttpSettings& http) {
    PluginInstance inst(impl_->registry.Library(plugin), name, &ctx, BadRecordPolicy::kFail);
    inst.SetHttp(http);
    Status s = inst.Create(config);
    if (s.ok()) s = inst.Check();
    all_ok = all_ok && s.ok();
    lines.push_back((s.ok() ? "ok    " : "FAIL  ") + name + " (" + plugin + ")" +
                    (s.ok() ? "" : ": " + s.message()));
  };
  for (size_t i = 0; i < impl_->spec.sources.size(); ++i) {
    check_one(impl_->spec.sources[i].name, impl_->spec.sources[i].plugin, impl_->source_configs[i],
              impl_->spec.sources[i].http);
  }
  for (size_t i = 0; i < impl_->spec.connectors.size(); ++i) {
    check_one(impl_->spec.connectors[i].name, impl_->spec.connectors[i].plugin,
              impl_->connector_configs[i], impl_->spec.connectors[i].http);
  }
  if (!all_ok) {
    std::string joined;
    for (const auto& l : lines) joined += "\n  " + l;
    return FailedPrecondition("check failed:" + joined);
  }
  return lines;
}

Status Pipeline::Impl::LoadEvents(const StateStore& store, EventStore& events) const {
  JK_ASSIGN_OR_RETURN(uint64_t count, store.CountEvents());
  const std::string path = SnapshotPath();
  const bool snapshots = !path.empty();
  SnapshotTag tag;
  tag.model = Fnv1a64Hex(spec.model_json);
  bool from_snapshot = false;
  if (snapshots) {
    Result<std::string> text = events.ReadSnapshot(path);
    if (text.ok()) {
      SnapshotTag t = SnapshotTag::Parse(*text);
      bool valid =
          t.model == tag.model && t.count == events.size() && t.count > 0 && t.count <= count;
      if (valid) {
        JK_ASSIGN_OR_RETURN(uint64_t up_to, store.CountEventsUpTo(t.seq));
        valid = up_to == t.count;
      }
      // The first and the last event it holds are still the state's first and t.seq-th.
      std::string first, last;
      uint64_t last_seq = 0;
      if (valid) {
        JK_RETURN_IF_ERROR(
            store.ForEachEventAfter(0, 1, [&](uint64_t, const Event& e) { first = EventKey(e); }));
        JK_RETURN_IF_ERROR(store.ForEachEventAfter(t.seq - 1, 1, [&](uint64_t s, const Event& e) {
          last_seq = s;
          last = EventKey(e);
        }));
        valid = first == t.first && last_seq == t.seq && last == t.last;
      }
      if (valid) {
        from_snapshot = true;
        tag.seq = t.seq;
        tag.first = t.first;
        tag.last = t.last;
      } else {
        Log(LogLevel::kDebug, "event snapshot " + path +
                                  " was written for another model or other stored events; "
                                  "reading every event from the state database");
        events = EventStore(events.model());
      }
    } else if (text.status().code() != StatusCode::kNotFound) {
      Log(LogLevel::kWarn, text.status().message());
    }
  }
  events.Reserve(count);
  uint64_t appended = 0;
  for (;;) {
    uint64_t rows = 0;
    JK_RETURN_IF_ERROR(store.ForEachEventAfter(tag.seq, 65536, [&](uint64_t seq, const Event& e) {
      events.Append(e);
      tag.Track(seq, e);
      ++rows;
    }));
    if (rows == 0) break;
    appended += rows;
  }
  // A snapshot that is used is rewritten only when the events stored after it have grown to
  // a tenth of it: a run with a little new data then appends those few events from the state
  // database instead of writing the whole store again.
  const bool stale = !from_snapshot || appended * 10 >= events.size() - appended;
  if (events.size() > 0 && stale) {
    tag.count = events.size();
    WriteEventSnapshot(events, tag.Text());
  }
  return Status::Ok();
}

void Pipeline::Impl::WriteEventSnapshot(const EventStore& events, const std::string& tag) const {
  const std::string path = SnapshotPath();
  if (path.empty()) return;
  Status written = events.WriteSnapshot(path, tag);
  if (!written.ok()) {
    Log(LogLevel::kWarn,
        written.message() + " — the next run reads every event from the state database");
  }
}

Result<JourneyAnalysis> Pipeline::Impl::AnalyzeStore(const StateStore& store,
                                                     LiveEvents* live) const {
  JourneyAnalysis analysis;
  bool from_run = false;
  if (live != nullptr && !live->broken && live->events && live->events->size() > 0) {
    JK_ASSIGN_OR_RETURN(uint64_t stored, store.CountEvents());
    from_run = stored == live->events->size();
    if (!from_run) {
      Log(LogLevel::kDebug, "the state database holds " + std::to_string(stored) +
                                " events, the run stored " + std::to_string(live->events->size()) +
                                ": reading them back");
    }
  }
  if (from_run) {
    // Every stored event is one this run stored, appended in seq order as it was committed:
    // the store a reload would build. Written as the snapshot the next run starts from.
    analysis.model = std::move(live->model);
    analysis.events = std::move(live->events);
    Log(LogLevel::kDebug, "analysing the " + std::to_string(analysis.events->size()) +
                              " events this run stored, as it stored them (not read back)");
    live->tag.model = Fnv1a64Hex(spec.model_json);
    live->tag.count = analysis.events->size();
    WriteEventSnapshot(*analysis.events, live->tag.Text());
  } else {
    JK_ASSIGN_OR_RETURN(JourneyModel model,
                        JourneyModel::FromJson(spec.model_json, spec.file + ": model"));
    analysis.model = std::make_unique<JourneyModel>(std::move(model));
    analysis.events = std::make_unique<EventStore>(*analysis.model);
    JK_RETURN_IF_ERROR(LoadEvents(store, *analysis.events));
  }
  analysis.journeys =
      std::make_unique<JourneySet>(JourneySet::Build(*analysis.events, spec.identity));
  JK_ASSIGN_OR_RETURN(analysis.plan,
                      AnalysisPlan::Parse(spec.analyses_json, spec.file + ": analyses",
                                          *analysis.model, spec.base_dir));
  // Everyone, then each segment: built side by side on the machine's cores.
  JK_ASSIGN_OR_RETURN(std::vector<JourneyMap> maps,
                      BuildJourneyMaps(*analysis.journeys, analysis.plan));
  for (JourneyMap& map : maps) {
    // The map already holds the stage funnel: copy it rather than computing it twice.
    StageFunnel funnel;
    funnel.segment_id = map.segment_id;
    funnel.segment_name = map.segment_name;
    funnel.people = map.people;
    funnel.events = map.events;
    funnel.people_reaching_goal = map.people_reaching_goal;
    funnel.goal_conversion_rate = map.goal_conversion_rate;
    funnel.sources = map.sources;
    for (const MapStage& stage : map.stages) funnel.rows.push_back(stage.row);
    analysis.funnels.push_back(std::move(funnel));
    analysis.maps.push_back(std::move(map));
  }
  if (!spec.audiences_json.empty()) {
    JK_ASSIGN_OR_RETURN(
        analysis.audience_definitions,
        ParseAudiences(spec.audiences_json, spec.file + ": audiences", analysis.model.get()));
    for (const AudienceDefinition& definition : analysis.audience_definitions) {
      analysis.audiences.push_back(EvaluateAudience(*analysis.journeys, definition));
    }
  }
  return analysis;
}

Result<JourneyAnalysis> Pipeline::Analyze() {
  JK_ASSIGN_OR_RETURN(auto store, impl_->OpenStore());
  return impl_->AnalyzeStore(*store);
}

Status Pipeline::Impl::Deliver(StateStore& store, const JourneyAnalysis& analysis,
                               RunReport& report) {
  report.deliveries.clear();
  if (spec.connectors.empty()) return Status::Ok();
  internal::RecordFactory records(analysis, store);
  JK_RETURN_IF_ERROR(records.Init());
  report.deliveries.resize(spec.connectors.size());
  std::vector<std::unique_ptr<PluginInstance>> instances;
  std::vector<std::thread> threads;
  for (size_t ci = 0; ci < spec.connectors.size(); ++ci) {
    const ConnectorSpec& c = spec.connectors[ci];
    instances.push_back(std::make_unique<PluginInstance>(registry.Library(c.plugin), c.name,
                                                         run.get(), BadRecordPolicy::kFail));
    instances.back()->SetHttp(c.http);
  }
  // One thread per connector: a slow or failing destination holds up only itself.
  for (size_t ci = 0; ci < spec.connectors.size(); ++ci) {
    threads.emplace_back([&, ci] {
      internal::DeliveryJob job;
      job.spec = &spec.connectors[ci];
      job.config = &connector_configs[ci];
      job.instance = instances[ci].get();
      job.store = &store;
      job.records = &records;
      job.cancelled = &cancelled;
      job.delivered_counter = &run->delivered;
      job.log = [this](LogLevel level, const std::string& m) { Log(level, m); };
      report.deliveries[ci] = internal::Deliver(job);
    });
  }
  for (std::thread& t : threads) t.join();
  return Status::Ok();
}

Result<std::vector<DeliveryReport>> Pipeline::Replay(const ReplayOptions& options) {
  for (const std::string& name : options.connectors) {
    bool known = std::any_of(impl_->spec.connectors.begin(), impl_->spec.connectors.end(),
                             [&](const ConnectorSpec& c) { return c.name == name; });
    if (!known) {
      return NotFound(impl_->spec.file + ": no connector named '" + name + "'");
    }
  }
  impl_->cancelled = false;
  JK_ASSIGN_OR_RETURN(auto store, impl_->OpenStore());
  {
    std::lock_guard lock(impl_->run_mutex);
    impl_->run = impl_->MakeRunContext(store.get());
  }
  std::vector<DeliveryReport> reports;
  for (size_t ci = 0; ci < impl_->spec.connectors.size(); ++ci) {
    const ConnectorSpec& c = impl_->spec.connectors[ci];
    if (!options.connectors.empty() &&
        std::find(options.connectors.begin(), options.connectors.end(), c.name) ==
            options.connectors.end()) {
      continue;
    }
    JK_ASSIGN_OR_RETURN(uint64_t waiting, store->CountDeadLetters(c.name));
    if (waiting == 0) {
      DeliveryReport r;
      r.name = c.name;
      r.plugin = c.plugin;
      reports.push_back(std::move(r));
      continue;
    }
    PluginInstance inst(impl_->registry.Library(c.plugin), c.name, impl_->run.get(),
                        BadRecordPolicy::kFail);
    inst.SetHttp(c.http);
    internal::DeliveryJob job;
    job.spec = &c;
    job.config = &impl_->connector_configs[ci];
    job.instance = &inst;
    job.store = store.get();
    job.cancelled = &impl_->cancelled;
    job.delivered_counter = &impl_->run->delivered;
    job.log = [this](LogLevel level, const std::string& m) { impl_->Log(level, m); };
    reports.push_back(internal::ReplayDeadLetters(job, options.limit));
  }
  return reports;
}

Result<std::vector<DeadLetter>> Pipeline::DeadLetters(const std::string& connector, size_t limit) {
  JK_ASSIGN_OR_RETURN(auto store, impl_->OpenStore());
  return store->LoadDeadLetters(connector, 0, limit);
}

Result<RunReport> Pipeline::Run(const RunOptions& options) {
  RunReport report;
  impl_->cancelled = false;
  impl_->sources_done = 0;
  JK_ASSIGN_OR_RETURN(auto store, impl_->OpenStore());
  if (options.full_refresh) JK_RETURN_IF_ERROR(store->Reset());
  {
    std::lock_guard lock(impl_->run_mutex);
    impl_->run = impl_->MakeRunContext(store.get());
    impl_->run->http_mode = options.http_mode;
  }
  RunContext* run = impl_->run.get();

  // A run on an empty state database fills its in-memory store as its events are committed.
  std::unique_ptr<LiveEvents> live;
  if (options.read_sources && !impl_->spec.sources.empty()) {
    JK_ASSIGN_OR_RETURN(uint64_t stored, store->CountEvents());
    if (stored == 0) {
      JK_ASSIGN_OR_RETURN(JourneyModel model, JourneyModel::FromJson(impl_->spec.model_json,
                                                                     impl_->spec.file + ": model"));
      live = std::make_unique<LiveEvents>();
      live->model = std::make_unique<JourneyModel>(std::move(model));
      live->events = std::make_unique<EventStore>(*live->model);
      store->SetCommitObserver([l = live.get()](std::span<const Event> events,
                                                std::span<const StateStore::Inserted> inserted) {
        if (l->broken) return;
        try {
          for (const StateStore::Inserted& in : inserted) {
            l->events->Append(events[in.index]);
            l->tag.Track(in.seq, events[in.index]);
          }
        } catch (const std::exception&) {
          l->broken = true;  // e.g. out of memory: the analysis reads the events back
        }
      });
    }
  }

  if (options.read_sources && !impl_->spec.sources.empty()) {
    const auto& sources = impl_->spec.sources;
    std::vector<std::unique_ptr<PluginInstance>> instances;
    for (size_t i = 0; i < sources.size(); ++i) {
      instances.push_back(
          std::make_unique<PluginInstance>(impl_->registry.Library(sources[i].plugin),
                                           sources[i].name, run, sources[i].on_bad_record));
      instances.back()->SetHttp(sources[i].http);
    }
    size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 2, 8);
    threads = std::min(threads, sources.size());
    boost::asio::thread_pool pool(threads);
    std::optional<boost::asio::signal_set> signals;
    if (options.handle_signals) {
      signals.emplace(pool, SIGINT, SIGTERM);
      signals->async_wait([this](const boost::system::error_code& ec, int signal) {
        if (ec) return;  // cancelled: the run ended first
        impl_->Log(LogLevel::kWarn, std::string("received ") +
                                        (signal == SIGINT ? "SIGINT" : "SIGTERM") +
                                        ": stopping; every checkpoint is kept");
        impl_->cancelled = true;
      });
    }
    std::mutex done_mutex;
    for (size_t i = 0; i < sources.size(); ++i) {
      // One strand per instance: a plugin instance is never called from two threads at once.
      auto strand = boost::asio::make_strand(pool);
      boost::asio::post(strand, [&, i] {
        PluginInstance& inst = *instances[i];
        auto started = std::chrono::steady_clock::now();
        Status s = inst.Create(impl_->source_configs[i]);
        std::vector<std::string> streams;
        if (s.ok()) {
          auto r = inst.Streams();
          if (r.ok()) {
            streams = *r;
          } else {
            s = r.status();
          }
        }
        for (const std::string& stream : streams) {
          if (!s.ok()) break;
          if (impl_->cancelled) {
            s = Cancelled(inst.name() + ": stopped before stream '" + stream + "'");
            break;
          }
          s = inst.Read(stream, options.full_refresh);
        }
        inst.report().status = s;
        inst.report().seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (++impl_->sources_done == sources.size()) {
          std::lock_guard lock(done_mutex);
          if (signals) boost::asio::post(pool, [&] { signals->cancel(); });
        }
      });
    }
    pool.join();
    store->SetCommitObserver(nullptr);
    Status first_error;
    for (auto& inst : instances) {
      report.sources.push_back(inst->report());
      report.dead_lettered += inst->report().bad_records;
      if (!inst->dead_letter_path().empty()) {
        report.dead_letter_files.push_back(inst->dead_letter_path());
      }
      const Status& s = inst->report().status;
      if (!s.ok() && first_error.ok()) first_error = s;
    }
    instances.clear();
    if (impl_->cancelled) {
      return Cancelled("the run was stopped; every checkpoint is kept — run again to go on");
    }
    if (!first_error.ok()) return first_error;
  }
  JK_ASSIGN_OR_RETURN(report.stored_events, store->CountEvents());
  JK_ASSIGN_OR_RETURN(report.analysis, impl_->AnalyzeStore(*store, live.get()));
  // Audience membership is committed before any connector hears of a change (issue 5 reads
  // the change log), so a crash here recomputes the same changes on the next run.
  for (const AudienceMembership& m : report.analysis.audiences) {
    JK_ASSIGN_OR_RETURN(AudienceChanges changes,
                        store->UpdateAudience(m.audience_id, m.members, m.as_of_us));
    report.audience_changes.push_back(std::move(changes));
  }
  if (options.write_connectors) JK_RETURN_IF_ERROR(impl_->Deliver(*store, report.analysis, report));
  if (impl_->cancelled) {
    return Cancelled(
        "the run was stopped during delivery; every accepted batch is kept — run "
        "again to deliver the rest");
  }
  return report;
}

}  // namespace journeykit

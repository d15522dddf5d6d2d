// pipeline.hpp — one run: sources → normalize → event store → journeys → analyses → connectors.
#pragma once

#include <journeykit/analysis_plan.hpp>
#include <journeykit/audiences.hpp>
#include <journeykit/event_store.hpp>
#include <journeykit/journey_map.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/plugin_registry.hpp>
#include <journeykit/stage_funnel.hpp>
#include <journeykit/state_store.hpp>
#include <journeykit/status.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

enum class BadRecordPolicy { kFail, kDeadLetter };

// How plugin HTTP requests are made (docs/http.md): the pipeline's "http" object, which a
// source's own "http" object overrides field by field.
enum class HttpMode { kLive, kRecord, kReplay };
struct HttpSettings {
  HttpMode mode = HttpMode::kLive;
  std::string cassette_dir;  // record/replay; default <pipeline folder>/cassettes/<source>
  std::string ca_bundle;     // PEM file of trusted CAs; empty: the system's
  uint32_t connect_timeout_ms = 10000;
  uint32_t attempt_timeout_ms = 60000;  // one attempt, connect to last byte
  uint32_t max_attempts = 4;            // default of requests that do not set their own
  uint32_t time_budget_ms = 120000;     // all attempts and waits of one request
  uint32_t backoff_base_ms = 500;       // full jitter: uniform(0, min(max, base * 2^n))
  uint32_t backoff_max_ms = 30000;
};
const char* HttpModeName(HttpMode mode);

struct SourceSpec {
  std::string name;
  std::string plugin;
  std::string config_json;  // as written in the file (validated, ${env:} not yet resolved)
  BadRecordPolicy on_bad_record = BadRecordPolicy::kFail;
  HttpSettings http;  // the pipeline's, with this source's overrides applied
};

// How records reach one connector (docs/delivery.md): the connector's "delivery" object.
struct DeliverySettings {
  // "mode": "incremental" (default): only what the connector has not accepted yet.
  // "snapshot": everything, every run, and no positions kept (the files connector's default:
  // it rewrites whole files).
  bool snapshot = false;
  uint32_t max_records = 500;       // a batch holds at most this many records ...
  uint64_t max_bytes = 1 << 20;     // ... and at most this many bytes of record JSON ...
  uint32_t max_wait_ms = 1000;      // ... and is sent when its oldest record waited this long
  uint32_t max_failed_batches = 3;  // consecutive failed batches before the connector stops
  uint32_t queue_records = 10000;   // records buffered ahead of the connector
};

// Which records a connector receives (the connector's "filter" object); empty lists match all.
struct ConnectorFilter {
  std::vector<std::string> sources;    // events: source instance names
  std::vector<std::string> actions;    // events: actions
  std::vector<std::string> stages;     // events: their stage; stage changes: the stage entered;
                                       // journeys: the current stage
  std::vector<std::string> segments;   // events, journeys, stage and audience changes: the
                                       // person is in at least one of these segments
  std::vector<std::string> audiences;  // audience changes: audience ids
  // Events, journeys, stage and audience changes: only people with an e-mail address the
  // connector receives — a known address (identity.keep_email_addresses), or for a connector
  // with "emails": "hashed" an e-mail hash. For destinations that address people by e-mail.
  bool with_email = false;
};

struct ConnectorSpec {
  std::string name;
  std::string plugin;
  std::string config_json;
  // Any of "events", "journeys", "stage_changes", "audience_changes", "stage_table",
  // "journey_map" (kReceivable).
  std::vector<std::string> receives;
  HttpSettings http;
  DeliverySettings delivery;
  ConnectorFilter filter;
  bool hash_emails = false;  // "emails": "hashed": records carry email_sha256, never an address
};
inline constexpr const char* kReceivable[] = {"events",           "journeys",    "stage_changes",
                                              "audience_changes", "stage_table", "journey_map"};

// The parsed pipeline file (docs/pipeline.md).
struct PipelineSpec {
  std::string file;      // path of the pipeline file
  std::string base_dir;  // its folder: relative paths resolve against it
  std::vector<std::string> plugin_paths;
  std::string state_path;  // resolved; ":memory:" for an in-memory store
  std::string dead_letter_dir;
  IdentityOptions identity;
  HttpSettings http;  // pipeline-wide defaults
  std::string model_json;
  std::string analyses_json;   // the "analyses" array, or empty
  std::string audiences_json;  // the "audiences" array, or empty
  std::vector<SourceSpec> sources;
  std::vector<ConnectorSpec> connectors;

  static Result<PipelineSpec> Load(const std::string& path);
  static Result<PipelineSpec> Parse(std::string_view json, const std::string& path);
};

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
using LogSink = std::function<void(LogLevel, const std::string&)>;

struct PipelineOptions {
  // Plugin folders searched after the pipeline's plugin_paths and JOURNEYKIT_PLUGIN_PATH,
  // before the install directory (the CLI adds the build tree's plugin folder here).
  std::vector<std::string> extra_plugin_dirs;
  bool search_install_dir = true;
  LogSink log;  // default: stderr; every message has secrets redacted
};

struct RunOptions {
  bool full_refresh = false;  // forget every event and cursor first
  bool read_sources = true;   // false: analyse what the state store already holds
  bool write_connectors = true;
  bool handle_signals = false;  // SIGINT/SIGTERM stop the run cleanly (the CLI sets it)
  // Overrides every source's HTTP mode (the CLI's --http-mode); cassette folders stay.
  std::optional<HttpMode> http_mode;
};

struct SourceReport {
  std::string name;
  std::string plugin;
  uint64_t emitted = 0;
  uint64_t inserted = 0;
  uint64_t duplicates = 0;
  uint64_t bad_records = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  Status status;
};

struct Progress {
  uint64_t delivered = 0;  // records accepted by connectors so far
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t records = 0;
  size_t sources_done = 0;
  size_t sources_total = 0;
};

// The analysed state: the model, the events, the journeys and the stage funnels.
struct JourneyAnalysis {
  std::unique_ptr<JourneyModel> model;
  std::unique_ptr<EventStore> events;
  std::unique_ptr<JourneySet> journeys;
  std::vector<StageFunnel> funnels;  // "all" first, then one per segment in model order
  AnalysisPlan plan;
  std::vector<JourneyMap> maps;  // the same order as funnels
  std::vector<AudienceDefinition> audience_definitions;
  std::vector<AudienceMembership> audiences;  // evaluated as of the latest event
  const StageFunnel* Funnel(std::string_view segment_id) const;
  const JourneyMap* Map(std::string_view segment_id) const;
};

// What one connector did in a run (or a replay).
struct DeliveryReport {
  std::string name;
  std::string plugin;
  uint64_t delivered = 0;     // records the destination accepted
  uint64_t batches = 0;       // batches accepted
  uint64_t rejected = 0;      // records the destination refused one by one (dead-lettered)
  uint64_t failed = 0;        // records of batches that failed after every retry (dead-lettered)
  uint64_t skipped = 0;       // records left out by the connector's filter
  uint64_t pending = 0;       // records not attempted: the connector stopped or the run was
                              // cancelled; the next run delivers them
  uint64_t dead_letters = 0;  // records in the connector's dead-letter store after the run
  double seconds = 0;
  Status status;  // the first failure (a failed batch, a stopped connector); OK otherwise
};

struct ReplayOptions {
  std::vector<std::string> connectors;  // empty: every connector
  uint64_t limit = 0;                   // at most this many records per connector; 0: all
};

struct RunReport {
  std::vector<SourceReport> sources;
  std::vector<DeliveryReport> deliveries;  // one per connector, in pipeline order
  uint64_t stored_events = 0;
  uint64_t dead_lettered = 0;
  std::vector<std::string> dead_letter_files;
  std::vector<AudienceChanges> audience_changes;  // per analysis.audiences[i], committed
  JourneyAnalysis analysis;
};

class Pipeline {
 public:
  // Parses the file, loads the plugins, validates every instance's config and resolves
  // ${env:NAME} references. Errors name the file, the JSON path and what to do.
  static Result<std::unique_ptr<Pipeline>> Open(const std::string& path,
                                                PipelineOptions options = {});
  ~Pipeline();

  // Creates each instance and runs its check(); returns one line per instance.
  Result<std::vector<std::string>> Check();
  Result<RunReport> Run(const RunOptions& options = {});
  // Builds journeys and analyses from what the state store holds (no source is read).
  Result<JourneyAnalysis> Analyze();
  // Re-delivers the records in the connectors' dead-letter stores (journeykit replay): those
  // accepted leave the store, those refused again stay with the new reason.
  Result<std::vector<DeliveryReport>> Replay(const ReplayOptions& options = {});
  // The dead letters of one connector (every connector when empty), oldest first.
  Result<std::vector<DeadLetter>> DeadLetters(const std::string& connector = {},
                                              size_t limit = 1000);

  void Cancel();
  bool cancelled() const;
  Progress progress() const;
  const PipelineSpec& spec() const;
  const PluginRegistry& plugins() const;

 private:
  struct Impl;
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "2026-09-01T12:00:00.123456Z"
std::string FormatTimeUs(int64_t time_us);

}  // namespace journeykit

// plugin_instance.hpp — one live plugin instance and the host services it is given.
#pragma once

#include <journeykit/plugin_abi.h>
#include <journeykit/event.hpp>
#include <journeykit/pipeline.hpp>

#include "internal/plugin_library.hpp"

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace journeykit::internal {

class HttpEngine;

// Shared by every instance of one run.
struct RunContext {
  StateStore* store = nullptr;
  std::atomic<bool>* cancelled = nullptr;
  const std::vector<std::string>* secrets = nullptr;
  LogSink log;
  std::string base_dir;
  std::string dead_letter_dir;
  std::function<HttpEngine*()> http;  // the pipeline's engine, started on first use
  std::optional<HttpMode> http_mode;  // RunOptions::http_mode
  bool keep_email_addresses = false;  // IdentityOptions::keep_email_addresses
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> delivered{0};  // records accepted by connectors
};

// The host side of one plugin instance: implements jk_host_api for it. Members are only
// touched from the strand that runs the instance.
class PluginInstance {
 public:
  PluginInstance(std::shared_ptr<PluginLibrary> library, std::string name, RunContext* run,
                 BadRecordPolicy policy);
  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  void SetHttp(const HttpSettings& settings) { http_ = settings; }
  Status Create(const std::string& config_json);
  Status Check();
  Result<std::vector<std::string>> Streams();
  // Reads one stream from its saved cursor; commits events with checkpoints.
  Status Read(const std::string& stream, bool full_refresh);
  Status Write(const std::vector<jk_record>& records);
  // Connectors: while set, a record the plugin rejects (Host::reject) goes to `sink` (key,
  // reason) instead of the dead-letter file; the sink returns false for an unknown key.
  void SetRejectSink(std::function<bool(std::string_view, std::string_view)> sink) {
    reject_sink_ = std::move(sink);
  }
  Status Flush();

  SourceReport& report() { return report_; }
  const std::string& name() const { return name_; }
  const std::string& dead_letter_path() const { return dead_letter_path_; }

 private:
  static PluginInstance* Self(void* ctx) { return static_cast<PluginInstance*>(ctx); }
  static void LogThunk(void* ctx, int32_t level, jk_str message);
  static void SetErrorThunk(void* ctx, jk_str message);
  static int32_t IsCancelledThunk(void* ctx);
  static int32_t EmitThunk(void* ctx, jk_str stream, const jk_event* events, size_t count);
  static int32_t CheckpointThunk(void* ctx, jk_str stream, jk_str state);
  static int32_t BadRecordThunk(void* ctx, jk_str location, jk_str reason, jk_str raw);
  static void ProgressThunk(void* ctx, uint64_t bytes, uint64_t records);
  static int32_t HttpSendThunk(void* ctx, const jk_http_request* requests, size_t count,
                               jk_http_sink sink, void* sink_ctx);
  static void AddSecretThunk(void* ctx, jk_str value);

  int32_t Emit(std::string_view stream, const jk_event* events, size_t count);
  int32_t Checkpoint(std::string_view stream, std::string_view state);
  int32_t BadRecord(std::string_view location, std::string_view reason, std::string_view raw);
  int32_t HttpSend(const jk_http_request* requests, size_t count, jk_http_sink sink,
                   void* sink_ctx);
  std::vector<std::string> Secrets() const;
  Status CommitPending(const std::string& stream, const std::string* state);
  Status CallStatus(int32_t rc, const std::string& what);
  void Log(LogLevel level, const std::string& message) const;

  std::shared_ptr<PluginLibrary> library_;  // keeps the code loaded while the instance lives
  std::string name_;
  RunContext* run_;
  BadRecordPolicy policy_;
  jk_host_api api_{};
  void* instance_ = nullptr;
  std::string error_;
  std::string host_error_;  // a failure of the host itself (store) during a plugin call
  std::string data_error_;  // a bad record under the fail policy
  std::map<std::string, std::vector<Event>> pending_;
  // (sha256, normalized address) of e-mails seen, when the pipeline keeps addresses.
  std::vector<std::pair<std::string, std::string>> pending_addresses_;
  std::ofstream dead_letter_;
  std::string dead_letter_path_;
  uint64_t last_bytes_ = 0;
  uint64_t last_records_ = 0;
  SourceReport report_;
  HttpSettings http_;
  std::function<bool(std::string_view, std::string_view)> reject_sink_;
  std::vector<std::string> own_secrets_;  // add_secret: e.g. OAuth access tokens
};

}  // namespace journeykit::internal

// fake_host.hpp — an in-memory jk_host_api for driving plugin classes directly in tests.
#pragma once

#include <journeykit/plugin_abi.h>

#include <cstdint>
#include <journeykit/plugin.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeykit::testing {

// Mimics the host's contract: emitted events are pending until the stream's next checkpoint,
// which commits them together with the state. Bad records follow a policy (fail or
// dead-letter). Not copyable or movable: the api struct points back at it.
class FakeHost {
 public:
  enum class BadRecordPolicy { kFail, kDeadLetter };

  struct Checkpoint {
    std::string stream;
    std::string state;
    size_t committed_events = 0;  // total committed on the stream after this checkpoint
  };
  struct BadRecord {
    std::string location;
    std::string reason;
    std::string raw;
  };
  struct LogLine {
    int level;
    std::string message;
  };

  explicit FakeHost(std::string base_dir = {}, std::string instance_name = "test")
      : base_dir_(std::move(base_dir)), instance_name_(std::move(instance_name)) {
    api_.struct_size = sizeof(jk_host_api);
    api_.abi_major = JK_ABI_MAJOR;
    api_.abi_minor = JK_ABI_MINOR;
    api_.ctx = this;
    api_.log = &Log;
    api_.set_error = &SetError;
    api_.is_cancelled = &IsCancelled;
    api_.emit_events = &Emit;
    api_.checkpoint = &DoCheckpoint;
    api_.bad_record = &DoBadRecord;
    api_.progress = &Progress;
    api_.base_dir = plugin::ToJk(base_dir_);
    api_.instance_name = plugin::ToJk(instance_name_);
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const jk_host_api* api() const { return &api_; }

  // --- knobs ---
  BadRecordPolicy policy = BadRecordPolicy::kDeadLetter;
  bool cancel = false;
  int cancel_after_checkpoints = -1;  // >= 0: cancel once this many checkpoints were taken
  bool fail_emit = false;
  bool fail_checkpoint = false;

  // --- what the plugin did ---
  std::map<std::string, std::vector<plugin::Event>> committed;  // per stream
  std::map<std::string, std::vector<plugin::Event>> pending;    // emitted, not yet checkpointed
  std::vector<Checkpoint> checkpoints;
  std::vector<BadRecord> bad_records;
  std::vector<LogLine> logs;
  std::string last_error;
  uint64_t progress_bytes = 0;
  uint64_t progress_records = 0;
  size_t progress_calls = 0;

  const std::vector<plugin::Event>& events(const std::string& stream) { return committed[stream]; }
  std::string state(const std::string& stream) const {
    for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
      if (it->stream == stream) return it->state;
    }
    return {};
  }
  bool logged(std::string_view needle) const {
    for (const LogLine& l : logs) {
      if (l.message.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  // Forgets what was captured (keeps the knobs), e.g. between two runs.
  void clear_captures() {
    committed.clear();
    pending.clear();
    checkpoints.clear();
    bad_records.clear();
    logs.clear();
    last_error.clear();
  }

  static plugin::Event ToEvent(const jk_event& e) {
    auto copy_pairs = [](const jk_pair* pairs, size_t count) {
      std::vector<std::pair<std::string, std::string>> out;
      for (size_t i = 0; i < count; ++i) {
        out.emplace_back(std::string(plugin::FromJk(pairs[i].key)),
                         std::string(plugin::FromJk(pairs[i].value)));
      }
      return out;
    };
    plugin::Event out;
    out.time_us = e.time_us;
    out.event_id = std::string(plugin::FromJk(e.event_id));
    out.action = std::string(plugin::FromJk(e.action));
    out.identities = copy_pairs(e.identities, e.identity_count);
    out.hints = copy_pairs(e.hints, e.hint_count);
    out.properties = copy_pairs(e.properties, e.property_count);
    out.text = std::string(plugin::FromJk(e.text));
    out.currency = std::string(plugin::FromJk(e.currency));
    if (e.flags & JK_EVENT_HAS_VALUE) out.value = e.value;
    if (e.flags & JK_EVENT_HAS_RATING) out.rating = e.rating;
    if (e.flags & JK_EVENT_HAS_SENTIMENT) out.sentiment = e.sentiment;
    return out;
  }

 private:
  static FakeHost& Self(void* ctx) { return *static_cast<FakeHost*>(ctx); }

  static void Log(void* ctx, int32_t level, jk_str message) {
    Self(ctx).logs.push_back({level, std::string(plugin::FromJk(message))});
  }
  static void SetError(void* ctx, jk_str message) {
    Self(ctx).last_error = std::string(plugin::FromJk(message));
  }
  static int32_t IsCancelled(void* ctx) {
    FakeHost& self = Self(ctx);
    if (self.cancel_after_checkpoints >= 0 &&
        self.checkpoints.size() >= static_cast<size_t>(self.cancel_after_checkpoints)) {
      return 1;
    }
    return self.cancel ? 1 : 0;
  }
  static int32_t Emit(void* ctx, jk_str stream, const jk_event* events, size_t count) {
    FakeHost& self = Self(ctx);
    if (self.fail_emit) {
      self.last_error = "emit refused";
      return JK_ERROR;
    }
    auto& out = self.pending[std::string(plugin::FromJk(stream))];
    for (size_t i = 0; i < count; ++i) out.push_back(ToEvent(events[i]));
    return JK_OK;
  }
  static int32_t DoCheckpoint(void* ctx, jk_str stream, jk_str state) {
    FakeHost& self = Self(ctx);
    if (self.fail_checkpoint) {
      self.last_error = "checkpoint refused";
      return JK_ERROR;
    }
    std::string name(plugin::FromJk(stream));
    auto& done = self.committed[name];
    for (plugin::Event& e : self.pending[name]) done.push_back(std::move(e));
    self.pending[name].clear();
    self.checkpoints.push_back({name, std::string(plugin::FromJk(state)), done.size()});
    return JK_OK;
  }
  static int32_t DoBadRecord(void* ctx, jk_str location, jk_str reason, jk_str raw) {
    FakeHost& self = Self(ctx);
    self.bad_records.push_back({std::string(plugin::FromJk(location)),
                                std::string(plugin::FromJk(reason)),
                                std::string(plugin::FromJk(raw))});
    if (self.policy == BadRecordPolicy::kFail) {
      self.last_error =
          std::string(plugin::FromJk(location)) + ": " + std::string(plugin::FromJk(reason));
      return JK_ERROR;
    }
    return JK_OK;
  }
  static void Progress(void* ctx, uint64_t bytes, uint64_t records) {
    FakeHost& self = Self(ctx);
    self.progress_bytes = bytes;
    self.progress_records = records;
    ++self.progress_calls;
  }

  std::string base_dir_;
  std::string instance_name_;
  jk_host_api api_{};
};

}  // namespace journeykit::testing

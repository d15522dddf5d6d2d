// plugin_instance.cpp — the host API a plugin instance calls, and calls into the plugin.
#include "internal/plugin_instance.hpp"

#include <journeykit/config_spec.hpp>
#include <journeykit/hashing.hpp>

#include "internal/http_engine.hpp"
#include "internal/json_writer.hpp"

#include <boost/filesystem.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace journeykit::internal {

namespace {

constexpr size_t kMaxPendingEvents = 50000;  // commit (without cursor) past this many
constexpr size_t kDeadLetterExcerpt = 4096;

std::string Str(jk_str s) {
  return s.data == nullptr ? std::string() : std::string(s.data, s.size);
}
std::string_view View(jk_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

KeyValues Pairs(const jk_pair* pairs, size_t count) {
  KeyValues out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.emplace_back(Str(pairs[i].key), Str(pairs[i].value));
  return out;
}

}  // namespace

PluginInstance::PluginInstance(std::shared_ptr<PluginLibrary> library, std::string name,
                               RunContext* run, BadRecordPolicy policy)
    : library_(std::move(library)), name_(std::move(name)), run_(run), policy_(policy) {
  api_.struct_size = sizeof(jk_host_api);
  api_.abi_major = JK_ABI_MAJOR;
  api_.abi_minor = JK_ABI_MINOR;
  api_.ctx = this;
  api_.log = &LogThunk;
  api_.set_error = &SetErrorThunk;
  api_.is_cancelled = &IsCancelledThunk;
  api_.emit_events = &EmitThunk;
  api_.checkpoint = &CheckpointThunk;
  api_.bad_record = &BadRecordThunk;
  api_.progress = &ProgressThunk;
  api_.http_send = &HttpSendThunk;
  api_.add_secret = &AddSecretThunk;
  api_.base_dir = jk_str{run_->base_dir.data(), run_->base_dir.size()};
  api_.instance_name = jk_str{name_.data(), name_.size()};
  report_.name = name_;
  report_.plugin = library_->info.name;
}

PluginInstance::~PluginInstance() {
  if (instance_ != nullptr) library_->descriptor->destroy(instance_);
}

std::vector<std::string> PluginInstance::Secrets() const {
  std::vector<std::string> all = *run_->secrets;
  all.insert(all.end(), own_secrets_.begin(), own_secrets_.end());
  return all;
}

void PluginInstance::AddSecretThunk(void* ctx, jk_str value) {
  if (value.data != nullptr && value.size > 0) Self(ctx)->own_secrets_.emplace_back(Str(value));
}

int32_t PluginInstance::HttpSendThunk(void* ctx, const jk_http_request* requests, size_t count,
                                      jk_http_sink sink, void* sink_ctx) {
  return Self(ctx)->HttpSend(requests, count, sink, sink_ctx);
}

int32_t PluginInstance::HttpSend(const jk_http_request* requests, size_t count, jk_http_sink sink,
                                 void* sink_ctx) {
  HttpEngine* engine = run_->http ? run_->http() : nullptr;
  if (engine == nullptr) {
    host_error_ = "HTTP is not available in this run";
    return JK_ERROR;
  }
  HttpSettings settings = http_;
  if (run_->http_mode) settings.mode = *run_->http_mode;
  auto cassette = engine->CassetteFor(settings);
  if (!cassette.ok()) {
    host_error_ = cassette.status().message();
    return JK_ERROR;
  }
  std::vector<HttpCall> calls(count);
  for (size_t i = 0; i < count; ++i) {
    const jk_http_request& r = requests[i];
    if (r.struct_size < sizeof(jk_http_request)) {
      host_error_ = "http_send: request " + std::to_string(i) + " has an unknown layout";
      return JK_ERROR;
    }
    HttpCall& c = calls[i];
    c.method = Str(r.method);
    c.url = Str(r.url);
    c.headers = Pairs(r.headers, r.header_count);
    c.body = Str(r.body);
    c.budget_key = Str(r.budget_key);
    c.budget_requests = r.budget_requests;
    c.budget_interval_ms = r.budget_interval_ms;
    c.budget_max_concurrent = r.budget_max_concurrent;
    c.max_attempts = r.max_attempts;
    c.time_budget_ms = r.time_budget_ms;
  }
  HttpRedactor redactor(Secrets());
  bool finished = engine->Send(
      std::move(calls), settings, *cassette, redactor, [this] { return run_->cancelled->load(); },
      [&](size_t index, HttpResult&& result) {
        std::vector<jk_pair> headers;
        headers.reserve(result.headers.size());
        for (const auto& [k, v] : result.headers) {
          headers.push_back(jk_pair{jk_str{k.data(), k.size()}, jk_str{v.data(), v.size()}});
        }
        jk_http_response resp{};
        resp.struct_size = sizeof resp;
        resp.status = result.status;
        resp.headers = headers.data();
        resp.header_count = headers.size();
        resp.body = jk_str{result.body.data(), result.body.size()};
        resp.error = jk_str{result.error.data(), result.error.size()};
        resp.attempts = result.attempts;
        sink(sink_ctx, index, &resp);
      });
  return finished ? JK_OK : JK_CANCELLED;
}

void PluginInstance::Log(LogLevel level, const std::string& message) const {
  if (run_->log) run_->log(level, Redact(name_ + ": " + message, Secrets()));
}

Status PluginInstance::CallStatus(int32_t rc, const std::string& what) {
  if (!host_error_.empty()) {
    std::string e = std::move(host_error_);
    host_error_.clear();
    return IoError(Redact(name_ + ": " + e, Secrets()));
  }
  if (!data_error_.empty() && rc != JK_OK) {
    std::string e = std::move(data_error_);
    data_error_.clear();
    error_.clear();
    return DataError(Redact(name_ + ": " + e, Secrets()));
  }
  if (rc == JK_OK) return Status::Ok();
  std::string message = error_.empty() ? what + " failed without a message" : error_;
  error_.clear();
  message = Redact(name_ + " (" + library_->info.name + "): " + message, Secrets());
  if (rc == JK_CANCELLED) return Cancelled(message);
  return PluginError(message);
}

Status PluginInstance::Create(const std::string& config_json) {
  instance_ = library_->descriptor->create(&api_, jk_str{config_json.data(), config_json.size()});
  if (instance_ == nullptr) return CallStatus(JK_ERROR, "create");
  return Status::Ok();
}

Status PluginInstance::Check() {
  return CallStatus(library_->descriptor->check(instance_), "check");
}

Result<std::vector<std::string>> PluginInstance::Streams() {
  std::vector<std::string> streams;
  auto sink = [](void* ctx, jk_str name) {
    static_cast<std::vector<std::string>*>(ctx)->emplace_back(Str(name));
  };
  JK_RETURN_IF_ERROR(
      CallStatus(library_->descriptor->list_streams(instance_, sink, &streams), "list_streams"));
  return streams;
}

Status PluginInstance::Read(const std::string& stream, bool full_refresh) {
  std::string state;
  if (!full_refresh) {
    JK_ASSIGN_OR_RETURN(auto saved, run_->store->LoadCursor(name_, stream));
    if (saved) state = *saved;
  }
  int32_t rc = library_->descriptor->read(instance_, jk_str{stream.data(), stream.size()},
                                          jk_str{state.data(), state.size()});
  Status status = CallStatus(rc, "read of stream '" + stream + "'");
  if (!status.ok()) {
    // Events after the last checkpoint are not stored: the next run reads them again from
    // the saved cursor, so nothing is lost and nothing is half-stored.
    pending_.erase(stream);
    return status;
  }
  return CommitPending(stream, nullptr);
}

Status PluginInstance::Write(const std::vector<jk_record>& records) {
  return CallStatus(library_->descriptor->write(instance_, records.data(), records.size()),
                    "write");
}

Status PluginInstance::Flush() {
  return CallStatus(library_->descriptor->flush(instance_), "flush");
}

Status PluginInstance::CommitPending(const std::string& stream, const std::string* state) {
  auto& events = pending_[stream];
  if (events.empty() && state == nullptr) return Status::Ok();
  // Addresses first: a crash between the two leaves an address without its events, which
  // the rerun reads again — never events whose address is missing.
  if (!pending_addresses_.empty()) {
    JK_RETURN_IF_ERROR(run_->store->RememberEmailAddresses(pending_addresses_));
    pending_addresses_.clear();
  }
  JK_ASSIGN_OR_RETURN(CommitStats stats, run_->store->Commit(name_, stream, events, state));
  report_.inserted += stats.inserted;
  report_.duplicates += stats.duplicates;
  events.clear();
  return Status::Ok();
}

int32_t PluginInstance::Emit(std::string_view stream, const jk_event* events, size_t count) {
  auto& pending = pending_[std::string(stream)];
  for (size_t i = 0; i < count; ++i) {
    const jk_event& r = events[i];
    if (r.struct_size < offsetof(jk_event, flags) + sizeof(r.flags)) {
      host_error_ = "emitted an event struct smaller than ABI 1.0 (rebuild the plugin)";
      return JK_ERROR;
    }
    Event e;
    e.time_us = r.time_us;
    e.source = name_;
    e.event_id = Str(r.event_id);
    e.action = Str(r.action);
    if (e.event_id.empty() || e.action.empty()) {
      host_error_ = "emitted an event without " +
                    std::string(e.event_id.empty() ? "an event id" : "an action") + " on stream '" +
                    std::string(stream) + "' (a plugin bug: every event needs both)";
      return JK_ERROR;
    }
    for (size_t k = 0; k < r.identity_count; ++k) {
      std::string kind = Str(r.identities[k].key);
      std::string_view value = View(r.identities[k].value);
      if (kind == "email") {
        // Raw addresses never reach the store: only their normalized SHA-256.
        if (auto normalized = NormalizeEmail(value)) {
          e.identities.emplace_back("email_sha256", Sha256Hex(*normalized));
          if (run_->keep_email_addresses) {
            pending_addresses_.emplace_back(e.identities.back().second, std::move(*normalized));
          }
        }
      } else if (!value.empty()) {
        std::string v(value);
        if (kind == "email_sha256") {
          std::transform(v.begin(), v.end(), v.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        }
        e.identities.emplace_back(std::move(kind), std::move(v));
      }
    }
    e.hints = Pairs(r.hints, r.hint_count);
    e.properties = Pairs(r.properties, r.property_count);
    e.text = Str(r.text);
    e.currency = Str(r.currency);
    // A NaN is no number: kept as absent, which is also what the state store would read back
    // (SQLite stores a NaN REAL as NULL), so the run's in-memory store and a reload agree.
    if ((r.flags & JK_EVENT_HAS_VALUE) && !std::isnan(r.value)) e.value = r.value;
    if ((r.flags & JK_EVENT_HAS_RATING) && !std::isnan(r.rating)) e.rating = r.rating;
    if ((r.flags & JK_EVENT_HAS_SENTIMENT) && !std::isnan(r.sentiment)) e.sentiment = r.sentiment;
    pending.push_back(std::move(e));
  }
  report_.emitted += count;
  run_->events += count;
  if (pending.size() >= kMaxPendingEvents) {
    Status s = CommitPending(std::string(stream), nullptr);
    if (!s.ok()) {
      host_error_ = s.message();
      return JK_ERROR;
    }
  }
  return JK_OK;
}

int32_t PluginInstance::Checkpoint(std::string_view stream, std::string_view state) {
  std::string s(state);
  Status status = CommitPending(std::string(stream), &s);
  if (!status.ok()) {
    host_error_ = status.message();
    return JK_ERROR;
  }
  return JK_OK;
}

int32_t PluginInstance::BadRecord(std::string_view location, std::string_view reason,
                                  std::string_view raw) {
  if (reject_sink_) {
    if (reject_sink_(location, reason)) return JK_OK;
    host_error_ = "rejected record '" + std::string(location) +
                  "', which is not in the batch it was given (a plugin bug)";
    return JK_ERROR;
  }
  ++report_.bad_records;
  if (policy_ == BadRecordPolicy::kFail) {
    data_error_ =
        std::string(location) + ": " + std::string(reason) +
        " — fix the record, or set \"on_bad_record\": \"dead_letter\" to set such records "
        "aside and go on";
    return JK_ERROR;
  }
  if (!dead_letter_.is_open()) {
    boost::system::error_code ec;
    boost::filesystem::create_directories(run_->dead_letter_dir, ec);
    dead_letter_path_ = run_->dead_letter_dir + "/" + name_ + ".ndjson";
    dead_letter_.open(dead_letter_path_, std::ios::app);
    if (!dead_letter_) {
      host_error_ = "cannot open the dead-letter file " + dead_letter_path_;
      return JK_ERROR;
    }
  }
  std::string line;
  JsonObjectWriter w(line);
  w.String("source", name_).String("location", location).String("reason", reason);
  std::string excerpt(raw.substr(0, kDeadLetterExcerpt));
  // The excerpt may be cut inside a UTF-8 sequence or hold invalid bytes: escape those.
  std::string safe;
  for (unsigned char c : excerpt) {
    if (c < 0x80) {
      safe.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      safe += buf;
    }
  }
  w.String("raw", safe).Bool("truncated", raw.size() > kDeadLetterExcerpt);
  w.Close();
  dead_letter_ << line << '\n';
  dead_letter_.flush();
  Log(LogLevel::kWarn,
      "bad record set aside: " + std::string(location) + ": " + std::string(reason));
  return JK_OK;
}

void PluginInstance::LogThunk(void* ctx, int32_t level, jk_str message) {
  auto lvl = static_cast<LogLevel>(std::clamp(level, 0, 3));
  Self(ctx)->Log(lvl, Str(message));
}
void PluginInstance::SetErrorThunk(void* ctx, jk_str message) { Self(ctx)->error_ = Str(message); }
int32_t PluginInstance::IsCancelledThunk(void* ctx) {
  return Self(ctx)->run_->cancelled->load() ? 1 : 0;
}
int32_t PluginInstance::EmitThunk(void* ctx, jk_str stream, const jk_event* events, size_t count) {
  return Self(ctx)->Emit(View(stream), events, count);
}
int32_t PluginInstance::CheckpointThunk(void* ctx, jk_str stream, jk_str state) {
  return Self(ctx)->Checkpoint(View(stream), View(state));
}
int32_t PluginInstance::BadRecordThunk(void* ctx, jk_str location, jk_str reason, jk_str raw) {
  return Self(ctx)->BadRecord(View(location), View(reason), View(raw));
}
void PluginInstance::ProgressThunk(void* ctx, uint64_t bytes, uint64_t records) {
  PluginInstance* self = Self(ctx);
  // Cumulative per instance: add only the increase to the run's totals.
  if (bytes >= self->last_bytes_) self->run_->bytes += bytes - self->last_bytes_;
  if (records >= self->last_records_) self->run_->records += records - self->last_records_;
  self->last_bytes_ = bytes;
  self->last_records_ = records;
  self->report_.bytes = bytes;
}

}  // namespace journeykit::internal

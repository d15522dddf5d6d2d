// plugin.hpp — header-only C++ layer that turns an ordinary class into a JourneyKit plugin.
//
// A plugin author writes a class derived from journeykit::plugin::Source or ::Connector and
// exports it with one macro:
//
//   class MySource : public journeykit::plugin::Source {
//    public:
//     MySource(journeykit::plugin::Host& host, const journeykit::plugin::Config& config);
//     journeykit::Status check() override;
//     std::vector<std::string> streams() override;
//     journeykit::Status read(std::string_view stream, std::string_view state) override;
//   };
//   JOURNEYKIT_SOURCE_PLUGIN(MySource, "my-source", "1.0.0", "What it pulls", kMyConfigFields)
//
// This header is compiled into the plugin. Only the C types of plugin_abi.h cross the
// boundary; every exception is caught here and turned into set_error + JK_ERROR.
#pragma once

#include <journeykit/plugin_abi.h>
#include <journeykit/status.hpp>

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace journeykit::plugin {

inline jk_str ToJk(std::string_view s) { return jk_str{s.data(), s.size()}; }
inline std::string_view FromJk(jk_str s) { return {s.data, s.size}; }

// An event as a plugin builds it: owns its strings. Emit batches with Host::emit().
struct Event {
  int64_t time_us = 0;
  std::string event_id;
  std::string action;
  std::vector<std::pair<std::string, std::string>> identities;  // (kind, value)
  std::vector<std::pair<std::string, std::string>> hints;       // url, utm_source, channel...
  std::vector<std::pair<std::string, std::string>> properties;
  std::string text;
  std::string currency;
  std::optional<double> value;
  std::optional<double> rating;
  std::optional<double> sentiment;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// An HTTP request as a plugin builds it. The host retries, paces and records it
// (docs/http.md); see journeykit/http_util.hpp for URL, auth and paging helpers.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Requests naming the same budget key share its limits across every instance of the run.
  std::string budget_key;
  uint32_t budget_requests = 0;     // per budget_interval_ms; 0: unlimited
  uint32_t budget_interval_ms = 0;  //
  uint32_t budget_max_concurrent = 0;
  uint32_t max_attempts = 0;    // 0: the pipeline's default
  uint32_t time_budget_ms = 0;  // 0: the pipeline's default
};

struct HttpResponse {
  int status = 0;   // 0: no response (network error, timeout, replay miss)
  Headers headers;  // names lower-cased
  std::string body;
  std::string error;  // empty on success; else method, redacted URL, status, body excerpt
  uint32_t attempts = 0;

  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  // First header of that name (names are lower-cased; pass a lower-case name).
  std::optional<std::string_view> header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return std::string_view(v);
    }
    return std::nullopt;
  }
};

// The plugin's view of the host: logging, cancellation, emitting events, checkpoints.
class Host {
 public:
  explicit Host(const jk_host_api* api) : api_(api) {}

  void log(jk_log_level level, std::string_view message) const {
    api_->log(api_->ctx, level, ToJk(message));
  }
  void info(std::string_view message) const { log(JK_LOG_INFO, message); }
  void warn(std::string_view message) const { log(JK_LOG_WARN, message); }
  bool cancelled() const { return api_->is_cancelled(api_->ctx) != 0; }
  void progress(uint64_t bytes, uint64_t records) const {
    api_->progress(api_->ctx, bytes, records);
  }

  // Hands events to the host; they are stored with the stream's next checkpoint.
  Status emit(std::string_view stream, std::span<const Event> events) const {
    std::vector<jk_event> raw;
    std::vector<jk_pair> pairs;
    size_t pair_count = 0;
    for (const Event& e : events) {
      pair_count += e.identities.size() + e.hints.size() + e.properties.size();
    }
    pairs.reserve(pair_count);  // no reallocation: raw events point into it
    raw.reserve(events.size());
    auto append = [&pairs](const std::vector<std::pair<std::string, std::string>>& from) {
      const jk_pair* first = pairs.data() + pairs.size();
      for (const auto& [k, v] : from) pairs.push_back(jk_pair{ToJk(k), ToJk(v)});
      return from.empty() ? nullptr : first;
    };
    for (const Event& e : events) {
      jk_event r{};
      r.struct_size = sizeof(jk_event);
      r.time_us = e.time_us;
      r.event_id = ToJk(e.event_id);
      r.action = ToJk(e.action);
      r.identities = append(e.identities);
      r.identity_count = e.identities.size();
      r.hints = append(e.hints);
      r.hint_count = e.hints.size();
      r.properties = append(e.properties);
      r.property_count = e.properties.size();
      r.text = ToJk(e.text);
      r.currency = ToJk(e.currency);
      if (e.value) {
        r.value = *e.value;
        r.flags |= JK_EVENT_HAS_VALUE;
      }
      if (e.rating) {
        r.rating = *e.rating;
        r.flags |= JK_EVENT_HAS_RATING;
      }
      if (e.sentiment) {
        r.sentiment = *e.sentiment;
        r.flags |= JK_EVENT_HAS_SENTIMENT;
      }
      raw.push_back(r);
    }
    if (raw.empty()) return Status::Ok();
    if (api_->emit_events(api_->ctx, ToJk(stream), raw.data(), raw.size()) != JK_OK) {
      return PluginError("the host refused the events of stream '" + std::string(stream) + "'");
    }
    return Status::Ok();
  }

  // Commits the stream's cursor together with every event emitted before it.
  Status checkpoint(std::string_view stream, std::string_view state) const {
    if (api_->checkpoint(api_->ctx, ToJk(stream), ToJk(state)) != JK_OK) {
      return PluginError("the host could not store the checkpoint of stream '" +
                         std::string(stream) + "'");
    }
    return Status::Ok();
  }

  // Reports a record that cannot become an event. OK: dead-lettered, go on. Error: stop.
  Status bad_record(std::string_view location, std::string_view reason,
                    std::string_view raw) const {
    if (api_->bad_record(api_->ctx, ToJk(location), ToJk(reason), ToJk(raw)) != JK_OK) {
      return DataError(std::string(location) + ": " + std::string(reason));
    }
    return Status::Ok();
  }

  // Connectors, inside write(): the destination refused this one record for good (a 207
  // error entry, an invalid e-mail...). The host puts it in the connector's dead-letter store
  // with `reason` (`journeykit replay` re-delivers it) and counts the rest of the batch as
  // accepted when write() returns OK. `record` must be one of the records write() was given.
  Status reject(const jk_record& record, std::string_view reason) const {
    if (api_->bad_record(api_->ctx, record.key, ToJk(reason), record.json) != JK_OK) {
      return PluginError("the host could not set aside record '" + std::string(FromJk(record.key)) +
                         "': " + std::string(reason));
    }
    return Status::Ok();
  }

  // True when the host offers HTTP (ABI 1.1 and later).
  bool has_http() const {
    return api_->struct_size >= offsetof(jk_host_api, add_secret) + sizeof(api_->add_secret) &&
           api_->http_send != nullptr;
  }

  // Runs the requests concurrently (within their budgets); `on_response(index, response)`
  // is called on this thread as each completes. Returns Cancelled when the run is being
  // stopped, an error when the host has no HTTP; an HTTP error status is not a failure
  // here — it arrives in the response.
  Status http(std::span<const HttpRequest> requests,
              const std::function<void(size_t, HttpResponse&&)>& on_response) const {
    if (!has_http()) return PluginError("this JourneyKit host is too old for HTTP (ABI < 1.1)");
    std::vector<jk_http_request> raw(requests.size());
    std::vector<std::vector<jk_pair>> headers(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      const HttpRequest& r = requests[i];
      for (const auto& [k, v] : r.headers) headers[i].push_back(jk_pair{ToJk(k), ToJk(v)});
      jk_http_request& q = raw[i];
      q.struct_size = sizeof(jk_http_request);
      q.method = ToJk(r.method);
      q.url = ToJk(r.url);
      q.headers = headers[i].data();
      q.header_count = headers[i].size();
      q.body = ToJk(r.body);
      q.budget_key = ToJk(r.budget_key);
      q.budget_requests = r.budget_requests;
      q.budget_interval_ms = r.budget_interval_ms;
      q.budget_max_concurrent = r.budget_max_concurrent;
      q.max_attempts = r.max_attempts;
      q.time_budget_ms = r.time_budget_ms;
    }
    struct Sink {
      const std::function<void(size_t, HttpResponse&&)>* fn;
      std::exception_ptr error;
    } sink{&on_response, nullptr};
    auto thunk = [](void* ctx, size_t index, const jk_http_response* r) {
      auto* s = static_cast<Sink*>(ctx);
      if (s->error) return;
      HttpResponse out;
      out.status = r->status;
      for (size_t h = 0; h < r->header_count; ++h) {
        out.headers.emplace_back(FromJk(r->headers[h].key), FromJk(r->headers[h].value));
      }
      out.body.assign(FromJk(r->body));
      out.error.assign(FromJk(r->error));
      out.attempts = r->attempts;
      try {
        (*s->fn)(index, std::move(out));
      } catch (...) {
        s->error = std::current_exception();  // never unwind through the host
      }
    };
    int32_t rc = api_->http_send(api_->ctx, raw.data(), raw.size(), thunk, &sink);
    if (sink.error) std::rethrow_exception(sink.error);
    if (rc == JK_CANCELLED) return Cancelled("stopped while HTTP requests were in flight");
    if (rc != JK_OK) return PluginError("the host could not run the HTTP requests");
    return Status::Ok();
  }

  // One request; the response (which may carry an error status) or Cancelled.
  Result<HttpResponse> fetch(const HttpRequest& request) const {
    HttpResponse out;
    Status s = http(std::span<const HttpRequest>(&request, 1),
                    [&out](size_t, HttpResponse&& r) { out = std::move(r); });
    if (!s.ok()) return s;
    return out;
  }

  // Redacts `value` from every log line, message and cassette from now on.
  void add_secret(std::string_view value) const {
    if (has_http() && !value.empty()) api_->add_secret(api_->ctx, ToJk(value));
  }

  // Resolves a path from the config against the pipeline file's directory.
  std::string resolve_path(std::string_view path) const {
    if (path.empty() || path.front() == '/' || api_->base_dir.size == 0) return std::string(path);
    std::string base(FromJk(api_->base_dir));
    if (base.back() != '/') base.push_back('/');
    return base + std::string(path);
  }
  std::string instance_name() const { return std::string(FromJk(api_->instance_name)); }

  const jk_host_api* api() const { return api_; }

 private:
  const jk_host_api* api_;
};

// The validated config of one instance (a JSON object; the host filled in defaults).
class Config {
 public:
  explicit Config(std::string_view json) : json_(json) {
    if (parser_.parse(json_).get(root_) != simdjson::SUCCESS || !root_.is_object()) {
      root_ = {};
      valid_ = false;
    }
  }
  bool valid() const { return valid_; }
  const std::string& json() const { return json_; }

  std::optional<simdjson::dom::element> get(std::string_view key) const {
    if (!valid_) return std::nullopt;
    simdjson::dom::element e;
    if (root_.get_object().at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) {
      return std::nullopt;
    }
    return e;
  }
  std::string string(std::string_view key, std::string_view fallback = {}) const {
    auto e = get(key);
    std::string_view s;
    if (!e || e->get_string().get(s) != simdjson::SUCCESS) return std::string(fallback);
    return std::string(s);
  }
  int64_t integer(std::string_view key, int64_t fallback = 0) const {
    auto e = get(key);
    int64_t v = 0;
    if (!e || e->get_int64().get(v) != simdjson::SUCCESS) return fallback;
    return v;
  }
  double number(std::string_view key, double fallback = 0) const {
    auto e = get(key);
    double v = 0;
    if (!e || e->get_double().get(v) != simdjson::SUCCESS) return fallback;
    return v;
  }
  bool boolean(std::string_view key, bool fallback = false) const {
    auto e = get(key);
    bool v = false;
    if (!e || e->get_bool().get(v) != simdjson::SUCCESS) return fallback;
    return v;
  }
  std::vector<std::string> string_list(std::string_view key) const {
    std::vector<std::string> out;
    auto e = get(key);
    simdjson::dom::array arr;
    if (!e || e->get_array().get(arr) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element item : arr) {
      std::string_view s;
      if (item.get_string().get(s) == simdjson::SUCCESS) out.emplace_back(s);
    }
    return out;
  }
  // For JK_CONFIG_OBJECT keys: the object's entries as (key, string value) pairs.
  std::vector<std::pair<std::string, std::string>> string_map(std::string_view key) const {
    std::vector<std::pair<std::string, std::string>> out;
    auto e = get(key);
    simdjson::dom::object obj;
    if (!e || e->get_object().get(obj) != simdjson::SUCCESS) return out;
    for (auto field : obj) {
      std::string_view s;
      if (field.value.get_string().get(s) == simdjson::SUCCESS) {
        out.emplace_back(std::string(field.key), std::string(s));
      }
    }
    return out;
  }

 private:
  std::string json_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool valid_ = true;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual Status check() = 0;
  virtual std::vector<std::string> streams() = 0;
  // Reads one stream from its saved state (empty: from the beginning). Emit events with
  // Host::emit() and commit progress with Host::checkpoint() as you go.
  virtual Status read(std::string_view stream, std::string_view state) = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual Status check() = 0;
  virtual Status write(std::span<const jk_record> records) = 0;
  virtual Status flush() = 0;
};

namespace detail {

// Owns the Host wrapper and the author's object for one instance.
template <typename T>
struct Instance {
  Host host;
  std::unique_ptr<T> object;
};

inline int32_t Fail(const Host& host, std::string_view message) {
  host.api()->set_error(host.api()->ctx, ToJk(message));
  return JK_ERROR;
}

inline int32_t FromStatus(const Host& host, const Status& status) {
  if (status.ok()) return JK_OK;
  if (status.code() == StatusCode::kCancelled) {
    host.api()->set_error(host.api()->ctx, ToJk(status.message()));
    return JK_CANCELLED;
  }
  return Fail(host, status.message());
}

// Runs fn() and converts its Status or any escaping exception into an ABI status.
template <typename Fn>
int32_t Guard(const Host& host, Fn&& fn) noexcept {
  try {
    return FromStatus(host, fn());
  } catch (const std::exception& e) {
    return Fail(host, std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return Fail(host, "unexpected exception of unknown type");
  }
}

template <typename T>
void* Create(const jk_host_api* api, jk_str config_json) noexcept {
  Host host(api);
  try {
    Config config(FromJk(config_json));
    if (!config.valid()) {
      Fail(host, "the host passed a config that is not a JSON object");
      return nullptr;
    }
    auto instance = std::make_unique<Instance<T>>(Instance<T>{host, nullptr});
    instance->object = std::make_unique<T>(instance->host, config);
    return instance.release();
  } catch (const std::exception& e) {
    Fail(host, e.what());
  } catch (...) {
    Fail(host, "unexpected exception of unknown type while creating the instance");
  }
  return nullptr;
}

template <typename T>
void Destroy(void* self) noexcept {
  delete static_cast<Instance<T>*>(self);
}

template <typename T>
int32_t Check(void* self) noexcept {
  auto* inst = static_cast<Instance<T>*>(self);
  return Guard(inst->host, [&] { return inst->object->check(); });
}

template <typename T>
int32_t ListStreams(void* self, jk_stream_sink sink, void* sink_ctx) noexcept {
  auto* inst = static_cast<Instance<T>*>(self);
  return Guard(inst->host, [&] {
    for (const std::string& s : inst->object->streams()) sink(sink_ctx, ToJk(s));
    return Status::Ok();
  });
}

template <typename T>
int32_t Read(void* self, jk_str stream, jk_str state) noexcept {
  auto* inst = static_cast<Instance<T>*>(self);
  return Guard(inst->host, [&] { return inst->object->read(FromJk(stream), FromJk(state)); });
}

template <typename T>
int32_t Write(void* self, const jk_record* records, size_t count) noexcept {
  auto* inst = static_cast<Instance<T>*>(self);
  return Guard(inst->host,
               [&] { return inst->object->write(std::span<const jk_record>(records, count)); });
}

template <typename T>
int32_t Flush(void* self) noexcept {
  auto* inst = static_cast<Instance<T>*>(self);
  return Guard(inst->host, [&] { return inst->object->flush(); });
}

template <typename T, size_t N>
jk_plugin_descriptor MakeDescriptor(jk_plugin_kind kind, const char* name, const char* version,
                                    const char* description, const jk_config_field (&fields)[N]) {
  jk_plugin_descriptor d{};
  d.struct_size = sizeof(jk_plugin_descriptor);
  d.abi_major = JK_ABI_MAJOR;
  d.abi_minor = JK_ABI_MINOR;
  d.kind = kind;
  d.name = name;
  d.version = version;
  d.description = description;
  d.config_fields = fields;
  d.config_field_count = N;
  d.create = &Create<T>;
  d.destroy = &Destroy<T>;
  d.check = &Check<T>;
  if constexpr (std::is_base_of_v<Source, T>) {
    d.list_streams = &ListStreams<T>;
    d.read = &Read<T>;
  } else {
    static_assert(std::is_base_of_v<Connector, T>,
                  "a plugin class derives from Source or Connector");
    d.write = &Write<T>;
    d.flush = &Flush<T>;
  }
  return d;
}

}  // namespace detail
}  // namespace journeykit::plugin

#define JOURNEYKIT_EXPORT_ENTRY extern "C" __attribute__((visibility("default")))

// Exports a Source-derived class as this library's plugin. `fields` is a static array of
// jk_config_field.
#define JOURNEYKIT_SOURCE_PLUGIN(Class, name, version, description, fields)                \
  JOURNEYKIT_EXPORT_ENTRY const jk_plugin_descriptor* journeykit_plugin_v1(void) {         \
    static const jk_plugin_descriptor descriptor =                                         \
        ::journeykit::plugin::detail::MakeDescriptor<Class>(JK_KIND_SOURCE, name, version, \
                                                            description, fields);          \
    return &descriptor;                                                                    \
  }

// Exports a Connector-derived class as this library's plugin.
#define JOURNEYKIT_CONNECTOR_PLUGIN(Class, name, version, description, fields)                \
  JOURNEYKIT_EXPORT_ENTRY const jk_plugin_descriptor* journeykit_plugin_v1(void) {            \
    static const jk_plugin_descriptor descriptor =                                            \
        ::journeykit::plugin::detail::MakeDescriptor<Class>(JK_KIND_CONNECTOR, name, version, \
                                                            description, fields);             \
    return &descriptor;                                                                       \
  }

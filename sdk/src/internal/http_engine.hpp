// http_engine.hpp — the host's HTTP client: libcurl's multi interface driven by a Boost.Asio
// event loop on one thread, retries with full-jitter backoff, shared rate budgets, secret
// redaction, and record/replay cassettes (docs/http.md). Boost and curl stay in the .cpp.
#pragma once

#include <journeykit/pipeline.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace journeykit::internal {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpCall {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::string budget_key;
  uint32_t budget_requests = 0;
  uint32_t budget_interval_ms = 0;
  uint32_t budget_max_concurrent = 0;
  uint32_t max_attempts = 0;
  uint32_t time_budget_ms = 0;
};

struct HttpResult {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  std::string error;
  uint32_t attempts = 0;
};

// Replaces secrets in URLs, headers and bodies (see docs/http.md for the rules).
class HttpRedactor {
 public:
  explicit HttpRedactor(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {}
  std::string Text(std::string text) const;       // every known secret value
  std::string Url(const std::string& url) const;  // + sensitive query parameters
  std::string HeaderValue(const std::string& name, const std::string& value) const;
  std::string Body(const std::string& body) const;  // + form fields and JSON token fields

 private:
  std::vector<std::string> secrets_;
};

// One folder of recorded exchanges (docs/http.md, "Cassettes"). Thread-safe.
class Cassette {
 public:
  // Replay: loads every exchange in `dir`; fails when it is missing or unreadable.
  static Result<std::shared_ptr<Cassette>> OpenForReplay(const std::string& dir);
  // Record: creates `dir`; new exchanges are numbered after those already there.
  static Result<std::shared_ptr<Cassette>> OpenForRecord(const std::string& dir);
  ~Cassette();

  // The recorded response to a (redacted) request, served in recording order; the last
  // one of a request repeats. nullopt when the request was never recorded.
  std::optional<HttpResult> Find(const std::string& method, const std::string& redacted_url,
                                 const std::string& redacted_body);
  Status Record(const HttpCall& redacted_request, const HttpResult& redacted_response);
  const std::string& dir() const;
  size_t size() const;

 private:
  struct State;
  explicit Cassette(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class HttpEngine {
 public:
  explicit HttpEngine(HttpSettings defaults);
  ~HttpEngine();
  HttpEngine(const HttpEngine&) = delete;
  HttpEngine& operator=(const HttpEngine&) = delete;

  // Runs the calls concurrently and calls `on_done(index, result)` on this thread as each
  // completes. Returns false when `cancelled()` became true: requests still in flight are
  // abandoned and get no on_done. `cassette` is null in live mode.
  bool Send(std::vector<HttpCall> calls, const HttpSettings& settings,
            std::shared_ptr<Cassette> cassette, const HttpRedactor& redactor,
            const std::function<bool()>& cancelled,
            const std::function<void(size_t, HttpResult&&)>& on_done);

  // Opens (once per folder and mode) the cassette of a source's settings.
  Result<std::shared_ptr<Cassette>> CassetteFor(const HttpSettings& settings);

  const HttpSettings& defaults() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeykit::internal

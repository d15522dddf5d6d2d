// mock_matomo_api.hpp — a loopback Matomo (Live.getLastVisitsDetails) for tests and demos.
//
// It holds visits (JSON objects in Matomo's own format, as a real Matomo 3 or 4+ sends them)
// and serves them like Matomo: POST or GET /index.php?module=API&method=Live.getLastVisitsDetails
// with token_auth (form body or query), idSite, minTimestamp (lastActionTimestamp >= it),
// filter_sort_order (asc|desc by lastActionTimestamp), filter_limit/filter_offset; answers a
// JSON array, or {"result":"error","message":…} for a bad token (HTTP 200 by default, as
// Matomo historically does; set_error_status(401) for the newer behaviour).
//
//   journeykit::testing::MockMatomoApi matomo(/*port=*/0, /*token=*/"t0k3n");
//   matomo.AddVisits({R"({"idSite":"1","idVisit":"7","lastActionTimestamp":1710500190,…})"});
//   // base_url for the plugin: matomo.base_url();  requests seen: matomo.requests()
//   matomo.QueueFault(MockMatomoApi::Fault::k500);  // the next data request fails once
//
// A fixed port (for a demo that records cassettes, whose URLs must not change) needs
// MockHttpServer(Handler, uint16_t port); until that constructor exists a non-zero port
// throws std::runtime_error.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "support/mock_http_server.hpp"

namespace journeykit::testing {

// Starts a MockHttpServer on `port` (0: any free port).
template <typename Server = MockHttpServer>
std::unique_ptr<Server> StartMockServer(typename Server::Handler handler, uint16_t port) {
  if constexpr (std::is_constructible_v<Server, typename Server::Handler, uint16_t>) {
    return std::make_unique<Server>(std::move(handler), port);
  } else {
    if (port != 0) {
      throw std::runtime_error("MockHttpServer cannot listen on a fixed port (" +
                               std::to_string(port) + ") yet: it needs a port argument");
    }
    return std::make_unique<Server>(std::move(handler));
  }
}

class MockMatomoApi {
 public:
  // Faults answer the next data request (FIFO), one each.
  enum class Fault {
    k429,               // 429 without Retry-After
    k429RetryAfter,     // 429 with Retry-After: 1
    k500,               // 500 with an HTML body
    kResetMidBody,      // the real page, cut in the middle by a TCP reset
    kTimeout,           // answers after fault_delay (longer than the client's timeout)
    kCloseWithoutReply  // closes the connection without a byte
  };

  explicit MockMatomoApi(uint16_t port = 0, std::string token = "matomo-test-token")
      : token_(std::move(token)) {
    server_ = StartMockServer([this](const MockRequest& r) { return Handle(r); }, port);
  }

  // Each visit is one JSON object as Matomo sends it (numbers as strings or not, Matomo 3 or
  // 4 field names, unknown fields...). It needs idSite and lastActionTimestamp for filtering.
  void AddVisits(const std::vector<std::string>& visits) {
    std::lock_guard lock(mutex_);
    for (const std::string& v : visits) {
      simdjson::dom::parser parser;
      simdjson::dom::element e;
      if (parser.parse(v).get(e) != simdjson::SUCCESS || !e.is_object()) {
        throw std::invalid_argument("MockMatomoApi::AddVisits: not a JSON object: " + v);
      }
      Visit visit;
      visit.json = v;
      visit.site = Number(e["idSite"]);
      visit.last_action = Number(e["lastActionTimestamp"]);
      visits_.push_back(std::move(visit));
    }
    std::stable_sort(visits_.begin(), visits_.end(),
                     [](const Visit& a, const Visit& b) { return a.last_action < b.last_action; });
  }
  void ClearVisits() {
    std::lock_guard lock(mutex_);
    visits_.clear();
  }

  void QueueFault(Fault fault, int times = 1) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) faults_.push_back(fault);
  }
  // The page at this filter_offset is answered with broken JSON (every time).
  void SetMalformedPageAt(int64_t offset) {
    std::lock_guard lock(mutex_);
    malformed_offset_ = offset;
  }
  void ClearMalformedPage() {
    std::lock_guard lock(mutex_);
    malformed_offset_.reset();
  }
  // HTTP status of {"result":"error"} answers (Matomo 3/4: 200).
  void set_error_status(int status) { error_status_ = status; }
  void set_fault_delay(std::chrono::milliseconds d) { fault_delay_ = d; }
  void set_token(std::string token) {
    std::lock_guard lock(mutex_);
    token_ = std::move(token);
  }

  // The plugin's base_url.
  std::string base_url() const { return server_->url(); }
  uint16_t port() const { return server_->port(); }
  std::vector<MockRequest> requests() const { return server_->requests(); }
  // The API requests' decoded parameters (query and form body merged), in arrival order.
  std::vector<std::map<std::string, std::string>> request_params() const {
    std::vector<std::map<std::string, std::string>> out;
    for (const MockRequest& r : server_->requests()) out.push_back(Params(r));
    return out;
  }
  MockHttpServer& server() { return *server_; }
  void Stop() { server_->Stop(); }

  static std::map<std::string, std::string> Params(const MockRequest& r) {
    std::map<std::string, std::string> out;
    auto parse = [&out](const std::string& qs) {
      size_t pos = 0;
      while (pos < qs.size()) {
        size_t amp = qs.find('&', pos);
        std::string item = qs.substr(pos, amp == std::string::npos ? amp : amp - pos);
        size_t eq = item.find('=');
        if (!item.empty()) {
          out[MockRequest::Decode(item.substr(0, eq))] =
              eq == std::string::npos ? "" : MockRequest::Decode(item.substr(eq + 1));
        }
        if (amp == std::string::npos) break;
        pos = amp + 1;
      }
    };
    size_t q = r.target.find('?');
    if (q != std::string::npos) parse(r.target.substr(q + 1));
    if (r.header("content-type").find("application/x-www-form-urlencoded") != std::string::npos) {
      parse(r.body);
    }
    return out;
  }

 private:
  struct Visit {
    std::string json;
    int64_t site = 0;
    int64_t last_action = 0;
  };

  static int64_t Number(simdjson::simdjson_result<simdjson::dom::element> e) {
    int64_t i = 0;
    if (e.get_int64().get(i) == simdjson::SUCCESS) return i;
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) {
      try {
        return std::stoll(std::string(s));
      } catch (...) {
        return 0;
      }
    }
    return 0;
  }
  static int64_t ToInt(const std::map<std::string, std::string>& p, const std::string& key,
                       int64_t fallback) {
    auto it = p.find(key);
    if (it == p.end() || it->second.empty()) return fallback;
    try {
      return std::stoll(it->second);
    } catch (...) {
      return fallback;
    }
  }

  MockReply Error(const std::string& message) const {
    return MockReply::Json(R"({"result":"error","message":")" + message + R"("})",
                           error_status_.load());
  }

  MockReply Handle(const MockRequest& r) {
    std::map<std::string, std::string> p = Params(r);
    std::lock_guard lock(mutex_);
    if (r.path() != "/index.php" || p["module"] != "API") {
      return MockReply::Json("<html>Not Found</html>", 404);
    }
    if (p["method"] != "Live.getLastVisitsDetails") {
      return Error("The method '" + p["method"] + "' does not exist or is not available");
    }
    const int64_t site = ToInt(p, "idSite", 0);
    if (p["token_auth"] != token_) {
      return Error(
          "You can't access this resource as it requires 'view' access for the website "
          "id = " +
          std::to_string(site) + ".");
    }
    const int64_t limit = ToInt(p, "filter_limit", 100);
    const int64_t offset = ToInt(p, "filter_offset", 0);
    const int64_t min_ts = ToInt(p, "minTimestamp", 0);
    std::vector<const Visit*> matching;
    for (const Visit& v : visits_) {
      if (v.site == site && v.last_action >= min_ts) matching.push_back(&v);
    }
    if (p["filter_sort_order"] != "asc") std::reverse(matching.begin(), matching.end());
    std::string body = "[";
    int64_t end = limit < 0 ? static_cast<int64_t>(matching.size())
                            : std::min<int64_t>(offset + limit, matching.size());
    for (int64_t i = offset; i < end; ++i) {
      if (body.size() > 1) body += ",";
      body += matching[i]->json;
    }
    body += "]";
    if (!faults_.empty()) {
      Fault f = faults_.front();
      faults_.pop_front();
      return FaultReply(f, body);
    }
    if (malformed_offset_ && *malformed_offset_ == offset) {
      return MockReply::Json(body.substr(0, body.size() / 2) + ",{\"idVisit\":");
    }
    return MockReply::Json(body);
  }

  MockReply FaultReply(Fault f, const std::string& body) const {
    MockReply r = MockReply::Json(body);
    switch (f) {
      case Fault::k429:
        return MockReply::Json(R"({"result":"error","message":"Too many requests"})", 429);
      case Fault::k429RetryAfter:
        r = MockReply::Json(R"({"result":"error","message":"Too many requests"})", 429);
        r.headers.emplace_back("Retry-After", "1");
        return r;
      case Fault::k500:
        r.status = 500;
        r.headers = {{"Content-Type", "text/html"}};
        r.body = "<html><body>Internal Server Error</body></html>";
        return r;
      case Fault::kResetMidBody:
        r.fault = MockReply::Fault::kResetMidBody;
        return r;
      case Fault::kTimeout:
        r.delay = fault_delay_;
        return r;
      case Fault::kCloseWithoutReply:
        r.fault = MockReply::Fault::kCloseWithoutReply;
        return r;
    }
    return r;
  }

  mutable std::mutex mutex_;
  std::string token_;
  std::vector<Visit> visits_;
  std::deque<Fault> faults_;
  std::optional<int64_t> malformed_offset_;
  std::atomic<int> error_status_{200};
  std::chrono::milliseconds fault_delay_{1500};
  std::unique_ptr<MockHttpServer> server_;  // last: stopped before the rest goes
};

}  // namespace journeykit::testing

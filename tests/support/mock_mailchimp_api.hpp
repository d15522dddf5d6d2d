// mock_mailchimp_api.hpp — a loopback Mailchimp Marketing API v3 (campaigns, e-mail activity)
// for tests and demos.
//
// It holds campaigns and their members' e-mail activity (member objects in Mailchimp's own
// format) and serves, under /3.0, with Basic auth (any user, the API key as password):
//   GET /3.0/campaigns?count&offset[&status][&since_send_time]
//   GET /3.0/reports/{campaign_id}/email-activity?count&offset[&since]
// with total_items, RFC 7807 problem bodies (application/problem+json) for a bad key (401
// APIKeyInvalid), an unknown campaign (404) and, like Mailchimp, 429 TooManyRequests when more
// than connection_limit requests are in flight.
//
//   journeykit::testing::MockMailchimpApi mc(/*port=*/0, "0123456789abcdef0123456789abcdef-us6");
//   mc.AddCampaign({"c66a200cda", "Spring sale"}, {R"({"email_address":"jana@example.org",
//       "email_id":"…","activity":[{"action":"open","timestamp":"2024-03-14T09:12:45+00:00"}]})"});
//   // base_url for the plugin: mc.base_url() (…/3.0);  requests seen: mc.requests()
//   mc.SetRawActivityPage("aycl4", 0, recorded_page_json);  // served verbatim at that offset
//
// A fixed port (for a demo that records cassettes) needs MockHttpServer(Handler, uint16_t port);
// until that constructor exists a non-zero port throws std::runtime_error.
#pragma once

#include <simdjson.h>

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
#include <thread>
#include <vector>

#include "support/mock_http_server.hpp"
#include "support/mock_matomo_api.hpp"  // StartMockServer

namespace journeykit::testing {

class MockMailchimpApi {
 public:
  struct Campaign {
    std::string id;
    std::string title;
    std::string status = "sent";
    std::string send_time = "2024-03-14T09:00:00+00:00";
  };
  enum class Fault { k429, k429RetryAfter, k500, kResetMidBody, kTimeout, kCloseWithoutReply };

  explicit MockMailchimpApi(uint16_t port = 0,
                            std::string api_key = "0123456789abcdef0123456789abcdef-us6")
      : api_key_(std::move(api_key)) {
    server_ = StartMockServer([this](const MockRequest& r) { return Handle(r); }, port);
  }

  // `members`: objects of the "emails" array (email_address, email_id, activity[…], …).
  void AddCampaign(const Campaign& campaign, const std::vector<std::string>& members) {
    std::lock_guard lock(mutex_);
    auto& c = campaigns_[campaign.id];
    c.info = campaign;
    for (const std::string& m : members) c.members.push_back(m);
    order_.erase(std::remove(order_.begin(), order_.end(), campaign.id), order_.end());
    order_.push_back(campaign.id);
  }
  // Serves `body` verbatim for that campaign and offset (a recorded real page).
  void SetRawActivityPage(const std::string& campaign_id, int64_t offset, std::string body) {
    std::lock_guard lock(mutex_);
    raw_pages_[{campaign_id, offset}] = std::move(body);
  }
  void SetMalformedPageAt(const std::string& campaign_id, int64_t offset) {
    std::lock_guard lock(mutex_);
    malformed_ = std::make_pair(campaign_id, offset);
  }
  void ClearMalformedPage() {
    std::lock_guard lock(mutex_);
    malformed_.reset();
  }
  void QueueFault(Fault fault, int times = 1) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) faults_.push_back(fault);
  }
  void set_fault_delay(std::chrono::milliseconds d) { fault_delay_ = d; }
  void set_latency(std::chrono::milliseconds d) { latency_ = d; }  // every answer
  void set_connection_limit(int n) { limit_ = n; }
  void set_numbers_as_strings(bool on) { numbers_as_strings_ = on; }

  std::string base_url() const { return server_->url("/3.0"); }
  uint16_t port() const { return server_->port(); }
  std::vector<MockRequest> requests() const { return server_->requests(); }
  std::vector<MockRequest> activity_requests() const {
    std::vector<MockRequest> out;
    for (auto& r : server_->requests()) {
      if (r.path().find("/email-activity") != std::string::npos) out.push_back(r);
    }
    return out;
  }
  int max_in_flight() const { return max_in_flight_.load(); }
  int rejected_for_concurrency() const { return rejected_.load(); }
  MockHttpServer& server() { return *server_; }
  void Stop() { server_->Stop(); }

 private:
  struct Stored {
    Campaign info;
    std::vector<std::string> members;
  };

  static MockReply Problem(int status, const std::string& title, const std::string& detail) {
    MockReply r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/problem+json; charset=utf-8");
    r.body = R"({"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":")" +
             title + R"(","status":)" + std::to_string(status) + R"(,"detail":")" + detail +
             R"(","instance":"995c5cb0-3280-4a6e-808b-3b096d0bb219"})";
    return r;
  }

  static int64_t Int(const MockRequest& r, const std::string& key, int64_t fallback) {
    std::string v = r.query(key);
    if (v.empty()) return fallback;
    try {
      return std::stoll(v);
    } catch (...) {
      return fallback;
    }
  }

  std::string Total(size_t n) const {
    return numbers_as_strings_ ? "\"" + std::to_string(n) + "\"" : std::to_string(n);
  }

  // A member with only the activity after `since` ("" when none is left).
  static std::string FilterMember(const std::string& member, const std::string& since) {
    if (since.empty()) return member;
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    if (parser.parse(member).get(o) != simdjson::SUCCESS) return member;
    std::string out = "{";
    size_t kept = 0;
    for (auto field : o) {
      if (out.size() > 1) out += ",";
      out += "\"" + std::string(field.key) + "\":";
      if (field.key != "activity") {
        out += simdjson::minify(field.value);
        continue;
      }
      out += "[";
      simdjson::dom::array acts;
      if (field.value.get_array().get(acts) == simdjson::SUCCESS) {
        for (auto a : acts) {
          std::string_view ts;
          if (a["timestamp"].get_string().get(ts) == simdjson::SUCCESS && std::string(ts) <= since)
            continue;
          if (kept++) out += ",";
          out += simdjson::minify(a);
        }
      }
      out += "]";
    }
    out += "}";
    return kept ? out : std::string();
  }

  MockReply Handle(const MockRequest& r) {
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    MockReply reply = Answer(r, now);
    if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
    --in_flight_;
    return reply;
  }

  MockReply Answer(const MockRequest& r, int in_flight) {
    if (r.BasicAuthPassword() != api_key_) {
      return Problem(401, "API Key Invalid",
                     "Your API key may be invalid, or you've attempted to access the wrong "
                     "datacenter.");
    }
    if (limit_ > 0 && in_flight > limit_) {
      ++rejected_;
      return Problem(429, "Too Many Requests",
                     "You have exceeded the limit of 10 simultaneous connections.");
    }
    std::lock_guard lock(mutex_);
    const std::string path = r.path();
    const int64_t count = Int(r, "count", 10), offset = Int(r, "offset", 0);
    std::string body;
    if (path == "/3.0/campaigns") {
      std::vector<const Stored*> list;
      for (const std::string& id : order_) {
        const Stored& s = campaigns_.at(id);
        if (!r.query("status").empty() && s.info.status != r.query("status")) continue;
        if (!r.query("since_send_time").empty() && s.info.send_time < r.query("since_send_time"))
          continue;
        list.push_back(&s);
      }
      body = "{\"campaigns\":[";
      for (int64_t i = offset; i < std::min<int64_t>(offset + count, list.size()); ++i) {
        const Stored& s = *list[i];
        if (i > offset) body += ",";
        body += R"({"id":")" + s.info.id + R"(","web_id":1234,"type":"regular","status":")" +
                s.info.status + R"(","send_time":")" + s.info.send_time + R"(","emails_sent":)" +
                std::to_string(s.members.size()) +
                R"(,"settings":{"subject_line":"News","title":")" + s.info.title + R"("}})";
      }
      body += "],\"total_items\":" + Total(list.size()) + ",\"_links\":[]}";
    } else if (path.rfind("/3.0/reports/", 0) == 0 && path.ends_with("/email-activity")) {
      std::string id = path.substr(13, path.size() - 13 - 15);
      auto raw = raw_pages_.find({id, offset});
      if (raw != raw_pages_.end()) {
        body = raw->second;
      } else {
        auto it = campaigns_.find(id);
        if (it == campaigns_.end()) {
          return Problem(404, "Resource Not Found", "The requested resource could not be found.");
        }
        std::vector<std::string> members;
        for (const std::string& m : it->second.members) {
          std::string kept = FilterMember(m, r.query("since"));
          if (!kept.empty()) members.push_back(kept);
        }
        body = "{\"emails\":[";
        for (int64_t i = offset; i < std::min<int64_t>(offset + count, members.size()); ++i) {
          if (i > offset) body += ",";
          body += members[i];
        }
        body += "],\"campaign_id\":\"" + id + "\",\"total_items\":" + Total(members.size()) +
                ",\"_links\":[]}";
      }
      if (malformed_ && malformed_->first == id && malformed_->second == offset) {
        body = body.substr(0, body.size() / 2);
      }
    } else {
      return Problem(404, "Resource Not Found", "The requested resource could not be found.");
    }
    if (!faults_.empty()) {
      Fault f = faults_.front();
      faults_.pop_front();
      return FaultReply(f, body);
    }
    return MockReply::Json(body);
  }

  MockReply FaultReply(Fault f, const std::string& body) const {
    MockReply r = MockReply::Json(body);
    switch (f) {
      case Fault::k429:
        return Problem(429, "Too Many Requests",
                       "You have exceeded the limit of 10 simultaneous connections.");
      case Fault::k429RetryAfter:
        r = Problem(429, "Too Many Requests", "Slow down.");
        r.headers.emplace_back("Retry-After", "1");
        return r;
      case Fault::k500:
        return Problem(500, "Internal Server Error", "An unexpected internal error occurred.");
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
  std::string api_key_;
  std::map<std::string, Stored> campaigns_;
  std::vector<std::string> order_;
  std::map<std::pair<std::string, int64_t>, std::string> raw_pages_;
  std::optional<std::pair<std::string, int64_t>> malformed_;
  std::deque<Fault> faults_;
  std::chrono::milliseconds fault_delay_{1500};
  std::chrono::milliseconds latency_{0};
  std::atomic<int> limit_{0}, in_flight_{0}, max_in_flight_{0}, rejected_{0};
  std::atomic<bool> numbers_as_strings_{false};
  std::unique_ptr<MockHttpServer> server_;  // last: stopped before the rest goes
};

}  // namespace journeykit::testing

// mock_trustpilot_api.hpp — a loopback Trustpilot reviews API for tests and demos.
//
// It holds review objects in Trustpilot's own format, per business unit, and serves them like
// Trustpilot:
//   GET /v1/business-units/{id}/reviews?page=&perPage=&orderBy=createdat.desc   (apikey header)
//   GET /v1/private/business-units/{id}/reviews?…   (apikey header + Authorization: Bearer)
//   → {"reviews":[…],"links":[{"href":"…","method":"GET","rel":"next-page"}]} newest createdAt
//   first (page is 1-based, perPage ≤ 100); errors as {"message":"…","details":"…",
//   "errorCode":…}; pages beyond max_pages() answer 400 "Pagination limit exceeded.".
//   Public answers leave out referralEmail and referenceId, as Trustpilot does.
//
//   journeykit::testing::MockTrustpilotApi trustpilot(/*port=*/0);  // 0: any free port
//   trustpilot.AddReview("5d2b94b915dd0c0001cab136", {.id = "r1", .stars = 4,
//                        .title = "Good", .text = "…", .created_at = "2024-03-14T17:12:38Z"});
//   trustpilot.LoadReviewsJson("5d2b…", R"({"reviews":[{…}]})");  // Trustpilot's format
//   // plugin config: base_url = trustpilot.base_url(), api_key = trustpilot.api_key(),
//   // access_token = trustpilot.access_token() (private API)
//   trustpilot.QueueFault({MockTrustpilotApi::FaultKind::kStatus, 503});  // next page fails
//
// A fixed port (for a demo that records cassettes, whose URLs must not change) needs
// MockHttpServer(Handler, uint16_t port); until that constructor exists a non-zero port
// throws std::runtime_error.
#pragma once

#include <simdjson.h>

#include <journeykit/json_writer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/mock_http_server.hpp"

namespace journeykit::testing {

// One review, in the fields Trustpilot sends. Empty strings are left out (or null).
struct MockTrustpilotReview {
  std::string id;
  int stars = 5;
  std::string title;
  std::string text;
  std::string created_at;  // RFC 3339, e.g. "2024-03-14T17:12:38Z"
  std::string consumer_id = "5d343e748c9ca11205e98599";
  std::string consumer_name = "A Consumer";
  std::string language = "en";
  std::string referral_email;  // private API only
  std::string reference_id;    // private API only
  std::string reply_text;
  std::string reply_created_at;  // companyReply.createdAt; a reply needs it
};

class MockTrustpilotApi {
 public:
  enum class FaultKind {
    kStatus,        // `status` with Trustpilot's error body (and Retry-After if set)
    kResetMidBody,  // the real page, cut off by a connection reset
    kDelay,         // the real page after `delay` (trips the client's timeout)
    kMalformed,     // 200 with the real page's JSON broken near its end
  };
  struct Fault {
    FaultKind kind = FaultKind::kStatus;
    int status = 500;
    std::optional<int> retry_after_s;
    std::chrono::milliseconds delay{0};
    int page = 0;  // the page it waits for; 0: the next request
  };

  explicit MockTrustpilotApi(uint16_t port = 0)
      : server_(Start([this](const MockRequest& r) { return Handle(r); }, port)) {}

  // --- data -----------------------------------------------------------------------------
  void AddReview(const std::string& business_unit, const MockTrustpilotReview& r) {
    std::string o;
    json::JsonObjectWriter w(o);
    w.String("id", r.id);
    w.Key("consumer");
    {
      json::JsonObjectWriter c(o);
      c.String("id", r.consumer_id)
          .String("displayName", r.consumer_name)
          .String("displayLocation", "London, GB")
          .Int("numberOfReviews", 3);
      c.Close();
    }
    w.Key("businessUnit");
    {
      json::JsonObjectWriter b(o);
      b.String("id", business_unit).String("identifyingName", "shop.example.com");
      b.Close();
    }
    w.Int("stars", r.stars).String("title", r.title).String("text", r.text);
    w.String("language", r.language).Null("location").String("createdAt", r.created_at);
    w.Null("updatedAt");
    if (!r.referral_email.empty()) w.String("referralEmail", r.referral_email);
    if (!r.reference_id.empty()) w.String("referenceId", r.reference_id);
    if (!r.reply_created_at.empty()) {
      w.Key("companyReply");
      json::JsonObjectWriter c(o);
      c.String("text", r.reply_text).String("createdAt", r.reply_created_at).Null("updatedAt");
      c.Close();
    }
    w.Bool("isVerified", true).String("status", "active");
    w.Raw("links", "[{\"href\":\"https://api.trustpilot.com/v1/reviews/" + r.id +
                       "\",\"method\":\"GET\",\"rel\":\"reviews\"}]");
    w.Close();
    AddReviewJson(business_unit, o);
  }
  // A review object in Trustpilot's format; it needs "id" and "createdAt". A review with the
  // id of a stored one replaces it.
  void AddReviewJson(const std::string& business_unit, const std::string& review_json) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    std::string_view id, created;
    if (parser.parse(review_json).get_object().get(o) != simdjson::SUCCESS ||
        o["id"].get_string().get(id) != simdjson::SUCCESS ||
        o["createdAt"].get_string().get(created) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockTrustpilotApi: a review needs \"id\" and \"createdAt\"");
    }
    std::lock_guard lock(mutex_);
    auto& list = reviews_[business_unit];
    std::erase_if(list, [&](const Stored& s) { return s.id == id; });
    list.push_back({SortKey(created), std::string(id), review_json});
    std::stable_sort(list.begin(), list.end(),
                     [](const Stored& a, const Stored& b) { return a.key > b.key; });
  }
  // {"reviews":[…]} (a saved API answer) or a bare list of review objects.
  size_t LoadReviewsJson(const std::string& business_unit, std::string_view text) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockTrustpilotApi: reviews are not valid JSON");
    }
    simdjson::dom::array list;
    if (root.get_array().get(list) != simdjson::SUCCESS &&
        root["reviews"].get_array().get(list) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockTrustpilotApi: expected {\"reviews\":[…]} or […]");
    }
    size_t n = 0;
    for (simdjson::dom::element r : list) {
      AddReviewJson(business_unit, simdjson::to_string(r));
      ++n;
    }
    return n;
  }
  size_t LoadReviewsFile(const std::string& business_unit, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("MockTrustpilotApi: cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return LoadReviewsJson(business_unit, ss.str());
  }
  // A business unit without reviews (an unknown one answers 404).
  void AddBusinessUnit(const std::string& business_unit) {
    std::lock_guard lock(mutex_);
    reviews_[business_unit];
  }

  // --- auth, switches, faults -------------------------------------------------------------
  const std::string& api_key() const { return api_key_; }
  const std::string& access_token() const { return access_token_; }
  void set_api_key_valid(bool valid) {
    std::lock_guard lock(mutex_);
    key_valid_ = valid;
  }
  // Pages after this one answer 400 "Pagination limit exceeded." (Trustpilot: about 1000).
  void set_max_pages(int pages) {
    std::lock_guard lock(mutex_);
    max_pages_ = pages;
  }
  // stars as "4" instead of 4.
  void set_numbers_as_strings(bool on) {
    std::lock_guard lock(mutex_);
    numbers_as_strings_ = on;
  }
  // Adds fields the plugin does not know, on the page and in each review.
  void set_unknown_fields(bool on) {
    std::lock_guard lock(mutex_);
    unknown_fields_ = on;
  }
  // Faults answer the next review-page requests (FIFO), one each; a fault with a `page`
  // waits for a request of that page (the ones queued after it wait too).
  void QueueFault(Fault fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(fault);
  }

  // --- what the server saw ------------------------------------------------------------------
  std::string base_url() const { return server_->url(); }
  uint16_t port() const { return server_->port(); }
  std::vector<MockRequest> requests() const { return server_->requests(); }
  MockHttpServer& server() { return *server_; }
  void Stop() { server_->Stop(); }

 private:
  struct Stored {
    std::string key;  // normalized createdAt: newest first
    std::string id;
    std::string json;
  };

  template <typename Server = MockHttpServer>
  static std::unique_ptr<Server> Start(typename Server::Handler handler, uint16_t port) {
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

  static std::string SortKey(std::string_view t) {
    std::string base(t.substr(0, 19));
    std::string frac;
    if (t.size() > 19 && t[19] == '.') {
      for (size_t i = 20; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i) {
        frac.push_back(t[i]);
      }
    }
    frac.resize(9, '0');
    return base + "." + frac;
  }

  static MockReply Error(int status, const std::string& message, const std::string& details,
                         int code) {
    std::string body;
    json::JsonObjectWriter w(body);
    w.String("message", message).String("details", details).Int("errorCode", code);
    w.Close();
    return MockReply::Json(body, status);
  }

  // Drops a top-level field of a review object (the public API has no referral data).
  static std::string WithoutField(std::string json, std::string_view key) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    if (parser.parse(json).get_object().get(o) != simdjson::SUCCESS) return json;
    std::string out;
    json::JsonObjectWriter w(out);
    for (auto [k, v] : o) {
      if (k != key) w.Raw(k, simdjson::to_string(v));
    }
    w.Close();
    return out;
  }

  MockReply Handle(const MockRequest& q) {
    std::lock_guard lock(mutex_);
    const std::string public_prefix = "/v1/business-units/";
    const std::string private_prefix = "/v1/private/business-units/";
    const std::string suffix = "/reviews";
    std::string path = q.path();
    bool is_private = path.rfind(private_prefix, 0) == 0;
    const std::string& prefix = is_private ? private_prefix : public_prefix;
    if (q.method != "GET" || path.rfind(prefix, 0) != 0 || path.size() < suffix.size() ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return Error(404, "Not Found", "Unknown endpoint", 404);
    }
    if (!key_valid_ || q.header("apikey") != api_key_) {
      return Error(401, "Unauthorized", "Invalid or missing API key", 401);
    }
    if (is_private && q.header("authorization") != "Bearer " + access_token_) {
      return Error(401, "Unauthorized", "Invalid access token", 401);
    }
    std::string unit = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    auto it = reviews_.find(unit);
    if (it == reviews_.end()) return Error(404, "Not Found", "Business unit not found", 404);
    size_t page = 1, per_page = 20;
    if (!q.query("page").empty()) page = std::stoul(q.query("page"));
    if (!q.query("perPage").empty()) per_page = std::stoul(q.query("perPage"));
    if (page == 0 || per_page == 0 || per_page > 100) {
      return Error(400, "Bad Request", "perPage must be between 1 and 100", 400);
    }
    if (max_pages_ > 0 && page > static_cast<size_t>(max_pages_)) {
      return Error(400, "Bad Request", "Pagination limit exceeded.", 400);
    }
    std::optional<Fault> fault;
    if (!faults_.empty() &&
        (faults_.front().page == 0 || static_cast<size_t>(faults_.front().page) == page)) {
      fault = faults_.front();
      faults_.pop_front();
      if (fault->kind == FaultKind::kStatus) {
        MockReply r = fault->status == 429
                          ? Error(429, "Too Many Requests", "Rate limit exceeded", 429)
                          : Error(fault->status, "Service Unavailable",
                                  "The service is temporarily unavailable", fault->status);
        if (fault->retry_after_s) {
          r.headers.emplace_back("Retry-After", std::to_string(*fault->retry_after_s));
        }
        return r;
      }
    }
    const auto& list = it->second;
    const size_t offset = (page - 1) * per_page;
    std::string body = "{\"reviews\":[";
    for (size_t i = offset; i < std::min(list.size(), offset + per_page); ++i) {
      if (i > offset) body.push_back(',');
      std::string review = list[i].json;
      if (!is_private) review = WithoutField(WithoutField(review, "referralEmail"), "referenceId");
      if (numbers_as_strings_) {
        size_t s = review.find("\"stars\":");
        if (s != std::string::npos && std::isdigit(static_cast<unsigned char>(review[s + 8]))) {
          review.insert(s + 9, "\"");
          review.insert(s + 8, "\"");
        }
      }
      if (unknown_fields_) {
        review.insert(review.size() - 1,
                      ",\"tags\":[{\"group\":\"Order\",\"value\":\"delivery\"}],"
                      "\"futureField\":{\"x\":[1,2]}");
      }
      body += review;
    }
    body += "],\"links\":[";
    std::string base = (is_private ? private_prefix : public_prefix) + unit + suffix;
    auto link = [&](size_t p, const char* rel) {
      return "{\"href\":\"https://api.trustpilot.com" + base + "?page=" + std::to_string(p) +
             "&perPage=" + std::to_string(per_page) +
             "&orderBy=createdat.desc\",\"method\":" + "\"GET\",\"rel\":\"" + rel + "\"}";
    };
    bool any = false;
    if (page > 1) {
      body += link(page - 1, "prev-page");
      any = true;
    }
    if (offset + per_page < list.size()) body += (any ? "," : "") + link(page + 1, "next-page");
    body += "]";
    if (unknown_fields_) body += ",\"meta\":{\"experimental\":true}";
    body += "}";
    MockReply reply = MockReply::Json(body);
    if (fault) {
      switch (fault->kind) {
        case FaultKind::kResetMidBody:
          reply.fault = MockReply::Fault::kResetMidBody;
          break;
        case FaultKind::kDelay:
          reply.delay = fault->delay;
          break;
        case FaultKind::kMalformed:
          reply.body = body.substr(0, body.size() * 3 / 4) + "<html>502 Bad Gateway";
          break;
        case FaultKind::kStatus:
          break;
      }
    }
    return reply;
  }

  std::string api_key_ = "tp-mock-api-key-0123456789";
  std::string access_token_ = "tp-mock-business-access-token";
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Stored>> reviews_;
  bool key_valid_ = true;
  int max_pages_ = 0;
  bool numbers_as_strings_ = false;
  bool unknown_fields_ = false;
  std::deque<Fault> faults_;
  std::unique_ptr<MockHttpServer> server_;  // last: stops before the data goes
};

}  // namespace journeykit::testing

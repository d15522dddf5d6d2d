// mock_google_reviews_api.hpp — a loopback Google Business Profile API (reviews.list v4 and
// the OAuth token endpoint) for tests and demos.
//
// It holds review objects in Google's own format, per location, and serves them like Google:
//   GET  /v4/accounts/{a}/locations/{l}/reviews?pageSize=&pageToken=&orderBy=updateTime%20desc
//        Authorization: Bearer <token>  → {"reviews":[…],"averageRating":…,
//        "totalReviewCount":…,"nextPageToken":"…"} (newest updateTime first; no "reviews" and
//        no "nextPageToken" when there is nothing), errors in Google's envelope
//        {"error":{"code":404,"message":"…","status":"NOT_FOUND"}}.
//   POST /token  grant_type=refresh_token&client_id=&client_secret=&refresh_token=
//        → {"access_token":"ya29.mock-N","expires_in":3599,"token_type":"Bearer",…}, or 400
//        {"error":"invalid_grant","error_description":"…"}.
//
//   journeykit::testing::MockGoogleReviewsApi google(/*port=*/0);  // 0: any free port
//   google.AddReview("accounts/1/locations/2", {.review_id = "r1", .star_rating = "FOUR",
//                    .comment = "Great", .create_time = "2024-03-14T17:22:05Z"});
//   google.LoadReviewsJson("accounts/1/locations/2", R"({"reviews":[{…}]})");  // API format
//   // plugin config: base_url = google.base_url(), token_url = google.token_url(),
//   // access_token = google.access_token() or client_id/client_secret/refresh_token = the
//   // mock's client_id()/client_secret()/refresh_token()
//   google.QueueFault({MockGoogleReviewsApi::FaultKind::kStatus, 500});  // the next page fails
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

// One review, in the fields Google sends. Empty strings are left out of the JSON.
struct MockGoogleReview {
  std::string review_id;
  std::string reviewer_name = "A Google User";
  bool anonymous = false;
  std::string star_rating = "FIVE";  // ONE..FIVE or STAR_RATING_UNSPECIFIED
  std::string comment;
  std::string create_time;  // RFC 3339, e.g. "2024-03-14T17:22:05Z"
  std::string update_time;  // empty: create_time
  std::string reply_comment;
  std::string reply_time;  // reviewReply.updateTime; a reply needs it
};

class MockGoogleReviewsApi {
 public:
  enum class FaultKind {
    kStatus,        // `status` with Google's error envelope (and Retry-After if set)
    kResetMidBody,  // the real page, cut off by a connection reset
    kDelay,         // the real page after `delay` (trips the client's timeout)
    kMalformed,     // 200 with the real page's JSON broken near its end
  };
  struct Fault {
    FaultKind kind = FaultKind::kStatus;
    int status = 500;
    std::optional<int> retry_after_s;
    std::chrono::milliseconds delay{0};
    int page = 0;  // 1-based page it waits for (by pageToken offset); 0: the next request
  };

  explicit MockGoogleReviewsApi(uint16_t port = 0)
      : server_(Start([this](const MockRequest& r) { return Handle(r); }, port)) {}

  // --- data -----------------------------------------------------------------------------
  void AddReview(const std::string& location, const MockGoogleReview& r) {
    std::string o;
    json::JsonObjectWriter w(o);
    std::string id = r.review_id;
    w.String("name", location + "/reviews/" + id).String("reviewId", id);
    w.Key("reviewer");
    {
      json::JsonObjectWriter reviewer(o);
      reviewer.String("displayName", r.anonymous ? "A Google User" : r.reviewer_name);
      if (!r.anonymous) {
        reviewer.String("profilePhotoUrl", "https://lh3.googleusercontent.com/a-/mock/s120-c");
      }
      reviewer.Bool("isAnonymous", r.anonymous);
      reviewer.Close();
    }
    w.String("starRating", r.star_rating);
    if (!r.comment.empty()) w.String("comment", r.comment);
    w.String("createTime", r.create_time);
    w.String("updateTime", r.update_time.empty() ? r.create_time : r.update_time);
    if (!r.reply_time.empty()) {
      w.Key("reviewReply");
      json::JsonObjectWriter reply(o);
      reply.String("comment", r.reply_comment).String("updateTime", r.reply_time);
      reply.Close();
    }
    w.Close();
    AddReviewJson(location, o);
  }
  // A review object in Google's format; it needs "updateTime" (or "createTime"). A review
  // with the reviewId (or name) of a stored one replaces it: an edit.
  void AddReviewJson(const std::string& location, const std::string& review_json) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    if (parser.parse(review_json).get_object().get(o) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockGoogleReviewsApi: a review is not a JSON object");
    }
    std::string_view t;
    if (o["updateTime"].get_string().get(t) != simdjson::SUCCESS &&
        o["createTime"].get_string().get(t) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockGoogleReviewsApi: a review needs updateTime");
    }
    std::string_view id;
    if (o["reviewId"].get_string().get(id) != simdjson::SUCCESS &&
        o["name"].get_string().get(id) != simdjson::SUCCESS) {
      id = {};
    }
    std::lock_guard lock(mutex_);
    auto& list = reviews_[location];
    if (!id.empty()) {
      std::erase_if(list, [&](const Stored& s) { return s.id == id; });
    }
    list.push_back({SortKey(t), std::string(id), review_json});
    std::stable_sort(list.begin(), list.end(),
                     [](const Stored& a, const Stored& b) { return a.key > b.key; });
  }
  // {"reviews":[…]} (a saved reviews.list answer) or a bare list of review objects.
  size_t LoadReviewsJson(const std::string& location, std::string_view text) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockGoogleReviewsApi: reviews are not valid JSON");
    }
    simdjson::dom::array list;
    if (root.get_array().get(list) != simdjson::SUCCESS &&
        root["reviews"].get_array().get(list) != simdjson::SUCCESS) {
      throw std::invalid_argument("MockGoogleReviewsApi: expected {\"reviews\":[…]} or […]");
    }
    size_t n = 0;
    for (simdjson::dom::element r : list) {
      AddReviewJson(location, simdjson::to_string(r));
      ++n;
    }
    return n;
  }
  size_t LoadReviewsFile(const std::string& location, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("MockGoogleReviewsApi: cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return LoadReviewsJson(location, ss.str());
  }
  // A location that exists but has no reviews yet (an unknown one answers 404).
  void AddLocation(const std::string& location) {
    std::lock_guard lock(mutex_);
    reviews_[location];
  }
  // The token's user does not manage it: 403 PERMISSION_DENIED.
  void DenyLocation(const std::string& location) {
    std::lock_guard lock(mutex_);
    denied_.insert(location);
  }

  // --- auth -----------------------------------------------------------------------------
  const std::string& access_token() const { return access_token_; }
  const std::string& client_id() const { return client_id_; }
  const std::string& client_secret() const { return client_secret_; }
  const std::string& refresh_token() const { return refresh_token_; }
  // Every token issued so far (and the static one) answers 401 from now on.
  void ExpireTokens() {
    std::lock_guard lock(mutex_);
    valid_tokens_.clear();
  }
  void set_refresh_token_valid(bool valid) {
    std::lock_guard lock(mutex_);
    refresh_valid_ = valid;
  }

  // --- format switches and faults ---------------------------------------------------------
  // averageRating, totalReviewCount and the token's expires_in as JSON strings.
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
  std::string token_url() const { return server_->url("/token"); }
  uint16_t port() const { return server_->port(); }
  std::vector<MockRequest> requests() const { return server_->requests(); }
  std::vector<MockRequest> review_requests() const { return Filter(false); }
  std::vector<MockRequest> token_requests() const { return Filter(true); }
  MockHttpServer& server() { return *server_; }
  void Stop() { server_->Stop(); }

 private:
  struct Stored {
    std::string key;  // normalized updateTime: newest first
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

  // "2024-03-14T17:22:05.1Z" → "2024-03-14T17:22:05.100000000": sortable as text.
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

  static MockReply GoogleError(int code, const std::string& status, const std::string& message) {
    return MockReply::Json("{\"error\":{\"code\":" + std::to_string(code) + ",\"message\":\"" +
                               message + "\",\"status\":\"" + status + "\"}}",
                           code);
  }

  static std::map<std::string, std::string> Form(const std::string& body) {
    std::map<std::string, std::string> out;
    size_t pos = 0;
    while (pos < body.size()) {
      size_t amp = body.find('&', pos);
      std::string item = body.substr(pos, amp == std::string::npos ? amp : amp - pos);
      size_t eq = item.find('=');
      out[MockRequest::Decode(item.substr(0, eq))] =
          eq == std::string::npos ? "" : MockRequest::Decode(item.substr(eq + 1));
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    return out;
  }

  std::vector<MockRequest> Filter(bool token) const {
    std::vector<MockRequest> out;
    for (auto& r : server_->requests()) {
      if ((r.path() == "/token") == token) out.push_back(r);
    }
    return out;
  }

  MockReply Handle(const MockRequest& q) {
    std::lock_guard lock(mutex_);
    if (q.path() == "/token") return Token(q);
    const std::string prefix = "/v4/";
    const std::string suffix = "/reviews";
    std::string path = q.path();
    if (q.method != "GET" || path.rfind(prefix, 0) != 0 || path.size() < suffix.size() ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return GoogleError(404, "NOT_FOUND", "Requested entity was not found.");
    }
    std::string location = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    std::string auth = q.header("authorization");
    const std::string bearer = "Bearer ";
    if (auth.rfind(bearer, 0) != 0 || !valid_tokens_.count(auth.substr(bearer.size()))) {
      return GoogleError(401, "UNAUTHENTICATED",
                         "Request had invalid authentication credentials. Expected OAuth 2 "
                         "access token, login cookie or other valid authentication credential.");
    }
    if (denied_.count(location)) {
      return GoogleError(403, "PERMISSION_DENIED", "The caller does not have permission");
    }
    auto it = reviews_.find(location);
    if (it == reviews_.end()) {
      return GoogleError(404, "NOT_FOUND", "Requested entity was not found.");
    }
    if (q.query("orderBy") != "updateTime desc" && !q.query("orderBy").empty()) {
      return GoogleError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
    }
    size_t page_size = 50;
    if (!q.query("pageSize").empty()) page_size = std::stoul(q.query("pageSize"));
    if (page_size == 0 || page_size > 50) page_size = 50;
    size_t offset = 0;
    std::string token = q.query("pageToken");
    if (!token.empty()) {
      if (token.rfind("CgZvZmZzZXQ", 0) != 0) {
        return GoogleError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
      }
      offset = std::stoul(token.substr(11));
    }
    std::optional<Fault> fault;
    if (!faults_.empty() && (faults_.front().page == 0 ||
                             static_cast<size_t>(faults_.front().page) == offset / page_size + 1)) {
      fault = faults_.front();
      faults_.pop_front();
      if (fault->kind == FaultKind::kStatus) {
        MockReply r = fault->status == 429
                          ? GoogleError(429, "RESOURCE_EXHAUSTED",
                                        "Quota exceeded for quota metric 'Requests' of service "
                                        "'mybusiness.googleapis.com'.")
                          : GoogleError(fault->status, "INTERNAL", "Internal error encountered.");
        if (fault->retry_after_s) {
          r.headers.emplace_back("Retry-After", std::to_string(*fault->retry_after_s));
        }
        return r;
      }
    }
    const auto& list = it->second;
    std::string body = "{";
    if (offset < list.size()) {
      body += "\"reviews\":[";
      for (size_t i = offset; i < std::min(list.size(), offset + page_size); ++i) {
        if (i > offset) body.push_back(',');
        std::string review = list[i].json;
        if (unknown_fields_) {
          review.insert(review.size() - 1,
                        ",\"reviewMediaItems\":[{\"mediaFormat\":\"PHOTO\"}],"
                        "\"futureField\":{\"x\":[1,2]}");
        }
        body += review;
      }
      body += "],";
    }
    double average = 0;
    size_t rated = 0;
    for (const Stored& s : list) {
      for (int stars = 1; stars <= 5; ++stars) {
        static const char* kNames[] = {"\"ONE\"", "\"TWO\"", "\"THREE\"", "\"FOUR\"", "\"FIVE\""};
        if (s.json.find(kNames[stars - 1]) != std::string::npos) {
          average += stars;
          ++rated;
          break;
        }
      }
    }
    std::string avg = rated ? std::to_string(average / static_cast<double>(rated)) : "0";
    std::string total = std::to_string(list.size());
    if (numbers_as_strings_) {
      avg = "\"" + avg + "\"";
      total = "\"" + total + "\"";
    }
    body += "\"averageRating\":" + avg + ",\"totalReviewCount\":" + total;
    if (offset + page_size < list.size()) {
      body += ",\"nextPageToken\":\"CgZvZmZzZXQ" + std::to_string(offset + page_size) + "\"";
    }
    if (unknown_fields_) body += ",\"pageMetadata\":{\"experimental\":true}";
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
          reply.body = body.substr(0, body.size() * 3 / 4) + "<!-- truncated by a proxy";
          break;
        case FaultKind::kStatus:
          break;
      }
    }
    return reply;
  }

  MockReply Token(const MockRequest& q) {
    auto form = Form(q.body);
    if (q.method != "POST" || form["grant_type"] != "refresh_token") {
      return MockReply::Json(
          R"({"error":"unsupported_grant_type","error_description":"Invalid grant_type"})", 400);
    }
    if (form["client_id"] != client_id_ || form["client_secret"] != client_secret_) {
      return MockReply::Json(
          R"({"error":"invalid_client","error_description":"The OAuth client was not found."})",
          401);
    }
    if (!refresh_valid_ || form["refresh_token"] != refresh_token_) {
      return MockReply::Json(
          R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})",
          400);
    }
    std::string token = "ya29.mock-" + std::to_string(++issued_);
    valid_tokens_.insert(token);
    std::string expires = numbers_as_strings_ ? "\"3599\"" : "3599";
    return MockReply::Json("{\"access_token\":\"" + token + "\",\"expires_in\":" + expires +
                           ",\"scope\":\"https://www.googleapis.com/auth/business.manage\","
                           "\"token_type\":\"Bearer\"}");
  }

  std::string access_token_ = "ya29.static-access-token";
  std::string client_id_ = "1234-mock.apps.googleusercontent.com";
  std::string client_secret_ = "GOCSPX-mock-client-secret";
  std::string refresh_token_ = "1//mock-refresh-token";
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Stored>> reviews_;
  std::set<std::string> denied_;
  std::set<std::string> valid_tokens_{access_token_};
  bool refresh_valid_ = true;
  int issued_ = 0;
  bool numbers_as_strings_ = false;
  bool unknown_fields_ = false;
  std::deque<Fault> faults_;
  std::unique_ptr<MockHttpServer> server_;  // last: stops before the data goes
};

}  // namespace journeykit::testing

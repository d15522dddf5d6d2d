// mock_mailchimp_tags_api.hpp — a loopback Mailchimp Marketing API v3 for member tags, for the
// mailchimp-tags connector's tests.
//
// It holds lists and their members (by subscriber hash, computed here with OpenSSL's
// EVP_Q_digest) and serves, under /3.0, with Basic auth (any user, the API key as password):
//   GET  /3.0/lists/{list_id}                        200 {"id","name"} | 404
//   POST /3.0/lists/{list_id}/members/{hash}/tags    204 empty body | 404 unknown member/list
//                                                    | 400 Invalid Resource (bad body, refused)
//   PUT  /3.0/lists/{list_id}/members/{hash}         200 member | 400 (hash != MD5 of address)
// Errors are RFC 7807 problem bodies (application/problem+json). Like Mailchimp it answers 429
// TooManyRequests when more than connection_limit requests are in flight (10 by default), and
// it records the most requests it ever had in flight and the most open connections.
//
//   journeykit::testing::MockMailchimpTagsApi mc;
//   mc.AddList("10c097ca71");
//   mc.AddMember("10c097ca71", "jana@example.org");
//   // base_url for the plugin: mc.base_url();  afterwards: mc.ActiveTags("10c097ca71", "jana@…")
#pragma once

#include <openssl/evp.h>
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
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/mock_http_server.hpp"

namespace journeykit::testing {

class MockMailchimpTagsApi {
 public:
  // Faults answer the next tag or member request (FIFO), one each. k429, k500 and k401 are
  // answered before anything is stored; kResetMidBody and kTimeout after the tags were stored
  // (only the answer is lost).
  enum class Fault { k429, k429RetryAfter, k500, kResetMidBody, kTimeout, k401 };

  struct TagCall {
    std::string list, hash;
    std::vector<std::pair<std::string, std::string>> tags;  // (name, status) as sent
    bool is_syncing = false;
  };

  // port 0: any free port.
  explicit MockMailchimpTagsApi(std::string api_key = "0123456789abcdef0123456789abcdef-us6",
                                uint16_t port = 0)
      : api_key_(std::move(api_key)),
        server_(std::make_unique<MockHttpServer>([this](const MockRequest& r) { return Handle(r); },
                                                 port)) {}
  ~MockMailchimpTagsApi() { server_->Stop(); }

  static std::string Md5Hex(const std::string& text) {
    unsigned char md[16];
    size_t size = 0;
    if (EVP_Q_digest(nullptr, "MD5", nullptr, text.data(), text.size(), md, &size) != 1) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (size_t i = 0; i < size; ++i) {
      hex.push_back(kHex[md[i] >> 4]);
      hex.push_back(kHex[md[i] & 15]);
    }
    return hex;
  }
  static std::string HashOf(std::string email) {
    email.erase(0, email.find_first_not_of(" \t\r\n"));
    email.erase(email.find_last_not_of(" \t\r\n") + 1);
    std::transform(email.begin(), email.end(), email.begin(), ::tolower);
    return Md5Hex(email);
  }

  void AddList(const std::string& list_id, const std::string& name = "Newsletter") {
    std::lock_guard lock(mutex_);
    lists_[list_id].name = name;
  }
  void AddMember(const std::string& list_id, const std::string& email) {
    std::lock_guard lock(mutex_);
    lists_[list_id].members[HashOf(email)].email = email;
  }
  // Tag requests for this member are answered 400 with this problem detail.
  void RefuseMember(const std::string& email, const std::string& detail) {
    std::lock_guard lock(mutex_);
    refused_[HashOf(email)] = detail;
  }
  void QueueFault(Fault fault, int times = 1) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) faults_.push_back(fault);
  }
  void set_latency(std::chrono::milliseconds d) { latency_ = d; }
  void set_fault_delay(std::chrono::milliseconds d) { fault_delay_ = d; }
  void set_connection_limit(int n) { limit_ = n; }

  std::string base_url() const { return server_->url("/3.0"); }
  MockHttpServer& server() { return *server_; }

  bool HasMember(const std::string& list_id, const std::string& email) const {
    std::lock_guard lock(mutex_);
    auto l = lists_.find(list_id);
    return l != lists_.end() && l->second.members.contains(HashOf(email));
  }
  std::string StatusOf(const std::string& list_id, const std::string& email) const {
    std::lock_guard lock(mutex_);
    auto l = lists_.find(list_id);
    if (l == lists_.end()) return {};
    auto m = l->second.members.find(HashOf(email));
    return m == l->second.members.end() ? std::string() : m->second.status;
  }
  std::set<std::string> ActiveTags(const std::string& list_id, const std::string& email) const {
    std::lock_guard lock(mutex_);
    auto l = lists_.find(list_id);
    if (l == lists_.end()) return {};
    auto m = l->second.members.find(HashOf(email));
    return m == l->second.members.end() ? std::set<std::string>() : m->second.tags;
  }
  // Every member of the list: address → active tags.
  std::map<std::string, std::set<std::string>> Members(const std::string& list_id) const {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::set<std::string>> out;
    auto l = lists_.find(list_id);
    if (l == lists_.end()) return out;
    for (const auto& [hash, m] : l->second.members) out[m.email] = m.tags;
    return out;
  }
  std::vector<TagCall> tag_calls() const {  // accepted (stored) tag requests
    std::lock_guard lock(mutex_);
    return tag_calls_;
  }
  std::vector<std::string> problems() const {  // malformed requests seen
    std::lock_guard lock(mutex_);
    return problems_;
  }
  int max_in_flight() const { return max_in_flight_.load(); }
  int rejected_for_concurrency() const { return rejected_.load(); }

 private:
  struct Member {
    std::string email;
    std::string status = "subscribed";
    std::set<std::string> tags;
  };
  struct List {
    std::string name;
    std::map<std::string, Member> members;  // by subscriber hash
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
  static MockReply NotFound() {
    return Problem(404, "Resource Not Found", "The requested resource could not be found.");
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

  // "/3.0/lists/{list}/members/{hash}[/tags]" → its parts.
  static std::vector<std::string> Split(const std::string& path) {
    std::vector<std::string> parts;
    size_t pos = 1;
    while (pos <= path.size()) {
      size_t slash = path.find('/', pos);
      parts.push_back(path.substr(pos, slash == std::string::npos ? slash : slash - pos));
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    return parts;
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
    std::vector<std::string> p = Split(r.path());
    std::lock_guard lock(mutex_);
    if (p.size() < 3 || p[0] != "3.0" || p[1] != "lists") return NotFound();
    auto list = lists_.find(p[2]);
    if (list == lists_.end()) return NotFound();
    if (p.size() == 3 && r.method == "GET") {
      return MockReply::Json(R"({"id":")" + p[2] + R"(","name":")" + list->second.name + "\"}");
    }
    if (p.size() < 5 || p[3] != "members") return NotFound();
    const std::string& hash = p[4];
    std::optional<Fault> fault;
    if (!faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
    }
    if (fault == Fault::k429) {
      return Problem(429, "Too Many Requests",
                     "You have exceeded the limit of 10 simultaneous connections.");
    }
    if (fault == Fault::k429RetryAfter) {
      MockReply reply = Problem(429, "Too Many Requests", "Slow down.");
      reply.headers.emplace_back("Retry-After", "1");
      return reply;
    }
    if (fault == Fault::k500) {
      return Problem(500, "Internal Server Error", "An unexpected internal error occurred.");
    }
    if (fault == Fault::k401) {
      return Problem(401, "API Key Invalid",
                     "Your API key may be invalid, or you've attempted to access the wrong "
                     "datacenter.");
    }
    MockReply reply;
    if (p.size() == 5 && r.method == "PUT") {
      reply = Upsert(list->second, hash, r.body);
    } else if (p.size() == 6 && p[5] == "tags" && r.method == "POST") {
      reply = Tags(p[2], list->second, hash, r.body);
    } else {
      return Problem(405, "Method Not Allowed", "The requested method is not allowed.");
    }
    if (fault == Fault::kResetMidBody) {
      // A 204 has no body to cut: announce a JSON answer and reset half-way through it.
      reply.status = 200;
      reply.body = R"({"partial":"answer that is cut off"})";
      reply.fault = MockReply::Fault::kResetMidBody;
    }
    if (fault == Fault::kTimeout) reply.delay = fault_delay_;
    return reply;
  }

  MockReply Upsert(List& list, const std::string& hash, const std::string& body) {
    simdjson::dom::object o;
    std::string_view email, status;
    if (parser_.parse(body).get_object().get(o) != simdjson::SUCCESS ||
        o["email_address"].get_string().get(email) != simdjson::SUCCESS) {
      problems_.push_back("PUT member without email_address: " + body);
      return Problem(400, "Invalid Resource", "The resource submitted could not be validated.");
    }
    if (HashOf(std::string(email)) != hash) {
      problems_.push_back("PUT member: hash does not match the address");
      return Problem(400, "Invalid Resource", "The subscriber hash does not match the address.");
    }
    auto [it, fresh] = list.members.try_emplace(hash);
    if (fresh) {
      it->second.email = std::string(email);
      if (o["status_if_new"].get_string().get(status) == simdjson::SUCCESS) {
        it->second.status = std::string(status);
      }
    }
    return MockReply::Json(R"({"id":")" + hash + R"(","status":")" + it->second.status + "\"}");
  }

  MockReply Tags(const std::string& list_id, List& list, const std::string& hash,
                 const std::string& body) {
    auto member = list.members.find(hash);
    if (member == list.members.end()) return NotFound();
    if (auto refused = refused_.find(hash); refused != refused_.end()) {
      return Problem(400, "Invalid Resource", refused->second);
    }
    simdjson::dom::object o;
    simdjson::dom::array tags;
    if (parser_.parse(body).get_object().get(o) != simdjson::SUCCESS ||
        o["tags"].get_array().get(tags) != simdjson::SUCCESS) {
      problems_.push_back("tags body: " + body);
      return Problem(400, "Invalid Resource", "The resource submitted could not be validated.");
    }
    TagCall call{list_id, hash, {}, false};
    bool syncing = false;
    if (o["is_syncing"].get_bool().get(syncing) == simdjson::SUCCESS) call.is_syncing = syncing;
    for (simdjson::dom::element t : tags) {
      std::string_view name, status;
      if (t["name"].get_string().get(name) != simdjson::SUCCESS ||
          t["status"].get_string().get(status) != simdjson::SUCCESS ||
          (status != "active" && status != "inactive")) {
        problems_.push_back("tag entry: " + simdjson::minify(t));
        return Problem(400, "Invalid Resource", "The resource submitted could not be validated.");
      }
      call.tags.emplace_back(std::string(name), std::string(status));
    }
    for (const auto& [name, status] : call.tags) {
      if (status == "active") {
        member->second.tags.insert(name);
      } else {
        member->second.tags.erase(name);
      }
    }
    tag_calls_.push_back(std::move(call));
    MockReply reply;
    reply.status = 204;
    return reply;
  }

  mutable std::mutex mutex_;
  std::string api_key_;
  std::map<std::string, List> lists_;
  std::map<std::string, std::string> refused_;
  std::deque<Fault> faults_;
  std::vector<TagCall> tag_calls_;
  std::vector<std::string> problems_;
  simdjson::dom::parser parser_;
  std::chrono::milliseconds fault_delay_{1500};
  std::chrono::milliseconds latency_{0};
  std::atomic<int> limit_{10}, in_flight_{0}, max_in_flight_{0}, rejected_{0};
  std::unique_ptr<MockHttpServer> server_;  // last: stopped before the rest goes
};

}  // namespace journeykit::testing

// mock_hubspot_api.hpp — a loopback HubSpot CRM v3 contacts API for connector tests.
//
// Serves POST /crm/v3/objects/contacts/batch/upsert (and GET /crm/v3/objects/contacts for a
// token check) on a MockHttpServer. Like the real API it checks the bearer token, refuses a
// batch of more than 100 inputs or with the same id twice (400 VALIDATION_ERROR), and stores
// contacts by their id property with upsert semantics, so a re-sent batch updates contacts
// instead of creating duplicates. Tests choose ids HubSpot should refuse (a 207 with the body
// shape of docs api-formats §10) and queue faults: 429 in both body forms, 500, a reset or a
// late reply after the batch was applied, 401, 403, 400.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/mock_http_server.hpp"

namespace journeykit::testing {

class MockHubSpotApi {
 public:
  enum class Fault {
    k429Legacy,   // {"category":"RATE_LIMITS"} (recorded from a real portal)
    k429Rolling,  // {"errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}
    k500,
    kResetAfterApply,    // applies the batch, then resets the connection mid-answer
    kTimeoutAfterApply,  // applies the batch, then answers too late for the client
    k401,
    k403,
    k400,
  };
  // How a 207 error names the refused input.
  enum class ErrorContext { kTraceId, kIds, kMessageOnly, kNothing };

  static constexpr size_t kMaxInputs = 100;
  static constexpr const char* kUpsertPath = "/crm/v3/objects/contacts/batch/upsert";

  struct Contact {
    std::string object_id;  // HubSpot's record id ("512")
    std::string id;         // the value of the id property
    std::map<std::string, std::string> properties;
    int writes = 0;
  };
  // One upsert call that reached the handler (whatever the answer).
  struct Call {
    std::string body;
    std::string id_property;
    std::vector<std::string> ids;
    std::vector<std::string> trace_ids;
    int status = 0;
  };

  // port 0: any free port.
  explicit MockHubSpotApi(std::string token, uint16_t port = 0)
      : token_(std::move(token)),
        server_([this](const MockRequest& r) { return Handle(r); }, port) {}

  std::string base_url() const { return server_.url(); }
  const MockHttpServer& server() const { return server_; }

  void Queue(Fault f) {
    std::lock_guard lock(mutex_);
    faults_.push_back(f);
  }
  // Inputs with this id are refused in a 207 (an invalid e-mail).
  void RefuseId(std::string id, ErrorContext context = ErrorContext::kTraceId) {
    std::lock_guard lock(mutex_);
    refused_[Lower(id)] = context;
  }
  // When not empty, a property outside this set fails the batch (400, as HubSpot does).
  void DefineProperties(std::set<std::string> names) {
    std::lock_guard lock(mutex_);
    defined_ = std::move(names);
  }
  // The timeout fault's delay; keep it above the pipeline's attempt_timeout_ms.
  void set_late_reply(std::chrono::milliseconds delay) { late_reply_ = delay; }

  std::map<std::string, Contact> contacts() const {  // by id (e-mails lower-cased)
    std::lock_guard lock(mutex_);
    return contacts_;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // Anything a client did that the real API would not accept or that breaks the contract.
  std::vector<std::string> problems() const {
    std::lock_guard lock(mutex_);
    return problems_;
  }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }
  static std::string Quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out + "\"";
  }
  static MockReply Error(int status, const std::string& category, const std::string& message) {
    return MockReply::Json(
        R"({"status":"error","message":)" + Quote(message) +
            R"(,"correlationId":"aeb5f871-7f07-4993-9211-075dc63e7cbf","category":")" + category +
            R"("})",
        status);
  }
  static void AddRateHeaders(MockReply& reply) {
    reply.headers.emplace_back("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    reply.headers.emplace_back("X-HubSpot-RateLimit-Max", "100");
    reply.headers.emplace_back("X-HubSpot-RateLimit-Remaining", "99");
  }

  MockReply Handle(const MockRequest& r) {
    std::lock_guard lock(mutex_);
    if (r.header("authorization") != "Bearer " + token_) {
      return Error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
    }
    if (r.method == "GET" && r.path() == "/crm/v3/objects/contacts") {
      return MockReply::Json(R"({"results":[]})");
    }
    if (r.method != "POST" || r.path() != kUpsertPath) {
      problems_.push_back("unexpected request " + r.method + " " + r.target);
      return Error(404, "OBJECT_NOT_FOUND", "Not found");
    }
    if (r.header("content-type").rfind("application/json", 0) != 0) {
      problems_.push_back("content type " + r.header("content-type"));
    }
    Call call;
    call.body = r.body;
    std::optional<Fault> fault;
    if (!faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
    }
    MockReply reply = Apply(r.body, call, fault);
    call.status = reply.status;
    calls_.push_back(std::move(call));
    return reply;
  }

  // Parses and (unless a fault says otherwise) applies one batch upsert.
  MockReply Apply(const std::string& body, Call& call, std::optional<Fault> fault) {
    simdjson::dom::element root;
    simdjson::dom::array inputs;
    if (parser_.parse(body).get(root) != simdjson::SUCCESS ||
        root["inputs"].get_array().get(inputs) != simdjson::SUCCESS) {
      problems_.push_back("malformed body: " + body.substr(0, 120));
      return Error(400, "VALIDATION_ERROR", "Invalid input JSON on line 1");
    }
    struct Input {
      std::string id, trace;
      std::map<std::string, std::string> properties;
    };
    std::vector<Input> parsed;
    std::set<std::string> seen;
    std::string duplicate;
    for (simdjson::dom::element item : inputs) {
      Input in;
      std::string_view id_property, id, trace;
      simdjson::dom::object properties;
      if (item["idProperty"].get_string().get(id_property) != simdjson::SUCCESS ||
          item["id"].get_string().get(id) != simdjson::SUCCESS ||
          item["properties"].get_object().get(properties) != simdjson::SUCCESS) {
        problems_.push_back("an input without idProperty, id or properties");
        return Error(400, "VALIDATION_ERROR", "Invalid input JSON: missing id or properties");
      }
      if (item["objectWriteTraceId"].get_string().get(trace) == simdjson::SUCCESS) {
        in.trace = std::string(trace);
      }
      if (!call.id_property.empty() && call.id_property != id_property) {
        problems_.push_back("mixed idProperty in one batch");
      }
      call.id_property = std::string(id_property);
      in.id = call.id_property == "email" ? Lower(std::string(id)) : std::string(id);
      for (auto field : properties) {
        std::string_view v;
        if (field.value.get_string().get(v) != simdjson::SUCCESS) {
          problems_.push_back("property " + std::string(field.key) + " is not a string");
        }
        in.properties[std::string(field.key)] = std::string(v);
      }
      if (!seen.insert(in.id).second) duplicate = in.id;
      call.ids.push_back(in.id);
      call.trace_ids.push_back(in.trace);
      parsed.push_back(std::move(in));
    }
    if (parsed.size() > kMaxInputs) {
      problems_.push_back("a batch of " + std::to_string(parsed.size()) + " inputs");
      return Error(
          400, "VALIDATION_ERROR",
          "Batch input size exceeded. Max allowed is 100 but got " + std::to_string(parsed.size()));
    }
    if (!duplicate.empty()) {
      problems_.push_back("duplicate id in one batch: " + duplicate);
      return Error(400, "VALIDATION_ERROR",
                   "Duplicate IDs found in batch input: [" + duplicate + "]");
    }
    for (const Input& in : parsed) {
      for (const auto& [name, value] : in.properties) {
        if (!defined_.empty() && !defined_.count(name)) {
          return Error(400, "VALIDATION_ERROR", "Property \"" + name + "\" does not exist");
        }
      }
    }
    if (fault == Fault::k429Legacy) {
      return Error(429, "RATE_LIMITS", "You have reached your secondly limit.");
    }
    if (fault == Fault::k429Rolling) {
      return MockReply::Json(
          R"({"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"de61843f-b3ab-4bc1-8c54-358e37eb0621","policyName":"TEN_SECONDLY_ROLLING"})",
          429);
    }
    if (fault == Fault::k500) return Error(500, "INTERNAL_ERROR", "internal error");
    if (fault == Fault::k401) {
      return Error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.");
    }
    if (fault == Fault::k403) {
      return Error(403, "MISSING_SCOPES",
                   "This app hasn't been granted all required scopes to make this call.");
    }
    if (fault == Fault::k400) {
      return Error(400, "VALIDATION_ERROR", "Invalid input JSON on line 1, column 2");
    }

    std::string results, errors;
    size_t error_count = 0;
    for (const Input& in : parsed) {
      auto refused = refused_.find(in.id);
      if (refused != refused_.end()) {
        ++error_count;
        std::string message =
            "Property values were not valid: [{\"isValid\":false,\"message\":"
            "\"Email address " +
            in.id + " is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]";
        std::string context;
        if (refused->second == ErrorContext::kTraceId) {
          context = R"(,"context":{"objectWriteTraceId":[)" + Quote(in.trace) + "]}";
        } else if (refused->second == ErrorContext::kIds) {
          context = R"(,"context":{"ids":[)" + Quote(in.id) + "]}";
        }
        if (refused->second == ErrorContext::kNothing) message = "Property values were not valid";
        errors += std::string(errors.empty() ? "" : ",") +
                  R"({"status":"error","category":"VALIDATION_ERROR","message":)" + Quote(message) +
                  context + "}";
        continue;
      }
      auto [it, fresh] = contacts_.try_emplace(in.id);
      Contact& c = it->second;
      if (fresh) {
        c.object_id = std::to_string(500 + contacts_.size());
        c.id = in.id;
      }
      for (const auto& [name, value] : in.properties) c.properties[name] = value;
      ++c.writes;
      results +=
          std::string(results.empty() ? "" : ",") + R"({"id":")" + c.object_id + R"(","new":)" +
          (fresh ? "true" : "false") + R"(,"objectWriteTraceId":)" + Quote(in.trace) +
          R"(,"properties":{"hs_object_id":")" + c.object_id +
          R"("},"createdAt":"2024-01-02T10:00:00.000Z","updatedAt":"2024-03-15T08:00:01.234Z","archived":false})";
    }
    std::string out = R"({"status":"COMPLETE","results":[)" + results + "]";
    if (error_count > 0) {
      out += R"(,"numErrors":)" + std::to_string(error_count) + R"(,"errors":[)" + errors + "]";
    }
    out +=
        R"(,"requestedAt":"2024-03-15T08:00:00.900Z","startedAt":"2024-03-15T08:00:01.000Z","completedAt":"2024-03-15T08:00:01.300Z"})";
    MockReply reply = MockReply::Json(out, error_count > 0 ? 207 : 200);
    AddRateHeaders(reply);
    if (fault == Fault::kResetAfterApply) reply.fault = MockReply::Fault::kResetMidBody;
    if (fault == Fault::kTimeoutAfterApply) reply.delay = late_reply_;
    return reply;
  }

  std::string token_;
  mutable std::mutex mutex_;
  std::deque<Fault> faults_;
  std::map<std::string, ErrorContext> refused_;
  std::set<std::string> defined_;
  std::chrono::milliseconds late_reply_{900};
  std::map<std::string, Contact> contacts_;
  std::vector<Call> calls_;
  std::vector<std::string> problems_;
  simdjson::dom::parser parser_;
  MockHttpServer server_;  // last: stopped before the members its handler uses
};

}  // namespace journeykit::testing

// webhook_test.cpp — the webhook connector: signature test vector (checked against the
// openssl command line), idempotency key, batch split, options; and whole runs through the
// real host and HTTP layer against a loopback receiver that verifies every signature with
// OpenSSL's EVP_MAC independently and counts every record, under 429, 500, reset, timeout
// and 400 faults.
#include <journeykit/pipeline.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <simdjson.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "plugins/test_files.hpp"
#include "support/fake_host.hpp"
#include "support/mock_http_server.hpp"
#include "webhook_batches.hpp"
#include "webhook_connector.hpp"
#include "webhook_options.hpp"
#include "webhook_signing.hpp"

namespace journeykit::webhook {
namespace {

using journeykit::testing::MockHttpServer;
using journeykit::testing::MockReply;
using journeykit::testing::MockRequest;
using ::testing::HasSubstr;
using ::testing::Not;

// ---- the documented test vector (connectors/webhook/README.md) ------------------------------

const std::string kVectorSecret = "whsec_test_vector";
const int64_t kVectorTimestamp = 1767225600;  // 2026-01-01T00:00:00Z
const std::string kVectorBody =
    R"({"batch_id":"0000","records":[{"type":"event","key":"web:e1","data":{"action":"purchase"}}]})";
const std::string kVectorSignature =
    "v1=1ec8dbc8f8fe0d43eb2873420339ee20f2850e98008580b860c9456feef75e50";

// HMAC-SHA256 through EVP_MAC: another OpenSSL API than the connector's HMAC().
std::string IndependentHmacHex(std::string_view key, std::string_view message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  bool ok = EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                         params) == 1 &&
            EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) == 1 &&
            EVP_MAC_final(ctx, out, &len, sizeof out) == 1;
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  if (!ok) return "<hmac failed>";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

// What a receiver does: recompute, compare in constant time, check the timestamp window.
bool VerifySignature(const std::string& secret, const std::string& timestamp,
                     const std::string& body, const std::string& header, int64_t now,
                     int64_t tolerance_s = 300) {
  int64_t ts = 0;
  try {
    ts = std::stoll(timestamp);
  } catch (...) {
    return false;
  }
  if (ts < now - tolerance_s || ts > now + tolerance_s) return false;
  std::string expected = "v1=" + IndependentHmacHex(secret, timestamp + "." + body);
  return header.size() == expected.size() &&
         CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(WebhookSignature, TheDocumentedTestVector) {
  EXPECT_EQ(SignatureHeader(kVectorSecret, kVectorTimestamp, kVectorBody), kVectorSignature);
  EXPECT_EQ("v1=" + IndependentHmacHex(kVectorSecret,
                                       std::to_string(kVectorTimestamp) + "." + kVectorBody),
            kVectorSignature);
  EXPECT_NE(SignatureHeader(kVectorSecret, kVectorTimestamp + 1, kVectorBody), kVectorSignature);
  EXPECT_NE(SignatureHeader("other", kVectorTimestamp, kVectorBody), kVectorSignature);
}

TEST(WebhookSignature, TheOpensslCommandLineAgrees) {
  journeykit::testing::TempDir dir;
  std::string file = dir.file("message");
  journeykit::testing::WriteFile(file, std::to_string(kVectorTimestamp) + "." + kVectorBody);
  std::string cmd = "openssl dgst -sha256 -hmac '" + kVectorSecret + "' < '" + file + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  int rc = ::pclose(pipe);
  if (rc != 0 && out.find("not found") != std::string::npos) {
    GTEST_SKIP() << "the openssl command is not installed";
  }
  ASSERT_EQ(rc, 0) << out;
  // "SHA2-256(stdin)= <hex>" (OpenSSL 3) or "(stdin)= <hex>" (1.1)
  std::string hex = out.substr(out.rfind("= ") + 2, 64);
  EXPECT_EQ("v1=" + hex, kVectorSignature);
}

// ---- batch id, bodies, batching -------------------------------------------------------------

std::vector<jk_record> Records(const std::vector<std::array<std::string, 3>>& rows) {
  std::vector<jk_record> out;
  for (const auto& r : rows) {
    out.push_back(
        jk_record{sizeof(jk_record), plugin::ToJk(r[0]), plugin::ToJk(r[1]), plugin::ToJk(r[2])});
  }
  return out;
}

TEST(WebhookBatchId, StableForTheSameRecordsAndChangedByAnyOfThem) {
  std::vector<std::array<std::string, 3>> rows = {{"event", "web:1", R"({"a":1})"},
                                                  {"event", "web:2", R"({"a":2})"}};
  std::string id = BatchId(Records(rows));
  EXPECT_EQ(id.size(), 64u);
  EXPECT_EQ(BatchId(Records(rows)), id);
  auto other_key = rows;
  other_key[1][1] = "web:3";
  EXPECT_NE(BatchId(Records(other_key)), id);
  auto other_type = rows;
  other_type[0][0] = "journey";
  EXPECT_NE(BatchId(Records(other_type)), id);
  auto other_data = rows;
  other_data[1][2] = R"({"a":3})";
  EXPECT_NE(BatchId(Records(other_data)), id);
  auto reordered = std::vector<std::array<std::string, 3>>{rows[1], rows[0]};
  EXPECT_NE(BatchId(Records(reordered)), id);
  // The documented definition: SHA-256 over type \n key \n sha256(data) \n per record.
  EXPECT_EQ(id, Sha256Hex("event\nweb:1\n" + Sha256Hex(R"({"a":1})") + "\nevent\nweb:2\n" +
                          Sha256Hex(R"({"a":2})") + "\n"));
}

TEST(WebhookBody, IsValidJsonWithTheRecordsVerbatim) {
  std::vector<std::array<std::string, 3>> rows = {
      {"event", "web:\"quoted\"\n", R"({"person_id":null,"value":4.5})"}, {"journey", "p_1", ""}};
  auto records = Records(rows);
  std::vector<std::string> entries;
  for (const auto& r : records) entries.push_back(EncodeRecord(r));
  std::string body = BuildBody(std::string(64, 'a'), entries);
  EXPECT_EQ(body.size(), BodySize(entries[0].size() + entries[1].size(), 2));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  EXPECT_EQ(std::string_view(root["batch_id"]), std::string(64, 'a'));
  simdjson::dom::array list = root["records"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(std::string_view(list.at(0)["key"]), "web:\"quoted\"\n");
  EXPECT_EQ(std::string_view(list.at(0)["type"]), "event");
  EXPECT_EQ(double(list.at(0)["data"]["value"]), 4.5);
  EXPECT_TRUE(list.at(1)["data"].is_null());
}

TEST(WebhookBatches, ByCountAndBytes) {
  std::vector<std::string> entries(10, std::string(100, 'x'));
  auto by_count = PlanBatches(entries, 4, 1 << 20);
  ASSERT_EQ(by_count.size(), 3u);
  EXPECT_EQ(by_count[0].end, 4u);
  EXPECT_EQ(by_count[1].end, 8u);
  EXPECT_EQ(by_count[2].end, 10u);
  // 3 entries: 92 + 300 + 2 commas = 394 bytes; 4 would be 495.
  auto by_bytes = PlanBatches(entries, 500, 400);
  ASSERT_EQ(by_bytes.size(), 4u);
  for (const auto& b : by_bytes) {
    size_t n = b.end - b.begin;
    EXPECT_LE(BodySize(n * 100, n), 400u);
    EXPECT_FALSE(b.oversize);
  }
  EXPECT_EQ(BodySize(300, 3), 394u);
  entries[5] = std::string(1000, 'y');
  auto with_big = PlanBatches(entries, 500, 400);
  size_t covered = 0;
  for (const auto& b : with_big) {
    EXPECT_EQ(b.begin, covered);
    covered = b.end;
    EXPECT_EQ(b.oversize, b.begin == 5);
  }
  EXPECT_EQ(covered, 10u);
}

TEST(WebhookOptions, Validates) {
  auto parse = [](const std::string& json) {
    plugin::Config c(json);
    auto o = ParseWebhookOptions(c);
    return o.ok() ? Status::Ok() : o.status();
  };
  EXPECT_TRUE(parse(R"({"url":"https://h.example/hook","secret":"s3cret"})").ok());
  EXPECT_THAT(parse(R"({"secret":"s"})").message(), HasSubstr("'url'"));
  EXPECT_THAT(parse(R"({"url":"ftp://h/x","secret":"s"})").message(), HasSubstr("http"));
  EXPECT_THAT(parse(R"({"url":"https://h/x"})").message(), HasSubstr("WEBHOOK_SECRET"));
  EXPECT_THAT(parse(R"({"url":"https://h/x","secret":"s","max_records":0})").message(),
              HasSubstr("max_records"));
  EXPECT_THAT(parse(R"({"url":"https://h/x","secret":"s","max_bytes":10})").message(),
              HasSubstr("max_bytes"));
  EXPECT_THAT(
      parse(R"({"url":"https://h/x","secret":"s","headers":{"X-JourneyKit-Signature":"x"}})")
          .message(),
      HasSubstr("set by the connector"));
  EXPECT_EQ(RedactUrl("https://user:pw@h.example:8443/a/hook?token=abc"),
            "https://h.example:8443/a/hook?***");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:9/hook"), "http://127.0.0.1:9/hook");
}

TEST(WebhookConnector, BuildsASignedRequest) {
  journeykit::testing::FakeHost fake;
  plugin::Host host(fake.api());
  plugin::Config config(
      R"({"url":"http://127.0.0.1:9/hook","secret":"s3cret","headers":{"Authorization":"Bearer t0ken"}})");
  WebhookConnector connector(host, config);
  connector.set_clock([] { return kVectorTimestamp; });
  std::vector<std::array<std::string, 3>> rows = {{"event", "web:1", R"({"a":1})"}};
  auto records = Records(rows);  // views into rows
  std::vector<std::string> entries = {EncodeRecord(records[0])};
  plugin::HttpRequest r = connector.BuildRequest(records, entries);
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(h["Content-Type"], "application/json");
  EXPECT_EQ(h["Idempotency-Key"], BatchId(records));
  EXPECT_EQ(h["X-JourneyKit-Timestamp"], std::to_string(kVectorTimestamp));
  EXPECT_EQ(h["X-JourneyKit-Signature"],
            "v1=" + IndependentHmacHex("s3cret", std::to_string(kVectorTimestamp) + "." + r.body));
  EXPECT_EQ(h["Authorization"], "Bearer t0ken");
  EXPECT_THAT(r.body, HasSubstr(BatchId(records)));
}

// ---- whole runs against a loopback receiver -------------------------------------------------

const std::string kSecret = "whsec_9f2c4e1d8b7a6350";

// A receiver that verifies each signature and keeps every batch it accepted (answered 2xx,
// or processed before a reset / a reply too late for the client).
class Receiver {
 public:
  enum class Fault { k429, k500, kReset, kTimeout, k400 };

  Receiver() : server_([this](const MockRequest& r) { return Handle(r); }) {}

  std::string url() const { return server_.url("/hooks/journeykit"); }
  void Queue(Fault f) {
    std::lock_guard lock(mutex_);
    faults_.push_back(f);
  }

  struct Batch {
    std::string id;
    std::vector<std::string> keys;  // type:key
    size_t body_bytes = 0;
  };
  std::vector<Batch> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::vector<std::string> problems() const {
    std::lock_guard lock(mutex_);
    return problems_;
  }
  const MockHttpServer& server() const { return server_; }

 private:
  MockReply Handle(const MockRequest& r) {
    std::lock_guard lock(mutex_);
    if (r.method != "POST") problems_.push_back("method " + r.method);
    if (r.header("content-type") != "application/json") problems_.push_back("content type");
    if (!VerifySignature(kSecret, r.header("x-journeykit-timestamp"), r.body,
                         r.header("x-journeykit-signature"), Now())) {
      problems_.push_back("bad signature on " + r.body.substr(0, 80));
      return MockReply::Json(R"({"error":"bad signature"})", 401);
    }
    simdjson::dom::element root;
    std::string_view id;
    simdjson::dom::array records;
    if (parser_.parse(r.body).get(root) != simdjson::SUCCESS ||
        root["batch_id"].get_string().get(id) != simdjson::SUCCESS ||
        root["records"].get_array().get(records) != simdjson::SUCCESS) {
      problems_.push_back("malformed body");
      return MockReply::Json("{}", 400);
    }
    if (r.header("idempotency-key") != id) problems_.push_back("Idempotency-Key != batch_id");
    Batch batch{std::string(id), {}, r.body.size()};
    for (simdjson::dom::element rec : records) {
      std::string_view type, key;
      simdjson::dom::object data;
      if (rec["type"].get_string().get(type) != simdjson::SUCCESS ||
          rec["key"].get_string().get(key) != simdjson::SUCCESS ||
          rec["data"].get_object().get(data) != simdjson::SUCCESS) {
        problems_.push_back("malformed record");
      }
      batch.keys.push_back(std::string(type) + ":" + std::string(key));
    }
    std::optional<Fault> fault;
    if (!faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
    }
    if (fault == Fault::k429) return MockReply::Json(R"({"error":"slow down"})", 429);
    if (fault == Fault::k500) return MockReply::Json(R"({"error":"oops"})", 500);
    if (fault == Fault::k400) {
      return MockReply::Json(R"({"error":"unknown field 'records'"})", 400);
    }
    accepted_.push_back(batch);  // processed: a reset or a late reply loses only the answer
    MockReply reply = MockReply::Json(R"({"accepted":)" + std::to_string(batch.keys.size()) + "}");
    if (fault == Fault::kReset) reply.fault = MockReply::Fault::kResetMidBody;
    if (fault == Fault::kTimeout) reply.delay = std::chrono::milliseconds(900);
    return reply;
  }

  mutable std::mutex mutex_;
  std::deque<Fault> faults_;
  std::vector<Batch> accepted_;
  std::vector<std::string> problems_;
  simdjson::dom::parser parser_;
  MockHttpServer server_;  // last: stopped before the members its handler uses
};

class WebhookRun : public ::testing::Test {
 protected:
  void SetUp() override { WriteEvents(120); }

  // `n` events of 12 people: page views, and a purchase every 10th.
  void WriteEvents(int n) {
    std::string lines;
    for (int i = 0; i < n; ++i) {
      char ts[40];
      std::snprintf(ts, sizeof ts, "2024-03-%02dT10:%02d:00Z", 1 + i / 60, i % 60);
      lines += R"({"id":"e)" + std::to_string(i) + R"(","ts":")" + ts + R"(","action":")" +
               (i % 10 == 9 ? "purchase" : "page_view") + R"(","user":"u)" +
               std::to_string(i % 12) + "\"}\n";
    }
    journeykit::testing::WriteFile(dir_.file("events.ndjson"), lines);
    events_ = n;
  }

  Result<RunReport> Run(const std::string& connector_extra = "",
                        const std::string& receives = R"(["events"])",
                        const std::string& http = "") {
    std::string path = dir_.file("pipeline.json");
    std::ostringstream p;
    p << R"({"version": 1, "plugin_paths": [")" << JK_PLUGIN_DIR << R"("],
      "state": {"path": "out/state.db"},
      "http": {"backoff_base_ms": 5, "backoff_max_ms": 20, "attempt_timeout_ms": 300,
               "time_budget_ms": 8000, "max_attempts": 5)"
      << (http.empty() ? "" : ", " + http) << R"(},
      "sources": [{"name": "web", "plugin": "events-file", "config": {
        "path": "events.ndjson", "format": "ndjson", "time_field": "ts",
        "action_field": "action", "id_field": "id", "identity_fields": {"user_id": "user"}}}],
      "connectors": [{"name": "hook", "plugin": "webhook", "receives": )"
      << receives << (delivery_.empty() ? "" : ", \"delivery\": " + delivery_)
      << R"(, "config": {"url": ")" << (url_.empty() ? receiver_.url() : url_)
      << R"(", "secret": ")" << kSecret
      << R"(", "headers": {"Authorization": "Bearer tok_1234567890"})"
      << (connector_extra.empty() ? "" : ", " + connector_extra) << R"(}}],
      "model": {"stages": [{"id": "visit", "name": "Visit", "when": [{"action": "page_view"}]},
                           {"id": "buy", "name": "Buy", "goal": true,
                            "when": [{"action": "purchase"}]}]}})";
    journeykit::testing::WriteFile(path, p.str());
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto pipeline = Pipeline::Open(path, options);
    if (!pipeline.ok()) return pipeline.status();
    return (*pipeline)->Run();
  }

  std::set<std::string> ExpectedEventKeys() const {
    std::set<std::string> keys;
    for (int i = 0; i < events_; ++i) keys.insert("event:web:e" + std::to_string(i));
    return keys;
  }

  // Every record exactly once after deduplicating by batch id; duplicates (returned) only
  // as whole repeats of a batch with the same id and the same records.
  size_t ExpectExactlyOnceByBatchId(const std::set<std::string>& expected) {
    std::map<std::string, std::vector<std::string>> by_id;
    size_t duplicate_records = 0;
    for (const auto& b : receiver_.accepted()) {
      auto [it, fresh] = by_id.emplace(b.id, b.keys);
      if (!fresh) {
        EXPECT_EQ(it->second, b.keys) << "batch " << b.id << " came back with other records";
        duplicate_records += b.keys.size();
      }
    }
    std::multiset<std::string> got;
    for (const auto& [id, keys] : by_id) got.insert(keys.begin(), keys.end());
    EXPECT_EQ(got.size(), expected.size());
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected);
    EXPECT_THAT(receiver_.problems(), ::testing::IsEmpty());
    return duplicate_records;
  }

  void TearDown() override {
    EXPECT_THAT(log_, Not(HasSubstr(kSecret)));
    EXPECT_THAT(log_, Not(HasSubstr("tok_1234567890")));
  }

  journeykit::testing::TempDir dir_;
  Receiver receiver_;
  int events_ = 0;
  std::string url_;       // empty: the receiver's
  std::string delivery_;  // the connector's "delivery" object, when set
  std::string log_;
};

TEST_F(WebhookRun, DeliversSignedBatchesWithTheIdempotencyKey) {
  WriteEvents(1200);
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto batches = receiver_.accepted();
  ASSERT_EQ(batches.size(), 3u);  // the host writes 1000 + 200; max_records 500
  EXPECT_EQ(batches[0].keys.size(), 500u);
  EXPECT_EQ(batches[1].keys.size(), 500u);
  EXPECT_EQ(batches[2].keys.size(), 200u);
  EXPECT_EQ(ExpectExactlyOnceByBatchId(ExpectedEventKeys()), 0u);
  for (const auto& q : receiver_.server().requests()) {
    EXPECT_EQ(q.header("authorization"), "Bearer tok_1234567890");
    EXPECT_EQ(q.header("x-journeykit-batch-id"), q.header("idempotency-key"));
    EXPECT_EQ(q.path(), "/hooks/journeykit");
  }
  EXPECT_THAT(log_, HasSubstr("1200 records delivered in 3 batches"));
}

TEST_F(WebhookRun, BatchesByCount) {
  auto r = Run(R"("max_records": 7)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto batches = receiver_.accepted();
  ASSERT_EQ(batches.size(), 18u);  // ceil(120 / 7)
  for (const auto& b : batches) EXPECT_LE(b.keys.size(), 7u);
  EXPECT_EQ(ExpectExactlyOnceByBatchId(ExpectedEventKeys()), 0u);
}

TEST_F(WebhookRun, BatchesByBytes) {
  auto r = Run(R"("max_bytes": 4096)", R"(["events", "journeys"])");
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto batches = receiver_.accepted();
  EXPECT_GT(batches.size(), 4u);
  std::set<std::string> expected = ExpectedEventKeys();  // plus the journeys seen below
  size_t journeys = 0;
  for (const auto& b : batches) {
    EXPECT_LE(b.body_bytes, 4096u);
    std::string type = b.keys.front().substr(0, b.keys.front().find(':'));
    for (const auto& k : b.keys) {
      EXPECT_EQ(k.substr(0, k.find(':')), type) << "one type per batch";
      if (type == "journey") {
        expected.insert(k);
        ++journeys;
      }
    }
  }
  EXPECT_EQ(journeys, 12u);
  EXPECT_EQ(ExpectExactlyOnceByBatchId(expected), 0u);
}

struct FaultCase {
  Receiver::Fault fault;
  const char* name;
  bool receiver_processed;  // the receiver took the batch but the answer was lost
};

class WebhookFault : public WebhookRun, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(WebhookFault, RetriedUntilAcceptedWithNothingLost) {
  const FaultCase& c = GetParam();
  receiver_.Queue(c.fault);
  auto r = Run(R"("max_records": 50)");
  ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().message();
  size_t duplicates = ExpectExactlyOnceByBatchId(ExpectedEventKeys());
  // The first batch (50 records) was sent twice; only a processed one is a duplicate.
  EXPECT_EQ(duplicates, c.receiver_processed ? 50u : 0u) << c.name;
  auto q = receiver_.server().requests();
  ASSERT_EQ(q.size(), 3u + 1u) << c.name;  // batches of 50, 50, 20 and one retry
  EXPECT_EQ(q[0].header("idempotency-key"), q[1].header("idempotency-key"));
  EXPECT_EQ(q[0].body, q[1].body);
}

INSTANTIATE_TEST_SUITE_P(Faults, WebhookFault,
                         ::testing::Values(FaultCase{Receiver::Fault::k429, "Http429", false},
                                           FaultCase{Receiver::Fault::k500, "Http500", false},
                                           FaultCase{Receiver::Fault::kReset, "Reset", true},
                                           FaultCase{Receiver::Fault::kTimeout, "Timeout", true}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(WebhookRun, A400FailsWithTheUrlStatusAndBatchId) {
  receiver_.Queue(Receiver::Fault::k400);
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto q = receiver_.server().requests();
  ASSERT_EQ(q.size(), 1u);  // not retried
  std::string id = q[0].header("idempotency-key");
  const Status& s = r->deliveries.at(0).status;
  EXPECT_THAT(s.message(), HasSubstr(receiver_.url()));
  EXPECT_THAT(s.message(), HasSubstr("HTTP 400"));
  EXPECT_THAT(s.message(), HasSubstr("batch " + id));
  EXPECT_THAT(s.message(), HasSubstr("unknown field"));
  EXPECT_THAT(s.message(), Not(HasSubstr(kSecret)));
  // The batch is in the dead-letter store with that reason.
  EXPECT_EQ(r->deliveries[0].failed, static_cast<uint64_t>(events_));
  EXPECT_EQ(r->deliveries[0].dead_letters, static_cast<uint64_t>(events_));
}

TEST_F(WebhookRun, TheUrlIsRedactedInErrors) {
  receiver_.Queue(Receiver::Fault::k400);
  url_ = receiver_.url() + "?token=hunter2-secret-value";
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(receiver_.server().requests().at(0).query("token"), "hunter2-secret-value");
  const Status& s = r->deliveries.at(0).status;
  EXPECT_THAT(s.message(), HasSubstr("HTTP 400"));
  EXPECT_THAT(s.message(), Not(HasSubstr("hunter2-secret-value")));
  EXPECT_THAT(log_, Not(HasSubstr("hunter2-secret-value")));
}

TEST_F(WebhookRun, TheIdempotencyKeysAreStableAcrossARerun) {
  delivery_ = R"({"mode": "snapshot"})";  // send everything again on the rerun
  auto first = Run(R"("max_records": 30)", R"(["events", "journeys"])");
  ASSERT_TRUE(first.ok()) << first.status().message();
  std::vector<std::string> ids;
  for (const auto& b : receiver_.accepted()) ids.push_back(b.id);
  ASSERT_EQ(ids.size(), 4u + 1u);
  auto second = Run(R"("max_records": 30)", R"(["events", "journeys"])");
  ASSERT_TRUE(second.ok()) << second.status().message();
  auto all = receiver_.accepted();
  ASSERT_EQ(all.size(), 2 * ids.size());
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(all[ids.size() + i].id, ids[i]);
}

TEST_F(WebhookRun, AWrongConfigIsReported) {
  auto r = Run(R"("max_records": 0)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_THAT(r->deliveries.at(0).status.message(), HasSubstr("max_records"));
  EXPECT_EQ(r->deliveries[0].pending, static_cast<uint64_t>(events_));
  EXPECT_TRUE(receiver_.server().requests().empty());
}

}  // namespace
}  // namespace journeykit::webhook

// hubspot_test.cpp — the hubspot connector: options, journey → contact mapping, batch bodies
// and plan, the api-formats §10 207 / error / 429 bodies; the connector driven directly with
// records of the host's record contract against a loopback HubSpot (mock_hubspot_api.hpp);
// and whole pipeline runs (events-file → journeys → hubspot) through the real host and HTTP
// layer under 207, 429, 500, reset, timeout and 401.
#include <journeykit/pipeline.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "hubspot_connector.hpp"
#include "hubspot_contacts.hpp"
#include "hubspot_options.hpp"
#include "hubspot_responses.hpp"
#include "plugins/test_files.hpp"
#include "support/fake_host.hpp"
#include "support/mock_hubspot_api.hpp"

namespace journeykit::hubspot {
namespace {

using journeykit::testing::MockHubSpotApi;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Fault = MockHubSpotApi::Fault;

const std::string kToken = "pat-na1-11111111-2222-3333-4444-555555555555";

// SHA-256 of "jana@example.org" (printf 'jana@example.org' | sha256sum).
const std::string kJanaSha = "2ce29f16dc2557d219c38b5ccd6936cb6b4e6ac7564a3e99e75b6547d534066f";

// ---- records of the host's record contract ----------------------------------------------------

struct Row {
  std::string type, key, json;
};
std::vector<jk_record> Records(const std::vector<Row>& rows) {
  std::vector<jk_record> out;
  for (const Row& r : rows) {
    out.push_back(jk_record{sizeof(jk_record), plugin::ToJk(r.type), plugin::ToJk(r.key),
                            plugin::ToJk(r.json)});
  }
  return out;
}

// A `journey` record; `email` empty: the person has none.
Row Journey(const std::string& person, const std::string& email, const std::string& sha = "") {
  std::string json = R"({"person_id":")" + person + "\"";
  if (!email.empty()) json += R"(,"email":")" + email + "\"";
  if (!sha.empty()) json += R"(,"email_sha256":")" + sha + "\"";
  json +=
      R"(,"identities":["email:x","ga_client:1.2"],"segments":["webinar_registrants","buyers"],)"
      R"("events":42,"first_seen":"2026-01-02T10:00:00.000000Z",)"
      R"("last_seen":"2026-01-03T09:00:00.250000Z","current_stage":"purchase",)"
      R"("current_stage_name":"Purchase","stage_entries":{"awareness":"2026-01-02T10:00:00.000000Z"},)"
      R"("last_touchpoint":"email","last_channel":"email","nps":9,"nps_category":"promoter"})";
  return {"journey", person, json};
}

std::map<std::string, std::string> Props(const ContactInput& in) {
  return {in.properties.begin(), in.properties.end()};
}

HubSpotOptions Options(const std::string& extra = "") {
  plugin::Config c(R"({"access_token":")" + kToken + "\"" + (extra.empty() ? "" : "," + extra) +
                   "}");
  auto o = ParseHubSpotOptions(c);
  if (!o.ok()) throw std::runtime_error(o.status().message());
  return *o;
}

// ---- options ----------------------------------------------------------------------------------

TEST(HubSpotOptions, DefaultsAndValidation) {
  HubSpotOptions o = Options();
  EXPECT_EQ(o.base_url, "https://api.hubapi.com");
  EXPECT_EQ(o.batch_size, 100u);
  EXPECT_EQ(o.property_prefix, "journeykit_");
  EXPECT_EQ(o.id_property, "email");
  EXPECT_FALSE(o.hashed_ids());
  EXPECT_EQ(o.requests_per_10s, 100u);
  EXPECT_EQ(o.upsert_url(), "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert");
  EXPECT_EQ(Options(R"("base_url":"http://127.0.0.1:9/")").base_url, "http://127.0.0.1:9");

  auto error = [](const std::string& json) {
    plugin::Config c(json);
    auto parsed = ParseHubSpotOptions(c);
    return parsed.ok() ? std::string() : parsed.status().message();
  };
  EXPECT_THAT(error("{}"), HasSubstr("HUBSPOT_ACCESS_TOKEN"));
  EXPECT_THAT(error(R"({"access_token":"Bearer pat-1"})"), HasSubstr("no \"Bearer \" prefix"));
  EXPECT_THAT(error(R"({"access_token":"t","batch_size":101})"), HasSubstr("'batch_size'"));
  EXPECT_THAT(error(R"({"access_token":"t","batch_size":0})"), HasSubstr("'batch_size'"));
  EXPECT_THAT(error(R"({"access_token":"t","base_url":"ftp://x"})"), HasSubstr("'base_url'"));
  EXPECT_THAT(error(R"({"access_token":"t","property_prefix":"Journey-"})"),
              HasSubstr("'property_prefix'"));
  EXPECT_THAT(error(R"({"access_token":"t","id_property":"E Mail"})"), HasSubstr("'id_property'"));
  EXPECT_THAT(error(R"({"access_token":"t","requests_per_10s":0})"),
              HasSubstr("'requests_per_10s'"));
  EXPECT_EQ(error(R"({"access_token":"t","property_prefix":""})"), "");
  // No message repeats the token it was given.
  EXPECT_THAT(error(R"({"access_token":"pat-secret 1"})"), Not(HasSubstr("pat-secret")));
}

TEST(HubSpotOptions, TheBudgetKeyNamesTheAccountWithoutTheToken) {
  std::string key = BudgetKey(kToken);
  EXPECT_EQ(key.rfind("hubspot:", 0), 0u);
  EXPECT_EQ(key.size(), 8u + 16u);
  EXPECT_THAT(key, Not(HasSubstr(kToken.substr(8, 8))));
  EXPECT_EQ(BudgetKey(kToken), key);
  EXPECT_NE(BudgetKey(kToken + "x"), key);
  EXPECT_EQ(BudgetKey(""), "hubspot:cbf29ce484222325");  // the FNV-1a 64 offset basis
}

// ---- mapping, bodies, plan ----------------------------------------------------------------------

TEST(HubSpotContacts, EpochMillisFromTheRecordTimes) {
  EXPECT_EQ(IsoToEpochMillis("2026-01-01T00:00:00.000000Z"), "1767225600000");
  EXPECT_EQ(IsoToEpochMillis("2026-01-02T10:00:00.000000Z"), "1767348000000");
  EXPECT_EQ(IsoToEpochMillis("2026-01-03T09:00:00.250999Z"), "1767430800250");
  EXPECT_EQ(IsoToEpochMillis("yesterday"), "");
  EXPECT_EQ(IsoToEpochMillis(""), "");
}

TEST(HubSpotContacts, AJourneyBecomesAContactByEmail) {
  simdjson::dom::parser parser;
  std::vector<Row> rows = {Journey("p_1", "jana@example.org", kJanaSha)};
  auto records = Records(rows);
  ContactInput in;
  std::string problem;
  ASSERT_EQ(JourneyToContact(parser, records[0], Options(), in, problem), MapOutcome::kMapped)
      << problem;
  EXPECT_EQ(in.id, "jana@example.org");
  EXPECT_EQ(in.trace_id, "p_1");
  std::map<std::string, std::string> expected = {
      {"journeykit_journey_stage", "purchase"},
      {"journeykit_journey_stage_name", "Purchase"},
      {"journeykit_last_touchpoint", "email"},
      {"journeykit_last_channel", "email"},
      {"journeykit_segments", "webinar_registrants;buyers"},
      {"journeykit_nps", "9"},
      {"journeykit_nps_category", "promoter"},
      {"journeykit_first_seen", "1767348000000"},
      {"journeykit_last_seen", "1767430800250"},
      {"journeykit_events", "42"}};
  EXPECT_EQ(Props(in), expected);
  ASSERT_EQ(in.properties.size(), kPropertyNames.size());
  for (size_t i = 0; i < kPropertyNames.size(); ++i) {
    EXPECT_EQ(in.properties[i].first, "journeykit_" + std::string(kPropertyNames[i]));
  }
}

TEST(HubSpotContacts, NullsClearAndNoEmailMeansNoContact) {
  simdjson::dom::parser parser;
  std::vector<Row> rows = {
      {"journey", "p_2",
       R"({"person_id":"p_2","email":"omar@example.net","identities":[],"segments":[],"events":1,
           "first_seen":"2026-01-04T12:00:00.000000Z","last_seen":"2026-01-04T12:00:00.000000Z",
           "current_stage":null,"current_stage_name":null,"stage_entries":{},
           "last_touchpoint":"site","last_channel":"web","nps":null,"nps_category":null})"},
      {"journey", "p_3", R"({"person_id":"p_3","identities":["ga_client:1"],"events":2})"},
      {"journey", "p_4", R"([1,2])"},
      {"journey", "p_5", R"({"person_id":"p_5","email":"x@y.z","first_seen":"soon"})"}};
  auto records = Records(rows);
  ContactInput in;
  std::string problem;
  ASSERT_EQ(
      JourneyToContact(parser, records[0], Options(R"("property_prefix":"cj_")"), in, problem),
      MapOutcome::kMapped);
  auto p = Props(in);
  EXPECT_EQ(p["cj_journey_stage"], "");
  EXPECT_EQ(p["cj_journey_stage_name"], "");
  EXPECT_EQ(p["cj_segments"], "");
  EXPECT_EQ(p["cj_nps"], "");
  EXPECT_EQ(p["cj_nps_category"], "");
  EXPECT_EQ(p["cj_last_channel"], "web");
  EXPECT_EQ(p["cj_events"], "1");
  EXPECT_EQ(JourneyToContact(parser, records[1], Options(), in, problem), MapOutcome::kNoIdentity);
  EXPECT_EQ(JourneyToContact(parser, records[2], Options(), in, problem), MapOutcome::kMalformed);
  EXPECT_EQ(JourneyToContact(parser, records[3], Options(), in, problem), MapOutcome::kMalformed);
  EXPECT_THAT(problem, HasSubstr("first_seen"));
}

TEST(HubSpotContacts, HashedIdsUseTheHashAndNeverTheEmail) {
  simdjson::dom::parser parser;
  std::vector<Row> rows = {Journey("p_1", "jana@example.org", kJanaSha), Journey("p_2", "", ""),
                           Journey("p_3", "", "NOT-HEX")};
  auto records = Records(rows);
  HubSpotOptions o = Options(R"("id_property":"journeykit_email_sha256")");
  ContactInput in;
  std::string problem;
  ASSERT_EQ(JourneyToContact(parser, records[0], o, in, problem), MapOutcome::kMapped);
  EXPECT_EQ(in.id, kJanaSha);
  std::vector<size_t> all = {0};
  std::vector<ContactInput> inputs = {in};
  std::string body = BuildUpsertBody(inputs, all, o.id_property);
  EXPECT_THAT(body, Not(HasSubstr("jana")));
  EXPECT_THAT(body, HasSubstr(R"("idProperty":"journeykit_email_sha256")"));
  EXPECT_EQ(JourneyToContact(parser, records[1], o, in, problem), MapOutcome::kNoIdentity);
  EXPECT_EQ(JourneyToContact(parser, records[2], o, in, problem), MapOutcome::kMalformed);
}

TEST(HubSpotContacts, TheBodyHasHubSpotsShape) {
  std::vector<ContactInput> inputs(2);
  inputs[0].id = "jana@example.org";
  inputs[0].trace_id = "p_\"1\"";
  inputs[0].properties = {{"journeykit_events", "3"}, {"journeykit_segments", "a;b"}};
  inputs[1].id = "omar@example.net";
  inputs[1].trace_id = "p_2";
  std::vector<size_t> chunk = {1, 0};
  std::string body = BuildUpsertBody(inputs, chunk, "email");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  simdjson::dom::array list = root["inputs"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(std::string_view(list.at(0)["id"]), "omar@example.net");
  EXPECT_EQ(std::string_view(list.at(1)["idProperty"]), "email");
  EXPECT_EQ(std::string_view(list.at(1)["objectWriteTraceId"]), "p_\"1\"");
  EXPECT_EQ(std::string_view(list.at(1)["properties"]["journeykit_segments"]), "a;b");
  EXPECT_EQ(simdjson::dom::object(list.at(0)["properties"]).size(), 0u);
}

TEST(HubSpotContacts, ThePlanCapsBatchesAndKeepsAnIdOncePerCall) {
  std::vector<ContactInput> inputs(250);
  for (size_t i = 0; i < inputs.size(); ++i) inputs[i].id = "p" + std::to_string(i) + "@x.org";
  auto chunks = PlanChunks(inputs, 100);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].inputs.size(), 100u);
  EXPECT_EQ(chunks[2].inputs.size(), 50u);
  EXPECT_EQ(chunks[2].inputs.back(), 249u);
  inputs[7].id = inputs[3].id;
  inputs[9].id = inputs[3].id;
  chunks = PlanChunks(inputs, 100);
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(chunks[3].round, 1u);
  EXPECT_THAT(chunks[3].inputs, ElementsAre(7u));
  EXPECT_THAT(chunks[4].inputs, ElementsAre(9u));
  EXPECT_EQ(chunks[4].round, 2u);
  size_t total = 0;
  for (const Chunk& c : chunks) {
    EXPECT_LE(c.inputs.size(), 100u);
    std::set<std::string> ids;
    for (size_t i : c.inputs) EXPECT_TRUE(ids.insert(inputs[i].id).second);
    total += c.inputs.size();
  }
  EXPECT_EQ(total, 250u);
}

// ---- responses: the bodies of docs api-formats §10 ----------------------------------------------

TEST(HubSpotResponses, The207SampleOfTheApiFormats) {
  const std::string body = R"({
  "status": "COMPLETE",
  "results": [
    {"id": "512", "new": false, "objectWriteTraceId": "row-1",
     "properties": {"email": "jana@example.org", "firstname": "Jana", "cj_journey_stage": "purchased",
                    "createdate": "2024-01-02T10:00:00.000Z", "lastmodifieddate": "2024-03-15T08:00:01.234Z", "hs_object_id": "512"},
     "createdAt": "2024-01-02T10:00:00.000Z", "updatedAt": "2024-03-15T08:00:01.234Z", "archived": false}
  ],
  "numErrors": 1,
  "errors": [
    {"status": "error", "category": "VALIDATION_ERROR",
     "message": "Property values were not valid: [{\"isValid\":false,\"message\":\"Email address old@example.net is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]",
     "context": {"objectWriteTraceId": ["row-2"]}}
  ],
  "requestedAt": "2024-03-15T08:00:00.900Z",
  "startedAt": "2024-03-15T08:00:01.000Z",
  "completedAt": "2024-03-15T08:00:01.300Z"
})";
  auto r = ParseBatchResult(body);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, "COMPLETE");
  EXPECT_EQ(r->results, 1u);
  EXPECT_EQ(r->created, 0u);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].category, "VALIDATION_ERROR");
  EXPECT_THAT(r->errors[0].message, HasSubstr("Email address old@example.net is invalid"));
  EXPECT_THAT(r->errors[0].trace_ids, ElementsAre("row-2"));
  EXPECT_FALSE(ParseBatchResult("<html>").ok());
  // numErrors beyond the listed errors: unidentifiable entries.
  auto more = ParseBatchResult(R"({"status":"COMPLETE","results":[],"numErrors":2,"errors":[]})");
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->errors.size(), 2u);
}

TEST(HubSpotResponses, ErrorBodiesAndBoth429Forms) {
  ApiError legacy = ParseApiError(
      R"({"status":"error","message":"You have reached your secondly limit.","correlationId":"de61843f-b3ab-4bc1-8c54-358e37eb0621","category":"RATE_LIMITS"})");
  EXPECT_EQ(DescribeApiError(legacy),
            "RATE_LIMITS: You have reached your secondly limit. (correlationId "
            "de61843f-b3ab-4bc1-8c54-358e37eb0621)");
  ApiError rolling = ParseApiError(
      R"({"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c1","policyName":"TEN_SECONDLY_ROLLING"})");
  EXPECT_EQ(DescribeApiError(rolling),
            "RATE_LIMIT TEN_SECONDLY_ROLLING: You have reached your ten_secondly_rolling limit. "
            "(correlationId c1)");
  ApiError validation = ParseApiError(
      R"({"status":"error","message":"Invalid input","correlationId":"aeb5","category":"VALIDATION_ERROR","errors":[{"message":"Email address x is invalid","code":"INVALID_EMAIL","context":{"propertyName":["email"]}}]})");
  EXPECT_EQ(DescribeApiError(validation),
            "VALIDATION_ERROR: Invalid input [Email address x is invalid] (correlationId aeb5)");
  EXPECT_TRUE(ParseApiError("Bad Gateway").empty());
  EXPECT_EQ(DescribeApiError(ParseApiError("")), "");
}

// ---- the connector on its own, against the mock
// ---------------------------------------------------

// A host with HTTP for driving the connector without a pipeline: each request gets one
// plain-HTTP attempt (retries are the host's; the pipeline tests cover them). Secrets are
// not redacted here, so a token in a message is visible to the tests.
class HttpTestHost {
 public:
  HttpTestHost() {
    api_ = *fake.api();
    api_.http_send = &Send;
    api_.add_secret = [](void*, jk_str) {};
  }
  const jk_host_api* api() const { return &api_; }
  journeykit::testing::FakeHost fake;

 private:
  static int32_t Send(void*, const jk_http_request* requests, size_t count, jk_http_sink sink,
                      void* sink_ctx) {
    for (size_t i = 0; i < count; ++i) {
      namespace beast = boost::beast;
      namespace bhttp = boost::beast::http;
      const jk_http_request& q = requests[i];
      std::string url(plugin::FromJk(q.url));
      std::string rest = url.substr(url.find("://") + 3);
      std::string hostport = rest.substr(0, rest.find('/'));
      std::string target = rest.substr(hostport.size());
      uint16_t port = static_cast<uint16_t>(std::stoi(hostport.substr(hostport.find(':') + 1)));
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket socket(io);
      boost::system::error_code ec;
      socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
      bhttp::request<bhttp::string_body> req{
          bhttp::string_to_verb(std::string(plugin::FromJk(q.method))), target, 11};
      req.set(bhttp::field::host, hostport);
      for (size_t h = 0; h < q.header_count; ++h) {
        req.set(std::string(plugin::FromJk(q.headers[h].key)),
                std::string(plugin::FromJk(q.headers[h].value)));
      }
      req.body() = std::string(plugin::FromJk(q.body));
      req.prepare_payload();
      bhttp::response<bhttp::string_body> res;
      if (!ec) bhttp::write(socket, req, ec);
      beast::flat_buffer buffer;
      if (!ec) bhttp::read(socket, buffer, res, ec);
      jk_http_response out{};
      out.struct_size = sizeof out;
      out.attempts = 1;
      std::string error, body;
      std::vector<std::string> names, values;
      std::vector<jk_pair> headers;
      if (ec) {
        error = std::string(plugin::FromJk(q.method)) + " " + url + " → " + ec.message();
      } else {
        out.status = static_cast<int32_t>(res.result_int());
        body = res.body();
        for (const auto& f : res) {
          std::string n(f.name_string());
          std::transform(n.begin(), n.end(), n.begin(), ::tolower);
          names.push_back(n);
          values.emplace_back(f.value());
        }
        for (size_t h = 0; h < names.size(); ++h) {
          headers.push_back(jk_pair{plugin::ToJk(names[h]), plugin::ToJk(values[h])});
        }
        if (out.status >= 400) {
          error = std::string(plugin::FromJk(q.method)) + " " + url + " → HTTP " +
                  std::to_string(out.status) + ": " + body.substr(0, 300);
        }
      }
      out.headers = headers.data();
      out.header_count = headers.size();
      out.body = plugin::ToJk(body);
      out.error = plugin::ToJk(error);
      sink(sink_ctx, i, &out);
    }
    return JK_OK;
  }
  jk_host_api api_{};
};

class HubSpotDirect : public ::testing::Test {
 protected:
  HubSpotDirect() : api_(kToken) {}

  std::unique_ptr<HubSpotConnector> Make(const std::string& extra = "") {
    plugin::Config config(R"({"access_token":")" + token_ + R"(","base_url":")" + api_.base_url() +
                          "\"" + (extra.empty() ? "" : "," + extra) + "}");
    return std::make_unique<HubSpotConnector>(host_obj_, config);
  }
  void TearDown() override {
    EXPECT_THAT(api_.problems(), IsEmpty());
    for (const auto& l : host_.fake.logs) EXPECT_THAT(l.message, Not(HasSubstr(kToken)));
  }

  MockHubSpotApi api_;
  HttpTestHost host_;
  plugin::Host host_obj_{host_.api()};
  std::string token_ = kToken;
};

TEST_F(HubSpotDirect, UpsertsJourneysAndIgnoresOtherTypes) {
  auto c = Make();
  ASSERT_TRUE(c->check().ok());
  std::vector<Row> rows = {
      Journey("p_1", "jana@example.org", kJanaSha),
      {"event", "web:e1", R"({"person_id":"p_1","source":"web","event_id":"e1"})"},
      {"stage_change", "p_1:purchase", R"({"person_id":"p_1","stage":"purchase"})"},
      Journey("p_2", "", ""),
      Journey("p_3", "omar@example.net", std::string(64, 'b')),
      {"event", "web:e2", R"({"person_id":"p_3"})"},
      Journey("p_6", "", kJanaSha)};  // an address the host did not keep
  auto records = Records(rows);
  Status s = c->write(records);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(c->flush().ok());
  auto contacts = api_.contacts();
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts["jana@example.org"].properties["journeykit_journey_stage"], "purchase");
  EXPECT_EQ(contacts["omar@example.net"].properties["journeykit_segments"],
            "webinar_registrants;buyers");
  auto calls = api_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_THAT(calls[0].trace_ids, ElementsAre("p_1", "p_3"));
  EXPECT_TRUE(host_.fake.bad_records.empty());
  EXPECT_TRUE(host_.fake.logged("2 contacts upserted (2 new) in 1 batch call"));
  EXPECT_TRUE(host_.fake.logged("1 journey skipped: no e-mail address"));
  EXPECT_TRUE(host_.fake.logged("1 journey skipped: the record has an e-mail hash but no address"));
  EXPECT_TRUE(host_.fake.logged("keep_email_addresses"));
  EXPECT_TRUE(host_.fake.logged("ignored 2 event, 1 stage_change records"));
  EXPECT_TRUE(host_.fake.logged("uses journey records only"));
  for (const auto& q : api_.server().requests()) {
    EXPECT_EQ(q.header("authorization"), "Bearer " + kToken);
  }
}

TEST_F(HubSpotDirect, A207RejectsExactlyTheRefusedRecords) {
  api_.RefuseId("bad@invalid");                                                // by trace id
  api_.RefuseId("worse@invalid", MockHubSpotApi::ErrorContext::kIds);          // by id
  api_.RefuseId("worst@invalid", MockHubSpotApi::ErrorContext::kMessageOnly);  // in the message
  auto c = Make();
  std::vector<Row> rows = {
      Journey("p_1", "jana@example.org"), Journey("p_2", "bad@invalid"),
      Journey("p_3", "worse@invalid"),    Journey("p_4", "worst@invalid"),
      Journey("p_5", "omar@example.net"), Journey("p_6", "st@invalid")};  // inside "worst@invalid"
  auto records = Records(rows);
  Status s = c->write(records);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(api_.contacts().size(), 3u);
  ASSERT_EQ(host_.fake.bad_records.size(), 3u);
  std::set<std::string> keys;
  for (const auto& b : host_.fake.bad_records) {
    keys.insert(b.location);
    EXPECT_THAT(b.reason,
                ::testing::StartsWith("VALIDATION_ERROR: Property values were not valid"));
    EXPECT_THAT(b.raw, HasSubstr("\"person_id\":\"" + b.location + "\""));
  }
  EXPECT_EQ(keys, (std::set<std::string>{"p_2", "p_3", "p_4"}));
  ASSERT_TRUE(c->flush().ok());
  EXPECT_TRUE(host_.fake.logged("3 contacts upserted"));
  EXPECT_TRUE(host_.fake.logged("3 refused and set aside"));
}

TEST_F(HubSpotDirect, A207ErrorNamingNoRecordFailsTheBatch) {
  api_.RefuseId("bad@invalid", MockHubSpotApi::ErrorContext::kNothing);
  auto c = Make();
  std::vector<Row> rows = {Journey("p_1", "jana@example.org"), Journey("p_2", "bad@invalid")};
  auto records = Records(rows);
  Status s = c->write(records);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("does not say which"));
  EXPECT_THAT(s.message(), HasSubstr("journeykit replay"));
  EXPECT_TRUE(host_.fake.bad_records.empty()) << "a failed write sets nothing aside";
}

TEST_F(HubSpotDirect, BatchesOfAtMostBatchSizeAndDuplicatesInLaterCalls) {
  auto c = Make(R"("batch_size":7)");
  std::vector<Row> rows;
  for (int i = 0; i < 30; ++i) {
    rows.push_back(Journey("p_" + std::to_string(i), "u" + std::to_string(i) + "@example.org"));
  }
  rows.push_back(Journey("p_dup", "u3@example.org"));  // a second person with the same e-mail
  auto records = Records(rows);
  Status s = c->write(records);
  ASSERT_TRUE(s.ok()) << s.message();
  auto calls = api_.calls();
  ASSERT_EQ(calls.size(), 6u);  // ceil(30 / 7) + the duplicate alone, after the others
  for (const auto& call : calls) EXPECT_LE(call.ids.size(), 7u);
  EXPECT_THAT(calls.back().trace_ids, ElementsAre("p_dup"));
  EXPECT_EQ(api_.contacts().size(), 30u);
  EXPECT_EQ(api_.contacts()["u3@example.org"].writes, 2);
}

TEST_F(HubSpotDirect, FailuresNameTheCallHubSpotsWordsAndWhatToDo) {
  struct Case {
    Fault fault;
    std::vector<std::string> expected;
  };
  std::vector<Case> cases = {
      {Fault::k401, {"HTTP 401", "INVALID_AUTHENTICATION", "HUBSPOT_ACCESS_TOKEN", "not retried"}},
      {Fault::k403, {"HTTP 403", "MISSING_SCOPES", "crm.objects.contacts.write"}},
      {Fault::k400,
       {"HTTP 400", "VALIDATION_ERROR", "correlationId aeb5f871-7f07-4993-9211-075dc63e7cbf",
        "README"}},
      {Fault::k429Rolling, {"rate-limited", "RATE_LIMIT TEN_SECONDLY_ROLLING", "requests_per_10s"}},
      {Fault::k429Legacy, {"rate-limited", "RATE_LIMITS: You have reached your secondly limit."}},
      {Fault::k500, {"HTTP 500", "journeykit replay"}},
  };
  std::vector<Row> rows = {Journey("p_1", "jana@example.org")};
  auto records = Records(rows);
  for (const Case& k : cases) {
    api_.Queue(k.fault);
    auto c = Make();
    Status s = c->write(records);
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("hubspot: POST " + api_.base_url() +
                                       "/crm/v3/objects/contacts/batch/upsert"));
    EXPECT_THAT(s.message(), HasSubstr("batch call 1 of 1 (1 contact: p_1)"));
    for (const std::string& e : k.expected) EXPECT_THAT(s.message(), HasSubstr(e));
    EXPECT_THAT(s.message(), Not(HasSubstr(kToken)));
  }
  EXPECT_TRUE(api_.contacts().empty());
}

TEST_F(HubSpotDirect, AnUnreachableHubSpotFailsWithoutTheToken) {
  plugin::Config config(R"({"access_token":")" + kToken +
                        R"(","base_url":"http://127.0.0.1:1","max_attempts":1})");
  HubSpotConnector c(host_obj_, config);
  std::vector<Row> rows = {Journey("p_1", "jana@example.org")};
  auto records = Records(rows);
  Status s = c.write(records);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("got no answer"));
  EXPECT_THAT(s.message(), Not(HasSubstr(kToken)));
}

TEST_F(HubSpotDirect, CheckConnectionProbesTheTokenOnlyWhenAsked) {
  token_ = "pat-na1-wrong";
  ASSERT_TRUE(Make()->check().ok());
  EXPECT_EQ(api_.server().request_count(), 0u);
  Status s = Make(R"("check_connection":true)")->check();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("GET " + api_.base_url() + "/crm/v3/objects/contacts"));
  EXPECT_THAT(s.message(), HasSubstr("INVALID_AUTHENTICATION"));
  EXPECT_THAT(s.message(), Not(HasSubstr("pat-na1-wrong")));
  token_ = kToken;
  EXPECT_TRUE(Make(R"("check_connection":true)")->check().ok());
}

// ---- whole pipeline runs
// --------------------------------------------------------------------------
//
// These need the host's record contract for journeys (email, email_sha256, current_stage_name,
// last_channel, nps) and Host::reject() into the connector's dead-letter store.

// Jana (e-mail written " Jana@Example.org "), Omar, someone without an e-mail, and an
// address HubSpot refuses. Expected values are computed by hand below.
const char* kFixture =
    R"({"id":"e1","ts":"2026-01-02T10:00:00Z","action":"email_click","email":" Jana@Example.org "}
{"id":"e2","ts":"2026-01-02T10:05:00Z","action":"page_view","email":"jana@example.org"}
{"id":"e3","ts":"2026-01-03T09:00:00Z","action":"purchase","email":"jana@example.org"}
{"id":"e4","ts":"2026-01-04T12:00:00Z","action":"page_view","email":"omar@example.net"}
{"id":"e5","ts":"2026-01-04T13:00:00Z","action":"page_view","user":"anon-9"}
{"id":"e6","ts":"2026-01-05T08:00:00Z","action":"page_view","email":"bad@invalid"}
)";

class HubSpotRun : public ::testing::Test {
 protected:
  HubSpotRun() : api_(kToken) {}
  void SetUp() override {
    journeykit::testing::WriteFile(dir_.file("events.ndjson"), kFixture);
    api_.DefineProperties(Defined("journeykit_"));
  }

  static std::set<std::string> Defined(const std::string& prefix) {
    std::set<std::string> out;
    for (std::string_view n : kPropertyNames) out.insert(prefix + std::string(n));
    return out;
  }

  // The run's status, or else the connector's delivery status (a failed batch).
  Status Run(const std::string& extra = "", const std::string& token = kToken,
             const std::string& connector_keys = "") {
    std::ostringstream p;
    p << R"({"version": 1, "plugin_paths": [")" << JK_PLUGIN_DIR << R"("],
      "state": {"path": "out/state.db"}, "on_bad_record": "dead_letter",
      "identity": {"keep_email_addresses": true},
      "http": {"backoff_base_ms": 5, "backoff_max_ms": 20, "attempt_timeout_ms": 400,
               "time_budget_ms": 8000, "max_attempts": 5},
      "sources": [{"name": "web", "plugin": "events-file", "config": {
        "path": "events.ndjson", "format": "ndjson", "time_field": "ts",
        "action_field": "action", "id_field": "id",
        "identity_fields": {"email": "email", "user_id": "user"}}}],
      "connectors": [{"name": "crm", "plugin": "hubspot", "receives": ["journeys"])"
      << connector_keys
      << R"(, "config": {"access_token": "${env:JK_TEST_HUBSPOT_TOKEN}", "base_url": ")"
      << api_.base_url() << R"(", "time_budget_ms": 8000)" << (extra.empty() ? "" : ", " + extra)
      << R"(}}],
      "model": {
        "touchpoints": [{"id": "newsletter", "name": "Newsletter", "channel": "email",
                         "when": {"action": "email_click"}},
                        {"id": "site", "name": "Website", "channel": "web",
                         "when": {"action": ["page_view", "purchase"]}}],
        "stages": [{"id": "awareness", "name": "Awareness",
                    "when": [{"action": "page_view"}, {"action": "email_click"}]},
                   {"id": "purchase", "name": "Purchase", "goal": true,
                    "when": [{"action": "purchase"}]}],
        "segments": [{"id": "buyers", "name": "Buyers", "when": {"action": "purchase"}},
                     {"id": "readers", "name": "Newsletter readers",
                      "when": {"action": "email_click"}}]}})";
    std::string path = dir_.file("pipeline.json");
    journeykit::testing::WriteFile(path, p.str());
    ::setenv("JK_TEST_HUBSPOT_TOKEN", token.c_str(), 1);
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto pipeline = Pipeline::Open(path, options);
    if (!pipeline.ok()) return pipeline.status();
    pipeline_ = std::move(*pipeline);
    auto report = pipeline_->Run();
    if (!report.ok()) return report.status();
    report_ = std::move(*report);
    if (report_.deliveries.size() != 1) return InternalError("no delivery report for crm");
    return report_.deliveries[0].status;
  }

  std::vector<DeadLetter> DeadLetters() const {
    auto d = pipeline_->DeadLetters("crm");
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : std::vector<DeadLetter>{};
  }

  void ExpectJanaAndOmar() {
    auto contacts = api_.contacts();
    ASSERT_EQ(contacts.size(), 2u) << log_;
    std::map<std::string, std::string> jana = {
        {"journeykit_journey_stage", "purchase"},
        {"journeykit_journey_stage_name", "Purchase"},
        {"journeykit_last_touchpoint", "site"},
        {"journeykit_last_channel", "web"},
        {"journeykit_segments", "buyers;readers"},
        {"journeykit_nps", ""},
        {"journeykit_nps_category", ""},
        {"journeykit_first_seen", "1767348000000"},  // 2026-01-02T10:00:00Z
        {"journeykit_last_seen", "1767430800000"},   // 2026-01-03T09:00:00Z
        {"journeykit_events", "3"}};
    EXPECT_EQ(contacts["jana@example.org"].properties, jana);
    std::map<std::string, std::string> omar = {
        {"journeykit_journey_stage", "awareness"},
        {"journeykit_journey_stage_name", "Awareness"},
        {"journeykit_last_touchpoint", "site"},
        {"journeykit_last_channel", "web"},
        {"journeykit_segments", ""},
        {"journeykit_nps", ""},
        {"journeykit_nps_category", ""},
        {"journeykit_first_seen", "1767528000000"},  // 2026-01-04T12:00:00Z
        {"journeykit_last_seen", "1767528000000"},
        {"journeykit_events", "1"}};
    EXPECT_EQ(contacts["omar@example.net"].properties, omar);
  }

  void TearDown() override {
    EXPECT_THAT(log_, Not(HasSubstr(kToken)));
    EXPECT_THAT(api_.problems(), IsEmpty());
  }

  journeykit::testing::TempDir dir_;
  MockHubSpotApi api_;
  std::string log_;
  std::unique_ptr<Pipeline> pipeline_;
  RunReport report_;
};

TEST_F(HubSpotRun, EveryPersonWithAnEmailIsUpsertedOnceAndTheRefusedOneSetAside) {
  api_.RefuseId("bad@invalid");
  Status s = Run();
  ASSERT_TRUE(s.ok()) << s.message() << "\n" << log_;
  ExpectJanaAndOmar();
  for (const auto& [id, c] : api_.contacts()) EXPECT_EQ(c.writes, 1) << id;
  auto calls = api_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].ids.size(), 3u);              // the person without an e-mail is not sent
  EXPECT_EQ(report_.deliveries[0].delivered, 3u);  // with the journey skipped: no e-mail
  EXPECT_EQ(report_.deliveries[0].rejected, 1u);
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].type, "journey");
  EXPECT_THAT(dead[0].json, HasSubstr("bad@invalid"));
  EXPECT_EQ(dead[0].key,
            calls[0].trace_ids[std::find(calls[0].ids.begin(), calls[0].ids.end(), "bad@invalid") -
                               calls[0].ids.begin()]);
  EXPECT_THAT(dead[0].reason, HasSubstr("VALIDATION_ERROR"));
  EXPECT_THAT(dead[0].reason, HasSubstr("Email address bad@invalid is invalid"));
  EXPECT_THAT(log_, HasSubstr("1 journey skipped: no e-mail address"));
}

TEST_F(HubSpotRun, BatchesAreAtMostBatchSize) {
  std::string lines;
  for (int i = 0; i < 45; ++i) {
    lines += R"({"id":"m)" + std::to_string(i) +
             R"(","ts":"2026-02-01T10:00:00Z","action":"page_view","email":"m)" +
             std::to_string(i) + "@example.org\"}\n";
  }
  journeykit::testing::AppendFile(dir_.file("events.ndjson"), lines);
  Status s = Run(R"("batch_size": 10)");
  ASSERT_TRUE(s.ok()) << s.message();
  auto calls = api_.calls();
  ASSERT_EQ(calls.size(), 5u);  // 48 people with an e-mail
  size_t sent = 0;
  for (const auto& c : calls) {
    EXPECT_LE(c.ids.size(), 10u);
    sent += c.ids.size();
  }
  EXPECT_EQ(sent, 48u);
  EXPECT_EQ(api_.contacts().size(), 48u);
}

struct FaultCase {
  Fault fault;
  const char* name;
  bool applied_twice;  // HubSpot applied the call but the answer was lost
};
class HubSpotFault : public HubSpotRun, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(HubSpotFault, RetriedThenUpsertedWithoutDuplicates) {
  const FaultCase& c = GetParam();
  api_.Queue(c.fault);
  api_.RefuseId("bad@invalid");
  Status s = Run();
  ASSERT_TRUE(s.ok()) << c.name << ": " << s.message();
  EXPECT_EQ(DeadLetters().size(), 1u) << "only the refused address";
  auto calls = api_.calls();
  ASSERT_EQ(calls.size(), 2u) << c.name;
  EXPECT_EQ(calls[0].body, calls[1].body);
  ExpectJanaAndOmar();
  auto contacts = api_.contacts();
  EXPECT_EQ(contacts.size(), 2u) << "no duplicate contacts";
  for (const auto& [id, contact] : contacts) {
    EXPECT_EQ(contact.writes, c.applied_twice ? 2 : 1) << c.name << " " << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, HubSpotFault,
                         ::testing::Values(FaultCase{Fault::k429Legacy, "Http429Legacy", false},
                                           FaultCase{Fault::k429Rolling, "Http429Rolling", false},
                                           FaultCase{Fault::k500, "Http500", false},
                                           FaultCase{Fault::kResetAfterApply, "Reset", true},
                                           FaultCase{Fault::kTimeoutAfterApply, "Timeout", true}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(HubSpotRun, A401FailsClearlyWithoutTheToken) {
  const std::string wrong = "pat-na1-99999999-wrong-token-0000";
  Status s = Run("", wrong);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("HTTP 401 INVALID_AUTHENTICATION"));
  EXPECT_THAT(s.message(), HasSubstr("HUBSPOT_ACCESS_TOKEN"));
  EXPECT_THAT(s.message(), Not(HasSubstr(wrong)));
  // The whole batch waits in the dead-letter store, with the same clear reason.
  auto dead = DeadLetters();
  EXPECT_EQ(dead.size(), 4u);  // every journey of the batch
  for (const auto& d : dead) EXPECT_THAT(d.reason, Not(HasSubstr(wrong)));
  EXPECT_THAT(log_, Not(HasSubstr(wrong)));
  EXPECT_EQ(api_.server().request_count(), 1u) << "a 401 is not retried";
  EXPECT_TRUE(api_.contacts().empty());
}

TEST_F(HubSpotRun, HashedIdsSendNoRawEmailAnywhere) {
  Status s = Run(R"("id_property": "journeykit_email_sha256")", kToken, R"(, "emails": "hashed")");
  ASSERT_TRUE(s.ok()) << s.message();
  auto contacts = api_.contacts();
  EXPECT_EQ(contacts.size(), 3u);  // jana, omar, bad@invalid: hashes are never refused here
  for (const auto& q : api_.server().requests()) {
    for (std::string needle : {"jana", "omar", "example.", "@"}) {
      EXPECT_THAT(q.body, Not(HasSubstr(needle)));
      EXPECT_THAT(q.target, Not(HasSubstr(needle)));
    }
  }
  for (const auto& call : api_.calls()) EXPECT_EQ(call.id_property, "journeykit_email_sha256");
  for (const auto& [id, c] : contacts) EXPECT_EQ(id.size(), 64u);
}

TEST_F(HubSpotRun, AWrongConfigIsReported) {
  Status s = Run(R"("batch_size": 500)");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("batch_size"));
  EXPECT_EQ(api_.server().request_count(), 0u);
}

}  // namespace
}  // namespace journeykit::hubspot

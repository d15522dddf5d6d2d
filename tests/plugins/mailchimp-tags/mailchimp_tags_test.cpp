// mailchimp_tags_test.cpp — the mailchimp-tags connector: subscriber hash test vectors, record
// → tag changes, grouping by member (last change wins), request bodies and options; and
// write() through the SDK's real HTTP engine (retries, budgets) against a loopback Mailchimp
// tags API that checks Basic auth, stores tags per member, answers 204 / 404 / 400 / 401
// problems, refuses an 11th simultaneous request with 429, and injects faults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <journeykit/http_util.hpp>
#include <journeykit/kit/mailchimp_account.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "internal/http_engine.hpp"
#include "mailchimp_tags_connector.hpp"
#include "mailchimp_tags_options.hpp"
#include "member_tags.hpp"
#include "support/mock_mailchimp_tags_api.hpp"
#ifdef JK_HAVE_MAILCHIMP_SOURCE
#include "mailchimp_options.hpp"
#endif

namespace journeykit::mailchimp_tags {
namespace {

using journeykit::testing::MockMailchimpTagsApi;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Tags = std::set<std::string>;

const std::string kKey = "0123456789abcdef0123456789abcdef-us6";
const std::string kList = "10c097ca71";

// ---- subscriber hash ------------------------------------------------------------------------

TEST(SubscriberHash, TheDocumentedTestVectors) {
  // docs: /work/shared/reference/api-formats.md §11 and connectors/mailchimp-tags/README.md
  EXPECT_EQ(SubscriberHash(" Jana.Krueger@Example.ORG "), "bf8715b7114b743b7374cf94b7dd11e3");
  EXPECT_EQ(SubscriberHash("jana@example.org"), "226d847f1717ca1518f7fe834c67409f");
  EXPECT_EQ(SubscriberHash("JANA@EXAMPLE.ORG\t"), "226d847f1717ca1518f7fe834c67409f");
  EXPECT_EQ(NormaliseEmail(" Jana.Krueger@Example.ORG "), "jana.krueger@example.org");
  // The mock computes it with another OpenSSL call (EVP_Q_digest).
  EXPECT_EQ(MockMailchimpTagsApi::HashOf(" Jana.Krueger@Example.ORG "),
            "bf8715b7114b743b7374cf94b7dd11e3");
  EXPECT_NE(SubscriberHash("jana@example.org "), SubscriberHash("jana@example.com"));
}

// ---- records → tag changes --------------------------------------------------------------------

struct OwnedRecord {
  std::string type, key, json;
  jk_record view() const {
    return jk_record{sizeof(jk_record), plugin::ToJk(type), plugin::ToJk(key), plugin::ToJk(json)};
  }
};

OwnedRecord AudienceChange(const std::string& audience, const std::string& email,
                           const std::string& change, int seq = 1) {
  std::string person = "p_" + std::to_string(seq);
  std::string json = R"({"seq":)" + std::to_string(seq) + R"(,"audience":")" + audience +
                     R"(","audience_name":"Some audience","person_id":")" + person + "\"";
  if (!email.empty()) json += R"(,"email":")" + email + "\"";
  json += R"(,"change":")" + change +
          R"(","at":"2026-01-02T10:00:00.000000Z","at_us":1767348000000000})";
  return {"audience_change", audience + ":" + person + ":" + std::to_string(seq), json};
}

OwnedRecord StageChange(const std::string& stage, const std::string& previous,
                        const std::string& email, const std::string& person = "p_1") {
  std::string json = R"({"person_id":")" + person + "\"";
  if (!email.empty()) json += R"(,"email":")" + email + "\"";
  json += R"(,"stage":")" + stage + R"(","stage_name":"Stage","entered_at":"2026-01-02T10:00:00Z")";
  json += R"(,"entered_at_us":1767348000000000,"previous_stage":)" +
          (previous.empty() ? std::string("null") : "\"" + previous + "\"") + "}";
  return {"stage_change", person + ":" + stage, json};
}

RecordTags Parse(const OwnedRecord& r, TagNaming naming = {}) {
  simdjson::dom::parser parser;
  return TagsOfRecord(r.view(), naming, parser);
}

TEST(TagsOfRecord, AudienceChangesBecomeActiveOrInactiveTags) {
  RecordTags in = Parse(AudienceChange("cart_abandoners", " Jana@Example.org", "entered"));
  ASSERT_EQ(in.kind, RecordTags::Kind::kTags) << in.reason;
  EXPECT_EQ(in.email, "jana@example.org");
  ASSERT_EQ(in.changes.size(), 1u);
  EXPECT_EQ(in.changes[0].name, "journeykit:cart_abandoners");
  EXPECT_TRUE(in.changes[0].active);
  RecordTags out =
      Parse(AudienceChange("cart_abandoners", "jana@example.org", "left"), TagNaming{"jk/", true});
  ASSERT_EQ(out.kind, RecordTags::Kind::kTags);
  EXPECT_EQ(out.changes[0].name, "jk/cart_abandoners");
  EXPECT_FALSE(out.changes[0].active);
}

TEST(TagsOfRecord, StageChangesTagTheNewStageAndUntagThePrevious) {
  RecordTags r = Parse(StageChange("purchase", "decision", "jana@example.org"));
  ASSERT_EQ(r.kind, RecordTags::Kind::kTags) << r.reason;
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].name, "journeykit:stage:decision");
  EXPECT_FALSE(r.changes[0].active);
  EXPECT_EQ(r.changes[1].name, "journeykit:stage:purchase");
  EXPECT_TRUE(r.changes[1].active);
  RecordTags first = Parse(StageChange("awareness", "", "jana@example.org"));
  ASSERT_EQ(first.changes.size(), 1u);  // previous_stage null: nothing to untag
  EXPECT_EQ(first.changes[0].name, "journeykit:stage:awareness");
  EXPECT_EQ(
      Parse(StageChange("purchase", "decision", "jana@example.org"), TagNaming{"x:", false}).kind,
      RecordTags::Kind::kSkipped);
}

TEST(TagsOfRecord, OtherTypesAreSkippedAndUnusableRecordsRefused) {
  EXPECT_EQ(Parse({"event", "web:e1", R"({"action":"purchase"})"}).kind,
            RecordTags::Kind::kSkipped);
  EXPECT_EQ(Parse({"journey", "p_1", R"({"person_id":"p_1","email":"a@b.c"})"}).kind,
            RecordTags::Kind::kSkipped);

  RecordTags no_email = Parse(AudienceChange("vip", "", "entered"));
  EXPECT_EQ(no_email.kind, RecordTags::Kind::kRefused);
  EXPECT_THAT(no_email.reason, HasSubstr("no known e-mail"));

  OwnedRecord hashed = AudienceChange("vip", "", "entered");
  hashed.json.insert(1, R"("email_sha256":"9f86d081884c7d659a2feaa0c55ad015",)");
  RecordTags only_sha = Parse(hashed);
  EXPECT_EQ(only_sha.kind, RecordTags::Kind::kRefused);
  EXPECT_THAT(only_sha.reason, HasSubstr("email_sha256"));
  EXPECT_THAT(only_sha.reason, HasSubstr("keep_email_addresses"));

  EXPECT_THAT(Parse(AudienceChange("vip", "not-an-address", "entered")).reason,
              HasSubstr("not an e-mail address"));
  EXPECT_THAT(Parse(AudienceChange("vip", "a@b.c", "joined")).reason, HasSubstr("\"change\""));
  EXPECT_EQ(Parse({"audience_change", "k", "{not json"}).kind, RecordTags::Kind::kRefused);
  EXPECT_THAT(Parse({"stage_change", "k", R"({"email":"a@b.c"})"}).reason, HasSubstr("\"stage\""));
}

// ---- grouping and bodies --------------------------------------------------------------------

TEST(TagPlan, OneEntryPerMemberAndTheLastChangeOfATagWins) {
  std::vector<OwnedRecord> rows = {
      AudienceChange("cart_abandoners", "jana@example.org", "entered", 1),
      AudienceChange("vip", "ola@example.org", "entered", 2),
      StageChange("decision", "consideration", "JANA@example.org"),
      AudienceChange("cart_abandoners", " jana@EXAMPLE.org", "left", 3),
      StageChange("purchase", "decision", "jana@example.org"),
  };
  TagPlan plan;
  for (size_t i = 0; i < rows.size(); ++i) plan.Add(i, Parse(rows[i]));
  ASSERT_EQ(plan.members().size(), 2u);
  const MemberTags& jana = plan.members()[0];
  EXPECT_EQ(jana.hash, "226d847f1717ca1518f7fe834c67409f");
  EXPECT_THAT(jana.records, ElementsAre(0u, 2u, 3u, 4u));
  EXPECT_EQ(TagsBody(jana, false),
            R"({"tags":[{"name":"journeykit:cart_abandoners","status":"inactive"},)"
            R"({"name":"journeykit:stage:consideration","status":"inactive"},)"
            R"({"name":"journeykit:stage:decision","status":"inactive"},)"
            R"({"name":"journeykit:stage:purchase","status":"active"}],"is_syncing":false})");
  EXPECT_THAT(plan.members()[1].records, ElementsAre(1u));
  EXPECT_EQ(TagsBody(plan.members()[1], true),
            R"({"tags":[{"name":"journeykit:vip","status":"active"}],"is_syncing":true})");
}

TEST(TagPlan, RefusedAndSkippedRecordsAddNothing) {
  TagPlan plan;
  plan.Add(0, Parse(AudienceChange("vip", "", "entered")));
  plan.Add(1, Parse({"event", "e", "{}"}));
  EXPECT_TRUE(plan.members().empty());
}

TEST(Bodies, AreEscapedJson) {
  MemberTags m{"h", "a@b.c", {{"journeykit:\"quoted\"\\name", true}}, {}};
  std::string body = TagsBody(m, false);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  EXPECT_EQ(std::string_view(root["tags"].at(0)["name"]), "journeykit:\"quoted\"\\name");
  EXPECT_EQ(UpsertBody("jana@example.org", "pending"),
            R"({"email_address":"jana@example.org","status_if_new":"pending"})");
}

// ---- options and requests -------------------------------------------------------------------

Status ParseStatus(const std::string& json) {
  plugin::Config c(json);
  auto o = ParseMailchimpTagsOptions(c);
  return o.ok() ? Status::Ok() : o.status();
}

TEST(MailchimpTagsOptions, Validates) {
  EXPECT_TRUE(ParseStatus(R"({"api_key":")" + kKey + R"(","list_id":"10c097ca71"})").ok());
  EXPECT_THAT(ParseStatus(R"({"list_id":"x"})").message(), HasSubstr("MAILCHIMP_API_KEY"));
  EXPECT_THAT(ParseStatus(R"({"api_key":")" + kKey + "\"}").message(), HasSubstr("list_id"));
  EXPECT_THAT(ParseStatus(R"({"api_key":")" + kKey + R"(","list_id":"a/b"})").message(),
              HasSubstr("list_id"));
  EXPECT_THAT(ParseStatus(R"({"api_key":"nodatacentre","list_id":"l"})").message(),
              HasSubstr("data centre"));
  EXPECT_TRUE(
      ParseStatus(R"({"api_key":"k","list_id":"l","base_url":"http://127.0.0.1:9/3.0"})").ok());
  EXPECT_THAT(ParseStatus(R"({"api_key":"k","list_id":"l","base_url":"ftp://x"})").message(),
              HasSubstr("base_url"));
  EXPECT_THAT(
      ParseStatus(R"({"api_key":")" + kKey + R"(","list_id":"l","status_if_new":"cleaned"})")
          .message(),
      HasSubstr("status_if_new"));
  EXPECT_THAT(
      ParseStatus(R"({"api_key":")" + kKey + R"(","list_id":"l","max_connections":11})").message(),
      HasSubstr("max_connections"));
  plugin::Config c(R"({"api_key":")" + kKey + R"(","list_id":"l"})");
  auto o = ParseMailchimpTagsOptions(c);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->base_url, "https://us6.api.mailchimp.com/3.0");
  EXPECT_EQ(o->tag_prefix, "journeykit:");
  EXPECT_FALSE(o->is_syncing);
  EXPECT_FALSE(o->create_missing);
  EXPECT_TRUE(o->stage_tags);
}

TEST(MailchimpTagsOptions, SharesTheBudgetKeyOfTheMailchimpSource) {
  plugin::Config c(R"({"api_key":")" + kKey + R"(","list_id":"l"})");
  auto o = ParseMailchimpTagsOptions(c);
  ASSERT_TRUE(o.ok());
  EXPECT_THAT(o->budget_key, HasSubstr("mailchimp:us6:"));
  EXPECT_THAT(o->budget_key, Not(HasSubstr("0123456789abcdef")));
  EXPECT_EQ(o->budget_key, kit::MailchimpBudgetKey(kKey));
  EXPECT_NE(o->budget_key, kit::MailchimpBudgetKey(kKey + "x"));
#ifdef JK_HAVE_MAILCHIMP_SOURCE
  auto source = mailchimp::ParseMailchimpOptions(plugin::Config(R"({"api_key":")" + kKey + "\"}"));
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(o->budget_key, source->budget_key);
#endif
}

// ---- a test host whose http_send is the SDK's HTTP engine ----------------------------------

class HttpTestHost {
 public:
  struct Rejected {
    std::string key, reason, json;
  };

  HttpTestHost() : engine_(Settings()) {
    api_.struct_size = sizeof(jk_host_api);
    api_.abi_major = JK_ABI_MAJOR;
    api_.abi_minor = JK_ABI_MINOR;
    api_.ctx = this;
    api_.log = [](void* ctx, int32_t, jk_str m) {
      Self(ctx)->logs.emplace_back(plugin::FromJk(m));
    };
    api_.set_error = [](void* ctx, jk_str m) { Self(ctx)->error.assign(plugin::FromJk(m)); };
    api_.is_cancelled = [](void*) -> int32_t { return 0; };
    api_.emit_events = [](void*, jk_str, const jk_event*, size_t) -> int32_t { return JK_ERROR; };
    api_.checkpoint = [](void*, jk_str, jk_str) -> int32_t { return JK_ERROR; };
    api_.bad_record = [](void* ctx, jk_str key, jk_str reason, jk_str raw) -> int32_t {
      Self(ctx)->rejected.push_back({std::string(plugin::FromJk(key)),
                                     std::string(plugin::FromJk(reason)),
                                     std::string(plugin::FromJk(raw))});
      return JK_OK;
    };
    api_.progress = [](void*, uint64_t, uint64_t) {};
    api_.http_send = &HttpSend;
    api_.add_secret = [](void* ctx, jk_str v) {
      Self(ctx)->secrets.emplace_back(plugin::FromJk(v));
    };
  }
  const jk_host_api* api() const { return &api_; }

  static HttpSettings Settings() {
    HttpSettings s;
    s.backoff_base_ms = 5;
    s.backoff_max_ms = 20;
    s.attempt_timeout_ms = 400;
    s.time_budget_ms = 8000;
    s.max_attempts = 5;
    return s;
  }

  std::vector<std::string> logs;
  std::vector<Rejected> rejected;
  std::vector<std::string> secrets;
  std::string error;

 private:
  static HttpTestHost* Self(void* ctx) { return static_cast<HttpTestHost*>(ctx); }
  static int32_t HttpSend(void* ctx, const jk_http_request* requests, size_t count,
                          jk_http_sink sink, void* sink_ctx) {
    HttpTestHost* self = Self(ctx);
    std::vector<internal::HttpCall> calls(count);
    for (size_t i = 0; i < count; ++i) {
      const jk_http_request& r = requests[i];
      internal::HttpCall& c = calls[i];
      c.method = plugin::FromJk(r.method);
      c.url = plugin::FromJk(r.url);
      for (size_t h = 0; h < r.header_count; ++h) {
        c.headers.emplace_back(plugin::FromJk(r.headers[h].key),
                               plugin::FromJk(r.headers[h].value));
      }
      c.body = plugin::FromJk(r.body);
      c.budget_key = plugin::FromJk(r.budget_key);
      c.budget_requests = r.budget_requests;
      c.budget_interval_ms = r.budget_interval_ms;
      c.budget_max_concurrent = r.budget_max_concurrent;
      c.max_attempts = r.max_attempts;
      c.time_budget_ms = r.time_budget_ms;
    }
    internal::HttpRedactor redactor(self->secrets);
    bool finished = self->engine_.Send(
        std::move(calls), Settings(), nullptr, redactor, [] { return false; },
        [&](size_t index, internal::HttpResult&& result) {
          std::vector<jk_pair> headers;
          for (const auto& [k, v] : result.headers)
            headers.push_back({plugin::ToJk(k), plugin::ToJk(v)});
          jk_http_response resp{};
          resp.struct_size = sizeof resp;
          resp.status = result.status;
          resp.headers = headers.data();
          resp.header_count = headers.size();
          resp.body = plugin::ToJk(result.body);
          resp.error = plugin::ToJk(result.error);
          resp.attempts = result.attempts;
          sink(sink_ctx, index, &resp);
        });
    return finished ? JK_OK : JK_CANCELLED;
  }

  jk_host_api api_{};
  internal::HttpEngine engine_;
};

TEST(MailchimpTagsRequests, TagsUpsertAndListRequests) {
  HttpTestHost fake;
  plugin::Host host(fake.api());
  plugin::Config config(R"({"api_key":")" + kKey +
                        R"(","list_id":"10c097ca71","is_syncing":true})");
  MailchimpTagsConnector connector(host, config);
  MemberTags m{
      "226d847f1717ca1518f7fe834c67409f", "jana@example.org", {{"journeykit:vip", true}}, {0}};
  plugin::HttpRequest tags = connector.TagsRequest(m);
  EXPECT_EQ(tags.method, "POST");
  EXPECT_EQ(tags.url,
            "https://us6.api.mailchimp.com/3.0/lists/10c097ca71/members/"
            "226d847f1717ca1518f7fe834c67409f/tags");
  EXPECT_EQ(tags.body,
            R"({"tags":[{"name":"journeykit:vip","status":"active"}],"is_syncing":true})");
  EXPECT_EQ(tags.budget_key, kit::MailchimpBudgetKey(kKey));
  EXPECT_EQ(tags.budget_max_concurrent, 10u);
  std::map<std::string, std::string> h(tags.headers.begin(), tags.headers.end());
  EXPECT_EQ(h["Authorization"], "Basic " + http::Base64("journeykit:" + kKey));
  EXPECT_EQ(h["Content-Type"], "application/json");
  plugin::HttpRequest put = connector.UpsertRequest(m);
  EXPECT_EQ(put.method, "PUT");
  EXPECT_TRUE(put.url.ends_with("/lists/10c097ca71/members/226d847f1717ca1518f7fe834c67409f"));
  EXPECT_EQ(put.body, R"({"email_address":"jana@example.org","status_if_new":"subscribed"})");
  EXPECT_EQ(connector.ListRequest().method, "GET");
  EXPECT_THAT(fake.secrets, ::testing::Contains(kKey));
}

// ---- write() against the loopback API -------------------------------------------------------

class MailchimpTagsWrite : public ::testing::Test {
 protected:
  void SetUp() override { api_.AddList(kList); }

  std::unique_ptr<MailchimpTagsConnector> Connector(const std::string& extra = "",
                                                    const std::string& key = kKey) {
    std::string json = R"({"api_key":")" + key + R"(","list_id":")" + kList + R"(","base_url":")" +
                       api_.base_url() + "\"" + (extra.empty() ? "" : "," + extra) + "}";
    config_ = std::make_unique<plugin::Config>(json);
    return std::make_unique<MailchimpTagsConnector>(host_, *config_);
  }

  Status Write(MailchimpTagsConnector& c, const std::vector<OwnedRecord>& rows) {
    std::vector<jk_record> views;
    for (const auto& r : rows) views.push_back(r.view());
    return c.write(views);
  }

  std::string AllLogs() const {
    std::string out;
    for (const auto& l : fake_.logs) out += l + "\n";
    return out;
  }

  void TearDown() override {
    EXPECT_THAT(api_.problems(), IsEmpty());
    EXPECT_THAT(AllLogs(), Not(HasSubstr(kKey)));
    EXPECT_THAT(AllLogs(), Not(HasSubstr("@example.org")));  // hashes only, never addresses
  }

  MockMailchimpTagsApi api_{kKey};
  HttpTestHost fake_;
  plugin::Host host_{fake_.api()};
  std::unique_ptr<plugin::Config> config_;
};

TEST_F(MailchimpTagsWrite, TagsEndUpOnTheMembersAndLeftRemovesThem) {
  api_.AddMember(kList, "jana@example.org");
  api_.AddMember(kList, "ola@example.org");
  auto c = Connector();
  ASSERT_TRUE(c->check().ok());
  Status s = Write(*c, {AudienceChange("cart_abandoners", "jana@example.org", "entered", 1),
                        AudienceChange("vip", "ola@example.org", "entered", 2),
                        StageChange("purchase", "decision", "Jana@Example.org"),
                        {"event", "web:e1", R"({"action":"x"})"}});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(api_.ActiveTags(kList, "jana@example.org"),
            (Tags{"journeykit:cart_abandoners", "journeykit:stage:purchase"}));
  EXPECT_EQ(api_.ActiveTags(kList, "ola@example.org"), (Tags{"journeykit:vip"}));
  EXPECT_EQ(api_.tag_calls().size(), 2u);  // one request per member
  for (const auto& call : api_.tag_calls()) EXPECT_FALSE(call.is_syncing);

  s = Write(*c, {AudienceChange("cart_abandoners", "jana@example.org", "left", 3),
                 StageChange("retention", "purchase", "jana@example.org")});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(api_.ActiveTags(kList, "jana@example.org"), (Tags{"journeykit:stage:retention"}));
  EXPECT_TRUE(fake_.rejected.empty());
  ASSERT_TRUE(c->flush().ok());
  EXPECT_THAT(AllLogs(), HasSubstr("3 member updates"));
  EXPECT_THAT(AllLogs(), HasSubstr("1 event"));
}

TEST_F(MailchimpTagsWrite, NeverMoreThanTenConnections) {
  api_.set_latency(std::chrono::milliseconds(30));
  std::vector<OwnedRecord> rows;
  for (int i = 0; i < 40; ++i) {
    std::string email = "person" + std::to_string(i) + "@example.org";
    api_.AddMember(kList, email);
    rows.push_back(AudienceChange("vip", email, "entered", i));
  }
  auto c = Connector();
  Status s = Write(*c, rows);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(api_.tag_calls().size(), 40u);
  EXPECT_LE(api_.max_in_flight(), 10);
  EXPECT_GE(api_.max_in_flight(), 2);  // but concurrent
  EXPECT_LE(api_.server().max_connections(), 10);
  EXPECT_EQ(api_.rejected_for_concurrency(), 0);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(api_.ActiveTags(kList, "person" + std::to_string(i) + "@example.org"),
              (Tags{"journeykit:vip"}));
  }
}

TEST_F(MailchimpTagsWrite, AMissingMemberIsSetAsideWhileTheOthersAreTagged) {
  api_.AddMember(kList, "jana@example.org");
  auto c = Connector();
  std::vector<OwnedRecord> rows = {AudienceChange("vip", "jana@example.org", "entered", 1),
                                   AudienceChange("vip", "ghost@example.org", "entered", 2),
                                   StageChange("purchase", "", "ghost@example.org", "p_2"),
                                   AudienceChange("vip", "", "entered", 3)};
  Status s = Write(*c, rows);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(api_.ActiveTags(kList, "jana@example.org"), (Tags{"journeykit:vip"}));
  EXPECT_FALSE(api_.HasMember(kList, "ghost@example.org"));
  ASSERT_EQ(fake_.rejected.size(), 3u);
  std::set<std::string> keys;
  for (const auto& r : fake_.rejected) keys.insert(r.key);
  EXPECT_EQ(keys, (std::set<std::string>{rows[1].key, rows[2].key, rows[3].key}));
  for (const auto& r : fake_.rejected) {
    if (r.key == rows[3].key) {
      EXPECT_THAT(r.reason, HasSubstr("no known e-mail"));
      continue;
    }
    EXPECT_THAT(r.reason, HasSubstr(MockMailchimpTagsApi::HashOf("ghost@example.org")));
    EXPECT_THAT(r.reason, HasSubstr("list " + kList));
    EXPECT_THAT(r.reason, HasSubstr("Resource Not Found"));
    EXPECT_THAT(r.reason, HasSubstr("create_missing"));
    EXPECT_THAT(r.reason, Not(HasSubstr("ghost@example.org")));
  }
  ASSERT_TRUE(c->flush().ok());
  EXPECT_THAT(AllLogs(), HasSubstr("2 not on the list"));
}

TEST_F(MailchimpTagsWrite, CreateMissingAddsTheMemberThenTagsIt) {
  auto c = Connector(R"("create_missing": true, "status_if_new": "pending")");
  Status s = Write(*c, {AudienceChange("vip", " Ghost@Example.org ", "entered", 1)});
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(api_.HasMember(kList, "ghost@example.org"));
  EXPECT_EQ(api_.StatusOf(kList, "ghost@example.org"), "pending");
  EXPECT_EQ(api_.ActiveTags(kList, "ghost@example.org"), (Tags{"journeykit:vip"}));
  EXPECT_TRUE(fake_.rejected.empty());
}

TEST_F(MailchimpTagsWrite, A400RefusesOnlyThatMembersRecords) {
  api_.AddMember(kList, "jana@example.org");
  api_.AddMember(kList, "bad@example.org");
  api_.RefuseMember("bad@example.org", "Member In Compliance State");
  auto c = Connector(R"("is_syncing": true)");
  std::vector<OwnedRecord> rows = {AudienceChange("vip", "bad@example.org", "entered", 1),
                                   AudienceChange("vip", "jana@example.org", "entered", 2)};
  Status s = Write(*c, rows);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(fake_.rejected.size(), 1u);
  EXPECT_EQ(fake_.rejected[0].key, rows[0].key);
  EXPECT_THAT(fake_.rejected[0].reason, HasSubstr("HTTP 400 Invalid Resource"));
  EXPECT_THAT(fake_.rejected[0].reason, HasSubstr("Member In Compliance State"));
  EXPECT_THAT(fake_.rejected[0].reason, HasSubstr(MockMailchimpTagsApi::HashOf("bad@example.org")));
  EXPECT_EQ(api_.ActiveTags(kList, "jana@example.org"), (Tags{"journeykit:vip"}));
  ASSERT_EQ(api_.tag_calls().size(), 1u);
  EXPECT_TRUE(api_.tag_calls()[0].is_syncing);
}

TEST_F(MailchimpTagsWrite, ABadKeyFailsTheBatchWithoutTheKey) {
  api_.AddMember(kList, "jana@example.org");
  const std::string wrong = "ffffffffffffffffffffffffffffffff-us6";
  auto c = Connector("", wrong);
  Status s = Write(*c, {AudienceChange("vip", "jana@example.org", "entered", 1)});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("API Key Invalid"));
  EXPECT_THAT(s.message(), HasSubstr("MAILCHIMP_API_KEY"));
  EXPECT_THAT(s.message(), HasSubstr("list " + kList));
  EXPECT_THAT(s.message(), Not(HasSubstr(wrong)));
  EXPECT_TRUE(fake_.rejected.empty());  // the host keeps the whole batch
  EXPECT_FALSE(c->check().ok());
}

TEST_F(MailchimpTagsWrite, AWrongListIdFailsTheBatchNotEachMember) {
  api_.AddMember(kList, "jana@example.org");
  std::string json = R"({"api_key":")" + kKey + R"(","list_id":"nosuchlist","base_url":")" +
                     api_.base_url() + "\"}";
  plugin::Config config(json);
  MailchimpTagsConnector c(host_, config);
  Status s = Write(c, {AudienceChange("vip", "jana@example.org", "entered", 1)});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("list_id 'nosuchlist'"));
  EXPECT_TRUE(fake_.rejected.empty());
  EXPECT_THAT(c.check().message(), HasSubstr("nosuchlist"));
}

struct FaultCase {
  MockMailchimpTagsApi::Fault fault;
  const char* name;
};

class MailchimpTagsFault : public MailchimpTagsWrite,
                           public ::testing::WithParamInterface<FaultCase> {};

TEST_P(MailchimpTagsFault, RetriedByTheHostUntilTagged) {
  api_.set_fault_delay(std::chrono::milliseconds(900));  // over attempt_timeout_ms (400)
  api_.AddMember(kList, "jana@example.org");
  api_.AddMember(kList, "ola@example.org");
  api_.QueueFault(GetParam().fault);
  auto c = Connector();
  Status s = Write(*c, {AudienceChange("vip", "jana@example.org", "entered", 1),
                        AudienceChange("vip", "ola@example.org", "entered", 2)});
  ASSERT_TRUE(s.ok()) << GetParam().name << ": " << s.message();
  EXPECT_EQ(api_.ActiveTags(kList, "jana@example.org"), (Tags{"journeykit:vip"}));
  EXPECT_EQ(api_.ActiveTags(kList, "ola@example.org"), (Tags{"journeykit:vip"}));
  EXPECT_TRUE(fake_.rejected.empty());
  EXPECT_EQ(api_.server().request_count(), 3u) << GetParam().name;  // 2 + one retry
}

INSTANTIATE_TEST_SUITE_P(
    Faults, MailchimpTagsFault,
    ::testing::Values(FaultCase{MockMailchimpTagsApi::Fault::k429, "Http429"},
                      FaultCase{MockMailchimpTagsApi::Fault::k429RetryAfter, "Http429RetryAfter"},
                      FaultCase{MockMailchimpTagsApi::Fault::k500, "Http500"},
                      FaultCase{MockMailchimpTagsApi::Fault::kResetMidBody, "Reset"},
                      FaultCase{MockMailchimpTagsApi::Fault::kTimeout, "Timeout"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(MailchimpTagsWrite, PersistentServerErrorsFailTheBatchNamingListAndHash) {
  api_.AddMember(kList, "jana@example.org");
  api_.QueueFault(MockMailchimpTagsApi::Fault::k500, 5);  // max_attempts 5
  auto c = Connector();
  Status s = Write(*c, {AudienceChange("vip", "jana@example.org", "entered", 1)});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("list " + kList));
  EXPECT_THAT(s.message(), HasSubstr("226d847f1717ca1518f7fe834c67409f"));
  EXPECT_THAT(s.message(), HasSubstr("Internal Server Error"));
  EXPECT_THAT(s.message(), HasSubstr("journeykit replay"));
  EXPECT_THAT(s.message(), Not(HasSubstr("jana@example.org")));
  EXPECT_TRUE(fake_.rejected.empty());
}

TEST_F(MailchimpTagsWrite, A401MidBatchFailsTheBatch) {
  api_.AddMember(kList, "jana@example.org");
  api_.QueueFault(MockMailchimpTagsApi::Fault::k401);
  auto c = Connector();
  Status s = Write(*c, {AudienceChange("vip", "jana@example.org", "entered", 1)});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("HTTP 401 API Key Invalid"));
  EXPECT_EQ(api_.server().request_count(), 1u);  // a 401 is not retried
}

}  // namespace
}  // namespace journeykit::mailchimp_tags

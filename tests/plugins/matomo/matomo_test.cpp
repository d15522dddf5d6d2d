// matomo_test.cpp — the matomo source: visit mapping (Matomo 3 and 4+ fixtures), and whole runs
// through the real host and HTTP layer against a loopback Matomo (support/mock_matomo_api.hpp):
// paging, faults and retries, errors, partial pages, incremental windows, record/replay.
#include <journeykit/pipeline.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "matomo_options.hpp"
#include "matomo_source.hpp"
#include "matomo_visit_mapper.hpp"
#include "plugins/test_files.hpp"
#include "support/fake_host.hpp"
#include "support/mock_matomo_api.hpp"

namespace journeykit::matomo {
namespace {

using journeykit::testing::MockMatomoApi;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  return journeykit::testing::ReadFile(std::string(JK_FIXTURE_DIR) + "/matomo/" + name);
}

std::map<std::string, std::string> Pairs(
    const std::vector<std::pair<std::string, std::string>>& v) {
  return {v.begin(), v.end()};
}

// ---- mapping ------------------------------------------------------------------------------

TEST(MatomoVisitMapper, Matomo4SampleWithNumbersAsStrings) {
  MatomoVisitMapper mapper;
  auto page = mapper.MapPage(Fixture("visits-matomo4.json"));
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->visits, 1u);
  ASSERT_EQ(page->events.size(), 4u);
  EXPECT_EQ(page->max_visit_timestamp, 1710500190);

  const plugin::Event& view = page->events[0];
  EXPECT_EQ(view.action, "page_view");
  EXPECT_EQ(view.event_id, "1:25811492:0");
  EXPECT_EQ(view.time_us, int64_t{1710500046} * 1000000);
  auto hints = Pairs(view.hints);
  EXPECT_EQ(hints["url"], "https://shop.example.com/socks");
  EXPECT_EQ(hints["utm_campaign"], "spring_sale");
  EXPECT_EQ(hints["utm_source"], "newsletter");
  EXPECT_EQ(hints["utm_medium"], "email");
  EXPECT_EQ(hints["channel"], "campaign");
  EXPECT_EQ(hints["referrer"], "https://newsletter.example.com/");
  auto props = Pairs(view.properties);
  EXPECT_EQ(props["page_title"], "Trail Socks");
  EXPECT_EQ(props["time_spent_s"], "42");
  EXPECT_EQ(props["page_load_ms"], "670");
  auto ids = Pairs(view.identities);
  EXPECT_EQ(ids["matomo_visitor_id"], "2004d5832c108bec");
  EXPECT_EQ(ids["user_id"], "crm-88412");

  const plugin::Event& event = page->events[1];
  EXPECT_EQ(event.action, "event");
  EXPECT_EQ(Pairs(event.properties)["event_category"], "cart");
  EXPECT_EQ(Pairs(event.properties)["event_action"], "add");
  EXPECT_EQ(Pairs(event.properties)["event_name"], "SKU-123");
  EXPECT_DOUBLE_EQ(event.value.value_or(0), 29.95);

  const plugin::Event& goal = page->events[2];
  EXPECT_EQ(goal.action, "goal_conversion");
  EXPECT_EQ(Pairs(goal.properties)["goal_name"], "Newsletter signup");
  EXPECT_FALSE(goal.value);  // revenue "0"

  const plugin::Event& order = page->events[3];
  EXPECT_EQ(order.action, "purchase");
  EXPECT_DOUBLE_EQ(order.value.value_or(0), 59.90);
  EXPECT_EQ(order.currency, "EUR");
  EXPECT_EQ(Pairs(order.properties)["transaction_id"], "A1001");
  EXPECT_EQ(order.event_id, "1:25811492:3");
}

TEST(MatomoVisitMapper, Matomo3FieldNamesHiddenVisitorIdAndUnknownActions) {
  MatomoVisitMapper mapper;
  auto page = mapper.MapPage(Fixture("visits-matomo3.json"));
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->events.size(), 6u);
  std::vector<std::string> actions;
  for (const auto& e : page->events) actions.push_back(e.action);
  EXPECT_THAT(actions, ::testing::ElementsAre("page_view", "download", "outlink", "search",
                                              "matomo_form", "cart_abandoned"));
  EXPECT_EQ(Pairs(page->events[0].properties)["page_load_ms"], "350");
  EXPECT_EQ(Pairs(page->events[0].properties)["time_spent_s"], "30");
  EXPECT_TRUE(page->events[0].identities.empty());  // visitorId false, userId null
  EXPECT_EQ(Pairs(page->events[0].hints)["channel"], "search");
  EXPECT_EQ(Pairs(page->events[0].hints)["referrer"], "https://www.google.com/");
  EXPECT_EQ(Pairs(page->events[1].hints)["url"], "https://school.example.com/syllabus.pdf");
  EXPECT_EQ(Pairs(page->events[3].properties)["search_keyword"], "pricing");
  EXPECT_DOUBLE_EQ(page->events[5].value.value_or(0), 490);
  EXPECT_EQ(page->events[5].currency, "USD");
  EXPECT_EQ(page->events[4].event_id, "1:4711:4");
  EXPECT_THAT(page->unknown_types, ::testing::ElementsAre("form"));
}

TEST(MatomoVisitMapper, BrokenPagesAndBadVisits) {
  MatomoVisitMapper mapper;
  EXPECT_FALSE(mapper.MapPage(R"([{"idVisit":"1","lastActionTimestamp":)").ok());
  EXPECT_FALSE(mapper.MapPage(R"({"visits":[]})").ok());
  auto page = mapper.MapPage(R"([{"lastActionTimestamp":5}, 3,
      {"idVisit":"9","idSite":"2","lastActionTimestamp":"1710500000","actionDetails":[]}])");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->visits, 3u);
  EXPECT_EQ(page->bad_visits.size(), 2u);
  EXPECT_TRUE(page->events.empty());
  EXPECT_EQ(page->max_visit_timestamp, 1710500000);
}

TEST(MatomoVisitMapper, ErrorBodies) {
  EXPECT_EQ(MatomoErrorMessage(R"({"result":"error","message":"no access"})"), "no access");
  EXPECT_FALSE(MatomoErrorMessage("[]"));
  EXPECT_FALSE(MatomoErrorMessage(R"({"result":"success"})"));
}

TEST(MatomoSource, TokenGoesInThePostBodyOrOptionallyTheQuery) {
  journeykit::testing::FakeHost fake;
  plugin::Host host(fake.api());
  plugin::Config config(
      R"({"base_url":"https://analytics.example.com/","token_auth":"abc123","id_site":3,
          "page_size":50,"overlap_seconds":900,"start_date":"","segment":"","token_in_query":false})");
  MatomoSource source(host, config);
  plugin::HttpRequest r = source.PageRequest(1710000000, 100, 50);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.body, "token_auth=abc123");
  EXPECT_THAT(r.url, HasSubstr("https://analytics.example.com/index.php?module=API&method=Live."
                               "getLastVisitsDetails&format=JSON&idSite=3&filter_limit=50&"
                               "filter_offset=100&filter_sort_order=asc&minTimestamp=1710000000"));
  EXPECT_THAT(r.url, Not(HasSubstr("abc123")));

  plugin::Config get(R"({"base_url":"https://a.example.com/matomo/index.php","token_auth":"abc123",
                         "id_site":3,"token_in_query":true})");
  MatomoSource by_query(host, get);
  plugin::HttpRequest q = by_query.PageRequest(std::nullopt, 0, 10);
  EXPECT_EQ(q.method, "GET");
  EXPECT_TRUE(q.body.empty());
  EXPECT_THAT(q.url, HasSubstr("https://a.example.com/matomo/index.php?module=API"));
  EXPECT_THAT(q.url, HasSubstr("&token_auth=abc123"));
  EXPECT_THAT(q.url, Not(HasSubstr("minTimestamp")));
}

TEST(MatomoSource, ConfigErrorsNameTheKey) {
  auto parse = [](const std::string& json) {
    plugin::Config c(json);
    return ParseMatomoOptions(c);
  };
  EXPECT_THAT(parse(R"({"base_url":"analytics","token_auth":"t","id_site":1})").status().message(),
              HasSubstr("base_url"));
  EXPECT_THAT(parse(R"({"base_url":"http://a","token_auth":"t","id_site":0})").status().message(),
              HasSubstr("id_site"));
  EXPECT_THAT(parse(R"({"base_url":"http://a","token_auth":"t","id_site":1,"start_date":"x"})")
                  .status()
                  .message(),
              HasSubstr("start_date"));
  auto ok =
      parse(R"({"base_url":"http://a","token_auth":"t","id_site":1,"start_date":"2024-03-01"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->start_timestamp, 1709251200);
}

// ---- whole runs against the loopback Matomo ------------------------------------------------

// A visit in Matomo 4's format with `actions` page views, numbers as strings.
std::string Visit(int id, int64_t ts, int actions = 2, const std::string& user = "") {
  std::string a;
  for (int i = 0; i < actions; ++i) {
    if (i) a += ",";
    a += R"({"type":"action","url":"https://school.example.com/p)" + std::to_string(i) +
         R"(","pageTitle":"Page","timeSpent":"10","pageLoadTimeMilliseconds":"120","timestamp":)" +
         std::to_string(ts - actions + 1 + i) + "}";
  }
  return R"({"idSite":"1","idVisit":")" + std::to_string(id) + R"(","visitorId":"v)" +
         std::to_string(id) + R"(","userId":)" + (user.empty() ? "null" : "\"" + user + "\"") +
         R"(,"firstActionTimestamp":)" + std::to_string(ts - actions + 1) +
         R"(,"lastActionTimestamp":)" + std::to_string(ts) +
         R"(,"referrerType":"direct","someNewField":{"x":[1]},"actionDetails":[)" + a + "]}";
}

std::vector<std::string> Visits(int first_id, int count, int64_t first_ts) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(Visit(first_id + i, first_ts + i * 60));
  return out;
}

class MatomoRun : public ::testing::Test {
 protected:
  void SetUp() override { matomo_ = std::make_unique<MockMatomoApi>(0, token_); }

  // Writes pipeline.json; `http` is the pipeline's "http" object.
  std::string Write(const std::string& extra_config = "", const std::string& http = "") {
    std::string path = dir_.file("pipeline.json");
    std::ostringstream p;
    p << R"({"version": 1, "plugin_paths": [")" << JK_PLUGIN_DIR << R"("],
      "state": {"path": "out/state.db"},
      "http": {"backoff_base_ms": 5, "backoff_max_ms": 20, "attempt_timeout_ms": 400,
               "time_budget_ms": 8000)"
      << (http.find("max_attempts") == std::string::npos ? R"(, "max_attempts": 4)" : "")
      << (http.empty() ? "" : ", " + http) << R"(},
      "sources": [{"name": "web", "plugin": "matomo", "config": {
        "base_url": ")"
      << base_url_ << R"(", "token_auth": ")" << config_token_ << R"(", "id_site": 1,
        "page_size": 10)"
      << (extra_config.empty() ? "" : ", " + extra_config) << R"(}}],
      "model": {"stages": [
        {"id": "visit", "name": "Visit", "when": [{"action": "page_view"}]},
        {"id": "buy", "name": "Buy", "goal": true, "when": [{"action": "purchase"}]}]}})";
    journeykit::testing::WriteFile(path, p.str());
    return path;
  }

  std::unique_ptr<Pipeline> Open(const std::string& path) {
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto p = Pipeline::Open(path, options);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  Result<RunReport> Run(const std::string& extra_config = "", const std::string& http = "") {
    if (base_url_.empty()) base_url_ = matomo_->base_url();
    auto p = Open(Write(extra_config, http));
    if (!p) return InternalError("the pipeline did not open");
    return p->Run();
  }

  std::vector<std::string> Offsets() const {
    std::vector<std::string> out;
    for (auto& p : matomo_->request_params()) out.push_back(p["filter_offset"]);
    return out;
  }

  journeykit::testing::TempDir dir_;
  std::string token_ = "0123456789abcdef0123456789abcdef";
  std::string config_token_ = token_;
  std::string base_url_;
  std::unique_ptr<MockMatomoApi> matomo_;
  std::string log_;
};

TEST_F(MatomoRun, SeveralPagesWithTheTokenInThePostBody) {
  matomo_->AddVisits(Visits(100, 25, 1710000000));
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sources[0].emitted, 50u);
  EXPECT_EQ(r->stored_events, 50u);
  EXPECT_THAT(Offsets(), ::testing::ElementsAre("0", "10", "20"));
  for (const auto& q : matomo_->requests()) {
    EXPECT_EQ(q.method, "POST");
    EXPECT_THAT(q.target, Not(HasSubstr("token_auth")));
    EXPECT_EQ(q.body, "token_auth=" + token_);
    EXPECT_THAT(q.target, HasSubstr("filter_sort_order=asc"));
  }
  EXPECT_THAT(log_, Not(HasSubstr(token_)));
}

TEST_F(MatomoRun, AnEmptyResult) {
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sources[0].emitted, 0u);
  EXPECT_EQ(matomo_->requests().size(), 1u);
}

TEST_F(MatomoRun, TokenInTheQueryWhenAsked) {
  matomo_->AddVisits(Visits(100, 3, 1710000000));
  auto r = Run(R"("token_in_query": true)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sources[0].emitted, 6u);
  ASSERT_EQ(matomo_->requests().size(), 1u);
  EXPECT_EQ(matomo_->requests()[0].method, "GET");
  EXPECT_EQ(matomo_->requests()[0].query("token_auth"), token_);
}

TEST_F(MatomoRun, RetriesTransientFaultsAndStoresEveryEventOnce) {
  using F = MockMatomoApi::Fault;
  matomo_->AddVisits(Visits(100, 25, 1710000000));
  matomo_->set_fault_delay(std::chrono::milliseconds(1000));  // attempt_timeout_ms is 400
  matomo_->QueueFault(F::k429);
  matomo_->QueueFault(F::k500);
  matomo_->QueueFault(F::kResetMidBody);
  matomo_->QueueFault(F::kTimeout);
  matomo_->QueueFault(F::kCloseWithoutReply);
  auto r = Run("", R"("max_attempts": 8)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sources[0].emitted, 50u);
  EXPECT_EQ(r->stored_events, 50u);
  EXPECT_EQ(matomo_->requests().size(), 3u + 5u);
}

TEST_F(MatomoRun, Honours429RetryAfter) {
  matomo_->AddVisits(Visits(100, 3, 1710000000));
  matomo_->QueueFault(MockMatomoApi::Fault::k429RetryAfter);
  auto start = std::chrono::steady_clock::now();
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sources[0].emitted, 6u);
  auto requests = matomo_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].arrived - requests[0].arrived, std::chrono::milliseconds(900));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(MatomoRun, A401IsNotRetriedAndSaysWhichCredentialToCheck) {
  matomo_->AddVisits(Visits(100, 3, 1710000000));
  matomo_->set_error_status(401);
  config_token_ = "ffffffffffffffffffffffffffffffff";
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("token_auth"));
  EXPECT_THAT(r.status().message(), HasSubstr("view access to idSite 1"));
  EXPECT_THAT(r.status().message(), HasSubstr("filter_offset=0"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr(config_token_)));
  EXPECT_EQ(matomo_->requests().size(), 1u);
}

TEST_F(MatomoRun, AnErrorBodyWithStatus200IsAnError) {
  matomo_->AddVisits(Visits(100, 3, 1710000000));
  config_token_ = "ffffffffffffffffffffffffffffffff";
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("requires 'view' access"));
  EXPECT_THAT(r.status().message(), HasSubstr("check that token_auth"));
  EXPECT_EQ(matomo_->requests().size(), 1u);
}

TEST_F(MatomoRun, AMalformedPageStoresNothingOfItAndTheRerunResumesThere) {
  matomo_->AddVisits(Visits(100, 25, 1710000000));
  matomo_->SetMalformedPageAt(10);
  auto r = Run();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("filter_offset=10"));
  EXPECT_THAT(r.status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(r.status().message(), HasSubstr("nothing from this page was stored"));
  {
    auto p = Open(Write());
    auto analysis = p->Analyze();
    ASSERT_TRUE(analysis.ok());
    EXPECT_EQ(analysis->events->size(), 20u);  // the first page only
  }
  matomo_->ClearMalformedPage();
  size_t before = matomo_->requests().size();
  auto again = Run();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->sources[0].emitted, 30u);
  EXPECT_EQ(again->sources[0].duplicates, 0u);
  EXPECT_EQ(again->stored_events, 50u);
  auto params = matomo_->request_params();
  EXPECT_EQ(params[before]["filter_offset"], "10");  // resumed, not restarted
}

TEST_F(MatomoRun, TheSecondRunAsksOnlyForNewVisits) {
  matomo_->AddVisits(Visits(100, 5, 1710000000));  // last visit at 1710000240
  auto first = Run(R"("overlap_seconds": 120)");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->stored_events, 10u);
  EXPECT_EQ(matomo_->request_params()[0].count("minTimestamp"), 0u);

  matomo_->AddVisits(Visits(200, 3, 1710003600));
  size_t before = matomo_->requests().size();
  auto second = Run(R"("overlap_seconds": 120)");
  ASSERT_TRUE(second.ok()) << second.status().message();
  auto params = matomo_->request_params();
  ASSERT_EQ(params.size(), before + 1);
  EXPECT_EQ(params[before]["minTimestamp"], std::to_string(1710000240 - 120));
  EXPECT_EQ(params[before]["filter_offset"], "0");
  // The overlap brings back the last three old visits (from 1710000120 on): deduplicated.
  EXPECT_EQ(second->sources[0].emitted, 12u);
  EXPECT_EQ(second->sources[0].duplicates, 6u);
  EXPECT_EQ(second->stored_events, 16u);
}

TEST_F(MatomoRun, StartDateLimitsTheFirstRun) {
  matomo_->AddVisits(Visits(100, 3, 1710000000));
  auto r = Run(R"("start_date": "2024-03-09T16:00:00Z")");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(matomo_->request_params()[0]["minTimestamp"], "1710000000");
}

TEST_F(MatomoRun, RecordThenReplayWithoutTheServerGivesTheSameEvents) {
  {
    // The fixture's single visit, unwrapped from its array.
    std::string page = Fixture("visits-matomo4.json");
    size_t open = page.find('{'), close = page.rfind('}');
    matomo_->AddVisits({page.substr(open, close - open + 1)});
  }
  matomo_->AddVisits(Visits(100, 12, 1710600000));
  std::string cassettes = dir_.file("cassettes");
  auto recorded = Run("", R"("mode": "record", "cassette_dir": ")" + cassettes + "\"");
  ASSERT_TRUE(recorded.ok()) << recorded.status().message();
  EXPECT_EQ(recorded->stored_events, 28u);
  auto events = [](const RunReport& r) {
    std::vector<std::pair<int64_t, std::string>> out;
    const EventStore& s = *r.analysis.events;
    for (size_t i = 0; i < s.size(); ++i)
      out.emplace_back(s.time_us(i), std::string(s.action_name(i)));
    std::sort(out.begin(), out.end());
    return out;
  };
  auto before = events(*recorded);
  std::string cassette_text;
  for (const auto& f : fs::recursive_directory_iterator(cassettes)) {
    if (f.is_regular_file()) cassette_text += journeykit::testing::ReadFile(f.path().string());
  }
  EXPECT_THAT(cassette_text, Not(HasSubstr(token_)));

  matomo_->Stop();
  fs::remove_all(dir_.file("out"));
  auto replayed = Run("", R"("mode": "replay", "cassette_dir": ")" + cassettes + "\"");
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  EXPECT_EQ(replayed->stored_events, 28u);
  EXPECT_EQ(events(*replayed), before);
}

}  // namespace
}  // namespace journeykit::matomo

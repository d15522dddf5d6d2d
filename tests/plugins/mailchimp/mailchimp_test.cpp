// mailchimp_test.cpp — the mailchimp source: the recorded real page, problem bodies, options,
// and whole runs through the real host and HTTP layer against a loopback Mailchimp
// (support/mock_mailchimp_api.hpp): paging, faults, errors, incremental `since`, the shared
// 10-connection budget, record/replay.
#include <journeykit/pipeline.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include <filesystem>
#include <map>
#include <sstream>

#include "mailchimp_activity_mapper.hpp"
#include "mailchimp_options.hpp"
#include "plugins/test_files.hpp"
#include "support/mock_mailchimp_api.hpp"

namespace journeykit::mailchimp {
namespace {

using journeykit::testing::MockMailchimpApi;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const std::string kKey = "0123456789abcdef0123456789abcdef-us6";

std::string SamplePage() {
  return journeykit::testing::ReadFile(std::string(JK_FIXTURE_DIR) +
                                       "/mailchimp/email-activity-page.json");
}

std::map<std::string, std::string> Pairs(
    const std::vector<std::pair<std::string, std::string>>& v) {
  return {v.begin(), v.end()};
}

TEST(MailchimpActivityMapper, TheRecordedRealPage) {
  MailchimpActivityMapper mapper;
  auto page = mapper.MapActivity(SamplePage(), Campaign{"aycl4", "October news"});
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->members, 10u);
  EXPECT_EQ(page->total_items, 280);
  ASSERT_EQ(page->events.size(), 6u);
  const plugin::Event& open = page->events[0];
  EXPECT_EQ(open.action, "email_open");
  EXPECT_EQ(open.event_id, "aycl4:19b545b52680a9c4d1bb3cea5817a65a:open:2016-10-06T14:27:40+00:00");
  EXPECT_EQ(Pairs(open.identities)["email"], "member02@example.invalid");
  auto hints = Pairs(open.hints);
  EXPECT_EQ(hints["utm_medium"], "email");
  EXPECT_EQ(hints["channel"], "email");
  EXPECT_EQ(hints["utm_campaign"], "October news");
  size_t clicks = 0;
  for (const auto& e : page->events) {
    if (e.action != "email_click") continue;
    ++clicks;
    EXPECT_FALSE(Pairs(e.hints)["url"].empty());
  }
  EXPECT_EQ(clicks, 1u);
}

TEST(MailchimpActivityMapper, UnknownActionsFieldsAndNumbersAsStrings) {
  MailchimpActivityMapper mapper;
  auto page = mapper.MapActivity(
      R"({"emails":[{"email_address":"jana@example.org","email_id":"226d","future":{"x":1},
          "activity":[{"action":"close","timestamp":"2024-03-14T09:00:00+00:00"},
                      {"action":"bounce","type":"hard","timestamp":"2024-03-14T09:00:03+00:00"},
                      {"action":"open","timestamp":"yesterday"}]}],
          "total_items":"1"})",
      Campaign{"c1", ""});
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->total_items, 1);
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].action, "mailchimp_close");
  EXPECT_EQ(page->events[1].action, "email_bounce");
  EXPECT_EQ(Pairs(page->events[1].properties)["bounce_type"], "hard");
  EXPECT_EQ(Pairs(page->events[1].hints)["utm_campaign"], "c1");  // no title: the id
  ASSERT_EQ(page->bad.size(), 1u);
  EXPECT_EQ(page->bad[0].location, "member #0 activity #2");
  EXPECT_FALSE(mapper.MapActivity(R"({"emails":[{"email_address":)", Campaign{"c1", ""}).ok());
}

TEST(MailchimpProblem, ParsesRfc7807) {
  auto p = ParseProblem(R"({"type":"https://mailchimp.com/developer/marketing/docs/errors/",
      "title":"Invalid Resource","status":400,"detail":"Bad","instance":"abc",
      "errors":[{"field":"email_address","message":"This value should not be blank."}]})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 400);
  EXPECT_EQ(p->title, "Invalid Resource");
  ASSERT_EQ(p->errors.size(), 1u);
  EXPECT_EQ(p->errors[0], "email_address: This value should not be blank.");
  EXPECT_FALSE(ParseProblem("<html>Request Blocked</html>"));
}

TEST(MailchimpOptions, DataCentreFromTheKey) {
  plugin::Config c(R"({"api_key":")" + kKey + R"("})");
  auto o = ParseMailchimpOptions(c);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->base_url, "https://us6.api.mailchimp.com/3.0");
  EXPECT_THAT(o->budget_key, HasSubstr("mailchimp:us6:"));
  EXPECT_THAT(o->budget_key, Not(HasSubstr("0123456789abcdef")));
  plugin::Config no_dc(R"({"api_key":"0123456789abcdef"})");
  EXPECT_THAT(ParseMailchimpOptions(no_dc).status().message(), HasSubstr("data centre"));
  plugin::Config over(R"({"api_key":"k-us1","base_url":"http://127.0.0.1:9/3.0/"})");
  EXPECT_EQ(ParseMailchimpOptions(over)->base_url, "http://127.0.0.1:9/3.0");
  plugin::Config too_many(R"({"api_key":"k-us1","max_connections":11})");
  EXPECT_THAT(ParseMailchimpOptions(too_many).status().message(), HasSubstr("max_connections"));
}

// ---- whole runs ----------------------------------------------------------------------------

// `n` members, each with an open and a click on `day` (2024-03-DD).
std::vector<std::string> Members(const std::string& prefix, int n, int day = 14) {
  std::vector<std::string> out;
  char date[32];
  std::snprintf(date, sizeof date, "2024-03-%02dT09:", day);
  for (int i = 0; i < n; ++i) {
    std::string mm = (i % 60 < 10 ? "0" : "") + std::to_string(i % 60);
    out.push_back(R"({"campaign_id":"","list_id":"10c097ca71","email_id":")" + prefix +
                  std::to_string(i) + R"(","email_address":")" + prefix + std::to_string(i) +
                  R"(@example.org","activity":[{"action":"open","timestamp":")" + date + mm +
                  R"(:00+00:00","ip":"198.51.100.7"},{"action":"click","timestamp":")" + date + mm +
                  R"(:30+00:00","url":"https://school.example.com/webinar"}]})");
  }
  return out;
}

class MailchimpRun : public ::testing::Test {
 protected:
  void SetUp() override {
    mc_ = std::make_unique<MockMailchimpApi>(0, kKey);
    base_url_ = mc_->base_url();
  }

  // `sources`: the "sources" array's entries; Source() writes one.
  std::string Source(const std::string& name, const std::string& extra = "") {
    return R"({"name": ")" + name + R"(", "plugin": "mailchimp", "config": {"api_key": ")" +
           config_key_ + R"(", "base_url": ")" + base_url_ + R"(", "page_size": 10)" +
           (extra.empty() ? "" : ", " + extra) + "}}";
  }
  Result<RunReport> Run(const std::string& sources, const std::string& http = "") {
    std::string path = dir_.file("pipeline.json");
    std::ostringstream p;
    p << R"({"version": 1, "plugin_paths": [")" << JK_PLUGIN_DIR << R"("],
      "state": {"path": "out/state.db"},
      "http": {"backoff_base_ms": 5, "backoff_max_ms": 20, "attempt_timeout_ms": 400,
               "time_budget_ms": 8000, "max_attempts": 6)"
      << (http.empty() ? "" : ", " + http) << R"(},
      "sources": [)"
      << sources << R"(],
      "model": {"stages": [{"id": "engaged", "name": "Engaged", "when": [{"action": "email_click"}]}]}})";
    journeykit::testing::WriteFile(path, p.str());
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto pipeline = Pipeline::Open(path, options);
    if (!pipeline.ok()) return pipeline.status();
    return (*pipeline)->Run();
  }
  // Like Run(), but hands the open pipeline to `during` (on another thread) while it runs.
  Result<RunReport> RunWhile(const std::string& sources,
                             const std::function<void(Pipeline&)>& during) {
    std::string path = dir_.file("pipeline.json");
    journeykit::testing::WriteFile(path, R"({"version": 1, "plugin_paths": [")" +
                                             std::string(JK_PLUGIN_DIR) + R"("],
      "state": {"path": "out/state.db"}, "http": {"backoff_base_ms": 5},
      "sources": [)" + sources + R"(],
      "model": {"stages": [{"id": "engaged", "name": "Engaged", "when": [{"action": "email_click"}]}]}})");
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto pipeline = Pipeline::Open(path, options);
    if (!pipeline.ok()) return pipeline.status();
    std::thread side([&] { during(**pipeline); });
    auto report = (*pipeline)->Run();
    side.join();
    return report;
  }
  Result<RunReport> RunOne(const std::string& extra = "", const std::string& http = "") {
    return Run(Source("email", extra), http);
  }

  journeykit::testing::TempDir dir_;
  std::unique_ptr<MockMailchimpApi> mc_;
  std::string config_key_ = kKey;
  std::string base_url_;
  std::string log_;

  void TearDown() override { EXPECT_THAT(log_, Not(HasSubstr(kKey))); }
};

TEST_F(MailchimpRun, SeveralCampaignsAndPagesWithBasicAuth) {
  mc_->AddCampaign({"c1", "Webinar invite"}, Members("a", 25));
  mc_->AddCampaign({"c2", "Reminder"}, Members("b", 7));
  mc_->AddCampaign({"c3", "Draft", "save"}, Members("c", 3));  // not sent: not listed
  auto r = RunOne();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sources[0].emitted, 64u);
  EXPECT_EQ(r->stored_events, 64u);
  EXPECT_EQ(mc_->activity_requests().size(), 3u + 1u);
  for (const auto& q : mc_->requests()) {
    EXPECT_THAT(q.header("authorization"), HasSubstr("Basic "));
    EXPECT_THAT(q.target, Not(HasSubstr(kKey)));
  }
  EXPECT_EQ(mc_->requests()[0].query("status"), "sent");
}

TEST_F(MailchimpRun, AnEmptyResult) {
  auto none = RunOne();
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->sources[0].emitted, 0u);
  mc_->AddCampaign({"c1", "Quiet"}, {});
  auto quiet = RunOne();
  ASSERT_TRUE(quiet.ok()) << quiet.status().message();
  EXPECT_EQ(quiet->sources[0].emitted, 0u);
}

TEST_F(MailchimpRun, RetriesTransientFaults) {
  using F = MockMailchimpApi::Fault;
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 15));
  mc_->set_fault_delay(std::chrono::milliseconds(1000));
  for (F f : {F::k429, F::k500, F::kResetMidBody, F::kTimeout, F::kCloseWithoutReply}) {
    mc_->QueueFault(f);
  }
  auto r = RunOne("", R"("max_attempts": 8)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored_events, 30u);
}

TEST_F(MailchimpRun, Honours429RetryAfter) {
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 3));
  mc_->QueueFault(MockMailchimpApi::Fault::k429RetryAfter);
  auto r = RunOne();
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto q = mc_->requests();
  ASSERT_EQ(q.size(), 3u);
  EXPECT_GE(q[1].arrived - q[0].arrived, std::chrono::milliseconds(900));
}

TEST_F(MailchimpRun, A401IsNotRetriedAndNamesTheKey) {
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 3));
  config_key_ = "ffffffffffffffffffffffffffffffff-us6";
  auto r = RunOne();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("401 API Key Invalid"));
  EXPECT_THAT(r.status().message(), HasSubstr("check the api_key (MAILCHIMP_API_KEY)"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr(config_key_)));
  EXPECT_EQ(mc_->requests().size(), 1u);
}

TEST_F(MailchimpRun, AMalformedPageStoresNothingOfItAndTheRerunResumes) {
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 25));
  mc_->SetMalformedPageAt("c1", 10);
  auto r = RunOne();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("campaign c1 at offset 10"));
  EXPECT_THAT(r.status().message(), HasSubstr("not valid JSON"));
  mc_->ClearMalformedPage();
  size_t before = mc_->activity_requests().size();
  auto again = RunOne();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->sources[0].emitted, 30u);  // members 10..24 only
  EXPECT_EQ(again->sources[0].duplicates, 0u);
  EXPECT_EQ(again->stored_events, 50u);
  EXPECT_EQ(mc_->activity_requests()[before].query("offset"), "10");
}

TEST_F(MailchimpRun, CancellingAbandonsRequestsInFlightAndKeepsTheCheckpoints) {
  // Slow pages: the run is stopped (as SIGINT does) while requests are in flight.
  // 8 campaigns × 8 pages at 150 ms a page, at most 10 in flight: about 1.4 s in all.
  for (int c = 0; c < 8; ++c) {
    mc_->AddCampaign({"c" + std::to_string(c), "Invite"}, Members("m" + std::to_string(c), 80));
  }
  mc_->set_latency(std::chrono::milliseconds(150));
  auto stopped = RunWhile(Source("email"), [](Pipeline& p) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    p.Cancel();
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kCancelled) << stopped.status().message();
  // The rerun goes on from the pages already checkpointed: every event once, none twice.
  mc_->set_latency(std::chrono::milliseconds(0));
  auto rest = RunOne();
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(rest->stored_events, 8u * 80u * 2u);
  EXPECT_LT(rest->sources[0].emitted, 8u * 80u * 2u);  // the first run's pages were kept
}

TEST_F(MailchimpRun, TheSecondRunAsksOnlyForNewActivity) {
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 5));
  auto first = RunOne();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->stored_events, 10u);
  EXPECT_EQ(mc_->activity_requests()[0].query("since"), "");
  mc_->AddCampaign({"c1", "Invite"}, Members("late", 2, 20));
  size_t before = mc_->activity_requests().size();
  auto second = RunOne();
  ASSERT_TRUE(second.ok()) << second.status().message();
  auto q = mc_->activity_requests();
  ASSERT_EQ(q.size(), before + 1);
  EXPECT_EQ(q[before].query("since"), "2024-03-14T09:04:30+00:00");
  EXPECT_EQ(second->sources[0].emitted, 4u);
  EXPECT_EQ(second->stored_events, 14u);
}

TEST_F(MailchimpRun, InstancesOfOneAccountShareTheConnectionBudget) {
  mc_->set_latency(std::chrono::milliseconds(25));
  mc_->set_connection_limit(2);  // Mailchimp's 429 when exceeded
  std::string sources;
  for (int s = 0; s < 3; ++s) {
    std::string ids;
    for (int c = 0; c < 6; ++c) {
      std::string id = "s" + std::to_string(s) + "c" + std::to_string(c);
      mc_->AddCampaign({id, id}, Members(id + "m", 12));
      ids += (c ? ",\"" : "\"") + id + "\"";
    }
    if (s) sources += ",";
    sources +=
        Source("email" + std::to_string(s), R"("max_connections": 2, "campaigns": [)" + ids + "]");
  }
  auto r = Run(sources);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored_events, 3u * 6u * 12u * 2u);
  EXPECT_LE(mc_->max_in_flight(), 2);
  EXPECT_GE(mc_->max_in_flight(), 2);
  EXPECT_EQ(mc_->rejected_for_concurrency(), 0);
}

TEST_F(MailchimpRun, TheRecordedRealPageServedAndRead) {
  mc_->AddCampaign({"aycl4", "October news"}, {});
  mc_->SetRawActivityPage("aycl4", 0, SamplePage());
  auto r = RunOne(R"("page_size": 1000)");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored_events, 6u);
}

TEST_F(MailchimpRun, NumbersAsStrings) {
  mc_->set_numbers_as_strings(true);
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 20));
  auto r = RunOne();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->stored_events, 40u);
  EXPECT_EQ(mc_->activity_requests().size(), 2u);  // total_items "20": no third page
}

TEST_F(MailchimpRun, RecordThenReplayWithoutTheServer) {
  mc_->AddCampaign({"c1", "Invite"}, Members("a", 12));
  mc_->AddCampaign({"c2", "Reminder"}, Members("b", 4));
  std::string cassettes = dir_.file("cassettes");
  auto recorded = RunOne("", R"("mode": "record", "cassette_dir": ")" + cassettes + "\"");
  ASSERT_TRUE(recorded.ok()) << recorded.status().message();
  auto events = [](const RunReport& r) {
    std::vector<std::pair<int64_t, std::string>> out;
    const EventStore& s = *r.analysis.events;
    for (size_t i = 0; i < s.size(); ++i)
      out.emplace_back(s.time_us(i), std::string(s.action_name(i)));
    std::sort(out.begin(), out.end());
    return out;
  };
  auto before = events(*recorded);
  EXPECT_EQ(before.size(), 32u);
  std::string text;
  for (const auto& f : fs::recursive_directory_iterator(cassettes)) {
    if (f.is_regular_file()) text += journeykit::testing::ReadFile(f.path().string());
  }
  EXPECT_THAT(text, Not(HasSubstr(kKey)));
  mc_->Stop();
  fs::remove_all(dir_.file("out"));
  auto replayed = RunOne("", R"("mode": "replay", "cassette_dir": ")" + cassettes + "\"");
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  EXPECT_EQ(events(*replayed), before);
}

}  // namespace
}  // namespace journeykit::mailchimp

// Tests of the trustpilot source: config and page parsing directly (the documented format in
// tests/fixtures/trustpilot/), then the built .so through the real loader, host and HTTP
// engine against a loopback Trustpilot mock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <journeykit/pipeline.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include "plugins/test_files.hpp"
#include "support/mock_trustpilot_api.hpp"
#include "trustpilot_options.hpp"
#include "trustpilot_review_mapper.hpp"
#include "trustpilot_state.hpp"

namespace journeykit::trustpilot {
namespace {

using journeykit::testing::MockRequest;
using journeykit::testing::MockTrustpilotApi;
using journeykit::testing::MockTrustpilotReview;
using journeykit::testing::ReadFile;
using journeykit::testing::TempDir;
using journeykit::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixture = std::string(JK_FIXTURE_DIR) + "/trustpilot/private-reviews-page.json";
const std::string kUnit = "5d2b94b915dd0c0001cab136";

std::string Get(const std::vector<std::pair<std::string, std::string>>& pairs,
                std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return "<absent>";
}

// --- config, parsing, state ------------------------------------------------------------------

std::string ConfigError(const std::string& json) {
  plugin::Config config(json);
  Result<TrustpilotOptions> o = ParseTrustpilotOptions(config);
  return o.ok() ? "" : o.status().message();
}

TEST(TrustpilotOptions, ValidatesUnitKeyPrivateApiAndLimits) {
  EXPECT_THAT(ConfigError(R"({"api_key":"k"})"), HasSubstr("'business_unit_id'"));
  EXPECT_THAT(ConfigError(R"({"business_unit_id":"a/b","api_key":"k"})"),
              HasSubstr("'business_unit_id'"));
  EXPECT_THAT(ConfigError(R"({"business_unit_id":"u"})"), HasSubstr("'api_key' is required"));
  EXPECT_THAT(ConfigError(R"({"business_unit_id":"u","api_key":"k","private_api":true})"),
              HasSubstr("'private_api' needs 'access_token'"));
  EXPECT_THAT(ConfigError(R"({"business_unit_id":"u","api_key":"k","per_page":101})"),
              HasSubstr("'per_page' must be between 1 and 100"));
  EXPECT_EQ(ConfigError(R"({"business_unit_id":"u","api_key":"k"})"), "");
}

TEST(TrustpilotMapper, MapsTheDocumentedPrivatePage) {
  auto page = ParseReviewsPage(ReadFile(kFixture), kUnit);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_TRUE(page->has_next_link);
  ASSERT_EQ(page->events.size(), 1u);
  const plugin::Event& e = page->events[0];
  EXPECT_EQ(e.action, "review");
  EXPECT_EQ(e.event_id, "65f31d2e9b12f67dfee07d56");
  EXPECT_EQ(e.time_us, 1710436358000000);  // 2024-03-14T17:12:38Z
  EXPECT_EQ(e.text,
            "Late delivery\n\nOrdered on Monday, arrived the next week. Product itself is fine.");
  EXPECT_EQ(e.rating, 2.0);
  EXPECT_EQ(e.sentiment, -0.5);
  ASSERT_EQ(e.identities.size(), 1u);
  EXPECT_EQ(e.identities[0], (std::pair<std::string, std::string>("email", "beatriz@example.org")));
  EXPECT_EQ(Get(e.properties, "consumer_id"), "5d343e748c9ca11205e98599");
  EXPECT_EQ(Get(e.properties, "consumer_name"), "Beatriz Martin");
  EXPECT_EQ(Get(e.properties, "reference_id"), "A1001");
  EXPECT_EQ(Get(e.properties, "replied"), "true");
  // 2024-03-15T08:00:00Z − 2024-03-14T17:12:38Z
  EXPECT_EQ(Get(e.properties, "reply_delay_s"), "53242");
  EXPECT_EQ(Get(e.hints, "channel"), "trustpilot");
}

TEST(TrustpilotMapper, ToleratesStringsAndRejectsBadReviews) {
  auto page = ParseReviewsPage(R"({"reviews":[
      {"id":"a","stars":"5","title":"Only a title","createdAt":"2024-01-01T00:00:00Z"},
      {"id":"b","stars":0,"text":"no stars","createdAt":"2024-01-01T00:00:00Z"},
      {"id":"c","stars":3},
      {"stars":3,"createdAt":"2024-01-01T00:00:00Z"}],"links":[]})",
                               kUnit);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(page->has_next_link);
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_EQ(page->events[0].rating, 5.0);
  EXPECT_EQ(page->events[0].text, "Only a title");
  EXPECT_TRUE(page->events[0].identities.empty());
  EXPECT_FALSE(page->events[1].rating.has_value());
  ASSERT_EQ(page->rejected.size(), 2u);
  EXPECT_THAT(page->rejected[0].reason, HasSubstr("review c has no readable \"createdAt\""));
  EXPECT_THAT(page->rejected[1].reason, HasSubstr("no \"id\""));
  EXPECT_EQ(page->review_count, 4u);
  EXPECT_EQ(TrustpilotErrorText(R"({"message":"Bad Request","details":"Pagination limit )"
                                R"(exceeded.","errorCode":400})"),
            "Bad Request: Pagination limit exceeded. (errorCode 400)");
  EXPECT_THAT(ParseReviewsPage("{\"reviews\":[", kUnit).status().message(),
              HasSubstr("not valid JSON"));
}

TEST(TrustpilotState, RoundTrips) {
  ReviewsState s;
  s.newest_created_us = 5;
  s.run = ReviewsRun{4, 9};
  auto back = ReviewsState::Parse(s.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(ReviewsState::Parse("{}").ok());
}

// --- through the real host -----------------------------------------------------------------

MockTrustpilotReview Review(const std::string& id, int stars, const std::string& when) {
  MockTrustpilotReview r;
  r.id = id;
  r.stars = stars;
  r.title = "Title " + id;
  r.text = "Text " + id;
  r.created_at = when;
  r.consumer_name = "Consumer " + id;
  return r;
}

class TrustpilotPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("JK_TEST_TRUSTPILOT_KEY", trustpilot->api_key().c_str(), 1);
    ::setenv("JK_TEST_TRUSTPILOT_TOKEN", trustpilot->access_token().c_str(), 1);
  }

  // Seven reviews a day apart, newest "g" on 2024-03-07; "g" has a reply after 2 h.
  void AddSevenReviews() {
    for (int i = 0; i < 7; ++i) {
      MockTrustpilotReview r = Review(std::string(1, char('a' + i)), 1 + i % 5,
                                      "2024-03-0" + std::to_string(i + 1) + "T10:00:00Z");
      r.referral_email = "person" + std::to_string(i) + "@example.org";
      if (i == 6) {
        r.reply_text = "Thanks!";
        r.reply_created_at = "2024-03-07T12:00:00Z";
      }
      trustpilot->AddReview(kUnit, r);
    }
  }

  std::string Config(const std::string& extra = "") const {
    return R"({"business_unit_id":")" + kUnit + R"(","base_url":")" + trustpilot->base_url() +
           R"(","api_key":"${env:JK_TEST_TRUSTPILOT_KEY}")" + extra + "}";
  }

  std::unique_ptr<Pipeline> Open(const std::string& config, const std::string& http = "",
                                 int attempt_timeout_ms = 2000) {
    std::string http_object = R"({"backoff_base_ms":5,"backoff_max_ms":20,"max_attempts":3,)"
                              R"("attempt_timeout_ms":)" +
                              std::to_string(attempt_timeout_ms) + http + "}";
    std::string path = dir.file("pipeline.json");
    WriteFile(path, R"({"version":1,"state":{"path":"state.db"},"http":)" + http_object +
                        R"(,"sources":[{"name":"tp","plugin":"trustpilot","config":)" + config +
                        R"(}],"model":{"stages":[{"id":"review","name":"Review",)"
                        R"("when":[{"action":"review"}]}]}})");
    PipelineOptions options;
    options.extra_plugin_dirs = {JK_PLUGIN_DIR};
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log += m + "\n"; };
    auto p = Pipeline::Open(path, options);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  // text → (rating, reply delay, identified) of every stored event.
  struct Seen {
    std::optional<double> rating, reply_delay_s;
    size_t identities = 0;
    bool operator==(const Seen&) const = default;
  };
  static std::map<std::string, Seen> Stored(const EventStore& events) {
    std::map<std::string, Seen> out;
    for (size_t i = 0; i < events.size(); ++i) {
      out[std::string(events.text(i))] = {events.rating(i), events.reply_delay_s(i),
                                          events.identities(i).size()};
    }
    return out;
  }
  size_t StoredCount(Pipeline& p) {
    auto a = p.Analyze();
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? a->events->size() : 0;
  }

  TempDir dir;
  std::unique_ptr<MockTrustpilotApi> trustpilot = std::make_unique<MockTrustpilotApi>(0);
  std::string log;
};

TEST_F(TrustpilotPipelineTest, ReadsSeveralPagesToTheShortLastOne) {
  AddSevenReviews();
  auto p = Open(Config(R"(,"per_page":3)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 7u);
  auto requests = trustpilot->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path(), "/v1/business-units/" + kUnit + "/reviews");
  EXPECT_EQ(requests[0].query("page"), "1");
  EXPECT_EQ(requests[2].query("page"), "3");
  EXPECT_EQ(requests[0].query("perPage"), "3");
  EXPECT_EQ(requests[0].query("orderBy"), "createdat.desc");
  EXPECT_EQ(requests[0].header("apikey"), trustpilot->api_key());
  EXPECT_EQ(requests[0].header("authorization"), "");
  auto stored = Stored(*report->analysis.events);
  ASSERT_EQ(stored.size(), 7u);
  EXPECT_EQ(stored["Title g\n\nText g"].rating, 2.0);
  EXPECT_EQ(stored["Title g\n\nText g"].reply_delay_s, 7200.0);
  EXPECT_EQ(stored["Title g\n\nText g"].identities, 0u);  // no e-mail from the public API
  EXPECT_EQ(log.find(trustpilot->api_key()), std::string::npos) << log;
}

TEST_F(TrustpilotPipelineTest, AFullLastPageWithoutANextLinkEndsThePaging) {
  AddSevenReviews();
  auto p = Open(Config(R"(,"per_page":7)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 7u);
  EXPECT_EQ(trustpilot->requests().size(), 1u);
}

TEST_F(TrustpilotPipelineTest, AnEmptyBusinessUnitGivesNoEvents) {
  trustpilot->AddBusinessUnit(kUnit);
  auto p = Open(Config());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].emitted, 0u);
  EXPECT_EQ(trustpilot->requests().size(), 1u);
}

TEST_F(TrustpilotPipelineTest, Retries429WithAndWithoutRetryAfterAnd503) {
  AddSevenReviews();
  trustpilot->QueueFault({MockTrustpilotApi::FaultKind::kStatus, 429, 1});
  trustpilot->QueueFault({MockTrustpilotApi::FaultKind::kStatus, 429});
  MockTrustpilotApi::Fault unavailable{MockTrustpilotApi::FaultKind::kStatus, 503};
  unavailable.page = 2;
  trustpilot->QueueFault(unavailable);
  auto p = Open(Config(R"(,"per_page":3)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 7u);
  auto requests = trustpilot->requests();
  ASSERT_EQ(requests.size(), 6u);  // 2 refused on page 1, 1 on page 2, + 3 pages
  EXPECT_GE(requests[1].arrived - requests[0].arrived, std::chrono::milliseconds(950));
  EXPECT_LT(requests[2].arrived - requests[1].arrived, std::chrono::milliseconds(500));
}

TEST_F(TrustpilotPipelineTest, A500ThenSuccessAndAResetMidBodyAreRetried) {
  AddSevenReviews();
  trustpilot->QueueFault({MockTrustpilotApi::FaultKind::kStatus, 500});
  MockTrustpilotApi::Fault reset{MockTrustpilotApi::FaultKind::kResetMidBody};
  reset.page = 2;
  trustpilot->QueueFault(reset);
  auto p = Open(Config(R"(,"per_page":3)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 7u);
  EXPECT_EQ(report->sources[0].duplicates, 0u);
  EXPECT_EQ(trustpilot->requests().size(), 5u);
}

TEST_F(TrustpilotPipelineTest, ATimeoutIsRetriedAndOneThatPersistsFailsClearly) {
  AddSevenReviews();
  MockTrustpilotApi::Fault slow{MockTrustpilotApi::FaultKind::kDelay};
  slow.delay = std::chrono::milliseconds(1200);
  trustpilot->QueueFault(slow);
  auto p = Open(Config(), "", 300);
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 7u);

  for (int i = 0; i < 3; ++i) trustpilot->QueueFault(slow);
  auto again = p->Run();
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr("business unit " + kUnit + " page 1"));
  EXPECT_THAT(again.status().message(), HasSubstr("check base_url and the network"));
}

TEST_F(TrustpilotPipelineTest, A401SaysToCheckTheApiKeyAndIsNotRetried) {
  AddSevenReviews();
  trustpilot->set_api_key_valid(false);
  auto p = Open(Config());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("401"));
  EXPECT_THAT(report.status().message(), HasSubstr("check api_key"));
  EXPECT_THAT(report.status().message(), HasSubstr("Invalid or missing API key"));
  EXPECT_THAT(report.status().message(), Not(HasSubstr(trustpilot->api_key())));
  EXPECT_EQ(trustpilot->requests().size(), 1u);
}

TEST_F(TrustpilotPipelineTest, AnUnknownBusinessUnitIsNamed) {
  auto p = Open(Config());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("business unit " + kUnit + " was not found"));
}

TEST_F(TrustpilotPipelineTest, AMalformedPageNamesThePageAndStoresNothingOfIt) {
  AddSevenReviews();
  MockTrustpilotApi::Fault malformed{MockTrustpilotApi::FaultKind::kMalformed};
  malformed.page = 2;
  trustpilot->QueueFault(malformed);
  auto p = Open(Config(R"(,"per_page":3)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("page 2: not valid JSON"));
  EXPECT_THAT(report.status().message(), HasSubstr("nothing from this page was stored"));
  EXPECT_EQ(StoredCount(*p), 3u);

  auto rerun = p->Run();
  ASSERT_TRUE(rerun.ok()) << rerun.status().message();
  EXPECT_EQ(rerun->sources[0].inserted, 4u);
  EXPECT_EQ(rerun->sources[0].duplicates, 0u);
  auto requests = trustpilot->requests();
  ASSERT_EQ(requests.size(), 4u);  // pages 1, 2 (broken), then 2 and 3
  EXPECT_EQ(requests[2].query("page"), "2");
}

TEST_F(TrustpilotPipelineTest, ToleratesNumbersAsStringsAndUnknownFields) {
  AddSevenReviews();
  trustpilot->set_numbers_as_strings(true);
  trustpilot->set_unknown_fields(true);
  auto p = Open(Config());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 7u);
  EXPECT_EQ(Stored(*report->analysis.events)["Title e\n\nText e"].rating, 5.0);
}

TEST_F(TrustpilotPipelineTest, ThePaginationLimitStopsWithAWarningNotAFailure) {
  AddSevenReviews();
  trustpilot->set_max_pages(2);
  auto p = Open(Config(R"(,"per_page":3)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 6u);
  EXPECT_THAT(log, HasSubstr("pagination limit was reached"));
  EXPECT_EQ(trustpilot->requests().size(), 3u);
}

TEST_F(TrustpilotPipelineTest, ThePrivateApiSendsTheBearerAndGivesEmailIdentities) {
  AddSevenReviews();
  auto p = Open(Config(R"(,"private_api":true,"access_token":"${env:JK_TEST_TRUSTPILOT_TOKEN}")"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  auto requests = trustpilot->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path(), "/v1/private/business-units/" + kUnit + "/reviews");
  EXPECT_EQ(requests[0].header("authorization"), "Bearer " + trustpilot->access_token());
  EXPECT_EQ(Stored(*report->analysis.events)["Title a\n\nText a"].identities, 1u);
  EXPECT_EQ(report->analysis.journeys->person_count(), 7u);
}

TEST_F(TrustpilotPipelineTest, TheSecondRunAsksOnlyForNewReviews) {
  AddSevenReviews();
  auto p = Open(Config(R"(,"per_page":3)"));
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->Run().ok());
  ASSERT_EQ(trustpilot->requests().size(), 3u);

  trustpilot->AddReview(kUnit, Review("h", 4, "2024-03-08T10:00:00Z"));
  trustpilot->AddReview(kUnit, Review("i", 1, "2024-03-09T10:00:00Z"));
  auto second = p->Run();
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->sources[0].inserted, 2u);
  auto requests = trustpilot->requests();
  // Page 1 holds i, h and g; g is the newest stored: within the overlap, so page 2 is still
  // read, and its first review (f, a day older) ends the paging. Pages 3 and 4 are not asked.
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[3].query("page"), "1");
  EXPECT_EQ(requests[4].query("page"), "2");
  EXPECT_EQ(second->stored_events, 9u);
}

std::string ReadAll(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += ReadFile(e.path().string());
  }
  return all;
}

TEST_F(TrustpilotPipelineTest, RecordThenReplayGivesTheSameEventsWithoutSecrets) {
  AddSevenReviews();
  std::string cassettes = dir.file("cassettes");
  const std::string config = Config(
      R"(,"per_page":3,"private_api":true,"access_token":"${env:JK_TEST_TRUSTPILOT_TOKEN}")");
  std::map<std::string, Seen> recorded;
  {
    auto p = Open(config, R"(,"mode":"record","cassette_dir":")" + cassettes + "\"");
    ASSERT_TRUE(p);
    auto report = p->Run();
    ASSERT_TRUE(report.ok()) << report.status().message();
    recorded = Stored(*report->analysis.events);
  }
  ASSERT_EQ(recorded.size(), 7u);
  std::string files = ReadAll(cassettes);
  EXPECT_THAT(files, HasSubstr("/reviews"));
  EXPECT_THAT(files, Not(HasSubstr(trustpilot->api_key())));
  EXPECT_THAT(files, Not(HasSubstr(trustpilot->access_token())));

  trustpilot->Stop();
  auto p = Open(config, R"(,"mode":"replay","cassette_dir":")" + cassettes + "\"");
  ASSERT_TRUE(p);
  RunOptions from_scratch;
  from_scratch.full_refresh = true;
  auto replay = p->Run(from_scratch);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ(Stored(*replay->analysis.events), recorded);
}

}  // namespace
}  // namespace journeykit::trustpilot

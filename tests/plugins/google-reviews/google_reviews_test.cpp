// Tests of the google-reviews source: config and page parsing directly (the documented
// reviews.list format in tests/fixtures/google-reviews/), then the built .so through the real
// loader, host and HTTP engine against a loopback Business Profile mock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <journeykit/pipeline.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "google_review_mapper.hpp"
#include "google_reviews_options.hpp"
#include "google_reviews_state.hpp"
#include "plugins/test_files.hpp"
#include "support/mock_google_reviews_api.hpp"

namespace journeykit::google_reviews {
namespace {

using journeykit::testing::MockGoogleReview;
using journeykit::testing::MockGoogleReviewsApi;
using journeykit::testing::MockRequest;
using journeykit::testing::ReadFile;
using journeykit::testing::TempDir;
using journeykit::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixture = std::string(JK_FIXTURE_DIR) + "/google-reviews/reviews-page.json";
const std::string kLocation = "accounts/111/locations/222";

std::string Get(const std::vector<std::pair<std::string, std::string>>& pairs,
                std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return "<absent>";
}

// --- config --------------------------------------------------------------------------------

std::string ConfigError(const std::string& json) {
  plugin::Config config(json);
  Result<GoogleReviewsOptions> o = ParseGoogleReviewsOptions(config);
  return o.ok() ? "" : o.status().message();
}

TEST(GoogleReviewsOptions, ValidatesLocationsCredentialsAndLimits) {
  EXPECT_THAT(ConfigError(R"({"access_token":"t"})"), HasSubstr("'locations'"));
  EXPECT_THAT(ConfigError(R"({"locations":["locations/2"],"access_token":"t"})"),
              HasSubstr("'locations/2' is not of the form"));
  EXPECT_THAT(ConfigError(R"({"locations":["accounts/1/locations/2"]})"),
              HasSubstr("set 'access_token', or 'client_id'"));
  EXPECT_THAT(ConfigError(R"({"locations":["accounts/1/locations/2"],"client_id":"c"})"),
              HasSubstr("needs all of 'client_id', 'client_secret' and 'refresh_token'"));
  EXPECT_THAT(
      ConfigError(R"({"locations":["accounts/1/locations/2"],"access_token":"t","page_size":51})"),
      HasSubstr("'page_size' must be between 1 and 50"));
  EXPECT_EQ(ConfigError(R"({"locations":["accounts/1/locations/2"],"access_token":"t"})"), "");

  plugin::Config config(
      R"({"locations":["accounts/1/locations/2"],"client_id":"c1","client_secret":"s",
          "refresh_token":"r","base_url":"http://h/"})");
  auto o = ParseGoogleReviewsOptions(config);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->can_refresh());
  EXPECT_EQ(o->base_url, "http://h");
  EXPECT_EQ(o->budget_key, "google-business-profile:client/c1");
  plugin::Config token_only(R"({"locations":["accounts/1/locations/2"],"access_token":"t"})");
  EXPECT_EQ(ParseGoogleReviewsOptions(token_only)->budget_key,
            "google-business-profile:accounts/1");
}

// --- parsing -------------------------------------------------------------------------------

TEST(GoogleReviewMapper, MapsTheDocumentedPage) {
  auto page = ParseReviewsPage(ReadFile(kFixture), "accounts/1122334455/locations/9988776655", {});
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->next_page_token, "ChsKFgoOT0hfX1JFVklFV19JRBIEaGFzaBABEAE");
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_TRUE(page->rejected.empty());

  const plugin::Event& jana = page->events[0];
  EXPECT_EQ(jana.action, "review");
  EXPECT_EQ(jana.time_us, 1710436925123000);  // 2024-03-14T17:22:05.123Z
  EXPECT_EQ(jana.event_id, "AbFvOqlK2xYz@1710436925123000");
  EXPECT_EQ(jana.text, "Fast delivery, socks fit great. Packaging could be smaller.");
  EXPECT_EQ(jana.rating, 4.0);
  EXPECT_EQ(jana.sentiment, 0.5);
  EXPECT_TRUE(jana.identities.empty());  // a name is no identity unless configured
  EXPECT_EQ(Get(jana.properties, "reviewer_name"), "Jana Krüger");
  EXPECT_EQ(Get(jana.properties, "replied"), "true");
  // 2024-03-15T08:01:44Z − 2024-03-14T17:22:05.123Z = 52778.877 s
  EXPECT_EQ(Get(jana.properties, "reply_delay_s"), "52778");
  EXPECT_EQ(Get(jana.properties, "location"), "accounts/1122334455/locations/9988776655");
  EXPECT_EQ(Get(jana.hints, "channel"), "google_reviews");

  const plugin::Event& anonymous = page->events[1];
  EXPECT_EQ(anonymous.rating, 1.0);
  EXPECT_EQ(anonymous.sentiment, -1.0);
  EXPECT_EQ(anonymous.text, "");  // rating-only review
  EXPECT_EQ(Get(anonymous.properties, "reviewer_name"), "<absent>");
  EXPECT_EQ(Get(anonymous.properties, "replied"), "false");
  EXPECT_EQ(Get(anonymous.properties, "reply_delay_s"), "<absent>");
}

TEST(GoogleReviewMapper, RatingsEditsIdentitiesAndBadReviews) {
  EXPECT_EQ(StarRating("THREE"), 3);
  EXPECT_EQ(StarRating("5"), 5);
  EXPECT_EQ(StarRating("STAR_RATING_UNSPECIFIED"), std::nullopt);
  EXPECT_EQ(StarRating("SIX"), std::nullopt);
  std::string body = R"({"reviews":[
    {"reviewId":"a","reviewer":{"displayName":"Ann","isAnonymous":false},
     "starRating":"STAR_RATING_UNSPECIFIED","comment":"ok",
     "createTime":"2024-01-01T00:00:00Z","updateTime":"2024-02-01T00:00:00.5Z"},
    {"reviewId":"b","starRating":2,"createTime":"2024-01-01T00:00:00Z"},
    {"reviewId":"c","starRating":"TWO"},
    "not an object"],"totalReviewCount":"3"})";
  auto page = ParseReviewsPage(body, kLocation, MapperOptions{"google_reviewer"});
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->events.size(), 2u);
  EXPECT_FALSE(page->events[0].rating.has_value());
  EXPECT_FALSE(page->events[0].sentiment.has_value());
  EXPECT_EQ(Get(page->events[0].properties, "edited"), "true");
  EXPECT_EQ(page->events[0].event_id, "a@1706745600500000");
  ASSERT_EQ(page->events[0].identities.size(), 1u);
  EXPECT_EQ(page->events[0].identities[0].first, "google_reviewer");
  EXPECT_EQ(page->events[1].rating, 2.0);
  ASSERT_EQ(page->rejected.size(), 2u);
  EXPECT_EQ(page->rejected[0].index, 2u);
  EXPECT_THAT(page->rejected[0].reason, HasSubstr("review c has no readable \"updateTime\""));
  EXPECT_EQ(page->rejected[1].index, 3u);

  EXPECT_THAT(ParseReviewsPage("{\"reviews\":[{", kLocation, {}).status().message(),
              HasSubstr("not valid JSON"));
  EXPECT_TRUE(ParseReviewsPage("{}", kLocation, {})->events.empty());
}

TEST(GoogleReviewsState, RoundTripsAndRejectsGarbage) {
  ReviewsState s;
  s.location("accounts/1/locations/2").newest_update_us = 17;
  s.location("accounts/1/locations/3").run = LocationRun{3, "tok\"en", 99};
  auto back = ReviewsState::Parse(s.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->locations(), s.locations());
  EXPECT_THAT(ReviewsState::Parse("[1]").status().message(), HasSubstr("--full-refresh"));
}

// --- through the real host -----------------------------------------------------------------

MockGoogleReview Review(const std::string& id, const std::string& stars, const std::string& when,
                        const std::string& comment = "") {
  MockGoogleReview r;
  r.review_id = id;
  r.reviewer_name = "Reviewer " + id;
  r.star_rating = stars;
  r.comment = comment.empty() ? "Comment " + id : comment;
  r.create_time = when;
  return r;
}

class GoogleReviewsPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("JK_TEST_GOOGLE_TOKEN", google->access_token().c_str(), 1);
    ::setenv("JK_TEST_GOOGLE_CLIENT_SECRET", google->client_secret().c_str(), 1);
    ::setenv("JK_TEST_GOOGLE_REFRESH", google->refresh_token().c_str(), 1);
  }

  // Five reviews a day apart, newest "e" on 2024-03-05.
  void AddFiveReviews() {
    const char* stars[] = {"ONE", "TWO", "THREE", "FOUR", "FIVE"};
    for (int i = 0; i < 5; ++i) {
      MockGoogleReview r = Review(std::string(1, char('a' + i)), stars[i],
                                  "2024-03-0" + std::to_string(i + 1) + "T10:00:00Z");
      if (i == 4) {
        r.reply_comment = "Thank you!";
        r.reply_time = "2024-03-06T12:00:00Z";  // 26 h later
      }
      google->AddReview(kLocation, r);
    }
  }

  std::string StaticTokenConfig(const std::string& extra = "") const {
    return R"({"locations":[")" + kLocation + R"("],"base_url":")" + google->base_url() +
           R"(","access_token":"${env:JK_TEST_GOOGLE_TOKEN}")" + extra + "}";
  }
  std::string RefreshConfig(const std::string& extra = "") const {
    return R"({"locations":[")" + kLocation + R"("],"base_url":")" + google->base_url() +
           R"(","token_url":")" + google->token_url() + R"(","client_id":")" + google->client_id() +
           R"(","client_secret":"${env:JK_TEST_GOOGLE_CLIENT_SECRET}",)"
           R"("refresh_token":"${env:JK_TEST_GOOGLE_REFRESH}")" +
           extra + "}";
  }

  // `http`: more keys of the pipeline's "http" object (short backoff, 3 attempts).
  std::unique_ptr<Pipeline> Open(const std::string& config, const std::string& http = "",
                                 int attempt_timeout_ms = 2000) {
    std::string http_object = R"({"backoff_base_ms":5,"backoff_max_ms":20,"max_attempts":3,)"
                              R"("attempt_timeout_ms":)" +
                              std::to_string(attempt_timeout_ms) + http + "}";
    std::string path = dir.file("pipeline.json");
    WriteFile(path, R"({"version":1,"state":{"path":"state.db"},"http":)" + http_object +
                        R"(,"sources":[{"name":"gbp","plugin":"google-reviews","config":)" +
                        config +
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

  // text → (rating, reply delay) of every stored event.
  static std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> Stored(
      const EventStore& events) {
    std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> out;
    for (size_t i = 0; i < events.size(); ++i) {
      out[std::string(events.text(i))] = {events.rating(i), events.reply_delay_s(i)};
    }
    return out;
  }
  size_t StoredCount(Pipeline& p) {
    auto a = p.Analyze();
    EXPECT_TRUE(a.ok()) << a.status().message();
    return a.ok() ? a->events->size() : 0;
  }

  TempDir dir;
  std::unique_ptr<MockGoogleReviewsApi> google = std::make_unique<MockGoogleReviewsApi>(0);
  std::string log;
};

TEST_F(GoogleReviewsPipelineTest, ReadsSeveralPagesNewestFirst) {
  AddFiveReviews();
  auto p = Open(StaticTokenConfig(R"(,"page_size":2)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 5u);
  auto requests = google->review_requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path(), "/v4/" + kLocation + "/reviews");
  EXPECT_EQ(requests[0].query("pageSize"), "2");
  EXPECT_EQ(requests[0].query("orderBy"), "updateTime desc");
  EXPECT_EQ(requests[0].query("pageToken"), "");
  EXPECT_NE(requests[1].query("pageToken"), "");
  EXPECT_EQ(requests[0].header("authorization"), "Bearer " + google->access_token());
  auto stored = Stored(*report->analysis.events);
  ASSERT_EQ(stored.size(), 5u);
  EXPECT_EQ(stored["Comment a"].first, 1.0);
  EXPECT_EQ(stored["Comment e"].first, 5.0);
  EXPECT_EQ(stored["Comment e"].second, 26.0 * 3600);  // reply_delay_s
  EXPECT_FALSE(stored["Comment d"].second.has_value());
  EXPECT_EQ(log.find(google->access_token()), std::string::npos) << log;
}

TEST_F(GoogleReviewsPipelineTest, AnEmptyLocationGivesNoEvents) {
  google->AddLocation(kLocation);
  auto p = Open(StaticTokenConfig());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].emitted, 0u);
  EXPECT_EQ(google->review_requests().size(), 1u);
}

TEST_F(GoogleReviewsPipelineTest, RetriesA429WithAndWithoutRetryAfter) {
  AddFiveReviews();
  google->QueueFault({MockGoogleReviewsApi::FaultKind::kStatus, 429, 1});
  google->QueueFault({MockGoogleReviewsApi::FaultKind::kStatus, 429});
  auto p = Open(StaticTokenConfig(R"(,"page_size":2)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 5u);
  auto requests = google->review_requests();
  ASSERT_EQ(requests.size(), 5u);  // 2 refused + 3 pages
  EXPECT_GE(requests[1].arrived - requests[0].arrived, std::chrono::milliseconds(950));
  EXPECT_LT(requests[2].arrived - requests[1].arrived, std::chrono::milliseconds(500));
}

TEST_F(GoogleReviewsPipelineTest, A500ThenSuccessAndAResetMidBodyAreRetried) {
  AddFiveReviews();
  google->QueueFault({MockGoogleReviewsApi::FaultKind::kStatus, 500});
  google->QueueFault({MockGoogleReviewsApi::FaultKind::kResetMidBody});
  auto p = Open(StaticTokenConfig(R"(,"page_size":2)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 5u);
  EXPECT_EQ(report->sources[0].duplicates, 0u);
  EXPECT_EQ(google->review_requests().size(), 5u);
}

TEST_F(GoogleReviewsPipelineTest, ATimeoutIsRetriedAndOneThatPersistsFailsClearly) {
  AddFiveReviews();
  MockGoogleReviewsApi::Fault slow{MockGoogleReviewsApi::FaultKind::kDelay};
  slow.delay = std::chrono::milliseconds(1200);
  google->QueueFault(slow);
  auto p = Open(StaticTokenConfig(), "", 300);
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 5u);

  for (int i = 0; i < 3; ++i) google->QueueFault(slow);
  auto again = p->Run();
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr(kLocation + " page 1"));
  EXPECT_THAT(again.status().message(), HasSubstr("check base_url and the network"));
}

TEST_F(GoogleReviewsPipelineTest, A401SaysWhichCredentialToCheckAndIsNotRetried) {
  AddFiveReviews();
  google->ExpireTokens();
  auto p = Open(StaticTokenConfig());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("401"));
  EXPECT_THAT(report.status().message(), HasSubstr("check access_token"));
  EXPECT_THAT(report.status().message(), HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(report.status().message(), Not(HasSubstr(google->access_token())));
  EXPECT_EQ(google->review_requests().size(), 1u);
}

TEST_F(GoogleReviewsPipelineTest, ForbiddenAndUnknownLocationsNameTheLocation) {
  google->AddLocation(kLocation);
  google->DenyLocation(kLocation);
  auto p = Open(StaticTokenConfig());
  ASSERT_TRUE(p);
  auto denied = p->Run();
  ASSERT_FALSE(denied.ok());
  EXPECT_THAT(denied.status().message(), HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(denied.status().message(), HasSubstr("manages " + kLocation));

  auto other = Open(R"({"locations":["accounts/111/locations/999"],"base_url":")" +
                    google->base_url() + R"(","access_token":"${env:JK_TEST_GOOGLE_TOKEN}"})");
  ASSERT_TRUE(other);
  auto missing = other->Run();
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(),
              HasSubstr("location accounts/111/locations/999 was not found"));
}

TEST_F(GoogleReviewsPipelineTest, TheRefreshFlowCallsTheTokenEndpointOnceAndUsesTheBearer) {
  AddFiveReviews();
  google->set_numbers_as_strings(true);  // expires_in arrives as "3599"
  auto p = Open(RefreshConfig(R"(,"page_size":2)"));
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 5u);
  auto token = google->token_requests();
  ASSERT_EQ(token.size(), 1u);
  EXPECT_EQ(token[0].method, "POST");
  EXPECT_EQ(token[0].header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_THAT(token[0].body, HasSubstr("grant_type=refresh_token"));
  for (const MockRequest& r : google->review_requests()) {
    EXPECT_EQ(r.header("authorization"), "Bearer ya29.mock-1");
  }
  EXPECT_EQ(log.find("ya29.mock-1"), std::string::npos) << log;
}

TEST_F(GoogleReviewsPipelineTest, A401RefreshesOnceThenFailsWithTheCredentialToCheck) {
  AddFiveReviews();
  auto p = Open(RefreshConfig(R"(,"access_token":"${env:JK_TEST_GOOGLE_TOKEN}")"));
  ASSERT_TRUE(p);
  google->ExpireTokens();  // the configured access token is stale: refresh once, go on
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 5u);
  EXPECT_EQ(google->token_requests().size(), 1u);
  EXPECT_EQ(google->review_requests().size(), 2u);  // 401, then the page

  google->ExpireTokens();
  google->set_refresh_token_valid(false);  // revoked: the refresh fails, nothing retries
  auto again = p->Run();
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr("invalid_grant"));
  EXPECT_THAT(again.status().message(), HasSubstr("check refresh_token"));
  EXPECT_THAT(again.status().message(), Not(HasSubstr(google->refresh_token())));
  EXPECT_EQ(google->token_requests().size(), 2u);
  EXPECT_EQ(google->review_requests().size(), 3u);
}

TEST_F(GoogleReviewsPipelineTest, AMalformedPageNamesThePageAndStoresNothingOfIt) {
  AddFiveReviews();
  auto p = Open(StaticTokenConfig(R"(,"page_size":2)"));
  ASSERT_TRUE(p);
  MockGoogleReviewsApi::Fault malformed{MockGoogleReviewsApi::FaultKind::kMalformed};
  malformed.page = 2;
  google->QueueFault(malformed);
  auto report = p->Run();
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr(kLocation + " page 2: not valid JSON"));
  EXPECT_THAT(report.status().message(), HasSubstr("nothing from this page was stored"));
  EXPECT_EQ(StoredCount(*p), 2u);  // page 1 only

  // The rerun resumes at page 2 and duplicates nothing.
  auto rerun = p->Run();
  ASSERT_TRUE(rerun.ok()) << rerun.status().message();
  EXPECT_EQ(rerun->sources[0].inserted, 3u);
  EXPECT_EQ(rerun->sources[0].duplicates, 0u);
  EXPECT_EQ(rerun->stored_events, 5u);
  auto requests = google->review_requests();
  ASSERT_EQ(requests.size(), 4u);  // pages 1, 2 (broken), then 2 and 3
  EXPECT_NE(requests[1].query("pageToken"), "");
  EXPECT_EQ(requests[2].query("pageToken"), requests[1].query("pageToken"));
}

TEST_F(GoogleReviewsPipelineTest, ToleratesNumbersAsStringsAndUnknownFields) {
  AddFiveReviews();
  google->set_numbers_as_strings(true);
  google->set_unknown_fields(true);
  google->AddReviewJson(kLocation, R"({"reviewId":"n","starRating":"4","comment":"numeric",
      "createTime":"2024-02-01T00:00:00Z","updateTime":"2024-02-01T00:00:00Z",
      "reviewReply":{"comment":"x","updateTime":"2024-02-01T01:00:00Z","newField":1}})");
  auto p = Open(StaticTokenConfig());
  ASSERT_TRUE(p);
  auto report = p->Run();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->sources[0].inserted, 6u);
  auto stored = Stored(*report->analysis.events);
  EXPECT_EQ(stored["numeric"].first, 4.0);
  EXPECT_EQ(stored["numeric"].second, 3600.0);
}

TEST_F(GoogleReviewsPipelineTest, TheSecondRunAsksOnlyForNewReviewsAndEditsAreNewVersions) {
  AddFiveReviews();
  auto p = Open(StaticTokenConfig(R"(,"page_size":2,"overlap_s":3600)"));
  ASSERT_TRUE(p);
  auto first = p->Run();
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(google->review_requests().size(), 3u);

  // One new review and one edit of "d": both newer than everything stored.
  google->AddReview(kLocation, Review("f", "FIVE", "2024-03-07T10:00:00Z"));
  MockGoogleReview edited = Review("d", "TWO", "2024-03-04T10:00:00Z", "Changed my mind");
  edited.update_time = "2024-03-08T10:00:00Z";
  google->AddReview(kLocation, edited);
  auto second = p->Run();
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->sources[0].inserted, 2u);
  auto requests = google->review_requests();
  // Page 1 holds the two new versions, page 2 starts with "e" (older than the newest stored
  // minus the overlap): paging stops there instead of walking all 4 pages.
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[3].query("pageToken"), "");
  EXPECT_EQ(second->stored_events, 7u);
  auto stored = Stored(*second->analysis.events);
  EXPECT_EQ(stored["Changed my mind"].first, 2.0);
  EXPECT_EQ(stored["Comment d"].first, 4.0);  // the first version stays
}

std::string ReadAll(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += ReadFile(e.path().string());
  }
  return all;
}

TEST_F(GoogleReviewsPipelineTest, RecordThenReplayGivesTheSameEventsWithoutSecrets) {
  AddFiveReviews();
  std::string cassettes = dir.file("cassettes");
  std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> recorded;
  {
    auto p = Open(RefreshConfig(R"(,"page_size":2)"),
                  R"(,"mode":"record","cassette_dir":")" + cassettes + "\"");
    ASSERT_TRUE(p);
    auto report = p->Run();
    ASSERT_TRUE(report.ok()) << report.status().message();
    recorded = Stored(*report->analysis.events);
  }
  ASSERT_EQ(recorded.size(), 5u);
  std::string files = ReadAll(cassettes);
  EXPECT_THAT(files, HasSubstr("/reviews"));
  EXPECT_THAT(files, Not(HasSubstr("ya29.mock")));
  EXPECT_THAT(files, Not(HasSubstr(google->client_secret())));
  EXPECT_THAT(files, Not(HasSubstr(google->refresh_token())));
  EXPECT_THAT(files, Not(HasSubstr(google->access_token())));

  const std::string config = RefreshConfig(R"(,"page_size":2)");
  google->Stop();
  auto p = Open(config, R"(,"mode":"replay","cassette_dir":")" + cassettes + "\"");
  ASSERT_TRUE(p);
  RunOptions from_scratch;
  from_scratch.full_refresh = true;
  auto replay = p->Run(from_scratch);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ(Stored(*replay->analysis.events), recorded);
}

}  // namespace
}  // namespace journeykit::google_reviews

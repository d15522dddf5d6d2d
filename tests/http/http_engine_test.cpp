// The host's HTTP engine against a loopback mock server (docs/http.md).
#include "internal/http_engine.hpp"

#include "support/mock_http_server.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/filesystem.hpp>

#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace journeykit::internal {
namespace {

using journeykit::testing::MockHttpServer;
using journeykit::testing::MockReply;
using journeykit::testing::MockRequest;
using std::chrono::milliseconds;

HttpSettings FastSettings() {
  HttpSettings s;
  s.backoff_base_ms = 5;
  s.backoff_max_ms = 20;
  s.attempt_timeout_ms = 5000;
  s.time_budget_ms = 20000;
  return s;
}

struct Harness {
  HttpEngine engine{FastSettings()};
  HttpSettings settings = FastSettings();
  HttpRedactor redactor{{"s3cr3t-key-value"}};
  std::atomic<bool> cancel{false};

  std::vector<HttpResult> Run(std::vector<HttpCall> calls,
                              std::shared_ptr<Cassette> cassette = nullptr,
                              bool* finished = nullptr) {
    std::vector<HttpResult> out(calls.size());
    bool ok = engine.Send(
        std::move(calls), settings, std::move(cassette), redactor, [this] { return cancel.load(); },
        [&](size_t i, HttpResult&& r) { out[i] = std::move(r); });
    if (finished != nullptr) *finished = ok;
    return out;
  }
  HttpResult Get(const std::string& url, std::shared_ptr<Cassette> cassette = nullptr) {
    HttpCall c;
    c.url = url;
    return Run({c}, std::move(cassette))[0];
  }
};

std::string Gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  std::string out(in.size() + 128, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string TempDir(const std::string& name) {
  auto dir = boost::filesystem::temp_directory_path() /
             boost::filesystem::unique_path("jk-http-%%%%-%%%%-" + name);
  boost::filesystem::create_directories(dir);
  return dir.string();
}

TEST(HttpEngine, GetsABodyAndLowerCasedHeaders) {
  MockHttpServer server([](const MockRequest&) {
    MockReply r = MockReply::Json(R"({"ok":true})");
    r.headers.emplace_back("X-Page-Count", "3");
    return r;
  });
  Harness h;
  HttpResult r = h.Get(server.url("/v1/items?page=1"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.attempts, 1u);
  bool found = false;
  for (const auto& [k, v] : r.headers) found |= (k == "x-page-count" && v == "3");
  EXPECT_TRUE(found);
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/v1/items?page=1");
}

TEST(HttpEngine, SendsMethodHeadersAndBody) {
  MockHttpServer server([](const MockRequest& q) {
    return MockReply::Json("{\"method\":\"" + q.method +
                           "\",\"len\":" + std::to_string(q.body.size()) + "}");
  });
  Harness h;
  HttpCall c;
  c.method = "POST";
  c.url = server.url("/batch");
  c.headers = {{"Content-Type", "application/json"}, {"X-Custom", "yes"}};
  c.body = R"({"inputs":[1,2,3]})";
  HttpResult r = h.Run({c})[0];
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"method":"POST","len":18})");
  auto req = server.requests().at(0);
  EXPECT_EQ(req.header("x-custom"), "yes");
  EXPECT_EQ(req.body, c.body);
  EXPECT_EQ(req.header("expect"), "");  // no 100-continue round trip
}

TEST(HttpEngine, DecompressesGzipBodies) {
  std::string plain(5000, 'a');
  MockHttpServer server([&](const MockRequest& q) {
    MockReply r = MockReply::Json(Gzip(plain));
    r.headers.emplace_back("Content-Encoding", "gzip");
    EXPECT_NE(q.header("accept-encoding").find("gzip"), std::string::npos);
    return r;
  });
  Harness h;
  HttpResult r = h.Get(server.url("/z"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, plain);
}

TEST(HttpEngine, Retries5xxThenSucceeds) {
  std::atomic<int> calls{0};
  MockHttpServer server([&](const MockRequest&) {
    return ++calls <= 2 ? MockReply::Json(R"({"error":"busy"})", 503) : MockReply::Json("{}");
  });
  Harness h;
  HttpResult r = h.Get(server.url("/flaky"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(HttpEngine, GivesUpAfterMaxAttemptsWithAClearMessage) {
  MockHttpServer server(
      [](const MockRequest&) { return MockReply::Json(R"({"message":"internal"})", 500); });
  Harness h;
  h.settings.max_attempts = 3;
  HttpResult r = h.Get(server.url("/down?x=1"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_NE(r.error.find("GET " + server.url("/down?x=1")), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("HTTP 500"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("gave up after 3 attempts"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(R"({"message":"internal"})"), std::string::npos) << r.error;
}

TEST(HttpEngine, DoesNotRetryClientErrors) {
  for (int status : {400, 401, 403, 404, 422}) {
    MockHttpServer server([status](const MockRequest&) {
      return MockReply::Json(R"({"title":"API Key Invalid"})", status);
    });
    Harness h;
    HttpResult r = h.Get(server.url("/private"));
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.attempts, 1u);
    EXPECT_EQ(server.request_count(), 1u) << status;
    EXPECT_NE(r.error.find("HTTP " + std::to_string(status)), std::string::npos);
    EXPECT_NE(r.error.find("API Key Invalid"), std::string::npos);
  }
}

TEST(HttpEngine, HonoursRetryAfterInSeconds) {
  std::atomic<int> calls{0};
  MockHttpServer server([&](const MockRequest&) {
    if (++calls == 1) {
      MockReply r = MockReply::Json("{}", 429);
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    return MockReply::Json("{}");
  });
  Harness h;
  HttpResult r = h.Get(server.url("/limited"));
  EXPECT_EQ(r.status, 200);
  auto log = server.requests();
  ASSERT_EQ(log.size(), 2u);
  // The backoff alone is at most 20 ms here: a wait near 1 s is the server's Retry-After.
  EXPECT_GE(log[1].arrived - log[0].arrived, milliseconds(950));
}

std::string HttpDate(std::time_t t) {
  char buf[64];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(HttpEngine, HonoursRetryAfterAsAnHttpDate) {
  std::atomic<int> calls{0};
  MockHttpServer server([&](const MockRequest&) {
    if (++calls == 1) {
      MockReply r = MockReply::Json("{}", 503);
      r.headers.emplace_back("Retry-After", HttpDate(std::time(nullptr) + 2));
      return r;
    }
    return MockReply::Json("{}");
  });
  Harness h;
  HttpResult r = h.Get(server.url("/maintenance"));
  EXPECT_EQ(r.status, 200);
  auto log = server.requests();
  ASSERT_EQ(log.size(), 2u);
  // Whole seconds in the date: the wait is between 1 and 2 s, never the 20 ms backoff.
  EXPECT_GE(log[1].arrived - log[0].arrived, milliseconds(900));
}

TEST(HttpEngine, ARetryAfterBeyondTheTimeBudgetFailsAtOnce) {
  MockHttpServer server([&](const MockRequest&) {
    MockReply r = MockReply::Json(R"({"title":"TooManyRequests"})", 429);
    r.headers.emplace_back("Retry-After", "3600");
    return r;
  });
  Harness h;
  h.settings.time_budget_ms = 2000;
  HttpResult r = h.Get(server.url("/quota"));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_NE(r.error.find("Retry-After 3600.0 s"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("time budget"), std::string::npos) << r.error;
}

TEST(HttpEngine, Retries429WithoutRetryAfterWithBackoff) {
  std::atomic<int> calls{0};
  MockHttpServer server([&](const MockRequest&) {
    return ++calls <= 2 ? MockReply::Json("{}", 429) : MockReply::Json(R"({"n":1})");
  });
  Harness h;
  HttpResult r = h.Get(server.url("/busy"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 3u);
}

TEST(HttpEngine, RetriesAConnectionResetInTheMiddleOfABody) {
  std::atomic<int> calls{0};
  std::string body = R"({"items":[)" + std::string(20000, ' ') + "]}";
  MockHttpServer server([&](const MockRequest&) {
    MockReply r = MockReply::Json(body);
    if (++calls == 1) r.fault = MockReply::Fault::kResetMidBody;
    return r;
  });
  Harness h;
  HttpResult r = h.Get(server.url("/big"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);  // the half body of the first attempt is gone
  EXPECT_EQ(r.attempts, 2u);
}

TEST(HttpEngine, RetriesATimeoutAndReportsOneThatPersists) {
  std::atomic<int> calls{0};
  MockHttpServer server([&](const MockRequest&) {
    MockReply r = MockReply::Json("{}");
    if (++calls == 1) r.delay = milliseconds(1500);
    return r;
  });
  Harness h;
  h.settings.attempt_timeout_ms = 300;
  HttpResult r = h.Get(server.url("/slow"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 2u);

  MockHttpServer stuck([](const MockRequest&) {
    MockReply slow = MockReply::Json("{}");
    slow.delay = milliseconds(800);
    return slow;
  });
  h.settings.max_attempts = 2;
  HttpResult t = h.Get(stuck.url("/stuck"));
  EXPECT_EQ(t.status, 0);
  EXPECT_EQ(t.attempts, 2u);
  EXPECT_NE(t.error.find("network error"), std::string::npos) << t.error;
  EXPECT_NE(t.error.find("curl 28"), std::string::npos) << t.error;  // operation timed out
}

TEST(HttpEngine, ReportsARefusedConnection) {
  uint16_t port = 0;
  {
    MockHttpServer gone;
    port = gone.port();
  }
  Harness h;
  h.settings.max_attempts = 2;
  HttpResult r = h.Get("http://127.0.0.1:" + std::to_string(port) + "/x");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.attempts, 2u);
  EXPECT_NE(r.error.find("network error"), std::string::npos) << r.error;
}

TEST(HttpEngine, RunsManyRequestsConcurrentlyOnOneLoopThread) {
  MockHttpServer server([](const MockRequest&) {
    MockReply r = MockReply::Json("{}");
    r.delay = milliseconds(200);
    return r;
  });
  Harness h;
  std::vector<HttpCall> calls(12);
  for (size_t i = 0; i < calls.size(); ++i) calls[i].url = server.url("/p/" + std::to_string(i));
  auto results = h.Run(calls);
  for (const auto& r : results) EXPECT_EQ(r.status, 200);
  EXPECT_GE(server.max_in_flight(), 6);  // they overlapped on the server
}

TEST(HttpEngine, ABudgetCapsConcurrentRequests) {
  MockHttpServer server([](const MockRequest&) {
    MockReply r = MockReply::Json("{}");
    r.delay = milliseconds(30);
    return r;
  });
  Harness h;
  std::vector<HttpCall> calls(24);
  for (size_t i = 0; i < calls.size(); ++i) {
    calls[i].url = server.url("/c/" + std::to_string(i));
    calls[i].budget_key = "acct-1";
    calls[i].budget_max_concurrent = 3;
  }
  auto results = h.Run(calls);
  for (const auto& r : results) EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.request_count(), 24u);
  EXPECT_LE(server.max_in_flight(), 3);
  EXPECT_GE(server.max_in_flight(), 2);
}

// The most requests that arrived within any window of `window` (server clock).
size_t MaxInWindow(std::vector<MockRequest> log, milliseconds window) {
  std::sort(log.begin(), log.end(),
            [](const MockRequest& a, const MockRequest& b) { return a.arrived < b.arrived; });
  size_t best = 0;
  for (size_t i = 0, j = 0; i < log.size(); ++i) {
    while (log[i].arrived - log[j].arrived >= window) ++j;
    best = std::max(best, i - j + 1);
  }
  return best;
}

TEST(HttpEngine, ARateBudgetIsSharedByEveryCallerOfTheSameAccount) {
  MockHttpServer server([](const MockRequest&) { return MockReply::Json("{}"); });
  Harness h;
  // Two "instances" (threads) of the same account, 10 requests each, 4 per 300 ms.
  auto instance = [&](int n) {
    std::vector<HttpCall> calls(10);
    for (size_t i = 0; i < calls.size(); ++i) {
      calls[i].url = server.url("/r/" + std::to_string(n) + "/" + std::to_string(i));
      calls[i].budget_key = "shared-account";
      calls[i].budget_requests = 4;
      calls[i].budget_interval_ms = 300;
    }
    for (const auto& r : h.Run(calls)) EXPECT_EQ(r.status, 200);
  };
  std::thread a(instance, 1), b(instance, 2);
  a.join();
  b.join();
  ASSERT_EQ(server.request_count(), 20u);
  // Counted on the server, with 30 ms of slack for loopback scheduling jitter.
  EXPECT_LE(MaxInWindow(server.requests(), milliseconds(270)), 4u);
}

TEST(HttpEngine, RedactsSecretsFromErrors) {
  MockHttpServer server([](const MockRequest&) {
    return MockReply::Json(R"({"detail":"key s3cr3t-key-value is invalid"})", 401);
  });
  Harness h;
  HttpResult r = h.Get(server.url("/a?apikey=s3cr3t-key-value&token_auth=abcdef&page=2"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.error.find("s3cr3t"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("abcdef"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("apikey=***&token_auth=***&page=2"), std::string::npos) << r.error;
}

TEST(HttpRedactor, MasksHeadersFormFieldsAndTokenFields) {
  HttpRedactor r({"topsecretvalue"});
  EXPECT_EQ(r.HeaderValue("Authorization", "Basic dXNlcjpwYXNz"), "Basic ***");
  EXPECT_EQ(r.HeaderValue("apikey", "abc"), "***");
  EXPECT_EQ(r.HeaderValue("Accept", "application/json"), "application/json");
  EXPECT_EQ(r.Body("token_auth=abc123&period=day"), "token_auth=***&period=day");
  EXPECT_EQ(r.Body(R"({"access_token": "ya29.x", "expires_in": 3599})"),
            R"({"access_token": "***", "expires_in": 3599})");
  EXPECT_EQ(r.Text("x topsecretvalue y topsecretvalue"), "x *** y ***");
  EXPECT_EQ(r.Url("https://h/p?q=topsecretvalue"), "https://h/p?q=***");
}

TEST(HttpCassette, RecordsThenReplaysWithoutTheNetwork) {
  std::string dir = TempDir("cassette");
  std::string first_url, second_url;
  {
    MockHttpServer server([](const MockRequest& q) {
      if (q.path() == "/token")
        return MockReply::Json(R"({"access_token":"ya29.live","expires_in":3599})");
      return MockReply::Json("{\"page\":" + q.query("page") + ",\"items\":[1,2.5,\"3\"]}");
    });
    Harness h;
    h.settings.mode = HttpMode::kRecord;
    h.settings.cassette_dir = dir;
    auto cassette = h.engine.CassetteFor(h.settings);
    ASSERT_TRUE(cassette.ok()) << cassette.status().message();
    first_url = server.url("/items?page=1&apikey=s3cr3t-key-value");
    second_url = server.url("/items?page=2&apikey=s3cr3t-key-value");
    HttpCall token;
    token.method = "POST";
    token.url = server.url("/token");
    token.headers = {{"Authorization", "Basic c2VjcmV0"}};
    token.body = "grant_type=refresh_token&refresh_token=1//refresh-secret";
    HttpCall a, b;
    a.url = first_url;
    b.url = second_url;
    auto rs = h.Run({token, a, b}, *cassette);
    EXPECT_EQ(rs[1].body, R"({"page":1,"items":[1,2.5,"3"]})");
    EXPECT_EQ((*cassette)->size(), 3u);
  }
  // Every file is readable JSON without a secret in it.
  size_t files = 0;
  for (auto& e : boost::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path().string());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    ++files;
    EXPECT_EQ(text.find("s3cr3t"), std::string::npos) << e.path();
    EXPECT_EQ(text.find("c2VjcmV0"), std::string::npos) << e.path();
    EXPECT_EQ(text.find("refresh-secret"), std::string::npos) << e.path();
    EXPECT_EQ(text.find("ya29.live"), std::string::npos) << e.path();
    EXPECT_NE(text.find("\"journeykit_cassette\": 1"), std::string::npos);
  }
  EXPECT_EQ(files, 3u);

  // The server is gone: replay answers from the files, whatever the secret's value.
  Harness h;
  h.settings.mode = HttpMode::kReplay;
  h.settings.cassette_dir = dir;
  auto cassette = h.engine.CassetteFor(h.settings);
  ASSERT_TRUE(cassette.ok()) << cassette.status().message();
  HttpCall b;
  b.url = second_url;
  HttpResult r = h.Run({b}, *cassette)[0];
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"page":2,"items":[1,2.5,"3"]})");

  HttpCall missing;
  missing.url = first_url + "&page_size=7";
  HttpResult m = h.Run({missing}, *cassette)[0];
  EXPECT_EQ(m.status, 0);
  EXPECT_NE(m.error.find("never recorded"), std::string::npos) << m.error;
  EXPECT_NE(m.error.find("page_size=7"), std::string::npos) << m.error;
  EXPECT_NE(m.error.find(dir), std::string::npos) << m.error;
  EXPECT_EQ(m.error.find("s3cr3t"), std::string::npos) << m.error;
  boost::filesystem::remove_all(dir);
}

TEST(HttpCassette, ReplayOfAMissingFolderSaysHowToRecordIt) {
  HttpEngine engine(FastSettings());
  HttpSettings s;
  s.mode = HttpMode::kReplay;
  s.cassette_dir = "/nonexistent/cassettes/mailchimp";
  auto c = engine.CassetteFor(s);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/cassettes/mailchimp"), std::string::npos);
  EXPECT_NE(c.status().message().find("record"), std::string::npos);
}

TEST(HttpEngine, CancellationAbandonsRequestsInFlight) {
  MockHttpServer server([](const MockRequest&) {
    MockReply r = MockReply::Json("{}");
    r.delay = milliseconds(1500);
    return r;
  });
  Harness h;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    h.cancel = true;
  });
  std::vector<HttpCall> calls(4);
  for (auto& c : calls) c.url = server.url("/wait");
  size_t answered = 0;
  bool finished = h.engine.Send(
      calls, h.settings, nullptr, h.redactor, [&] { return h.cancel.load(); },
      [&](size_t, HttpResult&&) { ++answered; });
  stopper.join();
  EXPECT_FALSE(finished);
  EXPECT_EQ(answered, 0u);
  // The engine is still usable afterwards.
  h.cancel = false;
  MockHttpServer quick([](const MockRequest&) { return MockReply::Json("{}"); });
  EXPECT_EQ(h.Get(quick.url("/after")).status, 200);
}

}  // namespace
}  // namespace journeykit::internal

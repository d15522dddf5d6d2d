// journeykit/http_util.hpp: the URL, auth and paging helpers plugins use.
#include <journeykit/http_util.hpp>

#include <gtest/gtest.h>

namespace journeykit::http {
namespace {

TEST(HttpUtil, UrlEncodesAllButUnreservedCharacters) {
  EXPECT_EQ(UrlEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(UrlEncode("updateTime desc"), "updateTime%20desc");
  EXPECT_EQ(UrlEncode("2024-03-01T00:00:00+00:00"), "2024-03-01T00%3A00%3A00%2B00%3A00");
  EXPECT_EQ(UrlEncode("ü&="), "%C3%BC%26%3D");
}

TEST(HttpUtil, BuildsQueriesOnTopOfAnExistingOne) {
  EXPECT_EQ(Url("https://h/p").query("count", 1000).query("since", "a b").str(),
            "https://h/p?count=1000&since=a%20b");
  EXPECT_EQ(Url("https://h/index.php?module=API").query("idSite", 1).str(),
            "https://h/index.php?module=API&idSite=1");
  EXPECT_EQ(FormBody({{"grant_type", "refresh_token"}, {"refresh_token", "1//x+y"}}),
            "grant_type=refresh_token&refresh_token=1%2F%2Fx%2By");
}

TEST(HttpUtil, Base64AndBasicAuthMatchRfc4648Vectors) {
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  // RFC 7617's example: Aladdin / open sesame.
  EXPECT_EQ(BasicAuth("Aladdin", "open sesame").second, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(BearerAuth("ya29.t").second, "Bearer ya29.t");
}

TEST(HttpUtil, ParsesLinkHeaders) {
  auto links = ParseLinkHeader(
      R"(<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last",)"
      R"( <https://api.example.com/items?page=1>; rel="first prev")");
  EXPECT_EQ(links["next"], "https://api.example.com/items?page=2");
  EXPECT_EQ(links["last"], "https://api.example.com/items?page=9");
  EXPECT_EQ(links["first"], "https://api.example.com/items?page=1");
  EXPECT_EQ(links["prev"], "https://api.example.com/items?page=1");
  EXPECT_TRUE(ParseLinkHeader("").empty());
  EXPECT_EQ(ParseLinkHeader("<https://a/b>; rel=next")["next"], "https://a/b");
}

TEST(HttpUtil, OffsetPagerStopsOnAShortPageOrTheTotal) {
  OffsetPager p;
  p.count = 10;
  p.total = 25;
  p.next(10);
  EXPECT_FALSE(p.done);
  EXPECT_EQ(p.offset, 10);
  p.next(10);
  EXPECT_FALSE(p.done);
  p.next(5);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.offset, 25);

  OffsetPager exact;  // no total: a full page means there may be more
  exact.count = 10;
  exact.next(10);
  EXPECT_FALSE(exact.done);
  exact.next(0);
  EXPECT_TRUE(exact.done);

  OffsetPager by_total;
  by_total.count = 10;
  by_total.total = 20;
  by_total.next(10);
  by_total.next(10);
  EXPECT_TRUE(by_total.done);  // no extra request for an empty page
}

TEST(HttpUtil, TokenPagerEndsWithoutAToken) {
  TokenPager p;
  p.next("ChsKFgo");
  EXPECT_FALSE(p.done);
  EXPECT_EQ(p.token, "ChsKFgo");
  p.next("");
  EXPECT_TRUE(p.done);
}

}  // namespace
}  // namespace journeykit::http

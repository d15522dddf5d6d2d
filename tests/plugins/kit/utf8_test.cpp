// Tests of the UTF-8 helpers.
#include <gtest/gtest.h>

#include <journeykit/kit/utf8.hpp>

namespace journeykit::kit {
namespace {

TEST(Utf8, Validates) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Zürich €"));
  EXPECT_FALSE(IsValidUtf8("bad \xff byte"));
  EXPECT_FALSE(IsValidUtf8("cut \xc3"));
}

TEST(Utf8, ExcerptStopsAtCharacterBoundary) {
  EXPECT_EQ(Excerpt("abcdef", 3), "abc");
  EXPECT_EQ(Excerpt("ab", 3), "ab");
  EXPECT_EQ(Excerpt("a\xe2\x82\xac"
                    "b",
                    2),
            "a");  // does not split the euro sign
  EXPECT_EQ(Excerpt("a\xe2\x82\xac"
                    "b",
                    4),
            "a\xe2\x82\xac");
}

}  // namespace
}  // namespace journeykit::kit

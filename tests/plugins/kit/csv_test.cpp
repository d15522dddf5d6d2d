// Tests of the RFC 4180 record splitter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <journeykit/kit/csv.hpp>

namespace journeykit::kit {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Split(std::string_view line, char delimiter = ',') {
  std::vector<std::string> fields;
  Status s = ParseCsvRecord(line, delimiter, fields);
  EXPECT_TRUE(s.ok()) << s.message();
  return fields;
}

TEST(Csv, PlainFields) {
  EXPECT_THAT(Split("a,b,c"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Split(""), ElementsAre(""));
  EXPECT_THAT(Split("a,,"), ElementsAre("a", "", ""));
  EXPECT_THAT(Split(" a , b"), ElementsAre(" a ", " b"));
}

TEST(Csv, QuotedFields) {
  EXPECT_THAT(Split(R"("a,b","say ""hi""",c)"), ElementsAre("a,b", "say \"hi\"", "c"));
  EXPECT_THAT(Split(R"("",x)"), ElementsAre("", "x"));
  EXPECT_THAT(Split(R"(x,"")"), ElementsAre("x", ""));
}

TEST(Csv, OtherDelimiters) {
  EXPECT_THAT(Split("a;\"b;c\";d", ';'), ElementsAre("a", "b;c", "d"));
  EXPECT_THAT(Split("a\tb", '\t'), ElementsAre("a", "b"));
}

TEST(Csv, UnterminatedQuoteIsAnError) {
  std::vector<std::string> fields;
  Status s = ParseCsvRecord(R"(a,"b,c)", ',', fields);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("column 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("is not closed"), std::string::npos) << s.message();
}

TEST(Csv, QuotedFieldMayHoldLineBreaks) {
  EXPECT_THAT(Split("1,\"two\nlines\",3", ','), ElementsAre("1", "two\nlines", "3"));
  EXPECT_TRUE(CsvRecordContinues("1,\"open"));
  EXPECT_FALSE(CsvRecordContinues("1,\"open\nclosed\""));
  EXPECT_FALSE(CsvRecordContinues("1,\"say \"\"hi\"\"\",2"));
  EXPECT_TRUE(CsvRecordContinues("1,\"say \"\"hi"));
}

TEST(Csv, TextAfterClosingQuoteIsAnError) {
  std::vector<std::string> fields;
  Status s = ParseCsvRecord(R"("ab"c,d)", ',', fields);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("closing quote"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace journeykit::kit

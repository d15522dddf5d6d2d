// Tests of the line reader: plain and gzip, offsets, long lines, truncated gzip.
#include <gtest/gtest.h>

#include <cstdio>
#include <journeykit/kit/line_reader.hpp>

#include "plugins/test_files.hpp"

namespace journeykit::kit {
namespace {

using journeykit::testing::TempDir;
using journeykit::testing::TruncateFile;
using journeykit::testing::WriteFile;
using journeykit::testing::WriteGzip;

struct Read {
  std::vector<std::string> lines;
  std::vector<int64_t> numbers;
  std::vector<LineReader::Kind> kinds;
};

Read ReadAll(LineReader& reader) {
  Read out;
  while (true) {
    Result<LineReader::Line> line = reader.next();
    EXPECT_TRUE(line.ok()) << line.status().message();
    if (!line.ok() || line->kind == LineReader::Kind::kEnd) break;
    out.lines.emplace_back(line->text);
    out.numbers.push_back(line->number);
    out.kinds.push_back(line->kind);
  }
  return out;
}

std::unique_ptr<LineReader> Open(const std::string& path, uint64_t offset = 0, int64_t line = 0,
                                 size_t max = kDefaultMaxLineBytes) {
  Result<std::unique_ptr<LineReader>> r = LineReader::Open(path, offset, line, max);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(LineReader, PlainLinesOffsetsAndCrLf) {
  TempDir dir;
  WriteFile(dir.file("a.txt"), "\xEF\xBB\xBFone\r\ntwo\n\nlast");
  auto reader = Open(dir.file("a.txt"));
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->gzip());
  Read r = ReadAll(*reader);
  EXPECT_EQ(r.lines, (std::vector<std::string>{"one", "two", "", "last"}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(reader->offset(), 17u);  // every byte, BOM included
  EXPECT_EQ(reader->line_number(), 4);
}

TEST(LineReader, ResumesAtSavedOffset) {
  TempDir dir;
  WriteFile(dir.file("a.txt"), "one\ntwo\nthree\n");
  auto first = Open(dir.file("a.txt"));
  ASSERT_TRUE(first->next().ok());
  EXPECT_EQ(first->offset(), 4u);
  auto reader = Open(dir.file("a.txt"), 4, 1);
  Read r = ReadAll(*reader);
  EXPECT_EQ(r.lines, (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(reader->offset(), 14u);
}

TEST(LineReader, GzipByMagicAndSuffixAndResume) {
  TempDir dir;
  WriteGzip(dir.file("a.gz"), "one\ntwo\nthree\n");
  WriteGzip(dir.file("no-suffix"), "x\ny\n");
  EXPECT_TRUE(IsGzipFile(dir.file("no-suffix")));
  auto reader = Open(dir.file("a.gz"));
  EXPECT_TRUE(reader->gzip());
  EXPECT_EQ(ReadAll(*reader).lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(reader->offset(), 14u);
  EXPECT_EQ(ReadAll(*Open(dir.file("no-suffix"))).lines, (std::vector<std::string>{"x", "y"}));
  auto resumed = Open(dir.file("a.gz"), 4, 1);
  Read r = ReadAll(*resumed);
  EXPECT_EQ(r.lines, (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(r.numbers, (std::vector<int64_t>{2, 3}));
}

TEST(LineReader, LongLineIsSkippedWithExcerpt) {
  TempDir dir;
  std::string big(10 * 1024 * 1024, 'x');
  WriteFile(dir.file("a.txt"), "short\n" + big + "\nafter\n" + std::string(33, 'y') + "\r\n" +
                                   std::string(32, 'z') + "\r\n");
  auto reader = Open(dir.file("a.txt"), 0, 0, 32);
  Read r = ReadAll(*reader);
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_EQ(r.kinds[0], LineReader::Kind::kLine);
  EXPECT_EQ(r.kinds[1], LineReader::Kind::kTooLong);
  EXPECT_EQ(r.lines[1], std::string(kMaxExcerptBytes, 'x'));
  EXPECT_EQ(r.kinds[2], LineReader::Kind::kLine);
  EXPECT_EQ(r.lines[2], "after");
  EXPECT_EQ(r.kinds[3], LineReader::Kind::kTooLong);  // 33 bytes
  EXPECT_EQ(r.kinds[4], LineReader::Kind::kLine);     // 32 bytes + \r is fine
  EXPECT_EQ(r.numbers[4], 5);
}

TEST(LineReader, TruncatedGzipIsAClearError) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "{\"n\":" + std::to_string(i * 7919) + "}\n";
  WriteGzip(dir.file("a.ndjson.gz"), content);
  TruncateFile(dir.file("a.ndjson.gz"), 20000);
  auto reader = Open(dir.file("a.ndjson.gz"));
  Status error;
  int lines = 0;
  while (true) {
    Result<LineReader::Line> line = reader->next();
    if (!line.ok()) {
      error = line.status();
      break;
    }
    if (line->kind == LineReader::Kind::kEnd) break;
    ++lines;
  }
  ASSERT_FALSE(error.ok()) << "read " << lines << " lines without noticing the truncation";
  EXPECT_GT(lines, 0);
  EXPECT_LT(lines, 20000);
  EXPECT_NE(error.message().find(dir.file("a.ndjson.gz") + " is truncated or corrupt (gzip)"),
            std::string::npos)
      << error.message();
  EXPECT_NE(error.message().find("re-export it"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("after line " + std::to_string(lines)), std::string::npos)
      << error.message();
}

TEST(LineReader, MissingFileIsNotFound) {
  Result<std::unique_ptr<LineReader>> r = LineReader::Open("/nonexistent/x.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/x.csv"), std::string::npos);
}

TEST(LineReader, EmptyFiles) {
  TempDir dir;
  WriteFile(dir.file("empty.txt"), "");
  WriteGzip(dir.file("empty.gz"), "");
  EXPECT_TRUE(ReadAll(*Open(dir.file("empty.txt"))).lines.empty());
  EXPECT_TRUE(ReadAll(*Open(dir.file("empty.gz"))).lines.empty());
}

}  // namespace
}  // namespace journeykit::kit

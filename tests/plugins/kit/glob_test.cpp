// Tests of glob expansion.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <journeykit/kit/glob.hpp>

#include "plugins/test_files.hpp"

namespace journeykit::kit {
namespace {

using journeykit::testing::TempDir;
using journeykit::testing::WriteFile;

TEST(Glob, SortedRegularFilesOnly) {
  TempDir dir;
  WriteFile(dir.file("b.csv"), "x");
  WriteFile(dir.file("a.csv"), "x");
  WriteFile(dir.file("C.csv"), "x");
  WriteFile(dir.file("a.txt"), "x");
  std::filesystem::create_directory(dir.file("d.csv"));
  Result<std::vector<std::string>> files = ExpandGlob(dir.file("*.csv"));
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_THAT(*files,
              ::testing::ElementsAre(dir.file("C.csv"), dir.file("a.csv"), dir.file("b.csv")));
}

TEST(Glob, NoMatchIsEmptyNotAnError) {
  TempDir dir;
  Result<std::vector<std::string>> files = ExpandGlob(dir.file("*.ndjson"));
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
  Status check = CheckGlob(dir.file("*.ndjson"));
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.code(), StatusCode::kNotFound);
  EXPECT_NE(check.message().find("no file matches " + dir.file("*.ndjson")), std::string::npos)
      << check.message();
}

TEST(Glob, LiteralPath) {
  TempDir dir;
  WriteFile(dir.file("one.csv"), "x");
  Result<std::vector<std::string>> files = ExpandGlob(dir.file("one.csv"));
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, ::testing::ElementsAre(dir.file("one.csv")));
  EXPECT_TRUE(CheckGlob(dir.file("one.csv")).ok());
}

}  // namespace
}  // namespace journeykit::kit

// html_map_browser_test.cpp — the online-school demo's HTML journey map in headless Chromium:
// the page loads with its script run and no console errors or blocked requests, shows one
// column per stage and one emotion point per stage with data, and its numbers equal the JSON.
#include <journeykit/map_render.hpp>
#include <journeykit/pipeline.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace journeykit {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t CountOf(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

class HtmlMapInChromium : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(JK_CHROMIUM_PATH)) return;
    dir_ = fs::temp_directory_path() / ("jk-browser-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string cmd = std::string(JK_GENERATOR_PATH) + " --out " + (dir_ / "data").string() +
                      " --people 1000 > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    fs::copy_file(fs::path(JK_SOURCE_DIR) / "examples/online-school/pipeline.json",
                  dir_ / "pipeline.json");
    PipelineOptions options;
    options.extra_plugin_dirs = {JK_PLUGIN_DIR};
    options.search_install_dir = false;
    options.log = [](LogLevel, const std::string&) {};
    auto pipeline = Pipeline::Open((dir_ / "pipeline.json").string(), options);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
    RunOptions run;
    run.write_connectors = false;
    auto report = pipeline.value()->Run(run);
    ASSERT_TRUE(report.ok()) << report.status().message();
    const JourneyAnalysis& analysis = report->analysis;
    ASSERT_GE(analysis.maps.size(), 2u);
    html_ = JourneyMapsToHtml(analysis.maps, *analysis.model, {});
    json_.clear();
    for (const JourneyMap& m : analysis.maps) json_.push_back(JourneyMapToJson(m));
    std::ofstream(dir_ / "map.html", std::ios::binary) << html_;

    // One Chromium run: the DOM after scripts ran, console messages on stderr.
    fs::create_directories(dir_ / "profile");
    std::string chromium =
        std::string("timeout 180 ") + JK_CHROMIUM_PATH +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --enable-logging=stderr --v=0 --user-data-dir=" +
        (dir_ / "profile").string();
    cmd = chromium + " --dump-dom file://" + (dir_ / "map.html").string() + " > " +
          (dir_ / "dom.html").string() + " 2> " + (dir_ / "chromium.log").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << ReadFile(dir_ / "chromium.log");
    dom_ = ReadFile(dir_ / "dom.html");
    log_ = ReadFile(dir_ / "chromium.log");
    fs::remove_all(dir_ / "profile");
    fs::create_directories(dir_ / "profile");
    cmd = chromium +
          " --hide-scrollbars --window-size=1500,1900 --screenshot=" + (dir_ / "map.png").string() +
          " file://" + (dir_ / "map.html").string() + " > " + (dir_ / "screenshot.log").string() +
          " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << ReadFile(dir_ / "screenshot.log");
  }
  static void TearDownTestSuite() {
    if (!dir_.empty() && std::getenv("JK_KEEP_BROWSER_OUTPUT") == nullptr) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!fs::exists(JK_CHROMIUM_PATH)) {
      GTEST_SKIP() << JK_CHROMIUM_PATH
                   << " not installed: browser test skipped (JOURNEYKIT_BROWSER_TESTS=1 "
                      "scripts/install-deps.sh installs Debian's chromium package)";
    }
    ASSERT_FALSE(dom_.empty()) << "Chromium produced no DOM; log:\n" << log_;
  }

  // The first segment's <section>, as Chromium serialised it.
  static std::string_view FirstSection() {
    std::string_view dom = dom_;
    size_t start = dom.find("<section class=\"segment\" id=\"seg-0\"");
    size_t end = dom.find("</section>", start);
    if (start == std::string::npos || end == std::string::npos) return {};
    return dom.substr(start, end - start);
  }

  static inline fs::path dir_;
  static inline std::string html_, dom_, log_;
  static inline std::vector<std::string> json_;
};

TEST_F(HtmlMapInChromium, LoadsRunsItsScriptWithoutConsoleErrorsOrRequests) {
  EXPECT_NE(dom_.find("<html lang=\"en\" class=\"js\">"), std::string::npos)
      << "the inline script did not run";
  EXPECT_EQ(log_.find("Uncaught"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("Refused to"), std::string::npos) << log_;  // CSP-blocked requests
  EXPECT_EQ(log_.find(":CONSOLE"), std::string::npos) << log_;    // any console message
  EXPECT_EQ(html_.find("http://"), std::string::npos);
  EXPECT_EQ(html_.find("https://"), std::string::npos);
  EXPECT_GT(fs::file_size(dir_ / "map.png"), 20'000u);
}

TEST_F(HtmlMapInChromium, OneColumnPerStageOneEmotionPointPerStageWithDataNumbersMatchJson) {
  std::string_view section = FirstSection();
  ASSERT_FALSE(section.empty());
  // Read the numbers back from the JSON embedded in the page Chromium loaded.
  const std::string open = "<script type=\"application/json\" id=\"journeymap-data\">";
  size_t start = dom_.find(open);
  ASSERT_NE(start, std::string::npos);
  start += open.size();
  std::string embedded = dom_.substr(start, dom_.find("</script>", start) - start);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(embedded).get(doc), simdjson::SUCCESS);
  simdjson::dom::array maps;
  ASSERT_EQ(doc.get_array().get(maps), simdjson::SUCCESS);
  ASSERT_EQ(maps.size(), json_.size());
  for (size_t i = 0; i < json_.size(); ++i) {
    simdjson::dom::parser own_parser;
    simdjson::dom::element own;
    ASSERT_EQ(own_parser.parse(json_[i]).get(own), simdjson::SUCCESS);
    EXPECT_EQ(simdjson::to_string(maps.at(i).value()), simdjson::to_string(own)) << "map " << i;
  }

  simdjson::dom::array stages;
  ASSERT_EQ(maps.at(0)["stages"].get_array().get(stages), simdjson::SUCCESS);
  EXPECT_EQ(CountOf(section, "<div class=\"stage"), stages.size());
  size_t with_emotion = 0;
  for (simdjson::dom::element stage : stages) {
    std::string id{std::string_view(stage["id"])};
    uint64_t reached = uint64_t(stage["reached"]);
    EXPECT_NE(
        section.find("data-stage=\"" + id + "\" data-reached=\"" + std::to_string(reached) + "\""),
        std::string::npos)
        << id;
    EXPECT_NE(section.find("<div class=\"reach\">" + Grouped(reached) + "</div>"),
              std::string::npos)
        << id;
    simdjson::dom::element emotion = stage["emotion"];
    if (!emotion.is_null() && !emotion["mean"].is_null()) {
      ++with_emotion;
      EXPECT_NE(section.find("<g class=\"emotion-point"), std::string::npos);
      EXPECT_NE(section.find("data-stage=\"" + id + "\" data-count=\"" +
                             std::to_string(uint64_t(emotion["count"])) + "\""),
                std::string::npos)
          << id;
    }
  }
  EXPECT_EQ(CountOf(section, "<g class=\"emotion-point"), with_emotion);
  EXPECT_GT(with_emotion, 0u);
  EXPECT_EQ(CountOf(section, "class=\"emotion-nodata\""), stages.size() - with_emotion);
  // Every segment is in the page, the first shown and the others hidden.
  EXPECT_EQ(CountOf(dom_, "<section class=\"segment\""), maps.size());
  EXPECT_EQ(CountOf(dom_, "<section class=\"segment\" id=\"seg-0\" data-segment=\"all\">"), 1u);
  EXPECT_EQ(CountOf(dom_, "\" hidden=\"\">"), maps.size() - 1);
}

}  // namespace
}  // namespace journeykit

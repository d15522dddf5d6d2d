// html_map_browser_test.cpp — the online-school demo's HTML journey map in headless Chromium:
// the page loads with its script run and no console errors, makes no network request (read
// from Chromium's own network log, checked against a control page that does make one), shows
// one column per stage and one emotion point per stage with data, its numbers equal the JSON,
// and the change since a previous map (the same data two weeks earlier) equals the difference
// of the two JSON maps.
#include <journeykit/map_render.hpp>
#include <journeykit/pipeline.hpp>

#include "support/demo_pipeline.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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
  // Runs once, from the first test's SetUp: a failure here fails the tests (gtest only skips
  // them when SetUpTestSuite fails, which ctest does not count as a failure).
  static void Prepare() {
    dir_ = fs::temp_directory_path() / ("jk-browser-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string cmd = std::string(JK_GENERATOR_PATH) + " --out " + (dir_ / "data").string() +
                      " --people 1000 > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    journeykit::testing::PrepareDemoPipeline(dir_);
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
    // The "previous run": every segment's map of the data up to two weeks before the end.
    HtmlOptions html_options;
    std::string previous = "[";
    const int64_t cut = analysis.maps[0].last_event_us - 14 * int64_t{86'400'000'000};
    for (size_t i = 0; i < analysis.maps.size(); ++i) {
      JourneyMapOptions period;
      period.segment = static_cast<int>(i) - 1;
      period.to_us = cut;
      auto old = BuildJourneyMap(*analysis.journeys, analysis.plan, period);
      ASSERT_TRUE(old.ok()) << old.status().message();
      previous_json_.push_back(JourneyMapToJson(*old));
      previous += (i ? "," : "") + previous_json_.back();
    }
    auto snapshots = ParseMapSnapshots(previous + "]", "previous");
    ASSERT_TRUE(snapshots.ok()) << snapshots.status().message();
    html_options.previous = std::move(snapshots).value();
    html_ = JourneyMapsToHtml(analysis.maps, *analysis.model, html_options);
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
    // Chromium's network log records every request its network stack starts (also the
    // browser's own background ones, told apart below by the page's network isolation key).
    const std::string net_log = " --net-log-capture-mode=Everything --log-net-log=";
    cmd = chromium + net_log + (dir_ / "net.json").string() + " --dump-dom file://" +
          (dir_ / "map.html").string() + " > " + (dir_ / "dom.html").string() + " 2> " +
          (dir_ / "chromium.log").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << ReadFile(dir_ / "chromium.log");
    dom_ = ReadFile(dir_ / "dom.html");
    log_ = ReadFile(dir_ / "chromium.log");
    net_log_ = ReadFile(dir_ / "net.json");
    // The control: a page that does make a request (to a TEST-NET-1 address: nothing answers,
    // no DNS), so the check below is known to see page requests.
    std::ofstream(dir_ / "control.html", std::ios::binary)
        << "<!DOCTYPE html><html><body><img src=\"http://192.0.2.1/jk-control.png\"></body></html>";
    fs::remove_all(dir_ / "profile");
    fs::create_directories(dir_ / "profile");
    cmd = chromium + net_log + (dir_ / "control-net.json").string() + " --dump-dom file://" +
          (dir_ / "control.html").string() + " > /dev/null 2> " + (dir_ / "control.log").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << ReadFile(dir_ / "control.log");
    control_net_log_ = ReadFile(dir_ / "control-net.json");
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
    if (!prepared_) {
      prepared_ = true;
      Prepare();
      if (HasFatalFailure()) return;
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

  // The URLs of the requests a page loaded from file:// started, from a Chromium net log
  // (URL_REQUEST_START_JOB events whose network isolation key is the file:// page, or whose
  // initiator is the page's opaque origin). The browser's own background requests (component
  // updates and the like, which a fresh profile may start) carry other keys and are not the
  // page's. The file itself is read without the network stack and never appears.
  static std::vector<std::string> PageRequests(const std::string& log) {
    std::vector<std::string> urls;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_EQ(parser.parse(log).get(root), simdjson::SUCCESS) << "net log is not JSON";
    if (log.empty()) return urls;
    int64_t start_job = -1;
    EXPECT_EQ(root["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].get(start_job),
              simdjson::SUCCESS);
    simdjson::dom::array events;
    EXPECT_EQ(root["events"].get(events), simdjson::SUCCESS);
    for (simdjson::dom::element e : events) {
      int64_t type = 0;
      std::string_view url, key, initiator;
      if (e["type"].get(type) != simdjson::SUCCESS || type != start_job) continue;
      if (e["params"]["url"].get(url) != simdjson::SUCCESS) continue;
      if (e["params"]["network_isolation_key"].get(key) != simdjson::SUCCESS) key = {};
      if (e["params"]["initiator"].get(initiator) != simdjson::SUCCESS) initiator = {};
      if (key.find("file://") != std::string_view::npos || initiator == "null") {
        urls.emplace_back(url);
      }
    }
    return urls;
  }

  static inline bool prepared_ = false;
  static inline fs::path dir_;
  static inline std::string html_, dom_, log_, net_log_, control_net_log_;
  static inline std::vector<std::string> json_, previous_json_;
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

TEST_F(HtmlMapInChromium, MakesNoNetworkRequestAsChromiumsNetLogShows) {
  // The control page's one request is seen, so an empty list below means no request.
  EXPECT_EQ(PageRequests(control_net_log_),
            std::vector<std::string>{"http://192.0.2.1/jk-control.png"});
  ASSERT_FALSE(net_log_.empty());
  EXPECT_EQ(PageRequests(net_log_), std::vector<std::string>{});
}

TEST_F(HtmlMapInChromium, ShowsTheChangeSinceThePreviousMap) {
  std::string_view section = FirstSection();
  ASSERT_FALSE(section.empty());
  simdjson::dom::parser now_parser, before_parser;
  simdjson::dom::element now, before;
  ASSERT_EQ(now_parser.parse(json_[0]).get(now), simdjson::SUCCESS);
  ASSERT_EQ(before_parser.parse(previous_json_[0]).get(before), simdjson::SUCCESS);
  simdjson::dom::array stages = now["stages"], old_stages = before["stages"];
  ASSERT_EQ(stages.size(), old_stages.size());
  EXPECT_EQ(CountOf(section, "<div class=\"cell lane-change\""), stages.size());
  bool any_change = false;
  for (size_t i = 0; i < stages.size(); ++i) {
    std::string id{std::string_view(stages.at(i)["id"])};
    int64_t delta =
        int64_t(uint64_t(stages.at(i)["reached"])) - int64_t(uint64_t(old_stages.at(i)["reached"]));
    any_change = any_change || delta != 0;
    EXPECT_NE(section.find("<div class=\"cell lane-change\" data-stage=\"" + id +
                           "\" data-delta-reached=\"" + std::to_string(delta) + "\""),
              std::string::npos)
        << id;
  }
  EXPECT_TRUE(any_change) << "two weeks more data should change some reach";
  // Pain points new since then: (type, stage) pairs not in the previous map.
  size_t added = 0;
  for (simdjson::dom::element p : simdjson::dom::array(now["pain_points"])) {
    bool had = false;
    for (simdjson::dom::element q : simdjson::dom::array(before["pain_points"])) {
      had = had || (std::string_view(p["type"]) == std::string_view(q["type"]) &&
                    std::string_view(p["stage_id"]) == std::string_view(q["stage_id"]));
    }
    added += had ? 0 : 1;
  }
  EXPECT_NE(section.find("data-new-pain-points=\"" + std::to_string(added) + "\""),
            std::string::npos);
  EXPECT_EQ(CountOf(section, "class=\"badge-new\""), added);
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

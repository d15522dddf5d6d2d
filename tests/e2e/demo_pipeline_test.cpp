// demo_pipeline_test.cpp — the online-school demo end to end: generated GA4 export rows and
// offline CSVs through the real plugins, stitched, staged, analysed and written out; then an
// incremental rerun that reads only new files.
#include <journeykit/pipeline.hpp>

#include "support/demo_pipeline.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace journeykit {
namespace {

namespace fs = std::filesystem;

class DemoPipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("jk-demo-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string cmd = std::string(JK_GENERATOR_PATH) + " --out " + (dir_ / "data").string() +
                      " --people 600 --days 28 > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    // The API sources replay the committed cassettes (recorded from the 3000-person data set,
    // so their people only partly overlap this smaller one).
    // The connectors deliver to the demo's loopback receivers (demo_delivery_test.cpp checks
    // what they receive).
    receivers_ = journeykit::testing::PrepareDemoPipelineWithReceivers(dir_);
    ASSERT_EQ(receivers_->error(), "");
  }
  // Checked here too: a failure in SetUpTestSuite alone would only skip the tests.
  void SetUp() override {
    ASSERT_TRUE(receivers_ != nullptr);
    ASSERT_EQ(receivers_->error(), "");
  }
  static void TearDownTestSuite() {
    receivers_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<Pipeline> Open() {
    PipelineOptions options;
    options.extra_plugin_dirs = {JK_PLUGIN_DIR};
    options.search_install_dir = false;
    options.log = [](LogLevel, const std::string&) {};
    auto p = Pipeline::Open((dir_ / "pipeline.json").string(), options);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  static size_t CountLines(const fs::path& path) {
    std::ifstream in(path);
    size_t n = 0;
    std::string line;
    while (std::getline(in, line)) n += line.empty() ? 0 : 1;
    return n;
  }

  static inline fs::path dir_;
  static inline std::unique_ptr<journeykit::testing::DemoReceivers> receivers_;
};

TEST_F(DemoPipeline, RunsIncrementallyAndEveryNumberReconciles) {
  // First run without the last week's GA4 files, as if they had not been exported yet.
  fs::path held = dir_ / "held-back";
  fs::create_directories(held);
  std::vector<fs::path> day_files;
  for (const auto& f : fs::directory_iterator(dir_ / "data" / "ga4")) day_files.push_back(f.path());
  std::sort(day_files.begin(), day_files.end());
  ASSERT_EQ(day_files.size(), 28u);
  size_t held_rows = 0;
  for (size_t i = 21; i < day_files.size(); ++i) {
    held_rows += CountLines(day_files[i]);
    fs::rename(day_files[i], held / day_files[i].filename());
  }

  auto pipeline = Open();
  ASSERT_TRUE(pipeline);
  auto first = pipeline->Run();
  ASSERT_TRUE(first.ok()) << first.status().message();
  std::map<std::string, SourceReport> by_name;
  for (const auto& s : first->sources) by_name[s.name] = s;
  ASSERT_EQ(by_name.size(), 8u);
  for (const auto& [name, s] : by_name) {
    EXPECT_GT(s.emitted, 0u) << name;
    EXPECT_EQ(s.inserted + s.duplicates, s.emitted) << name;
  }
  uint64_t stored_first = first->stored_events;
  for (const DeliveryReport& d : first->deliveries) {
    EXPECT_TRUE(d.status.ok()) << d.name << ": " << d.status.message();
  }

  // Everything stored is on the delivered events file, once.
  fs::path out = dir_ / "out";
  EXPECT_EQ(CountLines(out / "events.ndjson"), stored_first);
  const JourneySet& journeys = *first->analysis.journeys;
  EXPECT_EQ(CountLines(out / "journeys.ndjson"), journeys.person_count());
  const auto& model = *first->analysis.model;
  EXPECT_EQ(CountLines(out / "stage_table.csv"),
            1 + (model.segments().size() + 1) * model.stages().size());

  // Stitching joined the sources: webinar and NPS rows belong to people who also have web
  // events (the bridge is user_id and the hashed e-mail).
  const EventStore& events = *first->analysis.events;
  std::set<uint32_t> web_people, nps_people;
  for (size_t i = 0; i < events.size(); ++i) {
    uint32_t p = journeys.person_of_event(i);
    if (p == kNoPerson) continue;
    if (events.source_name(events.source(i)) == "web") web_people.insert(p);
    if (events.source_name(events.source(i)) == "nps") nps_people.insert(p);
  }
  ASSERT_FALSE(nps_people.empty());
  size_t nps_with_web = 0;
  for (uint32_t p : nps_people) nps_with_web += web_people.count(p);
  EXPECT_GT(nps_with_web * 10, nps_people.size() * 8) << "most NPS answers reach a web journey";

  // The funnel reconciles with the journeys: "all" covers every person and every event.
  const StageFunnel* all = first->analysis.Funnel("all");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->people, journeys.person_count());
  EXPECT_EQ(all->events + journeys.unidentified_events(), events.size());
  for (const auto& row : all->rows) {
    EXPECT_LE(row.reached, all->people);
    EXPECT_EQ(row.progressed + row.dropped,
              row.stage_id == all->rows.back().stage_id ? row.progressed : row.reached);
  }
  EXPECT_GT(all->rows[0].reached, all->rows[3].reached);  // more aware than buying
  EXPECT_GT(all->rows[3].reached, 0u);                    // someone bought
  // Each segment is a subset of everyone.
  for (const StageFunnel& f : first->analysis.funnels) {
    EXPECT_LE(f.people, all->people) << f.segment_id;
  }

  // The map carries the emotion curve and KPIs; audiences were evaluated and committed.
  const JourneyMap* map = first->analysis.Map("all");
  ASSERT_NE(map, nullptr);
  ASSERT_TRUE(map->voice.has_value());
  EXPECT_EQ(map->voice->stages.size(), model.stages().size());
  EXPECT_GT(map->voice->overall.nps.answers, 0u);
  ASSERT_TRUE(map->loyalty.has_value());
  EXPECT_EQ(map->loyalty->repeat.buyers, all->rows[3].reached);  // every buyer reached purchase
  ASSERT_EQ(first->analysis.audiences.size(), 2u);
  ASSERT_EQ(first->audience_changes.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(first->audience_changes[i].entered.size(),
              first->analysis.audiences[i].members.size());
    EXPECT_TRUE(first->audience_changes[i].left.empty());
  }
  EXPECT_GT(first->analysis.audiences[0].members.size(), 0u);
  EXPECT_EQ(CountLines(out / "journey_maps.ndjson"), model.segments().size() + 1);

  // Rerun with nothing new: no file is read again, the API sources re-read only their
  // overlap window (all duplicates), and no audience changes.
  const std::set<std::string> api_sources = {"helpdesk_web", "mailchimp", "google_reviews",
                                             "trustpilot"};
  auto again = pipeline->Run();
  ASSERT_TRUE(again.ok()) << again.status().message();
  for (const auto& s : again->sources) {
    EXPECT_EQ(s.inserted, 0u) << s.name;
    if (!api_sources.count(s.name)) {
      EXPECT_EQ(s.emitted, 0u) << s.name;
    }
  }
  EXPECT_EQ(again->stored_events, stored_first);
  for (const auto& c : again->audience_changes) {
    EXPECT_TRUE(c.entered.empty());
    EXPECT_TRUE(c.left.empty());
  }

  // The held-back week arrives: only its rows are read.
  for (const auto& f : fs::directory_iterator(held)) {
    fs::rename(f.path(), dir_ / "data" / "ga4" / f.path().filename());
  }
  auto third = pipeline->Run();
  ASSERT_TRUE(third.ok()) << third.status().message();
  for (const auto& s : third->sources) {
    if (s.name == "web") {
      EXPECT_EQ(s.emitted, held_rows);
    } else {
      EXPECT_EQ(s.inserted, 0u) << s.name;
      if (!api_sources.count(s.name)) {
        EXPECT_EQ(s.emitted, 0u) << s.name;
      }
    }
  }
  EXPECT_GT(third->stored_events, stored_first);
  EXPECT_EQ(CountLines(out / "events.ndjson"), third->stored_events);
}

// `journeykit map --from D1 --to D2`: the map of a period, equal to the SDK's map of the same
// period and counting only events inside it.
TEST_F(DemoPipeline, MapOfAPeriodFromTheCommandLine) {
  auto pipeline = Open();
  ASSERT_TRUE(pipeline);
  RunOptions run;
  run.write_connectors = false;
  auto report = pipeline->Run(run);
  ASSERT_TRUE(report.ok()) << report.status().message();
  const JourneyAnalysis* analysis = &report->analysis;
  const JourneyMap* whole = analysis->Map("all");
  ASSERT_NE(whole, nullptr);
  // 2026-09-08 .. 2026-09-14 inclusive = [09-08 00:00, 09-15 00:00) UTC.
  const int64_t from = 1'788'825'600'000'000;  // 2026-09-08T00:00:00Z
  const int64_t to = from + 7 * 86'400'000'000;
  JourneyMapOptions period;
  period.from_us = from;
  period.to_us = to;
  auto map = BuildJourneyMap(*analysis->journeys, analysis->plan, period);
  ASSERT_TRUE(map.ok()) << map.status().message();
  uint64_t inside = 0;
  for (size_t e = 0; e < analysis->events->size(); ++e) {
    const int64_t t = analysis->events->time_us(e);
    if (t >= from && t < to && analysis->journeys->person_of_event(e) != kNoPerson) ++inside;
  }
  EXPECT_EQ(map->events, inside);
  EXPECT_GT(map->events, 0u);
  EXPECT_LT(map->events, whole->events);
  EXPECT_GE(map->first_event_us, from);
  EXPECT_LT(map->last_event_us, to);
  fs::path json = dir_ / "period-map.json";
  std::string cmd = std::string(JK_CLI_PATH) + " map " + (dir_ / "pipeline.json").string() +
                    " --format json --from 2026-09-08 --to 2026-09-14 -o " + json.string() +
                    " 2> /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), JourneyMapToJson(*map) + "\n");
  EXPECT_NE(text.str().find("\"from\":\"2026-09-08T00:00:00.000000Z\",\"to\":\"2026-09-15T00:00:00."
                            "000000Z\""),
            std::string::npos);
}

}  // namespace
}  // namespace journeykit

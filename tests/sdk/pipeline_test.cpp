// pipeline_test.cpp — runs of a pipeline driven by the controllable "counter" test source:
// incremental reruns, failures that keep checkpoints, bad-record policies, cancellation,
// secrets, plugin kind checks, and a run killed with SIGKILL then rerun.
#include <journeykit/pipeline.hpp>

#include "store_compare.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace journeykit {
namespace {

using testing::ExpectSameStore;
using testing::MapsJson;
namespace fs = std::filesystem;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jk-pipeline-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes pipeline.json with one counter source; `source_config` is its config object.
  std::string Write(const std::string& source_config, const std::string& extra = "",
                    const std::string& plugin = "counter") {
    return WritePipeline(
        R"([{"name": "numbers", "plugin": ")" + plugin + R"(", "config": )" + source_config + "}]",
        extra);
  }

  // Writes pipeline.json with these sources (a JSON array), `extra` top-level members (each
  // followed by a comma) and `model` (default: the stages visit and buy).
  std::string WritePipeline(const std::string& sources, const std::string& extra = "",
                            const std::string& model = kStagesOnly) {
    std::string path = (dir_ / "pipeline.json").string();
    std::ofstream(path) << R"({
  "version": 1,
  "plugin_paths": [")" << JK_TEST_PLUGIN_DIR
                        << R"(/good", ")" << JK_PLUGIN_DIR << R"("],
  "state": {"path": "out/state.db"},
  "sources": )" << sources
                        << "," << extra << R"(
  "model": )" << model << "\n}";
    return path;
  }

  static constexpr const char* kStagesOnly = R"({
    "stages": [
      {"id": "visit", "name": "Visit", "when": [{"action": "page_view"}]},
      {"id": "buy", "name": "Buy", "goal": true, "when": [{"action": "purchase"}]}
    ]
  })";

  std::unique_ptr<Pipeline> Open(const std::string& path) {
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto p = Pipeline::Open(path, options);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  fs::path dir_;
  std::string log_;
};

TEST_F(PipelineTest, RerunReadsOnlyNewDataAndStoresNoDuplicates) {
  auto p = Open(Write(R"({"count": 1000, "batch": 100})"));
  ASSERT_TRUE(p);
  auto first = p->Run();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->sources[0].emitted, 1000u);
  EXPECT_EQ(first->sources[0].inserted, 1000u);
  EXPECT_EQ(first->stored_events, 1000u);
  EXPECT_EQ(first->analysis.journeys->person_count(), 10u);

  auto second = p->Run();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sources[0].emitted, 0u);  // the cursor says everything was read
  EXPECT_EQ(second->stored_events, 1000u);

  auto grown = Open(Write(R"({"count": 1250, "batch": 100})"));
  auto third = grown->Run();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->sources[0].emitted, 250u);
  EXPECT_EQ(third->stored_events, 1250u);

  RunOptions refresh;
  refresh.full_refresh = true;
  auto fourth = grown->Run(refresh);
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->sources[0].emitted, 1250u);
  EXPECT_EQ(fourth->sources[0].inserted, 1250u);
  EXPECT_EQ(fourth->stored_events, 1250u);
}

// A run on an empty state database analyses the events it stored as it committed them (no
// read-back): with two sources committing from two threads at once, that store is exactly the
// one reading every event back in seq order gives, and so are the maps and the snapshot the
// next run starts from.
TEST_F(PipelineTest, AFirstRunAnalysesItsEventsAsStoredWithoutReadingThemBack) {
  const std::string path = WritePipeline(R"([
    {"name": "numbers", "plugin": "counter", "config": {"count": 3000, "batch": 7, "persons": 40,
                                                     "nan_every": 20}},
    {"name": "more", "plugin": "counter", "config": {"count": 2000, "batch": 5, "persons": 30}}
  ])",
                                         "", R"({
    "touchpoints": [{"id": "p1", "name": "Page 1", "channel": "web",
                     "when": [{"url_contains": "/p/1"}]}],
    "stages": [
      {"id": "visit", "name": "Visit", "when": [{"action": "page_view"}]},
      {"id": "buy", "name": "Buy", "goal": true, "when": [{"action": "purchase"}]}
    ],
    "segments": [{"id": "p1", "name": "Saw page 1", "when": [{"touchpoint": "p1"}]}]
  })");
  auto p = Open(path);
  ASSERT_TRUE(p);
  auto run = p->Run();
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_EQ(run->stored_events, 5000u);
  EXPECT_NE(log_.find("analysing the 5000 events this run stored, as it stored them"),
            std::string::npos)
      << log_;
  const fs::path snapshot = dir_ / "out" / "state.db.events";
  ASSERT_TRUE(fs::exists(snapshot));
  // Purchases carry 10.0, except the 150 of "numbers" whose value is NaN: those have none,
  // as SQLite would give them back (it stores a NaN as NULL).
  size_t values = 0;
  for (size_t i = 0; i < run->analysis.events->size(); ++i) {
    if (auto v = run->analysis.events->value(i)) {
      EXPECT_EQ(*v, 10.0);
      ++values;
    }
  }
  EXPECT_EQ(values, 300u - 150u + 200u);
  // What the snapshot holds (written from the run's store) and what SQLite holds (read back
  // when there is no snapshot) are the run's store and maps.
  auto from_snapshot = p->Analyze();
  ASSERT_TRUE(from_snapshot.ok()) << from_snapshot.status().message();
  ExpectSameStore(*run->analysis.events, *from_snapshot->events);
  EXPECT_EQ(MapsJson(*from_snapshot), MapsJson(run->analysis));
  fs::remove(snapshot);
  auto read_back = p->Analyze();
  ASSERT_TRUE(read_back.ok()) << read_back.status().message();
  ExpectSameStore(*run->analysis.events, *read_back->events);
  EXPECT_EQ(MapsJson(*read_back), MapsJson(run->analysis));
  EXPECT_EQ(log_.find("event snapshot"), std::string::npos) << log_;
  // A rerun (the database is not empty) starts from the snapshot, not from what it stores.
  log_.clear();
  auto rerun = p->Run();
  ASSERT_TRUE(rerun.ok()) << rerun.status().message();
  EXPECT_EQ(log_.find("as it stored them"), std::string::npos) << log_;
  EXPECT_EQ(MapsJson(rerun->analysis), MapsJson(run->analysis));
}

TEST_F(PipelineTest, FailureKeepsCheckpointsAndRerunCompletesWithoutDuplicates) {
  auto failing = Open(Write(R"({"count": 1000, "batch": 100, "fail_at": 555})"));
  auto r = failing->Run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPluginError);
  EXPECT_NE(r.status().message().find("numbers (counter): simulated failure at event 555"),
            std::string::npos)
      << r.status().message();
  auto analysis = failing->Analyze();
  ASSERT_TRUE(analysis.ok());
  EXPECT_EQ(analysis->events->size(), 500u);  // events 501..554 were not checkpointed

  auto fixed = Open(Write(R"({"count": 1000, "batch": 100})"));
  auto ok = fixed->Run();
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->sources[0].emitted, 500u);
  EXPECT_EQ(ok->sources[0].duplicates, 0u);
  EXPECT_EQ(ok->stored_events, 1000u);
}

TEST_F(PipelineTest, BadRecordFailPolicyStopsWithLocation) {
  auto p = Open(Write(R"({"count": 100, "batch": 10, "bad_every": 7})"));
  auto r = p->Run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("numbers:7: simulated bad record"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("dead_letter"), std::string::npos);
}

TEST_F(PipelineTest, BadRecordDeadLetterPolicyGoesOnAndCounts) {
  auto p = Open(Write(R"({"count": 100, "batch": 10, "bad_every": 7})",
                      R"( "on_bad_record": "dead_letter",)"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->dead_lettered, 14u);  // 7, 14, ..., 98
  EXPECT_EQ(r->stored_events, 86u);
  ASSERT_EQ(r->dead_letter_files.size(), 1u);
  std::ifstream in(r->dead_letter_files[0]);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_NE(line.find("\"reason\":\"simulated bad record\""), std::string::npos) << line;
  }
  EXPECT_EQ(lines, 14);
}

TEST_F(PipelineTest, EmailsAreHashedBeforeTheyAreStored) {
  auto p = Open(Write(R"({"count": 14, "batch": 14, "persons": 3})"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok());
  std::ifstream db(dir_ / "out" / "state.db", std::ios::binary);
  std::stringstream bytes;
  bytes << db.rdbuf();
  EXPECT_EQ(bytes.str().find("@example.org"), std::string::npos);
  EXPECT_EQ(bytes.str().find("@Example.org"), std::string::npos);
  // u1 was seen with " User1@Example.org " (event 7): the person lists the hash.
  bool found = false;
  const JourneySet& j = *r->analysis.journeys;
  for (uint32_t person = 0; person < j.person_count(); ++person) {
    for (auto id : j.identities(person)) {
      // sha256("user1@example.org")
      if (id == "email_sha256:" +
                    std::string("f1850ce7cfc130a6a45cf08360329214ee505b9873e748b1ae7b80960c967786"))
        found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(PipelineTest, MissingEnvironmentVariableAndSecretsNeverPrinted) {
  ::unsetenv("JK_TEST_SECRET");
  std::string path = Write(R"({"count": 10, "token": "${env:JK_TEST_SECRET}"})");
  PipelineOptions options;
  options.search_install_dir = false;
  auto missing = Pipeline::Open(path, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(
      missing.status().message().find(
          "sources[0] 'numbers': config.token: environment variable JK_TEST_SECRET is not set"),
      std::string::npos)
      << missing.status().message();

  ::setenv("JK_TEST_SECRET", "very-secret-token-42", 1);
  auto p = Open(path);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->Run().ok());
  EXPECT_EQ(log_.find("very-secret-token-42"), std::string::npos);

  log_.clear();
  auto clear = Open(Write(R"({"count": 10, "token": "written-in-clear"})"));
  EXPECT_NE(log_.find("config.token is a secret written in the pipeline file"), std::string::npos)
      << log_;
  EXPECT_EQ(log_.find("written-in-clear"), std::string::npos);
}

TEST_F(PipelineTest, PluginKindAndNameErrors) {
  PipelineOptions options;
  options.search_install_dir = false;
  auto wrong_kind = Pipeline::Open(Write("{}", "", "tconn"), options);
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_NE(wrong_kind.status().message().find("plugin 'tconn'"), std::string::npos);
  EXPECT_NE(wrong_kind.status().message().find("is a connector, not a source"), std::string::npos)
      << wrong_kind.status().message();

  auto unknown = Pipeline::Open(Write("{}", "", "nope"), options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("no plugin named 'nope' (found: "), std::string::npos)
      << unknown.status().message();

  auto bad_config = Pipeline::Open(Write(R"({"count": "ten"})"), options);
  ASSERT_FALSE(bad_config.ok());
  EXPECT_NE(
      bad_config.status().message().find(
          "pipeline.json: sources[0] 'numbers': config.count: expected integer, found a string"),
      std::string::npos)
      << bad_config.status().message();
}

TEST_F(PipelineTest, CancelStopsAndKeepsCheckpoints) {
  auto p = Open(Write(R"({"count": 100000, "batch": 100, "sleep_ms": 2})"));
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    p->Cancel();
  });
  auto r = p->Run();
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  auto stored = p->Analyze();
  ASSERT_TRUE(stored.ok());
  size_t kept = stored->events->size();
  EXPECT_GT(kept, 0u);
  EXPECT_EQ(kept % 100, 0u);  // whole checkpointed batches only
  EXPECT_LT(kept, 100000u);
}

TEST_F(PipelineTest, KilledRunLosesNothingAndDuplicatesNothingOnRerun) {
  std::string cli = JK_CLI_PATH;
  if (cli.empty()) GTEST_SKIP() << "the CLI is not built (JOURNEYKIT_BUILD_CLI=OFF)";
  std::string path = Write(
      R"({"count": 20000, "batch": 100, "sleep_ms": 3, "persons": 50})",
      R"( "connectors": [{"name": "out", "plugin": "files", "config": {"directory": "out/files"}}],)");
  auto run_cli = [&](bool kill_early) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(cli.c_str(), cli.c_str(), "run", path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (kill_early) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  };
  int killed = run_cli(true);
  ASSERT_TRUE(WIFSIGNALED(killed)) << "the run finished before it could be killed";
  {
    auto p = Open(path);
    auto partial = p->Analyze();
    ASSERT_TRUE(partial.ok());
    EXPECT_LT(partial->events->size(), 20000u);
  }
  int finished = run_cli(false);
  ASSERT_TRUE(WIFEXITED(finished));
  ASSERT_EQ(WEXITSTATUS(finished), 0);
  // Every event once in the delivered file: nothing lost, nothing twice.
  std::ifstream in(dir_ / "out" / "files" / "events.ndjson");
  std::set<std::string> ids;
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    auto at = line.find("\"event_id\":\"");
    ASSERT_NE(at, std::string::npos);
    ids.insert(line.substr(at + 12, line.find('"', at + 12) - at - 12));
  }
  EXPECT_EQ(lines, 20000u);
  EXPECT_EQ(ids.size(), 20000u);
  EXPECT_TRUE(ids.count("e1") && ids.count("e20000"));
}

}  // namespace
}  // namespace journeykit

// delivery_test.cpp — delivery to connectors (docs/delivery.md), driven by the "counter" test
// source and the "probe" test connector, which appends every record it accepts to a file:
// positions (nothing twice across runs), keyed snapshots re-sent only when changed, batching,
// refused records and failed batches in the dead-letter store and their replay, a connector
// stopping after failed batches and resuming on the next run, a blocked connector that does not
// hold up another, filters, e-mail hashing, and a process killed with SIGKILL mid-delivery.
#include <journeykit/journey_map.hpp>
#include <journeykit/pipeline.hpp>
#include <journeykit/state_store.hpp>

#include "store_compare.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace journeykit {
namespace {

using testing::ExpectSameStore;
using testing::MapsJson;
namespace fs = std::filesystem;

struct Line {
  int write = 0;
  std::string type, key, json;
};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jk-delivery-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // pipeline.json: one counter source with `count` events and the given connectors.
  std::string Write(int count, const std::string& connectors, const std::string& extra = "") {
    std::string path = (dir_ / "pipeline.json").string();
    std::ofstream(path) << R"({
  "version": 1,
  "plugin_paths": [")" << JK_TEST_PLUGIN_DIR
                        << R"(/good"],
  "state": {"path": "out/state.db"},)"
                        << extra << R"(
  "sources": [{"name": "numbers", "plugin": "counter", "config": {"count": )"
                        << count << R"(, "batch": 100}}],
  "connectors": )" << connectors
                        << R"(,
  "model": {
    "stages": [
      {"id": "visit", "name": "Visit", "when": [{"action": "page_view"}]},
      {"id": "buy", "name": "Buy", "goal": true, "when": [{"action": "purchase"}]}
    ],
    "segments": [{"id": "buyers", "name": "Buyers", "when": [{"action": "purchase"}]}]
  }
})";
    return path;
  }

  std::string Probe(const std::string& name, const std::string& receives,
                    const std::string& config = "", const std::string& more = "") {
    return R"({"name": ")" + name + R"(", "plugin": "probe", "receives": )" + receives + more +
           R"(, "config": {"log": "out/)" + name + R"(.log")" + config + "}}";
  }

  std::unique_ptr<Pipeline> Open(const std::string& path) {
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) {
      std::lock_guard lock(log_mutex_);
      log_ += m + "\n";
    };
    auto p = Pipeline::Open(path, options);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  std::vector<Line> Read(const std::string& name) const {
    std::vector<Line> out;
    std::ifstream in(dir_ / "out" / (name + ".log"));
    std::string text;
    while (std::getline(in, text)) {
      std::istringstream s(text);
      Line l;
      s >> l.write >> l.type >> l.key;
      std::getline(s, l.json);
      if (!l.json.empty() && l.json[0] == ' ') l.json.erase(0, 1);
      out.push_back(std::move(l));
    }
    return out;
  }

  static std::set<std::string> Keys(const std::vector<Line>& lines) {
    std::set<std::string> keys;
    for (const Line& l : lines) keys.insert(l.key);
    return keys;
  }

  fs::path dir_;
  std::mutex log_mutex_;
  std::string log_;
};

TEST_F(DeliveryTest, EventsAreDeliveredOnceAcrossRuns) {
  auto p = Open(Write(1000, "[" + Probe("a", R"(["events"])") + "]"));
  ASSERT_TRUE(p);
  auto first = p->Run();
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->deliveries.size(), 1u);
  EXPECT_TRUE(first->deliveries[0].status.ok()) << first->deliveries[0].status.message();
  EXPECT_EQ(first->deliveries[0].delivered, 1000u);
  EXPECT_EQ(first->deliveries[0].batches, 2u);  // default max_records 500
  auto second = p->Run();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->deliveries[0].delivered, 0u);
  EXPECT_EQ(Read("a").size(), 1000u);

  auto more = Open(Write(1300, "[" + Probe("a", R"(["events"])") + "]"));
  auto third = more->Run();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->deliveries[0].delivered, 300u);
  auto lines = Read("a");
  EXPECT_EQ(lines.size(), 1300u);
  EXPECT_EQ(Keys(lines).size(), 1300u);
  EXPECT_EQ(lines.back().key, "numbers:e1300");
  EXPECT_NE(lines.back().json.find(R"("stage":"buy")"), std::string::npos) << lines.back().json;
}

TEST_F(DeliveryTest, JourneysAreSentAgainOnlyWhenTheyChanged) {
  auto p = Open(Write(100, "[" + Probe("a", R"(["journeys", "stage_changes"])") + "]"));
  auto first = p->Run();
  ASSERT_TRUE(first.ok());
  // 10 people (user ids u0..u9), each entered "visit" and (every 10th event) "buy".
  auto lines = Read("a");
  size_t journeys = 0, changes = 0;
  for (const Line& l : lines) (l.type == "journey" ? journeys : changes)++;
  EXPECT_EQ(journeys, 10u);
  EXPECT_EQ(changes, 10u);  // u0 only buys (events 10, 20, ...); u1..u9 only visit
  auto second = p->Run();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->deliveries[0].delivered, 0u);
  // One more event (e101, user u1) changes one journey; no stage is entered anew.
  auto more = Open(Write(101, "[" + Probe("a", R"(["journeys", "stage_changes"])") + "]"));
  auto third = more->Run();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->deliveries[0].delivered, 1u);
  EXPECT_EQ(Read("a").back().type, "journey");
}

TEST_F(DeliveryTest, BatchesRespectMaxRecordsAndBytes) {
  auto p = Open(Write(
      1000, "[" +
                Probe("a", R"(["events"])", "",
                      R"(, "delivery": {"max_records": 64, "max_wait_ms": 0})") +
                "," + Probe("b", R"(["events"])", "", R"(, "delivery": {"max_bytes": 4000})") +
                "]"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::map<int, size_t> per_write;
  for (const Line& l : Read("a")) ++per_write[l.write];
  for (const auto& [write, n] : per_write) EXPECT_LE(n, 64u) << "write " << write;
  EXPECT_EQ(r->deliveries[0].delivered, 1000u);
  EXPECT_GE(r->deliveries[0].batches, 16u);
  std::map<int, size_t> bytes;
  for (const Line& l : Read("b")) bytes[l.write] += l.json.size();
  for (const auto& [write, n] : bytes) EXPECT_LT(n, 4000u + 400u) << "write " << write;
  EXPECT_EQ(Read("b").size(), 1000u);
}

TEST_F(DeliveryTest, RefusedRecordsAreDeadLetteredAndReplayDeliversThem) {
  std::string refusing =
      Probe("a", R"(["events"])", R"(, "reject_keys": ["numbers:e5", "numbers:e777"])");
  auto p = Open(Write(1000, "[" + refusing + "]"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deliveries[0].delivered, 998u);
  EXPECT_EQ(r->deliveries[0].rejected, 2u);
  EXPECT_EQ(r->deliveries[0].dead_letters, 2u);
  auto letters = p->DeadLetters("a");
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ((*letters)[0].key, "numbers:e5");
  EXPECT_EQ((*letters)[0].reason, "probe: refused numbers:e5");
  EXPECT_NE((*letters)[0].json.find(R"("event_id":"e5")"), std::string::npos);
  // Replay while the destination still refuses: the letters stay, with one more attempt.
  auto again = p->Replay();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].delivered, 0u);
  EXPECT_EQ((*again)[0].rejected, 2u);
  EXPECT_EQ((*p->DeadLetters("a"))[0].attempts, 2u);
  // The destination is fixed: replay delivers both and empties the store.
  auto fixed = Open(Write(1000, "[" + Probe("a", R"(["events"])") + "]"));
  auto replayed = fixed->Replay();
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ((*replayed)[0].delivered, 2u);
  EXPECT_EQ((*replayed)[0].dead_letters, 0u);
  auto lines = Read("a");
  EXPECT_EQ(lines.size(), 1000u);
  EXPECT_EQ(Keys(lines).size(), 1000u);
}

TEST_F(DeliveryTest, AConnectorStopsAfterFailedBatchesAndTheNextRunGoesOn) {
  std::string failing = Probe("a", R"(["events"])", R"(, "fail_all": true)",
                              R"(, "delivery": {"max_records": 100, "max_failed_batches": 2})");
  auto p = Open(Write(1000, "[" + failing + "]"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  const DeliveryReport& d = r->deliveries[0];
  EXPECT_FALSE(d.status.ok());
  EXPECT_NE(d.status.message().find("stopped after 2 failed batches in a row"), std::string::npos)
      << d.status.message();
  EXPECT_NE(d.status.message().find("simulated destination failure"), std::string::npos);
  EXPECT_EQ(d.delivered, 0u);
  EXPECT_EQ(d.failed, 200u);
  EXPECT_EQ(d.pending, 800u);
  EXPECT_EQ(d.dead_letters, 200u);
  // The destination is back: the run delivers the 800 that waited, replay the 200.
  auto ok = Open(Write(
      1000, "[" + Probe("a", R"(["events"])", "", R"(, "delivery": {"max_records": 100})") + "]"));
  auto next = ok->Run();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->deliveries[0].delivered, 800u);
  EXPECT_EQ(next->deliveries[0].pending, 0u);
  auto replayed = ok->Replay();
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ((*replayed)[0].delivered, 200u);
  auto lines = Read("a");
  EXPECT_EQ(lines.size(), 1000u);
  EXPECT_EQ(Keys(lines).size(), 1000u);
}

TEST_F(DeliveryTest, AConnectorWhoseCheckFailsDeliversNothingAndLosesNothing) {
  auto p = Open(Write(300, "[" + Probe("a", R"(["events"])", R"(, "fail_check": true)") + "]"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->deliveries[0].status.ok());
  EXPECT_NE(r->deliveries[0].status.message().find("fail_check"), std::string::npos);
  EXPECT_EQ(r->deliveries[0].pending, 300u);
  auto fixed = Open(Write(300, "[" + Probe("a", R"(["events"])") + "]"));
  auto next = fixed->Run();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->deliveries[0].delivered, 300u);
}

TEST_F(DeliveryTest, ABlockedConnectorDoesNotHoldUpAnother) {
  // "slow" blocks in every write for 10 minutes; "fast" must still receive everything.
  auto p = Open(Write(2000, "[" + Probe("slow", R"(["events"])", R"(, "block_ms": 600000)") + "," +
                                Probe("fast", R"(["events"])") + "]"));
  std::optional<Result<RunReport>> result;
  std::thread run([&] { result.emplace(p->Run()); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Read("fast").size() < 2000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  size_t fast = Read("fast").size();
  size_t slow = Read("slow").size();
  p->Cancel();
  run.join();
  EXPECT_EQ(fast, 2000u) << "the fast connector was held up by the blocked one";
  EXPECT_EQ(slow, 0u);
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->status().code(), StatusCode::kCancelled);
  // Nothing of the blocked connector was lost: the next run delivers it all.
  auto unblocked = Open(Write(
      2000, "[" + Probe("slow", R"(["events"])") + "," + Probe("fast", R"(["events"])") + "]"));
  auto next = unblocked->Run();
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_EQ(next->deliveries[0].delivered, 2000u);
  EXPECT_EQ(next->deliveries[1].delivered, 0u);
  EXPECT_EQ(Keys(Read("slow")).size(), 2000u);
}

TEST_F(DeliveryTest, FiltersAndEmailHashing) {
  std::string connectors =
      "[" + Probe("raw", R"(["journeys"])") + "," +
      Probe("hashed", R"(["journeys"])", "", R"(, "emails": "hashed")") + "," +
      Probe("buyers", R"(["journeys", "events"])", "",
            R"(, "filter": {"segments": ["buyers"], "actions": ["purchase"]})") +
      "]";
  auto p = Open(Write(100, connectors, R"( "identity": {"keep_email_addresses": true},)"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Counter e-mails: " User<n>@Example.org " on every 7th event, person u<n % 10>.
  bool found = false;
  for (const Line& l : Read("raw")) {
    if (l.key.empty()) continue;
    if (l.json.find(R"("email":"user3@example.org")") != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "the raw connector gets the normalized address";
  for (const Line& l : Read("hashed")) {
    EXPECT_EQ(l.json.find("@"), std::string::npos) << l.json;
  }
  // sha256("user3@example.org")
  bool hashed = false;
  for (const Line& l : Read("hashed")) {
    hashed |= l.json.find(R"("email_sha256":")") != std::string::npos;
  }
  EXPECT_TRUE(hashed);
  // Buyers: only u0 (events 10, 20, ... are purchases by u0), and only its purchase events.
  auto buyers = Read("buyers");
  size_t journeys = 0, events = 0;
  for (const Line& l : buyers) {
    if (l.type == "journey") ++journeys;
    if (l.type == "event") {
      ++events;
      EXPECT_NE(l.json.find(R"("action":"purchase")"), std::string::npos);
    }
  }
  EXPECT_EQ(journeys, 1u);
  EXPECT_EQ(events, 10u);
  EXPECT_GT(r->deliveries[2].skipped, 0u);
}

// "with_email": only people the connector can address. Of 20 counter events, n = 7 (u7) and
// n = 14 (u4) carry an e-mail: two people of ten, with events 4, 7, 14 and 17.
TEST_F(DeliveryTest, WithEmailKeepsOnlyPeopleWithAnAddress) {
  std::string filter = R"(, "filter": {"with_email": true})";
  std::string connectors =
      "[" + Probe("addressed", R"(["journeys", "events"])", "", filter) + "," +
      Probe("hashed", R"(["journeys"])", "", filter + R"(, "emails": "hashed")") + "," +
      Probe("everyone", R"(["journeys"])") + "]";
  auto p = Open(Write(20, connectors, R"( "identity": {"keep_email_addresses": true},)"));
  auto r = p->Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::set<std::string> people, events;
  for (const Line& l : Read("addressed")) {
    if (l.type == "journey") {
      people.insert(l.key);
      EXPECT_NE(l.json.find(R"("email":"user)"), std::string::npos) << l.json;
    }
    if (l.type == "event") events.insert(l.key);
  }
  EXPECT_EQ(people.size(), 2u);
  EXPECT_EQ(events,
            (std::set<std::string>{"numbers:e4", "numbers:e7", "numbers:e14", "numbers:e17"}));
  EXPECT_EQ(r->deliveries[0].skipped, 8u + 16u);  // the other people and their events
  EXPECT_EQ(Keys(Read("hashed")), people);
  EXPECT_EQ(Keys(Read("everyone")).size(), 10u);
}

// Without identity.keep_email_addresses no address is known: a connector that receives
// addresses gets nobody, one that receives hashes gets the people with an e-mail hash.
TEST_F(DeliveryTest, WithEmailWithoutAddressesKeepsOnlyHashes) {
  std::string filter = R"(, "filter": {"with_email": true})";
  std::string connectors =
      "[" + Probe("addressed", R"(["journeys"])", "", filter) + "," +
      Probe("hashed", R"(["journeys"])", "", filter + R"(, "emails": "hashed")") + "]";
  auto p = Open(Write(20, connectors));
  auto r = p->Run();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(Keys(Read("addressed")).empty());
  EXPECT_EQ(r->deliveries[0].skipped, 10u);
  EXPECT_EQ(r->deliveries[0].delivered, 0u);
  EXPECT_EQ(Keys(Read("hashed")).size(), 2u);
}

// The event snapshot next to the state database (docs/pipeline.md): a rerun starts from it
// and appends only the new events, with the same analysis as reading every stored event; a
// changed model or a damaged file makes the pipeline read every event instead.
TEST_F(DeliveryTest, TheEventSnapshotGivesTheSameAnalysisAsReadingEveryEvent) {
  const fs::path snapshot = dir_ / "out" / "state.db.events";
  auto p = Open(Write(200, "[]"));
  ASSERT_TRUE(p);
  auto first = p->Run();
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(fs::exists(snapshot));
  const auto written = fs::last_write_time(snapshot);

  // 100 more events: the rerun reads the snapshot and appends them.
  p = Open(Write(300, "[]"));
  auto second = p->Run();
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->analysis.events->size(), 300u);
  EXPECT_NE(fs::last_write_time(snapshot), written);
  EXPECT_EQ(log_.find("event snapshot"), std::string::npos) << log_;
  const std::string with_snapshot = MapsJson(second->analysis);
  // The same state read event by event (no snapshot) gives the same maps and events.
  fs::remove(snapshot);
  auto fresh = p->Analyze();
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_EQ(MapsJson(*fresh), with_snapshot);
  ExpectSameStore(*second->analysis.events, *fresh->events);
  ASSERT_TRUE(fs::exists(snapshot));  // written again by Analyze

  // A little new data (under a tenth of the snapshot) is appended without rewriting it; more
  // makes the run write it again. The analysis is right either way.
  const auto before_small = fs::last_write_time(snapshot);
  p = Open(Write(310, "[]"));
  auto small = p->Run();
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_EQ(small->analysis.events->size(), 310u);
  EXPECT_EQ(fs::last_write_time(snapshot), before_small);
  p = Open(Write(340, "[]"));
  auto more = p->Run();
  ASSERT_TRUE(more.ok()) << more.status().message();
  EXPECT_EQ(more->analysis.events->size(), 340u);
  EXPECT_NE(fs::last_write_time(snapshot), before_small);
  const std::string grown = MapsJson(more->analysis);
  fs::remove(snapshot);
  auto grown_fresh = p->Analyze();
  ASSERT_TRUE(grown_fresh.ok());
  EXPECT_EQ(MapsJson(*grown_fresh), grown);

  // Another model: the snapshot's stages would be wrong, so it is not used.
  std::string path = (dir_ / "pipeline.json").string();
  std::string text;
  {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  const std::string visit = R"({"action": "page_view"})";
  ASSERT_NE(text.find(visit), std::string::npos);
  text.replace(text.find(visit), visit.size(), R"({"action": "no_such_action"})");
  std::ofstream(path) << text;
  p = Open(path);
  auto other = p->Analyze();
  ASSERT_TRUE(other.ok()) << other.status().message();
  ASSERT_EQ(other->events->size(), 340u);
  for (size_t i = 0; i < other->events->size(); ++i) {
    if (other->events->action_name(i) == "page_view") {
      ASSERT_EQ(other->events->stage(i), kNoStage) << i;
    }
  }

  // A damaged snapshot: a warning naming it, and the analysis is still right.
  {
    std::fstream f(snapshot, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(snapshot) / 2));
    f.put('\x7f');
  }
  log_.clear();
  auto damaged = p->Analyze();
  ASSERT_TRUE(damaged.ok()) << damaged.status().message();
  EXPECT_EQ(MapsJson(*damaged), MapsJson(*other));
  EXPECT_NE(log_.find("event snapshot " + snapshot.string()), std::string::npos) << log_;
}

// After StateStore::Reset the stored events are gone: an old snapshot must not stand in.
TEST_F(DeliveryTest, TheEventSnapshotIsNotUsedAfterTheStateLostItsEvents) {
  auto p = Open(Write(50, "[]"));
  ASSERT_TRUE(p->Run().ok());
  {
    auto store = StateStore::Open((dir_ / "out" / "state.db").string());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Reset().ok());
  }
  auto empty = p->Analyze();
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->events->size(), 0u);
  // Re-read from the source (its cursor was reset too): the same 50 events again.
  auto again = p->Run();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->analysis.events->size(), 50u);
}

TEST_F(DeliveryTest, AnUnknownFilterStageIsRejectedWhenOpening) {
  std::string path =
      Write(10, "[" + Probe("a", R"(["events"])", "", R"(, "filter": {"stages": ["nope"]})") + "]");
  PipelineOptions options;
  options.search_install_dir = false;
  auto p = Pipeline::Open(path, options);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("filter.stages: 'nope' is not a stage"), std::string::npos)
      << p.status().message();
}

TEST_F(DeliveryTest, KilledMidDeliveryThenRerunLosesNothing) {
  std::string cli = JK_CLI_PATH;
  if (cli.empty()) GTEST_SKIP() << "the CLI is not built (JOURNEYKIT_BUILD_CLI=OFF)";
  std::string path = Write(3000, "[" +
                                     Probe("a", R"(["events", "journeys"])", R"(, "block_ms": 15)",
                                           R"(, "delivery": {"max_records": 50})") +
                                     "]");
  auto run_cli = [&](int kill_after_ms) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(cli.c_str(), cli.c_str(), "run", path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (kill_after_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
  };
  int kills = 0;
  for (int ms : {400, 700, 900}) {
    int status = run_cli(ms);
    if (WIFSIGNALED(status)) ++kills;
  }
  int finished = run_cli(0);
  ASSERT_TRUE(WIFEXITED(finished));
  EXPECT_EQ(WEXITSTATUS(finished), 0);
  auto lines = Read("a");
  std::set<std::string> keys = Keys(lines);
  size_t events = 0;
  for (const std::string& k : keys) events += k.rfind("numbers:", 0) == 0 ? 1 : 0;
  EXPECT_EQ(events, 3000u) << "an event was lost";
  EXPECT_EQ(keys.size(), 3000u + 10u);  // and the 10 journeys
  // Only a batch in flight at a kill may arrive twice.
  EXPECT_LE(lines.size() - keys.size(), static_cast<size_t>(kills) * 50u);
  EXPECT_GT(kills, 0) << "no run was killed: the test did not test anything";
}

}  // namespace
}  // namespace journeykit

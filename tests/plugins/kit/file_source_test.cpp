// Tests of the shared file read loop: state, batches, resume, headers, cancellation.
#include <gtest/gtest.h>

#include <journeykit/kit/file_source.hpp>

#include "plugins/test_files.hpp"
#include "support/fake_host.hpp"

namespace journeykit::kit {
namespace {

using journeykit::testing::AppendFile;
using journeykit::testing::FakeHost;
using journeykit::testing::TempDir;
using journeykit::testing::WriteFile;

// Each line "<n>" becomes an event with time n; "bad" is a bad record. Optional header line.
class NumberMapper : public RecordMapper {
 public:
  bool with_header = false;
  std::vector<std::string> headers;
  bool has_header(std::string_view) const override { return with_header; }
  MapOutcome map_header(const FileRecord& header) override {
    headers.emplace_back(header.text);
    return header.text == "n" ? MapOutcome::Mapped() : MapOutcome::Bad("header must be n");
  }
  MapOutcome map(const FileRecord& record, std::vector<plugin::Event>& out) override {
    if (record.text == "bad") return MapOutcome::Bad("bad number");
    plugin::Event e;
    e.time_us = std::stoll(std::string(record.text));
    e.event_id = std::string(record.file_name) + ":" + std::to_string(record.line);
    e.action = "n";
    out.push_back(std::move(e));
    return MapOutcome::Mapped();
  }
};

std::string Numbers(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i) s += std::to_string(i) + "\n";
  return s;
}

struct Fixture {
  TempDir dir;
  FakeHost fake;
  plugin::Host host{fake.api()};
  NumberMapper mapper;
  FileSourceOptions options() const {
    FileSourceOptions o;
    o.plugin_name = "test";
    o.pattern = dir.file("*.txt");
    o.batch_size = 4;
    return o;
  }
  Status run(std::string_view state) {
    FileSourceReader reader(host, options(), mapper);
    return reader.read(state);
  }
};

TEST(FileStreamState, RoundTrips) {
  FileStreamState state;
  state.set("/data/a \"b\".csv", FileCursor{10, 2, 30, 123456789, false});
  state.set("/data/c.gz", FileCursor{0, 0, 5, 7, true});
  Result<FileStreamState> back = FileStreamState::Parse(state.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->files(), state.files());
  EXPECT_TRUE(FileStreamState::Parse("").ok());
  Result<FileStreamState> bad = FileStreamState::Parse("{\"files\":3}");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("reset the source's state"), std::string::npos);
}

TEST(FileSourceReader, BatchesAndCheckpoints) {
  Fixture f;
  WriteFile(f.dir.file("a.txt"), Numbers(1, 10));
  ASSERT_TRUE(f.run("").ok());
  const auto& events = f.fake.events("files");
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[9].event_id, "a.txt:10");
  // 4 + 4 in batches, then the end of the file (2 more).
  ASSERT_EQ(f.fake.checkpoints.size(), 3u);
  EXPECT_EQ(f.fake.checkpoints[0].committed_events, 4u);
  EXPECT_EQ(f.fake.checkpoints[1].committed_events, 8u);
  EXPECT_EQ(f.fake.checkpoints[2].committed_events, 10u);
  EXPECT_EQ(f.fake.progress_records, 10u);
  EXPECT_EQ(f.fake.progress_bytes, Numbers(1, 10).size());
  Result<FileStreamState> state = FileStreamState::Parse(f.fake.state("files"));
  ASSERT_TRUE(state.ok());
  const FileCursor* cursor = state->find(f.dir.file("a.txt"));
  ASSERT_NE(cursor, nullptr);
  EXPECT_EQ(cursor->offset, Numbers(1, 10).size());
  EXPECT_EQ(cursor->line, 10);
  EXPECT_TRUE(cursor->done);
}

TEST(FileSourceReader, ResumesAndRereadsHeader) {
  Fixture f;
  f.mapper.with_header = true;
  WriteFile(f.dir.file("a.txt"), "n\n" + Numbers(1, 3));
  ASSERT_TRUE(f.run("").ok());
  EXPECT_EQ(f.fake.events("files").size(), 3u);
  std::string state = f.fake.state("files");

  // Nothing new: no file read, no events.
  f.fake.clear_captures();
  ASSERT_TRUE(f.run(state).ok());
  EXPECT_TRUE(f.fake.events("files").empty());

  AppendFile(f.dir.file("a.txt"), Numbers(4, 5));
  f.fake.clear_captures();
  f.mapper.headers.clear();
  ASSERT_TRUE(f.run(state).ok());
  const auto& events = f.fake.events("files");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].time_us, 4);
  EXPECT_EQ(events[0].event_id, "a.txt:5");
  EXPECT_EQ(f.mapper.headers, std::vector<std::string>{"n"});
}

TEST(FileSourceReader, ReplacedFileIsReadAgain) {
  Fixture f;
  WriteFile(f.dir.file("a.txt"), Numbers(1, 6));
  ASSERT_TRUE(f.run("").ok());
  std::string state = f.fake.state("files");
  WriteFile(f.dir.file("a.txt"), Numbers(7, 8));
  f.fake.clear_captures();
  ASSERT_TRUE(f.run(state).ok());
  ASSERT_EQ(f.fake.events("files").size(), 2u);
  EXPECT_EQ(f.fake.events("files")[0].time_us, 7);
  EXPECT_TRUE(f.fake.logged("replaced"));
}

TEST(FileSourceReader, CancelStopsAfterABatch) {
  Fixture f;
  WriteFile(f.dir.file("a.txt"), Numbers(1, 10));
  f.fake.cancel_after_checkpoints = 1;
  Status s = f.run("");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(f.fake.events("files").size(), 4u);
  // The next run continues where the checkpoint left off.
  std::string state = f.fake.state("files");
  f.fake.cancel_after_checkpoints = -1;
  f.fake.clear_captures();
  ASSERT_TRUE(f.run(state).ok());
  ASSERT_EQ(f.fake.events("files").size(), 6u);
  EXPECT_EQ(f.fake.events("files")[0].time_us, 5);
}

TEST(FileSourceReader, BadRecordsAndBadHeader) {
  Fixture f;
  WriteFile(f.dir.file("a.txt"), "1\nbad\n3\n");
  ASSERT_TRUE(f.run("").ok());
  EXPECT_EQ(f.fake.events("files").size(), 2u);
  ASSERT_EQ(f.fake.bad_records.size(), 1u);
  EXPECT_EQ(f.fake.bad_records[0].location, f.dir.file("a.txt") + ":2");
  EXPECT_EQ(f.fake.bad_records[0].reason, "bad number");
  EXPECT_EQ(f.fake.bad_records[0].raw, "bad");

  Fixture g;
  g.mapper.with_header = true;
  WriteFile(g.dir.file("a.txt"), "wrong\n1\n2\n");
  ASSERT_TRUE(g.run("").ok());
  EXPECT_TRUE(g.fake.events("files").empty());
  ASSERT_EQ(g.fake.bad_records.size(), 1u);
  EXPECT_EQ(g.fake.bad_records[0].location, g.dir.file("a.txt") + ":1");
}

}  // namespace
}  // namespace journeykit::kit

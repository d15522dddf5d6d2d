// file_source.hpp — the read loop shared by file-based sources: glob, resume, batches,
// checkpoints, bad records, cancellation and progress. A plugin supplies a RecordMapper.
#pragma once

#include <cstdint>
#include <journeykit/kit/line_reader.hpp>
#include <journeykit/kit/state_json.hpp>
#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::kit {

// One line of one file, as handed to a RecordMapper.
struct FileRecord {
  std::string_view path;       // the file as matched by the glob
  std::string_view file_name;  // its last path component
  int64_t line = 0;            // 1-based
  std::string_view text;       // without the line break
};

// What became of one line.
struct MapOutcome {
  enum class Kind { kMapped, kSkipped, kBad };
  Kind kind = Kind::kMapped;
  std::string reason;  // kBad: what is wrong with the record

  static MapOutcome Mapped() { return {}; }
  static MapOutcome Skipped() { return {Kind::kSkipped, {}}; }
  static MapOutcome Bad(std::string why) { return {Kind::kBad, std::move(why)}; }
};

// Turns lines into events. One instance reads files one after another, on one thread.
class RecordMapper {
 public:
  virtual ~RecordMapper() = default;
  // True when the first line of `path` is a header (CSV): it goes to map_header(), also
  // when a run resumes in the middle of the file.
  virtual bool has_header(std::string_view /*path*/) const { return false; }
  // Called for each file before its first line (and before map_header()).
  virtual void begin_file(std::string_view /*path*/) {}
  // A bad header makes the rest of the file unreadable: it is reported and the file skipped.
  virtual MapOutcome map_header(const FileRecord& /*header*/) { return MapOutcome::Mapped(); }
  // True when `text` (one or more physical lines) ends inside an open record, e.g. a CSV
  // quoted field holding a line break: the reader then appends the next line to it.
  virtual bool record_continues(std::string_view /*text*/) const { return false; }
  // Appends the line's events (usually one) to `out`, or says why the line is bad.
  virtual MapOutcome map(const FileRecord& record, std::vector<plugin::Event>& out) = 0;
};

// A record may span at most this many physical lines (CSV quoted fields with line breaks).
// Past it, the first line is reported as bad (an unclosed quote) and the lines after it are
// read again as records of their own, so one stray quote never swallows the rest of a file.
inline constexpr size_t kMaxLinesPerRecord = 100;

struct FileSourceOptions {
  std::string plugin_name;  // prefixes messages, e.g. "events-file"
  std::string stream = "files";
  std::string pattern;  // already resolved against the pipeline directory
  size_t max_line_bytes = kDefaultMaxLineBytes;
  size_t batch_size = 4096;
};

struct FileSourceStats {
  uint64_t files_read = 0;       // files opened in this run
  uint64_t files_unchanged = 0;  // files with nothing new since the saved state
  uint64_t lines = 0;
  uint64_t events = 0;
  uint64_t bad_records = 0;
  uint64_t bytes = 0;
};

// Reads every file matching the pattern, from where the saved state left off:
//  - plain files are append-only: reading resumes at the saved byte offset; a file that got
//    shorter than that offset was replaced and is read again from the start;
//  - gzip files are immutable: read again from the start only when their size or mtime
//    changed (the event id dedups what was seen before); an interrupted read resumes.
// Events are emitted in batches, each followed by a checkpoint of the whole state; a
// checkpoint also closes each file. An error stops the read: events of the current batch
// are dropped (not emitted), everything checkpointed before stays.
class FileSourceReader {
 public:
  FileSourceReader(const plugin::Host& host, FileSourceOptions options, RecordMapper& mapper);

  [[nodiscard]] Status read(std::string_view state_json);
  const FileSourceStats& stats() const { return stats_; }

 private:
  struct FileContext;
  [[nodiscard]] Status read_file(const std::string& path, FileStreamState& state);
  [[nodiscard]] Status read_header(FileContext& file, bool& usable);
  [[nodiscard]] Status report_bad(const FileContext& file, int64_t line, std::string_view reason,
                                  std::string_view raw);
  [[nodiscard]] Status flush(const FileStreamState& state);
  [[nodiscard]] Status check_cancelled() const;
  std::string prefixed(std::string_view message) const;

  const plugin::Host& host_;
  FileSourceOptions options_;
  RecordMapper& mapper_;
  FileSourceStats stats_;
  std::vector<plugin::Event> pending_;
};

// Reads `stream` of a file source that has the single stream options.stream: an unknown
// stream name is an error; otherwise a FileSourceReader reads every file from `state`.
// `stats` (optional) receives the reader's counts, also after an error.
[[nodiscard]] Status ReadSingleFileStream(const plugin::Host& host,
                                          const FileSourceOptions& options, RecordMapper& mapper,
                                          std::string_view stream, std::string_view state,
                                          FileSourceStats* stats);

}  // namespace journeykit::kit

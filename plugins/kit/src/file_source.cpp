// file_source.cpp — the resumable, batched read loop of file-based sources.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <journeykit/kit/file_source.hpp>
#include <journeykit/kit/glob.hpp>
#include <journeykit/kit/utf8.hpp>
#include <span>
#include <utility>

namespace journeykit::kit {

struct FileSourceReader::FileContext {
  std::string path;
  std::string_view file_name;
  bool gzip = false;
  FileCursor cursor;  // what is checkpointed for this file
  uint64_t events = 0;
  uint64_t bad_records = 0;
};

namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

}  // namespace

FileSourceReader::FileSourceReader(const plugin::Host& host, FileSourceOptions options,
                                   RecordMapper& mapper)
    : host_(host), options_(std::move(options)), mapper_(mapper) {
  if (options_.batch_size == 0) options_.batch_size = 1;
}

std::string FileSourceReader::prefixed(std::string_view message) const {
  return options_.plugin_name + ": " + std::string(message);
}

Status FileSourceReader::check_cancelled() const {
  if (!host_.cancelled()) return Status::Ok();
  return Cancelled(prefixed("stopped on request after " + std::to_string(stats_.events) +
                            " events; every checkpointed event is kept"));
}

Status FileSourceReader::read(std::string_view state_json) {
  Result<FileStreamState> parsed = FileStreamState::Parse(state_json);
  if (!parsed.ok()) return parsed.status().WithContext(options_.plugin_name);
  FileStreamState state = std::move(parsed).value();
  Result<std::vector<std::string>> files = ExpandGlob(options_.pattern);
  if (!files.ok()) return files.status().WithContext(options_.plugin_name);
  if (files->empty()) {
    host_.warn(prefixed("no file matches " + options_.pattern + " (0 files); nothing to read"));
    return Status::Ok();
  }
  host_.info(prefixed(std::to_string(files->size()) + " file(s) match " + options_.pattern));
  for (const std::string& path : *files) {
    JK_RETURN_IF_ERROR(check_cancelled());
    JK_RETURN_IF_ERROR(read_file(path, state));
  }
  host_.info(prefixed("read " + std::to_string(stats_.files_read) + " file(s), " +
                      std::to_string(stats_.files_unchanged) + " unchanged; " +
                      std::to_string(stats_.events) + " events, " +
                      std::to_string(stats_.bad_records) + " bad records"));
  return Status::Ok();
}

Status FileSourceReader::flush(const FileStreamState& state) {
  JK_RETURN_IF_ERROR(host_.emit(options_.stream, std::span<const plugin::Event>(pending_)));
  stats_.events += pending_.size();
  pending_.clear();
  JK_RETURN_IF_ERROR(host_.checkpoint(options_.stream, state.ToJson()));
  host_.progress(stats_.bytes, stats_.lines);
  return Status::Ok();
}

Status FileSourceReader::report_bad(const FileContext& file, int64_t line, std::string_view reason,
                                    std::string_view raw) {
  ++stats_.bad_records;
  std::string location = file.path + ":" + std::to_string(line);
  Status status = host_.bad_record(location, reason, Excerpt(raw, kMaxExcerptBytes));
  if (status.ok()) return status;
  return DataError(prefixed(location + ": " + std::string(reason) +
                            "; fix or remove this record, or let the pipeline dead-letter "
                            "bad records"));
}

Status FileSourceReader::read_header(FileContext& file, bool& usable) {
  usable = false;
  Result<std::unique_ptr<LineReader>> reader =
      LineReader::Open(file.path, 0, 0, options_.max_line_bytes);
  if (!reader.ok()) return reader.status().WithContext(options_.plugin_name);
  Result<LineReader::Line> header = (*reader)->next();
  if (!header.ok()) return header.status().WithContext(options_.plugin_name);
  if (header->kind == LineReader::Kind::kTooLong) {
    return report_bad(
        file, 1,
        "the header line is longer than " + std::to_string(options_.max_line_bytes) + " bytes",
        header->text);
  }
  if (header->kind == LineReader::Kind::kEnd) return Status::Ok();
  MapOutcome outcome = mapper_.map_header(FileRecord{file.path, file.file_name, 1, header->text});
  if (outcome.kind == MapOutcome::Kind::kBad) {
    return report_bad(file, 1, outcome.reason, header->text);
  }
  usable = true;
  return Status::Ok();
}

Status FileSourceReader::read_file(const std::string& path, FileStreamState& state) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    host_.warn(prefixed("skipping " + path + ": " + std::strerror(errno)));
    return Status::Ok();
  }
  FileContext file;
  file.path = path;
  file.file_name = BaseName(file.path);
  file.gzip = IsGzipFile(path);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;

  uint64_t start_offset = 0;
  int64_t start_line = 0;
  if (const FileCursor* saved = state.find(path)) {
    const bool same = saved->size == size && saved->mtime_ns == mtime_ns;
    if (file.gzip) {
      if (same && saved->done) {
        ++stats_.files_unchanged;
        return Status::Ok();
      }
      if (same) {  // an interrupted read of an unchanged file resumes
        start_offset = saved->offset;
        start_line = saved->line;
      } else {
        host_.info(prefixed(path + " changed since the last run; reading it again"));
      }
    } else if (size < saved->offset) {
      host_.warn(prefixed(path + " is shorter than the " + std::to_string(saved->offset) +
                          " bytes read before: it was replaced; reading it again from the start"));
    } else if (size == saved->offset && saved->done) {
      ++stats_.files_unchanged;
      return Status::Ok();
    } else {
      start_offset = saved->offset;
      start_line = saved->line;
    }
  }
  ++stats_.files_read;
  mapper_.begin_file(file.path);
  const bool has_header = mapper_.has_header(file.path);
  bool header_done = false;
  if (has_header && start_offset > 0) {
    bool usable = false;
    JK_RETURN_IF_ERROR(read_header(file, usable));
    if (!usable) {
      state.set(path, FileCursor{size, 0, size, mtime_ns, true});
      return flush(state);
    }
    header_done = true;
  }

  Result<std::unique_ptr<LineReader>> opened =
      LineReader::Open(path, start_offset, start_line, options_.max_line_bytes);
  if (!opened.ok()) return opened.status().WithContext(options_.plugin_name);
  LineReader& reader = **opened;
  uint64_t last_offset = start_offset;
  auto cursor_now = [&](bool done) {
    return FileCursor{reader.offset(), reader.line_number(), size, mtime_ns, done};
  };
  std::vector<plugin::Event> produced;
  // Physical lines read ahead while joining a multi-line record that turned out not to
  // close; they are processed again, one by one. No checkpoint is taken while any is
  // waiting, since the reader's offset is already past them.
  struct Physical {
    LineReader::Kind kind;
    int64_t number;
    size_t length;
    std::string text;
  };
  std::deque<Physical> lookahead;
  auto next_physical = [&]() -> Result<Physical> {
    if (!lookahead.empty()) {
      Physical p = std::move(lookahead.front());
      lookahead.pop_front();
      return p;
    }
    Result<LineReader::Line> next = reader.next();
    if (!next.ok()) return next.status();
    if (next->kind != LineReader::Kind::kEnd) {
      ++stats_.lines;
      stats_.bytes += reader.offset() - last_offset;
      last_offset = reader.offset();
    }
    return Physical{next->kind, next->number, next->length, std::string(next->text)};
  };
  while (true) {
    Result<Physical> next = next_physical();
    if (!next.ok()) {
      // Nothing of the current batch is emitted: the saved state stays consistent.
      pending_.clear();
      return next.status().WithContext(options_.plugin_name);
    }
    Physical line = std::move(next).value();
    if (line.kind == LineReader::Kind::kEnd) break;
    if (line.kind == LineReader::Kind::kLine && (!has_header || header_done) &&
        mapper_.record_continues(line.text)) {
      // Join the following lines until the record closes, within the limits.
      std::vector<Physical> joined;
      std::string text = line.text;
      bool closed = false;
      while (joined.size() + 1 < kMaxLinesPerRecord) {
        Result<Physical> more = next_physical();
        if (!more.ok()) {
          pending_.clear();
          return more.status().WithContext(options_.plugin_name);
        }
        if (more->kind != LineReader::Kind::kLine ||
            text.size() + 1 + more->text.size() > options_.max_line_bytes) {
          if (more->kind != LineReader::Kind::kEnd) joined.push_back(std::move(more).value());
          break;
        }
        text += '\n';
        text += more->text;
        joined.push_back(std::move(more).value());
        if (!mapper_.record_continues(text)) {
          closed = true;
          break;
        }
      }
      if (closed) {
        line.text = std::move(text);
      } else {
        // Not a multi-line record after all: the first line is bad (the mapper says why),
        // the others are records of their own.
        for (auto it = joined.rbegin(); it != joined.rend(); ++it)
          lookahead.push_front(std::move(*it));
      }
    }
    if (line.kind == LineReader::Kind::kTooLong) {
      ++file.bad_records;
      JK_RETURN_IF_ERROR(report_bad(file, line.number,
                                    "line " + std::to_string(line.number) + " is longer than " +
                                        std::to_string(reader.max_line_bytes()) + " bytes (" +
                                        std::to_string(line.length) + " bytes)",
                                    line.text));
    } else if (has_header && !header_done) {
      header_done = true;
      MapOutcome outcome =
          mapper_.map_header(FileRecord{file.path, file.file_name, line.number, line.text});
      if (outcome.kind == MapOutcome::Kind::kBad) {
        ++file.bad_records;
        JK_RETURN_IF_ERROR(report_bad(file, line.number, outcome.reason, line.text));
        host_.warn(prefixed("skipping the rest of " + path + ": its header is unusable"));
        state.set(path, FileCursor{size, 0, size, mtime_ns, true});
        pending_.clear();
        return flush(state);
      }
    } else if (!IsBlank(line.text)) {
      produced.clear();
      MapOutcome outcome =
          mapper_.map(FileRecord{file.path, file.file_name, line.number, line.text}, produced);
      if (outcome.kind == MapOutcome::Kind::kBad) {
        ++file.bad_records;
        JK_RETURN_IF_ERROR(report_bad(file, line.number, outcome.reason, line.text));
      } else {
        file.events += produced.size();
        for (plugin::Event& e : produced) pending_.push_back(std::move(e));
      }
    }
    if (pending_.size() >= options_.batch_size && lookahead.empty()) {
      state.set(path, cursor_now(false));
      JK_RETURN_IF_ERROR(flush(state));
      JK_RETURN_IF_ERROR(check_cancelled());
    }
  }
  state.set(path, cursor_now(true));
  JK_RETURN_IF_ERROR(flush(state));
  if (reader.line_number() == 0) {
    host_.info(prefixed(path + " is empty: no events"));
  } else {
    host_.info(prefixed(path + ": " + std::to_string(reader.line_number() - start_line) +
                        " line(s) read, " + std::to_string(file.events) + " events, " +
                        std::to_string(file.bad_records) + " bad records"));
  }
  return Status::Ok();
}

Status ReadSingleFileStream(const plugin::Host& host, const FileSourceOptions& options,
                            RecordMapper& mapper, std::string_view stream, std::string_view state,
                            FileSourceStats* stats) {
  if (stream != options.stream) {
    return NotFound(options.plugin_name + ": no stream '" + std::string(stream) +
                    "'; the only stream is '" + options.stream + "'");
  }
  FileSourceReader reader(host, options, mapper);
  Status status = reader.read(state);
  if (stats != nullptr) *stats = reader.stats();
  return status;
}

}  // namespace journeykit::kit

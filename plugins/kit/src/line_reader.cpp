// line_reader.cpp — plain files through POSIX read(2), gzip files through zlib's gz* API.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <journeykit/kit/line_reader.hpp>
#include <string>
#include <utility>

namespace journeykit::kit {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string ErrnoText() { return std::strerror(errno); }

class PlainLineReader final : public LineReader {
 public:
  PlainLineReader(std::string path, int fd, uint64_t offset, int64_t line, size_t max_line_bytes)
      : LineReader(std::move(path), false, offset, line, max_line_bytes), fd_(fd) {}
  ~PlainLineReader() override { ::close(fd_); }

 protected:
  Result<size_t> read_raw(char* buffer, size_t size) override {
    while (true) {
      ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      return IoError("cannot read " + path() + ": " + ErrnoText());
    }
  }

 private:
  int fd_;
};

class GzipLineReader final : public LineReader {
 public:
  GzipLineReader(std::string path, gzFile file, uint64_t offset, int64_t line,
                 size_t max_line_bytes)
      : LineReader(std::move(path), true, offset, line, max_line_bytes), file_(file) {}
  ~GzipLineReader() override { gzclose_r(file_); }

  // Decompresses and discards `bytes` bytes (gzip streams cannot seek).
  Status skip(uint64_t bytes) {
    std::unique_ptr<char[]> scratch(new char[kChunkBytes]);
    while (bytes > 0) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(bytes, kChunkBytes));
      Result<size_t> got = read_raw(scratch.get(), want);
      if (!got.ok()) return got.status();
      if (*got == 0) {
        return IoError(path() + " is shorter than the saved read position (" +
                       std::to_string(bytes) + " bytes missing); reset the source's state");
      }
      bytes -= *got;
    }
    return Status::Ok();
  }

 protected:
  Result<size_t> read_raw(char* buffer, size_t size) override {
    unsigned want = static_cast<unsigned>(std::min<size_t>(size, UINT_MAX / 2));
    int n = gzread(file_, buffer, want);
    int err = Z_OK;
    const char* message = gzerror(file_, &err);
    // zlib reports a stream that ends early as Z_BUF_ERROR with a short or empty read.
    if (n < 0 || (n == 0 && err != Z_OK) || (err != Z_OK && err != Z_BUF_ERROR)) {
      std::string why = err == Z_ERRNO ? ErrnoText() : std::string(message ? message : "");
      return IoError(path() + " is truncated or corrupt (gzip): " + why + "; re-export it");
    }
    return static_cast<size_t>(n);
  }

 private:
  gzFile file_;
};

}  // namespace

bool IsGzipFile(const std::string& path) {
  if (EndsWith(path, ".gz")) return true;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char magic[2] = {0, 0};
  ssize_t n = ::read(fd, magic, 2);
  ::close(fd);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

LineReader::LineReader(std::string path, bool gzip, uint64_t offset, int64_t line,
                       size_t max_line_bytes)
    : path_(std::move(path)),
      gzip_(gzip),
      offset_(offset),
      line_(line),
      max_line_bytes_(max_line_bytes == 0 ? kDefaultMaxLineBytes : max_line_bytes),
      buffer_(new char[kChunkBytes]) {}

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, uint64_t start_offset,
                                                     int64_t start_line, size_t max_line_bytes) {
  bool gzip = IsGzipFile(path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("cannot open " + path + ": " + ErrnoText());
    return IoError("cannot open " + path + ": " + ErrnoText());
  }
  if (!gzip) {
    if (start_offset > 0 &&
        ::lseek(fd, static_cast<off_t>(start_offset), SEEK_SET) == static_cast<off_t>(-1)) {
      std::string why = ErrnoText();
      ::close(fd);
      return IoError("cannot seek in " + path + ": " + why);
    }
    return std::unique_ptr<LineReader>(
        new PlainLineReader(path, fd, start_offset, start_line, max_line_bytes));
  }
  gzFile file = gzdopen(fd, "rb");
  if (file == nullptr) {
    ::close(fd);
    return IoError("cannot open " + path + " as gzip: out of memory");
  }
  gzbuffer(file, 128 * 1024);
  auto reader =
      std::make_unique<GzipLineReader>(path, file, start_offset, start_line, max_line_bytes);
  if (start_offset > 0) JK_RETURN_IF_ERROR(reader->skip(start_offset));
  return std::unique_ptr<LineReader>(std::move(reader));
}

Status LineReader::fill() {
  Result<size_t> got = read_raw(buffer_.get(), kChunkBytes);
  if (!got.ok()) {
    return Status(got.status().code(), got.status().message() + " (after line " +
                                           std::to_string(line_) + ", byte " +
                                           std::to_string(offset_) + " of the data)");
  }
  begin_ = 0;
  end_ = *got;
  if (end_ == 0) eof_ = true;
  return Status::Ok();
}

Result<LineReader::Line> LineReader::next() {
  line_buffer_.clear();
  uint64_t length = 0;  // bytes of the line without its '\n'
  bool too_long = false;
  bool any = false;  // anything read for this line, including the '\n' of an empty line
  bool newline_found = false;
  while (!newline_found) {
    if (begin_ == end_) {
      if (eof_) break;
      JK_RETURN_IF_ERROR(fill());
      if (eof_) break;
    }
    const char* start = buffer_.get() + begin_;
    size_t available = end_ - begin_;
    const char* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    size_t take = newline ? static_cast<size_t>(newline - start) : available;
    any = true;
    length += take;
    if (too_long) {
      // Skipping: nothing more is kept.
    } else if (length > static_cast<uint64_t>(max_line_bytes_) + 1) {
      // +1: a '\r' before the '\n' does not count. Keep an excerpt only, and give back the
      // memory the line used so far.
      too_long = true;
      size_t keep = std::min(line_buffer_.size(), kMaxExcerptBytes);
      line_buffer_.resize(keep);
      line_buffer_.append(start, std::min(take, kMaxExcerptBytes - keep));
      std::string(line_buffer_).swap(line_buffer_);
    } else {
      line_buffer_.append(start, take);
    }
    begin_ += take;
    if (newline) {
      ++begin_;
      newline_found = true;
    }
  }
  if (!any) return Line{Kind::kEnd, {}, line_, 0};
  offset_ += length + (newline_found ? 1 : 0);
  ++line_;
  std::string_view text = line_buffer_;
  if (!too_long && !text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
    --length;
  }
  if (too_long || length > max_line_bytes_) {
    return Line{Kind::kTooLong, text.substr(0, kMaxExcerptBytes), line_, length};
  }
  if (line_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return Line{Kind::kLine, text, line_, length};
}

}  // namespace journeykit::kit

// line_reader.hpp — reads a plain or gzip file line by line with bounded memory.
#pragma once

#include <cstdint>
#include <journeykit/status.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace journeykit::kit {

inline constexpr size_t kDefaultMaxLineBytes = 16u * 1024u * 1024u;
// Longest raw excerpt handed to Host::bad_record.
inline constexpr size_t kMaxExcerptBytes = 1024;

// True when the file starts with the gzip magic bytes or its name ends in ".gz".
[[nodiscard]] bool IsGzipFile(const std::string& path);

// Reads lines of a file, plain or gzip (detected by suffix or magic bytes). Tracks the byte
// offset (of the uncompressed data) and the 1-based number of the last line returned. A line
// longer than max_line_bytes is skipped up to its newline without being buffered: it comes
// back as kTooLong with only its first kMaxExcerptBytes. A trailing "\r" is stripped, and a
// UTF-8 byte order mark on the first line of the file is dropped.
class LineReader {
 public:
  enum class Kind { kLine, kTooLong, kEnd };
  struct Line {
    Kind kind = Kind::kEnd;
    std::string_view text;  // the line (kLine) or its excerpt (kTooLong); valid until next()
    int64_t number = 0;     // 1-based line number
    uint64_t length = 0;    // bytes of the line without its line break
  };

  // Opens `path` and positions it at `start_offset` (uncompressed bytes; must be the start of
  // a line, e.g. an offset() saved earlier); `start_line` is the number of lines before it.
  // Seeking a gzip file decompresses and discards up to the offset.
  [[nodiscard]] static Result<std::unique_ptr<LineReader>> Open(
      const std::string& path, uint64_t start_offset = 0, int64_t start_line = 0,
      size_t max_line_bytes = kDefaultMaxLineBytes);

  virtual ~LineReader() = default;
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line. An error names the file, e.g. a truncated or corrupt gzip stream.
  [[nodiscard]] Result<Line> next();

  // Byte offset just after the last line returned (resume here).
  uint64_t offset() const { return offset_; }
  // Number of the last line returned (0 before the first).
  int64_t line_number() const { return line_; }
  bool gzip() const { return gzip_; }
  const std::string& path() const { return path_; }
  size_t max_line_bytes() const { return max_line_bytes_; }

 protected:
  LineReader(std::string path, bool gzip, uint64_t offset, int64_t line, size_t max_line_bytes);
  // Reads up to `size` bytes; 0 at the end of the data. Errors name the file.
  virtual Result<size_t> read_raw(char* buffer, size_t size) = 0;

 private:
  [[nodiscard]] Status fill();

  std::string path_;
  bool gzip_;
  uint64_t offset_;
  int64_t line_;
  size_t max_line_bytes_;
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  std::string line_buffer_;
};

}  // namespace journeykit::kit

// state_json.hpp — the saved cursor of a file source: how far each file has been read.
#pragma once

#include <cstdint>
#include <journeykit/json_writer.hpp>
#include <journeykit/status.hpp>
#include <map>
#include <string>
#include <string_view>

namespace journeykit::kit {

struct FileCursor {
  uint64_t offset = 0;   // uncompressed bytes consumed (start of the next line)
  int64_t line = 0;      // lines consumed
  uint64_t size = 0;     // file size on disk when the read started
  int64_t mtime_ns = 0;  // modification time then
  bool done = false;     // the read reached the end of the file
  bool operator==(const FileCursor&) const = default;
};

// {"version":1,"files":{"<path>":{"offset":N,"line":N,"size":N,"mtime_ns":N,"done":true}}}
class FileStreamState {
 public:
  // An empty string is the empty state (first run or full refresh).
  [[nodiscard]] static Result<FileStreamState> Parse(std::string_view json);
  std::string ToJson() const;

  const FileCursor* find(const std::string& path) const;
  void set(const std::string& path, const FileCursor& cursor) { files_[path] = cursor; }
  const std::map<std::string, FileCursor>& files() const { return files_; }

 private:
  std::map<std::string, FileCursor> files_;
};

// Appends `text` to `out` as a JSON string literal (with quotes): the SDK's JSON writer.
using json::AppendJsonString;

}  // namespace journeykit::kit

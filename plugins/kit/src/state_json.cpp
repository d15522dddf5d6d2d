// state_json.cpp — reads and writes the per-file cursors of a file source.
#include <simdjson.h>

#include <journeykit/kit/state_json.hpp>

namespace journeykit::kit {

Result<FileStreamState> FileStreamState::Parse(std::string_view json) {
  FileStreamState state;
  if (json.empty()) return state;
  auto invalid = [](std::string_view why) {
    return InvalidArgument("the saved state is not valid (" + std::string(why) +
                           "); reset the source's state to read every file again");
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return invalid(simdjson::error_message(error));
  }
  simdjson::dom::object files;
  if (root["files"].get_object().get(files) != simdjson::SUCCESS) {
    return invalid("no \"files\" object");
  }
  for (auto [path, value] : files) {
    FileCursor cursor;
    simdjson::dom::object entry;
    if (value.get_object().get(entry) != simdjson::SUCCESS ||
        entry["offset"].get_uint64().get(cursor.offset) != simdjson::SUCCESS ||
        entry["line"].get_int64().get(cursor.line) != simdjson::SUCCESS ||
        entry["size"].get_uint64().get(cursor.size) != simdjson::SUCCESS ||
        entry["mtime_ns"].get_int64().get(cursor.mtime_ns) != simdjson::SUCCESS ||
        entry["done"].get_bool().get(cursor.done) != simdjson::SUCCESS) {
      return invalid("bad entry for " + std::string(path));
    }
    state.files_[std::string(path)] = cursor;
  }
  return state;
}

std::string FileStreamState::ToJson() const {
  std::string out = "{\"version\":1,\"files\":{";
  bool first = true;
  for (const auto& [path, c] : files_) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, path);
    out += ":{\"offset\":" + std::to_string(c.offset) + ",\"line\":" + std::to_string(c.line) +
           ",\"size\":" + std::to_string(c.size) + ",\"mtime_ns\":" + std::to_string(c.mtime_ns) +
           ",\"done\":" + (c.done ? "true" : "false") + "}";
  }
  out += "}}";
  return out;
}

const FileCursor* FileStreamState::find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace journeykit::kit

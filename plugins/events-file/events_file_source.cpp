// events_file_source.cpp — wires EventsFileMapper into the kit's resumable file reader.
#include "events_file_source.hpp"

#include <journeykit/kit/glob.hpp>
#include <map>
#include <stdexcept>

#include "events_file_mapper.hpp"

namespace journeykit::events_file {
namespace {

EventsFileOptions OptionsOrThrow(const plugin::Config& config) {
  Result<EventsFileOptions> options = ParseEventsFileOptions(config);
  if (!options.ok()) throw std::invalid_argument(options.status().message());
  return std::move(options).value();
}

}  // namespace

EventsFileSource::EventsFileSource(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(OptionsOrThrow(config)), pattern_(host.resolve_path(options_.path)) {}

Status EventsFileSource::check_formats(const std::vector<std::string>& files) const {
  for (const std::string& file : files) {
    Result<FileFormat> format = FormatOf(options_, file);
    if (!format.ok()) return format.status();
  }
  return Status::Ok();
}

Status EventsFileSource::check() {
  JK_RETURN_IF_ERROR(kit::CheckGlob(pattern_).WithContext(kPluginName));
  Result<std::vector<std::string>> files = kit::ExpandGlob(pattern_);
  if (!files.ok()) return files.status().WithContext(kPluginName);
  return check_formats(*files);
}

Status EventsFileSource::read(std::string_view stream, std::string_view state) {
  if (stream != kStream) {
    return NotFound(std::string(kPluginName) + ": no stream '" + std::string(stream) +
                    "'; the only stream is '" + kStream + "'");
  }
  Result<std::vector<std::string>> files = kit::ExpandGlob(pattern_);
  if (!files.ok()) return files.status().WithContext(kPluginName);
  JK_RETURN_IF_ERROR(check_formats(*files));
  if (options_.id_field.empty()) {
    // Default event ids are "<file name>:<line>": the same name in two folders would collide.
    std::map<std::string, std::string> seen;
    for (const std::string& file : *files) {
      std::string name =
          file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
      auto [it, inserted] = seen.emplace(name, file);
      if (!inserted) {
        host_.warn(std::string(kPluginName) + ": " + it->second + " and " + file +
                   " have the same file name, so their default event ids collide and one "
                   "dedups the other; set 'id_field' or rename the files");
      }
    }
  }
  EventsFileMapper mapper(options_, &host_);
  kit::FileSourceOptions reader_options;
  reader_options.plugin_name = kPluginName;
  reader_options.stream = kStream;
  reader_options.pattern = pattern_;
  reader_options.max_line_bytes = options_.max_line_bytes;
  reader_options.batch_size = batch_size_;
  return kit::ReadSingleFileStream(host_, reader_options, mapper, stream, state, &stats_);
}

}  // namespace journeykit::events_file

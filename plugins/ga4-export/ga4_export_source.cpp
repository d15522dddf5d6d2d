// ga4_export_source.cpp — wires Ga4RowMapper into the kit's resumable file reader.
#include "ga4_export_source.hpp"

#include <journeykit/kit/glob.hpp>
#include <stdexcept>

namespace journeykit::ga4_export {

Result<Ga4Options> ParseGa4Options(const plugin::Config& config) {
  Ga4Options o;
  o.path = config.string("path");
  if (o.path.empty()) {
    return InvalidArgument("ga4-export: config key 'path' is required (an export file or glob)");
  }
  const int64_t max_line = config.integer("max_line_bytes", 16 * 1024 * 1024);
  if (max_line < 16 || max_line > (int64_t{1} << 30)) {
    return InvalidArgument(
        "ga4-export: config key 'max_line_bytes' must be between 16 and "
        "1073741824");
  }
  o.max_line_bytes = static_cast<size_t>(max_line);
  o.include_events = config.string_list("include_events");
  o.exclude_events = config.string_list("exclude_events");
  return o;
}

namespace {

Ga4Options OptionsOrThrow(const plugin::Config& config) {
  Result<Ga4Options> options = ParseGa4Options(config);
  if (!options.ok()) throw std::invalid_argument(options.status().message());
  return std::move(options).value();
}

}  // namespace

Ga4ExportSource::Ga4ExportSource(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(OptionsOrThrow(config)), pattern_(host.resolve_path(options_.path)) {}

Status Ga4ExportSource::check() { return kit::CheckGlob(pattern_).WithContext(kPluginName); }

Status Ga4ExportSource::read(std::string_view stream, std::string_view state) {
  Ga4RowMapper mapper(options_);
  kit::FileSourceOptions reader_options;
  reader_options.plugin_name = kPluginName;
  reader_options.stream = kStream;
  reader_options.pattern = pattern_;
  reader_options.max_line_bytes = options_.max_line_bytes;
  reader_options.batch_size = batch_size_;
  return kit::ReadSingleFileStream(host_, reader_options, mapper, stream, state, &stats_);
}

}  // namespace journeykit::ga4_export

// events_file_options.cpp — turns the validated JSON config into EventsFileOptions.
#include "events_file_options.hpp"

namespace journeykit::events_file {
namespace {

constexpr std::string_view kPlugin = "events-file: ";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Reads an object of string values; a non-string value is a config error.
Status ReadFieldMap(const plugin::Config& config, std::string_view key, FieldMap& out) {
  out.clear();
  auto element = config.get(key);
  if (!element) return Status::Ok();
  simdjson::dom::object object;
  if (element->get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgument(std::string(kPlugin) + "config key '" + std::string(key) +
                           "' must be an object");
  }
  for (auto [name, value] : object) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
      return InvalidArgument(std::string(kPlugin) + "config key '" + std::string(key) + "." +
                             std::string(name) + "' must be a non-empty string");
    }
    out.emplace_back(std::string(name), std::string(text));
  }
  return Status::Ok();
}

}  // namespace

Result<EventsFileOptions> ParseEventsFileOptions(const plugin::Config& config) {
  EventsFileOptions o;
  o.path = config.string("path");
  if (o.path.empty()) {
    return InvalidArgument(std::string(kPlugin) + "config key 'path' is required (a file or glob)");
  }
  const std::string format = config.string("format", "auto");
  if (format == "auto") {
    o.format = FileFormat::kAuto;
  } else if (format == "ndjson") {
    o.format = FileFormat::kNdjson;
  } else if (format == "csv") {
    o.format = FileFormat::kCsv;
  } else {
    return InvalidArgument(std::string(kPlugin) + "config key 'format' is \"" + format +
                           "\"; use ndjson, csv or auto");
  }
  if (config.get("delimiter")) {
    const std::string delimiter = config.string("delimiter");
    if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n" || delimiter == "\r") {
      return InvalidArgument(std::string(kPlugin) +
                             "config key 'delimiter' must be one character other than a quote "
                             "or line break, e.g. \",\" or \";\"");
    }
    o.delimiter = delimiter[0];
    o.delimiter_configured = true;
  }
  o.time_field = config.string("time_field");
  if (o.time_field.empty()) {
    return InvalidArgument(std::string(kPlugin) + "config key 'time_field' is required");
  }
  Result<kit::TimeFormat> time_format = kit::ParseTimeFormat(config.string("time_format", "auto"));
  if (!time_format.ok()) return time_format.status().WithContext("events-file: time_format");
  o.time_format = *time_format;
  o.action_field = config.string("action_field");
  o.action = config.string("action");
  if (o.action_field.empty() && o.action.empty()) {
    return InvalidArgument(std::string(kPlugin) +
                           "set 'action_field' (the field holding the action) or 'action' (one "
                           "action for every record, e.g. \"webinar_attended\")");
  }
  o.id_field = config.string("id_field");
  JK_RETURN_IF_ERROR(ReadFieldMap(config, "identity_fields", o.identity_fields));
  JK_RETURN_IF_ERROR(ReadFieldMap(config, "hint_fields", o.hint_fields));
  JK_RETURN_IF_ERROR(ReadFieldMap(config, "hints", o.hints));
  JK_RETURN_IF_ERROR(ReadFieldMap(config, "property_fields", o.property_fields));
  o.value_field = config.string("value_field");
  o.currency_field = config.string("currency_field");
  o.rating_field = config.string("rating_field");
  o.sentiment_field = config.string("sentiment_field");
  o.text_field = config.string("text_field");
  o.currency = config.string("currency");
  const int64_t max_line = config.integer("max_line_bytes", kit::kDefaultMaxLineBytes);
  if (max_line < 16 || max_line > (int64_t{1} << 30)) {
    return InvalidArgument(std::string(kPlugin) +
                           "config key 'max_line_bytes' must be between 16 and 1073741824");
  }
  o.max_line_bytes = static_cast<size_t>(max_line);
  return o;
}

Result<FileFormat> FormatOf(const EventsFileOptions& options, std::string_view path) {
  if (options.format != FileFormat::kAuto) return options.format;
  std::string_view name = path;
  if (EndsWith(name, ".gz")) name.remove_suffix(3);
  for (std::string_view ext : {".ndjson", ".jsonl", ".json", ".NDJSON", ".JSONL", ".JSON"}) {
    if (EndsWith(name, ext)) return FileFormat::kNdjson;
  }
  for (std::string_view ext : {".csv", ".tsv", ".CSV", ".TSV"}) {
    if (EndsWith(name, ext)) return FileFormat::kCsv;
  }
  return InvalidArgument(std::string(kPlugin) + "cannot tell the format of " + std::string(path) +
                         " from its extension (.ndjson, .jsonl, .json, .csv, .tsv, optionally "
                         "+ .gz); set config key 'format' to \"ndjson\" or \"csv\"");
}

}  // namespace journeykit::events_file

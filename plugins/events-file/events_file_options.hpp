// events_file_options.hpp — the declared config of the events-file source and its parsed form.
#pragma once

#include <journeykit/kit/line_reader.hpp>
#include <journeykit/kit/time_parse.hpp>
#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeykit::events_file {

// The config spec the host validates (keys, types, required) before the plugin sees it.
inline constexpr jk_config_field kConfigFields[] = {
    {"path", JK_CONFIG_STRING, 1, 0, nullptr,
     "File path or glob (relative to the pipeline file); .gz files are decompressed"},
    {"format", JK_CONFIG_STRING, 0, 0, "\"auto\"",
     "ndjson, csv or auto (by extension, ignoring .gz: .ndjson/.jsonl/.json, .csv/.tsv)"},
    {"delimiter", JK_CONFIG_STRING, 0, 0, "\",\"", "CSV delimiter (one character)"},
    {"time_field", JK_CONFIG_STRING, 1, 0, nullptr, "Field holding the event time"},
    {"time_format", JK_CONFIG_STRING, 0, 0, "\"auto\"",
     "auto, epoch_s, epoch_ms, epoch_us or iso8601"},
    {"action_field", JK_CONFIG_STRING, 0, 0, nullptr, "Field holding the action"},
    {"action", JK_CONFIG_STRING, 0, 0, nullptr,
     "Constant action for every record (e.g. webinar_attended); used when action_field is "
     "absent from a record"},
    {"id_field", JK_CONFIG_STRING, 0, 0, nullptr,
     "Field holding a stable record id (default: <file name>:<line>)"},
    {"identity_fields", JK_CONFIG_OBJECT, 0, 0, "{}",
     "Identity kind -> field, e.g. {\"user_id\":\"uid\",\"email\":\"email\"}"},
    {"hint_fields", JK_CONFIG_OBJECT, 0, 0, "{}",
     "Touchpoint hint -> field, e.g. {\"url\":\"page\",\"utm_source\":\"src\"}"},
    {"hints", JK_CONFIG_OBJECT, 0, 0, "{}", "Constant hints, e.g. {\"channel\":\"webinar\"}"},
    {"value_field", JK_CONFIG_STRING, 0, 0, nullptr, "Field holding a money value"},
    {"currency_field", JK_CONFIG_STRING, 0, 0, nullptr, "Field holding the currency"},
    {"rating_field", JK_CONFIG_STRING, 0, 0, nullptr, "Field holding a rating"},
    {"sentiment_field", JK_CONFIG_STRING, 0, 0, nullptr, "Field holding a sentiment (-1..1)"},
    {"text_field", JK_CONFIG_STRING, 0, 0, nullptr, "Field holding free text"},
    {"currency", JK_CONFIG_STRING, 0, 0, nullptr, "Constant currency"},
    {"property_fields", JK_CONFIG_OBJECT, 0, 0, "{}", "Property name -> field"},
    {"max_line_bytes", JK_CONFIG_INT, 0, 0, "16777216", "Longer lines are reported as bad records"},
};

enum class FileFormat { kAuto, kNdjson, kCsv };

using FieldMap = std::vector<std::pair<std::string, std::string>>;

struct EventsFileOptions {
  std::string path;
  FileFormat format = FileFormat::kAuto;
  char delimiter = ',';
  bool delimiter_configured = false;  // false: a .tsv file uses a tab
  std::string time_field;
  kit::TimeFormat time_format = kit::TimeFormat::kAuto;
  std::string action_field;
  std::string action;
  std::string id_field;
  FieldMap identity_fields;
  FieldMap hint_fields;
  FieldMap hints;
  std::string value_field;
  std::string currency_field;
  std::string rating_field;
  std::string sentiment_field;
  std::string text_field;
  std::string currency;
  FieldMap property_fields;
  size_t max_line_bytes = kit::kDefaultMaxLineBytes;
};

// Checks what the host's generic validation cannot (one of action/action_field, enum values,
// one-character delimiter, object values being field names). Messages name the key.
[[nodiscard]] Result<EventsFileOptions> ParseEventsFileOptions(const plugin::Config& config);

// The format of one file: the configured one, or by extension for "auto".
[[nodiscard]] Result<FileFormat> FormatOf(const EventsFileOptions& options, std::string_view path);

}  // namespace journeykit::events_file

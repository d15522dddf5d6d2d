// files_connector.cpp — NDJSON and CSV snapshot files.
#include "files_connector.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace journeykit::connectors {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStageColumns[] = {
    "segment", "segment_name",      "stage",         "stage_name",
    "goal",    "people_in_segment", "reached",       "progressed",
    "dropped", "conversion_rate",   "drop_off_rate", "median_time_to_next_s",
    "events"};

// RFC 4180: quote a field when it holds a delimiter, a quote or a line break.
std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

FilesConnector::FilesConnector(plugin::Host& host, const plugin::Config& config)
    : host_(host), directory_(host.resolve_path(config.string("directory"))) {
  file_names_["event"] = config.string("events_file", "events.ndjson");
  file_names_["journey"] = config.string("journeys_file", "journeys.ndjson");
  file_names_["stage_table"] = config.string("stage_table_file", "stage_table.csv");
  file_names_["journey_map"] = config.string("journey_maps_file", "journey_maps.ndjson");
}

Status FilesConnector::check() {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) return IoError("cannot create the output folder " + directory_ + ": " + ec.message());
  fs::path probe = fs::path(directory_) / ".journeykit-write-test";
  std::ofstream out(probe);
  if (!out) return IoError("the output folder " + directory_ + " is not writable");
  out.close();
  fs::remove(probe, ec);
  return Status::Ok();
}

Result<FilesConnector::Output*> FilesConnector::OutputFor(std::string_view type) {
  auto it = outputs_.find(type);
  if (it != outputs_.end()) return &it->second;
  auto name = file_names_.find(type);
  if (name == file_names_.end()) {
    return InvalidArgument("record type '" + std::string(type) +
                           "' is not one this connector writes");
  }
  std::error_code ec;
  fs::create_directories(directory_, ec);
  Output& out = outputs_[std::string(type)];
  out.path = (fs::path(directory_) / name->second).string();
  out.stream.open(out.path + ".tmp", std::ios::binary | std::ios::trunc);
  if (!out.stream) return IoError("cannot write " + out.path + ".tmp");
  if (type == "stage_table") {
    std::string header;
    for (const char* c : kStageColumns) header += (header.empty() ? "" : ",") + std::string(c);
    out.stream << header << "\n";
  }
  return &out;
}

Status FilesConnector::WriteStageRow(Output& out, std::string_view json) {
  simdjson::dom::element row;
  if (parser_.parse(json.data(), json.size()).get(row) != simdjson::SUCCESS) {
    return InvalidArgument("a stage_table record is not valid JSON");
  }
  std::string line;
  for (const char* column : kStageColumns) {
    if (!line.empty() || column != kStageColumns[0]) line.push_back(',');
    simdjson::dom::element v;
    if (row[column].get(v) != simdjson::SUCCESS || v.is_null()) continue;
    std::string_view s;
    int64_t i = 0;
    double d = 0;
    bool b = false;
    if (v.get_string().get(s) == simdjson::SUCCESS) {
      line += CsvField(s);
    } else if (v.get_int64().get(i) == simdjson::SUCCESS) {
      line += std::to_string(i);
    } else if (v.get_double().get(d) == simdjson::SUCCESS) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", d);
      line += buf;
    } else if (v.get_bool().get(b) == simdjson::SUCCESS) {
      line += b ? "true" : "false";
    }
  }
  out.stream << line << "\n";
  return Status::Ok();
}

Status FilesConnector::write(std::span<const jk_record> records) {
  for (const jk_record& r : records) {
    std::string_view type = plugin::FromJk(r.type);
    JK_ASSIGN_OR_RETURN(Output * out, OutputFor(type));
    if (type == "stage_table") {
      JK_RETURN_IF_ERROR(WriteStageRow(*out, plugin::FromJk(r.json)));
    } else {
      out->stream << plugin::FromJk(r.json) << '\n';
    }
    if (!out->stream) return IoError("writing " + out->path + ".tmp failed (disk full?)");
  }
  return Status::Ok();
}

Status FilesConnector::flush() {
  for (auto& [type, out] : outputs_) {
    out.stream.close();
    if (!out.stream) return IoError("closing " + out.path + ".tmp failed (disk full?)");
    std::error_code ec;
    fs::rename(out.path + ".tmp", out.path, ec);
    if (ec) return IoError("cannot move " + out.path + ".tmp into place: " + ec.message());
    host_.info("wrote " + out.path);
  }
  outputs_.clear();
  return Status::Ok();
}

}  // namespace journeykit::connectors

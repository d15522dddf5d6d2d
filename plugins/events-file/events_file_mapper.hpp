// events_file_mapper.hpp — maps NDJSON lines and CSV rows to events per EventsFileOptions.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <journeykit/kit/file_source.hpp>
#include <journeykit/plugin.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events_file_options.hpp"

namespace journeykit::events_file {

// One field of one record, independent of the file format.
struct FieldValue {
  enum class Kind { kAbsent, kString, kInteger, kUnsigned, kDouble, kBool, kComposite };
  Kind kind = Kind::kAbsent;
  std::string_view text;  // kString
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double real = 0;
  bool boolean = false;
};

class EventsFileMapper final : public kit::RecordMapper {
 public:
  // `host` receives warnings (a configured column missing from a CSV header).
  EventsFileMapper(const EventsFileOptions& options, const plugin::Host* host);

  bool has_header(std::string_view path) const override;
  void begin_file(std::string_view path) override;
  kit::MapOutcome map_header(const kit::FileRecord& header) override;
  bool record_continues(std::string_view text) const override;
  kit::MapOutcome map(const kit::FileRecord& record, std::vector<plugin::Event>& out) override;

 private:
  template <typename Lookup>
  kit::MapOutcome build(const kit::FileRecord& record, const Lookup& lookup,
                        plugin::Event& event) const;
  kit::MapOutcome map_json(const kit::FileRecord& record, plugin::Event& event);
  kit::MapOutcome map_csv(const kit::FileRecord& record, plugin::Event& event);

  const EventsFileOptions& options_;
  const plugin::Host* host_;
  FileFormat format_ = FileFormat::kNdjson;
  char delimiter_ = ',';
  simdjson::dom::parser parser_;
  std::unordered_map<std::string, size_t> columns_;  // CSV: header name -> index
  size_t column_count_ = 0;
  std::vector<std::string> cells_;
};

}  // namespace journeykit::events_file

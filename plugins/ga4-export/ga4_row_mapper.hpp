// ga4_row_mapper.hpp — maps one GA4 BigQuery export row (one NDJSON line) to one event.
#pragma once

#include <simdjson.h>

#include <journeykit/kit/file_source.hpp>
#include <journeykit/plugin.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace journeykit::ga4_export {

struct Ga4Options {
  std::string path;
  size_t max_line_bytes = 16u * 1024u * 1024u;
  std::vector<std::string> include_events;  // empty: all
  std::vector<std::string> exclude_events;
};

// The event id of a row: the first 32 hex digits of the SHA-256 of its raw bytes, so that
// exact duplicate export rows (which GA4 produces) share an id and dedup.
[[nodiscard]] std::string RowEventId(std::string_view raw_line);

class Ga4RowMapper final : public kit::RecordMapper {
 public:
  explicit Ga4RowMapper(const Ga4Options& options);

  kit::MapOutcome map(const kit::FileRecord& record, std::vector<plugin::Event>& out) override;

  // Maps one row; kSkipped when include/exclude_events filter it out.
  kit::MapOutcome map_row(std::string_view line, plugin::Event& event);

 private:
  std::unordered_set<std::string> include_;
  std::unordered_set<std::string> exclude_;
  simdjson::dom::parser parser_;  // reused for every row of this instance
};

}  // namespace journeykit::ga4_export

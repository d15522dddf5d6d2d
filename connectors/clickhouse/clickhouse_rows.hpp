// clickhouse_rows.hpp — the four tables (names, CREATE statements) and the transformation of
// JourneyKit records into their JSONEachRow rows. No I/O.
#pragma once

#include <journeykit/plugin.hpp>

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace journeykit::clickhouse {

enum class Table { kEvents = 0, kJourneys, kStageChanges, kAudienceChanges };
inline constexpr size_t kTableCount = 4;

// "events", "journeys", "stage_changes", "audience_changes": appended to table_prefix.
std::string_view TableSuffix(Table table);

// The table of a record type ("event" → kEvents ...); nullopt for types this connector does
// not write (stage_table, journey_map).
std::optional<Table> TableOfRecordType(std::string_view type);

// CREATE TABLE IF NOT EXISTS `database`.`name` (...) ENGINE = ReplacingMergeTree...
// Runs on ClickHouse 18.16 and later (DateTime('UTC') plus Int64 microseconds, no DateTime64).
std::string CreateTableStatement(Table table, std::string_view database, std::string_view name);

// "YYYY-MM-DD hh:mm:ss" (UTC) of a time in Unix microseconds, clamped to DateTime's range
// (1970-01-01 00:00:00 .. 2106-02-07 06:28:15).
std::string FormatDateTime(int64_t time_us);

// Unix microseconds of "YYYY-MM-DDThh:mm:ss[.ffffff](Z|+00:00)" (what the host writes).
std::optional<int64_t> ParseIsoTimeUs(std::string_view text);

// Turns one record's JSON into one JSONEachRow line (without the newline) of its table.
// `synced_at_us` is the delivery time stored in every row. An error names what is missing.
class RowEncoder {
 public:
  Result<std::string> Encode(Table table, std::string_view record_json, int64_t synced_at_us);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace journeykit::clickhouse

// clickhouse_connector.hpp — writes JourneyKit records into ClickHouse tables over HTTP.
#pragma once

#include <journeykit/plugin.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "clickhouse_options.hpp"
#include "clickhouse_rows.hpp"

namespace journeykit::clickhouse {

// Each write() turns its records into rows of their tables (events, journeys, stage changes,
// audience changes), creates a table before its first insert (create_tables), and INSERTs the
// rows FORMAT JSONEachRow in requests of at most max_rows_per_insert rows through the host,
// which retries network errors, 429 and 5xx. Re-sent rows (a retry after a lost answer, a
// rerun, `journeykit replay`) collapse in the ReplacingMergeTree tables. A row ClickHouse
// refuses ("(at row N)") is handed to Host::reject and the rest of the request is sent again.
class ClickHouseConnector : public plugin::Connector {
 public:
  ClickHouseConnector(plugin::Host& host, const plugin::Config& config);
  Status check() override;
  Status write(std::span<const jk_record> records) override;
  Status flush() override;

  // Unix microseconds stored as synced_at (tests may fix it).
  void set_clock(std::function<int64_t()> clock_us) { clock_us_ = std::move(clock_us); }

  // "<prefix>events" ... and "`database`.`<prefix>events`".
  std::string TableName(Table table) const;
  std::string QualifiedName(Table table) const;

  // The requests, without I/O: a statement in the body, and an INSERT of rows.
  plugin::HttpRequest BuildStatement(std::string statement) const;
  plugin::HttpRequest BuildInsert(Table table, std::span<const std::string> rows) const;

 private:
  Status EnsureTable(Table table);
  Status Insert(Table table, std::vector<const jk_record*> records, std::vector<std::string> rows);
  Status Failure(const plugin::HttpResponse& response, std::string_view what, Table table) const;

  plugin::Host& host_;
  Result<ClickHouseOptions> options_;
  std::function<int64_t()> clock_us_;
  RowEncoder encoder_;
  std::array<bool, kTableCount> table_ready_{};
  std::array<uint64_t, kTableCount> rows_written_{};
  uint64_t inserts_ = 0;
  uint64_t rejected_ = 0;
  size_t rejected_in_write_ = 0;
  std::set<std::string> ignored_types_;
};

// Rows ClickHouse may refuse one by one in one write() before the batch fails as a whole
// (more means the table does not fit the rows, not that a few records are bad).
inline constexpr size_t kMaxRejectedRowsPerWrite = 10;

}  // namespace journeykit::clickhouse

// clickhouse_options.hpp — the clickhouse connector's configuration, validated.
#pragma once

#include <journeykit/http_util.hpp>
#include <journeykit/plugin.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace journeykit::clickhouse {

inline constexpr int64_t kDefaultMaxRowsPerInsert = 10000;
// Below ClickHouse's max_insert_block_size (1048576): one INSERT is then one block, written
// all or nothing, and "(at row N)" in an error counts from the first row of the request.
inline constexpr int64_t kMaxMaxRowsPerInsert = 1000000;

struct ClickHouseOptions {
  std::string url;       // as configured, for messages (redacted there)
  std::string endpoint;  // url ending in '/' (or with its own query), where queries are POSTed
  std::string database = "default";
  std::string user = "default";
  std::string password;
  std::string table_prefix = "journeykit_";
  bool create_tables = true;
  size_t max_rows_per_insert = kDefaultMaxRowsPerInsert;
};

Result<ClickHouseOptions> ParseClickHouseOptions(const plugin::Config& config);

using http::RedactUrl;  // journeykit/http_util.hpp

// ClickHouse identifiers this connector accepts unquoted-safe: [A-Za-z_][A-Za-z0-9_]*.
bool IsPlainIdentifier(std::string_view name);

extern const jk_config_field kConfigFields[7];

}  // namespace journeykit::clickhouse

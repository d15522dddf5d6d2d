// clickhouse_options.cpp — config parsing and validation.
#include "clickhouse_options.hpp"

#include <algorithm>
#include <cctype>

namespace journeykit::clickhouse {

const jk_config_field kConfigFields[7] = {
    {"url", JK_CONFIG_STRING, 0, 0, "\"http://127.0.0.1:8123\"",
     "The ClickHouse HTTP interface (http:// or https://, port 8123 / 8443)"},
    {"database", JK_CONFIG_STRING, 0, 0, "\"default\"",
     "Database of the tables; it must exist (the connector creates tables, not databases)"},
    {"user", JK_CONFIG_STRING, 0, 0, "\"default\"", "ClickHouse user (X-ClickHouse-User)"},
    {"password", JK_CONFIG_STRING, 0, 1, "\"\"",
     "The user's password (X-ClickHouse-Key); use \"${env:CLICKHOUSE_PASSWORD}\"; may be empty"},
    {"table_prefix", JK_CONFIG_STRING, 0, 0, "\"journeykit_\"",
     "Prefix of the table names: <prefix>events, <prefix>journeys, <prefix>stage_changes, "
     "<prefix>audience_changes"},
    {"create_tables", JK_CONFIG_BOOL, 0, 0, "true",
     "CREATE TABLE IF NOT EXISTS each table before its first insert of the run"},
    {"max_rows_per_insert", JK_CONFIG_INT, 0, 0, "10000",
     "At most this many rows per INSERT request (1 to 1000000)"},
};

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

}  // namespace

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
  return std::all_of(name.begin(), name.end(), IsIdentifierChar);
}

Result<ClickHouseOptions> ParseClickHouseOptions(const plugin::Config& config) {
  ClickHouseOptions o;
  o.url = config.string("url", "http://127.0.0.1:8123");
  size_t scheme_end = o.url.find("://");
  std::string scheme = Lower(o.url.substr(0, scheme_end));
  if (scheme_end == std::string::npos || (scheme != "http" && scheme != "https") ||
      scheme_end + 3 >= o.url.size()) {
    return InvalidArgument(
        "clickhouse: 'url' must be an http:// or https:// URL such as "
        "http://127.0.0.1:8123, not '" +
        RedactUrl(o.url) + "'");
  }
  if (o.url.find('@', scheme_end) != std::string::npos &&
      o.url.find('@', scheme_end) < o.url.find_first_of("/?#", scheme_end + 3)) {
    return InvalidArgument(
        "clickhouse: 'url' must not hold user info; set 'user' and 'password' instead");
  }
  o.endpoint = o.url;
  if (o.endpoint.find('?') == std::string::npos && o.endpoint.back() != '/') {
    o.endpoint.push_back('/');
  }
  o.database = config.string("database", "default");
  if (!IsPlainIdentifier(o.database)) {
    return InvalidArgument(
        "clickhouse: 'database' must be a plain identifier (letters, digits, "
        "_; not starting with a digit), not '" +
        o.database + "'");
  }
  o.user = config.string("user", "default");
  if (o.user.empty() || o.user.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument("clickhouse: 'user' must be a non-empty name on one line");
  }
  o.password = config.string("password");
  if (o.password.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument("clickhouse: 'password' holds a line break");
  }
  o.table_prefix = config.string("table_prefix", "journeykit_");
  if (!o.table_prefix.empty() && !IsPlainIdentifier(o.table_prefix)) {
    return InvalidArgument(
        "clickhouse: 'table_prefix' may hold only letters, digits and _ "
        "(not starting with a digit), not '" +
        o.table_prefix + "'");
  }
  o.create_tables = config.boolean("create_tables", true);
  int64_t max_rows = config.integer("max_rows_per_insert", kDefaultMaxRowsPerInsert);
  if (max_rows < 1 || max_rows > kMaxMaxRowsPerInsert) {
    return InvalidArgument("clickhouse: 'max_rows_per_insert' must be between 1 and " +
                           std::to_string(kMaxMaxRowsPerInsert));
  }
  o.max_rows_per_insert = static_cast<size_t>(max_rows);
  return o;
}

}  // namespace journeykit::clickhouse

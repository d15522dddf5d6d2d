// clickhouse_errors.hpp — reads ClickHouse's plain-text error bodies (18.x and modern formats).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace journeykit::clickhouse {

struct ClickHouseError {
  int code = 0;         // ClickHouse's error code (60 UNKNOWN_TABLE ...); 0 when not found
  std::string message;  // one line: "Table default.nope doesn't exist." (+ " (UNKNOWN_TABLE)")
  std::optional<size_t> row;  // "(at row N)": the 1-based row of the INSERT's input
};

// 18.16: "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = ..."
// modern: "Code: 60. DB::Exception: Table x does not exist. (UNKNOWN_TABLE) (version 24.8...)"
// Anything else (a proxy's HTML page) becomes a trimmed excerpt of the body.
ClickHouseError ParseErrorBody(std::string_view body);

// Error codes with a meaning for the connector.
inline constexpr int kUnknownTable = 60;
inline constexpr int kUnknownDatabase = 81;
inline constexpr int kUnknownSetting = 115;
inline constexpr int kUnknownUser = 192;
inline constexpr int kWrongPassword = 193;
inline constexpr int kRequiredPassword = 194;
inline constexpr int kAccessDenied = 497;
inline constexpr int kAuthenticationFailed = 516;

bool IsAuthenticationError(int http_status, int code);

}  // namespace journeykit::clickhouse

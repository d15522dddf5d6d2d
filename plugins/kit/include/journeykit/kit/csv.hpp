// csv.hpp — parses one RFC 4180 CSV record into its fields.
#pragma once

#include <journeykit/status.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::kit {

// Splits `line` at `delimiter`. Fields may be quoted ("a,b"); "" inside quotes is a quote.
// A quoted field may hold line breaks (the reader joins the physical lines first, see
// CsvRecordContinues). An unterminated quote is an error, and so is text after a closing quote.
// Whitespace is kept as is. Clears and fills `fields`. True when `text` ends inside a quoted field
// (an odd number of quotes: "" escapes and opening/closing pairs are even), so the record goes on
// on the next physical line.
bool CsvRecordContinues(std::string_view text);

[[nodiscard]] Status ParseCsvRecord(std::string_view line, char delimiter,
                                    std::vector<std::string>& fields);

}  // namespace journeykit::kit

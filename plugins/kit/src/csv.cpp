// csv.cpp — a small RFC 4180 record splitter; a quoted field may hold line breaks.
#include <journeykit/kit/csv.hpp>

namespace journeykit::kit {

namespace {
constexpr int kMaxQuotedLines = 100;  // kMaxLinesPerRecord of file_source.hpp
}  // namespace

bool CsvRecordContinues(std::string_view text) {
  size_t quotes = 0;
  for (char c : text) quotes += c == '"' ? 1 : 0;
  return quotes % 2 == 1;
}

Status ParseCsvRecord(std::string_view line, char delimiter, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    field.clear();
    if (i < n && line[i] == '"') {
      const size_t opened = i + 1;  // 1-based column of the opening quote
      ++i;
      bool closed = false;
      while (i < n) {
        char c = line[i];
        if (c == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field.push_back(c);
        ++i;
      }
      if (!closed) {
        return InvalidArgument("the quoted field that starts at column " + std::to_string(opened) +
                               " is not closed (within " + std::to_string(kMaxQuotedLines) +
                               " lines); close the quote, or double a quote inside a quoted "
                               "field (\"\")");
      }
      if (i < n && line[i] != delimiter) {
        return InvalidArgument("unexpected character after the closing quote at column " +
                               std::to_string(i) +
                               " (a quote inside a quoted field must be "
                               "doubled: \"\")");
      }
    } else {
      while (i < n && line[i] != delimiter) field.push_back(line[i++]);
    }
    fields.push_back(field);
    if (i >= n) break;
    ++i;  // the delimiter
  }
  return Status::Ok();
}

}  // namespace journeykit::kit

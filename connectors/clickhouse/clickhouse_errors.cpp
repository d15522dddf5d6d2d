// clickhouse_errors.cpp — error body parsing.
#include "clickhouse_errors.hpp"

#include <cctype>

namespace journeykit::clickhouse {

namespace {

constexpr size_t kMaxMessage = 400;

// Newlines and runs of blanks become one space; the ends are trimmed; long text is cut.
std::string OneLine(std::string_view s) {
  std::string out;
  bool blank = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      blank = !out.empty();
      continue;
    }
    if (blank) out.push_back(' ');
    blank = false;
    out.push_back(c);
  }
  if (out.size() > kMaxMessage) {
    out.resize(kMaxMessage);
    out += "…";
  }
  return out;
}

std::string_view StripPrefix(std::string_view s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) == prefix) s.remove_prefix(prefix.size());
  return s;
}

}  // namespace

ClickHouseError ParseErrorBody(std::string_view body) {
  ClickHouseError out;
  std::string_view text = body;
  size_t code_at = text.find("Code: ");
  if (code_at != std::string_view::npos) {
    size_t pos = code_at + 6;
    int code = 0;
    size_t digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0 &&
           digits < 6) {
      code = code * 10 + (text[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits > 0) out.code = code;
    text = text.substr(pos);
  }
  std::string_view message = text;
  if (size_t d = text.find("e.displayText() = "); d != std::string_view::npos) {  // 18.x
    message = text.substr(d + 18);
    if (size_t w = message.rfind(", e.what() = "); w != std::string_view::npos) {
      message = message.substr(0, w);
    }
  } else if (out.code != 0) {  // modern: ". DB::Exception: ... (NAME) (version ...)"
    message = StripPrefix(StripPrefix(text, "."), ",");
    if (size_t v = message.rfind(" (version "); v != std::string_view::npos) {
      message = message.substr(0, v);
    }
  }
  std::string line = OneLine(message);
  for (std::string_view prefix : {"DB::Exception: ", "DB::Exception:"}) {
    if (line.rfind(prefix, 0) == 0) {
      line.erase(0, prefix.size());
      break;
    }
  }
  // "...: (at row 3)" → the row; ClickHouse counts from 1.
  if (size_t at = body.find("(at row "); at != std::string_view::npos) {
    size_t pos = at + 8;
    size_t row = 0;
    size_t digits = 0;
    while (pos < body.size() && std::isdigit(static_cast<unsigned char>(body[pos])) != 0 &&
           digits < 12) {
      row = row * 10 + static_cast<size_t>(body[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits > 0 && pos < body.size() && body[pos] == ')' && row > 0) out.row = row;
  }
  out.message = line.empty() ? "(empty body)" : line;
  return out;
}

bool IsAuthenticationError(int http_status, int code) {
  return http_status == 401 || http_status == 403 || code == kUnknownUser ||
         code == kWrongPassword || code == kRequiredPassword || code == kAccessDenied ||
         code == kAuthenticationFailed;
}

}  // namespace journeykit::clickhouse

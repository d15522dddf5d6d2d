// json_fields.hpp — lenient reading of API and export JSON (simdjson DOM): fields that may be
// absent or null, numbers that arrive as text ("42", INT64 as a string), scalars as text.
#pragma once

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace journeykit::kit {

// A field that is present and not null.
inline std::optional<simdjson::dom::element> Field(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

// A number as text: integral values without a fraction, others in the shortest form that
// reads back the same.
inline std::string NumberText(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(v);
}

// The whole text as a finite number (spaces and tabs around it allowed); nullopt otherwise.
inline std::optional<double> ParseNumber(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) {
    return std::nullopt;
  }
  return d;
}

// Strings as they are, numbers as NumberText, booleans as "true"/"false"; "" otherwise.
inline std::string ScalarText(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::INT64:
      return std::to_string(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return NumberText(e.get_double().value_unsafe());
    case element_type::BOOL:
      return e.get_bool().value_unsafe() ? "true" : "false";
    default:
      return {};
  }
}

// A JSON number, or numeric text; nullopt otherwise.
inline std::optional<double> LenientNumber(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::INT64:
      return static_cast<double>(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    case element_type::STRING:
      return ParseNumber(e.get_string().value_unsafe());
    default:
      return std::nullopt;
  }
}

inline std::string TextField(simdjson::dom::object o, std::string_view key) {
  auto e = Field(o, key);
  return e ? ScalarText(*e) : std::string();
}

inline std::optional<double> NumberField(simdjson::dom::object o, std::string_view key) {
  auto e = Field(o, key);
  return e ? LenientNumber(*e) : std::nullopt;
}

}  // namespace journeykit::kit

// json_read.hpp — reading typed values out of a simdjson DOM with errors that name the JSON path.
#pragma once

#include <journeykit/status.hpp>

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace journeykit::internal {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

inline std::string TypeName(const element& e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "an integer";
    case simdjson::dom::element_type::DOUBLE:
      return "a number";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

inline Status WrongType(const std::string& path, const element& e, std::string_view expected) {
  return InvalidArgument(path + ": expected " + std::string(expected) + ", found " + TypeName(e));
}

inline Result<object> AsObject(const element& e, const std::string& path) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return WrongType(path, e, "an object");
  return o;
}

inline Result<std::string> AsString(const element& e, const std::string& path) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return WrongType(path, e, "a string");
  return std::string(s);
}

inline Result<bool> AsBool(const element& e, const std::string& path) {
  bool b = false;
  if (e.get_bool().get(b) != simdjson::SUCCESS) return WrongType(path, e, "true or false");
  return b;
}

// A string or an array of strings.
inline Result<std::vector<std::string>> AsStringList(const element& e, const std::string& path) {
  std::vector<std::string> out;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    out.emplace_back(s);
    return out;
  }
  array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    return WrongType(path, e, "a string or an array of strings");
  }
  size_t i = 0;
  for (element item : arr) {
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      return WrongType(path + "[" + std::to_string(i) + "]", item, "a string");
    }
    out.emplace_back(s);
    ++i;
  }
  return out;
}

// Rejects keys of `o` that are not in `allowed`, naming the path and the allowed keys.
inline Status CheckKeys(const object& o, const std::string& path,
                        std::initializer_list<std::string_view> allowed) {
  for (auto field : o) {
    bool known = false;
    for (std::string_view a : allowed) known = known || field.key == a;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return InvalidArgument(path + "." + std::string(field.key) +
                             ": unknown key (allowed: " + list + ")");
    }
  }
  return Status::Ok();
}

}  // namespace journeykit::internal

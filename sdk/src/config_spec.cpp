// config_spec.cpp — ${env:NAME} substitution and validation of plugin configs.
#include <journeykit/config_spec.hpp>

#include "internal/json_read.hpp"
#include "internal/json_writer.hpp"

#include <simdjson.h>

#include <cstdlib>

namespace journeykit {

using internal::element;

namespace {

Status SubstituteString(std::string_view in, const std::string& path, std::string& out,
                        std::vector<std::string>* secrets) {
  size_t pos = 0;
  while (true) {
    size_t start = in.find("${env:", pos);
    if (start == std::string_view::npos) {
      out.append(in.substr(pos));
      return Status::Ok();
    }
    size_t end = in.find('}', start);
    if (end == std::string_view::npos) {
      return InvalidArgument(path + ": unterminated ${env:...} reference");
    }
    out.append(in.substr(pos, start - pos));
    std::string name(in.substr(start + 6, end - start - 6));
    const char* value = std::getenv(name.c_str());
    if (name.empty() || value == nullptr) {
      return InvalidArgument(path + ": environment variable " + name +
                             " is not set; export it before running (its value is never printed)");
    }
    out.append(value);
    if (secrets != nullptr && value[0] != '\0') secrets->emplace_back(value);
    pos = end + 1;
  }
}

Status Rewrite(const element& e, const std::string& path, std::string& out,
               std::vector<std::string>* secrets) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      out.push_back('{');
      bool first = true;
      for (auto field : simdjson::dom::object(e)) {
        if (!first) out.push_back(',');
        first = false;
        internal::AppendJsonString(out, field.key);
        out.push_back(':');
        JK_RETURN_IF_ERROR(Rewrite(field.value, path + "." + std::string(field.key), out, secrets));
      }
      out.push_back('}');
      return Status::Ok();
    }
    case simdjson::dom::element_type::ARRAY: {
      out.push_back('[');
      size_t i = 0;
      for (element item : simdjson::dom::array(e)) {
        if (i > 0) out.push_back(',');
        JK_RETURN_IF_ERROR(Rewrite(item, path + "[" + std::to_string(i) + "]", out, secrets));
        ++i;
      }
      out.push_back(']');
      return Status::Ok();
    }
    case simdjson::dom::element_type::STRING: {
      std::string value;
      JK_RETURN_IF_ERROR(SubstituteString(std::string_view(e), path, value, secrets));
      internal::AppendJsonString(out, value);
      return Status::Ok();
    }
    default:
      out += simdjson::minify(e);
      return Status::Ok();
  }
}

bool HasType(const element& e, jk_config_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case JK_CONFIG_STRING:
      return e.type() == T::STRING;
    case JK_CONFIG_INT:
      return e.type() == T::INT64 || e.type() == T::UINT64;
    case JK_CONFIG_NUMBER:
      return e.type() == T::INT64 || e.type() == T::UINT64 || e.type() == T::DOUBLE;
    case JK_CONFIG_BOOL:
      return e.type() == T::BOOL;
    case JK_CONFIG_OBJECT:
      return e.type() == T::OBJECT;
    case JK_CONFIG_STRING_LIST: {
      if (e.type() != T::ARRAY) return false;
      for (element item : simdjson::dom::array(e)) {
        if (item.type() != T::STRING) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::string> SubstituteEnvironment(std::string_view json, const std::string& path,
                                          std::vector<std::string>* secrets) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return InvalidArgument(path + ": not valid JSON");
  }
  std::string out;
  JK_RETURN_IF_ERROR(Rewrite(root, path, out, secrets));
  return out;
}

Result<std::string> ValidateConfig(const std::vector<ConfigFieldInfo>& fields,
                                   std::string_view config_json, const std::string& path,
                                   std::vector<std::string>* warnings) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(config_json.data(), config_json.size()).get(root) != simdjson::SUCCESS) {
    return InvalidArgument(path + ": not valid JSON");
  }
  JK_ASSIGN_OR_RETURN(simdjson::dom::object config, internal::AsObject(root, path));
  std::string out = "{";
  bool first = true;
  auto append = [&](std::string_view key, std::string_view json) {
    if (!first) out.push_back(',');
    first = false;
    internal::AppendJsonString(out, key);
    out.push_back(':');
    out.append(json);
  };
  for (auto field : config) {
    const ConfigFieldInfo* spec = nullptr;
    for (const auto& f : fields) {
      if (f.key == field.key) spec = &f;
    }
    std::string key_path = path + "." + std::string(field.key);
    if (spec == nullptr) {
      std::string known;
      for (const auto& f : fields) known += (known.empty() ? "" : ", ") + f.key;
      return InvalidArgument(key_path + ": unknown key (this plugin accepts: " +
                             (known.empty() ? "no keys" : known) + ")");
    }
    if (!HasType(field.value, spec->type)) {
      return InvalidArgument(key_path + ": expected " + ConfigTypeName(spec->type) + ", found " +
                             internal::TypeName(field.value));
    }
    if (spec->secret && warnings != nullptr) {
      std::string_view raw;
      if (field.value.get_string().get(raw) == simdjson::SUCCESS &&
          raw.find("${env:") == std::string_view::npos) {
        warnings->push_back(key_path +
                            " is a secret written in the pipeline file; use "
                            "\"${env:NAME}\" instead");
      }
    }
    append(field.key, simdjson::minify(field.value));
  }
  for (const auto& f : fields) {
    element present;
    if (config.at_key(f.key).get(present) == simdjson::SUCCESS) continue;
    if (f.required) {
      return InvalidArgument(path + "." + f.key + ": missing required key (" +
                             ConfigTypeName(f.type) + ": " + f.description + ")");
    }
    if (!f.default_json.empty()) append(f.key, f.default_json);
  }
  out.push_back('}');
  return out;
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 3) continue;  // too short to tell apart from ordinary text
    size_t pos = 0;
    while ((pos = text.find(secret, pos)) != std::string::npos) {
      text.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return text;
}

}  // namespace journeykit

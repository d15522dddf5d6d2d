// config_spec.hpp — validating a plugin instance's config against its declared spec.
#pragma once

#include <journeykit/plugin_registry.hpp>
#include <journeykit/status.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

// Replaces every ${env:NAME} in the string values of `json` with the variable's value.
// A missing variable is an error naming `path` and the variable. Substituted values are
// appended to `secrets` so that they can be redacted from every message.
Result<std::string> SubstituteEnvironment(std::string_view json, const std::string& path,
                                          std::vector<std::string>* secrets);

// Checks `config_json` (an object) against `fields`: unknown keys, wrong types and missing
// required keys are errors naming the JSON path (`path` + ".key"). Returns the config with
// defaults filled in. `warnings` receives advice (a secret written in clear in the file).
Result<std::string> ValidateConfig(const std::vector<ConfigFieldInfo>& fields,
                                   std::string_view config_json, const std::string& path,
                                   std::vector<std::string>* warnings = nullptr);

// Replaces every occurrence of each secret in `text` with "***".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace journeykit

// json_writer.hpp — the SDK's own code uses the public JSON writer under internal:: names.
#pragma once

#include <journeykit/json_writer.hpp>

namespace journeykit::internal {

using json::AppendJsonNumber;
using json::AppendJsonString;
using json::JsonObjectWriter;

}  // namespace journeykit::internal

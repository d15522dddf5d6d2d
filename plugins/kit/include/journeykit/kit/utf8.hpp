// utf8.hpp — UTF-8 checks for raw input lines.
#pragma once

#include <string_view>

namespace journeykit::kit {

// True when `text` is valid UTF-8 (simdjson's validator).
[[nodiscard]] bool IsValidUtf8(std::string_view text);

// At most `max_bytes` of `text`, cut back to a UTF-8 character boundary when the text is
// valid UTF-8 (for excerpts of bad records).
[[nodiscard]] std::string_view Excerpt(std::string_view text, size_t max_bytes);

}  // namespace journeykit::kit

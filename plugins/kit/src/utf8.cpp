// utf8.cpp — UTF-8 validation through simdjson.
#include <simdjson.h>

#include <journeykit/kit/utf8.hpp>

namespace journeykit::kit {

bool IsValidUtf8(std::string_view text) { return simdjson::validate_utf8(text); }

std::string_view Excerpt(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::string_view cut = text.substr(0, max_bytes);
  // Step back over continuation bytes (10xxxxxx) and the lead byte of a cut character.
  size_t end = cut.size();
  size_t back = 0;
  while (back < 4 && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0u) == 0x80u) {
    --end;
    ++back;
  }
  return text.substr(0, end);
}

}  // namespace journeykit::kit

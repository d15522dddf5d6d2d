// text_match.hpp — case-insensitive matching shared by the model's rules and the analyses.
#pragma once

#include <journeykit/string_pool.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace journeykit::internal {

// ASCII case folding. JourneyKit never calls setlocale, so the process runs in the "C" locale,
// where std::tolower maps exactly 'A'..'Z' to 'a'..'z' and leaves every other byte alone (UTF-8
// continuation bytes included); this is the same mapping without a call per byte.
constexpr unsigned char AsciiLower(unsigned char c) {
  return static_cast<unsigned char>(c - 'A') < 26 ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x != y && AsciiLower(x) != AsciiLower(y)) return false;
  }
  return true;
}

inline bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  auto it =
      std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                  [](unsigned char x, unsigned char y) { return AsciiLower(x) == AsciiLower(y); });
  return it != haystack.end();
}

// True when `value` equals one of `wanted`, ignoring case.
inline bool AnyEquals(const std::vector<std::string>& wanted, std::string_view value) {
  return std::any_of(wanted.begin(), wanted.end(),
                     [&](const std::string& w) { return EqualsIgnoreCase(w, value); });
}

// A case-insensitive set of action names tested against interned action ids. An analysis asks
// about the same few actions millions of times, a few sets per event: each answer is kept in a
// small direct-mapped table by id (one load and compare on a hit), and every id ever asked in
// a map behind it, so the names are compared once per id.
class ActionSet {
 public:
  ActionSet(const StringPool& strings, const std::vector<std::string>& actions)
      : strings_(&strings), actions_(&actions) {}
  bool Contains(uint32_t action) {
    if (actions_->empty()) return false;
    Slot& slot = slots_[action % slots_.size()];
    if (slot.id == action) return slot.result;
    bool result = false;
    auto it = cache_.find(action);
    if (it != cache_.end()) {
      result = it->second;
    } else {
      result = AnyEquals(*actions_, strings_->Get(action));
      cache_.emplace(action, result);
    }
    slot = {action, result};
    return result;
  }

 private:
  struct Slot {
    uint32_t id = std::numeric_limits<uint32_t>::max();
    bool result = false;
  };
  const StringPool* strings_;
  const std::vector<std::string>* actions_;
  std::array<Slot, 64> slots_{};
  std::unordered_map<uint32_t, bool> cache_;
};

}  // namespace journeykit::internal

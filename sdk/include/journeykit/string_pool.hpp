// string_pool.hpp — interns strings to dense 32-bit ids; storage is stable
// arena chunks, the index an open-addressing table of ids (linear probing, a
// 32-bit hash tag per string).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace journeykit {

class StringPool {
 public:
  StringPool();
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;

  // Returns the id of `s`, adding it on first sight. Id 0 is the empty string.
  uint32_t Intern(std::string_view s);
  // Returns the id or UINT32_MAX when `s` was never interned.
  uint32_t Find(std::string_view s) const;
  std::string_view Get(uint32_t id) const { return views_[id]; }
  size_t size() const { return views_.size(); }
  size_t bytes_used() const;

 private:
  void Init();
  std::string_view Store(std::string_view s);
  // The slot holding `s` (hash `h`), or the empty slot where it would go.
  size_t Probe(std::string_view s, uint64_t h) const;
  void Grow();
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_capacity_ = 0;
  std::vector<std::string_view> views_;
  std::vector<uint32_t> tags_;   // per id: high 32 bits of the string's hash
  std::vector<uint32_t> slots_;  // id + 1, 0 = empty; the size is a power of two
};

}  // namespace journeykit

// string_pool.cpp — arena-backed string interning.
#include <journeykit/string_pool.hpp>

#include <algorithm>
#include <cstring>

namespace journeykit {

namespace {
constexpr size_t kChunkSize = 1 << 20;
}

StringPool::StringPool() {
  views_.emplace_back();
  index_.emplace(std::string_view(), 0);
}

std::string_view StringPool::Store(std::string_view s) {
  if (s.size() > chunk_capacity_ - chunk_used_ || chunks_.empty()) {
    size_t capacity = std::max(kChunkSize, s.size());
    chunks_.push_back(std::make_unique<char[]>(capacity));
    chunk_capacity_ = capacity;
    chunk_used_ = 0;
  }
  char* dst = chunks_.back().get() + chunk_used_;
  std::memcpy(dst, s.data(), s.size());
  chunk_used_ += s.size();
  return {dst, s.size()};
}

uint32_t StringPool::Intern(std::string_view s) {
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  std::string_view stored = Store(s);
  auto id = static_cast<uint32_t>(views_.size());
  views_.push_back(stored);
  index_.emplace(stored, id);
  return id;
}

uint32_t StringPool::Find(std::string_view s) const {
  auto it = index_.find(s);
  return it == index_.end() ? UINT32_MAX : it->second;
}

size_t StringPool::bytes_used() const {
  size_t chunk_bytes = 0;
  for (size_t i = 0; i + 1 < chunks_.size(); ++i) chunk_bytes += kChunkSize;
  chunk_bytes += chunk_capacity_;
  return chunk_bytes + views_.capacity() * sizeof(std::string_view) +
         index_.size() * (sizeof(std::string_view) + sizeof(uint32_t) + 2 * sizeof(void*));
}

}  // namespace journeykit

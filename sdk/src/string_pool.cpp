// string_pool.cpp — arena-backed string interning with an open-addressing
// index.
#include <journeykit/string_pool.hpp>

#include <algorithm>
#include <cstring>

namespace journeykit {

namespace {

constexpr size_t kChunkSize = 1 << 20;
constexpr size_t kInitialSlots = 1024;

inline uint64_t Mix(uint64_t a, uint64_t b) {
  __extension__ using U128 = unsigned __int128;
  U128 r = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// A fast 64-bit string hash (8 bytes per multiply; in the spirit of wyhash).
// Not persisted: ids depend only on the order of first sight, never on the
// hash.
uint64_t HashBytes(std::string_view s) {
  constexpr uint64_t k0 = 0xa0761d6478bd642full;
  constexpr uint64_t k1 = 0xe7037ed1a0b428dbull;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  uint64_t h = k0 ^ n;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = Mix(h ^ w, k1);
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  if (n > 0) {
    std::memcpy(&w, p, n);
    h = Mix(h ^ w, k1 ^ n);
  }
  return Mix(h, k0);
}

}  // namespace

StringPool::StringPool() { Init(); }

void StringPool::Init() {
  views_.assign(1, std::string_view());
  slots_.assign(kInitialSlots, 0);
  const uint64_t h = HashBytes({});
  tags_.assign(1, static_cast<uint32_t>(h >> 32));
  slots_[Probe({}, h)] = 1;
}

std::string_view StringPool::Store(std::string_view s) {
  if (s.size() > chunk_capacity_ - chunk_used_ || chunks_.empty()) {
    size_t capacity = std::max(kChunkSize, s.size());
    chunks_.push_back(std::make_unique<char[]>(capacity));
    chunk_capacity_ = capacity;
    chunk_used_ = 0;
  }
  char* dst = chunks_.back().get() + chunk_used_;
  if (!s.empty()) std::memcpy(dst, s.data(), s.size());
  chunk_used_ += s.size();
  return {dst, s.size()};
}

size_t StringPool::Probe(std::string_view s, uint64_t h) const {
  const size_t mask = slots_.size() - 1;
  const auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots_[i];
    if (slot == 0) return i;
    const uint32_t id = slot - 1;
    if (tags_[id] == tag && views_[id] == s) return i;
  }
}

void StringPool::Grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t slot : slots_) {
    if (slot == 0) continue;
    // The tag is the hash's high half; the position needs the low half, so
    // rehash.
    size_t i = static_cast<size_t>(HashBytes(views_[slot - 1])) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_.swap(slots);
}

uint32_t StringPool::Intern(std::string_view s) {
  if (slots_.empty()) Init();  // a moved-from pool
  const uint64_t h = HashBytes(s);
  size_t i = Probe(s, h);
  if (slots_[i] != 0) return slots_[i] - 1;
  // Keep the load factor at most 1/2 so that probes stay short.
  if ((views_.size() + 1) * 2 > slots_.size()) {
    Grow();
    i = Probe(s, h);
  }
  std::string_view stored = Store(s);
  auto id = static_cast<uint32_t>(views_.size());
  views_.push_back(stored);
  tags_.push_back(static_cast<uint32_t>(h >> 32));
  slots_[i] = id + 1;
  return id;
}

uint32_t StringPool::Find(std::string_view s) const {
  if (slots_.empty()) return s.empty() ? 0 : UINT32_MAX;
  const uint32_t slot = slots_[Probe(s, HashBytes(s))];
  return slot == 0 ? UINT32_MAX : slot - 1;
}

size_t StringPool::bytes_used() const {
  size_t chunk_bytes = 0;
  for (size_t i = 0; i + 1 < chunks_.size(); ++i) chunk_bytes += kChunkSize;
  chunk_bytes += chunk_capacity_;
  return chunk_bytes + views_.capacity() * sizeof(std::string_view) +
         tags_.capacity() * sizeof(uint32_t) + slots_.capacity() * sizeof(uint32_t);
}

}  // namespace journeykit

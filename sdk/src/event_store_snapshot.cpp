// event_store_snapshot.cpp — EventStore::WriteSnapshot / ReadSnapshot: the store's columns
// and strings in one binary file, checked by a trailing hash.
//
// Layout (host byte order; a snapshot is a local cache, never exchanged between machines):
//   "JKSNAP\0\0" | u32 format | u32 tag bytes | tag
//   strings:  u64 count (ids 1..count; id 0 is "") | u64 bytes | u32 length × count | bytes
//   vectors:  u64 element count | elements, for every column in the order of Columns() below
//   "JKSNAPND" | u64 hash of everything before it
#include <journeykit/event_store.hpp>

#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace journeykit {

namespace {

constexpr char kMagic[8] = {'J', 'K', 'S', 'N', 'A', 'P', '\0', '\0'};
constexpr char kEndMagic[8] = {'J', 'K', 'S', 'N', 'A', 'P', 'N', 'D'};
// Bump when the layout or what Append derives from an event changes: an older snapshot is
// then ignored and the store is rebuilt from the state database.
constexpr uint32_t kFormat = 1;

// A fast 64-bit hash, fed chunk by chunk (a chunk's length is mixed in, so the split into
// chunks is part of what is hashed — the reader reads the same chunks).
uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}
uint64_t HashChunk(uint64_t h, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t acc = 0xcbf29ce484222325ULL ^ size;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc = (acc ^ w) * 0x100000001b3ULL;
    acc ^= acc >> 29;
  }
  uint64_t tail = 0;
  if (size > i) std::memcpy(&tail, p + i, size - i);  // p may be null when size is 0
  acc = (acc ^ tail) * 0x100000001b3ULL;
  return Mix(h, acc);
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f) {}
  void Bytes(const void* data, size_t size) {
    hash_ = HashChunk(hash_, data, size);
    if (ok_ && size > 0 && std::fwrite(data, 1, size, f_) != size) ok_ = false;
  }
  void U32(uint32_t v) { Bytes(&v, sizeof v); }
  void U64(uint64_t v) { Bytes(&v, sizeof v); }
  template <typename T>
  void Vector(const std::vector<T>& v) {
    U64(v.size());
    Bytes(v.data(), v.size() * sizeof(T));
  }
  bool ok() const { return ok_; }
  uint64_t hash() const { return hash_; }

 private:
  std::FILE* f_;
  uint64_t hash_ = 0;
  bool ok_ = true;
};

class Reader {
 public:
  Reader(std::FILE* f, uint64_t file_size) : f_(f), left_(file_size) {}
  bool Bytes(void* data, size_t size) {
    if (size > left_ || (size > 0 && std::fread(data, 1, size, f_) != size)) return false;
    left_ -= size;
    hash_ = HashChunk(hash_, data, size);
    return true;
  }
  bool U32(uint32_t& v) { return Bytes(&v, sizeof v); }
  bool U64(uint64_t& v) { return Bytes(&v, sizeof v); }
  template <typename T>
  bool Vector(std::vector<T>& v) {
    uint64_t n = 0;
    if (!U64(n) || n > left_ / sizeof(T)) return false;
    v.resize(n);
    return Bytes(v.data(), n * sizeof(T));
  }
  uint64_t hash() const { return hash_; }
  uint64_t left() const { return left_; }

 private:
  std::FILE* f_;
  uint64_t left_;
  uint64_t hash_ = 0;
};

Status Damaged(const std::string& path, const std::string& what) {
  return DataError("event snapshot " + path + ": " + what +
                   " (it is rebuilt from the state database)");
}

}  // namespace

Status EventStore::WriteSnapshot(const std::string& path, std::string_view tag) const {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  File f(std::fopen(tmp.c_str(), "wb"));
  if (!f) {
    return IoError("cannot write the event snapshot " + tmp + ": " + std::strerror(errno));
  }
  Writer w(f.get());
  w.Bytes(kMagic, sizeof kMagic);
  w.U32(kFormat);
  w.U32(static_cast<uint32_t>(tag.size()));
  w.Bytes(tag.data(), tag.size());
  // Strings by id, so that interning them in order gives every string its id back.
  const size_t count = strings_.size() - 1;
  std::vector<uint32_t> lengths(count);
  uint64_t bytes = 0;
  for (size_t id = 1; id <= count; ++id) {
    lengths[id - 1] = static_cast<uint32_t>(strings_.Get(static_cast<uint32_t>(id)).size());
    bytes += lengths[id - 1];
  }
  w.U64(count);
  w.U64(bytes);
  w.Bytes(lengths.data(), lengths.size() * sizeof(uint32_t));
  {
    std::string text;  // one chunk, as the reader reads it (the hash depends on the chunks)
    text.reserve(bytes);
    for (size_t id = 1; id <= count; ++id) text += strings_.Get(static_cast<uint32_t>(id));
    w.Bytes(text.data(), text.size());
  }
  w.Vector(source_names_);
  w.Vector(time_us_);
  w.Vector(source_);
  w.Vector(action_);
  w.Vector(touchpoint_);
  w.Vector(stage_);
  w.Vector(segment_matches_);
  w.Vector(identity_offsets_);
  w.Vector(identities_);
  for (const Sparse* s : sparse_values()) {
    w.Vector(s->index);
    w.Vector(s->value);
  }
  for (const SparseIds* s : sparse_ids()) {
    w.Vector(s->index);
    w.Vector(s->id);
  }
  const uint64_t hash = w.hash();
  bool ok = w.ok() && std::fwrite(kEndMagic, 1, sizeof kEndMagic, f.get()) == sizeof kEndMagic &&
            std::fwrite(&hash, 1, sizeof hash, f.get()) == sizeof hash;
  // No fsync: a snapshot is a cache whose checksum is checked on every read, so one that a
  // power cut left incomplete is refused and rebuilt; syncing would only cost time.
  ok = std::fflush(f.get()) == 0 && ok;
  int error = errno;
  f.reset();
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return IoError("cannot write the event snapshot " + path + ": " +
                   (ok ? ec.message() : std::strerror(error)));
  }
  return Status::Ok();
}

Result<std::string> EventStore::ReadSnapshot(const std::string& path) {
  if (size() != 0 || strings_.size() != 1) {
    return FailedPrecondition("ReadSnapshot needs an empty event store");
  }
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return NotFound("no event snapshot at " + path);
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) return NotFound("no event snapshot at " + path);
  Reader r(f.get(), file_size);
  char magic[8];
  uint32_t format = 0, tag_size = 0;
  if (!r.Bytes(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) {
    return Damaged(path, "not an event snapshot");
  }
  if (!r.U32(format) || format != kFormat) {
    return Damaged(
        path, "format " + std::to_string(format) + ", this build reads " + std::to_string(kFormat));
  }
  if (!r.U32(tag_size) || tag_size > r.left()) return Damaged(path, "truncated");
  std::string tag(tag_size, '\0');
  if (!r.Bytes(tag.data(), tag.size())) return Damaged(path, "truncated");
  // Read into a fresh store, moved in only when everything checks out.
  EventStore fresh(*model_);
  uint64_t count = 0, bytes = 0;
  if (!r.U64(count) || !r.U64(bytes) || count > r.left() / sizeof(uint32_t) || bytes > r.left()) {
    return Damaged(path, "truncated");
  }
  std::vector<uint32_t> lengths(count);
  std::string text(bytes, '\0');
  if (!r.Bytes(lengths.data(), count * sizeof(uint32_t)) || !r.Bytes(text.data(), bytes)) {
    return Damaged(path, "truncated");
  }
  uint64_t at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (lengths[i] > bytes - at) return Damaged(path, "string lengths do not add up");
    if (fresh.strings_.Intern(std::string_view(text).substr(at, lengths[i])) != i + 1) {
      return Damaged(path, "a string is there twice");
    }
    at += lengths[i];
  }
  if (at != bytes) return Damaged(path, "string lengths do not add up");
  text = std::string();
  bool ok = r.Vector(fresh.source_names_) && r.Vector(fresh.time_us_) && r.Vector(fresh.source_) &&
            r.Vector(fresh.action_) && r.Vector(fresh.touchpoint_) && r.Vector(fresh.stage_) &&
            r.Vector(fresh.segment_matches_) && r.Vector(fresh.identity_offsets_) &&
            r.Vector(fresh.identities_);
  for (Sparse* sp : fresh.sparse_values()) {
    ok = ok && r.Vector(sp->index) && r.Vector(sp->value);
  }
  for (SparseIds* sp : fresh.sparse_ids()) {
    ok = ok && r.Vector(sp->index) && r.Vector(sp->id);
  }
  if (!ok) return Damaged(path, "truncated");
  const uint64_t expected = r.hash();
  char end[8];
  uint64_t hash = 0;
  if (!r.Bytes(end, sizeof end) || std::memcmp(end, kEndMagic, sizeof end) != 0 || !r.U64(hash) ||
      r.left() != 0) {
    return Damaged(path, "truncated");
  }
  if (hash != expected) return Damaged(path, "its checksum does not match");
  // The shape: every column as long as the events, offsets rising to the identity count, ids
  // inside the pools. (The hash catches damage; this catches a writer's bug.)
  const size_t n = fresh.time_us_.size();
  const size_t strings = fresh.strings_.size();
  bool shape = fresh.source_.size() == n && fresh.action_.size() == n &&
               fresh.touchpoint_.size() == n && fresh.stage_.size() == n &&
               fresh.segment_matches_.size() == n && fresh.identity_offsets_.size() == n + 1 &&
               fresh.identity_offsets_.front() == 0 &&
               fresh.identity_offsets_.back() == fresh.identities_.size();
  for (size_t i = 0; shape && i < n; ++i) {
    shape = fresh.identity_offsets_[i] <= fresh.identity_offsets_[i + 1] &&
            fresh.source_[i] < fresh.source_names_.size() && fresh.action_[i] < strings;
  }
  for (size_t i = 0; shape && i < fresh.identities_.size(); ++i) {
    shape = fresh.identities_[i].kind < strings && fresh.identities_[i].value < strings;
  }
  for (uint32_t id : fresh.source_names_) shape = shape && id < strings;
  for (const Sparse* sp : std::as_const(fresh).sparse_values()) {
    shape = shape && sp->index.size() == sp->value.size();
    for (size_t i = 0; shape && i < sp->index.size(); ++i) {
      shape = sp->index[i] < n && (i == 0 || sp->index[i - 1] < sp->index[i]);
    }
  }
  for (const SparseIds* sp : std::as_const(fresh).sparse_ids()) {
    shape = shape && sp->index.size() == sp->id.size();
    for (size_t i = 0; shape && i < sp->index.size(); ++i) {
      shape =
          sp->index[i] < n && sp->id[i] < strings && (i == 0 || sp->index[i - 1] < sp->index[i]);
    }
  }
  if (!shape) return Damaged(path, "its columns do not fit together");
  *this = std::move(fresh);
  return tag;
}

}  // namespace journeykit

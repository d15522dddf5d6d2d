// state_store.hpp — the embedded SQLite store: events (deduplicated) and source cursors.
//
// A cursor is committed in the same transaction as the events emitted before it, so a crash
// at any point either keeps both or neither: a rerun resumes from the last cursor and the
// (source, event id) primary key drops the events it reads twice.
#pragma once

#include <journeykit/event.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace journeykit {

struct CommitStats {
  uint64_t inserted = 0;
  uint64_t duplicates = 0;  // already stored (same source and event id)
};

class StateStore {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory store).
  static Result<std::unique_ptr<StateStore>> Open(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Deletes every event and cursor (--full-refresh).
  Status Reset();
  // The saved state of a source stream, or nullopt before its first checkpoint.
  Result<std::optional<std::string>> LoadCursor(std::string_view source, std::string_view stream);
  // Stores events and, when `state` is given, the stream's cursor, in one transaction.
  Result<CommitStats> Commit(std::string_view source, std::string_view stream,
                             std::span<const Event> events, const std::string* state);
  // Calls fn for every stored event in arrival order.
  Status ForEachEvent(const std::function<void(const Event&)>& fn) const;
  Result<uint64_t> CountEvents() const;
  const std::string& path() const;

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeykit

// state_store.hpp — the embedded SQLite store: events (deduplicated) and source cursors.
//
// A cursor is committed in the same transaction as the events emitted before it, so a crash
// at any point either keeps both or neither: a rerun resumes from the last cursor and the
// (source, event id) primary key drops the events it reads twice.
//
// Audience membership (audiences.hpp) is kept per audience; UpdateAudience replaces it and
// appends the entered/left changes to a change log in one transaction.
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
#include <vector>

namespace journeykit {

struct CommitStats {
  uint64_t inserted = 0;
  uint64_t duplicates = 0;  // already stored (same source and event id)
};

// What UpdateAudience changed: person ids, sorted (byte order).
struct AudienceChanges {
  std::vector<std::string> entered;  // in the new membership, not in the stored one
  std::vector<std::string> left;     // in the stored membership, not in the new one
  uint64_t members = 0;              // size of the new membership
  // Sequence numbers of the change-log rows written (entered first, then left, each sorted);
  // both 0 when nothing changed.
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
};

struct AudienceMember {
  std::string person_id;
  int64_t entered_at_us = 0;  // as_of of the update at which the person (last) entered
};

// One row of the audience change log.
struct AudienceChange {
  uint64_t seq = 0;  // increasing; a consumer keeps the last seq it delivered
  std::string audience;
  std::string person_id;
  bool entered = false;  // false: left
  int64_t as_of_us = 0;  // as_of of the update that made the change
};

// One record a connector could not deliver, kept until a replay delivers it (docs/delivery.md).
struct DeadLetter {
  uint64_t id = 0;  // increasing
  std::string connector;
  std::string type;
  std::string key;
  std::string json;
  std::string reason;
  uint32_t attempts = 1;  // deliveries tried: the run's, then one per replay
  std::string failed_at;  // UTC time of the last failure (set by the store)
};

// What one accepted (or given-up) batch moves forward, committed in one transaction.
struct DeliveryCommit {
  std::string connector;
  // Position streams ("events", "audience_changes"): the new position of `stream`.
  std::string stream;
  std::optional<uint64_t> position;
  // Keyed streams (journeys, stage changes, tables): the digest of each key's delivered JSON.
  std::string digest_type;
  std::vector<std::pair<std::string, uint64_t>> digests;
  std::vector<DeadLetter> add_dead_letters;     // refused or failed records of this batch
  std::vector<uint64_t> remove_dead_letters;    // replay: ids the destination accepted
  std::vector<DeadLetter> update_dead_letters;  // replay: refused again (id, reason, attempts)
};

class StateStore {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory store).
  static Result<std::unique_ptr<StateStore>> Open(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Deletes every event and cursor (--full-refresh), and the connectors' event positions
  // (events are numbered anew, so every event is delivered again). Journeys and other keyed
  // records are re-sent only where they changed; dead letters and audiences are kept.
  Status Reset();
  // The saved state of a source stream, or nullopt before its first checkpoint.
  Result<std::optional<std::string>> LoadCursor(std::string_view source, std::string_view stream);
  // Stores events and, when `state` is given, the stream's cursor, in one transaction.
  Result<CommitStats> Commit(std::string_view source, std::string_view stream,
                             std::span<const Event> events, const std::string* state);
  // One event a Commit stored (not a duplicate): its index in the committed batch and its seq.
  struct Inserted {
    uint32_t index = 0;
    uint64_t seq = 0;
  };
  // Called by every Commit that stored events, after the transaction committed and still under
  // the store's lock — so calls come one at a time, in seq order, even from several threads —
  // with the batch and the events it stored, in seq order. Lets the pipeline fill a run's
  // in-memory store while the sources run instead of reading the events back. Must not call
  // the StateStore. Pass nullptr to remove it.
  using CommitObserver =
      std::function<void(std::span<const Event> events, std::span<const Inserted> stored)>;
  void SetCommitObserver(CommitObserver observer);
  // Calls fn for every stored event in arrival order.
  Status ForEachEvent(const std::function<void(const Event&)>& fn) const;
  Result<uint64_t> CountEvents() const;

  // Replaces the stored membership of `audience` with `members` (duplicates ignored) and
  // returns who entered and who left, in one transaction: the membership and the change-log
  // rows are committed together or not at all. New members get entered_at = as_of_us.
  // Reset() keeps audiences (changes are relative to what was last committed).
  Result<AudienceChanges> UpdateAudience(std::string_view audience,
                                         std::span<const std::string> members, int64_t as_of_us);
  // The stored members of an audience, sorted by person id (empty when never updated).
  Result<std::vector<AudienceMember>> LoadAudience(std::string_view audience) const;
  // Change-log rows with seq > after_seq, in seq order, at most `limit` of them.
  Result<std::vector<AudienceChange>> AudienceChangesSince(uint64_t after_seq,
                                                           size_t limit = 10000) const;
  // Events with seq > after_seq in arrival order, at most `limit`; fn gets each with its seq.
  Status ForEachEventAfter(uint64_t after_seq, size_t limit,
                           const std::function<void(uint64_t seq, const Event&)>& fn) const;
  // How many stored events have seq <= `seq`: the arrival index just after that event.
  Result<uint64_t> CountEventsUpTo(uint64_t seq) const;

  // The e-mail address book (IdentityOptions::keep_email_addresses): sha256 -> address.
  Status RememberEmailAddresses(std::span<const std::pair<std::string, std::string>> addresses);
  Result<std::vector<std::pair<std::string, std::string>>> LoadEmailAddresses() const;

  // ---- delivery to connectors (docs/delivery.md) ----
  // The committed position of a connector's position stream (0 before its first batch).
  Result<uint64_t> LoadDeliveryPosition(std::string_view connector, std::string_view stream) const;
  // key -> digest of every record of `type` the connector has accepted.
  Result<std::vector<std::pair<std::string, uint64_t>>> LoadDeliveredDigests(
      std::string_view connector, std::string_view type) const;
  Status CommitDelivery(const DeliveryCommit& commit);
  // Dead letters with id > after_id (of one connector, or all when empty), oldest first.
  Result<std::vector<DeadLetter>> LoadDeadLetters(std::string_view connector, uint64_t after_id,
                                                  size_t limit) const;
  Result<uint64_t> CountDeadLetters(std::string_view connector) const;

  const std::string& path() const;

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace journeykit

// journeys.hpp — people stitched from identities, and each person's journey through the stages.
#pragma once

#include <journeykit/event_store.hpp>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

struct IdentityOptions {
  // Values that never identify anyone or link people (compared case-insensitively after
  // trimming). The defaults below are always blocked.
  std::vector<std::string> blocked_values;
  static const std::vector<std::string>& DefaultBlockedValues();
  // E-mail identities are stored as SHA-256 only. When true, the normalized addresses are
  // also kept (state store table email_addresses) for connectors that must address people by
  // e-mail (HubSpot by e-mail, Mailchimp tags); see docs/delivery.md.
  bool keep_email_addresses = false;
};

inline constexpr int64_t kNotReached = std::numeric_limits<int64_t>::min();
inline constexpr uint32_t kNoPerson = std::numeric_limits<uint32_t>::max();

// Union-find over identity values: identifiers seen together on one event are one person.
class IdentityGraph {
 public:
  IdentityGraph(const EventStore& store, const IdentityOptions& options);
  bool blocked(uint32_t identity_value) const;
  // Representative of the identity's cluster (kNoPerson for a blocked value).
  uint32_t Find(uint32_t identity_value);
  size_t merges() const { return merges_; }

 private:
  void Union(uint32_t a, uint32_t b);
  std::vector<uint32_t> parent_;
  std::vector<uint8_t> blocked_;
  size_t merges_ = 0;
};

// One person: an identity cluster (a view into a JourneySet).
struct Person {
  uint32_t index = 0;
  std::string_view id;                       // "p_" + 16 hex digits
  std::vector<std::string_view> identities;  // "kind:value", sorted
  uint32_t segments = 0;                     // bit i: model segment i
};

// One person's journey: their events in time order and when they entered each stage.
struct Journey {
  uint32_t person = 0;
  std::span<const uint32_t> events;    // indices into the EventStore
  std::vector<int64_t> stage_entries;  // per model stage: entry time (µs) or kNotReached
};

// All journeys of one EventStore: person i owns events events(i), sorted by time.
class JourneySet {
 public:
  static JourneySet Build(const EventStore& store, const IdentityOptions& options);

  const EventStore& store() const { return *store_; }
  size_t person_count() const { return person_ids_.size(); }
  size_t unidentified_events() const { return unidentified_events_; }
  size_t identity_merges() const { return identity_merges_; }

  const std::string& person_id(uint32_t p) const { return person_ids_[p]; }
  // Event indices of person p, ascending by (time, arrival order).
  std::span<const uint32_t> events(uint32_t p) const {
    return {event_index_.data() + event_offsets_[p], event_index_.data() + event_offsets_[p + 1]};
  }
  uint32_t person_of_event(size_t event) const { return person_of_event_[event]; }
  Person person(uint32_t p) const;
  Journey journey(uint32_t p) const;
  // "kind:value" strings of the person's identities, sorted.
  std::vector<std::string_view> identities(uint32_t p) const;
  // First time the person had an event in stage s, or kNotReached.
  int64_t stage_entry(uint32_t p, size_t s) const { return stage_entry_[p * stage_count_ + s]; }
  // Bit i set when the person belongs to model segment i.
  uint32_t segments(uint32_t p) const { return segments_[p]; }
  bool in_segment(uint32_t p, int segment) const {
    return segment < 0 || (segments_[p] >> segment & 1u) != 0;
  }

 private:
  const EventStore* store_ = nullptr;
  size_t stage_count_ = 0;
  std::vector<std::string> person_ids_;
  std::vector<uint32_t> event_offsets_;
  std::vector<uint32_t> event_index_;
  std::vector<uint32_t> person_of_event_;
  std::vector<uint32_t> identity_offsets_;
  std::vector<uint32_t> identity_values_;
  std::vector<int64_t> stage_entry_;
  std::vector<uint32_t> segments_;
  size_t unidentified_events_ = 0;
  size_t identity_merges_ = 0;
};

}  // namespace journeykit

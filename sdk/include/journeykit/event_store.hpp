// event_store.hpp — the in-memory columnar store of events that analyses read.
//
// Each event is a row of parallel arrays: time, source, action, touchpoint, stage and the
// segment rules it matched are resolved once, when the event is appended, against the
// model; strings are interned; identities live in one flat array indexed by offsets;
// rare numbers (value, rating, sentiment) live in sparse side tables, and so do the rare
// strings analyses need: the event's text (reviews, comments, replies) and its e-mail/marketing
// campaign (property "campaign", else hint "utm_campaign"), both interned; and two timings the
// pain point rules read: page load time (property "page_load_ms", else "page_load_s") and the
// delay of the business's reply to a review (property "reply_delay_s").
#pragma once

#include <journeykit/event.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/status.hpp>
#include <journeykit/string_pool.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace journeykit {

struct IdentityRef {
  uint32_t kind;   // id in strings()
  uint32_t value;  // id in strings() of the "kind:value" key
};

class EventStore {
 public:
  explicit EventStore(const JourneyModel& model);

  // Resolves touchpoint, stage and segment matches for `event` and appends it.
  void Append(const Event& event);
  void Reserve(size_t events);
  // Appends every event of `other` after this store's, in order — the store one gets by
  // appending other's events here one by one (same string ids, sources and columns), without
  // running the model's rules again. Lets several threads each fill a store from a part of the
  // input and merge them in input order. `other` must be over the same JourneyModel object.
  Status AppendStore(const EventStore& other);

  size_t size() const { return time_us_.size(); }
  const JourneyModel& model() const { return *model_; }
  const StringPool& strings() const { return strings_; }

  int64_t time_us(size_t i) const { return time_us_[i]; }
  uint16_t source(size_t i) const { return source_[i]; }
  uint32_t action(size_t i) const { return action_[i]; }
  uint16_t touchpoint(size_t i) const { return touchpoint_[i]; }
  uint8_t stage(size_t i) const { return stage_[i]; }
  uint32_t segment_matches(size_t i) const { return segment_matches_[i]; }
  std::span<const IdentityRef> identities(size_t i) const {
    return {identities_.data() + identity_offsets_[i],
            identities_.data() + identity_offsets_[i + 1]};
  }
  std::optional<double> value(size_t i) const { return Lookup(values_, i); }
  std::optional<double> rating(size_t i) const { return Lookup(ratings_, i); }
  std::optional<double> sentiment(size_t i) const { return Lookup(sentiments_, i); }
  // Page load time in seconds: property "page_load_ms" / 1000, else "page_load_s"; a value that
  // is not a finite number >= 0 is ignored.
  std::optional<double> page_load_s(size_t i) const { return Lookup(page_loads_, i); }
  // Seconds between a review and the business's reply: property "reply_delay_s" (same rule).
  std::optional<double> reply_delay_s(size_t i) const { return Lookup(reply_delays_, i); }
  // Whether any event has a page load time / a reply delay (analyses skip a scan without).
  bool has_page_loads() const { return !page_loads_.index.empty(); }
  bool has_reply_delays() const { return !reply_delays_.index.empty(); }
  // Interned text of the event ("" when it has none).
  std::string_view text(size_t i) const { return strings_.Get(LookupId(texts_, i)); }
  // Campaign of the event: property "campaign", else hint "utm_campaign" ("" when neither).
  std::string_view campaign(size_t i) const { return strings_.Get(LookupId(campaigns_, i)); }
  // The campaign as a string id in strings() (0, the empty string, when none).
  uint32_t campaign_id(size_t i) const { return LookupId(campaigns_, i); }

  std::string_view source_name(uint16_t id) const { return strings_.Get(source_names_[id]); }
  size_t source_count() const { return source_names_.size(); }
  std::string_view action_name(size_t i) const { return strings_.Get(action_[i]); }

  // Approximate bytes held by the columns and the string pool.
  size_t memory_bytes() const;

  // A snapshot: the columns and the strings in one binary file, so that a later run can start
  // from it instead of appending every stored event again. `tag` is the caller's description
  // of what the snapshot holds (the pipeline writes the model's fingerprint and the last
  // stored event); it comes back from ReadSnapshot. The file is written to path + ".tmp" and
  // renamed, so a crash leaves the previous snapshot or none, never a partial one.
  Status WriteSnapshot(const std::string& path, std::string_view tag) const;
  // Fills this store, which must be empty, from a snapshot written for the same model and
  // returns its tag. NotFound when there is no file; DataError when it is damaged, of another
  // format version, or inconsistent — the store is then left empty.
  Result<std::string> ReadSnapshot(const std::string& path);

 private:
  struct Sparse {
    std::vector<uint32_t> index;  // ascending event indices
    std::vector<double> value;
  };
  struct SparseIds {
    std::vector<uint32_t> index;  // ascending event indices
    std::vector<uint32_t> id;     // string ids in strings_
  };
  // Every sparse table, in one fixed order (merge, snapshot and memory count walk them all).
  std::array<Sparse*, 5> sparse_values() {
    return {&values_, &ratings_, &sentiments_, &page_loads_, &reply_delays_};
  }
  std::array<const Sparse*, 5> sparse_values() const {
    return {&values_, &ratings_, &sentiments_, &page_loads_, &reply_delays_};
  }
  std::array<SparseIds*, 2> sparse_ids() { return {&texts_, &campaigns_}; }
  std::array<const SparseIds*, 2> sparse_ids() const { return {&texts_, &campaigns_}; }
  static std::optional<double> Lookup(const Sparse& s, size_t i);
  static void Put(Sparse& s, size_t i, double v);
  static uint32_t LookupId(const SparseIds& s, size_t i);

  // The model's rules depend only on a few fields of an event (source, action, the hints and
  // properties the rules name, the "url" hint): their results are cached per distinct content
  // of those fields, so an event whose fields were seen before costs one hash lookup instead of
  // every rule's string comparisons. Exact: the cached value is what the rules returned.
  struct RuleMemo {
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    bool compiled = false;
    size_t touchpoints = 0, stages = 0, segments = 0;  // model sizes when compiled
    bool url = false;                                  // some rule tests url_contains
    std::vector<std::string> hint_keys;                // lower-cased hint keys the rules test
    std::vector<std::string> property_keys;            // lower-cased property keys
    std::string key;                                   // scratch
    std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> results;
  };
  void CompileRules();
  uint64_t EvaluateRules(const Event& event, uint16_t source_id, uint32_t action);

  const JourneyModel* model_;
  StringPool strings_;
  std::vector<uint32_t> source_names_;  // source id -> string id
  std::vector<int64_t> time_us_;
  std::vector<uint16_t> source_;
  std::vector<uint32_t> action_;
  std::vector<uint16_t> touchpoint_;
  std::vector<uint8_t> stage_;
  std::vector<uint32_t> segment_matches_;
  std::vector<uint32_t> identity_offsets_{0};
  std::vector<IdentityRef> identities_;
  Sparse values_, ratings_, sentiments_, page_loads_, reply_delays_;
  SparseIds texts_, campaigns_;
  RuleMemo rules_;
};

}  // namespace journeykit

// event_store.cpp — appending events to the columnar store.
#include <journeykit/event_store.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "internal/text_match.hpp"

namespace journeykit {

namespace {

// A property holding a finite number >= 0 (the whole string), or nullopt.
std::optional<double> NonNegativeNumber(const KeyValues& properties, std::string_view key) {
  const std::string* text = FindValue(properties, key);
  if (text == nullptr || text->empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(v) || v < 0) {
    return std::nullopt;
  }
  return v;
}

// Distinct rule inputs cached per store; beyond this (e.g. rules on unique URLs) the rules run
// per event again.
constexpr size_t kMaxCachedRuleInputs = size_t{1} << 16;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(internal::AsciiLower(static_cast<unsigned char>(c)));
  return out;
}

void AddKey(std::vector<std::string>& keys, std::string_view key) {
  std::string lower = Lower(key);
  if (std::find(keys.begin(), keys.end(), lower) == keys.end()) keys.push_back(std::move(lower));
}

template <typename T>
void AppendRaw(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void AppendField(std::string& out, char tag, uint32_t index, std::string_view value) {
  out.push_back(tag);
  AppendRaw(out, index);
  AppendRaw(out, static_cast<uint32_t>(value.size()));
  out.append(value);
}

// Appends the pairs whose key is one of `keys` (ignoring case), tagged with the key's index.
void AppendMatchingPairs(std::string& out, char tag, const std::vector<std::string>& keys,
                         const KeyValues& pairs) {
  if (keys.empty()) return;
  for (const auto& [k, v] : pairs) {
    for (size_t j = 0; j < keys.size(); ++j) {
      if (internal::EqualsIgnoreCase(k, keys[j])) {
        AppendField(out, tag, static_cast<uint32_t>(j), v);
        break;
      }
    }
  }
}

}  // namespace

EventStore::EventStore(const JourneyModel& model) : model_(&model) {}

void EventStore::Reserve(size_t events) {
  time_us_.reserve(events);
  source_.reserve(events);
  action_.reserve(events);
  touchpoint_.reserve(events);
  stage_.reserve(events);
  segment_matches_.reserve(events);
  identity_offsets_.reserve(events + 1);
}

void EventStore::Append(const Event& event) {
  const auto index = static_cast<uint32_t>(time_us_.size());
  uint32_t source_string = strings_.Intern(event.source);
  auto it = std::find(source_names_.begin(), source_names_.end(), source_string);
  uint16_t source_id = 0;
  if (it == source_names_.end()) {
    source_id = static_cast<uint16_t>(source_names_.size());
    source_names_.push_back(source_string);
  } else {
    source_id = static_cast<uint16_t>(it - source_names_.begin());
  }
  const uint32_t action = strings_.Intern(event.action);
  const uint64_t rules = EvaluateRules(event, source_id, action);
  time_us_.push_back(event.time_us);
  source_.push_back(source_id);
  action_.push_back(action);
  touchpoint_.push_back(static_cast<uint16_t>(rules));
  stage_.push_back(static_cast<uint8_t>(rules >> 16));
  segment_matches_.push_back(static_cast<uint32_t>(rules >> 32));
  std::string key;
  for (const auto& [kind, value] : event.identities) {
    key.assign(kind);
    key.push_back(':');
    key.append(value);
    identities_.push_back(IdentityRef{strings_.Intern(kind), strings_.Intern(key)});
  }
  identity_offsets_.push_back(static_cast<uint32_t>(identities_.size()));
  if (event.value) Put(values_, index, *event.value);
  if (event.rating) Put(ratings_, index, *event.rating);
  if (event.sentiment) Put(sentiments_, index, *event.sentiment);
  if (!event.text.empty()) {
    texts_.index.push_back(index);
    texts_.id.push_back(strings_.Intern(event.text));
  }
  if (std::optional<double> ms = NonNegativeNumber(event.properties, "page_load_ms")) {
    Put(page_loads_, index, *ms / 1000.0);
  } else if (std::optional<double> sec = NonNegativeNumber(event.properties, "page_load_s")) {
    Put(page_loads_, index, *sec);
  }
  if (std::optional<double> d = NonNegativeNumber(event.properties, "reply_delay_s")) {
    Put(reply_delays_, index, *d);
  }
  const std::string* campaign = FindValue(event.properties, "campaign");
  if (campaign == nullptr || campaign->empty()) campaign = FindValue(event.hints, "utm_campaign");
  if (campaign != nullptr && !campaign->empty()) {
    campaigns_.index.push_back(index);
    campaigns_.id.push_back(strings_.Intern(*campaign));
  }
}

Status EventStore::AppendStore(const EventStore& other) {
  if (other.model_ != model_) {
    return InvalidArgument("event store: cannot append a store built over another model");
  }
  if (&other == this) return InvalidArgument("event store: cannot append a store to itself");
  const size_t base = size();
  if (base + other.size() > std::numeric_limits<uint32_t>::max()) {
    return InvalidArgument("event store: more than 2^32 events");
  }
  // Other's strings in id order are in the order its Append first saw them, so interning them
  // in that order gives the ids appending its events one by one would give.
  std::vector<uint32_t> ids(other.strings_.size());
  for (uint32_t id = 0; id < ids.size(); ++id) ids[id] = strings_.Intern(other.strings_.Get(id));
  std::vector<uint16_t> sources(other.source_names_.size());
  for (size_t s = 0; s < sources.size(); ++s) {
    const uint32_t name = ids[other.source_names_[s]];
    auto it = std::find(source_names_.begin(), source_names_.end(), name);
    sources[s] = static_cast<uint16_t>(it - source_names_.begin());
    if (it == source_names_.end()) source_names_.push_back(name);
  }
  Reserve(base + other.size());
  time_us_.insert(time_us_.end(), other.time_us_.begin(), other.time_us_.end());
  for (uint16_t s : other.source_) source_.push_back(sources[s]);
  for (uint32_t a : other.action_) action_.push_back(ids[a]);
  touchpoint_.insert(touchpoint_.end(), other.touchpoint_.begin(), other.touchpoint_.end());
  stage_.insert(stage_.end(), other.stage_.begin(), other.stage_.end());
  segment_matches_.insert(segment_matches_.end(), other.segment_matches_.begin(),
                          other.segment_matches_.end());
  const auto identity_base = static_cast<uint32_t>(identities_.size());
  for (size_t i = 1; i < other.identity_offsets_.size(); ++i) {
    identity_offsets_.push_back(identity_base + other.identity_offsets_[i]);
  }
  identities_.reserve(identities_.size() + other.identities_.size());
  for (const IdentityRef& r : other.identities_) {
    identities_.push_back(IdentityRef{ids[r.kind], ids[r.value]});
  }
  const auto shift = static_cast<uint32_t>(base);
  for (size_t t = 0; t < sparse_values().size(); ++t) {
    Sparse& to = *sparse_values()[t];
    const Sparse& from = *other.sparse_values()[t];
    for (uint32_t i : from.index) to.index.push_back(i + shift);
    to.value.insert(to.value.end(), from.value.begin(), from.value.end());
  }
  for (size_t t = 0; t < sparse_ids().size(); ++t) {
    SparseIds& to = *sparse_ids()[t];
    const SparseIds& from = *other.sparse_ids()[t];
    for (uint32_t i : from.index) to.index.push_back(i + shift);
    for (uint32_t id : from.id) to.id.push_back(ids[id]);
  }
  return Status::Ok();
}

void EventStore::CompileRules() {
  const JourneyModel& m = *model_;
  rules_ = RuleMemo();
  rules_.compiled = true;
  rules_.touchpoints = m.touchpoints().size();
  rules_.stages = m.stages().size();
  rules_.segments = m.segments().size();
  auto scan = [&](const Rule& rule) {
    for (const Condition& c : rule) {
      if (!c.url_contains.empty()) rules_.url = true;
      for (const auto& [key, values] : c.hints) AddKey(rules_.hint_keys, key);
      for (const auto& [key, values] : c.properties) AddKey(rules_.property_keys, key);
    }
  };
  for (const Touchpoint& t : m.touchpoints()) scan(t.when);
  for (const Stage& s : m.stages()) scan(s.when);
  for (const Segment& s : m.segments()) scan(s.when);
}

uint64_t EventStore::EvaluateRules(const Event& event, uint16_t source_id, uint32_t action) {
  const JourneyModel& m = *model_;
  if (!rules_.compiled || rules_.touchpoints != m.touchpoints().size() ||
      rules_.stages != m.stages().size() || rules_.segments != m.segments().size()) {
    CompileRules();  // first event, or definitions were added to the model since
  }
  // The key: everything the rules read of the event. Source and action are the store's ids of
  // the exact strings; hint and property values are copied (byte-exact, length-prefixed).
  std::string& key = rules_.key;
  key.clear();
  AppendRaw(key, source_id);
  AppendRaw(key, action);
  if (rules_.url) {
    const std::string* url = FindValue(event.hints, "url");
    if (url == nullptr) {
      key.push_back('-');
    } else {
      AppendField(key, 'U', 0, *url);
    }
  }
  AppendMatchingPairs(key, 'H', rules_.hint_keys, event.hints);
  AppendMatchingPairs(key, 'P', rules_.property_keys, event.properties);
  auto it = rules_.results.find(std::string_view(key));
  if (it != rules_.results.end()) return it->second;

  const uint16_t tp = m.ResolveTouchpoint(event);
  const uint8_t stage = m.AssignStage(event, tp);
  const uint32_t segments = m.SegmentMatches(event, tp);
  const uint64_t result = uint64_t{tp} | uint64_t{stage} << 16 | uint64_t{segments} << 32;
  if (rules_.results.size() < kMaxCachedRuleInputs) rules_.results.emplace(key, result);
  return result;
}

std::optional<double> EventStore::Lookup(const Sparse& s, size_t i) {
  auto it = std::lower_bound(s.index.begin(), s.index.end(), static_cast<uint32_t>(i));
  if (it == s.index.end() || *it != i) return std::nullopt;
  return s.value[static_cast<size_t>(it - s.index.begin())];
}

uint32_t EventStore::LookupId(const SparseIds& s, size_t i) {
  auto it = std::lower_bound(s.index.begin(), s.index.end(), static_cast<uint32_t>(i));
  if (it == s.index.end() || *it != i) return 0;
  return s.id[static_cast<size_t>(it - s.index.begin())];
}

void EventStore::Put(Sparse& s, size_t i, double v) {
  s.index.push_back(static_cast<uint32_t>(i));
  s.value.push_back(v);
}

size_t EventStore::memory_bytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  size_t total =
      bytes(time_us_) + bytes(source_) + bytes(action_) + bytes(touchpoint_) + bytes(stage_) +
      bytes(segment_matches_) + bytes(identity_offsets_) + bytes(identities_) +
      strings_.bytes_used() +
      rules_.results.size() * (rules_.key.capacity() + 2 * sizeof(void*) + sizeof(uint64_t));
  for (const Sparse* t : sparse_values()) total += bytes(t->index) + bytes(t->value);
  for (const SparseIds* t : sparse_ids()) total += bytes(t->index) + bytes(t->id);
  return total;
}

}  // namespace journeykit

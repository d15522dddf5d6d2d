// journeys.cpp — identity stitching (union-find) and per-person journeys.
#include <journeykit/journeys.hpp>

#include <journeykit/hashing.hpp>

#include <algorithm>
#include <cctype>
#include <numeric>

namespace journeykit {

namespace {

std::string NormalizeBlocked(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  std::string out(v);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const std::vector<std::string>& IdentityOptions::DefaultBlockedValues() {
  static const std::vector<std::string> kDefaults = {"",  "null", "undefined", "anonymous",
                                                     "0", "-1",   "none",      "(not set)"};
  return kDefaults;
}

IdentityGraph::IdentityGraph(const EventStore& store, const IdentityOptions& options) {
  const StringPool& strings = store.strings();
  parent_.resize(strings.size());
  std::iota(parent_.begin(), parent_.end(), 0u);
  blocked_.assign(strings.size(), 0);

  std::vector<std::string> blocked_values = IdentityOptions::DefaultBlockedValues();
  for (const std::string& v : options.blocked_values) blocked_values.push_back(NormalizeBlocked(v));
  std::sort(blocked_values.begin(), blocked_values.end());
  // An identity key is "kind:value"; the value decides whether it is blocked. E-mail values are
  // hashed by then, so blocked e-mail addresses are compared by their hash as well.
  std::vector<std::string> blocked_hashes;
  for (const std::string& v : blocked_values) {
    if (auto email = NormalizeEmail(v)) blocked_hashes.push_back(Sha256Hex(*email));
  }
  std::vector<uint8_t> seen(strings.size(), 0);
  for (size_t i = 0; i < store.size(); ++i) {
    for (const IdentityRef& ref : store.identities(i)) {
      if (seen[ref.value]) continue;
      seen[ref.value] = 1;
      std::string_view key = strings.Get(ref.value);
      std::string value = NormalizeBlocked(key.substr(key.find(':') + 1));
      bool is_blocked =
          std::binary_search(blocked_values.begin(), blocked_values.end(), value) ||
          std::find(blocked_hashes.begin(), blocked_hashes.end(), value) != blocked_hashes.end();
      blocked_[ref.value] = is_blocked ? 1 : 0;
    }
  }
  for (size_t i = 0; i < store.size(); ++i) {
    uint32_t first = kNoPerson;
    for (const IdentityRef& ref : store.identities(i)) {
      if (blocked_[ref.value]) continue;
      if (first == kNoPerson) {
        first = ref.value;
      } else {
        Union(first, ref.value);
      }
    }
  }
}

bool IdentityGraph::blocked(uint32_t identity_value) const { return blocked_[identity_value] != 0; }

uint32_t IdentityGraph::Find(uint32_t x) {
  if (blocked_[x]) return kNoPerson;
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];
    x = parent_[x];
  }
  return x;
}

void IdentityGraph::Union(uint32_t a, uint32_t b) {
  a = Find(a);
  b = Find(b);
  if (a == b) return;
  if (a > b) std::swap(a, b);
  parent_[b] = a;  // the smaller id is the root: deterministic for a given arrival order
  ++merges_;
}

JourneySet JourneySet::Build(const EventStore& store, const IdentityOptions& options) {
  JourneySet set;
  set.store_ = &store;
  const size_t n = store.size();
  const StringPool& strings = store.strings();
  IdentityGraph graph(store, options);
  set.identity_merges_ = graph.merges();

  // Person numbers in order of each cluster's first event: stable for a given input.
  std::vector<uint32_t> person_of_root(strings.size(), kNoPerson);
  set.person_of_event_.assign(n, kNoPerson);
  uint32_t persons = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t root = kNoPerson;
    for (const IdentityRef& ref : store.identities(i)) {
      root = graph.Find(ref.value);
      if (root != kNoPerson) break;
    }
    if (root == kNoPerson) {
      ++set.unidentified_events_;
      continue;
    }
    if (person_of_root[root] == kNoPerson) person_of_root[root] = persons++;
    set.person_of_event_[i] = person_of_root[root];
  }

  // Events per person (CSR), sorted by time; ties keep arrival order.
  set.event_offsets_.assign(persons + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    if (set.person_of_event_[i] != kNoPerson) ++set.event_offsets_[set.person_of_event_[i] + 1];
  }
  std::partial_sum(set.event_offsets_.begin(), set.event_offsets_.end(),
                   set.event_offsets_.begin());
  set.event_index_.resize(set.event_offsets_.back());
  {
    std::vector<uint32_t> cursor(set.event_offsets_.begin(), set.event_offsets_.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      uint32_t p = set.person_of_event_[i];
      if (p != kNoPerson) set.event_index_[cursor[p]++] = static_cast<uint32_t>(i);
    }
  }
  for (uint32_t p = 0; p < persons; ++p) {
    auto first = set.event_index_.begin() + set.event_offsets_[p];
    auto last = set.event_index_.begin() + set.event_offsets_[p + 1];
    std::stable_sort(first, last,
                     [&](uint32_t a, uint32_t b) { return store.time_us(a) < store.time_us(b); });
  }

  // Identities per person (unique, CSR).
  std::vector<std::vector<uint32_t>> ids(persons);
  {
    std::vector<uint8_t> seen(strings.size(), 0);
    for (size_t i = 0; i < n; ++i) {
      uint32_t p = set.person_of_event_[i];
      if (p == kNoPerson) continue;
      for (const IdentityRef& ref : store.identities(i)) {
        if (graph.blocked(ref.value) || seen[ref.value]) continue;
        seen[ref.value] = 1;
        ids[p].push_back(ref.value);
      }
    }
  }
  set.identity_offsets_.assign(1, 0);
  set.person_ids_.reserve(persons);
  for (uint32_t p = 0; p < persons; ++p) {
    std::sort(ids[p].begin(), ids[p].end(),
              [&](uint32_t a, uint32_t b) { return strings.Get(a) < strings.Get(b); });
    set.identity_values_.insert(set.identity_values_.end(), ids[p].begin(), ids[p].end());
    set.identity_offsets_.push_back(static_cast<uint32_t>(set.identity_values_.size()));
    // The id derives from the person's smallest identity: stable across runs unless new data
    // merges the person with another one.
    set.person_ids_.push_back("p_" + Sha256Hex(strings.Get(ids[p].front())).substr(0, 16));
  }

  // Stage entries and segment membership.
  const JourneyModel& model = store.model();
  set.stage_count_ = model.stages().size();
  set.stage_entry_.assign(static_cast<size_t>(persons) * set.stage_count_, kNotReached);
  set.segments_.assign(persons, 0);
  for (uint32_t p = 0; p < persons; ++p) {
    auto events = set.events(p);
    uint32_t any_mask = 0;
    for (uint32_t e : events) {
      uint8_t s = store.stage(e);
      if (s != kNoStage) {
        int64_t& entry = set.stage_entry_[p * set.stage_count_ + s];
        if (entry == kNotReached) entry = store.time_us(e);
      }
      any_mask |= store.segment_matches(e);
    }
    uint32_t first_mask = events.empty() ? 0 : store.segment_matches(events.front());
    uint32_t mask = 0;
    for (size_t g = 0; g < model.segments().size(); ++g) {
      uint32_t bit = 1u << g;
      uint32_t source = model.segments()[g].scope == SegmentScope::kFirst ? first_mask : any_mask;
      mask |= source & bit;
    }
    set.segments_[p] = mask;
  }
  return set;
}

Person JourneySet::person(uint32_t p) const {
  return Person{p, person_ids_[p], identities(p), segments_[p]};
}

Journey JourneySet::journey(uint32_t p) const {
  Journey j;
  j.person = p;
  j.events = events(p);
  j.stage_entries.assign(stage_entry_.begin() + static_cast<ptrdiff_t>(p * stage_count_),
                         stage_entry_.begin() + static_cast<ptrdiff_t>((p + 1) * stage_count_));
  return j;
}

std::vector<std::string_view> JourneySet::identities(uint32_t p) const {
  std::vector<std::string_view> out;
  for (uint32_t i = identity_offsets_[p]; i < identity_offsets_[p + 1]; ++i) {
    out.push_back(store_->strings().Get(identity_values_[i]));
  }
  return out;
}

}  // namespace journeykit

// journeys.cpp — identity stitching (union-find) and per-person journeys.
#include <journeykit/journeys.hpp>

#include <journeykit/hashing.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <numeric>

#include "internal/text_match.hpp"

namespace journeykit {

namespace {

std::string NormalizeBlocked(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  std::string out(v);
  for (char& c : out) c = static_cast<char>(internal::AsciiLower(static_cast<unsigned char>(c)));
  return out;
}

// Person ids: "p_" + the first 16 hex digits of SHA-256 (docs/metrics.md), the same digest as
// Sha256Hex, computed with one fetched algorithm and one reused context instead of a fetch and
// a context per person.
class PersonIdHasher {
 public:
  PersonIdHasher()
      : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free),
        ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {}
  std::string Id(std::string_view identity) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (md_ == nullptr || ctx_ == nullptr ||
        EVP_DigestInit_ex(ctx_.get(), md_.get(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx_.get(), identity.data(), identity.size()) != 1 ||
        EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length) != 1 || length < 8) {
      return "p_" + Sha256Hex(identity).substr(0, 16);  // the reference path
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(18, '\0');
    out[0] = 'p';
    out[1] = '_';
    for (size_t i = 0; i < 8; ++i) {
      out[2 + 2 * i] = kHex[digest[i] >> 4];
      out[3 + 2 * i] = kHex[digest[i] & 0xF];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// Sorts one person's event indices by time, keeping arrival order on ties (as stable_sort
// does). Most journeys arrive in time order and are short: check, then insertion-sort, and
// fall back to stable_sort (which allocates a buffer per call) only for long unsorted ones.
template <typename Time>
void SortByTime(std::vector<uint32_t>::iterator first, std::vector<uint32_t>::iterator last,
                const Time& time) {
  auto less = [&](uint32_t a, uint32_t b) { return time(a) < time(b); };
  if (std::is_sorted(first, last, less)) return;
  if (last - first > 32) {
    std::stable_sort(first, last, less);
    return;
  }
  for (auto i = first + 1; i < last; ++i) {
    uint32_t v = *i;
    auto j = i;
    for (; j > first && less(v, *(j - 1)); --j) *j = *(j - 1);
    *j = v;
  }
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
    SortByTime(first, last, [&](uint32_t e) { return store.time_us(e); });
  }

  // Identities per person (unique, CSR): count, place, then sort each person's slice.
  {
    std::vector<uint32_t> first_person(strings.size(), kNoPerson);  // identity -> its person
    set.identity_offsets_.assign(persons + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      uint32_t p = set.person_of_event_[i];
      if (p == kNoPerson) continue;
      for (const IdentityRef& ref : store.identities(i)) {
        if (graph.blocked(ref.value) || first_person[ref.value] != kNoPerson) continue;
        first_person[ref.value] = p;
        ++set.identity_offsets_[p + 1];
      }
    }
    std::partial_sum(set.identity_offsets_.begin(), set.identity_offsets_.end(),
                     set.identity_offsets_.begin());
    set.identity_values_.resize(set.identity_offsets_.back());
    std::vector<uint32_t> cursor(set.identity_offsets_.begin(), set.identity_offsets_.end() - 1);
    // Arrival order of first sight, as before, so that the sort below sees the same input.
    std::fill(first_person.begin(), first_person.end(), kNoPerson);
    for (size_t i = 0; i < n; ++i) {
      uint32_t p = set.person_of_event_[i];
      if (p == kNoPerson) continue;
      for (const IdentityRef& ref : store.identities(i)) {
        if (graph.blocked(ref.value) || first_person[ref.value] != kNoPerson) continue;
        first_person[ref.value] = p;
        set.identity_values_[cursor[p]++] = ref.value;
      }
    }
  }
  set.person_ids_.reserve(persons);
  PersonIdHasher hasher;
  for (uint32_t p = 0; p < persons; ++p) {
    auto first = set.identity_values_.begin() + set.identity_offsets_[p];
    auto last = set.identity_values_.begin() + set.identity_offsets_[p + 1];
    if (last - first > 1) {
      std::sort(first, last,
                [&](uint32_t a, uint32_t b) { return strings.Get(a) < strings.Get(b); });
    }
    // The id derives from the person's smallest identity: stable across runs unless new data
    // merges the person with another one.
    set.person_ids_.push_back(hasher.Id(strings.Get(*first)));
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

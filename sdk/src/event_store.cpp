// event_store.cpp — appending events to the columnar store.
#include <journeykit/event_store.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

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
  uint16_t tp = model_->ResolveTouchpoint(event);
  time_us_.push_back(event.time_us);
  source_.push_back(source_id);
  action_.push_back(strings_.Intern(event.action));
  touchpoint_.push_back(tp);
  stage_.push_back(model_->AssignStage(event, tp));
  segment_matches_.push_back(model_->SegmentMatches(event, tp));
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
  return bytes(time_us_) + bytes(source_) + bytes(action_) + bytes(touchpoint_) + bytes(stage_) +
         bytes(segment_matches_) + bytes(identity_offsets_) + bytes(identities_) +
         bytes(values_.index) + bytes(values_.value) + bytes(ratings_.index) +
         bytes(ratings_.value) + bytes(sentiments_.index) + bytes(sentiments_.value) +
         bytes(texts_.index) + bytes(texts_.id) + bytes(campaigns_.index) + bytes(campaigns_.id) +
         bytes(page_loads_.index) + bytes(page_loads_.value) + bytes(reply_delays_.index) +
         bytes(reply_delays_.value) + strings_.bytes_used();
}

}  // namespace journeykit

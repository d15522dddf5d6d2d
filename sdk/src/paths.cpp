// paths.cpp — transitions, top paths and the next step after dropping off at a stage
// (docs/metrics.md, "Paths and transitions").
#include <journeykit/paths.hpp>

#include <algorithm>
#include <unordered_map>

namespace journeykit {

namespace {

constexpr uint32_t kTruncatedNode = std::numeric_limits<uint32_t>::max();

void SegmentNames(const JourneyModel& model, int segment, std::string* id, std::string* name) {
  if (segment < 0) {
    *id = "all";
    if (name != nullptr) *name = "Everyone";
  } else {
    *id = model.segments()[static_cast<size_t>(segment)].id;
    if (name != nullptr) *name = model.segments()[static_cast<size_t>(segment)].name;
  }
}

Status CheckSegment(const JourneyModel& model, int segment, std::string_view what) {
  if (segment < -1 || segment >= static_cast<int>(model.segments().size())) {
    return InvalidArgument(std::string(what) + ": segment: no segment with index " +
                           std::to_string(segment));
  }
  return Status::Ok();
}

std::vector<std::string> SourceNames(const EventStore& store, const std::vector<uint8_t>& seen) {
  std::vector<std::string> out;
  for (size_t i = 0; i < seen.size(); ++i) {
    if (seen[i]) out.emplace_back(store.source_name(static_cast<uint16_t>(i)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<Paths> ComputePaths(const JourneySet& journeys, const PathOptions& options) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  JK_RETURN_IF_ERROR(CheckSegment(model, options.segment, "paths"));
  if (options.from_us >= options.to_us) {
    return InvalidArgument("paths: period: from_us must be before to_us");
  }
  const bool by_stage = options.node == PathNode::kStage;
  const size_t node_count = by_stage ? model.stages().size() : model.touchpoints().size();
  auto node_id = [&](uint32_t node) -> const std::string& {
    return by_stage ? model.stages()[node].id : model.touchpoints()[node].id;
  };
  auto find_node = [&](const std::string& id, uint32_t* out) -> Status {
    for (uint32_t i = 0; i < node_count; ++i) {
      if (node_id(i) == id) {
        *out = i;
        return Status::Ok();
      }
    }
    return InvalidArgument(std::string("paths: '") + id + "' is not a " +
                           (by_stage ? "stage" : "touchpoint") + " of the model");
  };
  uint32_t start_node = kTruncatedNode;
  uint32_t end_node = kTruncatedNode;
  if (!options.start_at.empty()) JK_RETURN_IF_ERROR(find_node(options.start_at, &start_node));
  if (!options.end_at.empty()) JK_RETURN_IF_ERROR(find_node(options.end_at, &end_node));

  Paths out;
  out.node = options.node;
  SegmentNames(model, options.segment, &out.segment_id, &out.segment_name);
  std::vector<uint8_t> source_seen(store.source_count(), 0);
  // Transition codes: 0 "(start)", 1 + node, node_count + 1 "(end)".
  const uint64_t start_code = 0;
  const uint64_t end_code = node_count + 1;
  std::unordered_map<uint64_t, uint64_t> transitions;
  std::unordered_map<std::string, uint64_t> path_people;
  std::vector<uint32_t> seq;
  std::string key;
  auto add_transition = [&](uint64_t from, uint64_t to) { ++transitions[from << 32 | to]; };

  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, options.segment)) continue;
    ++out.people;
    seq.clear();
    for (uint32_t e : journeys.events(p)) {
      const int64_t t = store.time_us(e);
      if (t < options.from_us) continue;
      if (t >= options.to_us) break;  // sorted by time
      ++out.events;
      source_seen[store.source(e)] = 1;
      uint32_t node = 0;
      if (by_stage) {
        if (store.stage(e) == kNoStage) continue;
        node = store.stage(e);
      } else {
        node = store.touchpoint(e);
        if (options.skip_unknown_touchpoint && node == kUnknownTouchpoint) continue;
      }
      if (options.collapse_repeats && !seq.empty() && seq.back() == node) continue;
      seq.push_back(node);
    }
    // The sub-path [first, last].
    size_t first = 0;
    size_t last = seq.size();  // exclusive
    if (start_node != kTruncatedNode) {
      first = static_cast<size_t>(std::find(seq.begin(), seq.end(), start_node) - seq.begin());
    }
    if (end_node != kTruncatedNode && first < seq.size()) {
      auto it = std::find(seq.rbegin(), seq.rend() - static_cast<std::ptrdiff_t>(first), end_node);
      last = it == seq.rend() - static_cast<std::ptrdiff_t>(first)
                 ? first
                 : static_cast<size_t>(seq.rend() - it);
    }
    if (first >= last) {
      ++out.people_without_path;
      continue;
    }
    ++out.people_with_path;
    if (options.start_end_nodes) add_transition(start_code, uint64_t{seq[first]} + 1);
    for (size_t i = first + 1; i < last; ++i) {
      add_transition(uint64_t{seq[i - 1]} + 1, uint64_t{seq[i]} + 1);
    }
    if (options.start_end_nodes) add_transition(uint64_t{seq[last - 1]} + 1, end_code);
    key.clear();
    size_t len = last - first;
    bool truncated = options.max_nodes > 0 && len > options.max_nodes;
    if (truncated) len = options.max_nodes;
    auto append = [&](uint32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
    for (size_t i = first; i < first + len; ++i) append(seq[i]);
    if (truncated) append(kTruncatedNode);
    auto it = path_people.find(key);
    if (it == path_people.end()) {
      path_people.emplace(key, 1);
    } else {
      ++it->second;
    }
  }

  // Transitions, row-normalized.
  std::vector<uint64_t> row_total(node_count + 2, 0);
  for (const auto& [code, count] : transitions) row_total[code >> 32] += count;
  auto code_name = [&](uint64_t code) -> std::string {
    if (code == start_code) return std::string(kPathStart);
    if (code == end_code) return std::string(kPathEnd);
    return node_id(static_cast<uint32_t>(code - 1));
  };
  std::vector<std::pair<uint64_t, uint64_t>> sorted(transitions.begin(), transitions.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    uint64_t af = a.first >> 32, bf = b.first >> 32;
    if (af != bf) return af < bf;
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;
  });
  out.transitions.reserve(sorted.size());
  for (const auto& [code, count] : sorted) {
    PathTransition tr;
    tr.from = code_name(code >> 32);
    tr.to = code_name(code & 0xFFFFFFFFu);
    tr.count = count;
    tr.probability = static_cast<double>(count) / static_cast<double>(row_total[code >> 32]);
    out.transitions.push_back(std::move(tr));
  }

  // Top paths and the "other" bucket.
  std::vector<PathCount> paths;
  paths.reserve(path_people.size());
  for (const auto& [k, people] : path_people) {
    PathCount pc;
    pc.people = people;
    for (size_t i = 0; i + sizeof(uint32_t) <= k.size(); i += sizeof(uint32_t)) {
      uint32_t v = 0;
      std::copy_n(k.data() + i, sizeof v, reinterpret_cast<char*>(&v));
      pc.nodes.push_back(v == kTruncatedNode ? std::string(kPathTruncated) : node_id(v));
      if (!pc.label.empty()) pc.label += " > ";
      pc.label += pc.nodes.back();
    }
    paths.push_back(std::move(pc));
  }
  std::sort(paths.begin(), paths.end(), [](const PathCount& a, const PathCount& b) {
    if (a.people != b.people) return a.people > b.people;
    return a.label < b.label;
  });
  const double people = static_cast<double>(out.people);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i < options.top_n) {
      paths[i].share = static_cast<double>(paths[i].people) / people;
      out.top.push_back(std::move(paths[i]));
    } else {
      out.other_people += paths[i].people;
      ++out.other_paths;
    }
  }
  if (out.people > 0) {
    out.other_share = static_cast<double>(out.other_people) / people;
    out.without_path_share = static_cast<double>(out.people_without_path) / people;
  }
  out.sources = SourceNames(store, source_seen);
  return out;
}

Result<DropOffNext> ComputeDropOffNext(const JourneySet& journeys, std::string_view stage_id,
                                       int segment) {
  DropOffNextOptions options;
  options.segment = segment;
  return ComputeDropOffNext(journeys, stage_id, options);
}

Result<DropOffNext> ComputeDropOffNext(const JourneySet& journeys, std::string_view stage_id,
                                       const DropOffNextOptions& options) {
  const JourneyModel& model = journeys.store().model();
  const size_t stages = model.stages().size();
  size_t s = stages;
  for (size_t i = 0; i < stages; ++i) {
    if (model.stages()[i].id == stage_id) s = i;
  }
  if (s == stages) {
    return InvalidArgument("drop-off next step: '" + std::string(stage_id) +
                           "' is not a stage of the model");
  }
  std::vector<bool> wanted(stages, false);
  wanted[s] = true;
  JK_ASSIGN_OR_RETURN(std::vector<DropOffNext> all,
                      ComputeDropOffNextByStage(journeys, wanted, options));
  return std::move(all[s]);
}

Result<std::vector<DropOffNext>> ComputeDropOffNextByStage(const JourneySet& journeys,
                                                           const std::vector<bool>& wanted,
                                                           const DropOffNextOptions& options) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const int segment = options.segment;
  JK_RETURN_IF_ERROR(CheckSegment(model, segment, "drop-off next step"));
  if (options.from_us >= options.to_us) {
    return InvalidArgument("drop-off next step: the period is empty (from is not before to)");
  }
  const size_t stages = model.stages().size();
  if (wanted.size() != stages) {
    return InvalidArgument("drop-off next step: " + std::to_string(wanted.size()) +
                           " stage flags for a model of " + std::to_string(stages) + " stages");
  }
  // One pass over the people for every wanted stage: the per-stage tallies.
  struct Tally {
    DropOffNext out;
    std::vector<uint64_t> by_touchpoint;
    std::unordered_map<uint32_t, uint64_t> by_action;
    std::vector<uint8_t> source_seen;
  };
  std::vector<Tally> tallies(stages);
  for (size_t s = 0; s < stages; ++s) {
    Tally& t = tallies[s];
    t.out.stage_id = model.stages()[s].id;
    SegmentNames(model, segment, &t.out.segment_id, nullptr);
    if (!wanted[s]) continue;
    t.by_touchpoint.assign(model.touchpoints().size(), 0);
    t.source_seen.assign(store.source_count(), 0);
  }
  std::vector<uint32_t> events;  // the person's events inside the period
  std::vector<int64_t> entries(stages);
  uint64_t people = 0;

  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, segment)) continue;
    events.clear();
    std::fill(entries.begin(), entries.end(), kNotReached);
    for (uint32_t e : journeys.events(p)) {
      const int64_t t = store.time_us(e);
      if (t < options.from_us || t >= options.to_us) continue;
      events.push_back(e);
      const uint8_t st = store.stage(e);
      if (st != kNoStage && entries[st] == kNotReached) entries[st] = t;
    }
    if (events.empty()) continue;
    ++people;
    for (size_t s = 0; s < stages; ++s) {
      if (!wanted[s]) continue;
      const int64_t entry = entries[s];
      if (entry == kNotReached) continue;
      Tally& tally = tallies[s];
      DropOffNext& out = tally.out;
      ++out.reached;
      bool progressed = false;
      for (size_t later = s + 1; later < stages && !progressed; ++later) {
        progressed = entries[later] != kNotReached && entries[later] >= entry;
      }
      if (progressed) continue;
      ++out.dropped;
      out.events += events.size();
      for (uint32_t e : events) tally.source_seen[store.source(e)] = 1;
      // The person's last event assigned to the stage, then the first later event at another
      // touchpoint (a further page view of the same page is not "what they did next").
      size_t last = events.size();
      for (size_t i = events.size(); i-- > 0;) {
        if (store.stage(events[i]) == s) {
          last = i;
          break;
        }
      }
      const uint16_t here = store.touchpoint(events[last]);
      size_t next = last + 1;
      while (next < events.size() && store.touchpoint(events[next]) == here) ++next;
      if (next >= events.size()) {
        ++out.nothing;
        continue;
      }
      ++tally.by_touchpoint[store.touchpoint(events[next])];
      ++tally.by_action[store.action(events[next])];
    }
  }

  std::vector<DropOffNext> result(stages);
  for (size_t s = 0; s < stages; ++s) {
    Tally& tally = tallies[s];
    DropOffNext& out = tally.out;
    out.people = people;
    if (!wanted[s]) {
      result[s] = std::move(out);
      continue;
    }
    const double dropped = static_cast<double>(out.dropped);
    auto finish = [&](std::vector<NextStepCount>& list) {
      std::sort(list.begin(), list.end(), [](const NextStepCount& a, const NextStepCount& b) {
        if (a.people != b.people) return a.people > b.people;
        return a.id < b.id;
      });
      for (NextStepCount& c : list) c.share = static_cast<double>(c.people) / dropped;
    };
    for (size_t t = 0; t < tally.by_touchpoint.size(); ++t) {
      if (tally.by_touchpoint[t] > 0) {
        out.next_touchpoints.push_back({model.touchpoints()[t].id, tally.by_touchpoint[t], 0});
      }
    }
    for (const auto& [action, count] : tally.by_action) {
      out.next_actions.push_back({std::string(store.strings().Get(action)), count, 0});
    }
    finish(out.next_touchpoints);
    finish(out.next_actions);
    if (out.dropped > 0) out.nothing_share = static_cast<double>(out.nothing) / dropped;
    out.sources = SourceNames(store, tally.source_seen);
    result[s] = std::move(out);
  }
  return result;
}

}  // namespace journeykit

// stage_funnel.cpp — the stage funnel analysis.
#include <journeykit/stage_funnel.hpp>

#include <algorithm>

namespace journeykit {

std::optional<double> Median(std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid - 1] + values[mid]) / 2.0;
}

StageFunnel ComputeStageFunnel(const JourneySet& journeys, int segment) {
  StageFunnelOptions options;
  options.segment = segment;
  return ComputeStageFunnel(journeys, options);
}

StageFunnel ComputeStageFunnel(const JourneySet& journeys, const StageFunnelOptions& options) {
  const int segment = options.segment;
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  const size_t stages = model.stages().size();
  StageFunnel funnel;
  if (segment < 0) {
    funnel.segment_id = "all";
    funnel.segment_name = "Everyone";
  } else {
    funnel.segment_id = model.segments()[static_cast<size_t>(segment)].id;
    funnel.segment_name = model.segments()[static_cast<size_t>(segment)].name;
  }
  funnel.rows.resize(stages);
  std::vector<std::vector<double>> times(stages);
  std::vector<uint8_t> source_seen(store.source_count(), 0);
  // Stage entries inside the period: the first event assigned to each stage.
  std::vector<int64_t> entries(stages);

  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, segment)) continue;
    std::fill(entries.begin(), entries.end(), kNotReached);
    bool any = false;
    for (uint32_t e : journeys.events(p)) {
      const int64_t t = store.time_us(e);
      if (t < options.from_us || t >= options.to_us) continue;
      any = true;
      ++funnel.events;
      source_seen[store.source(e)] = 1;
      const uint8_t st = store.stage(e);
      if (st == kNoStage) continue;
      ++funnel.rows[st].events;
      if (entries[st] == kNotReached) entries[st] = t;
    }
    if (!any) continue;
    ++funnel.people;
    bool goal = false;
    for (size_t s = 0; s < stages; ++s) {
      int64_t entry = entries[s];
      if (entry == kNotReached) continue;
      StageFunnelRow& row = funnel.rows[s];
      ++row.reached;
      goal = goal || model.stages()[s].goal;
      int64_t next = kNotReached;
      for (size_t later = s + 1; later < stages; ++later) {
        int64_t t = entries[later];
        if (t != kNotReached && t >= entry && (next == kNotReached || t < next)) next = t;
      }
      if (next != kNotReached) {
        ++row.progressed;
        times[s].push_back(static_cast<double>(next - entry) / 1e6);
      }
    }
    if (goal) ++funnel.people_reaching_goal;
  }
  for (size_t s = 0; s < stages; ++s) {
    StageFunnelRow& row = funnel.rows[s];
    row.stage_id = model.stages()[s].id;
    row.stage_name = model.stages()[s].name;
    row.goal = model.stages()[s].goal;
    row.dropped = row.reached - row.progressed;
    if (s + 1 < stages && row.reached > 0) {
      row.conversion_rate = static_cast<double>(row.progressed) / static_cast<double>(row.reached);
      row.drop_off_rate = 1.0 - *row.conversion_rate;
    } else if (s + 1 == stages) {
      row.dropped = 0;  // the last stage has nowhere to go: nobody drops off from it
    }
    row.median_time_to_next_s = Median(times[s]);
  }
  if (funnel.people > 0) {
    funnel.goal_conversion_rate =
        static_cast<double>(funnel.people_reaching_goal) / static_cast<double>(funnel.people);
  }
  for (size_t i = 0; i < source_seen.size(); ++i) {
    if (source_seen[i]) funnel.sources.emplace_back(store.source_name(static_cast<uint16_t>(i)));
  }
  std::sort(funnel.sources.begin(), funnel.sources.end());
  return funnel;
}

}  // namespace journeykit

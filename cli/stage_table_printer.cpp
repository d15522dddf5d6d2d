// stage_table_printer.cpp — fixed-width text rendering of a StageFunnel.
#include "stage_table_printer.hpp"

#include <journeykit/time_units.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace journeykit::cli {

std::string FormatStageTable(const StageFunnel& f) {
  std::string out;
  out += fmt::format(
      "Segment: {} ({}) — {} people, {} events; sources: {}\n", f.segment_name, f.segment_id,
      f.people, f.events,
      f.sources.empty() ? std::string("none") : fmt::format("{}", fmt::join(f.sources, ", ")));
  size_t name_width = 5;
  for (const auto& r : f.rows)
    name_width = std::max(name_width, r.stage_name.size() + (r.goal ? 2 : 0));
  out += fmt::format("  {:<{}}  {:>8}  {:>8}  {:>7}  {:>8}  {:>10}  {:>8}\n", "Stage", name_width,
                     "Reached", "Onward", "Conv.", "Dropped", "Median →", "Events");
  for (const auto& r : f.rows) {
    std::string name = r.stage_name + (r.goal ? " *" : "");
    std::string conv = r.conversion_rate ? fmt::format("{:.1f}%", *r.conversion_rate * 100) : "–";
    std::string median = r.median_time_to_next_s ? HumanDuration(*r.median_time_to_next_s) : "–";
    std::string onward = r.conversion_rate ? fmt::format("{}", r.progressed) : "–";
    std::string dropped = r.conversion_rate ? fmt::format("{}", r.dropped) : "–";
    out += fmt::format("  {:<{}}  {:>8}  {:>8}  {:>7}  {:>8}  {:>10}  {:>8}\n", name, name_width,
                       r.reached, onward, conv, dropped, median, r.events);
  }
  if (f.goal_conversion_rate) {
    out += fmt::format("  Reached a goal stage (*): {} of {} people ({:.1f}%)\n",
                       f.people_reaching_goal, f.people, *f.goal_conversion_rate * 100);
  }
  if (f.people > 0 && f.people < 30) {
    out += fmt::format("  Note: only {} people in this segment — treat rates as indicative.\n",
                       f.people);
  }
  return out;
}

}  // namespace journeykit::cli

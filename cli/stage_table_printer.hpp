// stage_table_printer.hpp — the stage funnel as a text table for the terminal.
#pragma once

#include <journeykit/stage_funnel.hpp>

#include <string>

namespace journeykit::cli {

// "2.3 d", "5.1 h", "12 min", "40 s"
std::string HumanDuration(double seconds);
std::string FormatStageTable(const StageFunnel& funnel);

}  // namespace journeykit::cli

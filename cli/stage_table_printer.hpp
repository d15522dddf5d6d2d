// stage_table_printer.hpp — the stage funnel as a text table for the terminal.
#pragma once

#include <journeykit/stage_funnel.hpp>

#include <string>

namespace journeykit::cli {

std::string FormatStageTable(const StageFunnel& funnel);

}  // namespace journeykit::cli

// plugin_entry.cpp — exports the files connector.
#include "files_connector.hpp"

namespace {

const jk_config_field kFilesConfig[] = {
    {"directory", JK_CONFIG_STRING, 1, 0, nullptr,
     "Folder the files are written to (relative paths resolve against the pipeline file)"},
    {"events_file", JK_CONFIG_STRING, 0, 0, "\"events.ndjson\"",
     "File name of the enriched events (NDJSON)"},
    {"journeys_file", JK_CONFIG_STRING, 0, 0, "\"journeys.ndjson\"",
     "File name of the journey summaries (NDJSON)"},
    {"stage_table_file", JK_CONFIG_STRING, 0, 0, "\"stage_table.csv\"",
     "File name of the stage table (CSV)"},
    {"journey_maps_file", JK_CONFIG_STRING, 0, 0, "\"journey_maps.ndjson\"",
     "File name of the journey maps, one JSON object per segment (NDJSON)"},
};

}  // namespace

JOURNEYKIT_CONNECTOR_PLUGIN(journeykit::connectors::FilesConnector, "files", "0.1.0",
                            "Writes enriched events and journeys as NDJSON and the stage table "
                            "as CSV",
                            kFilesConfig)

// plugin_entry.cpp — exports EventsFileSource as the "events-file" plugin.
#include "events_file_options.hpp"
#include "events_file_source.hpp"

JOURNEYKIT_SOURCE_PLUGIN(journeykit::events_file::EventsFileSource, "events-file", "0.1.0",
                         "Events from NDJSON and CSV files (plain or .gz), read incrementally",
                         journeykit::events_file::kConfigFields)

// plugin_entry.cpp — exports Ga4ExportSource as the "ga4-export" plugin.
#include "ga4_export_source.hpp"

JOURNEYKIT_SOURCE_PLUGIN(journeykit::ga4_export::Ga4ExportSource, "ga4-export", "0.1.0",
                         "GA4 BigQuery export rows (NDJSON, plain or .gz) as events",
                         journeykit::ga4_export::kConfigFields)

// plugin_entry.cpp — exports MatomoSource as the "matomo" plugin.
#include "matomo_source.hpp"

JOURNEYKIT_SOURCE_PLUGIN(journeykit::matomo::MatomoSource, "matomo", "0.1.0",
                         "Matomo visits and their actions (Live.getLastVisitsDetails) as events",
                         journeykit::matomo::kConfigFields)

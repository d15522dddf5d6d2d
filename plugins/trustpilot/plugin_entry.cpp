// plugin_entry.cpp — exports TrustpilotSource as the "trustpilot" plugin.
#include "trustpilot_source.hpp"

JOURNEYKIT_SOURCE_PLUGIN(journeykit::trustpilot::TrustpilotSource, "trustpilot", "0.1.0",
                         "Trustpilot business-unit reviews as events",
                         journeykit::trustpilot::kConfigFields)

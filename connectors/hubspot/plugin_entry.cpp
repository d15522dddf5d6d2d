// plugin_entry.cpp — exports HubSpotConnector as the "hubspot" plugin.
#include "hubspot_connector.hpp"

JOURNEYKIT_CONNECTOR_PLUGIN(journeykit::hubspot::HubSpotConnector, "hubspot", "0.1.0",
                            "Upserts each person's journey (stage, segments, NPS, channels) onto "
                            "HubSpot CRM contacts by e-mail or e-mail hash (CRM v3 batch upsert)",
                            journeykit::hubspot::kConfigFields)

// plugin_entry.cpp — exports WebhookConnector as the "webhook" plugin.
#include "webhook_connector.hpp"

JOURNEYKIT_CONNECTOR_PLUGIN(journeykit::webhook::WebhookConnector, "webhook", "0.1.0",
                            "POSTs records as JSON batches signed with HMAC-SHA256 "
                            "(X-JourneyKit-Signature) to a URL",
                            journeykit::webhook::kConfigFields)

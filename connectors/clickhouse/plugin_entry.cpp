// plugin_entry.cpp — exports ClickHouseConnector as the "clickhouse" plugin.
#include "clickhouse_connector.hpp"

JOURNEYKIT_CONNECTOR_PLUGIN(journeykit::clickhouse::ClickHouseConnector, "clickhouse", "0.1.0",
                            "Writes events, journeys, stage changes and audience changes into "
                            "ClickHouse tables (HTTP interface, JSONEachRow, ReplacingMergeTree)",
                            journeykit::clickhouse::kConfigFields)

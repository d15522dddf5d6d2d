// hubspot_contacts.hpp — journey records → HubSpot contact upsert inputs and request bodies.
#pragma once

#include <journeykit/plugin_abi.h>

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hubspot_options.hpp"

namespace journeykit::hubspot {

// The contact properties written, without the prefix, in body order (README lists their
// HubSpot types).
inline constexpr std::array<std::string_view, 10> kPropertyNames = {
    "journey_stage", "journey_stage_name", "last_touchpoint", "last_channel", "segments",
    "nps",           "nps_category",       "first_seen",      "last_seen",    "events"};

// One contact of a batch upsert.
struct ContactInput {
  size_t record = 0;     // index of the journey record in write()'s span
  std::string id;        // the e-mail, or the SHA-256 hex of it (hashed ids)
  std::string trace_id;  // objectWriteTraceId: the record key (person_id)
  std::vector<std::pair<std::string, std::string>> properties;  // prefixed name → value
};

enum class MapOutcome {
  kMapped,
  kNoIdentity,  // no e-mail (or no e-mail hash in hashed mode): HubSpot needs one
  kHashOnly,    // by e-mail, but the record has only email_sha256: the host keeps no addresses
  kMalformed,   // not a journey object of the record contract; `problem` says why
};

// Maps one `journey` record. Every property is sent (a snapshot): a null or absent field is
// sent as "" so that HubSpot clears a value of an earlier run. Datetimes are sent as UTC
// epoch milliseconds; segments joined with ';' (multiple checkboxes).
MapOutcome JourneyToContact(simdjson::dom::parser& parser, const jk_record& record,
                            const HubSpotOptions& options, ContactInput& out, std::string& problem);

// {"inputs":[{"idProperty":…,"id":…,"objectWriteTraceId":…,"properties":{…}},…]}
std::string BuildUpsertBody(std::span<const ContactInput> inputs, std::span<const size_t> chunk,
                            std::string_view id_property);

// The batch calls for these inputs: at most `batch_size` inputs each, and never two inputs
// with the same id in one call (HubSpot refuses such a batch whole). `round` orders calls:
// the n-th input of an id goes in round n, so later records of an id are applied later.
struct Chunk {
  size_t round = 0;
  std::vector<size_t> inputs;  // indexes into the inputs
};
std::vector<Chunk> PlanChunks(std::span<const ContactInput> inputs, size_t batch_size);

// "2026-01-02T10:00:00.000000Z" → "1767348000000"; empty when it is not a timestamp.
std::string IsoToEpochMillis(std::string_view iso);

}  // namespace journeykit::hubspot

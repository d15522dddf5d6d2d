// hubspot_connector.hpp — upserts journeys onto HubSpot contacts (CRM v3 batch upsert).
#pragma once

#include <journeykit/plugin.hpp>

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "hubspot_contacts.hpp"
#include "hubspot_options.hpp"

namespace journeykit::hubspot {

// Each write() maps its `journey` records to contact inputs (other record types are counted
// and ignored), sends them as batch upserts of at most batch_size inputs through the host —
// which paces them on a budget shared per token and retries 429, 5xx and network errors —
// and returns when HubSpot has answered every call. Inputs HubSpot refuses in a 207 are set
// aside one by one with Host::reject(); any call that fails as a whole fails the write, so
// the host keeps the whole batch for a later re-send (upserts make re-sending harmless).
class HubSpotConnector : public plugin::Connector {
 public:
  HubSpotConnector(plugin::Host& host, const plugin::Config& config);
  Status check() override;
  Status write(std::span<const jk_record> records) override;
  Status flush() override;

  // The batch upsert call for one chunk of inputs (no I/O).
  plugin::HttpRequest BuildRequest(std::span<const ContactInput> inputs,
                                   std::span<const size_t> chunk) const;

 private:
  struct Refusal {
    size_t record = 0;
    std::string reason;
  };
  Status Usable() const;
  Status CheckConnection() const;
  // One call's answer: OK (refused inputs appended to `refusals`) or the error of the call.
  Status HandleResponse(const plugin::HttpResponse& response, std::span<const ContactInput> inputs,
                        const Chunk& chunk, std::string_view what, std::vector<Refusal>& refusals);
  std::string Target() const;

  plugin::Host& host_;
  Result<HubSpotOptions> options_;
  simdjson::dom::parser parser_;
  uint64_t calls_ = 0;
  uint64_t upserted_ = 0;
  uint64_t created_ = 0;
  uint64_t refused_ = 0;
  uint64_t without_identity_ = 0;
  uint64_t hash_only_ = 0;
  std::map<std::string, uint64_t> ignored_;  // record type → count
};

}  // namespace journeykit::hubspot

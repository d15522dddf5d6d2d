// webhook_connector.hpp — POSTs records as signed, idempotent JSON batches to a URL.
#pragma once

#include <journeykit/plugin.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "webhook_options.hpp"

namespace journeykit::webhook {

// Each write() delivers its records before it returns: they are split into batches (by
// count and bytes), each POSTed once through the host, which retries network errors, 429
// and 5xx with backoff. A 2xx accepts the batch; anything else fails the write with the
// batch id, so nothing is reported delivered that the receiver did not accept.
class WebhookConnector : public plugin::Connector {
 public:
  WebhookConnector(plugin::Host& host, const plugin::Config& config);
  Status check() override;
  Status write(std::span<const jk_record> records) override;
  Status flush() override;

  // Unix seconds for X-JourneyKit-Timestamp (tests may fix it).
  void set_clock(std::function<int64_t()> clock) { clock_ = std::move(clock); }

  // The request of one batch: body, signature and headers (no I/O).
  plugin::HttpRequest BuildRequest(std::span<const jk_record> records,
                                   std::span<const std::string> entries) const;

 private:
  Status Send(std::span<const jk_record> records, std::span<const std::string> entries,
              bool oversize);

  plugin::Host& host_;
  Result<WebhookOptions> options_;
  std::function<int64_t()> clock_;
  uint64_t batches_ = 0;
  uint64_t records_ = 0;
};

}  // namespace journeykit::webhook

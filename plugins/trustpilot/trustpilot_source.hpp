// trustpilot_source.hpp — the trustpilot source: business-unit review pages → review events.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "trustpilot_options.hpp"
#include "trustpilot_state.hpp"

namespace journeykit::trustpilot {

class TrustpilotSource final : public plugin::Source {
 public:
  // Throws std::invalid_argument naming the config key when the config is unusable.
  TrustpilotSource(plugin::Host& host, const plugin::Config& config);

  Status check() override { return Status::Ok(); }
  std::vector<std::string> streams() override { return {kStream}; }
  Status read(std::string_view stream, std::string_view state) override;

 private:
  Status PageError(const plugin::HttpResponse& response, int64_t page) const;

  const plugin::Host& host_;
  TrustpilotOptions options_;
  std::string budget_key_;
};

}  // namespace journeykit::trustpilot

// ga4_export_source.hpp — the ga4-export source: GA4 BigQuery export NDJSON → events.
#pragma once

#include <journeykit/kit/file_source.hpp>
#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ga4_row_mapper.hpp"

namespace journeykit::ga4_export {

inline constexpr const char* kPluginName = "ga4-export";
inline constexpr const char* kStream = "files";

// The config spec the host validates before the plugin sees it.
inline constexpr jk_config_field kConfigFields[] = {
    {"path", JK_CONFIG_STRING, 1, 0, nullptr,
     "Export file or glob (NDJSON rows, plain or .gz), relative to the pipeline file"},
    {"max_line_bytes", JK_CONFIG_INT, 0, 0, "16777216", "Longer rows are reported as bad records"},
    {"include_events", JK_CONFIG_STRING_LIST, 0, 0, "[]",
     "Only these event_name values (empty: all)"},
    {"exclude_events", JK_CONFIG_STRING_LIST, 0, 0, "[]", "Drop these event_name values"},
};

[[nodiscard]] Result<Ga4Options> ParseGa4Options(const plugin::Config& config);

class Ga4ExportSource final : public plugin::Source {
 public:
  // Throws std::invalid_argument naming the config key when the config is unusable.
  Ga4ExportSource(plugin::Host& host, const plugin::Config& config);

  Status check() override;
  std::vector<std::string> streams() override { return {kStream}; }
  Status read(std::string_view stream, std::string_view state) override;

  void set_batch_size(size_t events) { batch_size_ = events; }
  const kit::FileSourceStats& last_stats() const { return stats_; }

 private:
  const plugin::Host& host_;
  Ga4Options options_;
  std::string pattern_;
  size_t batch_size_ = 4096;
  kit::FileSourceStats stats_;
};

}  // namespace journeykit::ga4_export

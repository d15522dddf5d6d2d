// events_file_source.hpp — the events-file source: NDJSON/CSV files → events on stream "files".
#pragma once

#include <journeykit/kit/file_source.hpp>
#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events_file_options.hpp"

namespace journeykit::events_file {

inline constexpr const char* kPluginName = "events-file";
inline constexpr const char* kPluginVersion = "0.1.0";
inline constexpr const char* kStream = "files";

class EventsFileSource final : public plugin::Source {
 public:
  // Throws std::invalid_argument with a message naming the config key when the config is
  // unusable; the authoring layer turns it into the error of create().
  EventsFileSource(plugin::Host& host, const plugin::Config& config);

  Status check() override;
  std::vector<std::string> streams() override { return {kStream}; }
  Status read(std::string_view stream, std::string_view state) override;

  // Events per emit/checkpoint (default 4096); tests use small batches.
  void set_batch_size(size_t events) { batch_size_ = events; }
  const kit::FileSourceStats& last_stats() const { return stats_; }

 private:
  [[nodiscard]] Status check_formats(const std::vector<std::string>& files) const;

  const plugin::Host& host_;
  EventsFileOptions options_;
  std::string pattern_;  // options_.path resolved against the pipeline directory
  size_t batch_size_ = 4096;
  kit::FileSourceStats stats_;
};

}  // namespace journeykit::events_file

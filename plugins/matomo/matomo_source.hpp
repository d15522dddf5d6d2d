// matomo_source.hpp — the matomo source: pages of Live.getLastVisitsDetails → events, with a
// checkpoint after every page.
#pragma once

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matomo_options.hpp"
#include "matomo_visit_mapper.hpp"

namespace journeykit::matomo {

// The stream's cursor. Between runs only `last_visit_ts` is set; while a run pages through
// its window, `page` says where it is, so that a killed run resumes at the next page.
struct MatomoState {
  int64_t last_visit_ts = 0;  // newest lastActionTimestamp read (unix s); 0: none yet
  struct Page {
    std::optional<int64_t> min_timestamp;  // the window the run asks for
    int64_t offset = 0;                    // filter_offset of the next page
  };
  std::optional<Page> page;

  [[nodiscard]] static Result<MatomoState> Parse(std::string_view json);
  std::string ToJson() const;
};

class MatomoSource final : public plugin::Source {
 public:
  // Throws std::invalid_argument naming the config key when the config is unusable.
  MatomoSource(plugin::Host& host, const plugin::Config& config);

  Status check() override;
  std::vector<std::string> streams() override { return {kStream}; }
  Status read(std::string_view stream, std::string_view state) override;

  // The request for one page (public for tests).
  plugin::HttpRequest PageRequest(std::optional<int64_t> min_timestamp, int64_t offset,
                                  int64_t limit) const;

 private:
  // The error of a failed page, saying what to check.
  Status PageError(const plugin::HttpResponse& response, const std::string& page) const;

  const plugin::Host& host_;
  MatomoOptions options_;
  MatomoVisitMapper mapper_;
};

}  // namespace journeykit::matomo

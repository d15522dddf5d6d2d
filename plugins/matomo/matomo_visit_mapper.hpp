// matomo_visit_mapper.hpp — one page of Live.getLastVisitsDetails (a JSON array of visits)
// → events, one per entry of each visit's actionDetails.
#pragma once

#include <simdjson.h>

#include <journeykit/plugin.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::matomo {

// A visit that could not become events (no idVisit, no usable time).
struct BadVisit {
  size_t index = 0;  // position on the page
  std::string reason;
  std::string raw;  // the visit's JSON, minified
};

struct MappedPage {
  std::vector<plugin::Event> events;
  std::vector<BadVisit> bad_visits;
  size_t visits = 0;                       // visits on the page (bad ones included)
  int64_t max_visit_timestamp = 0;         // newest lastActionTimestamp on the page (unix s)
  std::vector<std::string> unknown_types;  // action types emitted as matomo_<type>
};

// The message of a Matomo error body {"result":"error","message":"…"}, when `body` is one.
std::optional<std::string> MatomoErrorMessage(std::string_view body);

class MatomoVisitMapper {
 public:
  // Parses the whole page before mapping anything: an error means nothing of it is usable.
  [[nodiscard]] Result<MappedPage> MapPage(std::string_view body);

  // Maps one visit object; false with `reason` when it has no idVisit or no usable time.
  bool MapVisit(simdjson::dom::object visit, std::vector<plugin::Event>& out,
                std::vector<std::string>& unknown_types, int64_t& visit_timestamp,
                std::string& reason) const;

 private:
  simdjson::dom::parser parser_;
};

}  // namespace journeykit::matomo

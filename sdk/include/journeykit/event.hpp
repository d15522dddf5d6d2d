// event.hpp — one interaction of one person with one touchpoint, as the host holds it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace journeykit {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// An event after normalization: e-mail identities are already hashed ("email_sha256").
struct Event {
  int64_t time_us = 0;   // UTC microseconds since the Unix epoch
  std::string source;    // source instance name from the pipeline
  std::string event_id;  // dedup key within the source
  std::string action;    // page_view, purchase, webinar_attended, ...
  KeyValues identities;  // (kind, value)
  KeyValues hints;       // touchpoint hints: url, referrer, utm_*, channel, ...
  KeyValues properties;  // small free-form map
  std::string text;
  std::string currency;
  std::optional<double> value;
  std::optional<double> rating;
  std::optional<double> sentiment;  // -1 .. +1
};

// Finds the first value of `key` in a key-value list.
const std::string* FindValue(const KeyValues& kv, std::string_view key);

}  // namespace journeykit

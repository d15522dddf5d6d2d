// hashing.hpp — SHA-256 and e-mail normalization used for identities.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace journeykit {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Trims ASCII white space and lower-cases an e-mail address. Returns nullopt when the result
// is not an address (empty, no '@', or '@' at either end).
std::optional<std::string> NormalizeEmail(std::string_view raw);

}  // namespace journeykit

// glob.hpp — expands a file pattern (POSIX glob(3)) into a sorted list of regular files.
#pragma once

#include <journeykit/status.hpp>
#include <string>
#include <vector>

namespace journeykit::kit {

// Sorted (byte order), deduplicated paths of the regular files matching `pattern`. A pattern
// without wildcards yields itself when the file exists. No match is an empty list, not an
// error; an unreadable directory is an error.
[[nodiscard]] Result<std::vector<std::string>> ExpandGlob(const std::string& pattern);

// OK when `pattern` matches at least one readable file; otherwise a message that names the
// pattern ("no file matches <pattern>") or the unreadable file.
[[nodiscard]] Status CheckGlob(const std::string& pattern);

}  // namespace journeykit::kit

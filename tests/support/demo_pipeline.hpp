// demo_pipeline.hpp — puts the online-school demo's pipeline file and API cassettes into a
// test folder, with the dummy credentials its replayed API sources need (the values do not
// matter: replay matches requests with secrets redacted).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace journeykit::testing {

inline void PrepareDemoPipeline(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path demo = fs::path(JK_SOURCE_DIR) / "examples/online-school";
  fs::copy_file(demo / "pipeline.json", dir / "pipeline.json",
                fs::copy_options::overwrite_existing);
  fs::copy(demo / "cassettes", dir / "cassettes",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  for (const char* name :
       {"MATOMO_TOKEN", "GOOGLE_ACCESS_TOKEN", "TRUSTPILOT_API_KEY", "TRUSTPILOT_ACCESS_TOKEN"}) {
    ::setenv(name, "replayed", 0);
  }
  ::setenv("MAILCHIMP_API_KEY", "00000000000000000000000000000000-us6", 0);
}

}  // namespace journeykit::testing

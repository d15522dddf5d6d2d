// demo_pipeline.hpp — puts the online-school demo's pipeline file and API cassettes into a
// test folder, with the dummy credentials its replayed API sources need (the values do not
// matter: replay matches requests with secrets redacted) and the variables its connectors
// read. With receivers, the demo's loopback receivers are started (DemoReceivers) and the
// connectors deliver to them; without, the connector addresses point nowhere, which suits
// tests that never deliver (RunOptions::write_connectors = false).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#ifdef JK_WITH_DEMO_RECEIVERS
#include "support/demo_receivers.hpp"
#endif

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
  // What the receivers accept (distinct values, so a test can look for them in logs).
  ::setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-e2e-0c1d2e3f", 0);
  ::setenv("WEBHOOK_SECRET", "whsec-e2e-4a5b6c7d", 0);
  ::setenv("CLICKHOUSE_PASSWORD", "ch-e2e-8e9f0a1b", 0);
  ::setenv("MAILCHIMP_API_KEY", "00000000000000000000000000000000-us6", 0);
  // The discard port: nothing listens there.
  for (const char* name : {"JK_DEMO_HUBSPOT_URL", "JK_DEMO_MAILCHIMP_URL", "JK_DEMO_WEBHOOK_URL",
                           "JK_DEMO_CLICKHOUSE_URL"}) {
    ::setenv(name, "http://127.0.0.1:9", 0);
  }
}

#ifdef JK_WITH_DEMO_RECEIVERS
// The same, then the receivers on free ports, with the JK_DEMO_*_URL variables pointing at
// them. Check error() of the result.
inline std::unique_ptr<DemoReceivers> PrepareDemoPipelineWithReceivers(
    const std::filesystem::path& dir) {
  PrepareDemoPipeline(dir);
  DemoReceiverSettings settings;
  settings.hubspot_token = std::getenv("HUBSPOT_ACCESS_TOKEN");
  settings.mailchimp_key = std::getenv("MAILCHIMP_API_KEY");
  settings.webhook_secret = std::getenv("WEBHOOK_SECRET");
  settings.clickhouse_password = std::getenv("CLICKHOUSE_PASSWORD");
  auto receivers = std::make_unique<DemoReceivers>(settings);
  if (receivers->error().empty()) receivers->ExportUrls();
  return receivers;
}
#endif

}  // namespace journeykit::testing

// receivers.cpp — online-school-receivers: runs loopback stand-ins for the services the demo
// pipeline delivers to (HubSpot contacts, Mailchimp member tags, a webhook endpoint that
// verifies signatures, a private clickhouse-server) until SIGINT or SIGTERM, then prints what
// each received and writes it to --dump DIR.
//
//   source scripts/demo-api-credentials.sh     # credentials and JK_DEMO_*_URL addresses
//   build/examples/online-school/online-school-receivers --dump examples/online-school/out/received
//   & build/cli/journeykit run examples/online-school/pipeline.json kill %1 # prints the summary
//
// scripts/demo.sh does exactly this. The stand-ins are the connector tests' mock APIs: they
// speak the real services' wire formats and refuse what the real services would refuse.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "support/demo_receivers.hpp"

namespace {

int Usage() {
  std::cerr << "usage: online-school-receivers [--dump DIR] [--ready-file FILE]\n"
               "  Runs the demo's receivers on the JK_DEMO_*_URL addresses with the credentials\n"
               "  of scripts/demo-api-credentials.sh until SIGINT/SIGTERM, then prints what they\n"
               "  received. --dump DIR: also write it as NDJSON files there. --ready-file FILE:\n"
               "  create FILE once every receiver listens.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dump, ready;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--dump" || a == "--ready-file") && i + 1 < argc) {
      (a == "--dump" ? dump : ready) = argv[++i];
    } else {
      return Usage();
    }
  }
  // Block the stop signals in every thread the receivers start, then wait for one here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  journeykit::testing::DemoReceiverSettings settings;
  std::string error = settings.FromEnvironment();
  if (!error.empty()) {
    std::cerr << "online-school-receivers: " << error << "\n";
    return 1;
  }
  journeykit::testing::DemoReceivers receivers(settings);
  if (!receivers.error().empty()) {
    std::cerr << "online-school-receivers: " << receivers.error()
              << "\n  (set the JK_DEMO_*_URL variables to free ports, or stop what holds them)\n";
    return 1;
  }
  std::cerr << "online-school-receivers: listening\n";
  for (const auto& [name, url] : receivers.Urls()) std::cerr << "  " << name << "=" << url << "\n";
  if (!ready.empty()) {
    std::ofstream(ready) << "ready\n";
  }
  int signal = 0;
  sigwait(&stop, &signal);
  std::cout << receivers.Summary() << std::flush;
  if (!dump.empty()) {
    std::string e = receivers.Dump(dump);
    if (!e.empty()) {
      std::cerr << "online-school-receivers: " << e << "\n";
      return 1;
    }
    std::cout << "  (written to " << dump
              << "/: hubspot-contacts.ndjson, mailchimp-members.ndjson, webhook-records.ndjson)\n";
  }
  return receivers.Problems().empty() ? 0 : 3;
}

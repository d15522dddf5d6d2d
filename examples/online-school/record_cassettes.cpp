// record_cassettes.cpp — serves the demo's third-party APIs (Matomo, Mailchimp, Google
// Business Profile, Trustpilot) from the generator's --api-fixtures records on fixed loopback
// ports, with the same loopback mocks the plugin tests use, and runs a command against them
// (scripts/record-demo-cassettes.sh runs `journeykit run … --http-mode record`).
//
//   online-school-record-cassettes FIXTURES_DIR -- COMMAND [ARGS...]
//
// Ports: Matomo 18101, Mailchimp 18102, Google 18103, Trustpilot 18104 (pipeline.json's
// base_url values; the cassettes' URLs contain them, so they must not change).
#include "support/mock_google_reviews_api.hpp"
#include "support/mock_mailchimp_api.hpp"
#include "support/mock_matomo_api.hpp"
#include "support/mock_trustpilot_api.hpp"

#include <simdjson.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

using journeykit::testing::MockGoogleReviewsApi;
using journeykit::testing::MockMailchimpApi;
using journeykit::testing::MockMatomoApi;
using journeykit::testing::MockTrustpilotApi;

constexpr const char* kGoogleLocation = "accounts/1122334455/locations/9988776655";
constexpr const char* kTrustpilotUnit = "5d2b94b915dd0c0001cab136";

// The items of a JSON array file, each as its own JSON text.
std::vector<std::string> Items(simdjson::dom::parser& parser, const std::string& file) {
  simdjson::dom::element root;
  if (auto err = parser.load(file).get(root); err) {
    std::cerr << "record-cassettes: " << file << ": " << simdjson::error_message(err)
              << " (run online-school-generate --api-fixtures first)\n";
    std::exit(2);
  }
  std::vector<std::string> out;
  for (simdjson::dom::element e : root.get_array()) out.push_back(simdjson::minify(e));
  return out;
}

std::string Field(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  std::string_view v;
  if (p.parse(json)[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::string(argv[2]) != "--") {
    std::cerr << "usage: online-school-record-cassettes FIXTURES_DIR -- COMMAND [ARGS...]\n";
    return 2;
  }
  const std::string dir = argv[1];
  simdjson::dom::parser parser;

  MockMatomoApi matomo(18101, "0123456789abcdef0123456789abcdef");
  matomo.AddVisits(Items(parser, dir + "/matomo-visits.json"));

  MockMailchimpApi mailchimp(18102, "00000000000000000000000000000000-us6");
  std::map<std::string, std::vector<std::string>> members;
  for (const std::string& m : Items(parser, dir + "/mailchimp-email-activity.json")) {
    members[Field(m, "campaign_id")].push_back(m);
  }
  for (const std::string& c : Items(parser, dir + "/mailchimp-campaigns.json")) {
    simdjson::dom::parser p;
    simdjson::dom::element e = p.parse(c);
    MockMailchimpApi::Campaign campaign;
    campaign.id = std::string(e["id"].get_string().value());
    campaign.title = std::string(e["settings"]["title"].get_string().value());
    campaign.send_time = std::string(e["send_time"].get_string().value());
    mailchimp.AddCampaign(campaign, members[campaign.id]);
  }

  MockGoogleReviewsApi google(18103);
  google.AddLocation(kGoogleLocation);
  for (const std::string& r : Items(parser, dir + "/google-reviews.json")) {
    google.AddReviewJson(kGoogleLocation, r);
  }

  MockTrustpilotApi trustpilot(18104);
  trustpilot.AddBusinessUnit(kTrustpilotUnit);
  for (const std::string& r : Items(parser, dir + "/trustpilot-reviews.json")) {
    trustpilot.AddReviewJson(kTrustpilotUnit, r);
  }

  std::cerr << "record-cassettes: mock APIs up: matomo " << matomo.base_url() << ", mailchimp "
            << mailchimp.base_url() << ", google " << google.base_url() << " (token "
            << google.token_url() << "), trustpilot " << trustpilot.base_url() << "\n";
  std::string command;
  for (int i = 3; i < argc; ++i) command += std::string(i > 3 ? " " : "") + "'" + argv[i] + "'";
  int rc = std::system(command.c_str());
  std::cerr << "record-cassettes: requests served: matomo " << matomo.requests().size()
            << ", mailchimp " << mailchimp.requests().size() << ", google "
            << google.requests().size() << ", trustpilot " << trustpilot.requests().size() << "\n";
  return rc == 0 ? 0 : 1;
}

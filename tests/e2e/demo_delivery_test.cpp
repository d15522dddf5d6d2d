// demo_delivery_test.cpp — the online-school demo delivering to its loopback receivers
// (HubSpot, Mailchimp tags, a verifying webhook endpoint, a private clickhouse-server), with
// what each received checked against the state store and the files connector's output, and a
// rerun that sends nothing new.
#include <journeykit/pipeline.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "support/demo_pipeline.hpp"
#include "support/demo_receivers.hpp"
#include "support/mock_hubspot_api.hpp"
#include "support/mock_mailchimp_tags_api.hpp"

namespace journeykit {
namespace {

namespace fs = std::filesystem;
using journeykit::testing::DemoReceivers;
using journeykit::testing::DemoReceiverSettings;
using ::testing::IsEmpty;

std::string Sha256Hex(const std::string& text) {
  unsigned char md[32];
  size_t size = 0;
  if (EVP_Q_digest(nullptr, "SHA256", nullptr, text.data(), text.size(), md, &size) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 15]);
  }
  return hex;
}

class DemoDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("jk-demo-delivery-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string cmd = std::string(JK_GENERATOR_PATH) + " --out " + (dir_ / "data").string() +
                      " --people 600 --days 28 > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    receivers_ = journeykit::testing::PrepareDemoPipelineWithReceivers(dir_);
    ASSERT_EQ(receivers_->error(), "");
  }
  void TearDown() override {
    receivers_.reset();
    if (!std::getenv("JK_KEEP")) fs::remove_all(dir_);  // JK_KEEP=1: keep it to look at
  }

  std::unique_ptr<Pipeline> Open() {
    PipelineOptions options;
    options.extra_plugin_dirs = {JK_PLUGIN_DIR};
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    auto p = Pipeline::Open((dir_ / "pipeline.json").string(), options);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  fs::path dir_;
  std::unique_ptr<DemoReceivers> receivers_;
  std::string log_;
};

TEST_F(DemoDelivery, EveryReceiverHoldsWhatTheStoreHoldsAndARerunSendsNothingNew) {
  auto pipeline = Open();
  ASSERT_TRUE(pipeline);
  auto first = pipeline->Run();
  ASSERT_TRUE(first.ok()) << first.status().message();

  ASSERT_EQ(first->deliveries.size(), 5u);
  for (const DeliveryReport& d : first->deliveries) {
    EXPECT_TRUE(d.status.ok()) << d.name << ": " << d.status.message();
    EXPECT_EQ(d.rejected + d.failed + d.pending + d.dead_letters, 0u) << d.name;
    EXPECT_GT(d.delivered, 0u) << d.name;
  }
  EXPECT_THAT(receivers_->Problems(), IsEmpty());
  const auto counts = receivers_->Count();

  // ClickHouse: every stored event, person and change exactly once (FINAL collapses resends).
  const JourneySet& journeys = *first->analysis.journeys;
  size_t entered = 0;
  for (const auto& c : first->audience_changes) entered += c.entered.size();
  ASSERT_GT(entered, 0u);
  EXPECT_EQ(counts.clickhouse_rows.at("journeykit_events"), first->stored_events);
  EXPECT_EQ(counts.clickhouse_rows.at("journeykit_journeys"), journeys.person_count());
  EXPECT_EQ(counts.clickhouse_rows.at("journeykit_audience_changes"), entered);
  ASSERT_GT(counts.clickhouse_rows.at("journeykit_stage_changes"), 0u);

  // The webhook: the same changes, every signature verified, no raw address (it is "hashed").
  EXPECT_EQ(counts.webhook_refused, 0u);
  EXPECT_EQ(counts.webhook_records.at("audience_change"), entered);
  EXPECT_EQ(counts.webhook_records.at("stage_change"),
            counts.clickhouse_rows.at("journeykit_stage_changes"));
  std::map<std::string, std::set<std::string>> audience_hashes;  // audience → email_sha256
  simdjson::dom::parser parser;
  for (const auto& r : receivers_->webhook().records()) {
    simdjson::dom::element doc = parser.parse(r.data);
    EXPECT_EQ(doc["email"].error(), simdjson::NO_SUCH_FIELD) << r.data;
    if (r.type != "audience_change") continue;
    std::string_view audience = doc["audience"].get_string().value();
    std::string_view hash;
    if (!doc["email_sha256"].get(hash)) audience_hashes[std::string(audience)].emplace(hash);
  }

  // HubSpot: one contact per person with an e-mail — the journeys the files connector wrote
  // (hashed) that carry an e-mail hash — matched by that address, with the journey's stage.
  std::set<std::string> journey_hashes;
  std::map<std::string, std::string> stage_of;  // email_sha256 → current stage
  {
    std::ifstream in(dir_ / "out" / "journeys.ndjson");
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::element doc = parser.parse(line);
      EXPECT_EQ(doc["email"].error(), simdjson::NO_SUCH_FIELD) << line;
      std::string_view hash;
      if (doc["email_sha256"].get(hash)) continue;
      journey_hashes.emplace(hash);
      std::string_view stage;
      stage_of[std::string(hash)] = doc["current_stage"].get(stage) ? "" : std::string(stage);
    }
  }
  ASSERT_FALSE(journey_hashes.empty());
  std::set<std::string> contact_hashes;
  for (const auto& [email, contact] : receivers_->hubspot().contacts()) {
    contact_hashes.insert(Sha256Hex(email));
    EXPECT_EQ(contact.properties.at("journeykit_journey_stage"), stage_of[Sha256Hex(email)])
        << email;
  }
  EXPECT_EQ(contact_hashes, journey_hashes);

  // Mailchimp: the members tagged with an audience are its members with an address.
  std::map<std::string, std::set<std::string>> tagged;  // audience → sha256 of the address
  for (const auto& [email, tags] :
       receivers_->mailchimp().Members(DemoReceiverSettings::kMailchimpList)) {
    for (const std::string& t : tags) tagged[t.substr(t.find(':') + 1)].insert(Sha256Hex(email));
  }
  EXPECT_EQ(tagged, audience_hashes);
  EXPECT_FALSE(tagged.empty());

  // A rerun with nothing new: no service hears from the pipeline again (the files connector
  // rewrites its snapshot), and the warehouse counts stay.
  auto second = pipeline->Run();
  ASSERT_TRUE(second.ok()) << second.status().message();
  for (const DeliveryReport& d : second->deliveries) {
    EXPECT_TRUE(d.status.ok()) << d.name << ": " << d.status.message();
    if (d.name != "out") {
      EXPECT_EQ(d.delivered, 0u) << d.name;
    }
  }
  const auto again = receivers_->Count();
  EXPECT_EQ(again.hubspot_calls, counts.hubspot_calls);
  EXPECT_EQ(again.mailchimp_tag_calls, counts.mailchimp_tag_calls);
  EXPECT_EQ(again.webhook_batches, counts.webhook_batches);
  EXPECT_EQ(again.clickhouse_rows, counts.clickhouse_rows);
  EXPECT_THAT(receivers_->Problems(), IsEmpty());
  // The connectors' credentials never reach a log line.
  for (const char* name : {"HUBSPOT_ACCESS_TOKEN", "WEBHOOK_SECRET", "CLICKHOUSE_PASSWORD"}) {
    EXPECT_EQ(log_.find(std::getenv(name)), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace journeykit

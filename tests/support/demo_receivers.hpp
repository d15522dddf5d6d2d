// demo_receivers.hpp — loopback stand-ins for the services the online-school demo delivers
// its journeys and audiences to: HubSpot's contacts API and Mailchimp's member tags API (the
// connector tests' mocks), a webhook receiver that verifies every signature the way the
// webhook connector's README tells receivers to, and a private clickhouse-server.
//
// scripts/demo.sh starts them through online-school-receivers; the end-to-end tests start them
// in-process and check what each one received against the state store.
//
// The demo pipeline (examples/online-school/pipeline.json) reads the receivers' addresses and
// the credentials they accept from the environment:
//   JK_DEMO_HUBSPOT_URL   JK_DEMO_MAILCHIMP_URL   JK_DEMO_WEBHOOK_URL   JK_DEMO_CLICKHOUSE_URL
//   HUBSPOT_ACCESS_TOKEN  MAILCHIMP_API_KEY       WEBHOOK_SECRET        CLICKHOUSE_PASSWORD
// (scripts/demo-api-credentials.sh sets them all).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace journeykit::testing {

class ClickHouseServer;
class MockHubSpotApi;
class MockMailchimpTagsApi;
class WebhookReceiver;

struct DemoReceiverSettings {
  // 0: any free loopback port.
  uint16_t hubspot_port = 0, mailchimp_port = 0, webhook_port = 0, clickhouse_port = 0;
  std::string hubspot_token, mailchimp_key, webhook_secret, clickhouse_password;
  bool clickhouse = true;  // false: no ClickHouse (its URL points nowhere)

  // The list the demo pipeline's mailchimp-tags connector tags (its "list_id").
  static constexpr const char* kMailchimpList = "5f2d8c1a9e";
  // The ClickHouse user the demo pipeline writes as.
  static constexpr const char* kClickHouseUser = "jk_writer";

  // Credentials from the four variables above; ports from the JK_DEMO_*_URL variables when
  // set ("http://127.0.0.1:PORT/..."), else 0. An unset credential or a URL that is not
  // http://127.0.0.1:PORT is an error (returned; settings untouched).
  std::string FromEnvironment();
};

// What a receiver holds, counted.
struct DemoReceiverCounts {
  size_t hubspot_contacts = 0, hubspot_calls = 0;
  size_t mailchimp_members = 0, mailchimp_tag_calls = 0;
  std::map<std::string, size_t> mailchimp_tags;  // active tag → members
  size_t webhook_batches = 0, webhook_repeated_batches = 0, webhook_refused = 0;
  std::map<std::string, size_t> webhook_records;    // record type → distinct keys
  std::map<std::string, uint64_t> clickhouse_rows;  // table → rows (FINAL)
};

class DemoReceivers {
 public:
  explicit DemoReceivers(DemoReceiverSettings settings);
  ~DemoReceivers();
  DemoReceivers(const DemoReceivers&) = delete;
  DemoReceivers& operator=(const DemoReceivers&) = delete;

  // "" when every receiver runs; otherwise why not (nothing is left running).
  const std::string& error() const { return error_; }
  // JK_DEMO_*_URL → the receivers' addresses.
  std::map<std::string, std::string> Urls() const;
  // Sets the JK_DEMO_*_URL variables to Urls() in this process (children inherit them).
  void ExportUrls() const;

  DemoReceiverCounts Count() const;
  // The counts as a few lines for a terminal.
  std::string Summary() const;
  // Writes what HubSpot, Mailchimp and the webhook received as NDJSON files into dir
  // (hubspot-contacts.ndjson, mailchimp-members.ndjson, webhook-records.ndjson).
  std::string Dump(const std::string& dir) const;
  // Requests a receiver refused because the real service would have: malformed bodies,
  // wrong credentials, bad signatures.
  std::vector<std::string> Problems() const;

  const MockHubSpotApi& hubspot() const { return *hubspot_; }
  const MockMailchimpTagsApi& mailchimp() const { return *mailchimp_; }
  const WebhookReceiver& webhook() const { return *webhook_; }
  // nullptr without ClickHouse.
  const ClickHouseServer* clickhouse() const { return clickhouse_.get(); }

 private:
  DemoReceiverSettings settings_;
  std::unique_ptr<MockHubSpotApi> hubspot_;
  std::unique_ptr<MockMailchimpTagsApi> mailchimp_;
  std::unique_ptr<WebhookReceiver> webhook_;
  std::unique_ptr<ClickHouseServer> clickhouse_;
  std::string error_;
};

// A webhook endpoint as the webhook connector's README describes one: checks the timestamp
// (300 s window) and the HMAC-SHA256 signature in constant time, answers 401 to a bad one,
// deduplicates batches by batch_id and keeps the latest record per (type, key).
class WebhookReceiver {
 public:
  WebhookReceiver(std::string secret, uint16_t port);
  ~WebhookReceiver();
  std::string url() const;

  struct Record {
    std::string type, key, data;  // data: the record's JSON object as received
  };
  std::vector<Record> records() const;  // distinct (type, key), latest data
  size_t batches() const;               // accepted, each batch_id once
  size_t repeated_batches() const;      // a batch_id seen again (a retry)
  size_t refused() const;               // 401: missing or bad signature or timestamp
  std::vector<std::string> problems() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace journeykit::testing

// Tests of the ga4-export source against real GA4 BigQuery export rows
// (tests/fixtures/ga4-export/ga4-export-rows.ndjson, MIT, see LICENSE.txt there) and
// hand-written edge cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "ga4_export_source.hpp"
#include "ga4_row_mapper.hpp"
#include "plugins/test_files.hpp"
#include "support/fake_host.hpp"

namespace journeykit::ga4_export {
namespace {

using journeykit::testing::FakeHost;
using journeykit::testing::ReadFile;
using journeykit::testing::TempDir;
using journeykit::testing::WriteFile;
using journeykit::testing::WriteGzip;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

const std::string kFixtureDir = std::string(JK_FIXTURE_DIR) + "/ga4-export";
const std::string kFixture = kFixtureDir + "/ga4-export-rows.ndjson";

class Ga4ExportTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::unique_ptr<FakeHost> fake = std::make_unique<FakeHost>(kFixtureDir);
  std::unique_ptr<plugin::Host> host = std::make_unique<plugin::Host>(fake->api());

  Status Run(const std::string& config_json, std::string_view state = {}) {
    plugin::Config config(config_json);
    Ga4ExportSource source(*host, config);
    return source.read("files", state);
  }
  const std::vector<plugin::Event>& events() { return fake->events("files"); }
};

std::string Get(const std::vector<std::pair<std::string, std::string>>& pairs,
                std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return "<absent>";
}

TEST_F(Ga4ExportTest, FixtureRowCountAndDuplicateRows) {
  ASSERT_TRUE(Run(R"({"path":"ga4-export-rows.ndjson"})").ok()) << fake->last_error;
  ASSERT_EQ(events().size(), 14u);
  EXPECT_TRUE(fake->bad_records.empty());
  // Rows 1 and 2 are byte-identical export duplicates: same id, so the host dedups them.
  EXPECT_EQ(events()[0].event_id, "77d582157cdf9aefdb525d264606724a");
  EXPECT_EQ(events()[1].event_id, events()[0].event_id);
  std::set<std::string> ids;
  for (const auto& e : events()) ids.insert(e.event_id);
  EXPECT_EQ(ids.size(), 13u);
  EXPECT_TRUE(fake->logged("14 events, 0 bad records"));
}

TEST_F(Ga4ExportTest, FormVisibilityRowWithNulls) {
  ASSERT_TRUE(Run(R"({"path":"ga4-export-rows.ndjson"})").ok());
  const plugin::Event& e = events()[0];
  EXPECT_EQ(e.time_us, 1702643009060308);
  EXPECT_EQ(e.action, "form_visibility");
  EXPECT_THAT(e.identities, ElementsAre(Pair("ga_client_id", "107079580.1702642286")));
  EXPECT_THAT(e.hints, ElementsAre(Pair("url", "https://www.test.com/de-de/kontakt/"),
                                   Pair("referrer", "https://www.test.com/de-de/"),
                                   Pair("ts_source", "google"), Pair("ts_medium", "organic"),
                                   Pair("ts_name", "(organic)")));
  EXPECT_THAT(e.properties,
              ElementsAre(Pair("page_title", "Kontakt"), Pair("ga_session_id", "1702642286"),
                          Pair("ga_session_number", "1"), Pair("device_category", "mobile"),
                          Pair("country", "Switzerland")));
  EXPECT_FALSE(e.value.has_value());
  EXPECT_EQ(e.currency, "");
}

TEST_F(Ga4ExportTest, PurchaseRowRevenueCurrencyItems) {
  ASSERT_TRUE(Run(R"({"path":"ga4-export-rows.ndjson"})").ok());
  const plugin::Event& e = events()[7];
  EXPECT_EQ(e.time_us, 1702651559604143);
  EXPECT_EQ(e.action, "purchase");
  EXPECT_THAT(e.identities, ElementsAre(Pair("ga_client_id", "427292018.1702650951")));
  ASSERT_TRUE(e.value.has_value());
  EXPECT_DOUBLE_EQ(*e.value, 31.0);
  EXPECT_EQ(e.currency, "EUR");
  EXPECT_EQ(Get(e.hints, "url"), "https://shop.test.com/de/confirmation/xxxxx");
  EXPECT_EQ(Get(e.hints, "referrer"), "https://www.paypal.com/");
  EXPECT_EQ(Get(e.hints, "utm_source"), "<absent>");
  EXPECT_EQ(Get(e.hints, "ts_name"), "campaign_name");
  EXPECT_EQ(Get(e.hints, "ts_medium"), "cpc");
  EXPECT_THAT(e.properties,
              ElementsAre(Pair("ga_session_id", "1702650951"), Pair("ga_session_number", "1"),
                          Pair("transaction_id", "257059"), Pair("device_category", "desktop"),
                          Pair("country", "Germany"), Pair("items", "2")));
  // Row 9 is the same purchase with different item details: a different row, a different id.
  EXPECT_NE(events()[8].event_id, e.event_id);
}

TEST_F(Ga4ExportTest, UtmHintsFromParamsAndCollectedTrafficSource) {
  ASSERT_TRUE(Run(R"({"path":"ga4-export-rows.ndjson"})").ok());
  const plugin::Event& submit = events()[3];
  EXPECT_EQ(submit.time_us, 1702644792859982);
  EXPECT_EQ(submit.action, "form_submit");
  EXPECT_EQ(Get(submit.hints, "url"), "https://test.com/en/lp/");
  EXPECT_EQ(Get(submit.hints, "utm_source"), "bing");
  EXPECT_EQ(Get(submit.hints, "utm_medium"), "organic");
  EXPECT_EQ(Get(submit.hints, "utm_campaign"), "(organic)");

  const plugin::Event& with_gclid = events()[10];
  EXPECT_EQ(with_gclid.action, "page_view");
  EXPECT_EQ(Get(with_gclid.hints, "utm_source"), "google");
  EXPECT_EQ(Get(with_gclid.hints, "utm_medium"), "organic");
  EXPECT_EQ(Get(with_gclid.hints, "utm_campaign"), "cpc_campaign");
  EXPECT_EQ(Get(with_gclid.hints, "gclid"), "12345");

  // Row 12 has no source/medium/campaign params: collected_traffic_source fills in.
  const plugin::Event& fallback = events()[11];
  EXPECT_THAT(fallback.identities, ElementsAre(Pair("ga_client_id", "950658449.1697698901")));
  EXPECT_EQ(Get(fallback.hints, "utm_source"), "google");
  EXPECT_EQ(Get(fallback.hints, "utm_medium"), "organic");
  EXPECT_EQ(Get(fallback.hints, "utm_campaign"), "(organic)");
  EXPECT_EQ(Get(fallback.hints, "gclid"), "<absent>");
  EXPECT_EQ(Get(fallback.hints, "referrer"), "https://www.test.com/");
}

TEST_F(Ga4ExportTest, IncludeAndExcludeEvents) {
  ASSERT_TRUE(Run(R"({"path":"ga4-export-rows.ndjson","include_events":["purchase","page_view"],
      "exclude_events":["page_view"]})")
                  .ok());
  ASSERT_EQ(events().size(), 2u);
  EXPECT_EQ(events()[0].action, "purchase");
  EXPECT_EQ(events()[1].action, "purchase");
}

TEST_F(Ga4ExportTest, GzipExportAndUnchangedRerun) {
  const std::string gz = dir.file("events_20231215.ndjson.gz");
  WriteGzip(gz, ReadFile(kFixture));
  const std::string config = "{\"path\":\"" + dir.path() + "/*.ndjson.gz\"}";
  ASSERT_TRUE(Run(config).ok()) << fake->last_error;
  ASSERT_EQ(events().size(), 14u);
  EXPECT_EQ(events()[0].event_id, "77d582157cdf9aefdb525d264606724a");
  EXPECT_EQ(events()[13].time_us, 1697698986127385);
  const std::string state = fake->state("files");
  fake->clear_captures();
  ASSERT_TRUE(Run(config, state).ok());
  EXPECT_TRUE(events().empty());
}

TEST(Ga4RowMapper, AbsentFieldsNumbersAsJsonAndUserProperties) {
  Ga4Options options;
  Ga4RowMapper mapper(options);
  plugin::Event e;
  const std::string row =
      R"({"event_timestamp":1710498000123456,"event_name":"purchase","user_id":"crm-88412",)"
      R"("user_pseudo_id":"1693122188.1709800000","event_params":[)"
      R"({"key":"value","value":{"double_value":59.9}},{"key":"currency","value":{"string_value":"EUR"}},)"
      R"({"key":"ga_session_id","value":{"int_value":1710497712}},{"key":"broken"},)"
      R"({"key":"empty","value":{}}],)"
      R"("user_properties":[{"key":"plan","value":{"string_value":"pro","set_timestamp_micros":"1"}},)"
      R"({"key":"seats","value":{"int_value":"12"}},{"key":"score","value":{"double_value":0.75}}],)"
      R"("collected_traffic_source":{"manual_source":"newsletter","manual_medium":"email",)"
      R"("manual_campaign_name":"spring_sale","gclid":"G-1"},"something_new":{"x":[1,2]}})";
  ASSERT_EQ(mapper.map_row(row, e).kind, kit::MapOutcome::Kind::kMapped);
  EXPECT_EQ(e.time_us, 1710498000123456);
  EXPECT_THAT(e.identities, ElementsAre(Pair("ga_client_id", "1693122188.1709800000"),
                                        Pair("user_id", "crm-88412")));
  EXPECT_THAT(e.hints, ElementsAre(Pair("utm_source", "newsletter"), Pair("utm_medium", "email"),
                                   Pair("utm_campaign", "spring_sale"), Pair("gclid", "G-1")));
  EXPECT_THAT(e.properties,
              ElementsAre(Pair("ga_session_id", "1710497712"), Pair("user.plan", "pro"),
                          Pair("user.seats", "12"), Pair("user.score", "0.75")));
  ASSERT_TRUE(e.value.has_value());
  EXPECT_DOUBLE_EQ(*e.value, 59.9);  // no ecommerce: the "value" param
  EXPECT_EQ(e.currency, "EUR");
  EXPECT_EQ(e.event_id, RowEventId(row));
  EXPECT_EQ(e.event_id.size(), 32u);
}

TEST(Ga4RowMapper, MinimalRowAndNullEverything) {
  Ga4Options options;
  Ga4RowMapper mapper(options);
  plugin::Event e;
  ASSERT_EQ(mapper
                .map_row(R"({"event_timestamp":"1","event_name":"x","user_pseudo_id":null,)"
                         R"("user_id":null,"event_params":null,"ecommerce":null,"items":null,)"
                         R"("geo":null,"device":null,"traffic_source":null})",
                         e)
                .kind,
            kit::MapOutcome::Kind::kMapped);
  EXPECT_EQ(e.time_us, 1);
  EXPECT_TRUE(e.identities.empty());
  EXPECT_TRUE(e.hints.empty());
  EXPECT_TRUE(e.properties.empty());
  EXPECT_FALSE(e.value.has_value());
}

TEST(Ga4RowMapper, KnownSha256Prefix) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  EXPECT_EQ(RowEventId("abc"), "ba7816bf8f01cfea414140de5dae2223");
}

TEST_F(Ga4ExportTest, BadRowsAreReportedWithFileAndLine) {
  const std::string path = dir.file("bad.ndjson");
  WriteFile(path,
            "{\"event_name\":\"page_view\"}\n"
            "{\"event_timestamp\":\"soon\",\"event_name\":\"page_view\"}\n"
            "{\"event_timestamp\":\"1\",\"event_name\":null}\n"
            "{\"event_timestamp\":\"1\",\n"
            "{\"event_timestamp\":true,\"event_name\":\"x\"}\n"
            "{\"event_timestamp\":\"1\",\"event_name\":\"ok\"}\n");
  ASSERT_TRUE(Run("{\"path\":\"" + path + "\"}").ok());
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0].action, "ok");
  ASSERT_EQ(fake->bad_records.size(), 5u);
  EXPECT_EQ(fake->bad_records[0].location, path + ":1");
  EXPECT_EQ(fake->bad_records[0].reason, "event_timestamp is missing or null");
  EXPECT_THAT(fake->bad_records[1].reason, HasSubstr("event_timestamp: \"soon\""));
  EXPECT_EQ(fake->bad_records[2].reason, "event_name is missing, null or not a string");
  EXPECT_THAT(fake->bad_records[3].reason, HasSubstr("malformed JSON"));
  EXPECT_EQ(fake->bad_records[4].reason,
            "event_timestamp: event_timestamp must be an integer (µs) or its text");

  fake->clear_captures();
  fake->policy = FakeHost::BadRecordPolicy::kFail;
  Status s = Run("{\"path\":\"" + path + "\"}");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(path + ":1: event_timestamp is missing or null"));
  EXPECT_TRUE(events().empty());
}

TEST_F(Ga4ExportTest, CheckNamesThePattern) {
  plugin::Config config(R"({"path":"nothing-here/*.ndjson.gz"})");
  Ga4ExportSource source(*host, config);
  Status s = source.check();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("no file matches " + kFixtureDir + "/nothing-here/*.ndjson.gz"));
  plugin::Config good(R"({"path":"*.ndjson"})");
  EXPECT_TRUE(Ga4ExportSource(*host, good).check().ok());
}

TEST(Ga4Config, DeclaredSpec) {
  std::vector<std::string> keys;
  for (const jk_config_field& f : kConfigFields) keys.emplace_back(f.key);
  EXPECT_THAT(keys, ElementsAre("path", "max_line_bytes", "include_events", "exclude_events"));
  EXPECT_EQ(kConfigFields[2].type, static_cast<uint32_t>(JK_CONFIG_STRING_LIST));
  plugin::Config bad(R"({"path":"x","max_line_bytes":1})");
  EXPECT_FALSE(ParseGa4Options(bad).ok());
}

}  // namespace
}  // namespace journeykit::ga4_export

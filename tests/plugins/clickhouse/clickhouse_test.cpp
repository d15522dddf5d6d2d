// clickhouse_test.cpp — the clickhouse connector: row transformation, error bodies (18.16 and
// modern, verbatim), options; whole pipelines against a real clickhouse-server started once
// for the program on loopback (skipped with a message when the package is missing, failed
// when it is installed but does not start); and a 500-then-200 retry against a mock server.
#include <journeykit/pipeline.hpp>
#include <journeykit/plugin_registry.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "clickhouse_connector.hpp"
#include "clickhouse_errors.hpp"
#include "clickhouse_options.hpp"
#include "clickhouse_rows.hpp"
#include "plugins/test_files.hpp"
#include "support/clickhouse_server.hpp"
#include "support/fake_host.hpp"
#include "support/mock_http_server.hpp"

namespace journeykit::clickhouse {
namespace {

using journeykit::testing::ClickHouseServer;
using journeykit::testing::MockHttpServer;
using journeykit::testing::MockReply;
using journeykit::testing::MockRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kJan2At10 = 1767348000;  // 2026-01-02T10:00:00Z
// sha256("jana@example.org") (python3 hashlib)
constexpr const char* kJanaSha256 =
    "2ce29f16dc2557d219c38b5ccd6936cb6b4e6ac7564a3e99e75b6547d534066f";

// A JSON value as text: strings without quotes, everything else minified.
std::string Text(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(e);
}

std::map<std::string, std::string> Fields(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::map<std::string, std::string> out;
  if (parser.parse(json.data(), json.size()).get(object) != simdjson::SUCCESS) {
    ADD_FAILURE() << "not a JSON object: " << json;
    return out;
  }
  for (auto field : object) out[std::string(field.key)] = Text(field.value);
  return out;
}

// ---- rows ------------------------------------------------------------------------------------

TEST(ClickHouseTimes, FormatAndParse) {
  EXPECT_EQ(FormatDateTime(kJan2At10 * 1000000), "2026-01-02 10:00:00");
  EXPECT_EQ(FormatDateTime(kJan2At10 * 1000000 + 999999), "2026-01-02 10:00:00");
  EXPECT_EQ(FormatDateTime(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatDateTime(-1), "1970-01-01 00:00:00");  // clamped to DateTime's range
  EXPECT_EQ(FormatDateTime(int64_t{5000000000} * 1000000), "2106-02-07 06:28:15");
  EXPECT_EQ(ParseIsoTimeUs("2026-01-02T10:00:00.000000Z"), kJan2At10 * 1000000);
  EXPECT_EQ(ParseIsoTimeUs("2026-01-02T10:00:00Z"), kJan2At10 * 1000000);
  EXPECT_EQ(ParseIsoTimeUs("2026-01-02T10:00:00.25+00:00"), kJan2At10 * 1000000 + 250000);
  EXPECT_EQ(ParseIsoTimeUs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoTimeUs("2024-02-29T23:59:59.000001Z"), int64_t{1709251199000001});
  EXPECT_EQ(ParseIsoTimeUs("2026-01-02T10:00:00+02:00"), std::nullopt);
  EXPECT_EQ(ParseIsoTimeUs("2026-13-02T10:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseIsoTimeUs("yesterday"), std::nullopt);
}

TEST(ClickHouseRows, AnEventWithNullsAndEscapes) {
  RowEncoder encoder;
  auto row = encoder.Encode(
      Table::kEvents,
      R"({"person_id":null,"source":"web","event_id":"e\"1","time":"2026-01-02T10:00:00.000000Z",)"
      R"("time_us":1767348000123456,"action":"page_view","touchpoint":"site","channel":"website",)"
      R"("online":true,"stage":null,"url":"https://x.example/?q=\"a\"\\b\nc\u00e9"})",
      kJan2At10 * 1000000);
  ASSERT_TRUE(row.ok()) << row.status().message();
  auto f = Fields(*row);
  EXPECT_EQ(f["person_id"], "null");
  EXPECT_EQ(f["event_id"], "e\"1");
  EXPECT_EQ(f["time"], "2026-01-02 10:00:00");
  EXPECT_EQ(f["time_us"], "1767348000123456");
  EXPECT_EQ(f["online"], "1");
  EXPECT_EQ(f["stage"], "null");
  EXPECT_EQ(f["value"], "null");
  EXPECT_EQ(f["currency"], "null");
  EXPECT_EQ(f["url"], "https://x.example/?q=\"a\"\\b\nc\xC3\xA9");
  EXPECT_EQ(f["synced_at"], "2026-01-02 10:00:00");
  EXPECT_EQ(f.size(), 15u);  // every column of the events table
}

TEST(ClickHouseRows, AnEventWithValueAndTheTimeFromTheIsoText) {
  RowEncoder encoder;
  auto row = encoder.Encode(
      Table::kEvents,
      R"({"person_id":"p_1","source":"shop","event_id":"A1001","time":"2026-01-02T10:20:00.5Z",)"
      R"("action":"purchase","touchpoint":"checkout","channel":"website","online":false,)"
      R"("stage":"purchase","value":59.9,"currency":"EUR","rating":4})",
      0);
  ASSERT_TRUE(row.ok()) << row.status().message();
  auto f = Fields(*row);
  EXPECT_EQ(f["time_us"], std::to_string((kJan2At10 + 1200) * 1000000 + 500000));
  EXPECT_EQ(f["online"], "0");
  EXPECT_EQ(std::stod(f["value"]), 59.9);
  EXPECT_EQ(f["currency"], "EUR");
  EXPECT_EQ(f["rating"], "4");
}

TEST(ClickHouseRows, AJourneyWithStageEntriesAndAVersion) {
  RowEncoder encoder;
  auto row = encoder.Encode(
      Table::kJourneys,
      R"({"person_id":"p_1","email_sha256":"ab12","identities":["user_id:u1","email_sha256:ab12"],)"
      R"("segments":[],"events":3,"first_seen":"2026-01-02T10:00:00.000000Z",)"
      R"("last_seen":"2026-01-02T10:20:00.000000Z","current_stage":"purchase",)"
      R"("current_stage_name":"Purchase","stage_entries":{"awareness":"2026-01-02T10:00:00.000000Z",)"
      R"("purchase":"2026-01-02T10:20:00.000000Z"},"last_touchpoint":"checkout",)"
      R"("last_channel":"website","nps":9,"nps_category":"promoter"})",
      0);
  ASSERT_TRUE(row.ok()) << row.status().message();
  auto f = Fields(*row);
  EXPECT_EQ(f["email"], "null");
  EXPECT_EQ(f["email_sha256"], "ab12");
  EXPECT_EQ(f["identities"], R"(["user_id:u1","email_sha256:ab12"])");
  EXPECT_EQ(f["segments"], "[]");
  EXPECT_EQ(f["events"], "3");
  EXPECT_EQ(f["first_seen"], "2026-01-02 10:00:00");
  EXPECT_EQ(f["last_seen_us"], std::to_string((kJan2At10 + 1200) * 1000000));
  EXPECT_EQ(f["version"], f["last_seen_us"]);
  EXPECT_EQ(
      f["stage_entries"],
      R"({"awareness":"2026-01-02T10:00:00.000000Z","purchase":"2026-01-02T10:20:00.000000Z"})");
  EXPECT_EQ(f["stage_entry_stages"], R"(["awareness","purchase"])");
  EXPECT_EQ(f["stage_entry_times"], R"(["2026-01-02 10:00:00","2026-01-02 10:20:00"])");
  EXPECT_EQ(f["nps"], "9");
  EXPECT_EQ(f["nps_category"], "promoter");
}

TEST(ClickHouseRows, TheJourneyOfTodaysHostWithoutTheNewFields) {
  RowEncoder encoder;
  auto row = encoder.Encode(
      Table::kJourneys,
      R"({"person_id":"p_2","identities":[],"segments":["vip"],"events":1,)"
      R"("first_seen":"2026-01-02T10:00:00.000000Z","last_seen":"2026-01-02T10:00:00.000000Z",)"
      R"("current_stage":null,"stage_entries":{},"last_touchpoint":"site"})",
      0);
  ASSERT_TRUE(row.ok()) << row.status().message();
  auto f = Fields(*row);
  for (const char* k : {"email", "email_sha256", "current_stage", "current_stage_name",
                        "last_channel", "nps", "nps_category"}) {
    EXPECT_EQ(f[k], "null") << k;
  }
  EXPECT_EQ(f["stage_entry_stages"], "[]");
}

TEST(ClickHouseRows, StageAndAudienceChanges) {
  RowEncoder encoder;
  auto stage = encoder.Encode(
      Table::kStageChanges,
      R"({"person_id":"p_1","email":"jana@example.org","stage":"purchase","stage_name":"Purchase",)"
      R"("entered_at":"2026-01-02T10:20:00.000000Z","entered_at_us":1767349200000000,)"
      R"("previous_stage":"consideration"})",
      0);
  ASSERT_TRUE(stage.ok()) << stage.status().message();
  auto s = Fields(*stage);
  EXPECT_EQ(s["email"], "jana@example.org");
  EXPECT_EQ(s["entered_at"], "2026-01-02 10:20:00");
  EXPECT_EQ(s["previous_stage"], "consideration");
  for (std::string seq : {"17", "\"17\""}) {
    auto audience = encoder.Encode(
        Table::kAudienceChanges,
        R"({"seq":)" + seq +
            R"(,"audience":"vip","audience_name":"VIP","person_id":"p_1","change":"left",)"
            R"("at":"2026-01-03T00:00:00.000000Z","at_us":1767398400000000})",
        0);
    ASSERT_TRUE(audience.ok()) << audience.status().message();
    auto a = Fields(*audience);
    EXPECT_EQ(a["seq"], "17");
    EXPECT_EQ(a["change"], "left");
    EXPECT_EQ(a["at"], "2026-01-03 00:00:00");
  }
}

TEST(ClickHouseRows, ARecordThatCannotBeARowSaysWhy) {
  RowEncoder encoder;
  auto no_id = encoder.Encode(Table::kEvents, R"({"source":"web","time_us":1,"action":"x"})", 0);
  EXPECT_THAT(no_id.status().message(), HasSubstr("'event_id'"));
  auto bad_time = encoder.Encode(
      Table::kEvents, R"({"source":"web","event_id":"1","time":"soon","action":"x"})", 0);
  EXPECT_THAT(bad_time.status().message(), HasSubstr("'time'"));
  auto bad_change = encoder.Encode(Table::kAudienceChanges,
                                   R"({"seq":1,"audience":"a","person_id":"p","change":"moved",)"
                                   R"("at_us":1})",
                                   0);
  EXPECT_THAT(bad_change.status().message(), HasSubstr("moved"));
  EXPECT_FALSE(encoder.Encode(Table::kJourneys, "[1]", 0).ok());
}

TEST(ClickHouseTables, NamesAndStatements) {
  EXPECT_EQ(TableOfRecordType("event"), Table::kEvents);
  EXPECT_EQ(TableOfRecordType("audience_change"), Table::kAudienceChanges);
  EXPECT_EQ(TableOfRecordType("stage_table"), std::nullopt);
  std::string journeys = CreateTableStatement(Table::kJourneys, "analytics", "jk_journeys");
  EXPECT_THAT(journeys, HasSubstr("CREATE TABLE IF NOT EXISTS `analytics`.`jk_journeys`"));
  EXPECT_THAT(journeys, HasSubstr("ENGINE = ReplacingMergeTree(version)\nORDER BY person_id"));
  EXPECT_THAT(CreateTableStatement(Table::kEvents, "d", "e"),
              HasSubstr("ORDER BY (source, event_id)"));
}

// ---- error bodies (verbatim, docs/api-formats §12) -------------------------------------------

TEST(ClickHouseErrors, TheFormatOf18_16) {
  auto e = ParseErrorBody(
      "Code: 60, e.displayText() = DB::Exception: Table default.nope doesn't exist., e.what() = "
      "DB::Exception\n");
  EXPECT_EQ(e.code, 60);
  EXPECT_EQ(e.message, "Table default.nope doesn't exist.");
  EXPECT_EQ(e.row, std::nullopt);
  auto parse = ParseErrorBody(
      "Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected \" before: "
      "d\":\"u9\",…: (while read the value of key ts): (at row 1)\n, e.what() = DB::Exception");
  EXPECT_EQ(parse.code, 27);
  EXPECT_EQ(parse.row, 1u);
  EXPECT_EQ(parse.message,
            "Cannot parse input: expected \" before: d\":\"u9\",…: (while read the value of key "
            "ts): (at row 1)");
  auto unknown = ParseErrorBody(
      "Code: 117, e.displayText() = DB::Exception: Unknown field found while parsing JSONEachRow "
      "format: extra: (at row 1)\n, e.what() = DB::Exception");
  EXPECT_EQ(unknown.code, 117);
  EXPECT_EQ(unknown.row, 1u);
  auto password = ParseErrorBody(
      "Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = "
      "DB::Exception");
  EXPECT_EQ(password.code, 193);
  EXPECT_EQ(password.message, "Wrong password for user default");
  EXPECT_TRUE(IsAuthenticationError(401, password.code));
  auto setting = ParseErrorBody(
      "Code: 115, e.displayText() = DB::Exception: Unknown setting async_insert, e.what() = "
      "DB::Exception");
  EXPECT_EQ(setting.code, kUnknownSetting);
  EXPECT_EQ(setting.message, "Unknown setting async_insert");
}

TEST(ClickHouseErrors, TheModernFormat) {
  auto e = ParseErrorBody(
      "Code: 60. DB::Exception: Table default.nope does not exist. (UNKNOWN_TABLE) (version "
      "24.8.4.13 (official build))\n");
  EXPECT_EQ(e.code, 60);
  EXPECT_EQ(e.message, "Table default.nope does not exist. (UNKNOWN_TABLE)");
  auto auth = ParseErrorBody(
      "Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or there "
      "is no user with such name. (AUTHENTICATION_FAILED) (version 24.8.4.13 (official build))\n");
  EXPECT_EQ(auth.code, 516);
  EXPECT_TRUE(IsAuthenticationError(403, auth.code));
  auto row = ParseErrorBody(
      "Code: 27. DB::Exception: Cannot parse input: expected '\"' before: 'x': (while reading the "
      "value of key time_us): (at row 12)\n: While executing ParallelParsingBlockInputFormat. "
      "(CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 24.8.4.13 (official build))");
  EXPECT_EQ(row.code, 27);
  EXPECT_EQ(row.row, 12u);
  auto proxy = ParseErrorBody("<html><body>502 Bad Gateway</body></html>");
  EXPECT_EQ(proxy.code, 0);
  EXPECT_EQ(proxy.message, "<html><body>502 Bad Gateway</body></html>");
}

// ---- options and requests --------------------------------------------------------------------

Status ParseStatus(const std::string& json) {
  plugin::Config c(json);
  auto o = ParseClickHouseOptions(c);
  return o.ok() ? Status::Ok() : o.status();
}

TEST(ClickHouseOptions, DefaultsAndValidation) {
  plugin::Config empty("{}");
  auto o = ParseClickHouseOptions(empty);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->url, "http://127.0.0.1:8123");
  EXPECT_EQ(o->endpoint, "http://127.0.0.1:8123/");
  EXPECT_EQ(o->database, "default");
  EXPECT_EQ(o->user, "default");
  EXPECT_EQ(o->table_prefix, "journeykit_");
  EXPECT_TRUE(o->create_tables);
  EXPECT_EQ(o->max_rows_per_insert, 10000u);
  EXPECT_THAT(ParseStatus(R"({"url":"ftp://h"})").message(), HasSubstr("'url'"));
  EXPECT_THAT(ParseStatus(R"({"url":"http://u:pw@h:8123"})").message(), HasSubstr("user info"));
  EXPECT_THAT(ParseStatus(R"({"database":"a;DROP"})").message(), HasSubstr("'database'"));
  EXPECT_THAT(ParseStatus(R"({"table_prefix":"x`y"})").message(), HasSubstr("'table_prefix'"));
  EXPECT_THAT(ParseStatus(R"({"max_rows_per_insert":0})").message(),
              HasSubstr("max_rows_per_insert"));
  EXPECT_TRUE(ParseStatus(R"({"table_prefix":""})").ok());
}

TEST(ClickHouseConnector, BuildsAnInsertWithTheCredentialsInHeaders) {
  journeykit::testing::FakeHost fake;
  plugin::Host host(fake.api());
  plugin::Config config(
      R"({"url":"http://127.0.0.1:9","database":"analytics","user":"writer","password":"pw-1"})");
  ClickHouseConnector connector(host, config);
  std::vector<std::string> rows = {R"({"a":1})", R"({"a":2})"};
  plugin::HttpRequest r = connector.BuildInsert(Table::kEvents, rows);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url,
            "http://127.0.0.1:9/?query=INSERT%20INTO%20%60analytics%60.%60journeykit_events%60%20"
            "FORMAT%20JSONEachRow&input_format_skip_unknown_fields=1");
  EXPECT_EQ(r.body, "{\"a\":1}\n{\"a\":2}\n");
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["X-ClickHouse-User"], "writer");
  EXPECT_EQ(h["X-ClickHouse-Key"], "pw-1");
  EXPECT_THAT(r.url, Not(HasSubstr("pw-1")));
}

// The built library through the real loader; its README's config table has every key with
// its default.
TEST(ClickHouseConformance, TheBuiltPluginLoadsAndItsReadmeDocumentsEveryKey) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.Discover({{JK_PLUGIN_DIR}}).ok());
  const PluginInfo* info = nullptr;
  auto plugins = registry.List();
  for (const PluginInfo& p : plugins) {
    if (p.name == "clickhouse") info = &p;
  }
  ASSERT_NE(info, nullptr) << "no clickhouse plugin in " << JK_PLUGIN_DIR;
  EXPECT_EQ(info->kind, JK_KIND_CONNECTOR);
  std::ifstream in(std::string(JK_SOURCE_DIR) + "/connectors/clickhouse/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  std::map<std::string, std::string> rows;  // key → its line of the config table
  std::string line;
  while (std::getline(readme, line)) {
    if (line.starts_with("| `")) rows[line.substr(3, line.find('`', 3) - 3)] = line;
  }
  ASSERT_EQ(info->config.size(), 7u);
  for (const ConfigFieldInfo& f : info->config) {
    ASSERT_TRUE(rows.count(f.key)) << "README does not document `" << f.key << "`";
    EXPECT_THAT(rows[f.key], HasSubstr("`" + f.default_json + "`")) << f.key;
    EXPECT_EQ(rows[f.key].find("**secret**") != std::string::npos, f.secret) << f.key;
  }
}

// ---- whole runs ------------------------------------------------------------------------------

// Seven events of three people and one anonymous visitor. By hand, with the model below
// (page_view → awareness, add_to_cart → consideration, purchase → purchase):
//   u1: 10:00 page_view (with e-mail Jana@Example.org), 10:05 add_to_cart, 10:20 purchase
//       (59.9 EUR) → funnel level 3
//   u2: 11:00 page_view (url with quotes, backslash, é), next day add_to_cart → level 1
//   u3: 09:00 purchase (10 USD) only → level 0;  e7: no identity → person_id null
const char* kEvents =
    R"({"id":"e1","ts":"2026-01-02T10:00:00Z","action":"page_view","user":"u1","mail":"Jana@Example.org","page":"https://shop.example/"}
{"id":"e2","ts":"2026-01-02T10:05:00Z","action":"add_to_cart","user":"u1"}
{"id":"e3","ts":"2026-01-02T10:20:00Z","action":"purchase","user":"u1","value":59.9,"currency":"EUR"}
{"id":"e4","ts":"2026-01-02T11:00:00Z","action":"page_view","user":"u2","page":"https://shop.example/?q=\"x\"\\y\u00e9"}
{"id":"e5","ts":"2026-01-03T12:00:00Z","action":"add_to_cart","user":"u2"}
{"id":"e6","ts":"2026-01-02T09:00:00Z","action":"purchase","user":"u3","value":10,"currency":"USD"}
{"id":"e7","ts":"2026-01-04T08:00:00.250Z","action":"page_view"}
)";

class ClickHouseRun : public ::testing::Test {
 protected:
  void SetUp() override {
    journeykit::testing::WriteFile(dir_.file("events.ndjson"), kEvents);
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    prefix_ = "t_";
    for (char c : name) prefix_.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    prefix_ += "_";
  }

  // Writes the pipeline file and opens it; `connector` is the clickhouse config (JSON object
  // members).
  Result<std::unique_ptr<Pipeline>> Open(const std::string& connector, const std::string& receives,
                                         const std::string& http = "") {
    std::ostringstream p;
    p << R"({"version": 1, "plugin_paths": [")" << JK_PLUGIN_DIR << R"("],
      "state": {"path": "out/state.db"},
      "http": {"backoff_base_ms": 5, "backoff_max_ms": 20, "time_budget_ms": 10000,
               "max_attempts": 3)"
      << (http.empty() ? "" : ", " + http) << R"(},
      "sources": [{"name": "web", "plugin": "events-file", "config": {
        "path": "events.ndjson", "format": "ndjson", "time_field": "ts",
        "action_field": "action", "id_field": "id", "identity_fields": {"user_id": "user", "email": "mail"},
        "hint_fields": {"url": "page"}, "value_field": "value", "currency_field": "currency"}}],
      "connectors": [{"name": "warehouse", "plugin": "clickhouse", "receives": )"
      << receives << R"(, "config": {)" << connector << R"(}}],
      "model": {"stages": [
        {"id": "awareness", "name": "Awareness", "when": [{"action": "page_view"}]},
        {"id": "consideration", "name": "Consideration", "when": [{"action": "add_to_cart"}]},
        {"id": "purchase", "name": "Purchase", "goal": true, "when": [{"action": "purchase"}]}]},
      "audiences": [{"id": "buyers", "name": "Buyers", "reached_stage": "purchase"}]})";
    std::string path = dir_.file("pipeline.json");
    journeykit::testing::WriteFile(path, p.str());
    PipelineOptions options;
    options.search_install_dir = false;
    options.log = [this](LogLevel, const std::string& m) { log_ += m + "\n"; };
    return Pipeline::Open(path, options);
  }

  Result<RunReport> Run(const std::string& connector, const std::string& receives,
                        const std::string& http = "") {
    auto pipeline = Open(connector, receives, http);
    if (!pipeline.ok()) return pipeline.status();
    return (*pipeline)->Run();
  }

  // The connector's outcome: a failed batch is dead-lettered and reported in its delivery,
  // the run itself goes on.
  static Status Delivery(const Result<RunReport>& r) {
    if (!r.ok()) return r.status();
    if (r->deliveries.size() != 1) return InternalError("expected one delivery report");
    return r->deliveries[0].status;
  }

  journeykit::testing::TempDir dir_;
  std::string prefix_;
  std::string log_;
};

// Runs against the shared server: skipped when clickhouse-server is not installed, failed
// when it is but does not start.
class ClickHouseServerRun : public ClickHouseRun {
 protected:
  void SetUp() override {
    ClickHouseRun::SetUp();
    ClickHouseServer& server = journeykit::testing::SharedClickHouseServer();
    if (server.binary_missing()) {
      GTEST_SKIP() << server.error() << " — CI installs it (scripts/install-deps.sh)";
    }
    ASSERT_TRUE(server.running()) << server.error();
    server_ = &server;
  }

  std::string Config(const std::string& extra = "") const {
    return R"("url": ")" + server_->url() + R"(", "table_prefix": ")" + prefix_ + "\"" +
           (extra.empty() ? "" : ", " + extra);
  }
  std::string Table(std::string_view suffix) const {
    return "default." + prefix_ + std::string(suffix);
  }
  // Every row of a query, FORMAT JSONEachRow, as name → text.
  std::vector<std::map<std::string, std::string>> Rows(const std::string& sql) const {
    std::vector<std::map<std::string, std::string>> out;
    std::istringstream lines(server_->Query(sql + " FORMAT JSONEachRow"));
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty()) out.push_back(Fields(line));
    }
    return out;
  }
  std::string Scalar(const std::string& sql) const {
    std::string s = server_->Query(sql);
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }

  ClickHouseServer* server_ = nullptr;
};

TEST_F(ClickHouseServerRun, EventsAndJourneysLandWithTheirValues) {
  RecordProperty("clickhouse_version", server_->version());
  auto r = Run(Config(), R"(["events", "journeys"])");
  ASSERT_TRUE(Delivery(r).ok()) << Delivery(r).message() << "\n" << log_;
  auto events = Rows("SELECT * FROM " + Table("events") + " FINAL ORDER BY event_id");
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0]["source"], "web");
  EXPECT_EQ(events[0]["event_id"], "e1");
  EXPECT_EQ(events[0]["time"], "2026-01-02 10:00:00");
  EXPECT_EQ(events[0]["time_us"], std::to_string(kJan2At10 * 1000000));
  EXPECT_EQ(events[0]["action"], "page_view");
  EXPECT_EQ(events[0]["stage"], "awareness");
  EXPECT_EQ(events[0]["url"], "https://shop.example/");
  EXPECT_EQ(events[0]["value"], "null");
  EXPECT_EQ(events[2]["stage"], "purchase");
  EXPECT_EQ(events[2]["value"], "59.9");
  EXPECT_EQ(events[2]["currency"], "EUR");
  EXPECT_EQ(events[2]["time"], "2026-01-02 10:20:00");
  EXPECT_EQ(events[3]["url"], "https://shop.example/?q=\"x\"\\y\xC3\xA9");
  EXPECT_EQ(events[5]["value"], "10");
  EXPECT_EQ(events[6]["person_id"], "null");
  EXPECT_EQ(events[6]["time"], "2026-01-04 08:00:00");
  EXPECT_EQ(events[6]["time_us"],
            std::to_string((kJan2At10 + 2 * 86400 - 7200) * 1000000 + 250000));
  // One person per user, the same in both tables.
  EXPECT_EQ(events[0]["person_id"], events[1]["person_id"]);
  EXPECT_EQ(events[0]["person_id"], events[2]["person_id"]);
  EXPECT_NE(events[0]["person_id"], events[3]["person_id"]);
  auto journeys = Rows("SELECT * FROM " + Table("journeys") + " FINAL ORDER BY first_seen_us");
  ASSERT_EQ(journeys.size(), 3u);
  auto& u3 = journeys[0];  // 09:00
  auto& u1 = journeys[1];  // 10:00
  auto& u2 = journeys[2];  // 11:00
  EXPECT_EQ(u1["person_id"], events[0]["person_id"]);
  EXPECT_THAT(u1["identities"], HasSubstr("\"user_id:u1\""));
  EXPECT_EQ(u1["events"], "3");
  EXPECT_EQ(u1["first_seen"], "2026-01-02 10:00:00");
  EXPECT_EQ(u1["last_seen"], "2026-01-02 10:20:00");
  EXPECT_EQ(u1["last_seen_us"], std::to_string((kJan2At10 + 1200) * 1000000));
  EXPECT_EQ(u1["version"], u1["last_seen_us"]);
  EXPECT_EQ(u1["current_stage"], "purchase");
  EXPECT_EQ(u1["current_stage_name"], "Purchase");
  // The pipeline hashes e-mails: sha256("jana@example.org"), and no address.
  EXPECT_EQ(u1["email_sha256"], kJanaSha256);
  EXPECT_EQ(u1["email"], "null");
  EXPECT_THAT(u1["identities"], HasSubstr("\"email_sha256:" + std::string(kJanaSha256) + "\""));
  EXPECT_EQ(u1["nps"], "null");
  EXPECT_EQ(u2["email_sha256"], "null");
  EXPECT_EQ(u1["stage_entry_stages"], R"(["awareness","consideration","purchase"])");
  EXPECT_EQ(u1["stage_entry_times"],
            R"(["2026-01-02 10:00:00","2026-01-02 10:05:00","2026-01-02 10:20:00"])");
  EXPECT_EQ(u2["events"], "2");
  EXPECT_EQ(u2["current_stage"], "consideration");
  EXPECT_EQ(u3["events"], "1");
  EXPECT_EQ(u3["stage_entry_stages"], R"(["purchase"])");
  // The README's funnel query.
  auto funnel = Rows(
      "SELECT person_id, windowFunnel(3600)(time, action = 'page_view', action = 'add_to_cart', "
      "action = 'purchase') AS level FROM " +
      Table("events") + " FINAL WHERE person_id IS NOT NULL GROUP BY person_id");
  std::map<std::string, std::string> level;
  for (auto& row : funnel) level[row["person_id"]] = row["level"];
  EXPECT_EQ(level[u1["person_id"]], "3");
  EXPECT_EQ(level[u2["person_id"]], "1");
  EXPECT_EQ(level[u3["person_id"]], "0");
  // The README's other queries.
  EXPECT_EQ(Scalar("SELECT groupArray(c) FROM (SELECT stage, count() AS c FROM " + Table("events") +
                   " FINAL GROUP BY stage ORDER BY stage)"),
            "[3,2,2]");  // awareness e1 e4 e7, consideration e2 e5, purchase e3 e6
  auto to_purchase = Rows(
      "SELECT person_id, stage_entry_times[indexOf(stage_entry_stages, 'purchase')] - first_seen "
      "AS seconds FROM " +
      Table("journeys") + " FINAL WHERE has(stage_entry_stages, 'purchase') ORDER BY seconds");
  ASSERT_EQ(to_purchase.size(), 2u);
  EXPECT_EQ(to_purchase[0]["seconds"], "0");     // u3: the purchase was the first event
  EXPECT_EQ(to_purchase[1]["seconds"], "1200");  // u1: 10:00 → 10:20
  EXPECT_THAT(log_, HasSubstr("7 into `default`.`" + prefix_ + "events`"));
}

TEST_F(ClickHouseServerRun, StageAndAudienceChangesLand) {
  auto r = Run(Config(), R"(["stage_changes", "audience_changes"])");
  ASSERT_TRUE(Delivery(r).ok()) << Delivery(r).message() << "\n" << log_;
  // By hand: u1 awareness → consideration → purchase, u2 awareness → consideration, u3
  // purchase; the buyers are u1 and u3.
  auto stages = Rows("SELECT * FROM " + Table("stage_changes") + " FINAL ORDER BY entered_at_us");
  ASSERT_EQ(stages.size(), 6u);
  EXPECT_EQ(stages[0]["stage"], "purchase");  // u3 at 09:00
  EXPECT_EQ(stages[0]["stage_name"], "Purchase");
  EXPECT_EQ(stages[0]["previous_stage"], "null");
  EXPECT_EQ(stages[0]["entered_at"], "2026-01-02 09:00:00");
  EXPECT_EQ(stages[3]["stage"], "purchase");  // u1 at 10:20
  EXPECT_EQ(stages[3]["previous_stage"], "consideration");
  EXPECT_EQ(stages[3]["entered_at_us"], std::to_string((kJan2At10 + 1200) * 1000000));
  EXPECT_EQ(stages[5]["stage"], "consideration");  // u2, the next day
  EXPECT_EQ(stages[5]["entered_at"], "2026-01-03 12:00:00");
  auto audience = Rows("SELECT * FROM " + Table("audience_changes") + " FINAL ORDER BY seq");
  ASSERT_EQ(audience.size(), 2u);
  for (auto& row : audience) {
    EXPECT_EQ(row["audience"], "buyers");
    EXPECT_EQ(row["audience_name"], "Buyers");
    EXPECT_EQ(row["change"], "entered");
  }
  std::set<std::string> buyers = {audience[0]["person_id"], audience[1]["person_id"]};
  EXPECT_EQ(buyers, (std::set<std::string>{stages[0]["person_id"], stages[3]["person_id"]}));
  EXPECT_EQ(Scalar("EXISTS TABLE " + Table("events")), "0");  // only the tables it writes
}

TEST_F(ClickHouseServerRun, ARerunLeavesTheCountsWithFinalUnchanged) {
  auto first = Run(Config(), R"(["events", "journeys"])");
  ASSERT_TRUE(Delivery(first).ok()) << Delivery(first).message() << log_;
  EXPECT_EQ(first->deliveries[0].delivered, 10u);  // 7 events, 3 journeys
  // Without its state the pipeline sends every record again (as from another machine).
  std::filesystem::remove_all(dir_.file("out"));
  auto second = Run(Config(), R"(["events", "journeys"])");
  ASSERT_TRUE(Delivery(second).ok()) << Delivery(second).message() << log_;
  EXPECT_EQ(second->deliveries[0].delivered, 10u);
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("events") + " FINAL"), "7");
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("journeys") + " FINAL"), "3");
  EXPECT_GE(std::stoi(Scalar("SELECT count() FROM " + Table("events"))), 7);  // until a merge
  // A new event of u1: the newer snapshot (higher version = last_seen_us) wins.
  journeykit::testing::AppendFile(
      dir_.file("events.ndjson"),
      R"({"id":"e8","ts":"2026-01-05T10:00:00Z","action":"page_view","user":"u1"})"
      "\n");
  ASSERT_TRUE(Delivery(Run(Config(), R"(["events", "journeys"])")).ok()) << log_;
  server_->Query("OPTIMIZE TABLE " + Table("events") + " FINAL");
  server_->Query("OPTIMIZE TABLE " + Table("journeys") + " FINAL");
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("events")), "8");
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("journeys")), "3");
  EXPECT_EQ(
      Scalar("SELECT events FROM " + Table("journeys") + " WHERE has(identities, 'user_id:u1')"),
      "4");
}

TEST_F(ClickHouseServerRun, WithoutCreateTablesAMissingTableIsAClearError) {
  EXPECT_EQ(Scalar("EXISTS TABLE " + Table("events")), "0");
  auto r = Run(Config(R"("create_tables": false)"), R"(["events"])");
  Status d = Delivery(r);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.message(), HasSubstr("HTTP 404"));
  EXPECT_THAT(d.message(), HasSubstr("Code 60"));
  EXPECT_THAT(d.message(), HasSubstr(prefix_ + "events"));
  EXPECT_THAT(d.message(), HasSubstr("create_tables"));
  EXPECT_THAT(d.message(), HasSubstr(server_->url()));
  EXPECT_EQ(r->deliveries[0].dead_letters, 7u);
  // With create_tables, `journeykit replay` creates the table and sends the batch again.
  auto pipeline = Open(Config(), R"(["events"])");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  auto replay = (*pipeline)->Replay();
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_TRUE((*replay)[0].status.ok()) << (*replay)[0].status.message();
  EXPECT_EQ((*replay)[0].delivered, 7u);
  EXPECT_EQ(Scalar("EXISTS TABLE " + Table("events")), "1");
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("events") + " FINAL"), "7");
  EXPECT_EQ(Scalar("EXISTS TABLE " + Table("journeys")), "0");  // only what it writes
}

TEST_F(ClickHouseServerRun, AWrongPasswordIsAClearErrorWithoutThePassword) {
  std::string user = std::string(ClickHouseServer::kWriter);
  ::setenv("CLICKHOUSE_PASSWORD", "not-the-Pa55word", 1);
  auto r = Run(Config(R"("user": ")" + user + R"(", "password": "${env:CLICKHOUSE_PASSWORD}")"),
               R"(["events"])");
  Status d = Delivery(r);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.message(), HasSubstr("HTTP 401"));
  EXPECT_THAT(d.message(), HasSubstr("Wrong password for user " + user));
  EXPECT_THAT(d.message(), HasSubstr("CLICKHOUSE_PASSWORD"));
  EXPECT_THAT(d.message(), Not(HasSubstr("not-the-Pa55word")));
  EXPECT_THAT(log_, Not(HasSubstr("not-the-Pa55word")));
  // The right password: the replay of the dead-lettered batch goes through.
  ::setenv("CLICKHOUSE_PASSWORD", std::string(ClickHouseServer::kWriterPassword).c_str(), 1);
  auto pipeline =
      Open(Config(R"("user": ")" + user + R"(", "password": "${env:CLICKHOUSE_PASSWORD}")"),
           R"(["events"])");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  auto replay = (*pipeline)->Replay();
  ::unsetenv("CLICKHOUSE_PASSWORD");
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_TRUE((*replay)[0].status.ok()) << (*replay)[0].status.message();
  EXPECT_EQ((*replay)[0].delivered, 7u);
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("events") + " FINAL"), "7");
  EXPECT_THAT(log_, Not(HasSubstr(ClickHouseServer::kWriterPassword)));
}

TEST_F(ClickHouseServerRun, AMissingDatabaseSaysToCreateIt) {
  auto r = Run(Config(R"("database": "no_such_db")"), R"(["events"])");
  Status d = Delivery(r);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.message(), HasSubstr("Code 81"));
  EXPECT_THAT(d.message(), HasSubstr("CREATE DATABASE no_such_db"));
}

TEST_F(ClickHouseServerRun, RefusedRowsAreDeadLetteredAndReplayedWithoutDuplicates) {
  // A table made by hand where a currency has two letters: "EUR" (e3) and "USD" (e6) do not
  // fit, the five other events do.
  std::string statement = CreateTableStatement(Table::kEvents, "default", prefix_ + "events");
  statement.replace(statement.find("currency    Nullable(String)"), 28,
                    "currency    Nullable(FixedString(2))");
  server_->Query(statement);
  auto r = Run(Config(), R"(["events"])");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->deliveries.size(), 1u);
  const DeliveryReport& d = r->deliveries[0];
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_EQ(d.rejected, 2u);
  EXPECT_EQ(d.delivered, 5u);
  EXPECT_EQ(d.dead_letters, 2u);
  EXPECT_EQ(Scalar("SELECT groupArray(event_id) FROM (SELECT event_id FROM " + Table("events") +
                   " FINAL ORDER BY event_id)"),
            "['e1','e2','e4','e5','e7']");
  EXPECT_THAT(log_, HasSubstr("Too large value for FixedString(2)"));
  // Fix the table, replay the dead letters, and rerun: every event once.
  server_->Query("ALTER TABLE " + Table("events") + " MODIFY COLUMN currency Nullable(String)");
  auto pipeline = Open(Config(), R"(["events"])");
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  auto replay = (*pipeline)->Replay();
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  ASSERT_EQ(replay->size(), 1u);
  EXPECT_TRUE((*replay)[0].status.ok()) << (*replay)[0].status.message();
  EXPECT_EQ((*replay)[0].delivered, 2u);
  EXPECT_EQ((*replay)[0].dead_letters, 0u);
  ASSERT_TRUE(Delivery(Run(Config(), R"(["events"])")).ok()) << log_;
  EXPECT_EQ(Scalar("SELECT count() FROM " + Table("events") + " FINAL"), "7");
  EXPECT_EQ(Scalar("SELECT currency FROM " + Table("events") + " FINAL WHERE event_id = 'e3'"),
            "EUR");
}

// A host with HTTP for driving the connector directly: requests go to 127.0.0.1 in one
// attempt; rejected records land in fake.bad_records.
class DirectHost {
 public:
  DirectHost() : api_(*fake.api()) {
    api_.http_send = &Send;
    api_.add_secret = [](void*, jk_str) {};
  }
  const jk_host_api* api() const { return &api_; }
  journeykit::testing::FakeHost fake;

 private:
  static int32_t Send(void*, const jk_http_request* requests, size_t count, jk_http_sink sink,
                      void* sink_ctx) {
    for (size_t i = 0; i < count; ++i) {
      std::string url(plugin::FromJk(requests[i].url));
      std::string rest = url.substr(url.find("://") + 3);
      std::string target = rest.substr(rest.find('/'));
      auto port = static_cast<uint16_t>(std::stoi(rest.substr(rest.find(':') + 1)));
      std::vector<std::pair<std::string, std::string>> headers;
      for (size_t h = 0; h < requests[i].header_count; ++h) {
        headers.emplace_back(plugin::FromJk(requests[i].headers[h].key),
                             plugin::FromJk(requests[i].headers[h].value));
      }
      auto a =
          journeykit::testing::HttpCallWithHeaders(port, plugin::FromJk(requests[i].method), target,
                                                   plugin::FromJk(requests[i].body), headers);
      std::string error =
          a.status >= 200 && a.status < 300 ? "" : "HTTP " + std::to_string(a.status);
      jk_http_response r{};
      r.struct_size = sizeof r;
      r.status = a.status;
      r.body = plugin::ToJk(a.body);
      r.error = plugin::ToJk(error);
      r.attempts = 1;
      sink(sink_ctx, i, &r);
    }
    return JK_OK;
  }
  jk_host_api api_;
};

TEST_F(ClickHouseServerRun, RefusedRowsAreSetAsideAndTheOthersWritten) {
  std::string statement = CreateTableStatement(Table::kEvents, "default", prefix_ + "events");
  statement.replace(statement.find("currency    Nullable(String)"), 28,
                    "currency    Nullable(FixedString(3))");
  server_->Query(statement);
  DirectHost direct;
  plugin::Host host(direct.api());
  plugin::Config config("{" + Config() + "}");
  ClickHouseConnector connector(host, config);
  ASSERT_TRUE(connector.check().ok());
  std::vector<std::array<std::string, 3>> data;
  for (int i = 1; i <= 5; ++i) {
    std::string id = "d" + std::to_string(i);
    std::string currency = i == 2 || i == 4 ? "EURO" : "EUR";  // rows 2 and 4 do not fit
    data.push_back(
        {"event", "web:" + id,
         R"({"person_id":"p_1","source":"web","event_id":")" + id +
             R"(","time_us":1767348000000000,"action":"purchase","value":1,"currency":")" +
             currency + "\"}"});
  }
  data.push_back({"stage_table", "x", "{}"});  // not written, said once
  std::vector<jk_record> records;
  for (auto& d : data) {
    records.push_back(
        jk_record{sizeof(jk_record), plugin::ToJk(d[0]), plugin::ToJk(d[1]), plugin::ToJk(d[2])});
  }
  Status s = connector.write(records);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(direct.fake.bad_records.size(), 2u);
  EXPECT_EQ(direct.fake.bad_records[0].location, "web:d2");
  EXPECT_EQ(direct.fake.bad_records[1].location, "web:d4");
  EXPECT_THAT(direct.fake.bad_records[0].reason, HasSubstr("FixedString(3)"));
  EXPECT_EQ(Scalar("SELECT groupArray(event_id) FROM (SELECT event_id FROM " + Table("events") +
                   " ORDER BY event_id)"),
            "['d1','d3','d5']");
  EXPECT_TRUE(direct.fake.logged("'stage_table' records are not written"));
  ASSERT_TRUE(connector.flush().ok());
  EXPECT_TRUE(direct.fake.logged("2 records set aside"));
}

// ---- a mock server: a 500 is retried by the host, then the batch is accepted ----------------

TEST_F(ClickHouseRun, A500IsRetriedThenTheBatchIsAccepted) {
  std::atomic<int> inserts{0};
  MockHttpServer mock([&](const MockRequest& q) {
    MockReply reply;
    reply.headers.emplace_back("Content-Type", "text/plain; charset=UTF-8");
    if (q.query("query").starts_with("INSERT") && inserts++ == 0) {
      reply.status = 500;
      reply.body =
          "Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are "
          "processing significantly slower than inserts., e.what() = DB::Exception\n";
    }
    return reply;
  });
  auto r = Run(R"("url": ")" + mock.url() + R"(", "password": "mock-pass-1")", R"(["events"])");
  ASSERT_TRUE(Delivery(r).ok()) << Delivery(r).message();
  auto q = mock.requests();
  ASSERT_EQ(q.size(), 3u);  // CREATE TABLE, INSERT (500), INSERT again
  EXPECT_THAT(q[0].body, HasSubstr("CREATE TABLE IF NOT EXISTS `default`.`journeykit_events`"));
  EXPECT_EQ(q[1].query("query"), "INSERT INTO `default`.`journeykit_events` FORMAT JSONEachRow");
  EXPECT_EQ(q[1].query("input_format_skip_unknown_fields"), "1");
  EXPECT_EQ(q[1].body, q[2].body);
  EXPECT_EQ(std::count(q[2].body.begin(), q[2].body.end(), '\n'), 7);
  EXPECT_EQ(q[2].header("x-clickhouse-user"), "default");
  EXPECT_EQ(q[2].header("x-clickhouse-key"), "mock-pass-1");
  EXPECT_THAT(log_, Not(HasSubstr("mock-pass-1")));
}

TEST_F(ClickHouseRun, InsertsAreChunkedByMaxRowsPerInsertAndTablesCreatedOnce) {
  MockHttpServer mock([](const MockRequest&) { return MockReply(); });
  auto r = Run(R"("url": ")" + mock.url() + R"(", "max_rows_per_insert": 3, "table_prefix": "x_")",
               R"(["events", "journeys"])");
  ASSERT_TRUE(Delivery(r).ok()) << Delivery(r).message();
  std::vector<std::string> seen;  // CREATE <table> / INSERT <table> <rows>
  for (const MockRequest& q : mock.requests()) {
    std::string table = q.body.find("x_journeys") != std::string::npos ||
                                q.query("query").find("x_journeys") != std::string::npos
                            ? "journeys"
                            : "events";
    if (q.query("query").empty()) {
      seen.push_back("CREATE " + table);
    } else {
      seen.push_back("INSERT " + table + " " +
                     std::to_string(std::count(q.body.begin(), q.body.end(), '\n')));
    }
  }
  EXPECT_THAT(seen, ElementsAre("CREATE events", "INSERT events 3", "INSERT events 3",
                                "INSERT events 1", "CREATE journeys", "INSERT journeys 3"));
}

TEST_F(ClickHouseRun, A500ThatStaysFailsNamingServerTableAndMessage) {
  MockHttpServer mock([&](const MockRequest& q) {
    MockReply reply;
    if (q.query("query").starts_with("INSERT")) {
      reply.status = 500;
      reply.body =
          "Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded, "
          "e.what() = DB::Exception\n";
    }
    return reply;
  });
  auto r = Run(R"("url": ")" + mock.url() + R"(")", R"(["events"])");
  Status d = Delivery(r);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.message(), HasSubstr(mock.url()));
  EXPECT_THAT(d.message(), HasSubstr("`default`.`journeykit_events`"));
  EXPECT_THAT(d.message(), HasSubstr("HTTP 500 after 3 attempts"));
  EXPECT_THAT(d.message(), HasSubstr("Code 241: Memory limit (for query) exceeded"));
  EXPECT_THAT(d.message(), HasSubstr("journeykit replay"));
}

}  // namespace
}  // namespace journeykit::clickhouse

// Tests of the events-file source: config, NDJSON and CSV mapping, time formats, gzip, globs,
// incremental reads, bad records and their policies, long lines, truncated gzip, cancel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>

#include "events_file_options.hpp"
#include "events_file_source.hpp"
#include "plugins/test_files.hpp"
#include "support/fake_host.hpp"

namespace journeykit::events_file {
namespace {

using journeykit::testing::AppendFile;
using journeykit::testing::FakeHost;
using journeykit::testing::TempDir;
using journeykit::testing::TruncateFile;
using journeykit::testing::WriteFile;
using journeykit::testing::WriteGzip;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr int64_t kT = 1710498030LL * 1000000;  // 2024-03-15T10:20:30Z

// Drives one EventsFileSource against a FakeHost rooted in a temp dir.
class EventsFileTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::unique_ptr<FakeHost> fake = std::make_unique<FakeHost>(dir.path());
  std::unique_ptr<plugin::Host> host = std::make_unique<plugin::Host>(fake->api());

  std::unique_ptr<EventsFileSource> Make(const std::string& config_json) {
    plugin::Config config(config_json);
    EXPECT_TRUE(config.valid()) << config_json;
    return std::make_unique<EventsFileSource>(*host, config);
  }
  Status Run(const std::string& config_json, std::string_view state = {}, size_t batch = 4096) {
    auto source = Make(config_json);
    source->set_batch_size(batch);
    return source->read("files", state);
  }
  const std::vector<plugin::Event>& events() { return fake->events("files"); }
};

std::string Value(const std::vector<std::pair<std::string, std::string>>& pairs,
                  std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return "<absent>";
}

// ---------------------------------------------------------------- config

Status ParseConfig(const std::string& json) {
  plugin::Config config(json);
  Result<EventsFileOptions> o = ParseEventsFileOptions(config);
  return o.ok() ? Status::Ok() : o.status();
}

TEST(EventsFileConfig, RequiresActionOrActionField) {
  Status s = ParseConfig(R"({"path":"x.csv","time_field":"ts"})");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("set 'action_field'"));
  EXPECT_TRUE(ParseConfig(R"({"path":"x.csv","time_field":"ts","action":"a"})").ok());
  EXPECT_TRUE(ParseConfig(R"({"path":"x.csv","time_field":"ts","action_field":"a"})").ok());
}

TEST(EventsFileConfig, RejectsBadValues) {
  const std::string base = R"("path":"x","time_field":"ts","action":"a")";
  EXPECT_THAT(ParseConfig("{" + base + R"(,"format":"xml"})").message(), HasSubstr("'format'"));
  EXPECT_THAT(ParseConfig("{" + base + R"(,"delimiter":";;"})").message(),
              HasSubstr("'delimiter'"));
  EXPECT_THAT(ParseConfig("{" + base + R"(,"time_format":"unix"})").message(),
              HasSubstr("time_format"));
  EXPECT_THAT(ParseConfig("{" + base + R"(,"identity_fields":{"email":3}})").message(),
              HasSubstr("identity_fields.email"));
  EXPECT_THAT(ParseConfig("{" + base + R"(,"max_line_bytes":0})").message(),
              HasSubstr("max_line_bytes"));
}

TEST(EventsFileConfig, DeclaredSpecMatchesTheReadme) {
  std::vector<std::string> keys;
  for (const jk_config_field& f : kConfigFields) keys.emplace_back(f.key);
  EXPECT_THAT(
      keys, ElementsAre("path", "format", "delimiter", "time_field", "time_format", "action_field",
                        "action", "id_field", "identity_fields", "hint_fields", "hints",
                        "value_field", "currency_field", "rating_field", "sentiment_field",
                        "text_field", "currency", "property_fields", "max_line_bytes"));
  EXPECT_EQ(kConfigFields[0].required, 1u);  // path
  EXPECT_EQ(kConfigFields[3].required, 1u);  // time_field
  EXPECT_STREQ(kConfigFields[18].default_json, "16777216");
}

TEST_F(EventsFileTest, ConstructorThrowsOnBadConfig) {
  EXPECT_THROW(Make(R"({"path":"x.csv","time_field":"ts"})"), std::invalid_argument);
}

// ---------------------------------------------------------------- mapping

TEST_F(EventsFileTest, NdjsonMappingExactValues) {
  WriteFile(
      dir.file("events.ndjson"),
      R"({"ts":"2024-03-15T10:20:30Z","type":"purchase","user":{"id":"u-1","email":"Jana@Example.org"},"page":"https://shop.example.com/checkout","src":"newsletter","amount":"59.90","cur":"EUR","stars":4,"mood":-0.5,"note":"fast delivery","sku":"SKU-123","qty":2,"id":"ord-1"})"
      "\n"
      R"({"ts":1710498031,"type":"page_view","user":{"id":12345},"channel":"ads","page":null})"
      "\n");
  ASSERT_TRUE(Run(R"({"path":"events.ndjson","time_field":"ts","action_field":"type",
      "identity_fields":{"user_id":"user.id","email":"user.email"},
      "hint_fields":{"url":"page","utm_source":"src","channel":"channel"},
      "hints":{"channel":"web"},
      "value_field":"amount","currency_field":"cur","rating_field":"stars",
      "sentiment_field":"mood","text_field":"note",
      "property_fields":{"sku":"sku","quantity":"qty"}})")
                  .ok())
      << fake->last_error;
  ASSERT_EQ(events().size(), 2u);
  const plugin::Event& a = events()[0];
  EXPECT_EQ(a.time_us, kT);
  EXPECT_EQ(a.action, "purchase");
  EXPECT_EQ(a.event_id, "events.ndjson:1");
  EXPECT_THAT(a.identities, ElementsAre(Pair("user_id", "u-1"), Pair("email", "Jana@Example.org")));
  EXPECT_THAT(a.hints, ElementsAre(Pair("url", "https://shop.example.com/checkout"),
                                   Pair("utm_source", "newsletter"), Pair("channel", "web")));
  EXPECT_THAT(a.properties, ElementsAre(Pair("sku", "SKU-123"), Pair("quantity", "2")));
  ASSERT_TRUE(a.value.has_value());
  EXPECT_DOUBLE_EQ(*a.value, 59.90);
  EXPECT_EQ(a.currency, "EUR");
  EXPECT_DOUBLE_EQ(*a.rating, 4.0);
  EXPECT_DOUBLE_EQ(*a.sentiment, -0.5);
  EXPECT_EQ(a.text, "fast delivery");

  const plugin::Event& b = events()[1];
  EXPECT_EQ(b.time_us, kT + 1000000);
  EXPECT_EQ(b.action, "page_view");
  EXPECT_EQ(b.event_id, "events.ndjson:2");
  EXPECT_THAT(b.identities, ElementsAre(Pair("user_id", "12345")));
  EXPECT_THAT(b.hints, ElementsAre(Pair("channel", "ads")));  // the field beats the constant
  EXPECT_FALSE(b.value.has_value());
  EXPECT_FALSE(b.rating.has_value());
  EXPECT_EQ(b.currency, "");
  EXPECT_TRUE(fake->bad_records.empty());
}

TEST_F(EventsFileTest, IdFieldAndConstantActionAndCurrency) {
  WriteFile(dir.file("w.jsonl"), R"({"t":"2024-03-15T10:20:30Z","rid":"r-9","a.b":"dotted key"})"
                                 "\n");
  ASSERT_TRUE(Run(R"({"path":"w.jsonl","time_field":"t","action":"webinar_attended",
      "id_field":"rid","currency":"USD","property_fields":{"k":"a.b"}})")
                  .ok());
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0].action, "webinar_attended");
  EXPECT_EQ(events()[0].event_id, "r-9");
  EXPECT_EQ(events()[0].currency, "USD");
  EXPECT_EQ(Value(events()[0].properties, "k"), "dotted key");
  EXPECT_TRUE(events()[0].identities.empty());  // no identity is allowed
}

TEST_F(EventsFileTest, CsvMappingExactValues) {
  WriteFile(dir.file("store.csv"),
            "when;customer;email;store;amount;note\r\n"
            "2024-03-15T11:20:30+01:00;c-1;jana@example.org;Berlin;\"12,50\";\"said \"\"hi\"\"; "
            "left\"\r\n"
            "2024-03-15 10:20:31;c-2;;Munich;7;\r\n");
  ASSERT_TRUE(Run(R"({"path":"store.csv","delimiter":";","time_field":"when",
      "action":"store_visit","identity_fields":{"customer_id":"customer","email":"email"},
      "hints":{"channel":"store"},"property_fields":{"store":"store"},
      "text_field":"note","currency":"EUR"})")
                  .ok())
      << fake->last_error;
  ASSERT_EQ(events().size(), 2u) << (fake->bad_records.empty() ? "" : fake->bad_records[0].reason);
  const plugin::Event& a = events()[0];
  EXPECT_EQ(a.time_us, kT);
  EXPECT_EQ(a.action, "store_visit");
  EXPECT_EQ(a.event_id, "store.csv:2");
  EXPECT_THAT(a.identities,
              ElementsAre(Pair("customer_id", "c-1"), Pair("email", "jana@example.org")));
  EXPECT_THAT(a.hints, ElementsAre(Pair("channel", "store")));
  EXPECT_THAT(a.properties, ElementsAre(Pair("store", "Berlin")));
  EXPECT_EQ(a.text, "said \"hi\"; left");
  EXPECT_EQ(a.currency, "EUR");
  const plugin::Event& b = events()[1];
  EXPECT_EQ(b.time_us, kT + 1000000);
  EXPECT_THAT(b.identities, ElementsAre(Pair("customer_id", "c-2")));  // empty cell: absent
  EXPECT_EQ(b.text, "");
}

TEST_F(EventsFileTest, CsvValueAndBadRows) {
  WriteFile(dir.file("s.csv"),
            "ts,action,value\n"
            "1710498030,purchase,19.99\n"
            "1710498030,purchase\n"
            "1710498030,purchase,\"unterminated\n"
            "1710498030,purchase,lots\n");
  ASSERT_TRUE(Run(R"({"path":"s.csv","time_field":"ts","action_field":"action",
      "value_field":"value"})")
                  .ok());
  ASSERT_EQ(events().size(), 1u);
  EXPECT_DOUBLE_EQ(*events()[0].value, 19.99);
  ASSERT_EQ(fake->bad_records.size(), 3u);
  EXPECT_EQ(fake->bad_records[0].location, dir.file("s.csv") + ":3");
  EXPECT_EQ(fake->bad_records[0].reason, "the record has 2 fields but the header has 3");
  EXPECT_THAT(fake->bad_records[1].reason, HasSubstr("malformed CSV: the quoted field"));
  EXPECT_EQ(fake->bad_records[2].reason, "value field 'value' value \"lots\" is not a number");
}

TEST_F(EventsFileTest, CsvQuotedFieldWithLineBreaksIsOneRecord) {
  WriteFile(dir.file("nps.csv"),
            "email,answered_at,score,comment\n"
            "a@x.org,2024-03-15T10:20:30Z,3,\"Too fast.\nSupport, slow\"\n"
            "b@x.org,2024-03-15T10:20:31Z,9,fine\n");
  ASSERT_TRUE(Run(R"({"path":"nps.csv","time_field":"answered_at","action":"nps_answer",
      "identity_fields":{"email":"email"},"rating_field":"score","text_field":"comment"})")
                  .ok())
      << fake->last_error;
  ASSERT_EQ(events().size(), 2u) << (fake->bad_records.empty() ? "" : fake->bad_records[0].reason);
  EXPECT_TRUE(fake->bad_records.empty());
  EXPECT_EQ(events()[0].text, "Too fast.\nSupport, slow");
  EXPECT_EQ(events()[0].event_id, "nps.csv:2");  // the line the record starts on
  EXPECT_EQ(*events()[0].rating, 3);
  EXPECT_EQ(events()[1].event_id, "nps.csv:4");
  EXPECT_EQ(events()[1].text, "fine");
}

TEST_F(EventsFileTest, CsvStrayQuoteDoesNotSwallowTheRestOfTheFile) {
  std::string text = "ts,action\n1710498030,\"stray\n";
  for (int i = 0; i < 150; ++i) text += "1710498030,page_view\n";
  WriteFile(dir.file("s.csv"), text);
  ASSERT_TRUE(Run(R"({"path":"s.csv","time_field":"ts","action_field":"action"})").ok());
  EXPECT_EQ(events().size(), 150u);
  ASSERT_EQ(fake->bad_records.size(), 1u);
  EXPECT_EQ(fake->bad_records[0].location, dir.file("s.csv") + ":2");
  EXPECT_THAT(fake->bad_records[0].reason, HasSubstr("is not closed"));
  EXPECT_EQ(events().front().event_id, "s.csv:3");
  EXPECT_EQ(events().back().event_id, "s.csv:152");
}

TEST_F(EventsFileTest, CsvHeaderWithoutTimeColumnSkipsFile) {
  WriteFile(dir.file("s.csv"), "time,action\n1,a\n");
  ASSERT_TRUE(Run(R"({"path":"s.csv","time_field":"ts","action_field":"action"})").ok());
  EXPECT_TRUE(events().empty());
  ASSERT_EQ(fake->bad_records.size(), 1u);
  EXPECT_EQ(fake->bad_records[0].location, dir.file("s.csv") + ":1");
  EXPECT_EQ(fake->bad_records[0].reason,
            "the CSV header has no column 'ts' (config key 'time_field'); its columns are: "
            "time, action");
}

TEST_F(EventsFileTest, EveryTimeFormat) {
  struct Case {
    const char* format;
    const char* ndjson_value;
    int64_t expected;
  };
  const Case cases[] = {
      {"epoch_s", "1710498030", kT},
      {"epoch_s", "\"1710498030.5\"", kT + 500000},
      {"epoch_ms", "1710498030123", kT + 123000},
      {"epoch_ms", "\"1710498030123\"", kT + 123000},
      {"epoch_us", "1710498030123456", kT + 123456},
      {"epoch_us", "\"1710498030123456\"", kT + 123456},
      {"iso8601", "\"2024-03-15T10:20:30.25Z\"", kT + 250000},
      {"iso8601", "\"2024-03-15T12:20:30+02:00\"", kT},
      {"auto", "1710498030", kT},
      {"auto", "1710498030123", kT + 123000},
      {"auto", "1710498030123456", kT + 123456},
      {"auto", "1710498030.5", kT + 500000},
      {"auto", "\"2024-03-15T10:20:30Z\"", kT},
      {"auto", "\"1710498030123\"", kT + 123000},
  };
  int n = 0;
  for (const Case& c : cases) {
    std::string name = "t" + std::to_string(n++) + ".ndjson";
    WriteFile(dir.file(name), std::string("{\"t\":") + c.ndjson_value + "}\n");
    fake->clear_captures();
    ASSERT_TRUE(Run(std::string(R"({"path":")") + name + R"(","time_field":"t","action":"x",)" +
                    R"("time_format":")" + c.format + "\"}")
                    .ok());
    ASSERT_EQ(events().size(), 1u)
        << c.format << " " << c.ndjson_value << ": "
        << (fake->bad_records.empty() ? "" : fake->bad_records[0].reason);
    EXPECT_EQ(events()[0].time_us, c.expected) << c.format << " " << c.ndjson_value;
  }
}

TEST_F(EventsFileTest, TimeProblemsAreBadRecords) {
  WriteFile(dir.file("t.ndjson"),
            "{\"a\":\"x\"}\n"
            "{\"t\":\"soon\",\"a\":\"x\"}\n"
            "{\"t\":{\"s\":1},\"a\":\"x\"}\n"
            "{\"t\":\"2024-03-15T10:20:30Z\",\"a\":\"x\"}\n");
  ASSERT_TRUE(Run(R"({"path":"t.ndjson","time_field":"t","action_field":"a",
      "time_format":"epoch_s"})")
                  .ok());
  EXPECT_TRUE(events().empty());
  ASSERT_EQ(fake->bad_records.size(), 4u);
  EXPECT_EQ(fake->bad_records[0].reason, "time field 't' is missing");
  EXPECT_THAT(fake->bad_records[1].reason, HasSubstr("\"soon\" is not an epoch number"));
  EXPECT_EQ(fake->bad_records[2].reason, "time field 't' must be a number or a string");
  EXPECT_THAT(fake->bad_records[3].reason, HasSubstr("time_format is epoch_s"));
}

// ---------------------------------------------------------------- files

TEST_F(EventsFileTest, GzipFile) {
  WriteGzip(dir.file("e.ndjson.gz"),
            "{\"t\":1710498030,\"a\":\"x\"}\n{\"t\":1710498031,\"a\":\"y\"}\n");
  ASSERT_TRUE(Run(R"({"path":"e.ndjson.gz","time_field":"t","action_field":"a"})").ok())
      << fake->last_error;
  ASSERT_EQ(events().size(), 2u);
  EXPECT_EQ(events()[1].event_id, "e.ndjson.gz:2");
  EXPECT_EQ(events()[1].action, "y");

  // Unchanged .gz: nothing is read again.
  std::string state = fake->state("files");
  fake->clear_captures();
  ASSERT_TRUE(Run(R"({"path":"e.ndjson.gz","time_field":"t","action_field":"a"})", state).ok());
  EXPECT_TRUE(events().empty());
  // A rewritten .gz is read again from the start (ids dedup what was seen).
  WriteGzip(
      dir.file("e.ndjson.gz"),
      "{\"t\":1710498030,\"a\":\"x\"}\n{\"t\":1710498031,\"a\":\"y\"}\n{\"t\":1,\"a\":\"z\"}\n");
  fake->clear_captures();
  ASSERT_TRUE(Run(R"({"path":"e.ndjson.gz","time_field":"t","action_field":"a"})", state).ok());
  ASSERT_EQ(events().size(), 3u);
  EXPECT_EQ(events()[0].event_id, "e.ndjson.gz:1");
}

TEST_F(EventsFileTest, GlobOverSeveralFilesInOrder) {
  std::filesystem::create_directory(dir.file("in"));
  WriteFile(dir.file("in/2024-03-02.csv"), "t,a\n1710498032,b\n");
  WriteFile(dir.file("in/2024-03-01.csv"), "t,a\n1710498030,a1\n1710498031,a2\n");
  WriteGzip(dir.file("in/2024-03-03.csv.gz"), "t,a\n1710498033,c\n");
  WriteFile(dir.file("in/notes.txt"), "ignored");
  ASSERT_TRUE(Run(R"({"path":"in/*.csv*","time_field":"t","action_field":"a"})").ok())
      << fake->last_error;
  std::vector<std::string> ids;
  for (const auto& e : events()) ids.push_back(e.event_id + "=" + e.action);
  EXPECT_THAT(ids, ElementsAre("2024-03-01.csv:2=a1", "2024-03-01.csv:3=a2", "2024-03-02.csv:2=b",
                               "2024-03-03.csv.gz:2=c"));
}

TEST_F(EventsFileTest, IncrementalResumeReadsOnlyAppendedLines) {
  const std::string config = R"({"path":"log.ndjson","time_field":"t","action_field":"a"})";
  WriteFile(dir.file("log.ndjson"), "{\"t\":1,\"a\":\"one\"}\n{\"t\":2,\"a\":\"two\"}\n");
  ASSERT_TRUE(Run(config).ok());
  ASSERT_EQ(events().size(), 2u);
  std::string state = fake->state("files");
  EXPECT_THAT(state, HasSubstr("\"offset\":36,\"line\":2"));

  AppendFile(dir.file("log.ndjson"), "{\"t\":3,\"a\":\"three\"}\n{\"t\":4,\"a\":\"four\"}\n");
  fake->clear_captures();
  ASSERT_TRUE(Run(config, state).ok());
  std::vector<std::string> got;
  for (const auto& e : events()) got.push_back(e.event_id + "=" + e.action);
  EXPECT_THAT(got, ElementsAre("log.ndjson:3=three", "log.ndjson:4=four"));

  // Nothing appended: nothing emitted.
  state = fake->state("files");
  fake->clear_captures();
  ASSERT_TRUE(Run(config, state).ok());
  EXPECT_TRUE(events().empty());
}

TEST_F(EventsFileTest, EmptyFileAndNoMatch) {
  WriteFile(dir.file("empty.ndjson"), "");
  ASSERT_TRUE(Run(R"({"path":"empty.ndjson","time_field":"t","action":"x"})").ok());
  EXPECT_TRUE(events().empty());
  EXPECT_TRUE(fake->logged("is empty"));

  fake->clear_captures();
  ASSERT_TRUE(Run(R"({"path":"nothing/*.csv","time_field":"t","action":"x"})").ok());
  EXPECT_TRUE(fake->logged("no file matches"));
  Status check = Make(R"({"path":"nothing/*.csv","time_field":"t","action":"x"})")->check();
  ASSERT_FALSE(check.ok());
  EXPECT_THAT(check.message(), HasSubstr("no file matches " + dir.file("nothing/*.csv")));
}

TEST_F(EventsFileTest, UnknownExtensionNeedsFormat) {
  WriteFile(dir.file("data.txt"), "{\"t\":1}\n");
  Status s = Run(R"({"path":"data.txt","time_field":"t","action":"x"})");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("set config key 'format'"));
  fake->clear_captures();
  ASSERT_TRUE(Run(R"({"path":"data.txt","format":"ndjson","time_field":"t","action":"x"})").ok());
  EXPECT_EQ(events().size(), 1u);
}

// ---------------------------------------------------------------- bad records

constexpr const char* kMixed =
    "{\"t\":1710498030,\"a\":\"ok1\"}\n"
    "{\"t\":1710498030,\"a\":\"broken\"\n"          // malformed JSON
    "[1,2]\n"                                       // not an object
    "{\"t\":1710498030}\n"                          // missing action
    "{\"t\":1710498030,\"a\":\"x\",\"u\":[1]}\n"    // identity of the wrong type
    "{\"t\":1710498030,\"a\":\"bad \xff utf8\"}\n"  // invalid UTF-8
    "\n"                                            // blank: skipped silently
    "{\"t\":1710498031,\"a\":\"ok2\"}\n";

TEST_F(EventsFileTest, DeadLetterPolicyContinuesAndCounts) {
  WriteFile(dir.file("m.ndjson"), kMixed);
  auto source = Make(R"({"path":"m.ndjson","time_field":"t","action_field":"a",
      "identity_fields":{"user_id":"u"}})");
  ASSERT_TRUE(source->read("files", "").ok());
  std::vector<std::string> actions;
  for (const auto& e : events()) actions.push_back(e.action);
  EXPECT_THAT(actions, ElementsAre("ok1", "ok2"));
  EXPECT_EQ(events()[1].event_id, "m.ndjson:8");
  ASSERT_EQ(fake->bad_records.size(), 5u);
  const std::string file = dir.file("m.ndjson");
  EXPECT_EQ(fake->bad_records[0].location, file + ":2");
  EXPECT_THAT(fake->bad_records[0].reason, HasSubstr("malformed JSON"));
  EXPECT_EQ(fake->bad_records[0].raw, "{\"t\":1710498030,\"a\":\"broken\"");
  EXPECT_EQ(fake->bad_records[1].location, file + ":3");
  EXPECT_EQ(fake->bad_records[1].reason, "the line is JSON but not an object");
  EXPECT_EQ(fake->bad_records[2].location, file + ":4");
  EXPECT_EQ(fake->bad_records[2].reason, "action field 'a' is missing or empty");
  EXPECT_EQ(fake->bad_records[3].location, file + ":5");
  EXPECT_EQ(fake->bad_records[3].reason,
            "identity field 'u' must be a string or a number, not an object or array");
  EXPECT_EQ(fake->bad_records[4].location, file + ":6");
  EXPECT_EQ(fake->bad_records[4].reason,
            "the line is not valid UTF-8; re-encode the file as UTF-8");
  EXPECT_EQ(source->last_stats().bad_records, 5u);
  EXPECT_EQ(source->last_stats().events, 2u);
}

TEST_F(EventsFileTest, FailPolicyStopsWithFileAndLine) {
  WriteFile(dir.file("m.ndjson"), kMixed);
  fake->policy = FakeHost::BadRecordPolicy::kFail;
  Status s = Run(R"({"path":"m.ndjson","time_field":"t","action_field":"a"})", {}, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(dir.file("m.ndjson") + ":2: malformed JSON"));
  EXPECT_THAT(s.message(), HasSubstr("fix or remove this record"));
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(fake->bad_records.size(), 1u);
  // The event before the bad line was checkpointed (batch size 1); nothing after it.
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0].action, "ok1");
  EXPECT_TRUE(fake->pending["files"].empty());
}

TEST_F(EventsFileTest, HundredMegabyteLineIsABadRecordAndReadingGoesOn) {
  const std::string path = dir.file("big.ndjson");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"t\":1710498030,\"a\":\"before\"}\n{\"t\":1710498030,\"a\":\"", f);
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) std::fwrite(chunk.data(), 1, chunk.size(), f);
    std::fputs("\"}\n{\"t\":1710498031,\"a\":\"after\"}\n", f);
    std::fclose(f);
  }
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  ASSERT_TRUE(Run(R"({"path":"big.ndjson","time_field":"t","action_field":"a"})").ok());
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  std::vector<std::string> actions;
  for (const auto& e : events()) actions.push_back(e.action);
  EXPECT_THAT(actions, ElementsAre("before", "after"));
  EXPECT_EQ(events()[1].event_id, "big.ndjson:3");
  ASSERT_EQ(fake->bad_records.size(), 1u);
  EXPECT_EQ(fake->bad_records[0].location, path + ":2");
  EXPECT_EQ(fake->bad_records[0].reason, "line 2 is longer than 16777216 bytes (104857623 bytes)");
  EXPECT_EQ(fake->bad_records[0].raw.size(), 1024u);
  // The line was not buffered: the peak resident size grew by less than the line's 100 MiB
  // (at most max_line_bytes are held while the line is measured; sanitizers add quarantine).
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 80 * 1024) << "KiB";
}

TEST_F(EventsFileTest, TruncatedGzipIsAnErrorNamingFileAndLine) {
  std::string content;
  for (int i = 0; i < 30000; ++i) {
    content += "{\"t\":" + std::to_string(1710498030 + i * 7) + ",\"a\":\"e" +
               std::to_string(i * 7919 % 10007) + "\"}\n";
  }
  const std::string path = dir.file("cut.ndjson.gz");
  WriteGzip(path, content);
  const auto full = std::filesystem::file_size(path);
  TruncateFile(path, full / 2);
  Status s = Run(R"({"path":"cut.ndjson.gz","time_field":"t","action_field":"a"})", {}, 1000);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(path + " is truncated or corrupt (gzip)"));
  EXPECT_THAT(s.message(), HasSubstr("re-export it"));
  EXPECT_THAT(s.message(), HasSubstr("(after line "));
  // Whole batches were committed; the partial batch was not emitted.
  EXPECT_GT(events().size(), 0u);
  EXPECT_EQ(events().size() % 1000, 0u);
  EXPECT_TRUE(fake->pending["files"].empty());
  EXPECT_THAT(fake->state("files"), HasSubstr("\"done\":false"));
}

TEST_F(EventsFileTest, CancelBetweenBatches) {
  std::string content;
  for (int i = 0; i < 10; ++i) content += "{\"t\":" + std::to_string(1710498030 + i) + "}\n";
  WriteFile(dir.file("c.ndjson"), content);
  fake->cancel_after_checkpoints = 2;
  Status s = Run(R"({"path":"c.ndjson","time_field":"t","action":"x"})", {}, 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(events().size(), 6u);
  EXPECT_GE(fake->progress_calls, 2u);
}

TEST_F(EventsFileTest, UnknownStream) {
  Status s = Make(R"({"path":"x.csv","time_field":"t","action":"x"})")->read("other", "");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("the only stream is 'files'"));
}

}  // namespace
}  // namespace journeykit::events_file

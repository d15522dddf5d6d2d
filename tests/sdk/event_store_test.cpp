// event_store_test.cpp — the columnar store: the model's rules evaluated on Append (cached per
// distinct rule input) give exactly what JourneyModel returns, case-insensitive edge cases
// included; string interning.
#include <journeykit/event_store.hpp>
#include <journeykit/string_pool.hpp>

#include "store_compare.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace journeykit {
namespace {

using testing::ExpectSameStore;

constexpr const char* kModel = R"({
  "touchpoints": [
    {"id": "meta_ads", "channel": "paid_social",
     "when": [{"hint": {"UTM_Source": ["facebook", "Instagram"]}}]},
    {"id": "landing", "channel": "website", "when": [{"url_contains": "/Courses/"}]},
    {"id": "store", "channel": "store", "online": false, "when": {"source": "POS"}},
    {"id": "mail", "channel": "email", "when": [{"hint": {"channel": "email"}, "action": "Email_Open"}]},
    {"id": "any_click", "channel": "email", "when": [{"action": "email_click"}]}
  ],
  "stages": [
    {"id": "awareness", "when": [{"action": ["page_view", "email_open"]}]},
    {"id": "consideration", "when": [{"action": "page_view", "url_contains": "/courses/"}]},
    {"id": "purchase", "goal": true, "when": [{"action": "purchase"}, {"channel": "STORE"}]}
  ],
  "segments": [
    {"id": "meta", "scope": "first", "when": [{"touchpoint": "META_ADS"}]},
    {"id": "marketers", "when": [{"property": {"Persona": "Marketer"}}]},
    {"id": "umlaut", "when": [{"property": {"city": "München"}}]},
    {"id": "email", "when": [{"channel": "email", "source": "crm"}]}
  ]
})";

Event Make(std::string source, std::string action, KeyValues hints = {}, KeyValues props = {}) {
  Event e;
  e.source = std::move(source);
  e.action = std::move(action);
  e.hints = std::move(hints);
  e.properties = std::move(props);
  e.identities.emplace_back("user_id", "u1");
  return e;
}

// Events probing case folding: ASCII letters fold, other bytes (UTF-8) compare exactly; keys
// fold too; hint keys repeated; "url" is found by its exact key only.
std::vector<Event> Probes() {
  return {
      Make("web", "page_view"),
      Make("web", "PAGE_VIEW"),
      Make("web", "Page_View", {{"url", "https://x/COURSES/smm"}}),
      Make("web", "page_view", {{"URL", "https://x/courses/smm"}}),  // key is not "url"
      Make("web", "page_view", {{"url", "https://x/course/smm"}}),
      Make("web", "page_view", {{"url", ""}}),
      Make("web", "page_view", {{"utm_source", "FACEBOOK"}}),
      Make("web", "page_view", {{"Utm_Source", "instagram"}}),
      Make("web", "page_view", {{"utm_source", "facebookx"}}),
      Make("web", "page_view", {{"utm_source", "google"}, {"UTM_SOURCE", "Facebook"}}),
      Make("web", "email_open", {{"channel", "EMAIL"}}),
      Make("web", "email_open", {{"CHANNEL", "e-mail"}}),
      Make("crm", "EMAIL_OPEN", {{"channel", "Email"}}),
      Make("crm", "email_click"),
      Make("pos", "visit"),
      Make("Pos", "purchase"),
      Make("posx", "purchase"),
      Make("web", "purchase", {}, {{"persona", "MARKETER"}}),
      Make("web", "purchase", {}, {{"PERSONA", "marketer "}}),
      Make("web", "scroll", {}, {{"city", "MÜNCHEN"}}),  // Ü does not fold to ü
      Make("web", "scroll", {}, {{"city", "MüNCHEN"}}),  // ASCII letters do
      Make("web", "scroll", {}, {{"City", "München"}}),
      Make("web", "page_view", {{"url", "https://x/courses/a"}, {"url", "https://x/blog"}}),
      Make("web", "page_view", {{"url", "https://x/blog"}, {"url", "https://x/courses/a"}}),
      Make("", ""),
  };
}

struct Expected {
  uint16_t touchpoint;
  uint8_t stage;
  uint32_t segments;
};

Expected Direct(const JourneyModel& m, const Event& e) {
  uint16_t tp = m.ResolveTouchpoint(e);
  return {tp, m.AssignStage(e, tp), m.SegmentMatches(e, tp)};
}

TEST(EventStore, RulesOnAppendMatchTheModelIncludingCaseEdgeCases) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EventStore store(*model);
  std::vector<Event> probes = Probes();
  // Twice: the second round is answered from the cache.
  for (int round = 0; round < 2; ++round) {
    for (const Event& e : probes) store.Append(e);
  }
  ASSERT_EQ(store.size(), 2 * probes.size());
  for (size_t i = 0; i < store.size(); ++i) {
    const Event& e = probes[i % probes.size()];
    Expected want = Direct(*model, e);
    SCOPED_TRACE("event " + std::to_string(i) + ": " + e.source + "/" + e.action);
    EXPECT_EQ(store.touchpoint(i), want.touchpoint);
    EXPECT_EQ(store.stage(i), want.stage);
    EXPECT_EQ(store.segment_matches(i), want.segments);
  }
}

TEST(EventStore, CaseInsensitiveRulesFoldAsciiOnly) {
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok());
  EventStore store(*model);
  for (const Event& e : Probes()) store.Append(e);
  EXPECT_EQ(store.stage(1), 0);       // PAGE_VIEW
  EXPECT_EQ(store.touchpoint(2), 2);  // /COURSES/ vs rule /Courses/
  EXPECT_EQ(store.stage(2), 1);
  EXPECT_EQ(store.touchpoint(3), kUnknownTouchpoint);  // "URL" is not the url hint
  EXPECT_EQ(store.touchpoint(6), 1);                   // FACEBOOK, key utm_source vs UTM_Source
  EXPECT_EQ(store.touchpoint(7), 1);
  EXPECT_EQ(store.touchpoint(8), kUnknownTouchpoint);
  EXPECT_EQ(store.touchpoint(9), 1);  // any pair with the key may match
  EXPECT_EQ(store.touchpoint(10), 4);
  EXPECT_EQ(store.touchpoint(11), kUnknownTouchpoint);
  EXPECT_EQ(store.segment_matches(12), 0b1000u);  // channel email from source crm
  EXPECT_EQ(store.touchpoint(15), 3);             // source Pos vs POS
  EXPECT_EQ(store.stage(15), 2);
  EXPECT_EQ(store.touchpoint(16), kUnknownTouchpoint);
  EXPECT_EQ(store.segment_matches(17), 0b0010u);
  EXPECT_EQ(store.segment_matches(18), 0u);       // trailing space
  EXPECT_EQ(store.segment_matches(19), 0u);       // Ü vs ü: not ASCII, no folding
  EXPECT_EQ(store.segment_matches(20), 0b0100u);  // MüNCHEN: the ASCII letters fold
  EXPECT_EQ(store.segment_matches(21), 0b0100u);
  EXPECT_EQ(store.touchpoint(22), 2);  // the first "url" hint decides
  EXPECT_EQ(store.touchpoint(23), kUnknownTouchpoint);
}

TEST(EventStore, DefinitionsAddedAfterTheFirstAppendApply) {
  JourneyModel model;
  Stage any{"any", "Any", false, {Condition{}}};
  any.when[0].actions = {"page_view"};
  ASSERT_TRUE(model.AddStage(any).ok());
  EventStore store(model);
  Event e = Make("web", "page_view", {{"channel", "social"}});
  store.Append(e);
  Touchpoint social{"social", "Social", "social", true, {Condition{}}};
  social.when[0].hints = {{"channel", {"SOCIAL"}}};
  ASSERT_TRUE(model.AddTouchpoint(social).ok());
  store.Append(e);
  EXPECT_EQ(store.touchpoint(0), kUnknownTouchpoint);
  EXPECT_EQ(store.touchpoint(1), 1);
  EXPECT_EQ(store.stage(1), 0);
}

TEST(EventStore, ManyDistinctRuleInputsStayExact) {
  // More distinct URLs than the cache holds: rules keep running per event past the limit.
  auto model = JourneyModel::FromJson(kModel);
  ASSERT_TRUE(model.ok());
  EventStore store(*model);
  std::vector<Event> events;
  for (int i = 0; i < 70000; ++i) {
    std::string url = (i % 3 == 0 ? "https://x/COURSES/" : "https://x/blog/") + std::to_string(i);
    events.push_back(Make("web", i % 2 ? "page_view" : "Page_View", {{"url", url}}));
  }
  for (const Event& e : events) store.Append(e);
  for (size_t i = 0; i < events.size(); i += 997) {
    Expected want = Direct(*model, events[i]);
    EXPECT_EQ(store.touchpoint(i), want.touchpoint) << i;
    EXPECT_EQ(store.stage(i), want.stage) << i;
  }
  EXPECT_EQ(store.touchpoint(69999 - 69999 % 3), 2);
  EXPECT_EQ(store.stage(69999 - 69999 % 3), 1);
}

std::vector<Event> SnapshotEvents() {
  std::vector<Event> events = Probes();
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i];
    e.time_us = 1'700'000'000'000'000 + static_cast<int64_t>(i) * 1'000'000;
    e.identities.emplace_back("email_sha256", "h" + std::to_string(i % 3));
    if (i % 2 == 0) e.value = 10.5 * static_cast<double>(i);
    if (i % 3 == 0) e.rating = 4;
    if (i % 4 == 0) e.sentiment = -0.5;
    if (i % 5 == 0) e.text = "review text " + std::to_string(i);
    if (i % 6 == 0) e.properties.emplace_back("page_load_ms", "1500");
    if (i % 7 == 0) e.properties.emplace_back("reply_delay_s", "3600");
    if (i % 2 == 1) e.properties.emplace_back("campaign", "spring");
  }
  return events;
}

TEST(EventStoreSnapshot, RoundTripGivesTheSameStoreAndAppendGoesOn) {
  auto model = JourneyModel::FromJson(kModel, "model");
  ASSERT_TRUE(model.ok()) << model.status().message();
  const std::vector<Event> events = SnapshotEvents();
  EventStore original(*model);
  for (const Event& e : events) original.Append(e);
  const std::string path = ::testing::TempDir() + "jk-snapshot-roundtrip.events";
  ASSERT_TRUE(original.WriteSnapshot(path, "the tag\nwith lines").ok());
  EventStore read(*model);
  auto tag = read.ReadSnapshot(path);
  ASSERT_TRUE(tag.ok()) << tag.status().message();
  EXPECT_EQ(*tag, "the tag\nwith lines");
  ExpectSameStore(original, read);
  // Appending after the snapshot gives what appending to the original gives.
  for (const Event& e : events) {
    original.Append(e);
    read.Append(e);
  }
  ExpectSameStore(original, read);
  // A store that is not empty does not read a snapshot.
  EXPECT_EQ(read.ReadSnapshot(path).status().code(), StatusCode::kFailedPrecondition);
  EventStore none(*model);
  EXPECT_EQ(none.ReadSnapshot(path + ".missing").status().code(), StatusCode::kNotFound);
  std::remove(path.c_str());
}

TEST(EventStore, AppendStoreGivesTheStoreOfAppendingOneByOne) {
  auto model = JourneyModel::FromJson(kModel, "model");
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::vector<Event> events = SnapshotEvents();
  for (size_t i = 0; i < events.size(); i += 3) events[i].source = "second_source";
  const size_t n = events.size();
  ASSERT_GE(n, 8u);
  EventStore whole(*model);
  for (const Event& e : events) whole.Append(e);
  for (size_t split : {size_t{0}, size_t{1}, n / 3, n / 2, n - 1, n}) {
    SCOPED_TRACE("split at " + std::to_string(split));
    EventStore first(*model);
    EventStore second(*model);
    for (size_t i = 0; i < n; ++i) (i < split ? first : second).Append(events[i]);
    ASSERT_TRUE(first.AppendStore(second).ok());
    ExpectSameStore(whole, first);
    // Appending goes on as in the store built one by one.
    EventStore more(*model);
    for (const Event& e : events) more.Append(e);
    for (size_t i = 0; i < 4; ++i) {
      more.Append(events[n - 1 - i]);
      first.Append(events[n - 1 - i]);
    }
    ExpectSameStore(more, first);
  }
  // Three parts, merged in order.
  EventStore a(*model), b(*model), c(*model);
  for (size_t i = 0; i < n; ++i) (i < n / 3 ? a : i < 2 * n / 3 ? b : c).Append(events[i]);
  ASSERT_TRUE(a.AppendStore(b).ok());
  ASSERT_TRUE(a.AppendStore(c).ok());
  ExpectSameStore(whole, a);
  // Another model's store, or the store itself, cannot be appended.
  auto other_model = JourneyModel::FromJson(kModel, "model");
  ASSERT_TRUE(other_model.ok());
  EventStore other(*other_model);
  other.Append(events[0]);
  EXPECT_EQ(a.AppendStore(other).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.AppendStore(a).code(), StatusCode::kInvalidArgument);
  ExpectSameStore(whole, a);
}

TEST(EventStoreSnapshot, ADamagedOrTruncatedSnapshotIsRefusedAndLeavesTheStoreEmpty) {
  auto model = JourneyModel::FromJson(kModel, "model");
  ASSERT_TRUE(model.ok()) << model.status().message();
  EventStore original(*model);
  for (const Event& e : SnapshotEvents()) original.Append(e);
  const std::string path = ::testing::TempDir() + "jk-snapshot-damaged.events";
  ASSERT_TRUE(original.WriteSnapshot(path, "tag").ok());
  std::string bytes;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  auto write = [&](const std::string& content) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  };
  // One flipped bit in the middle (inside the columns), a cut, a cut end marker, another format.
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x10;
  std::string other_format = bytes;
  other_format[8] ^= 0x01;
  for (const std::string& bad : {flipped, bytes.substr(0, bytes.size() / 2),
                                 bytes.substr(0, bytes.size() - 3), other_format}) {
    write(bad);
    EventStore read(*model);
    auto tag = read.ReadSnapshot(path);
    ASSERT_FALSE(tag.ok());
    EXPECT_EQ(tag.status().code(), StatusCode::kDataError) << tag.status().message();
    EXPECT_NE(tag.status().message().find(path), std::string::npos);
    EXPECT_EQ(read.size(), 0u);
    EXPECT_EQ(read.strings().size(), 1u);
  }
  std::remove(path.c_str());
}

TEST(StringPool, InternFindGetAcrossGrowth) {
  StringPool pool;
  EXPECT_EQ(pool.Intern(""), 0u);
  EXPECT_EQ(pool.Find(""), 0u);
  EXPECT_EQ(pool.Find("missing"), UINT32_MAX);
  std::vector<std::string> keys;
  for (int i = 0; i < 100000; ++i) keys.push_back("user_id:u" + std::to_string(i * 7919));
  keys.push_back(std::string("a\0b", 3));
  keys.push_back(std::string("a\0c", 3));
  keys.push_back(std::string(5000, 'x'));     // longer than one probe word, short of a chunk
  keys.push_back(std::string(3 << 20, 'y'));  // longer than an arena chunk
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(pool.Intern(keys[i]), i + 1);
  EXPECT_EQ(pool.size(), keys.size() + 1);
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(pool.Intern(keys[i]), i + 1);
    ASSERT_EQ(pool.Find(keys[i]), i + 1);
    ASSERT_EQ(pool.Get(static_cast<uint32_t>(i + 1)), keys[i]);
  }
  EXPECT_EQ(pool.Find("user_id:u1"), UINT32_MAX);
  EXPECT_EQ(pool.Get(0), "");
  StringPool moved = std::move(pool);
  EXPECT_EQ(moved.Find(keys[5]), 6u);
  EXPECT_EQ(moved.Intern("new"), keys.size() + 1);
}

}  // namespace
}  // namespace journeykit

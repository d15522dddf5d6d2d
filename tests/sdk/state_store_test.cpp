// state_store_test.cpp — dedup by (source, event id), cursors committed with their events.
#include <journeykit/state_store.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace journeykit {
namespace {

Event MakeEvent(std::string id, int64_t t) {
  Event e;
  e.event_id = std::move(id);
  e.time_us = t;
  e.action = "page_view";
  e.identities = {{"user_id", "u1"}, {"email_sha256", "ab"}};
  e.hints = {{"url", "https://x/\x1f\x1e weird"}, {"utm_source", ""}};
  e.properties = {{"k", std::string("bin\0ary", 7)}};
  e.value = 12.5;
  e.currency = "EUR";
  return e;
}

TEST(StateStore, RoundTripsEveryField) {
  auto store = StateStore::Open(":memory:");
  ASSERT_TRUE(store.ok()) << store.status().message();
  std::vector<Event> events = {MakeEvent("a", 1)};
  events[0].rating = 4;
  events[0].text = "great";
  ASSERT_TRUE((*store)->Commit("web", "s", events, nullptr).ok());
  std::vector<Event> back;
  ASSERT_TRUE((*store)->ForEachEvent([&](const Event& e) { back.push_back(e); }).ok());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].source, "web");
  EXPECT_EQ(back[0].event_id, "a");
  EXPECT_EQ(back[0].identities, events[0].identities);
  EXPECT_EQ(back[0].hints, events[0].hints);
  EXPECT_EQ(back[0].properties, events[0].properties);
  EXPECT_EQ(back[0].value, 12.5);
  EXPECT_EQ(back[0].rating, 4);
  EXPECT_FALSE(back[0].sentiment.has_value());
  EXPECT_EQ(back[0].text, "great");
  EXPECT_EQ(back[0].currency, "EUR");
}

TEST(StateStore, DeduplicatesBySourceAndEventId) {
  auto store = StateStore::Open(":memory:");
  ASSERT_TRUE(store.ok());
  std::vector<Event> batch = {MakeEvent("a", 1), MakeEvent("b", 2), MakeEvent("a", 3)};
  auto first = (*store)->Commit("web", "s", batch, nullptr);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->inserted, 2u);
  EXPECT_EQ(first->duplicates, 1u);
  auto again = (*store)->Commit("web", "s", batch, nullptr);
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->duplicates, 3u);
  auto other_source = (*store)->Commit("crm", "s", batch, nullptr);
  EXPECT_EQ(other_source->inserted, 2u);  // the same id in another source is another event
  EXPECT_EQ(*(*store)->CountEvents(), 4u);
}

TEST(StateStore, CursorPersistsAcrossReopenAndResetForgetsAll) {
  auto dir = std::filesystem::temp_directory_path() / ("jk-store-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "state.db").string();
  {
    auto store = StateStore::Open(path);
    ASSERT_TRUE(store.ok());
    EXPECT_FALSE((*(*store)->LoadCursor("web", "s")).has_value());
    std::string state = R"({"offset":10})";
    std::vector<Event> batch = {MakeEvent("a", 1)};
    ASSERT_TRUE((*store)->Commit("web", "s", batch, &state).ok());
  }
  {
    auto store = StateStore::Open(path);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(**(*store)->LoadCursor("web", "s"), R"({"offset":10})");
    EXPECT_EQ(*(*store)->CountEvents(), 1u);
    ASSERT_TRUE((*store)->Reset().ok());
    EXPECT_FALSE((*(*store)->LoadCursor("web", "s")).has_value());
    EXPECT_EQ(*(*store)->CountEvents(), 0u);
  }
  std::filesystem::remove_all(dir);
}

TEST(StateStore, RowsOfDifferentShapesRoundTripInOrderAcrossCommitsAndReset) {
  // The insert statement and the decode buffers are reused: a row with fewer pairs, no text or
  // no value after a fuller one must not keep anything of it.
  auto store = StateStore::Open(":memory:");
  ASSERT_TRUE(store.ok());
  std::vector<Event> batch;
  for (int i = 0; i < 50; ++i) {
    Event e;
    e.source = "ignored";  // Commit's source wins
    e.event_id = "e" + std::to_string(i);
    e.time_us = 1000 - i;
    e.action = i % 2 ? "purchase" : "a much longer action name than the short one";
    for (int k = 0; k < i % 4; ++k) {
      e.hints.emplace_back("h" + std::to_string(k), std::string(static_cast<size_t>(i), 'x'));
    }
    if (i % 3 == 0) e.identities = {{"user_id", "u" + std::to_string(i)}};
    if (i % 5 == 0) e.properties = {{"p", "v"}};
    if (i % 2 == 0) e.text = "text " + std::to_string(i);
    if (i % 7 == 0) e.value = i;
    if (i % 11 == 0) e.sentiment = -0.5;
    batch.push_back(e);
  }
  ASSERT_EQ((*store)->Commit("web", "s", std::span(batch).subspan(0, 20), nullptr)->inserted, 20u);
  ASSERT_EQ((*store)->Commit("crm", "s", std::span(batch).subspan(20), nullptr)->inserted, 30u);
  ASSERT_EQ((*store)->Commit("web", "s", std::span(batch).subspan(0, 0), nullptr)->inserted, 0u);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<Event> back;
    ASSERT_TRUE((*store)->ForEachEvent([&](const Event& e) { back.push_back(e); }).ok());
    ASSERT_EQ(back.size(), batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(back[i].source, i < 20 ? "web" : "crm");
      EXPECT_EQ(back[i].event_id, batch[i].event_id);
      EXPECT_EQ(back[i].time_us, batch[i].time_us);
      EXPECT_EQ(back[i].action, batch[i].action);
      EXPECT_EQ(back[i].identities, batch[i].identities);
      EXPECT_EQ(back[i].hints, batch[i].hints);
      EXPECT_EQ(back[i].properties, batch[i].properties);
      EXPECT_EQ(back[i].text, batch[i].text);
      EXPECT_EQ(back[i].value, batch[i].value);
      EXPECT_EQ(back[i].sentiment, batch[i].sentiment);
      EXPECT_FALSE(back[i].rating.has_value());
    }
  }
  ASSERT_TRUE((*store)->Reset().ok());
  auto again = (*store)->Commit("web", "s", std::span(batch).subspan(0, 5), nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 5u);
  EXPECT_EQ(*(*store)->CountEvents(), 5u);
}

TEST(StateStore, UnwritableLocationIsAClearError) {
  auto store = StateStore::Open("/nonexistent-folder/x/state.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/nonexistent-folder/x/state.db"), std::string::npos);
}

}  // namespace
}  // namespace journeykit

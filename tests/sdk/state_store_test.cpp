// state_store_test.cpp — dedup by (source, event id), cursors committed with their events.
#include <journeykit/state_store.hpp>

#include <gtest/gtest.h>

#include <filesystem>

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

TEST(StateStore, UnwritableLocationIsAClearError) {
  auto store = StateStore::Open("/nonexistent-folder/x/state.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("/nonexistent-folder/x/state.db"), std::string::npos);
}

}  // namespace
}  // namespace journeykit

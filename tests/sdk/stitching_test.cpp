// stitching_test.cpp — identity stitching: union-find, blocked values, person identities.
#include <journeykit/hashing.hpp>
#include <journeykit/journeys.hpp>

#include "journey_fixture.hpp"

#include <gtest/gtest.h>

namespace journeykit {
namespace {

using testing::MakeFixture;

uint32_t PersonWith(const JourneySet& set, std::string_view identity) {
  for (uint32_t p = 0; p < set.person_count(); ++p) {
    for (auto id : set.identities(p)) {
      if (id == identity) return p;
    }
  }
  return kNoPerson;
}

TEST(Stitching, IdentifiersSeenTogetherAreOnePerson) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  EXPECT_EQ(set.person_count(), 7u);  // A B C D E G H
  uint32_t b = PersonWith(set, "ga_client_id:b1");
  ASSERT_NE(b, kNoPerson);
  EXPECT_EQ(PersonWith(set, "ga_client_id:b2"), b);
  EXPECT_EQ(PersonWith(set, "user_id:ub"), b);
  std::vector<std::string_view> ids = set.identities(b);
  EXPECT_EQ(ids,
            (std::vector<std::string_view>{"ga_client_id:b1", "ga_client_id:b2", "user_id:ub"}));
  EXPECT_EQ(set.events(b).size(), 3u);
  EXPECT_EQ(set.identity_merges(), 2u);
}

TEST(Stitching, PersonAndJourneyViews) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  uint32_t b = PersonWith(set, "user_id:ub");
  Person person = set.person(b);
  EXPECT_EQ(person.id, set.person_id(b));
  EXPECT_EQ(person.identities.size(), 3u);
  Journey journey = set.journey(b);
  EXPECT_EQ(journey.events.size(), 3u);
  ASSERT_EQ(journey.stage_entries.size(), 4u);
  EXPECT_EQ(journey.stage_entries[0], testing::kT0 + 1 * testing::kHour);   // page_view@1
  EXPECT_EQ(journey.stage_entries[1], testing::kT0 + 3 * testing::kHour);   // webinar@3
  EXPECT_EQ(journey.stage_entries[2], testing::kT0 + 10 * testing::kHour);  // checkout@10
  EXPECT_EQ(journey.stage_entries[3], kNotReached);
}

TEST(Stitching, BlockedValuesNeverLinkOrIdentify) {
  auto f = MakeFixture();
  JourneySet set = JourneySet::Build(*f.store, {});
  uint32_t g = PersonWith(set, "ga_client_id:g1");
  uint32_t h = PersonWith(set, "ga_client_id:h1");
  ASSERT_NE(g, kNoPerson);
  ASSERT_NE(h, kNoPerson);
  EXPECT_NE(g, h);
  EXPECT_EQ(PersonWith(set, "user_id:0"), kNoPerson);  // not listed as anyone's identity
  EXPECT_EQ(set.unidentified_events(), 1u);            // the user_id "null" event
}

TEST(Stitching, ConfiguredBlockedValuesAndBlockedEmailsByHash) {
  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  EventStore store(model);
  std::string shared = Sha256Hex("test@example.com");
  for (const char* ga : {"x1", "x2"}) {
    Event e;
    e.source = "s";
    e.event_id = ga;
    e.action = "page_view";
    e.identities = {{"ga_client_id", ga}, {"email_sha256", shared}, {"crm", "N/A"}};
    store.Append(e);
  }
  IdentityOptions options;
  EXPECT_EQ(JourneySet::Build(store, options).person_count(), 1u);  // linked by the e-mail
  options.blocked_values = {"Test@Example.com ", "n/a"};
  JourneySet set = JourneySet::Build(store, options);
  EXPECT_EQ(set.person_count(), 2u);
  EXPECT_EQ(set.identities(0), (std::vector<std::string_view>{"ga_client_id:x1"}));
}

TEST(Stitching, PersonIdsAreStableAndEventsSortedByTime) {
  auto f1 = MakeFixture();
  auto f2 = MakeFixture();
  JourneySet a = JourneySet::Build(*f1.store, {});
  JourneySet b = JourneySet::Build(*f2.store, {});
  ASSERT_EQ(a.person_count(), b.person_count());
  for (uint32_t p = 0; p < a.person_count(); ++p) EXPECT_EQ(a.person_id(p), b.person_id(p));
  EXPECT_EQ(a.person_id(PersonWith(a, "ga_client_id:a1")),
            "p_" + Sha256Hex("ga_client_id:a1").substr(0, 16));
  for (uint32_t p = 0; p < a.person_count(); ++p) {
    auto ev = a.events(p);
    for (size_t i = 1; i < ev.size(); ++i) {
      EXPECT_LE(f1.store->time_us(ev[i - 1]), f1.store->time_us(ev[i]));
    }
  }
}

TEST(Stitching, TiesInTimeKeepArrivalOrder) {
  JourneyModel model = *JourneyModel::FromJson(testing::kFixtureModel);
  EventStore store(model);
  for (const char* action : {"purchase", "page_view", "begin_checkout"}) {
    Event e;
    e.source = "s";
    e.event_id = action;
    e.action = action;
    e.time_us = testing::kT0;
    e.identities = {{"user_id", "same"}};
    store.Append(e);
  }
  JourneySet set = JourneySet::Build(store, {});
  ASSERT_EQ(set.person_count(), 1u);
  auto ev = set.events(0);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(store.action_name(ev[0]), "purchase");
  EXPECT_EQ(store.action_name(ev[1]), "page_view");
  EXPECT_EQ(store.action_name(ev[2]), "begin_checkout");
}

TEST(Hashing, EmailNormalizationAndSha256) {
  EXPECT_EQ(NormalizeEmail("  Jana@Example.ORG\t"), "jana@example.org");
  EXPECT_FALSE(NormalizeEmail("not-an-address").has_value());
  EXPECT_FALSE(NormalizeEmail("@example.org").has_value());
  EXPECT_FALSE(NormalizeEmail("   ").has_value());
  // Independent value: `printf 'abc' | sha256sum`.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace journeykit

// journey_fixture.hpp — a small hand-built set of journeys whose numbers are worked out by hand.
#pragma once

#include <journeykit/event_store.hpp>
#include <journeykit/journey_model.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace journeykit::testing {

inline constexpr int64_t kHour = 3'600'000'000;
inline constexpr int64_t kT0 = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

inline constexpr const char* kFixtureModel = R"({
  "touchpoints": [
    {"id": "meta_ads", "name": "Meta ads", "channel": "paid_social", "when": [{"hint": {"utm_source": "facebook"}}]},
    {"id": "google_ads", "name": "Google ads", "channel": "paid_search", "when": [{"hint": {"utm_source": "google"}}]}
  ],
  "stages": [
    {"id": "awareness", "name": "Awareness", "when": [{"action": "page_view"}]},
    {"id": "consideration", "name": "Consideration", "when": [{"action": "webinar_attended"}]},
    {"id": "decision", "name": "Decision", "when": [{"action": "begin_checkout"}]},
    {"id": "purchase", "name": "Purchase", "goal": true, "when": [{"action": "purchase"}]}
  ],
  "segments": [
    {"id": "meta", "name": "First touch: Meta ads", "scope": "first", "when": [{"touchpoint": "meta_ads"}]}
  ]
})";

// People (hours after kT0):
//  A  ga:a1            page_view@0 (facebook), webinar@2, checkout@5, purchase@6
//  B  ga:b1, ga:b2, user_id:ub (two devices joined by the user id)
//                      page_view@1 (b1), webinar@3 (b1+ub), checkout@10 (b2+ub)
//  C  ga:c1            page_view@0 (google)
//  D  ga:d1            page_view@0 (facebook), webinar@24
//  E  ga:e1            purchase@5 (one-event journey, skipped earlier stages)
//  G  ga:g1 + user_id "0"   page_view@0   } "0" is blocked: G and H stay two people
//  H  ga:h1 + user_id "0"   page_view@0   }
//  -  user_id "null" only   page_view@0   (no usable identity)
inline void AddFixtureEvents(EventStore& store) {
  auto add = [&](int64_t hours, std::string action, KeyValues ids, std::string utm = {}) {
    Event e;
    e.time_us = kT0 + hours * kHour;
    e.source = "test";
    e.event_id = action + std::to_string(hours) + ids.front().second;
    e.action = std::move(action);
    e.identities = std::move(ids);
    if (!utm.empty()) e.hints.emplace_back("utm_source", utm);
    store.Append(e);
  };
  add(0, "page_view", {{"ga_client_id", "a1"}}, "facebook");
  add(1, "page_view", {{"ga_client_id", "b1"}});
  add(0, "page_view", {{"ga_client_id", "c1"}}, "google");
  add(2, "webinar_attended", {{"ga_client_id", "a1"}});
  add(3, "webinar_attended", {{"ga_client_id", "b1"}, {"user_id", "ub"}});
  add(0, "page_view", {{"ga_client_id", "d1"}}, "facebook");
  add(5, "begin_checkout", {{"ga_client_id", "a1"}});
  add(10, "begin_checkout", {{"ga_client_id", "b2"}, {"user_id", "ub"}});
  add(6, "purchase", {{"ga_client_id", "a1"}});
  add(24, "webinar_attended", {{"ga_client_id", "d1"}});
  add(5, "purchase", {{"ga_client_id", "e1"}});
  add(0, "page_view", {{"ga_client_id", "g1"}, {"user_id", "0"}});
  add(0, "page_view", {{"ga_client_id", "h1"}, {"user_id", "0"}});
  add(0, "page_view", {{"user_id", "null"}});
}

struct Fixture {
  JourneyModel model;
  std::unique_ptr<EventStore> store;
};

inline Fixture MakeFixture() {
  auto model = JourneyModel::FromJson(kFixtureModel);
  EXPECT_TRUE(model.ok()) << model.status().message();
  Fixture f{std::move(model).value(), nullptr};
  f.store = std::make_unique<EventStore>(f.model);
  AddFixtureEvents(*f.store);
  return f;
}

}  // namespace journeykit::testing

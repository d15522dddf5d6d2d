// main.cpp — using the JourneyKit SDK from code, without the CLI or any plugin: define a
// journey model, add events, stitch people, and read the stage funnel.
#include <journeykit/event_store.hpp>
#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/stage_funnel.hpp>

#include <cstdio>

int main() {
  using namespace journeykit;

  JourneyModel model;
  auto condition = [](std::vector<std::string> actions) {
    Condition c;
    c.actions = std::move(actions);
    return c;
  };
  Touchpoint ads{"ads", "Search ads", "paid_search", true, {}};
  ads.when.push_back(Condition{});
  ads.when.back().hints.push_back({"utm_medium", {"cpc"}});
  Status s = model.AddTouchpoint(ads);
  if (s.ok()) s = model.AddStage(Stage{"visit", "Visit", false, {condition({"page_view"})}});
  if (s.ok()) s = model.AddStage(Stage{"trial", "Trial", false, {condition({"sign_up"})}});
  if (s.ok()) s = model.AddStage(Stage{"paid", "Paid", true, {condition({"purchase"})}});
  if (!s.ok()) {
    std::fprintf(stderr, "model: %s\n", s.message().c_str());
    return 1;
  }

  EventStore events(model);
  const int64_t day = 86'400'000'000;
  auto add = [&](int64_t t, const char* action, KeyValues ids) {
    Event e;
    e.time_us = 1'767'225'600'000'000 + t;
    e.source = "app";
    e.action = action;
    e.identities = std::move(ids);
    e.hints = {{"utm_medium", "cpc"}};
    events.Append(e);
  };
  add(0, "page_view", {{"device", "d1"}});
  add(day, "sign_up", {{"device", "d1"}, {"user_id", "ana"}});
  add(3 * day, "purchase", {{"user_id", "ana"}});
  add(0, "page_view", {{"device", "d2"}});
  add(2 * day, "sign_up", {{"device", "d2"}, {"user_id", "ben"}});
  add(0, "page_view", {{"device", "d3"}});

  JourneySet journeys = JourneySet::Build(events, IdentityOptions{});
  StageFunnel funnel = ComputeStageFunnel(journeys, -1);
  std::printf("%zu people, %llu events\n", journeys.person_count(),
              static_cast<unsigned long long>(funnel.events));
  for (const StageFunnelRow& row : funnel.rows) {
    std::printf("%-6s reached %llu", row.stage_name.c_str(),
                static_cast<unsigned long long>(row.reached));
    if (row.conversion_rate) std::printf(", %.0f%% moved on", *row.conversion_rate * 100);
    if (row.median_time_to_next_s)
      std::printf(", median %.1f days", *row.median_time_to_next_s / 86400);
    std::printf("\n");
  }
  // Expected: 3 people; Visit 3 (67% on, 1.5 days), Trial 2 (50% on, 2.0 days), Paid 1.
  bool ok = journeys.person_count() == 3 && funnel.rows[0].reached == 3 &&
            funnel.rows[1].reached == 2 && funnel.rows[2].reached == 1;
  return ok ? 0 : 1;
}

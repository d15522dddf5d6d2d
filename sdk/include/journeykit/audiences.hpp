// audiences.hpp — person sets defined by rules over journeys ("registered for the webinar, did
// not buy within 7 days"), evaluated at an "as of" time; membership changes between runs are
// kept by StateStore::UpdateAudience. Definitions in full: docs/metrics.md, section "Audiences".
//
// Typical use (the pipeline):
//   auto defs = ParseAudiences(audiences_json, "pipeline.json: audiences", &model);
//   for (const auto& d : *defs) {
//     AudienceMembership m = EvaluateAudience(journeys, d);        // as of the latest event
//     auto changes = state->UpdateAudience(d.id, m.members, m.as_of_us);  // entered / left
//   }
#pragma once

#include <journeykit/journey_model.hpp>
#include <journeykit/journeys.hpp>
#include <journeykit/status.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit {

// One condition on the columns the EventStore keeps: every field given must match (AND); a list
// means any of its values (OR); comparisons are case-insensitive. An empty condition matches
// every event. Hints, urls and properties are not stored per event: express them as touchpoints.
struct AudienceEventCondition {
  std::vector<std::string> actions;
  std::vector<std::string> sources;
  std::vector<std::string> touchpoints;  // resolved touchpoint id
  std::vector<std::string> channels;     // the resolved touchpoint's channel
  std::vector<std::string> stages;       // the event's assigned stage (no stage never matches)
  std::string path;                      // JSON path, for errors
};
// Matches an event when any of its conditions does (an empty list matches nothing).
using AudienceEventRule = std::vector<AudienceEventCondition>;

enum class AudiencePredicateKind {
  kAll,               // children: every one is true
  kAny,               // children: at least one is true
  kNot,               // children[0] is false
  kReachedStage,      // ids: the person has an event assigned to one of these stages
  kInSegment,         // ids: the person is in one of these segments ("all": everyone)
  kEvent,             // event: at least `at_least` matching events
  kNotFollowedBy,     // anchor event, then no `follow` event within the window
  kNps,               // the latest rating on an `nps_actions` event is in one of `nps_groups`
  kLastSeenMoreThan,  // the person's last event is more than `duration_us` before as_of
};

enum class AudienceAnchor { kFirst, kLast };
enum class NpsGroup { kDetractor, kPassive, kPromoter };

struct AudiencePredicate {
  AudiencePredicateKind kind = AudiencePredicateKind::kAll;
  std::string path;  // JSON path of this predicate, for errors
  std::vector<AudiencePredicate> children;
  std::vector<std::string> ids;  // stage ids (kReachedStage) or segment ids (kInSegment)
  // kEvent: the events counted; kNotFollowedBy: the anchor events (a reached_stage anchor is
  // written as a condition on `stages`).
  AudienceEventRule event;
  uint64_t at_least = 1;
  AudienceEventRule follow;  // kNotFollowedBy: the events that must not follow
  AudienceAnchor anchor = AudienceAnchor::kFirst;
  // kNotFollowedBy: the window length (nullopt: up to as_of); kLastSeenMoreThan: the gap.
  std::optional<int64_t> duration_us;
  std::vector<std::string> nps_actions;  // kNps: default {"nps_answer"}
  std::vector<NpsGroup> nps_groups;
};

struct AudienceDefinition {
  std::string id;  // letters, digits, '-', '_', '.'; unique in the list
  std::string name;
  std::string description;
  AudiencePredicate rule;
};

// Parses a JSON array of audience definitions (the pipeline file's "audiences"). Errors name
// the JSON path below `origin` ("audiences[0].all[1].within_days: must be a positive number").
// With `model`, stage, segment, touchpoint and channel names are also checked against it.
Result<std::vector<AudienceDefinition>> ParseAudiences(std::string_view json,
                                                       std::string_view origin = "audiences",
                                                       const JourneyModel* model = nullptr);

// Checks that every stage, segment, touchpoint and channel named by the definition exists in
// the model; errors name the JSON path. EvaluateAudience expects a validated definition (an
// unknown name matches no event and no person).
Status ValidateAudience(const JourneyModel& model, const AudienceDefinition& definition);

struct AudienceMembership {
  std::string audience_id;
  int64_t as_of_us = 0;
  std::vector<std::string> members;      // person ids, sorted (byte order), unique
  std::vector<uint32_t> person_indices;  // JourneySet person index of members[i]
  // Provenance: the people evaluated (those with an event at or before as_of), their events
  // up to as_of and the sources of those events (sorted).
  uint64_t people_evaluated = 0;
  uint64_t events_evaluated = 0;
  std::vector<std::string> sources;
  // People left out only because a "did not ... within N days" window was still open at as_of
  // (their membership is not known yet; they are in neither the audience nor its negation).
  uint64_t pending = 0;
};

// The time of the latest event in the store (0 for an empty store): the default "as of".
int64_t LatestEventTime(const EventStore& store);

// Evaluates the audience over the journeys as of `as_of_us` (default: LatestEventTime). Events
// after as_of are not seen.
AudienceMembership EvaluateAudience(const JourneySet& journeys,
                                    const AudienceDefinition& definition,
                                    std::optional<int64_t> as_of_us = std::nullopt);

}  // namespace journeykit

// audiences.cpp — parsing audience definitions and evaluating them over journeys
// (docs/metrics.md, "Audiences").
//
// Evaluation is per person over the prefix of their events at or before as_of, with three-valued
// logic: a "did not ... within N days" test whose window is still open (and not yet broken) is
// *pending*; all/any/not combine true/false/pending like Kleene logic, and only people whose
// whole rule is true are members.
#include <journeykit/audiences.hpp>

#include "internal/json_read.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <span>
#include <unordered_map>
#include <utility>
#include "internal/text_match.hpp"

namespace journeykit {

using internal::AsObject;
using internal::AsString;
using internal::AsStringList;
using internal::element;
using internal::object;

namespace {

using internal::AnyEquals;
using internal::EqualsIgnoreCase;

constexpr int64_t kDayUs = 86'400'000'000;
constexpr double kMaxDays = 36'500;  // 100 years
constexpr int kMaxDepth = 32;

constexpr std::array<std::string_view, 8> kHeads = {
    "all", "any", "not", "reached_stage", "in_segment", "event", "nps", "last_seen_more_than_days"};

int64_t SaturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

std::string JoinHeads() {
  std::string out;
  for (std::string_view h : kHeads) out += (out.empty() ? "" : ", ") + std::string(h);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

Status CheckKeyList(const object& o, const std::string& path,
                    const std::vector<std::string_view>& allowed) {
  for (auto field : o) {
    if (std::find(allowed.begin(), allowed.end(), field.key) != allowed.end()) continue;
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return InvalidArgument(path + "." + std::string(field.key) +
                           ": unknown key (allowed here: " + list + ")");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> NonEmptyStrings(const element& e, const std::string& path) {
  JK_ASSIGN_OR_RETURN(auto list, AsStringList(e, path));
  if (list.empty()) return InvalidArgument(path + ": empty list matches nothing");
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].empty()) {
      return InvalidArgument(path + (list.size() > 1 ? "[" + std::to_string(i) + "]" : "") +
                             ": empty string");
    }
  }
  return list;
}

// A number of days in (0, 100 years] (or [0, ...] when `allow_zero`), as microseconds.
Result<int64_t> Days(const element& e, const std::string& path, bool allow_zero) {
  double days = 0;
  if (e.get_double().get(days) != simdjson::SUCCESS)
    return internal::WrongType(path, e, "a number");
  if (!std::isfinite(days) || days < 0 || (!allow_zero && days == 0) || days > kMaxDays) {
    return InvalidArgument(path + ": must be a " + (allow_zero ? "non-negative" : "positive") +
                           " number of days (at most 36500)");
  }
  return static_cast<int64_t>(std::llround(days * static_cast<double>(kDayUs)));
}

Result<AudienceEventCondition> ParseEventCondition(const element& e, const std::string& path) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  AudienceEventCondition c;
  c.path = path;
  for (auto field : o) {
    std::string key(field.key);
    std::string p = path + "." + key;
    if (key == "action") {
      JK_ASSIGN_OR_RETURN(c.actions, NonEmptyStrings(field.value, p));
    } else if (key == "source") {
      JK_ASSIGN_OR_RETURN(c.sources, NonEmptyStrings(field.value, p));
    } else if (key == "touchpoint") {
      JK_ASSIGN_OR_RETURN(c.touchpoints, NonEmptyStrings(field.value, p));
    } else if (key == "channel") {
      JK_ASSIGN_OR_RETURN(c.channels, NonEmptyStrings(field.value, p));
    } else if (key == "stage") {
      JK_ASSIGN_OR_RETURN(c.stages, NonEmptyStrings(field.value, p));
    } else if (key == "url_contains" || key == "hint" || key == "property") {
      return InvalidArgument(
          p +
          ": not stored per event (audiences see action, source, touchpoint, channel and "
          "stage); define a touchpoint whose rule tests it, e.g. {\"id\": "
          "\"webinar_registration\", \"when\": {\"url_contains\": \"/webinar/register\"}}, and "
          "use {\"touchpoint\": \"webinar_registration\"}");
    } else {
      return InvalidArgument(p +
                             ": unknown key (allowed here: action, source, touchpoint, channel, "
                             "stage)");
    }
  }
  return c;
}

// An event condition object, or a non-empty list of them (any).
Result<AudienceEventRule> ParseEventRule(const element& e, const std::string& path) {
  AudienceEventRule rule;
  internal::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    if (e.type() != simdjson::dom::element_type::OBJECT) {
      return internal::WrongType(path, e, "an object or an array of objects");
    }
    JK_ASSIGN_OR_RETURN(AudienceEventCondition c, ParseEventCondition(e, path));
    rule.push_back(std::move(c));
    return rule;
  }
  size_t i = 0;
  for (element item : arr) {
    JK_ASSIGN_OR_RETURN(AudienceEventCondition c,
                        ParseEventCondition(item, path + "[" + std::to_string(i++) + "]"));
    rule.push_back(std::move(c));
  }
  if (rule.empty()) return InvalidArgument(path + ": empty list matches nothing");
  return rule;
}

Result<AudiencePredicate> ParsePredicate(const element& e, const std::string& path, bool top,
                                         int depth);

Status ParseChildren(const element& e, const std::string& path, int depth,
                     std::vector<AudiencePredicate>* out) {
  internal::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    return internal::WrongType(path, e, "an array of rules");
  }
  size_t i = 0;
  for (element item : arr) {
    JK_ASSIGN_OR_RETURN(
        AudiencePredicate child,
        ParsePredicate(item, path + "[" + std::to_string(i++) + "]", false, depth + 1));
    out->push_back(std::move(child));
  }
  if (out->empty()) return InvalidArgument(path + ": empty list (give at least one rule)");
  return Status::Ok();
}

Status ParseNotFollowedBy(const object& o, const std::string& path, AudiencePredicate* p) {
  element e;
  p->kind = AudiencePredicateKind::kNotFollowedBy;
  if (o.at_key("not_followed_by").get(e) != simdjson::SUCCESS) {
    return InvalidArgument(path + ".not_followed_by: missing");
  }
  JK_ASSIGN_OR_RETURN(p->follow, ParseEventRule(e, path + ".not_followed_by"));
  if (o.at_key("within_days").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(int64_t d, Days(e, path + ".within_days", false));
    p->duration_us = d;
  }
  if (o.at_key("anchor").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string anchor, AsString(e, path + ".anchor"));
    if (anchor == "first") {
      p->anchor = AudienceAnchor::kFirst;
    } else if (anchor == "last") {
      p->anchor = AudienceAnchor::kLast;
    } else {
      return InvalidArgument(path + ".anchor: '" + anchor + "' is not one of: first, last");
    }
  }
  return Status::Ok();
}

Result<AudiencePredicate> ParsePredicate(const element& e, const std::string& path, bool top,
                                         int depth) {
  if (depth > kMaxDepth) {
    return InvalidArgument(path + ": rules nested deeper than " + std::to_string(kMaxDepth) +
                           " levels");
  }
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  std::vector<std::string_view> heads;
  for (auto field : o) {
    if (std::find(kHeads.begin(), kHeads.end(), field.key) != kHeads.end()) {
      heads.push_back(field.key);
    }
  }
  if (heads.empty()) {
    return InvalidArgument(path + ": " + (top ? "no rule given" : "not a rule") +
                           " (expected one of: " + JoinHeads() + ")");
  }
  if (heads.size() > 1) {
    return InvalidArgument(path + ": '" + std::string(heads[0]) + "' and '" +
                           std::string(heads[1]) +
                           "' cannot be combined in one object; put them in an \"all\" or "
                           "\"any\" list");
  }
  const std::string_view head = heads[0];
  std::vector<std::string_view> allowed = {head};
  if (top) allowed.insert(allowed.end(), {"id", "name", "description"});
  const bool has_follow = o.at_key("not_followed_by").error() == simdjson::SUCCESS;
  if (head == "reached_stage" || head == "event") {
    if (has_follow) {
      allowed.insert(allowed.end(), {"not_followed_by", "within_days", "anchor"});
    } else {
      for (std::string_view k : {"within_days", "anchor"}) {
        if (o.at_key(k).error() == simdjson::SUCCESS) {
          return InvalidArgument(path + "." + std::string(k) +
                                 ": only meaningful with \"not_followed_by\"");
        }
      }
    }
    if (head == "event" && !has_follow) allowed.push_back("at_least");
  }
  if (head == "nps") allowed.push_back("action");
  JK_RETURN_IF_ERROR(CheckKeyList(o, path, allowed));

  AudiencePredicate p;
  p.path = path;
  element v;
  if (o.at_key(head).get(v) != simdjson::SUCCESS) return InternalError(path + ": lost key");
  const std::string hp = path + "." + std::string(head);
  if (head == "all" || head == "any") {
    p.kind = head == "all" ? AudiencePredicateKind::kAll : AudiencePredicateKind::kAny;
    JK_RETURN_IF_ERROR(ParseChildren(v, hp, depth, &p.children));
  } else if (head == "not") {
    p.kind = AudiencePredicateKind::kNot;
    JK_ASSIGN_OR_RETURN(AudiencePredicate child, ParsePredicate(v, hp, false, depth + 1));
    p.children.push_back(std::move(child));
  } else if (head == "reached_stage") {
    JK_ASSIGN_OR_RETURN(p.ids, NonEmptyStrings(v, hp));
    p.kind = AudiencePredicateKind::kReachedStage;
    if (has_follow) {
      AudienceEventCondition anchor;
      anchor.stages = p.ids;
      anchor.path = hp;
      p.event.push_back(std::move(anchor));
      JK_RETURN_IF_ERROR(ParseNotFollowedBy(o, path, &p));
    }
  } else if (head == "in_segment") {
    p.kind = AudiencePredicateKind::kInSegment;
    JK_ASSIGN_OR_RETURN(p.ids, NonEmptyStrings(v, hp));
  } else if (head == "event") {
    p.kind = AudiencePredicateKind::kEvent;
    JK_ASSIGN_OR_RETURN(p.event, ParseEventRule(v, hp));
    if (has_follow) {
      JK_RETURN_IF_ERROR(ParseNotFollowedBy(o, path, &p));
    } else if (o.at_key("at_least").get(v) == simdjson::SUCCESS) {
      int64_t k = 0;
      if (v.get_int64().get(k) != simdjson::SUCCESS || k < 1) {
        return InvalidArgument(path + ".at_least: must be an integer of at least 1");
      }
      p.at_least = static_cast<uint64_t>(k);
    }
  } else if (head == "nps") {
    p.kind = AudiencePredicateKind::kNps;
    JK_ASSIGN_OR_RETURN(auto groups, NonEmptyStrings(v, hp));
    for (size_t i = 0; i < groups.size(); ++i) {
      const std::string& g = groups[i];
      if (g == "detractor") {
        p.nps_groups.push_back(NpsGroup::kDetractor);
      } else if (g == "passive") {
        p.nps_groups.push_back(NpsGroup::kPassive);
      } else if (g == "promoter") {
        p.nps_groups.push_back(NpsGroup::kPromoter);
      } else {
        return InvalidArgument(hp + (groups.size() > 1 ? "[" + std::to_string(i) + "]" : "") +
                               ": '" + g + "' is not one of: detractor, passive, promoter");
      }
    }
    p.nps_actions = {"nps_answer"};
    if (o.at_key("action").get(v) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(p.nps_actions, NonEmptyStrings(v, path + ".action"));
    }
  } else {  // last_seen_more_than_days
    p.kind = AudiencePredicateKind::kLastSeenMoreThan;
    JK_ASSIGN_OR_RETURN(int64_t d, Days(v, hp, true));
    p.duration_us = d;
  }
  return p;
}

bool ValidId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
  });
}

// ---------------------------------------------------------------------------------------------
// Validation

Status ValidateCondition(const JourneyModel& model, const AudienceEventCondition& c) {
  for (const std::string& s : c.stages) {
    bool found = std::any_of(model.stages().begin(), model.stages().end(),
                             [&](const Stage& st) { return EqualsIgnoreCase(st.id, s); });
    if (!found) return InvalidArgument(c.path + ": stage '" + s + "' is not defined in the model");
  }
  for (const std::string& t : c.touchpoints) {
    bool found = std::any_of(model.touchpoints().begin(), model.touchpoints().end(),
                             [&](const Touchpoint& tp) { return EqualsIgnoreCase(tp.id, t); });
    if (!found) {
      return InvalidArgument(c.path + ": touchpoint '" + t + "' is not defined in the model");
    }
  }
  for (const std::string& ch : c.channels) {
    bool found =
        std::any_of(model.touchpoints().begin(), model.touchpoints().end(),
                    [&](const Touchpoint& tp) { return EqualsIgnoreCase(tp.channel, ch); });
    if (!found) {
      return InvalidArgument(c.path + ": no touchpoint of the model has channel '" + ch + "'");
    }
  }
  return Status::Ok();
}

Status ValidatePredicate(const JourneyModel& model, const AudiencePredicate& p) {
  for (const AudiencePredicate& c : p.children) JK_RETURN_IF_ERROR(ValidatePredicate(model, c));
  if (p.kind == AudiencePredicateKind::kInSegment) {
    for (const std::string& s : p.ids) {
      bool found = EqualsIgnoreCase(s, "all") ||
                   std::any_of(model.segments().begin(), model.segments().end(),
                               [&](const Segment& g) { return EqualsIgnoreCase(g.id, s); });
      if (!found) {
        return InvalidArgument(p.path + ".in_segment: segment '" + s +
                               "' is not defined in the model (nor 'all')");
      }
    }
  }
  if (p.kind == AudiencePredicateKind::kReachedStage) {
    for (const std::string& s : p.ids) {
      bool found = std::any_of(model.stages().begin(), model.stages().end(),
                               [&](const Stage& st) { return EqualsIgnoreCase(st.id, s); });
      if (!found) {
        return InvalidArgument(p.path + ".reached_stage: stage '" + s +
                               "' is not defined in the model");
      }
    }
  }
  for (const auto& c : p.event) JK_RETURN_IF_ERROR(ValidateCondition(model, c));
  for (const auto& c : p.follow) JK_RETURN_IF_ERROR(ValidateCondition(model, c));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

enum class Truth : uint8_t { kFalse, kTrue, kPending };

// One event condition resolved against the store: per-column tables; actions by string id.
struct CompiledCondition {
  std::vector<uint8_t> source_ok;      // by source id; empty: any
  std::vector<uint8_t> touchpoint_ok;  // by touchpoint index; empty: any
  std::array<uint8_t, 256> stage_ok{};
  bool any_stage = true;
  std::vector<std::string> actions;  // empty: any
  std::unordered_map<uint32_t, bool> action_cache;
};

struct Node {
  const AudiencePredicate* p = nullptr;
  std::vector<Node> children;
  std::vector<CompiledCondition> event;
  std::vector<CompiledCondition> follow;
  std::vector<size_t> stages;                // kReachedStage
  std::vector<int> segments;                 // kInSegment
  bool everyone = false;                     // kInSegment "all"
  std::vector<CompiledCondition> nps_event;  // kNps: one condition on the actions
};

class Evaluator {
 public:
  Evaluator(const JourneySet& journeys, int64_t as_of)
      : journeys_(journeys), store_(journeys.store()), model_(store_.model()), as_of_(as_of) {}

  Node Compile(const AudiencePredicate& p) {
    Node n;
    n.p = &p;
    for (const AudiencePredicate& c : p.children) n.children.push_back(Compile(c));
    for (const AudienceEventCondition& c : p.event) n.event.push_back(CompileCondition(c));
    for (const AudienceEventCondition& c : p.follow) n.follow.push_back(CompileCondition(c));
    if (p.kind == AudiencePredicateKind::kReachedStage) {
      for (size_t s = 0; s < model_.stages().size(); ++s) {
        if (AnyEquals(p.ids, model_.stages()[s].id)) n.stages.push_back(s);
      }
    }
    if (p.kind == AudiencePredicateKind::kInSegment) {
      n.everyone = AnyEquals(p.ids, "all");
      for (size_t g = 0; g < model_.segments().size(); ++g) {
        if (AnyEquals(p.ids, model_.segments()[g].id)) n.segments.push_back(static_cast<int>(g));
      }
    }
    if (p.kind == AudiencePredicateKind::kNps) {
      AudienceEventCondition c;
      c.actions = p.nps_actions;
      n.nps_event.push_back(CompileCondition(c));
    }
    return n;
  }

  // Sets the person whose events (at or before as_of) the next Eval calls see.
  void SetPerson(uint32_t person, std::span<const uint32_t> events) {
    person_ = person;
    events_ = events;
    any_segments_ = 0;
    for (uint32_t e : events) any_segments_ |= store_.segment_matches(e);
    first_segments_ = events.empty() ? 0 : store_.segment_matches(events.front());
  }

  Truth Eval(Node& n) {
    const AudiencePredicate& p = *n.p;
    switch (p.kind) {
      case AudiencePredicateKind::kAll: {
        Truth result = Truth::kTrue;
        for (Node& c : n.children) {
          Truth t = Eval(c);
          if (t == Truth::kFalse) return Truth::kFalse;
          if (t == Truth::kPending) result = Truth::kPending;
        }
        return result;
      }
      case AudiencePredicateKind::kAny: {
        Truth result = Truth::kFalse;
        for (Node& c : n.children) {
          Truth t = Eval(c);
          if (t == Truth::kTrue) return Truth::kTrue;
          if (t == Truth::kPending) result = Truth::kPending;
        }
        return result;
      }
      case AudiencePredicateKind::kNot: {
        Truth t = Eval(n.children[0]);
        if (t == Truth::kPending) return t;
        return t == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
      }
      case AudiencePredicateKind::kReachedStage: {
        for (size_t s : n.stages) {
          int64_t entry = journeys_.stage_entry(person_, s);
          if (entry != kNotReached && entry <= as_of_) return Truth::kTrue;
        }
        return Truth::kFalse;
      }
      case AudiencePredicateKind::kInSegment: {
        if (n.everyone) return Truth::kTrue;
        for (int g : n.segments) {
          bool first = model_.segments()[static_cast<size_t>(g)].scope == SegmentScope::kFirst;
          uint32_t mask = first ? first_segments_ : any_segments_;
          if ((mask >> g & 1u) != 0) return Truth::kTrue;
        }
        return Truth::kFalse;
      }
      case AudiencePredicateKind::kEvent: {
        uint64_t count = 0;
        for (uint32_t e : events_) {
          if (Matches(n.event, e) && ++count >= p.at_least) return Truth::kTrue;
        }
        return Truth::kFalse;
      }
      case AudiencePredicateKind::kNotFollowedBy:
        return EvalNotFollowedBy(n);
      case AudiencePredicateKind::kNps: {
        for (size_t i = events_.size(); i-- > 0;) {
          uint32_t e = events_[i];
          auto rating = store_.rating(e);
          if (!rating || !std::isfinite(*rating) || *rating < 0 || *rating > 10) continue;
          if (!Matches(n.nps_event, e)) continue;
          NpsGroup g = *rating <= 6   ? NpsGroup::kDetractor
                       : *rating >= 9 ? NpsGroup::kPromoter
                                      : NpsGroup::kPassive;
          bool in = std::find(p.nps_groups.begin(), p.nps_groups.end(), g) != p.nps_groups.end();
          return in ? Truth::kTrue : Truth::kFalse;
        }
        return Truth::kFalse;
      }
      case AudiencePredicateKind::kLastSeenMoreThan: {
        if (events_.empty()) return Truth::kFalse;
        int64_t gap = as_of_ - store_.time_us(events_.back());  // >= 0: events are <= as_of
        return gap > p.duration_us.value_or(0) ? Truth::kTrue : Truth::kFalse;
      }
    }
    return Truth::kFalse;
  }

 private:
  CompiledCondition CompileCondition(const AudienceEventCondition& c) {
    CompiledCondition out;
    if (!c.sources.empty()) {
      out.source_ok.resize(store_.source_count());
      for (size_t s = 0; s < store_.source_count(); ++s) {
        out.source_ok[s] = AnyEquals(c.sources, store_.source_name(static_cast<uint16_t>(s)));
      }
    }
    if (!c.touchpoints.empty() || !c.channels.empty()) {
      out.touchpoint_ok.resize(model_.touchpoints().size());
      for (size_t t = 0; t < model_.touchpoints().size(); ++t) {
        const Touchpoint& tp = model_.touchpoints()[t];
        out.touchpoint_ok[t] = (c.touchpoints.empty() || AnyEquals(c.touchpoints, tp.id)) &&
                               (c.channels.empty() || AnyEquals(c.channels, tp.channel));
      }
    }
    if (!c.stages.empty()) {
      out.any_stage = false;
      for (size_t s = 0; s < model_.stages().size(); ++s) {
        out.stage_ok[s] = AnyEquals(c.stages, model_.stages()[s].id);
      }
    }
    out.actions = c.actions;
    return out;
  }

  bool MatchesOne(CompiledCondition& c, uint32_t e) {
    if (!c.source_ok.empty()) {
      size_t s = store_.source(e);
      if (s >= c.source_ok.size() || c.source_ok[s] == 0) return false;
    }
    if (!c.touchpoint_ok.empty()) {
      size_t t = store_.touchpoint(e);
      if (t >= c.touchpoint_ok.size() || c.touchpoint_ok[t] == 0) return false;
    }
    if (!c.any_stage && c.stage_ok[store_.stage(e)] == 0) return false;
    if (!c.actions.empty()) {
      uint32_t a = store_.action(e);
      auto it = c.action_cache.find(a);
      if (it == c.action_cache.end()) {
        it = c.action_cache.emplace(a, AnyEquals(c.actions, store_.strings().Get(a))).first;
      }
      if (!it->second) return false;
    }
    return true;
  }

  bool Matches(std::vector<CompiledCondition>& rule, uint32_t e) {
    for (CompiledCondition& c : rule) {
      if (MatchesOne(c, e)) return true;
    }
    return false;
  }

  Truth EvalNotFollowedBy(Node& n) {
    const AudiencePredicate& p = *n.p;
    size_t anchor = events_.size();
    if (p.anchor == AudienceAnchor::kFirst) {
      for (size_t i = 0; i < events_.size(); ++i) {
        if (Matches(n.event, events_[i])) {
          anchor = i;
          break;
        }
      }
    } else {
      for (size_t i = events_.size(); i-- > 0;) {
        if (Matches(n.event, events_[i])) {
          anchor = i;
          break;
        }
      }
    }
    if (anchor == events_.size()) return Truth::kFalse;  // no anchor: not in the audience
    const int64_t start = store_.time_us(events_[anchor]);
    const int64_t end =
        p.duration_us ? SaturatingAdd(start, *p.duration_us) : std::numeric_limits<int64_t>::max();
    for (size_t i = anchor + 1; i < events_.size(); ++i) {
      if (store_.time_us(events_[i]) > end) break;
      if (Matches(n.follow, events_[i])) return Truth::kFalse;
    }
    if (p.duration_us && end > as_of_) return Truth::kPending;  // the window is still open
    return Truth::kTrue;
  }

  const JourneySet& journeys_;
  const EventStore& store_;
  const JourneyModel& model_;
  const int64_t as_of_;
  uint32_t person_ = 0;
  std::span<const uint32_t> events_;
  uint32_t any_segments_ = 0;
  uint32_t first_segments_ = 0;
};

}  // namespace

Result<std::vector<AudienceDefinition>> ParseAudiences(std::string_view json,
                                                       std::string_view origin,
                                                       const JourneyModel* model) {
  simdjson::dom::parser parser;
  element root;
  const std::string base(origin);
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return InvalidArgument(base + ": not valid JSON: " + simdjson::error_message(err));
  }
  internal::array arr;
  if (root.get_array().get(arr) != simdjson::SUCCESS) {
    return internal::WrongType(base, root, "an array of audience definitions");
  }
  std::vector<AudienceDefinition> out;
  size_t i = 0;
  for (element item : arr) {
    const std::string path = base + "[" + std::to_string(i++) + "]";
    JK_ASSIGN_OR_RETURN(object o, AsObject(item, path));
    AudienceDefinition d;
    element v;
    if (o.at_key("id").get(v) != simdjson::SUCCESS) return InvalidArgument(path + ".id: missing");
    JK_ASSIGN_OR_RETURN(d.id, AsString(v, path + ".id"));
    if (!ValidId(d.id)) {
      return InvalidArgument(path + ".id: '" + d.id +
                             "' must be non-empty letters, digits, '-', '_' or '.'");
    }
    for (size_t j = 0; j < out.size(); ++j) {
      if (out[j].id == d.id) {
        return InvalidArgument(path + ".id: '" + d.id + "' is already defined at " + base + "[" +
                               std::to_string(j) + "]");
      }
    }
    d.name = d.id;
    if (o.at_key("name").get(v) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(d.name, AsString(v, path + ".name"));
    }
    if (o.at_key("description").get(v) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(d.description, AsString(v, path + ".description"));
    }
    JK_ASSIGN_OR_RETURN(d.rule, ParsePredicate(item, path, true, 0));
    if (model != nullptr) JK_RETURN_IF_ERROR(ValidateAudience(*model, d));
    out.push_back(std::move(d));
  }
  return out;
}

Status ValidateAudience(const JourneyModel& model, const AudienceDefinition& definition) {
  return ValidatePredicate(model, definition.rule);
}

int64_t LatestEventTime(const EventStore& store) {
  if (store.size() == 0) return 0;
  int64_t latest = std::numeric_limits<int64_t>::min();
  for (size_t e = 0; e < store.size(); ++e) latest = std::max(latest, store.time_us(e));
  return latest;
}

AudienceMembership EvaluateAudience(const JourneySet& journeys,
                                    const AudienceDefinition& definition,
                                    std::optional<int64_t> as_of_us) {
  const EventStore& store = journeys.store();
  AudienceMembership m;
  m.audience_id = definition.id;
  m.as_of_us = as_of_us ? *as_of_us : LatestEventTime(store);
  Evaluator evaluator(journeys, m.as_of_us);
  Node root = evaluator.Compile(definition.rule);
  std::vector<uint8_t> source_seen(store.source_count(), 0);
  std::vector<std::pair<std::string_view, uint32_t>> members;
  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    std::span<const uint32_t> all = journeys.events(p);
    // Events are sorted by time: keep the prefix at or before as_of.
    auto cut = std::upper_bound(all.begin(), all.end(), m.as_of_us,
                                [&](int64_t t, uint32_t e) { return t < store.time_us(e); });
    std::span<const uint32_t> events(all.begin(), cut);
    if (events.empty()) continue;
    ++m.people_evaluated;
    m.events_evaluated += events.size();
    for (uint32_t e : events) source_seen[store.source(e)] = 1;
    evaluator.SetPerson(p, events);
    Truth t = evaluator.Eval(root);
    if (t == Truth::kTrue) members.emplace_back(journeys.person_id(p), p);
    if (t == Truth::kPending) ++m.pending;
  }
  std::sort(members.begin(), members.end());
  for (const auto& [id, p] : members) {
    m.members.emplace_back(id);
    m.person_indices.push_back(p);
  }
  for (size_t s = 0; s < source_seen.size(); ++s) {
    if (source_seen[s] != 0) m.sources.emplace_back(store.source_name(static_cast<uint16_t>(s)));
  }
  std::sort(m.sources.begin(), m.sources.end());
  return m;
}

}  // namespace journeykit

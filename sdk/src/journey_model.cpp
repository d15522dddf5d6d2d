// journey_model.cpp — parsing the model and evaluating its rules against events.
#include <journeykit/journey_model.hpp>

#include "internal/json_read.hpp"

#include <algorithm>
#include <cctype>
#include "internal/text_match.hpp"

namespace journeykit {

using internal::AsBool;
using internal::AsObject;
using internal::AsString;
using internal::AsStringList;
using internal::CheckKeys;
using internal::element;
using internal::object;

namespace {

using internal::AnyEquals;
using internal::ContainsIgnoreCase;
using internal::EqualsIgnoreCase;

bool MatchesKeyValues(const std::vector<std::pair<std::string, std::vector<std::string>>>& wanted,
                      const KeyValues& have) {
  for (const auto& [key, values] : wanted) {
    bool found = false;
    for (const auto& [k, v] : have) {
      if (EqualsIgnoreCase(k, key) && AnyEquals(values, v)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

Result<std::vector<std::pair<std::string, std::vector<std::string>>>> ParseKeyValueLists(
    const element& e, const std::string& path) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (auto field : o) {
    JK_ASSIGN_OR_RETURN(auto values,
                        AsStringList(field.value, path + "." + std::string(field.key)));
    out.emplace_back(std::string(field.key), std::move(values));
  }
  return out;
}

Result<Condition> ParseCondition(const element& e, const std::string& path, bool allow_resolved) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  if (allow_resolved) {
    JK_RETURN_IF_ERROR(CheckKeys(
        o, path,
        {"action", "source", "url_contains", "hint", "property", "touchpoint", "channel"}));
  } else {
    JK_RETURN_IF_ERROR(
        CheckKeys(o, path, {"action", "source", "url_contains", "hint", "property"}));
  }
  Condition c;
  for (auto field : o) {
    std::string key(field.key);
    std::string p = path + "." + key;
    if (key == "action") {
      JK_ASSIGN_OR_RETURN(c.actions, AsStringList(field.value, p));
    } else if (key == "source") {
      JK_ASSIGN_OR_RETURN(c.sources, AsStringList(field.value, p));
    } else if (key == "url_contains") {
      JK_ASSIGN_OR_RETURN(c.url_contains, AsStringList(field.value, p));
    } else if (key == "touchpoint") {
      JK_ASSIGN_OR_RETURN(c.touchpoints, AsStringList(field.value, p));
    } else if (key == "channel") {
      JK_ASSIGN_OR_RETURN(c.channels, AsStringList(field.value, p));
    } else if (key == "hint") {
      JK_ASSIGN_OR_RETURN(c.hints, ParseKeyValueLists(field.value, p));
    } else if (key == "property") {
      JK_ASSIGN_OR_RETURN(c.properties, ParseKeyValueLists(field.value, p));
    }
  }
  return c;
}

Result<Rule> ParseRule(const object& o, const std::string& path, bool allow_resolved) {
  Rule rule;
  element when;
  if (o.at_key("when").get(when) != simdjson::SUCCESS) {
    return InvalidArgument(path + ".when: missing (a list of conditions)");
  }
  simdjson::dom::array arr;
  if (when.get_array().get(arr) != simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(Condition c, ParseCondition(when, path + ".when", allow_resolved));
    rule.push_back(std::move(c));
    return rule;
  }
  size_t i = 0;
  for (element item : arr) {
    JK_ASSIGN_OR_RETURN(Condition c, ParseCondition(item, path + ".when[" + std::to_string(i) + "]",
                                                    allow_resolved));
    rule.push_back(std::move(c));
    ++i;
  }
  if (rule.empty()) return InvalidArgument(path + ".when: empty list matches nothing");
  return rule;
}

Status RequireString(const object& o, std::string_view key, const std::string& path,
                     std::string* out) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) {
    return InvalidArgument(path + "." + std::string(key) + ": missing");
  }
  JK_ASSIGN_OR_RETURN(*out, AsString(e, path + "." + std::string(key)));
  if (out->empty()) return InvalidArgument(path + "." + std::string(key) + ": empty");
  return Status::Ok();
}

}  // namespace

Result<Rule> ParseRuleJson(std::string_view json, const std::string& path, bool allow_resolved) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return InvalidArgument(path + ": not valid JSON");
  }
  Rule rule;
  simdjson::dom::array arr;
  if (root.get_array().get(arr) != simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(Condition c, ParseCondition(root, path, allow_resolved));
    rule.push_back(std::move(c));
    return rule;
  }
  size_t i = 0;
  for (element item : arr) {
    JK_ASSIGN_OR_RETURN(
        Condition c, ParseCondition(item, path + "[" + std::to_string(i++) + "]", allow_resolved));
    rule.push_back(std::move(c));
  }
  if (rule.empty()) return InvalidArgument(path + ": empty list matches nothing");
  return rule;
}

const std::string* FindValue(const KeyValues& kv, std::string_view key) {
  for (const auto& [k, v] : kv) {
    if (k == key) return &v;
  }
  return nullptr;
}

JourneyModel::JourneyModel() {
  touchpoints_.push_back(Touchpoint{"(unknown)", "Unknown touchpoint", "unknown", true, {}});
}

Status JourneyModel::AddTouchpoint(Touchpoint touchpoint) {
  for (const auto& t : touchpoints_) {
    if (t.id == touchpoint.id) return InvalidArgument("touchpoint '" + t.id + "' defined twice");
  }
  if (touchpoints_.size() >= 0xFFFF) return InvalidArgument("too many touchpoints");
  for (const auto& c : touchpoint.when) {
    if (!c.touchpoints.empty() || !c.channels.empty()) {
      return InvalidArgument("touchpoint '" + touchpoint.id +
                             "': a touchpoint rule cannot test touchpoint or channel");
    }
  }
  touchpoints_.push_back(std::move(touchpoint));
  return Status::Ok();
}

Status JourneyModel::AddStage(Stage stage) {
  for (const auto& s : stages_) {
    if (s.id == stage.id) return InvalidArgument("stage '" + s.id + "' defined twice");
  }
  if (stages_.size() >= kMaxStages) {
    return InvalidArgument("at most " + std::to_string(kMaxStages) + " stages are supported");
  }
  stages_.push_back(std::move(stage));
  return Status::Ok();
}

Status JourneyModel::AddSegment(Segment segment) {
  for (const auto& s : segments_) {
    if (s.id == segment.id) return InvalidArgument("segment '" + s.id + "' defined twice");
  }
  if (segment.id == "all") return InvalidArgument("segment id 'all' is reserved (everyone)");
  if (segments_.size() >= kMaxSegments) {
    return InvalidArgument("at most " + std::to_string(kMaxSegments) + " segments are supported");
  }
  segments_.push_back(std::move(segment));
  return Status::Ok();
}

int JourneyModel::SegmentIndex(std::string_view id) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

bool JourneyModel::Matches(const Rule& rule, const Event& event,
                           const Touchpoint* touchpoint) const {
  for (const Condition& c : rule) {
    if (!c.actions.empty() && !AnyEquals(c.actions, event.action)) continue;
    if (!c.sources.empty() && !AnyEquals(c.sources, event.source)) continue;
    if (!c.url_contains.empty()) {
      const std::string* url = FindValue(event.hints, "url");
      if (url == nullptr) continue;
      bool any = std::any_of(c.url_contains.begin(), c.url_contains.end(),
                             [&](const std::string& n) { return ContainsIgnoreCase(*url, n); });
      if (!any) continue;
    }
    if (!MatchesKeyValues(c.hints, event.hints)) continue;
    if (!MatchesKeyValues(c.properties, event.properties)) continue;
    if (!c.touchpoints.empty() &&
        (touchpoint == nullptr || !AnyEquals(c.touchpoints, touchpoint->id))) {
      continue;
    }
    if (!c.channels.empty() &&
        (touchpoint == nullptr || !AnyEquals(c.channels, touchpoint->channel))) {
      continue;
    }
    return true;
  }
  return false;
}

uint16_t JourneyModel::ResolveTouchpoint(const Event& event) const {
  for (size_t i = 1; i < touchpoints_.size(); ++i) {
    if (Matches(touchpoints_[i].when, event, nullptr)) return static_cast<uint16_t>(i);
  }
  return kUnknownTouchpoint;
}

uint8_t JourneyModel::AssignStage(const Event& event, uint16_t touchpoint) const {
  const Touchpoint* tp = &touchpoints_[touchpoint];
  for (size_t i = stages_.size(); i-- > 0;) {
    if (Matches(stages_[i].when, event, tp)) return static_cast<uint8_t>(i);
  }
  return kNoStage;
}

uint32_t JourneyModel::SegmentMatches(const Event& event, uint16_t touchpoint) const {
  const Touchpoint* tp = &touchpoints_[touchpoint];
  uint32_t mask = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (Matches(segments_[i].when, event, tp)) mask |= (1u << i);
  }
  return mask;
}

Result<JourneyModel> JourneyModel::FromJson(std::string_view json, std::string_view origin) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return InvalidArgument(std::string(origin) +
                           ": not valid JSON: " + simdjson::error_message(err));
  }
  std::string base(origin);
  JK_ASSIGN_OR_RETURN(object o, AsObject(root, base));
  JK_RETURN_IF_ERROR(CheckKeys(o, base, {"touchpoints", "stages", "segments"}));
  JourneyModel model;

  auto each = [&](std::string_view key, auto&& fn) -> Status {
    element list;
    if (o.at_key(key).get(list) != simdjson::SUCCESS) return Status::Ok();
    simdjson::dom::array arr;
    std::string path = base + "." + std::string(key);
    if (list.get_array().get(arr) != simdjson::SUCCESS) {
      return internal::WrongType(path, list, "an array");
    }
    size_t i = 0;
    for (element item : arr) {
      std::string item_path = path + "[" + std::to_string(i++) + "]";
      JK_ASSIGN_OR_RETURN(object item_obj, AsObject(item, item_path));
      JK_RETURN_IF_ERROR(fn(item_obj, item_path));
    }
    return Status::Ok();
  };

  JK_RETURN_IF_ERROR(each("touchpoints", [&](const object& t, const std::string& p) -> Status {
    JK_RETURN_IF_ERROR(CheckKeys(t, p, {"id", "name", "channel", "online", "when"}));
    Touchpoint tp;
    JK_RETURN_IF_ERROR(RequireString(t, "id", p, &tp.id));
    tp.name = tp.id;
    element e;
    if (t.at_key("name").get(e) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(tp.name, AsString(e, p + ".name"));
    }
    JK_RETURN_IF_ERROR(RequireString(t, "channel", p, &tp.channel));
    if (t.at_key("online").get(e) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(tp.online, AsBool(e, p + ".online"));
    }
    JK_ASSIGN_OR_RETURN(tp.when, ParseRule(t, p, false));
    return model.AddTouchpoint(std::move(tp)).WithContext(p);
  }));
  JK_RETURN_IF_ERROR(each("stages", [&](const object& s, const std::string& p) -> Status {
    JK_RETURN_IF_ERROR(CheckKeys(s, p, {"id", "name", "goal", "when"}));
    Stage st;
    JK_RETURN_IF_ERROR(RequireString(s, "id", p, &st.id));
    st.name = st.id;
    element e;
    if (s.at_key("name").get(e) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(st.name, AsString(e, p + ".name"));
    }
    if (s.at_key("goal").get(e) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(st.goal, AsBool(e, p + ".goal"));
    }
    JK_ASSIGN_OR_RETURN(st.when, ParseRule(s, p, true));
    return model.AddStage(std::move(st)).WithContext(p);
  }));
  JK_RETURN_IF_ERROR(each("segments", [&](const object& s, const std::string& p) -> Status {
    JK_RETURN_IF_ERROR(CheckKeys(s, p, {"id", "name", "scope", "when"}));
    Segment seg;
    JK_RETURN_IF_ERROR(RequireString(s, "id", p, &seg.id));
    seg.name = seg.id;
    element e;
    if (s.at_key("name").get(e) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(seg.name, AsString(e, p + ".name"));
    }
    if (s.at_key("scope").get(e) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(std::string scope, AsString(e, p + ".scope"));
      if (scope == "any") {
        seg.scope = SegmentScope::kAny;
      } else if (scope == "first") {
        seg.scope = SegmentScope::kFirst;
      } else {
        return InvalidArgument(p + ".scope: '" + scope + "' is not one of: any, first");
      }
    }
    JK_ASSIGN_OR_RETURN(seg.when, ParseRule(s, p, true));
    return model.AddSegment(std::move(seg)).WithContext(p);
  }));
  if (model.stages().empty()) {
    return InvalidArgument(base + ".stages: at least one stage is required");
  }
  // Stage and segment rules may only name touchpoints that exist.
  auto check_refs = [&](const Rule& rule, const std::string& owner) -> Status {
    for (const Condition& c : rule) {
      for (const std::string& id : c.touchpoints) {
        bool found = std::any_of(model.touchpoints().begin(), model.touchpoints().end(),
                                 [&](const Touchpoint& t) { return EqualsIgnoreCase(t.id, id); });
        if (!found) {
          return InvalidArgument(owner + ": touchpoint '" + id +
                                 "' is not defined in model.touchpoints");
        }
      }
    }
    return Status::Ok();
  };
  for (const Stage& s : model.stages()) {
    JK_RETURN_IF_ERROR(check_refs(s.when, base + ".stages '" + s.id + "'"));
  }
  for (const Segment& s : model.segments()) {
    JK_RETURN_IF_ERROR(check_refs(s.when, base + ".segments '" + s.id + "'"));
  }
  return model;
}

}  // namespace journeykit

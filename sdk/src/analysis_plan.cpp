// analysis_plan.cpp — parsing the pipeline's "analyses" list.
#include <journeykit/analysis_plan.hpp>

#include "internal/json_read.hpp"

#include <simdjson.h>

#include <cmath>
#include <utility>

namespace journeykit {

using internal::AsObject;
using internal::AsString;
using internal::AsStringList;
using internal::CheckKeys;
using internal::element;
using internal::object;

namespace {

Result<double> AsNumber(const element& e, const std::string& path) {
  double d = 0;
  if (e.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) {
    return internal::WrongType(path, e, "a number");
  }
  return d;
}

Result<int64_t> DaysToMicros(const element& e, const std::string& path) {
  JK_ASSIGN_OR_RETURN(double days, AsNumber(e, path));
  if (days <= 0) return InvalidArgument(path + ": must be more than 0 days");
  return static_cast<int64_t>(days * static_cast<double>(kMicrosPerDay));
}

Status CheckStage(const JourneyModel& model, const std::string& id, const std::string& path) {
  for (const Stage& s : model.stages()) {
    if (s.id == id) return Status::Ok();
  }
  return InvalidArgument(path + ": no stage '" + id + "' in model.stages");
}

Result<FunnelStep> ParseStep(const element& e, const std::string& p, const JourneyModel& model) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, p));
  JK_RETURN_IF_ERROR(CheckKeys(o, p, {"id", "name", "when", "stages"}));
  FunnelStep step;
  element v;
  if (o.at_key("id").get(v) != simdjson::SUCCESS) return InvalidArgument(p + ".id: missing");
  JK_ASSIGN_OR_RETURN(step.id, AsString(v, p + ".id"));
  step.name = step.id;
  if (o.at_key("name").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(step.name, AsString(v, p + ".name"));
  }
  if (o.at_key("when").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(step.when, ParseRuleJson(simdjson::minify(v), p + ".when", true));
  }
  if (o.at_key("stages").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(step.stages, AsStringList(v, p + ".stages"));
    for (const auto& s : step.stages) JK_RETURN_IF_ERROR(CheckStage(model, s, p + ".stages"));
  }
  if (step.when.empty() && step.stages.empty()) {
    return InvalidArgument(p + ": a step needs \"when\" or \"stages\"");
  }
  return step;
}

Status ParseFunnel(const object& o, const std::string& p, const JourneyModel& model,
                   AnalysisPlan& plan) {
  JK_RETURN_IF_ERROR(CheckKeys(o, p,
                               {"type", "id", "name", "mode", "window_days", "step_windows_days",
                                "steps", "exclusions", "counting"}));
  FunnelAnalysis f;
  element v;
  if (o.at_key("id").get(v) != simdjson::SUCCESS) return InvalidArgument(p + ".id: missing");
  JK_ASSIGN_OR_RETURN(f.id, AsString(v, p + ".id"));
  f.name = f.id;
  if (o.at_key("name").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(f.name, AsString(v, p + ".name"));
  }
  if (o.at_key("mode").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string mode, AsString(v, p + ".mode"));
    if (mode == "ordered") {
      f.options.mode = FunnelMode::kOrdered;
    } else if (mode == "strict_order") {
      f.options.mode = FunnelMode::kStrictOrder;
    } else if (mode == "unordered") {
      f.options.mode = FunnelMode::kUnordered;
    } else {
      return InvalidArgument(p + ".mode: '" + mode +
                             "' is not one of: ordered, strict_order, unordered");
    }
  }
  if (o.at_key("counting").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string counting, AsString(v, p + ".counting"));
    if (counting == "people") {
      f.options.counting = FunnelCounting::kUniquePeople;
    } else if (counting == "totals") {
      f.options.counting = FunnelCounting::kTotals;
    } else {
      return InvalidArgument(p + ".counting: '" + counting + "' is not one of: people, totals");
    }
  }
  if (o.at_key("window_days").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(f.options.window_us, DaysToMicros(v, p + ".window_days"));
  }
  if (o.at_key("step_windows_days").get(v) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) {
      return internal::WrongType(p + ".step_windows_days", v,
                                 "an array of numbers (days; 0: none)");
    }
    size_t i = 0;
    for (element item : arr) {
      JK_ASSIGN_OR_RETURN(double d,
                          AsNumber(item, p + ".step_windows_days[" + std::to_string(i++) + "]"));
      f.options.step_windows_us.push_back(
          static_cast<int64_t>(d * static_cast<double>(kMicrosPerDay)));
    }
  }
  if (o.at_key("steps").get(v) != simdjson::SUCCESS) return InvalidArgument(p + ".steps: missing");
  simdjson::dom::array steps;
  if (v.get_array().get(steps) != simdjson::SUCCESS) {
    return internal::WrongType(p + ".steps", v, "an array of steps");
  }
  size_t i = 0;
  for (element item : steps) {
    JK_ASSIGN_OR_RETURN(FunnelStep step,
                        ParseStep(item, p + ".steps[" + std::to_string(i++) + "]", model));
    f.options.steps.push_back(std::move(step));
  }
  if (o.at_key("exclusions").get(v) == simdjson::SUCCESS) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) {
      return internal::WrongType(p + ".exclusions", v, "an array");
    }
    size_t k = 0;
    for (element item : arr) {
      std::string ep = p + ".exclusions[" + std::to_string(k++) + "]";
      JK_ASSIGN_OR_RETURN(object eo, AsObject(item, ep));
      JK_RETURN_IF_ERROR(
          CheckKeys(eo, ep, {"id", "name", "when", "stages", "after_step", "before_step"}));
      FunnelExclusion ex;
      // The step part of an exclusion reads like a step; the bounds are step indices.
      std::string step_json = "{";
      bool first = true;
      for (auto field : eo) {
        if (field.key == "after_step" || field.key == "before_step") continue;
        step_json += std::string(first ? "" : ",") + "\"" + std::string(field.key) +
                     "\":" + simdjson::minify(field.value);
        first = false;
      }
      step_json += "}";
      simdjson::dom::parser parser;
      element step_elem;
      if (parser.parse(step_json).get(step_elem) != simdjson::SUCCESS)
        return InvalidArgument(ep + ": not valid");
      JK_ASSIGN_OR_RETURN(ex.step, ParseStep(step_elem, ep, model));
      element b;
      int64_t n = 0;
      if (eo.at_key("after_step").get(b) == simdjson::SUCCESS) {
        if (b.get_int64().get(n) != simdjson::SUCCESS)
          return internal::WrongType(ep + ".after_step", b, "a step index");
        ex.after_step = static_cast<int>(n);
      }
      if (eo.at_key("before_step").get(b) == simdjson::SUCCESS) {
        if (b.get_int64().get(n) != simdjson::SUCCESS)
          return internal::WrongType(ep + ".before_step", b, "a step index");
        ex.before_step = static_cast<int>(n);
      }
      f.options.exclusions.push_back(std::move(ex));
    }
  }
  for (const auto& other : plan.funnels) {
    if (other.id == f.id) return InvalidArgument(p + ".id: funnel '" + f.id + "' is defined twice");
  }
  plan.funnels.push_back(std::move(f));
  return Status::Ok();
}

Status ParsePaths(const object& o, const std::string& p, AnalysisPlan& plan) {
  JK_RETURN_IF_ERROR(
      CheckKeys(o, p, {"type", "by", "top_n", "collapse_repeats", "skip_unknown", "max_nodes"}));
  PathsAnalysis a;
  element v;
  if (o.at_key("by").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string by, AsString(v, p + ".by"));
    if (by == "touchpoint") {
      a.options.node = PathNode::kTouchpoint;
    } else if (by == "stage") {
      a.options.node = PathNode::kStage;
    } else {
      return InvalidArgument(p + ".by: '" + by + "' is not one of: touchpoint, stage");
    }
  }
  int64_t n = 0;
  if (o.at_key("top_n").get(v) == simdjson::SUCCESS) {
    if (v.get_int64().get(n) != simdjson::SUCCESS || n <= 0) {
      return InvalidArgument(p + ".top_n: expected a positive integer");
    }
    a.options.top_n = static_cast<size_t>(n);
  }
  if (o.at_key("max_nodes").get(v) == simdjson::SUCCESS) {
    if (v.get_int64().get(n) != simdjson::SUCCESS || n < 0) {
      return InvalidArgument(p + ".max_nodes: expected a non-negative integer");
    }
    a.options.max_nodes = static_cast<size_t>(n);
  }
  if (o.at_key("collapse_repeats").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.collapse_repeats, internal::AsBool(v, p + ".collapse_repeats"));
  }
  a.options.skip_unknown_touchpoint = true;
  if (o.at_key("skip_unknown").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.skip_unknown_touchpoint,
                        internal::AsBool(v, p + ".skip_unknown"));
  }
  plan.paths = std::move(a);
  return Status::Ok();
}

Status ParseAttribution(const object& o, const std::string& p, const JourneyModel& model,
                        AnalysisPlan& plan) {
  JK_RETURN_IF_ERROR(
      CheckKeys(o, p, {"type", "goal_stage", "by", "lookback_days", "models", "half_life_days"}));
  AttributionAnalysis a;
  element v;
  if (o.at_key("goal_stage").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.goal_stage, AsString(v, p + ".goal_stage"));
  } else {
    for (const Stage& s : model.stages()) {
      if (s.goal) {
        a.goal_stage = s.id;
        break;
      }
    }
    if (a.goal_stage.empty()) {
      return InvalidArgument(p + ".goal_stage: missing, and no stage is marked \"goal\": true");
    }
  }
  JK_RETURN_IF_ERROR(CheckStage(model, a.goal_stage, p + ".goal_stage"));
  if (o.at_key("by").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string by, AsString(v, p + ".by"));
    if (by == "touchpoint") {
      a.unit = PathUnit::kTouchpoint;
    } else if (by == "channel") {
      a.unit = PathUnit::kChannel;
    } else {
      return InvalidArgument(p + ".by: '" + by + "' is not one of: touchpoint, channel");
    }
  }
  if (o.at_key("lookback_days").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.lookback_us, DaysToMicros(v, p + ".lookback_days"));
  }
  if (o.at_key("half_life_days").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(int64_t hl, DaysToMicros(v, p + ".half_life_days"));
    a.options.half_life_us = static_cast<double>(hl);
  }
  a.options.models = AllModels();
  if (o.at_key("models").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(auto names, AsStringList(v, p + ".models"));
    a.options.models.clear();
    for (const auto& name : names) {
      auto m = ParseModelName(name);
      if (!m) {
        return InvalidArgument(p + ".models: unknown model '" + name +
                               "' (known: first, last, linear, position, time_decay, markov)");
      }
      a.options.models.push_back(*m);
    }
  }
  plan.attribution = std::move(a);
  return Status::Ok();
}

Status ParseVoice(const object& o, const std::string& p, const std::string& base_dir,
                  AnalysisPlan& plan) {
  JK_RETURN_IF_ERROR(
      CheckKeys(o, p,
                {"type", "nps_actions", "csat_actions", "review_actions", "negative_email_actions",
                 "lexicon", "score_text", "email_actions"}));
  VoiceAnalysis a;
  element v;
  if (o.at_key("email_actions").get(v) == simdjson::SUCCESS) {
    const std::string q = p + ".email_actions";
    JK_ASSIGN_OR_RETURN(object actions, AsObject(v, q));
    JK_RETURN_IF_ERROR(
        CheckKeys(actions, q, {"delivered", "opened", "clicked", "bounced", "unsubscribed"}));
    EmailActions& e = a.email_actions;
    for (auto [key, target] : {std::pair{"delivered", &e.delivered}, std::pair{"opened", &e.opened},
                               std::pair{"clicked", &e.clicked}, std::pair{"bounced", &e.bounced},
                               std::pair{"unsubscribed", &e.unsubscribed}}) {
      element list;
      if (actions.at_key(key).get(list) != simdjson::SUCCESS) continue;
      JK_ASSIGN_OR_RETURN(*target, AsStringList(list, q + "." + key));
    }
  }
  if (o.at_key("nps_actions").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.nps_actions, AsStringList(v, p + ".nps_actions"));
  }
  if (o.at_key("csat_actions").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.csat_actions, AsStringList(v, p + ".csat_actions"));
  }
  if (o.at_key("review_actions").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.review_actions, AsStringList(v, p + ".review_actions"));
  }
  if (o.at_key("negative_email_actions").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.negative_email_actions,
                        AsStringList(v, p + ".negative_email_actions"));
  }
  if (o.at_key("score_text").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.score_text, internal::AsBool(v, p + ".score_text"));
  }
  if (o.at_key("lexicon").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string file, AsString(v, p + ".lexicon"));
    if (!file.empty() && file.front() != '/') file = base_dir + "/" + file;
    auto lexicon = LexiconSentimentModel::LoadFile(file);
    if (!lexicon.ok()) return lexicon.status().WithContext(p + ".lexicon");
    a.lexicon = std::make_shared<const LexiconSentimentModel>(std::move(lexicon).value());
  } else {
    // The built-in English lexicon lives as long as the program.
    a.lexicon = std::shared_ptr<const LexiconSentimentModel>(
        &LexiconSentimentModel::BuiltinEnglish(), [](const LexiconSentimentModel*) {});
  }
  a.options.text_model = a.lexicon.get();
  plan.voice = std::move(a);
  return Status::Ok();
}

Status ParseLoyalty(const object& o, const std::string& p, const JourneyModel& model,
                    AnalysisPlan& plan) {
  JK_RETURN_IF_ERROR(CheckKeys(
      o, p, {"type", "purchase_actions", "purchase_stage", "cycle_stages", "awareness_stage"}));
  LoyaltyAnalysis a;
  element v;
  if (o.at_key("purchase_actions").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.purchase.actions, AsStringList(v, p + ".purchase_actions"));
  }
  if (o.at_key("purchase_stage").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.purchase.stage, AsString(v, p + ".purchase_stage"));
    JK_RETURN_IF_ERROR(CheckStage(model, a.options.purchase.stage, p + ".purchase_stage"));
  }
  if (o.at_key("cycle_stages").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.cycle_stages, AsStringList(v, p + ".cycle_stages"));
  }
  for (const auto& s : a.options.cycle_stages)
    JK_RETURN_IF_ERROR(CheckStage(model, s, p + ".cycle_stages"));
  if (o.at_key("awareness_stage").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.options.awareness_stage, AsString(v, p + ".awareness_stage"));
  }
  if (!a.options.awareness_stage.empty()) {
    JK_RETURN_IF_ERROR(CheckStage(model, a.options.awareness_stage, p + ".awareness_stage"));
  }
  plan.loyalty = std::move(a);
  return Status::Ok();
}

Status ParsePainPoints(const object& o, const std::string& p, const JourneyModel& model,
                       AnalysisPlan& plan) {
  JK_RETURN_IF_ERROR(
      CheckKeys(o, p,
                {"type", "enabled", "drop_off_margin", "min_people", "slow_transition_factor",
                 "churn_loop_threshold", "slow_page_load_s", "slow_review_reply_s", "min_reviews",
                 "audience_window_days", "expected_time_to_next_days"}));
  PainPointOptions& a = plan.pain_points;
  element v;
  if (o.at_key("enabled").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(a.enabled, internal::AsBool(v, p + ".enabled"));
  }
  struct Field {
    const char* key;
    double* target;
    bool positive;  // > 0 (else >= 0)
  } fields[] = {{"drop_off_margin", &a.drop_off_margin, false},
                {"slow_transition_factor", &a.slow_transition_factor, true},
                {"churn_loop_threshold", &a.churn_loop_threshold, false},
                {"slow_page_load_s", &a.slow_page_load_s, true},
                {"slow_review_reply_s", &a.slow_review_reply_s, true},
                {"audience_window_days", &a.audience_window_days, true}};
  for (const Field& f : fields) {
    if (o.at_key(f.key).get(v) != simdjson::SUCCESS) continue;
    JK_ASSIGN_OR_RETURN(double d, AsNumber(v, p + "." + f.key));
    if (f.positive ? d <= 0 : d < 0) {
      return InvalidArgument(p + "." + f.key +
                             (f.positive ? ": must be more than 0" : ": must be 0 or more"));
    }
    *f.target = d;
  }
  for (auto [key, target] : {std::pair<const char*, uint64_t*>{"min_people", &a.min_people},
                             std::pair<const char*, uint64_t*>{"min_reviews", &a.min_reviews}}) {
    if (o.at_key(key).get(v) != simdjson::SUCCESS) continue;
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS || n < 0) {
      return InvalidArgument(p + "." + key + ": expected a non-negative integer");
    }
    *target = static_cast<uint64_t>(n);
  }
  // {"consideration": 3, ...}: the time a stage is expected to take, in days.
  if (o.at_key("expected_time_to_next_days").get(v) == simdjson::SUCCESS) {
    const std::string q = p + ".expected_time_to_next_days";
    JK_ASSIGN_OR_RETURN(object stages, AsObject(v, q));
    for (auto [key, value] : stages) {
      std::string stage(key);
      JK_RETURN_IF_ERROR(CheckStage(model, stage, q));
      JK_ASSIGN_OR_RETURN(double days, AsNumber(value, q + "." + stage));
      if (days <= 0) return InvalidArgument(q + "." + stage + ": must be more than 0 days");
      a.expected_time_to_next_s.emplace_back(stage, days * 86400.0);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<AnalysisPlan> AnalysisPlan::Parse(std::string_view json, const std::string& path,
                                         const JourneyModel& model, const std::string& base_dir) {
  AnalysisPlan plan;
  if (json.empty()) return plan;
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return InvalidArgument(path + ": not valid JSON");
  }
  simdjson::dom::array arr;
  if (root.get_array().get(arr) != simdjson::SUCCESS) {
    return internal::WrongType(path, root, "an array");
  }
  size_t i = 0;
  for (element item : arr) {
    std::string p = path + "[" + std::to_string(i++) + "]";
    JK_ASSIGN_OR_RETURN(object o, AsObject(item, p));
    element t;
    if (o.at_key("type").get(t) != simdjson::SUCCESS) return InvalidArgument(p + ".type: missing");
    JK_ASSIGN_OR_RETURN(std::string type, AsString(t, p + ".type"));
    if (type == "stage_funnel") {
      JK_RETURN_IF_ERROR(CheckKeys(o, p, {"type", "top_n"}));
      element n;
      int64_t top = 0;
      if (o.at_key("top_n").get(n) == simdjson::SUCCESS) {
        if (n.get_int64().get(top) != simdjson::SUCCESS || top <= 0) {
          return InvalidArgument(p + ".top_n: expected a positive integer");
        }
        plan.top_n = static_cast<size_t>(top);
      }
    } else if (type == "funnel") {
      JK_RETURN_IF_ERROR(ParseFunnel(o, p, model, plan));
    } else if (type == "paths") {
      JK_RETURN_IF_ERROR(ParsePaths(o, p, plan));
    } else if (type == "attribution") {
      JK_RETURN_IF_ERROR(ParseAttribution(o, p, model, plan));
    } else if (type == "voice") {
      JK_RETURN_IF_ERROR(ParseVoice(o, p, base_dir, plan));
    } else if (type == "loyalty") {
      JK_RETURN_IF_ERROR(ParseLoyalty(o, p, model, plan));
    } else if (type == "pain_points") {
      JK_RETURN_IF_ERROR(ParsePainPoints(o, p, model, plan));
    } else {
      return InvalidArgument(p + ".type: unknown analysis '" + type +
                             "' (known: stage_funnel, funnel, paths, attribution, voice, loyalty, "
                             "pain_points)");
    }
  }
  return plan;
}

}  // namespace journeykit

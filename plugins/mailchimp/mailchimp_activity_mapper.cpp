// mailchimp_activity_mapper.cpp — reports/{campaign_id}/email-activity members → events
// (README.md, "How activity becomes events").
#include "mailchimp_activity_mapper.hpp"

#include <journeykit/kit/time_parse.hpp>

#include <cstdlib>

namespace journeykit::mailchimp {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string Text(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return {};
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
  return {};
}

// total_items and status: JSON numbers, or numbers as text.
std::optional<int64_t> Integer(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return i;
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS && !s.empty()) {
    std::string text(s);
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (end != text.c_str()) return v;
  }
  return std::nullopt;
}

std::string EventAction(std::string_view action) {
  if (action == "open") return "email_open";
  if (action == "click") return "email_click";
  if (action == "bounce") return "email_bounce";
  return "mailchimp_" + std::string(action.empty() ? "unknown" : action);
}

}  // namespace

std::optional<Problem> ParseProblem(std::string_view body) {
  simdjson::dom::parser parser;
  element root;
  object o;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  Problem p;
  p.type = Text(o, "type");
  p.title = Text(o, "title");
  p.detail = Text(o, "detail");
  p.instance = Text(o, "instance");
  p.status = Integer(o, "status").value_or(0);
  if (p.title.empty() && p.detail.empty()) return std::nullopt;
  simdjson::dom::array errors;
  if (o["errors"].get_array().get(errors) == simdjson::SUCCESS) {
    for (element e : errors) {
      object eo;
      if (e.get_object().get(eo) != simdjson::SUCCESS) continue;
      std::string field = Text(eo, "field");
      p.errors.push_back((field.empty() ? "" : field + ": ") + Text(eo, "message"));
    }
  }
  return p;
}

Result<CampaignPage> MailchimpActivityMapper::ParseCampaigns(std::string_view body) {
  element root;
  object o;
  if (auto err = parser_.parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return DataError(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::array list;
  if (root.get_object().get(o) != simdjson::SUCCESS ||
      o["campaigns"].get_array().get(list) != simdjson::SUCCESS) {
    return DataError("expected an object with a \"campaigns\" array");
  }
  CampaignPage page;
  page.total_items = Integer(o, "total_items");
  for (element e : list) {
    ++page.items;
    object c;
    if (e.get_object().get(c) != simdjson::SUCCESS) continue;
    Campaign campaign;
    campaign.id = Text(c, "id");
    if (campaign.id.empty()) continue;
    object settings;
    if (c["settings"].get_object().get(settings) == simdjson::SUCCESS) {
      campaign.title = Text(settings, "title");
      if (campaign.title.empty()) campaign.title = Text(settings, "subject_line");
    }
    page.campaigns.push_back(std::move(campaign));
  }
  return page;
}

Result<ActivityPage> MailchimpActivityMapper::MapActivity(std::string_view body,
                                                          const Campaign& campaign) {
  element root;
  object o;
  if (auto err = parser_.parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return DataError(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::array emails;
  if (root.get_object().get(o) != simdjson::SUCCESS ||
      o["emails"].get_array().get(emails) != simdjson::SUCCESS) {
    return DataError("expected an object with an \"emails\" array");
  }
  ActivityPage page;
  page.total_items = Integer(o, "total_items");
  for (element m : emails) {
    const size_t member_index = page.members++;
    object member;
    if (m.get_object().get(member) != simdjson::SUCCESS) {
      page.bad.push_back(
          {"member #" + std::to_string(member_index), "not a JSON object", simdjson::minify(m)});
      continue;
    }
    std::string campaign_id = Text(member, "campaign_id");
    if (campaign_id.empty()) campaign_id = campaign.id;
    const std::string email = Text(member, "email_address");
    std::string email_id = Text(member, "email_id");
    if (email_id.empty()) email_id = email;
    const std::string list_id = Text(member, "list_id");
    simdjson::dom::array activity;
    if (member["activity"].get_array().get(activity) != simdjson::SUCCESS) continue;
    size_t activity_index = 0;
    for (element a : activity) {
      const std::string location = "member #" + std::to_string(member_index) + " activity #" +
                                   std::to_string(activity_index++);
      object act;
      if (a.get_object().get(act) != simdjson::SUCCESS) {
        page.bad.push_back({location, "not a JSON object", simdjson::minify(a)});
        continue;
      }
      const std::string action = Text(act, "action");
      const std::string timestamp = Text(act, "timestamp");
      Result<int64_t> time = kit::ParseIso8601(timestamp);
      if (!time.ok()) {
        page.bad.push_back({location, "timestamp '" + timestamp + "': " + time.status().message(),
                            simdjson::minify(a)});
        continue;
      }
      plugin::Event e;
      e.time_us = *time;
      e.event_id = campaign_id + ":" + email_id + ":" + action + ":" + timestamp;
      e.action = EventAction(action);
      if (!email.empty()) e.identities.emplace_back("email", email);
      e.hints.emplace_back("channel", "email");
      e.hints.emplace_back("utm_medium", "email");
      e.hints.emplace_back("utm_campaign", campaign.title.empty() ? campaign_id : campaign.title);
      if (std::string url = Text(act, "url"); !url.empty()) e.hints.emplace_back("url", url);
      e.properties.emplace_back("campaign_id", campaign_id);
      if (!list_id.empty()) e.properties.emplace_back("list_id", list_id);
      if (std::string type = Text(act, "type"); !type.empty()) {
        e.properties.emplace_back("bounce_type", type);
      }
      if (*time > page.newest_us) {
        page.newest_us = *time;
        page.newest_timestamp = timestamp;
      }
      page.events.push_back(std::move(e));
    }
  }
  return page;
}

}  // namespace journeykit::mailchimp

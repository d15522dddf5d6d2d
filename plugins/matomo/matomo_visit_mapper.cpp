// matomo_visit_mapper.cpp — Matomo 3 and 4+ visit JSON → JourneyKit events (README.md,
// "How a visit becomes events").
#include "matomo_visit_mapper.hpp"

#include <journeykit/kit/json_fields.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace journeykit::matomo {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

using kit::Field;

// Text of a field that may be a string, a number or a boolean; "" for null, absent and false
// (visitorId: false = hidden).
std::string Text(object o, std::string_view key) {
  auto e = Field(o, key);
  if (!e) return {};
  bool b = false;
  if (e->get_bool().get(b) == simdjson::SUCCESS) return b ? "true" : "";
  return kit::ScalarText(*e);
}

std::optional<double> Number(object o, std::string_view key) { return kit::NumberField(o, key); }

std::optional<int64_t> Timestamp(object o, std::string_view key) {
  auto n = Number(o, key);
  if (!n || *n <= 0) return std::nullopt;
  return static_cast<int64_t>(*n);
}

std::string FormatNumber(double v) { return kit::NumberText(v); }

// referrerType → the "channel" hint.
std::string Channel(std::string_view referrer_type) {
  if (referrer_type == "website") return "referral";
  return std::string(referrer_type);  // direct, search, social, campaign (and newer types)
}

}  // namespace

std::optional<std::string> MatomoErrorMessage(std::string_view body) {
  simdjson::dom::parser parser;
  element root;
  object o;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  if (Text(o, "result") != "error") return std::nullopt;
  std::string message = Text(o, "message");
  return message.empty() ? std::string("(no message)") : message;
}

Result<MappedPage> MatomoVisitMapper::MapPage(std::string_view body) {
  element root;
  if (auto err = parser_.parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return DataError(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::array visits;
  if (root.get_array().get(visits) != simdjson::SUCCESS) {
    return DataError("expected a JSON array of visits");
  }
  MappedPage page;
  for (element v : visits) {
    size_t index = page.visits++;
    object visit;
    std::string reason;
    int64_t ts = 0;
    if (v.get_object().get(visit) != simdjson::SUCCESS) {
      reason = "a visit must be a JSON object";
    } else if (MapVisit(visit, page.events, page.unknown_types, ts, reason)) {
      page.max_visit_timestamp = std::max(page.max_visit_timestamp, ts);
      continue;
    }
    page.bad_visits.push_back(BadVisit{index, reason, simdjson::minify(v)});
  }
  return page;
}

bool MatomoVisitMapper::MapVisit(object visit, std::vector<plugin::Event>& out,
                                 std::vector<std::string>& unknown_types, int64_t& visit_timestamp,
                                 std::string& reason) const {
  const std::string id_visit = Text(visit, "idVisit");
  if (id_visit.empty()) {
    reason = "the visit has no idVisit";
    return false;
  }
  const std::optional<int64_t> first = Timestamp(visit, "firstActionTimestamp");
  const std::optional<int64_t> last = Timestamp(visit, "lastActionTimestamp");
  const std::optional<int64_t> server = Timestamp(visit, "serverTimestamp");
  std::optional<int64_t> newest = last ? last : server ? server : first;
  if (!newest) {
    reason = "the visit has no lastActionTimestamp, serverTimestamp or firstActionTimestamp";
    return false;
  }
  visit_timestamp = *newest;
  const std::string id_site = Text(visit, "idSite");
  const std::string event_prefix = (id_site.empty() ? "0" : id_site) + ":" + id_visit + ":";

  // What every event of the visit carries: who, and how the visit arrived.
  std::vector<std::pair<std::string, std::string>> identities, visit_hints, visit_props;
  if (std::string v = Text(visit, "visitorId"); !v.empty() && v != "true") {
    identities.emplace_back("matomo_visitor_id", std::move(v));
  }
  if (std::string v = Text(visit, "userId"); !v.empty()) {
    identities.emplace_back("user_id", std::move(v));
  }
  auto add = [](auto& list, const char* key, std::string value) {
    if (!value.empty()) list.emplace_back(key, std::move(value));
  };
  const std::string referrer_type = Text(visit, "referrerType");
  const std::string referrer_name = Text(visit, "referrerName");
  std::string campaign = Text(visit, "campaignName");
  if (campaign.empty() && referrer_type == "campaign") campaign = referrer_name;
  add(visit_hints, "channel", Channel(referrer_type));
  std::string referrer = Text(visit, "referrerUrl");
  add(visit_hints, "referrer", referrer.empty() ? referrer_name : referrer);
  add(visit_hints, "utm_source", Text(visit, "campaignSource"));
  add(visit_hints, "utm_medium", Text(visit, "campaignMedium"));
  add(visit_hints, "utm_campaign", campaign);
  add(visit_props, "visit_id", id_visit);
  add(visit_props, "device_type", Text(visit, "deviceType"));
  add(visit_props, "country", Text(visit, "countryCode"));
  const std::string currency = Text(visit, "siteCurrency");

  simdjson::dom::array actions;
  element actions_el;
  if (visit.at_key("actionDetails").get(actions_el) != simdjson::SUCCESS ||
      actions_el.get_array().get(actions) != simdjson::SUCCESS) {
    return true;  // a visit without actions (doNotFetchActions, or an empty visit): no events
  }
  size_t position = 0;
  for (element a : actions) {
    const size_t index = position++;
    object action;
    if (a.get_object().get(action) != simdjson::SUCCESS) continue;
    plugin::Event e;
    e.event_id = event_prefix + std::to_string(index);
    e.time_us = Timestamp(action, "timestamp").value_or(first.value_or(*newest)) * 1000000;
    e.identities = identities;
    e.hints = visit_hints;
    e.properties = visit_props;
    add(e.hints, "url", Text(action, "url"));
    const std::string type = Text(action, "type");
    if (type == "action") {
      e.action = "page_view";
      std::string title = Text(action, "pageTitle");
      add(e.properties, "page_title", title.empty() ? Text(action, "title") : title);
      if (auto spent = Number(action, "timeSpent")) {
        add(e.properties, "time_spent_s", FormatNumber(*spent));
      }
      // Matomo 4+: page load time; Matomo 3: server generation time.
      auto load = Number(action, "pageLoadTimeMilliseconds");
      if (!load) load = Number(action, "generationTimeMilliseconds");
      if (load) add(e.properties, "page_load_ms", FormatNumber(*load));
    } else if (type == "goal") {
      e.action = "goal_conversion";
      add(e.properties, "goal_name", Text(action, "goalName"));
      add(e.properties, "goal_id", Text(action, "goalId"));
      if (auto revenue = Number(action, "revenue"); revenue && *revenue > 0) {
        e.value = *revenue;
        e.currency = currency;
      }
    } else if (type == "ecommerceOrder" || type == "ecommerceAbandonedCart") {
      e.action = type == "ecommerceOrder" ? "purchase" : "cart_abandoned";
      e.value = Number(action, "revenue");
      if (e.value) e.currency = currency;
      add(e.properties, "transaction_id", Text(action, "orderId"));
      if (auto items = Number(action, "items")) add(e.properties, "items", FormatNumber(*items));
    } else if (type == "event") {
      e.action = "event";
      add(e.properties, "event_category", Text(action, "eventCategory"));
      add(e.properties, "event_action", Text(action, "eventAction"));
      add(e.properties, "event_name", Text(action, "eventName"));
      e.value = Number(action, "eventValue");
    } else if (type == "download" || type == "outlink") {
      e.action = type;
    } else if (type == "search") {
      e.action = "search";
      std::string keyword = Text(action, "siteSearchKeyword");
      add(e.properties, "search_keyword", keyword.empty() ? Text(action, "keyword") : keyword);
      add(e.properties, "search_category", Text(action, "siteSearchCategory"));
      add(e.properties, "search_count", Text(action, "siteSearchCount"));
    } else {
      // form, media, contents and whatever newer plugins add: kept, under their own name.
      std::string name = type.empty() ? "unknown" : type;
      e.action = "matomo_" + name;
      add(e.properties, "page_title", Text(action, "pageTitle"));
      if (std::find(unknown_types.begin(), unknown_types.end(), name) == unknown_types.end()) {
        unknown_types.push_back(name);
      }
    }
    out.push_back(std::move(e));
  }
  return true;
}

}  // namespace journeykit::matomo

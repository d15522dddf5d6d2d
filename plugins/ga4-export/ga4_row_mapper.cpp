// ga4_row_mapper.cpp — GA4 export row → event (see README.md for the mapping table).
#include "ga4_row_mapper.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <journeykit/kit/json_fields.hpp>
#include <journeykit/kit/time_parse.hpp>
#include <journeykit/kit/utf8.hpp>
#include <optional>
#include <unordered_map>

namespace journeykit::ga4_export {
namespace {

using kit::MapOutcome;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

using kit::Field;
using kit::ScalarText;
using kit::TextField;
std::optional<object> ObjectField(object parent, std::string_view key) {
  auto e = Field(parent, key);
  object o;
  if (!e || e->get_object().get(o) != simdjson::SUCCESS) return std::nullopt;
  return o;
}

// event_params[].value / user_properties[].value: string_value, int_value (often a string),
// float_value, double_value — the first one that is not null.
struct ParamValue {
  std::string text;
  std::optional<double> number;
};
std::optional<ParamValue> ReadValue(element value_element) {
  object value;
  if (value_element.get_object().get(value) != simdjson::SUCCESS) return std::nullopt;
  if (auto s = Field(value, "string_value")) {
    ParamValue p{ScalarText(*s), kit::LenientNumber(*s)};
    return p;
  }
  for (std::string_view key : {"int_value", "double_value", "float_value"}) {
    if (auto n = Field(value, key)) {
      ParamValue p{ScalarText(*n), kit::LenientNumber(*n)};
      if (p.text.empty()) continue;
      return p;
    }
  }
  return std::nullopt;
}

// key → value of a REPEATED key/value RECORD (event_params, user_properties).
std::vector<std::pair<std::string, ParamValue>> KeyValues(object row, std::string_view key) {
  std::vector<std::pair<std::string, ParamValue>> out;
  auto e = Field(row, key);
  simdjson::dom::array entries;
  if (!e || e->get_array().get(entries) != simdjson::SUCCESS) return out;
  for (element entry : entries) {
    object o;
    std::string_view name;
    element value;
    if (entry.get_object().get(o) != simdjson::SUCCESS ||
        o.at_key("key").get_string().get(name) != simdjson::SUCCESS ||
        o.at_key("value").get(value) != simdjson::SUCCESS) {
      continue;
    }
    if (auto v = ReadValue(value)) out.emplace_back(std::string(name), std::move(*v));
  }
  return out;
}

}  // namespace

std::string RowEventId(std::string_view raw_line) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(raw_line.data(), raw_line.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    id.push_back(kHex[digest[i] >> 4]);
    id.push_back(kHex[digest[i] & 0xF]);
  }
  return id;
}

Ga4RowMapper::Ga4RowMapper(const Ga4Options& options)
    : include_(options.include_events.begin(), options.include_events.end()),
      exclude_(options.exclude_events.begin(), options.exclude_events.end()) {}

MapOutcome Ga4RowMapper::map(const kit::FileRecord& record, std::vector<plugin::Event>& out) {
  plugin::Event event;
  MapOutcome outcome = map_row(record.text, event);
  if (outcome.kind == MapOutcome::Kind::kMapped) out.push_back(std::move(event));
  return outcome;
}

MapOutcome Ga4RowMapper::map_row(std::string_view line, plugin::Event& event) {
  if (!kit::IsValidUtf8(line)) {
    return MapOutcome::Bad("the row is not valid UTF-8; re-export the table");
  }
  element root;
  if (auto error = parser_.parse(line.data(), line.size()).get(root)) {
    return MapOutcome::Bad(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  object row;
  if (root.get_object().get(row) != simdjson::SUCCESS) {
    return MapOutcome::Bad("the row is JSON but not an object");
  }

  // event_name and the include/exclude filters first: filtered rows cost little.
  std::string_view name;
  auto name_element = Field(row, "event_name");
  if (!name_element || name_element->get_string().get(name) != simdjson::SUCCESS || name.empty()) {
    return MapOutcome::Bad("event_name is missing, null or not a string");
  }
  if (!include_.empty() && !include_.count(std::string(name))) return MapOutcome::Skipped();
  if (exclude_.count(std::string(name))) return MapOutcome::Skipped();
  event.action = std::string(name);

  auto ts = Field(row, "event_timestamp");
  if (!ts) return MapOutcome::Bad("event_timestamp is missing or null");
  Result<int64_t> time = InvalidArgument("event_timestamp must be an integer (µs) or its text");
  if (ts->type() == element_type::INT64) {
    time = kit::TimeFromInteger(ts->get_int64().value_unsafe(), kit::TimeFormat::kEpochMicros);
  } else if (ts->type() == element_type::STRING) {
    time = kit::TimeFromString(ts->get_string().value_unsafe(), kit::TimeFormat::kEpochMicros);
  }
  if (!time.ok()) return MapOutcome::Bad("event_timestamp: " + time.status().message());
  event.time_us = *time;
  event.event_id = RowEventId(line);

  if (std::string id = TextField(row, "user_pseudo_id"); !id.empty()) {
    event.identities.emplace_back("ga_client_id", std::move(id));
  }
  if (std::string id = TextField(row, "user_id"); !id.empty()) {
    event.identities.emplace_back("user_id", std::move(id));
  }

  std::unordered_map<std::string, ParamValue> params;
  for (auto& [key, value] : KeyValues(row, "event_params")) params.emplace(key, std::move(value));
  auto param_text = [&](const char* key) -> std::string {
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second.text;
  };
  const std::optional<object> collected = ObjectField(row, "collected_traffic_source");
  auto collected_text = [&](const char* key) -> std::string {
    return collected ? TextField(*collected, key) : std::string();
  };
  auto hint = [&](const char* name_of_hint, std::string value) {
    if (!value.empty()) event.hints.emplace_back(name_of_hint, std::move(value));
  };
  auto first_of = [](std::string a, std::string b) { return a.empty() ? b : a; };
  hint("url", param_text("page_location"));
  hint("referrer", param_text("page_referrer"));
  hint("utm_source", first_of(param_text("source"), collected_text("manual_source")));
  hint("utm_medium", first_of(param_text("medium"), collected_text("manual_medium")));
  hint("utm_campaign", first_of(param_text("campaign"), collected_text("manual_campaign_name")));
  hint("gclid", first_of(param_text("gclid"), collected_text("gclid")));
  if (auto first_touch = ObjectField(row, "traffic_source")) {
    hint("ts_source", TextField(*first_touch, "source"));
    hint("ts_medium", TextField(*first_touch, "medium"));
    hint("ts_name", TextField(*first_touch, "name"));
  }

  auto property = [&](std::string key, std::string value) {
    if (!value.empty()) event.properties.emplace_back(std::move(key), std::move(value));
  };
  const std::optional<object> ecommerce = ObjectField(row, "ecommerce");
  property("page_title", param_text("page_title"));
  property("ga_session_id", param_text("ga_session_id"));
  property("ga_session_number", param_text("ga_session_number"));
  property("transaction_id", first_of(param_text("transaction_id"),
                                      ecommerce ? TextField(*ecommerce, "transaction_id") : ""));
  if (auto device = ObjectField(row, "device")) {
    property("device_category", TextField(*device, "category"));
  }
  if (auto geo = ObjectField(row, "geo")) property("country", TextField(*geo, "country"));
  for (auto& [key, value] : KeyValues(row, "user_properties")) {
    property("user." + key, std::move(value.text));
  }
  if (auto items = Field(row, "items")) {
    simdjson::dom::array array;
    if (items->get_array().get(array) == simdjson::SUCCESS && array.size() > 0) {
      property("items", std::to_string(array.size()));
    }
  }

  if (ecommerce) {
    if (auto revenue = Field(*ecommerce, "purchase_revenue"))
      event.value = kit::LenientNumber(*revenue);
  }
  if (!event.value) {
    auto it = params.find("value");
    if (it != params.end()) event.value = it->second.number;
  }
  event.currency = param_text("currency");
  return MapOutcome::Mapped();
}

}  // namespace journeykit::ga4_export

// hubspot_contacts.cpp — journey → contact mapping, body building and the batch plan.
#include "hubspot_contacts.hpp"

#include <journeykit/json_writer.hpp>
#include <journeykit/kit/json_fields.hpp>
#include <journeykit/kit/time_parse.hpp>
#include <journeykit/plugin.hpp>

#include <algorithm>
#include <unordered_map>

namespace journeykit::hubspot {

namespace {

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// A field that must be a string (or absent / null → "").
bool StringField(simdjson::dom::object o, std::string_view key, std::string& out) {
  out.clear();
  auto e = kit::Field(o, key);
  if (!e) return true;
  std::string_view s;
  if (e->get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
}

}  // namespace

std::string IsoToEpochMillis(std::string_view iso) {
  if (iso.empty() || iso.find('-') == std::string_view::npos) return {};
  auto us = kit::ParseIso8601(iso);
  if (!us.ok()) return {};
  int64_t v = *us;
  int64_t ms = v >= 0 ? v / 1000 : -((-v + 999) / 1000);  // floor
  return std::to_string(ms);
}

MapOutcome JourneyToContact(simdjson::dom::parser& parser, const jk_record& record,
                            const HubSpotOptions& options, ContactInput& out,
                            std::string& problem) {
  out = ContactInput{};
  problem.clear();
  simdjson::dom::element root;
  simdjson::dom::object o;
  std::string_view json = plugin::FromJk(record.json);
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    problem = "the journey record is not a JSON object";
    return MapOutcome::kMalformed;
  }
  std::string id;
  if (options.hashed_ids()) {
    if (!StringField(o, "email_sha256", id)) {
      problem = "email_sha256 is not a string";
      return MapOutcome::kMalformed;
    }
    if (id.empty()) return MapOutcome::kNoIdentity;
    if (!IsSha256Hex(id)) {
      problem = "email_sha256 is not 64 lower-case hex digits";
      return MapOutcome::kMalformed;
    }
  } else {
    if (!StringField(o, "email", id)) {
      problem = "email is not a string";
      return MapOutcome::kMalformed;
    }
    if (id.empty()) {
      std::string hash;
      return StringField(o, "email_sha256", hash) && !hash.empty() ? MapOutcome::kHashOnly
                                                                   : MapOutcome::kNoIdentity;
    }
  }
  out.id = std::move(id);
  out.trace_id.assign(plugin::FromJk(record.key));

  const std::string& prefix = options.property_prefix;
  auto put = [&](std::string_view name, std::string value) {
    out.properties.emplace_back(prefix + std::string(name), std::move(value));
  };
  std::string text;
  for (std::string_view field : {"current_stage", "current_stage_name"}) {
    if (!StringField(o, field, text)) {
      problem = std::string(field) + " is not a string";
      return MapOutcome::kMalformed;
    }
    put(field == "current_stage" ? "journey_stage" : "journey_stage_name", text);
  }
  put("last_touchpoint", kit::TextField(o, "last_touchpoint"));
  put("last_channel", kit::TextField(o, "last_channel"));
  std::string segments;
  if (auto e = kit::Field(o, "segments")) {
    simdjson::dom::array list;
    if (e->get_array().get(list) != simdjson::SUCCESS) {
      problem = "segments is not a list";
      return MapOutcome::kMalformed;
    }
    for (simdjson::dom::element item : list) {
      std::string s = kit::ScalarText(item);
      if (s.empty()) continue;
      if (!segments.empty()) segments.push_back(';');
      segments += s;
    }
  }
  put("segments", std::move(segments));
  auto nps = kit::NumberField(o, "nps");
  put("nps", nps ? kit::NumberText(*nps) : std::string());
  put("nps_category", kit::TextField(o, "nps_category"));
  for (std::string_view field : {"first_seen", "last_seen"}) {
    std::string iso = kit::TextField(o, field);
    std::string ms = IsoToEpochMillis(iso);
    if (!iso.empty() && ms.empty()) {
      problem = std::string(field) + " '" + iso + "' is not an ISO-8601 time";
      return MapOutcome::kMalformed;
    }
    put(field, std::move(ms));
  }
  auto events = kit::NumberField(o, "events");
  put("events", events ? kit::NumberText(*events) : std::string());
  return MapOutcome::kMapped;
}

std::string BuildUpsertBody(std::span<const ContactInput> inputs, std::span<const size_t> chunk,
                            std::string_view id_property) {
  std::string body = "{\"inputs\":[";
  for (size_t n = 0; n < chunk.size(); ++n) {
    const ContactInput& in = inputs[chunk[n]];
    if (n > 0) body.push_back(',');
    json::JsonObjectWriter w(body);
    w.String("idProperty", id_property).String("id", in.id);
    w.String("objectWriteTraceId", in.trace_id);
    w.Key("properties");
    json::JsonObjectWriter p(body);
    for (const auto& [name, value] : in.properties) p.String(name, value);
    p.Close();
    w.Close();
  }
  body += "]}";
  return body;
}

std::vector<Chunk> PlanChunks(std::span<const ContactInput> inputs, size_t batch_size) {
  std::unordered_map<std::string_view, size_t> seen;  // id → occurrences so far
  std::vector<std::vector<size_t>> rounds;
  for (size_t i = 0; i < inputs.size(); ++i) {
    size_t round = seen[inputs[i].id]++;
    if (round >= rounds.size()) rounds.resize(round + 1);
    rounds[round].push_back(i);
  }
  std::vector<Chunk> out;
  for (size_t r = 0; r < rounds.size(); ++r) {
    for (size_t begin = 0; begin < rounds[r].size(); begin += batch_size) {
      size_t end = std::min(rounds[r].size(), begin + batch_size);
      out.push_back(Chunk{r, std::vector<size_t>(rounds[r].begin() + static_cast<ptrdiff_t>(begin),
                                                 rounds[r].begin() + static_cast<ptrdiff_t>(end))});
    }
  }
  return out;
}

}  // namespace journeykit::hubspot

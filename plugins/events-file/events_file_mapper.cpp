// events_file_mapper.cpp — field lookup (dotted JSON paths, CSV columns) and event building.
#include "events_file_mapper.hpp"

#include <charconv>
#include <cmath>
#include <journeykit/kit/csv.hpp>
#include <journeykit/kit/time_parse.hpp>
#include <journeykit/kit/utf8.hpp>
#include <limits>
#include <optional>

namespace journeykit::events_file {
namespace {

using kit::MapOutcome;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string DoubleText(double v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(v);
}

FieldValue FromElement(simdjson::dom::element e) {
  FieldValue v;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      v.kind = FieldValue::Kind::kString;
      v.text = e.get_string().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64:
      v.kind = FieldValue::Kind::kInteger;
      v.integer = e.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
      v.kind = FieldValue::Kind::kUnsigned;
      v.unsigned_integer = e.get_uint64().value_unsafe();
      break;
    case simdjson::dom::element_type::DOUBLE:
      v.kind = FieldValue::Kind::kDouble;
      v.real = e.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::BOOL:
      v.kind = FieldValue::Kind::kBool;
      v.boolean = e.get_bool().value_unsafe();
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      break;  // null is the same as absent
    case simdjson::dom::element_type::ARRAY:
    case simdjson::dom::element_type::OBJECT:
      v.kind = FieldValue::Kind::kComposite;
      break;
  }
  return v;
}

// "user.id" is the key "user.id" if the object has it, else the path user → id.
FieldValue LookupJson(simdjson::dom::object root, std::string_view path) {
  simdjson::dom::element e;
  if (root.at_key(path).get(e) == simdjson::SUCCESS) return FromElement(e);
  simdjson::dom::object current = root;
  while (true) {
    size_t dot = path.find('.');
    std::string_view head = path.substr(0, dot);
    if (current.at_key(head).get(e) != simdjson::SUCCESS) return {};
    if (dot == std::string_view::npos) return FromElement(e);
    path.remove_prefix(dot + 1);
    if (e.get_object().get(current) != simdjson::SUCCESS) return {};
  }
}

// Text of a scalar; nullopt for absent and empty strings; error for arrays/objects.
Result<std::optional<std::string>> Text(const FieldValue& v, std::string_view what,
                                        std::string_view field) {
  switch (v.kind) {
    case FieldValue::Kind::kAbsent:
      return std::optional<std::string>();
    case FieldValue::Kind::kString:
      if (v.text.empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::string(v.text));
    case FieldValue::Kind::kInteger:
      return std::optional<std::string>(std::to_string(v.integer));
    case FieldValue::Kind::kUnsigned:
      return std::optional<std::string>(std::to_string(v.unsigned_integer));
    case FieldValue::Kind::kDouble:
      return std::optional<std::string>(DoubleText(v.real));
    case FieldValue::Kind::kBool:
      return std::optional<std::string>(v.boolean ? "true" : "false");
    case FieldValue::Kind::kComposite:
      break;
  }
  return InvalidArgument(std::string(what) + " field '" + std::string(field) +
                         "' must be a string or a number, not an object or array");
}

// A number from a JSON number or numeric text; nullopt for absent and empty.
Result<std::optional<double>> Number(const FieldValue& v, std::string_view what,
                                     std::string_view field) {
  switch (v.kind) {
    case FieldValue::Kind::kAbsent:
      return std::optional<double>();
    case FieldValue::Kind::kInteger:
      return std::optional<double>(static_cast<double>(v.integer));
    case FieldValue::Kind::kUnsigned:
      return std::optional<double>(static_cast<double>(v.unsigned_integer));
    case FieldValue::Kind::kDouble:
      return std::optional<double>(v.real);
    case FieldValue::Kind::kString: {
      std::string_view s = Trim(v.text);
      if (s.empty()) return std::optional<double>();
      if (s.front() == '+') s.remove_prefix(1);
      double d = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(d)) {
        return std::optional<double>(d);
      }
      return InvalidArgument(std::string(what) + " field '" + std::string(field) + "' value \"" +
                             std::string(v.text.substr(0, 64)) + "\" is not a number");
    }
    default:
      break;
  }
  return InvalidArgument(std::string(what) + " field '" + std::string(field) +
                         "' must be a number or numeric text");
}

Result<int64_t> Time(const FieldValue& v, std::string_view field, kit::TimeFormat format) {
  Result<int64_t> t = InvalidArgument("");
  switch (v.kind) {
    case FieldValue::Kind::kAbsent:
      return InvalidArgument("time field '" + std::string(field) + "' is missing");
    case FieldValue::Kind::kString:
      if (Trim(v.text).empty()) {
        return InvalidArgument("time field '" + std::string(field) + "' is empty");
      }
      t = kit::TimeFromString(v.text, format);
      break;
    case FieldValue::Kind::kInteger:
      t = kit::TimeFromInteger(v.integer, format);
      break;
    case FieldValue::Kind::kUnsigned:
      if (v.unsigned_integer > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return InvalidArgument("time field '" + std::string(field) + "' is out of range");
      }
      t = kit::TimeFromInteger(static_cast<int64_t>(v.unsigned_integer), format);
      break;
    case FieldValue::Kind::kDouble:
      t = kit::TimeFromDouble(v.real, format);
      break;
    default:
      return InvalidArgument("time field '" + std::string(field) +
                             "' must be a number or a string");
  }
  if (!t.ok()) return t.status().WithContext("time field '" + std::string(field) + "'");
  return t;
}

}  // namespace

EventsFileMapper::EventsFileMapper(const EventsFileOptions& options, const plugin::Host* host)
    : options_(options), host_(host) {}

bool EventsFileMapper::has_header(std::string_view path) const {
  Result<FileFormat> format = FormatOf(options_, path);
  return format.ok() && *format == FileFormat::kCsv;
}

void EventsFileMapper::begin_file(std::string_view path) {
  Result<FileFormat> format = FormatOf(options_, path);
  format_ = format.ok() ? *format : FileFormat::kNdjson;
  delimiter_ = options_.delimiter;
  std::string_view name = path;
  if (EndsWith(name, ".gz")) name.remove_suffix(3);
  if (!options_.delimiter_configured && (EndsWith(name, ".tsv") || EndsWith(name, ".TSV"))) {
    delimiter_ = '\t';
  }
  columns_.clear();
  column_count_ = 0;
}

bool EventsFileMapper::record_continues(std::string_view text) const {
  return format_ == FileFormat::kCsv && kit::CsvRecordContinues(text);
}

MapOutcome EventsFileMapper::map_header(const kit::FileRecord& header) {
  if (!kit::IsValidUtf8(header.text)) {
    return MapOutcome::Bad("the CSV header is not valid UTF-8; re-encode the file as UTF-8");
  }
  if (Status s = kit::ParseCsvRecord(header.text, delimiter_, cells_); !s.ok()) {
    return MapOutcome::Bad("the CSV header cannot be parsed: " + s.message());
  }
  columns_.clear();
  for (size_t i = 0; i < cells_.size(); ++i) {
    columns_.emplace(std::string(Trim(cells_[i])), i);  // the first of duplicate names wins
  }
  column_count_ = cells_.size();
  std::string listed;
  for (const std::string& c : cells_) listed += (listed.empty() ? "" : ", ") + c;
  auto require = [&](const std::string& field, std::string_view key) -> std::string {
    if (field.empty() || columns_.count(field)) return {};
    return "the CSV header has no column '" + field + "' (config key '" + std::string(key) +
           "'); its columns are: " + listed;
  };
  for (auto [field, key] :
       {std::pair{&options_.time_field, "time_field"}, std::pair{&options_.id_field, "id_field"}}) {
    if (std::string why = require(*field, key); !why.empty()) return MapOutcome::Bad(why);
  }
  if (options_.action.empty()) {
    if (std::string why = require(options_.action_field, "action_field"); !why.empty()) {
      return MapOutcome::Bad(why);
    }
  }
  if (host_) {
    std::vector<std::string> missing;
    auto note = [&](const std::string& field) {
      if (!field.empty() && !columns_.count(field)) missing.push_back(field);
    };
    for (const auto* map :
         {&options_.identity_fields, &options_.hint_fields, &options_.property_fields}) {
      for (const auto& [name, field] : *map) note(field);
    }
    for (const std::string* f :
         {&options_.action_field, &options_.value_field, &options_.currency_field,
          &options_.rating_field, &options_.sentiment_field, &options_.text_field}) {
      note(*f);
    }
    for (const std::string& field : missing) {
      host_->warn("events-file: " + std::string(header.path) + " has no column '" + field +
                  "'; that field stays empty");
    }
  }
  return MapOutcome::Mapped();
}

template <typename Lookup>
MapOutcome EventsFileMapper::build(const kit::FileRecord& record, const Lookup& lookup,
                                   plugin::Event& event) const {
  const EventsFileOptions& o = options_;
  Result<int64_t> time = Time(lookup(o.time_field), o.time_field, o.time_format);
  if (!time.ok()) return MapOutcome::Bad(time.status().message());
  event.time_us = *time;

  if (!o.action_field.empty()) {
    auto action = Text(lookup(o.action_field), "action", o.action_field);
    if (!action.ok()) return MapOutcome::Bad(action.status().message());
    if (*action) event.action = std::move(**action);
  }
  if (event.action.empty()) {
    if (o.action.empty()) {
      return MapOutcome::Bad("action field '" + o.action_field + "' is missing or empty");
    }
    event.action = o.action;
  }

  if (!o.id_field.empty()) {
    auto id = Text(lookup(o.id_field), "id", o.id_field);
    if (!id.ok()) return MapOutcome::Bad(id.status().message());
    if (!*id) return MapOutcome::Bad("id field '" + o.id_field + "' is missing or empty");
    event.event_id = std::move(**id);
  } else {
    event.event_id = std::string(record.file_name) + ":" + std::to_string(record.line);
  }

  auto pairs = [&](const FieldMap& fields, std::string_view what,
                   std::vector<std::pair<std::string, std::string>>& out) -> std::string {
    for (const auto& [name, field] : fields) {
      auto text = Text(lookup(field), what, field);
      if (!text.ok()) return text.status().message();
      if (*text) out.emplace_back(name, std::move(**text));
    }
    return {};
  };
  if (std::string why = pairs(o.identity_fields, "identity", event.identities); !why.empty()) {
    return MapOutcome::Bad(why);
  }
  if (std::string why = pairs(o.hint_fields, "hint", event.hints); !why.empty()) {
    return MapOutcome::Bad(why);
  }
  for (const auto& [name, value] : o.hints) {
    bool given = false;
    for (const auto& hint : event.hints) given = given || hint.first == name;
    if (!given) event.hints.emplace_back(name, value);
  }
  if (std::string why = pairs(o.property_fields, "property", event.properties); !why.empty()) {
    return MapOutcome::Bad(why);
  }

  auto number = [&](const std::string& field, std::string_view what,
                    std::optional<double>& out) -> std::string {
    if (field.empty()) return {};
    auto n = Number(lookup(field), what, field);
    if (!n.ok()) return n.status().message();
    out = *n;
    return {};
  };
  if (std::string why = number(o.value_field, "value", event.value); !why.empty()) {
    return MapOutcome::Bad(why);
  }
  if (std::string why = number(o.rating_field, "rating", event.rating); !why.empty()) {
    return MapOutcome::Bad(why);
  }
  if (std::string why = number(o.sentiment_field, "sentiment", event.sentiment); !why.empty()) {
    return MapOutcome::Bad(why);
  }
  if (event.sentiment && (*event.sentiment < -1.0 || *event.sentiment > 1.0)) {
    return MapOutcome::Bad("sentiment field '" + o.sentiment_field + "' value " +
                           DoubleText(*event.sentiment) + " is outside -1..1");
  }
  if (!o.currency_field.empty()) {
    auto currency = Text(lookup(o.currency_field), "currency", o.currency_field);
    if (!currency.ok()) return MapOutcome::Bad(currency.status().message());
    if (*currency) event.currency = std::move(**currency);
  }
  if (event.currency.empty()) event.currency = o.currency;
  if (!o.text_field.empty()) {
    auto text = Text(lookup(o.text_field), "text", o.text_field);
    if (!text.ok()) return MapOutcome::Bad(text.status().message());
    if (*text) event.text = std::move(**text);
  }
  return MapOutcome::Mapped();
}

MapOutcome EventsFileMapper::map_json(const kit::FileRecord& record, plugin::Event& event) {
  simdjson::dom::element root;
  if (auto error = parser_.parse(record.text.data(), record.text.size()).get(root)) {
    return MapOutcome::Bad(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return MapOutcome::Bad("the line is JSON but not an object");
  }
  return build(
      record, [&](std::string_view field) { return LookupJson(object, field); }, event);
}

MapOutcome EventsFileMapper::map_csv(const kit::FileRecord& record, plugin::Event& event) {
  if (Status s = kit::ParseCsvRecord(record.text, delimiter_, cells_); !s.ok()) {
    return MapOutcome::Bad("malformed CSV: " + s.message());
  }
  if (cells_.size() != column_count_) {
    return MapOutcome::Bad("the record has " + std::to_string(cells_.size()) +
                           " fields but the header has " + std::to_string(column_count_));
  }
  auto lookup = [&](std::string_view field) {
    FieldValue v;
    auto it = columns_.find(std::string(field));
    if (it == columns_.end() || cells_[it->second].empty()) return v;
    v.kind = FieldValue::Kind::kString;
    v.text = cells_[it->second];
    return v;
  };
  return build(record, lookup, event);
}

MapOutcome EventsFileMapper::map(const kit::FileRecord& record, std::vector<plugin::Event>& out) {
  if (!kit::IsValidUtf8(record.text)) {
    return MapOutcome::Bad("the line is not valid UTF-8; re-encode the file as UTF-8");
  }
  plugin::Event event;
  MapOutcome outcome =
      format_ == FileFormat::kCsv ? map_csv(record, event) : map_json(record, event);
  if (outcome.kind == MapOutcome::Kind::kMapped) out.push_back(std::move(event));
  return outcome;
}

}  // namespace journeykit::events_file

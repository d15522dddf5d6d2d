// clickhouse_rows.cpp — table schemas and record → JSONEachRow row transformation.
#include "clickhouse_rows.hpp"

#include <journeykit/json_writer.hpp>

#include <cmath>
#include <ctime>

namespace journeykit::clickhouse {

namespace {

constexpr int64_t kMaxDateTimeSeconds = 4294967295;  // DateTime is a UInt32

// One JSONEachRow object, written key by key.
class RowWriter {
 public:
  RowWriter() { out_.push_back('{'); }
  RowWriter& String(std::string_view key, std::string_view value) {
    Key(key);
    json::AppendJsonString(out_, value);
    return *this;
  }
  RowWriter& Null(std::string_view key) {
    Key(key);
    out_ += "null";
    return *this;
  }
  RowWriter& Int(std::string_view key, int64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  RowWriter& UInt(std::string_view key, uint64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  RowWriter& Number(std::string_view key, double value) {
    Key(key);
    json::AppendJsonNumber(out_, value);
    return *this;
  }
  RowWriter& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Finish() {
    out_.push_back('}');
    return std::move(out_);
  }

 private:
  void Key(std::string_view key) {
    if (out_.size() > 1) out_.push_back(',');
    json::AppendJsonString(out_, key);
    out_.push_back(':');
  }
  std::string out_;
};

// Reads the fields of one record object; every reader fails with the field's name.
class Fields {
 public:
  explicit Fields(simdjson::dom::object object) : object_(object) {}

  // Absent and null are both "no value".
  std::optional<simdjson::dom::element> Get(std::string_view key) const {
    simdjson::dom::element e;
    if (object_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
    return e;
  }

  Result<std::string_view> RequiredString(std::string_view key) const {
    auto e = Get(key);
    std::string_view s;
    if (!e || e->get_string().get(s) != simdjson::SUCCESS) {
      return DataError("field '" + std::string(key) + "' is missing or not a string");
    }
    return s;
  }

  Result<std::optional<std::string_view>> OptionalString(std::string_view key) const {
    auto e = Get(key);
    if (!e) return std::optional<std::string_view>();
    std::string_view s;
    if (e->get_string().get(s) != simdjson::SUCCESS) {
      return DataError("field '" + std::string(key) + "' is not a string");
    }
    return std::optional<std::string_view>(s);
  }

  Result<std::optional<double>> OptionalNumber(std::string_view key) const {
    auto e = Get(key);
    if (!e) return std::optional<double>();
    double v = 0;
    if (e->get_double().get(v) != simdjson::SUCCESS || !std::isfinite(v)) {
      return DataError("field '" + std::string(key) + "' is not a number");
    }
    return std::optional<double>(v);
  }

  // A time given as <key>_us (Unix microseconds) or, failing that, as the ISO text <key>.
  Result<int64_t> RequiredTimeUs(std::string_view key) const {
    auto us = Get(std::string(key) + "_us");
    int64_t v = 0;
    if (us && us->get_int64().get(v) == simdjson::SUCCESS) return v;
    auto e = Get(key);
    std::string_view s;
    if (e && e->get_string().get(s) == simdjson::SUCCESS) {
      if (auto parsed = ParseIsoTimeUs(s)) return *parsed;
      return DataError("field '" + std::string(key) + "' is not a time like " +
                       "2026-01-02T10:00:00.000000Z: '" + std::string(s) + "'");
    }
    return DataError("field '" + std::string(key) + "' (or '" + std::string(key) +
                     "_us') is missing");
  }

  // A JSON array of strings, re-encoded; absent or null is [].
  Result<std::string> StringArray(std::string_view key) const {
    std::string out = "[";
    auto e = Get(key);
    if (e) {
      simdjson::dom::array array;
      if (e->get_array().get(array) != simdjson::SUCCESS) {
        return DataError("field '" + std::string(key) + "' is not an array");
      }
      for (simdjson::dom::element item : array) {
        std::string_view s;
        if (item.get_string().get(s) != simdjson::SUCCESS) {
          return DataError("field '" + std::string(key) + "' holds a value that is not a string");
        }
        if (out.size() > 1) out.push_back(',');
        json::AppendJsonString(out, s);
      }
    }
    out.push_back(']');
    return out;
  }

 private:
  simdjson::dom::object object_;
};

Status CopyNullableString(const Fields& f, RowWriter& row, std::string_view key) {
  JK_ASSIGN_OR_RETURN(auto value, f.OptionalString(key));
  value ? row.String(key, *value) : row.Null(key);
  return Status::Ok();
}

Status CopyRequiredString(const Fields& f, RowWriter& row, std::string_view key) {
  JK_ASSIGN_OR_RETURN(std::string_view value, f.RequiredString(key));
  row.String(key, value);
  return Status::Ok();
}

// <key> as DateTime text and <key>_us as Int64.
Status CopyTime(const Fields& f, RowWriter& row, std::string_view key) {
  JK_ASSIGN_OR_RETURN(int64_t us, f.RequiredTimeUs(key));
  row.String(key, FormatDateTime(us)).Int(std::string(key) + "_us", us);
  return Status::Ok();
}

// email and email_sha256, both Nullable (the pipeline may hash e-mails or have none).
Status CopyEmails(const Fields& f, RowWriter& row) {
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "email"));
  return CopyNullableString(f, row, "email_sha256");
}

Status EncodeEvent(const Fields& f, RowWriter& row) {
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "source"));
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "event_id"));
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "person_id"));
  JK_RETURN_IF_ERROR(CopyTime(f, row, "time"));
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "action"));
  JK_ASSIGN_OR_RETURN(auto touchpoint, f.OptionalString("touchpoint"));
  JK_ASSIGN_OR_RETURN(auto channel, f.OptionalString("channel"));
  row.String("touchpoint", touchpoint.value_or("")).String("channel", channel.value_or(""));
  bool online = false;
  if (auto e = f.Get("online"); e && e->get_bool().get(online) != simdjson::SUCCESS) {
    return DataError("field 'online' is not true or false");
  }
  row.UInt("online", online ? 1 : 0);
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "stage"));
  JK_ASSIGN_OR_RETURN(auto value, f.OptionalNumber("value"));
  value ? row.Number("value", *value) : row.Null("value");
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "currency"));
  JK_ASSIGN_OR_RETURN(auto rating, f.OptionalNumber("rating"));
  rating ? row.Number("rating", *rating) : row.Null("rating");
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "url"));
  return Status::Ok();
}

Status EncodeJourney(const Fields& f, RowWriter& row) {
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "person_id"));
  JK_RETURN_IF_ERROR(CopyEmails(f, row));
  JK_ASSIGN_OR_RETURN(std::string identities, f.StringArray("identities"));
  JK_ASSIGN_OR_RETURN(std::string segments, f.StringArray("segments"));
  row.Raw("identities", identities).Raw("segments", segments);
  uint64_t events = 0;
  if (auto e = f.Get("events"); e && e->get_uint64().get(events) != simdjson::SUCCESS) {
    return DataError("field 'events' is not a count");
  }
  row.UInt("events", events);
  JK_RETURN_IF_ERROR(CopyTime(f, row, "first_seen"));
  JK_ASSIGN_OR_RETURN(int64_t last_seen_us, f.RequiredTimeUs("last_seen"));
  row.String("last_seen", FormatDateTime(last_seen_us)).Int("last_seen_us", last_seen_us);
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "current_stage"));
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "current_stage_name"));
  // stage_entries: the object as JSON text, and as two parallel arrays for SQL.
  std::string entries_json = "{}";
  std::string stages = "[";
  std::string times = "[";
  if (auto e = f.Get("stage_entries")) {
    simdjson::dom::object entries;
    if (e->get_object().get(entries) != simdjson::SUCCESS) {
      return DataError("field 'stage_entries' is not an object");
    }
    entries_json = simdjson::minify(entries);
    for (auto field : entries) {
      std::string_view at;
      std::optional<int64_t> us;
      if (field.value.get_string().get(at) == simdjson::SUCCESS) us = ParseIsoTimeUs(at);
      if (!us) {
        return DataError("stage_entries." + std::string(field.key) + " is not a time");
      }
      if (stages.size() > 1) {
        stages.push_back(',');
        times.push_back(',');
      }
      json::AppendJsonString(stages, field.key);
      json::AppendJsonString(times, FormatDateTime(*us));
    }
  }
  stages.push_back(']');
  times.push_back(']');
  row.String("stage_entries", entries_json)
      .Raw("stage_entry_stages", stages)
      .Raw("stage_entry_times", times);
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "last_touchpoint"));
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "last_channel"));
  JK_ASSIGN_OR_RETURN(auto nps, f.OptionalNumber("nps"));
  if (nps && (*nps < 0 || *nps > 10)) return DataError("field 'nps' is not between 0 and 10");
  nps ? row.UInt("nps", static_cast<uint64_t>(std::llround(*nps))) : row.Null("nps");
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "nps_category"));
  // The newest snapshot of a person wins the merge (ReplacingMergeTree(version)).
  row.UInt("version", static_cast<uint64_t>(std::max<int64_t>(last_seen_us, 0)));
  return Status::Ok();
}

Status EncodeStageChange(const Fields& f, RowWriter& row) {
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "person_id"));
  JK_RETURN_IF_ERROR(CopyEmails(f, row));
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "stage"));
  JK_ASSIGN_OR_RETURN(auto name, f.OptionalString("stage_name"));
  row.String("stage_name", name.value_or(""));
  JK_RETURN_IF_ERROR(CopyTime(f, row, "entered_at"));
  JK_RETURN_IF_ERROR(CopyNullableString(f, row, "previous_stage"));
  return Status::Ok();
}

Status EncodeAudienceChange(const Fields& f, RowWriter& row) {
  uint64_t seq = 0;
  auto e = f.Get("seq");
  std::string_view text;
  bool ok = e && (e->get_uint64().get(seq) == simdjson::SUCCESS ||
                  (e->get_string().get(text) == simdjson::SUCCESS && !text.empty() &&
                   text.find_first_not_of("0123456789") == std::string_view::npos &&
                   text.size() < 20 && (seq = std::stoull(std::string(text)), true)));
  if (!ok) return DataError("field 'seq' is missing or not a sequence number");
  row.UInt("seq", seq);
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "audience"));
  JK_ASSIGN_OR_RETURN(auto name, f.OptionalString("audience_name"));
  row.String("audience_name", name.value_or(""));
  JK_RETURN_IF_ERROR(CopyRequiredString(f, row, "person_id"));
  JK_RETURN_IF_ERROR(CopyEmails(f, row));
  JK_ASSIGN_OR_RETURN(std::string_view change, f.RequiredString("change"));
  if (change != "entered" && change != "left") {
    return DataError("field 'change' is '" + std::string(change) + "', not entered or left");
  }
  row.String("change", change);
  JK_RETURN_IF_ERROR(CopyTime(f, row, "at"));
  return Status::Ok();
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string_view TableSuffix(Table table) {
  switch (table) {
    case Table::kEvents:
      return "events";
    case Table::kJourneys:
      return "journeys";
    case Table::kStageChanges:
      return "stage_changes";
    case Table::kAudienceChanges:
      return "audience_changes";
  }
  return "unknown";
}

std::optional<Table> TableOfRecordType(std::string_view type) {
  if (type == "event") return Table::kEvents;
  if (type == "journey") return Table::kJourneys;
  if (type == "stage_change") return Table::kStageChanges;
  if (type == "audience_change") return Table::kAudienceChanges;
  return std::nullopt;
}

std::string CreateTableStatement(Table table, std::string_view database, std::string_view name) {
  std::string head =
      "CREATE TABLE IF NOT EXISTS `" + std::string(database) + "`.`" + std::string(name) + "`\n(\n";
  switch (table) {
    case Table::kEvents:
      return head +
             "    source      String,\n"
             "    event_id    String,\n"
             "    person_id   Nullable(String),\n"
             "    time        DateTime('UTC'),\n"
             "    time_us     Int64,\n"
             "    action      String,\n"
             "    touchpoint  String,\n"
             "    channel     String,\n"
             "    online      UInt8,\n"
             "    stage       Nullable(String),\n"
             "    value       Nullable(Float64),\n"
             "    currency    Nullable(String),\n"
             "    rating      Nullable(Float64),\n"
             "    url         Nullable(String),\n"
             "    synced_at   DateTime('UTC')\n"
             ")\n"
             "ENGINE = ReplacingMergeTree\n"
             "ORDER BY (source, event_id)";
    case Table::kJourneys:
      return head +
             "    person_id           String,\n"
             "    email               Nullable(String),\n"
             "    email_sha256        Nullable(String),\n"
             "    identities          Array(String),\n"
             "    segments            Array(String),\n"
             "    events              UInt64,\n"
             "    first_seen          DateTime('UTC'),\n"
             "    first_seen_us       Int64,\n"
             "    last_seen           DateTime('UTC'),\n"
             "    last_seen_us        Int64,\n"
             "    current_stage       Nullable(String),\n"
             "    current_stage_name  Nullable(String),\n"
             "    stage_entries       String,\n"
             "    stage_entry_stages  Array(String),\n"
             "    stage_entry_times   Array(DateTime('UTC')),\n"
             "    last_touchpoint     Nullable(String),\n"
             "    last_channel        Nullable(String),\n"
             "    nps                 Nullable(UInt8),\n"
             "    nps_category        Nullable(String),\n"
             "    version             UInt64,\n"
             "    synced_at           DateTime('UTC')\n"
             ")\n"
             "ENGINE = ReplacingMergeTree(version)\n"
             "ORDER BY person_id";
    case Table::kStageChanges:
      return head +
             "    person_id       String,\n"
             "    email           Nullable(String),\n"
             "    email_sha256    Nullable(String),\n"
             "    stage           String,\n"
             "    stage_name      String,\n"
             "    entered_at      DateTime('UTC'),\n"
             "    entered_at_us   Int64,\n"
             "    previous_stage  Nullable(String),\n"
             "    synced_at       DateTime('UTC')\n"
             ")\n"
             "ENGINE = ReplacingMergeTree\n"
             "ORDER BY (person_id, stage)";
    case Table::kAudienceChanges:
      return head +
             "    seq            UInt64,\n"
             "    audience       String,\n"
             "    audience_name  String,\n"
             "    person_id      String,\n"
             "    email          Nullable(String),\n"
             "    email_sha256   Nullable(String),\n"
             "    change         String,\n"
             "    at             DateTime('UTC'),\n"
             "    at_us          Int64,\n"
             "    synced_at      DateTime('UTC')\n"
             ")\n"
             "ENGINE = ReplacingMergeTree\n"
             "ORDER BY (audience, person_id, seq)";
  }
  return head;
}

std::string FormatDateTime(int64_t time_us) {
  int64_t seconds = time_us / 1000000;
  if (time_us % 1000000 < 0) --seconds;  // floor
  seconds = std::clamp<int64_t>(seconds, 0, kMaxDateTimeSeconds);
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> ParseIsoTimeUs(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || !ReadDigits(text, 0, 4, year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !ReadDigits(text, 11, 2, hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  std::string_view zone = text.substr(pos);
  if (!zone.empty() && zone != "Z" && zone != "+00:00") return std::nullopt;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * int64_t{1000000} + int64_t{second} * 1000000 +
         micros;
}

Result<std::string> RowEncoder::Encode(Table table, std::string_view record_json,
                                       int64_t synced_at_us) {
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser_.parse(record_json.data(), record_json.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(object) != simdjson::SUCCESS) {
    return DataError("the record is not a JSON object");
  }
  Fields fields(object);
  RowWriter row;
  Status done;
  switch (table) {
    case Table::kEvents:
      done = EncodeEvent(fields, row);
      break;
    case Table::kJourneys:
      done = EncodeJourney(fields, row);
      break;
    case Table::kStageChanges:
      done = EncodeStageChange(fields, row);
      break;
    case Table::kAudienceChanges:
      done = EncodeAudienceChange(fields, row);
      break;
  }
  if (!done.ok()) return done;
  row.String("synced_at", FormatDateTime(synced_at_us));
  return row.Finish();
}

}  // namespace journeykit::clickhouse

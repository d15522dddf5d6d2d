// attribution_paths.cpp — PathTables from ChannelAttribution path files and from journeys.
#include <journeykit/attribution.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include "internal/text_match.hpp"

namespace journeykit {
namespace {

using internal::EqualsIgnoreCase;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// R's write.table quotes strings; accept one pair of surrounding double quotes.
std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return Trim(s.substr(1, s.size() - 2));
  return s;
}

constexpr std::string_view kColumns = "path;total_conversions;total_conversion_value;total_null";

Status ParseNumber(std::string_view field, std::string_view column, bool non_negative,
                   double& out) {
  std::string_view s = Unquote(Trim(field));
  if (s.empty()) return InvalidArgument(std::string(column) + ": empty, expected a number");
  const char* end = s.data() + s.size();
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec != std::errc() || ptr != end || !std::isfinite(out)) {
    return InvalidArgument(std::string(column) + ": '" + std::string(s) + "' is not a number");
  }
  if (non_negative && out < 0) {
    return InvalidArgument(std::string(column) + ": " + std::string(s) + " is negative");
  }
  return Status::Ok();
}

Status ParseRow(std::string_view line, PathTable& table) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t semi = line.find(';', start);
    fields.push_back(line.substr(start, semi == std::string_view::npos ? line.npos : semi - start));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (fields.size() != 4) {
    return InvalidArgument("expected 4 fields (" + std::string(kColumns) + "), found " +
                           std::to_string(fields.size()));
  }
  PathRow row;
  JK_RETURN_IF_ERROR(ParseNumber(fields[1], "total_conversions", true, row.conversions));
  JK_RETURN_IF_ERROR(ParseNumber(fields[2], "total_conversion_value", false, row.value));
  JK_RETURN_IF_ERROR(ParseNumber(fields[3], "total_null", true, row.nulls));
  std::string_view path = Unquote(Trim(fields[0]));
  if (path.empty()) return InvalidArgument("path: empty (a path needs at least one channel)");
  size_t pos = 0;
  while (true) {
    size_t gt = path.find('>', pos);
    std::string_view channel =
        Trim(path.substr(pos, gt == std::string_view::npos ? path.npos : gt - pos));
    if (channel.empty()) {
      return InvalidArgument("path: empty channel name in '" + std::string(path) + "'");
    }
    row.channels.push_back(table.InternChannel(channel));
    if (gt == std::string_view::npos) break;
    pos = gt + 1;
  }
  table.AddRow(std::move(row));
  return Status::Ok();
}

}  // namespace

uint32_t PathTable::InternChannel(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it != index_.end()) return it->second;
  auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  index_.emplace(names_.back(), id);
  return id;
}

std::optional<uint32_t> PathTable::FindChannel(std::string_view name) const {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void PathTable::AddPath(const std::vector<std::string_view>& channels, double conversions,
                        double value, double nulls, std::vector<int64_t> ages_us) {
  PathRow row;
  for (std::string_view c : channels) row.channels.push_back(InternChannel(c));
  row.ages_us = std::move(ages_us);
  row.conversions = conversions;
  row.value = value;
  row.nulls = nulls;
  rows_.push_back(std::move(row));
}

Result<PathTable> ParseChannelAttributionPaths(std::string_view text, std::string_view origin) {
  PathTable table;
  table.provenance.origin = std::string(origin);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t line_no = 0;
  bool first = true;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    if (first) {
      first = false;
      std::string_view head = Unquote(Trim(line.substr(0, line.find(';'))));
      if (EqualsIgnoreCase(head, "path")) continue;  // the header line
    }
    Status s = ParseRow(line, table);
    if (!s.ok()) {
      return s.WithContext(std::string(origin) + ":" + std::to_string(line_no));
    }
  }
  if (table.rows().empty()) {
    return InvalidArgument(std::string(origin) + ": no paths (expected a header `" +
                           std::string(kColumns) + "` and one row per path)");
  }
  return table;
}

Result<PathTable> ReadChannelAttributionPaths(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return ParseChannelAttributionPaths(buffer.str(), path);
}

PathTable PathsFromJourneys(const JourneySet& journeys, const ConversionGoal& goal, PathUnit unit,
                            int segment, int64_t from_us, int64_t to_us) {
  const EventStore& store = journeys.store();
  const JourneyModel& model = store.model();
  PathTable table;
  table.provenance.origin = "journeys";
  // Channel id per touchpoint, interned lazily so that ids follow first sight.
  std::vector<int64_t> channel_of(model.touchpoints().size(), -1);
  auto channel = [&](uint16_t tp) {
    if (channel_of[tp] < 0) {
      const Touchpoint& t = model.touchpoints()[tp];
      std::string_view name = unit == PathUnit::kChannel && !t.channel.empty() ? t.channel : t.id;
      channel_of[tp] = table.InternChannel(name);
    }
    return static_cast<uint32_t>(channel_of[tp]);
  };
  const bool by_stage = goal.kind == ConversionGoal::Kind::kStage;
  const bool stage_ok = by_stage && goal.stage < model.stages().size();
  std::vector<uint8_t> source_seen(store.source_count(), 0);
  std::vector<uint32_t> pending;
  std::vector<int64_t> pending_time;
  auto emit = [&](int64_t reference, double conversions, double value, double nulls) {
    PathRow row;
    row.channels = pending;
    row.ages_us.reserve(pending_time.size());
    for (int64_t t : pending_time) row.ages_us.push_back(reference - t);
    row.conversions = conversions;
    row.value = value;
    row.nulls = nulls;
    table.AddRow(std::move(row));
    pending.clear();
    pending_time.clear();
  };

  const bool whole = from_us == std::numeric_limits<int64_t>::min() &&
                     to_us == std::numeric_limits<int64_t>::max();
  std::vector<uint32_t> in_period;
  for (uint32_t p = 0; p < journeys.person_count(); ++p) {
    if (!journeys.in_segment(p, segment)) continue;
    std::span<const uint32_t> events = journeys.events(p);
    if (!whole) {
      in_period.clear();
      for (uint32_t e : events) {
        if (store.time_us(e) >= from_us && store.time_us(e) < to_us) in_period.push_back(e);
      }
      if (in_period.empty()) continue;
      events = in_period;
    }
    ++table.provenance.people;
    table.provenance.events += events.size();
    pending.clear();
    pending_time.clear();
    for (uint32_t e : events) source_seen[store.source(e)] = 1;
    for (uint32_t e : events) {
      const bool conversion =
          by_stage ? stage_ok && store.stage(e) == goal.stage : store.action_name(e) == goal.action;
      if (conversion) {
        emit(store.time_us(e), 1.0, store.value(e).value_or(0.0), 0.0);
        if (by_stage) break;  // one conversion per person: the first entry into the stage
        continue;
      }
      if (store.touchpoint(e) == kUnknownTouchpoint) {
        ++table.provenance.unknown_touches;
        continue;
      }
      pending.push_back(channel(store.touchpoint(e)));
      pending_time.push_back(store.time_us(e));
    }
    // Touches that did not end in a conversion: never converted, or after the last
    // conversion of an action goal. Their reference time is the journey's last event.
    if (!pending.empty()) {
      emit(store.time_us(events.back()), 0.0, 0.0, 1.0);
    }
  }
  for (size_t s = 0; s < source_seen.size(); ++s) {
    if (source_seen[s] != 0) {
      table.provenance.sources.emplace_back(store.source_name(static_cast<uint16_t>(s)));
    }
  }
  std::sort(table.provenance.sources.begin(), table.provenance.sources.end());
  return table;
}

}  // namespace journeykit

// clickhouse_connector.cpp — table creation, chunked inserts and error reporting.
#include "clickhouse_connector.hpp"

#include <journeykit/http_util.hpp>

#include <algorithm>
#include <chrono>

#include "clickhouse_errors.hpp"

namespace journeykit::clickhouse {

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

ClickHouseConnector::ClickHouseConnector(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(ParseClickHouseOptions(config)), clock_us_(&NowUs) {
  if (options_.ok()) host_.add_secret(options_->password);
}

Status ClickHouseConnector::check() {
  if (!options_.ok()) return options_.status();
  if (!host_.has_http()) {
    return PluginError("clickhouse: this JourneyKit host is too old for HTTP (ABI < 1.1)");
  }
  return Status::Ok();
}

std::string ClickHouseConnector::TableName(Table table) const {
  return options_->table_prefix + std::string(TableSuffix(table));
}

std::string ClickHouseConnector::QualifiedName(Table table) const {
  return "`" + options_->database + "`.`" + TableName(table) + "`";
}

plugin::HttpRequest ClickHouseConnector::BuildStatement(std::string statement) const {
  plugin::HttpRequest request;
  request.method = "POST";
  request.url = options_->endpoint;
  request.body = std::move(statement);
  request.headers = {{"Content-Type", "text/plain; charset=UTF-8"},
                     {"X-ClickHouse-User", options_->user},
                     {"User-Agent", "JourneyKit-clickhouse/0.1"}};
  if (!options_->password.empty()) {
    request.headers.emplace_back("X-ClickHouse-Key", options_->password);
  }
  return request;
}

plugin::HttpRequest ClickHouseConnector::BuildInsert(Table table,
                                                     std::span<const std::string> rows) const {
  size_t bytes = 0;
  for (const std::string& r : rows) bytes += r.size() + 1;
  std::string body;
  body.reserve(bytes);
  for (const std::string& r : rows) {
    body += r;
    body.push_back('\n');
  }
  plugin::HttpRequest request = BuildStatement(std::move(body));
  // Columns a table lacks (one created by an older version) are skipped, not an error.
  request.url = http::Url(options_->endpoint)
                    .query("query", "INSERT INTO " + QualifiedName(table) + " FORMAT JSONEachRow")
                    .query("input_format_skip_unknown_fields", "1")
                    .str();
  request.headers[0].second = "application/x-ndjson";
  return request;
}

Status ClickHouseConnector::Failure(const plugin::HttpResponse& response, std::string_view what,
                                    Table table) const {
  const ClickHouseOptions& o = *options_;
  std::string server = RedactUrl(o.url);
  if (response.status == 0) {
    return PluginError("clickhouse: " + std::string(what) + " at " + server +
                       " got no answer: " + http::Explain(response) +
                       " — is ClickHouse running and reachable there (check 'url')? Nothing was "
                       "written; the host dead-letters the batch and `journeykit replay` "
                       "re-sends it");
  }
  ClickHouseError e = ParseErrorBody(response.body);
  std::string message = "clickhouse: " + std::string(what) + " at " + server +
                        " failed with HTTP " + std::to_string(response.status);
  if (response.attempts > 1) message += " after " + Plural(response.attempts, "attempt");
  message += ": ";
  if (e.code != 0) message += "Code " + std::to_string(e.code) + ": ";
  message += e.message;
  message += " — ";
  if (IsAuthenticationError(response.status, e.code)) {
    message += "ClickHouse refused user '" + o.user +
               "': check 'user' and 'password' (\"password\": \"${env:CLICKHOUSE_PASSWORD}\"; "
               "is CLICKHOUSE_PASSWORD set to that user's password?)";
  } else if (e.code == kUnknownDatabase) {
    message += "database '" + o.database + "' does not exist: create it (CREATE DATABASE " +
               o.database + ") or set 'database' to an existing one";
  } else if (e.code == kUnknownTable) {
    message += o.create_tables
                   ? "the table " + QualifiedName(table) +
                         " was dropped during the run; run again (create_tables creates it)"
                   : "table " + QualifiedName(table) +
                         " does not exist: set \"create_tables\": true, or create it with the "
                         "statement in the clickhouse connector's README";
  } else if (e.code == kUnknownSetting) {
    message +=
        "this ClickHouse version does not know a setting the connector sends; please "
        "report it with the server's version (SELECT version())";
  } else if (response.status >= 500) {
    message +=
        "nothing of this batch was written; the host dead-letters it and `journeykit "
        "replay` re-sends it (re-sent rows collapse in the ReplacingMergeTree tables)";
  } else {
    message += "nothing of this batch was written; check that " + QualifiedName(table) +
               " has the columns and types of the clickhouse connector's README";
  }
  return PluginError(message);
}

Status ClickHouseConnector::EnsureTable(Table table) {
  size_t index = static_cast<size_t>(table);
  if (table_ready_[index] || !options_->create_tables) return Status::Ok();
  plugin::HttpRequest request =
      BuildStatement(CreateTableStatement(table, options_->database, TableName(table)));
  JK_ASSIGN_OR_RETURN(plugin::HttpResponse response, host_.fetch(request));
  if (!response.ok()) {
    return Failure(response, "CREATE TABLE IF NOT EXISTS " + QualifiedName(table), table);
  }
  table_ready_[index] = true;
  return Status::Ok();
}

Status ClickHouseConnector::Insert(Table table, std::vector<const jk_record*> records,
                                   std::vector<std::string> rows) {
  while (!rows.empty()) {
    if (host_.cancelled()) return Cancelled("clickhouse: stopped between inserts");
    plugin::HttpRequest request = BuildInsert(table, rows);
    JK_ASSIGN_OR_RETURN(plugin::HttpResponse response, host_.fetch(request));
    if (response.ok()) {
      rows_written_[static_cast<size_t>(table)] += rows.size();
      ++inserts_;
      return Status::Ok();
    }
    std::string what = "INSERT of " + Plural(rows.size(), "row") + " into " + QualifiedName(table);
    ClickHouseError e = ParseErrorBody(response.body);
    bool one_row = (response.status == 400 || response.status == 500) && e.row &&
                   *e.row <= rows.size() && !IsAuthenticationError(response.status, e.code);
    if (!one_row) return Failure(response, what, table);
    // ClickHouse wrote nothing of this request (one block, all or nothing): set the row it
    // refused aside and send the others again.
    size_t index = *e.row - 1;
    const jk_record& bad = *records[index];
    std::string reason = "clickhouse: " + QualifiedName(table) + " refused this row (HTTP " +
                         std::to_string(response.status) + ", Code " + std::to_string(e.code) +
                         "): " + e.message;
    if (rejected_in_write_ >= kMaxRejectedRowsPerWrite) {
      return PluginError("clickhouse: " + what + " at " + RedactUrl(options_->url) +
                         ": ClickHouse refused more than " +
                         std::to_string(kMaxRejectedRowsPerWrite) +
                         " rows of this batch one by one, the last one record '" +
                         std::string(plugin::FromJk(bad.key)) + "': " + e.message +
                         " — the table probably does not match the rows; compare it with the "
                         "clickhouse connector's README. Nothing more of this batch was written");
    }
    Status set_aside = host_.reject(bad, reason);
    if (!set_aside.ok()) {
      return PluginError("clickhouse: " + what + " at " + RedactUrl(options_->url) +
                         " failed: ClickHouse refused row " + std::to_string(*e.row) +
                         " (record '" + std::string(plugin::FromJk(bad.key)) + "'): Code " +
                         std::to_string(e.code) + ": " + e.message +
                         " — the host could not set that record aside (" + set_aside.message() +
                         "), so the batch failed as a whole and nothing of it was written");
    }
    host_.warn(reason + " — record '" + std::string(plugin::FromJk(bad.key)) +
               "' set aside; the other rows are sent again");
    ++rejected_;
    ++rejected_in_write_;
    records.erase(records.begin() + static_cast<std::ptrdiff_t>(index));
    rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(index));
  }
  return Status::Ok();
}

Status ClickHouseConnector::write(std::span<const jk_record> records) {
  JK_RETURN_IF_ERROR(check());
  rejected_in_write_ = 0;
  int64_t now = clock_us_();
  std::array<std::vector<const jk_record*>, kTableCount> by_table;
  std::array<std::vector<std::string>, kTableCount> rows;
  for (const jk_record& r : records) {
    std::string_view type = plugin::FromJk(r.type);
    std::optional<Table> table = TableOfRecordType(type);
    if (!table) {
      if (ignored_types_.insert(std::string(type)).second) {
        host_.info("clickhouse: '" + std::string(type) +
                   "' records are not written (the connector writes event, journey, "
                   "stage_change and audience_change records); leave them out of 'receives'");
      }
      continue;
    }
    Result<std::string> row = encoder_.Encode(*table, plugin::FromJk(r.json), now);
    if (!row.ok()) {
      std::string reason = "clickhouse: this " + std::string(type) +
                           " record cannot become a row of " + QualifiedName(*table) + ": " +
                           row.status().message();
      Status set_aside = host_.reject(r, reason);
      if (!set_aside.ok()) {
        return PluginError(reason + " (record '" + std::string(plugin::FromJk(r.key)) +
                           "'), and the host could not set it aside: " + set_aside.message());
      }
      ++rejected_;
      continue;
    }
    size_t index = static_cast<size_t>(*table);
    by_table[index].push_back(&r);
    rows[index].push_back(std::move(row).value());
  }
  const size_t chunk = options_->max_rows_per_insert;
  for (size_t t = 0; t < kTableCount; ++t) {
    if (rows[t].empty()) continue;
    Table table = static_cast<Table>(t);
    JK_RETURN_IF_ERROR(EnsureTable(table));
    for (size_t begin = 0; begin < rows[t].size(); begin += chunk) {
      size_t end = std::min(rows[t].size(), begin + chunk);
      JK_RETURN_IF_ERROR(Insert(
          table,
          std::vector<const jk_record*>(by_table[t].begin() + static_cast<std::ptrdiff_t>(begin),
                                        by_table[t].begin() + static_cast<std::ptrdiff_t>(end)),
          std::vector<std::string>(
              std::make_move_iterator(rows[t].begin() + static_cast<std::ptrdiff_t>(begin)),
              std::make_move_iterator(rows[t].begin() + static_cast<std::ptrdiff_t>(end)))));
    }
  }
  return Status::Ok();
}

Status ClickHouseConnector::flush() {
  if (!options_.ok() || inserts_ == 0) return Status::Ok();
  std::string summary;
  for (size_t t = 0; t < kTableCount; ++t) {
    if (rows_written_[t] == 0) continue;
    if (!summary.empty()) summary += ", ";
    summary += std::to_string(rows_written_[t]) + " into " + QualifiedName(static_cast<Table>(t));
  }
  std::string line = "clickhouse: rows written in " + Plural(inserts_, "insert") + " to " +
                     RedactUrl(options_->url) + ": " + summary;
  if (rejected_ > 0) line += "; " + Plural(rejected_, "record") + " set aside";
  host_.info(line);
  return Status::Ok();
}

}  // namespace journeykit::clickhouse

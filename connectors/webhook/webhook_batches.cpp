// webhook_batches.cpp — batch bodies and the count/bytes split.
#include "webhook_batches.hpp"

#include <journeykit/json_writer.hpp>
#include <journeykit/plugin.hpp>

namespace journeykit::webhook {

namespace {
constexpr std::string_view kHead = "{\"batch_id\":\"";
constexpr std::string_view kMiddle = "\",\"records\":[";
constexpr std::string_view kTail = "]}";
constexpr size_t kBatchIdBytes = 64;  // hex SHA-256
}  // namespace

std::string EncodeRecord(const jk_record& record) {
  std::string_view data = plugin::FromJk(record.json);
  std::string out = "{\"type\":";
  json::AppendJsonString(out, plugin::FromJk(record.type));
  out += ",\"key\":";
  json::AppendJsonString(out, plugin::FromJk(record.key));
  out += ",\"data\":";
  out += data.empty() ? std::string_view("null") : data;
  out += "}";
  return out;
}

size_t BodySize(size_t entry_bytes_sum, size_t entry_count) {
  return kHead.size() + kBatchIdBytes + kMiddle.size() + entry_bytes_sum +
         (entry_count > 0 ? entry_count - 1 : 0) + kTail.size();
}

std::string BuildBody(std::string_view batch_id, std::span<const std::string> entries) {
  size_t bytes = 0;
  for (const std::string& e : entries) bytes += e.size();
  std::string body;
  body.reserve(BodySize(bytes, entries.size()));
  body += kHead;
  body += batch_id;
  body += kMiddle;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += entries[i];
  }
  body += kTail;
  return body;
}

std::vector<BatchRange> PlanBatches(std::span<const std::string> entries, size_t max_records,
                                    size_t max_bytes) {
  std::vector<BatchRange> out;
  size_t begin = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    size_t count = i - begin;
    bool full = count >= max_records ||
                (count > 0 && BodySize(bytes + entries[i].size(), count + 1) > max_bytes);
    if (full) {
      out.push_back({begin, i, false});
      begin = i;
      bytes = 0;
    }
    bytes += entries[i].size();
    if (i == begin && BodySize(bytes, 1) > max_bytes) {  // too large even alone
      out.push_back({i, i + 1, true});
      begin = i + 1;
      bytes = 0;
    }
  }
  if (begin < entries.size()) out.push_back({begin, entries.size(), false});
  return out;
}

}  // namespace journeykit::webhook

// webhook_connector.cpp — batching, signing and delivery through the host's HTTP layer.
#include "webhook_connector.hpp"

#include <journeykit/http_util.hpp>

#include <chrono>
#include <vector>

#include "webhook_batches.hpp"
#include "webhook_signing.hpp"

namespace journeykit::webhook {

namespace {

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WebhookConnector::WebhookConnector(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(ParseWebhookOptions(config)), clock_(&UnixSeconds) {
  if (!options_.ok()) return;
  host_.add_secret(options_->secret);
  for (const auto& [name, value] : options_->headers) {
    if (IsCredentialHeader(name)) host_.add_secret(value);
  }
}

Status WebhookConnector::check() {
  if (!options_.ok()) return options_.status();
  if (!host_.has_http()) {
    return PluginError("webhook: this JourneyKit host is too old for HTTP (ABI < 1.1)");
  }
  return Status::Ok();
}

plugin::HttpRequest WebhookConnector::BuildRequest(std::span<const jk_record> records,
                                                   std::span<const std::string> entries) const {
  const WebhookOptions& o = *options_;
  std::string batch_id = BatchId(records);
  plugin::HttpRequest request;
  request.method = "POST";
  request.url = o.url;
  request.body = BuildBody(batch_id, entries);
  int64_t timestamp = clock_();
  request.headers = {{"Content-Type", "application/json"},
                     {"Idempotency-Key", batch_id},
                     {"X-JourneyKit-Batch-Id", batch_id},
                     {"X-JourneyKit-Timestamp", std::to_string(timestamp)},
                     {"X-JourneyKit-Signature", SignatureHeader(o.secret, timestamp, request.body)},
                     {"User-Agent", "JourneyKit-webhook/0.1"}};
  for (const auto& h : o.headers) request.headers.push_back(h);
  return request;
}

Status WebhookConnector::Send(std::span<const jk_record> records,
                              std::span<const std::string> entries, bool oversize) {
  plugin::HttpRequest request = BuildRequest(records, entries);
  const std::string& batch_id = request.headers[1].second;
  std::string what = "batch " + batch_id + " (" + std::to_string(records.size()) + " " +
                     std::string(plugin::FromJk(records.front().type)) + " record" +
                     (records.size() == 1 ? "" : "s") + ", " + std::to_string(request.body.size()) +
                     " bytes)";
  if (oversize) {
    host_.warn("webhook: " + what + " is over max_bytes (" + std::to_string(options_->max_bytes) +
               ") on its own; sent alone");
  }
  JK_ASSIGN_OR_RETURN(plugin::HttpResponse response, host_.fetch(request));
  if (response.ok()) {
    ++batches_;
    records_ += records.size();
    return Status::Ok();
  }
  std::string target = RedactUrl(options_->url);
  if (response.status >= 400 && response.status < 500 && response.status != 429) {
    return PluginError("webhook: " + target + " rejected " + what + " with HTTP " +
                       std::to_string(response.status) + ": " + http::Explain(response) +
                       " — a 4xx other than 429 is not retried; check the url, the headers "
                       "(Authorization) and the receiver's logs for this batch id");
  }
  if (response.status == 0) {
    return PluginError("webhook: " + target + " could not be reached for " + what + ": " +
                       http::Explain(response) +
                       " — the batch was not delivered; a rerun sends it again with the same id");
  }
  return PluginError("webhook: " + target + " did not accept " + what + ": HTTP " +
                     std::to_string(response.status) + ": " + http::Explain(response) +
                     " — the batch was not delivered; a rerun sends it again with the same id");
}

Status WebhookConnector::write(std::span<const jk_record> records) {
  JK_RETURN_IF_ERROR(check());
  if (records.empty()) return Status::Ok();
  std::vector<std::string> entries;
  entries.reserve(records.size());
  for (const jk_record& r : records) entries.push_back(EncodeRecord(r));
  for (const BatchRange& b : PlanBatches(entries, options_->max_records, options_->max_bytes)) {
    if (host_.cancelled()) return Cancelled("webhook: stopped between batches");
    // One type per batch keeps the id stable however the host groups its writes.
    size_t begin = b.begin;
    for (size_t i = b.begin + 1; i <= b.end; ++i) {
      if (i < b.end && plugin::FromJk(records[i].type) == plugin::FromJk(records[begin].type)) {
        continue;
      }
      JK_RETURN_IF_ERROR(Send(records.subspan(begin, i - begin),
                              std::span<const std::string>(entries).subspan(begin, i - begin),
                              b.oversize));
      begin = i;
    }
  }
  return Status::Ok();
}

Status WebhookConnector::flush() {
  if (options_.ok() && batches_ > 0) {
    host_.info("webhook: " + std::to_string(records_) + " records delivered in " +
               std::to_string(batches_) + " batches to " + RedactUrl(options_->url));
  }
  return Status::Ok();
}

}  // namespace journeykit::webhook

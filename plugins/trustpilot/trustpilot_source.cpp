// trustpilot_source.cpp — page-number paging, incremental cut-off, errors and checkpoints.
#include "trustpilot_source.hpp"

#include <journeykit/http_util.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "trustpilot_review_mapper.hpp"

namespace journeykit::trustpilot {

namespace {

TrustpilotOptions OptionsOrThrow(const plugin::Config& config) {
  Result<TrustpilotOptions> options = ParseTrustpilotOptions(config);
  if (!options.ok()) throw std::invalid_argument(options.status().message());
  return std::move(options).value();
}

// Trustpilot's quota is per API key: the budget is named after a hash of it (never the key).
std::string BudgetKey(const std::string& api_key) {
  return "trustpilot:key-" + http::AccountHash(api_key);
}

}  // namespace

TrustpilotSource::TrustpilotSource(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(OptionsOrThrow(config)), budget_key_(BudgetKey(options_.api_key)) {
  host_.add_secret(options_.api_key);
  host_.add_secret(options_.access_token);
}

Status TrustpilotSource::read(std::string_view stream, std::string_view state_json) {
  if (stream != kStream) {
    return InvalidArgument("trustpilot: no stream '" + std::string(stream) + "' (only 'reviews')");
  }
  JK_ASSIGN_OR_RETURN(ReviewsState state, ReviewsState::Parse(state_json));
  if (!state.run) state.run = ReviewsRun{1, state.newest_created_us};
  // Reviews come newest first: stop at the first one older than the last finished pass's
  // newest, minus the overlap (the event ids drop the re-read ones).
  const int64_t cutoff = state.newest_created_us == 0
                             ? std::numeric_limits<int64_t>::min()
                             : state.newest_created_us - options_.overlap_s * 1000000;
  const std::string path =
      options_.private_api ? "/v1/private/business-units/" : "/v1/business-units/";
  uint64_t bytes = 0, records = 0;
  for (;;) {
    if (host_.cancelled()) return Cancelled("trustpilot: stopped");
    ReviewsRun& run = *state.run;
    const int64_t page_number = run.next_page;
    http::Url url(options_.base_url + path + options_.business_unit_id + "/reviews");
    url.query("page", page_number).query("perPage", options_.per_page);
    url.query("orderBy", "createdat.desc");
    plugin::HttpRequest request;
    request.url = url.str();
    request.headers = {http::ApiKeyHeader("apikey", options_.api_key),
                       {"Accept", "application/json"}};
    if (options_.private_api) request.headers.push_back(http::BearerAuth(options_.access_token));
    request.budget_key = budget_key_;
    request.budget_requests = options_.requests_per_minute;
    request.budget_interval_ms = 60000;
    JK_ASSIGN_OR_RETURN(plugin::HttpResponse response, host_.fetch(request));
    bool finished = false;
    if (!response.ok()) {
      const bool capped =
          response.status == 400 &&
          TrustpilotErrorText(response.body).find("Pagination limit exceeded") != std::string::npos;
      if (!capped) return PageError(response, page_number);
      // Trustpilot serves only the first ~1000 pages; older reviews are out of reach.
      host_.warn("trustpilot: page " + std::to_string(page_number) + " of business unit " +
                 options_.business_unit_id +
                 ": Trustpilot's pagination limit was reached; older reviews cannot be read "
                 "through this API");
      finished = true;
    } else {
      Result<ReviewsPage> page = ParseReviewsPage(response.body, options_.business_unit_id);
      if (!page.ok()) {
        return DataError("trustpilot: business unit " + options_.business_unit_id + " page " +
                         std::to_string(page_number) + ": " + page.status().message() +
                         "; nothing from this page was stored, the next run asks for it again");
      }
      for (const RejectedReview& r : page->rejected) {
        JK_RETURN_IF_ERROR(host_.bad_record("business unit " + options_.business_unit_id +
                                                " page " + std::to_string(page_number) +
                                                " review " + std::to_string(r.index + 1),
                                            r.reason, r.raw));
      }
      std::vector<plugin::Event> fresh;
      bool reached_old = false;
      for (size_t i = 0; i < page->events.size(); ++i) {
        if (page->created_us[i] < cutoff) {
          reached_old = true;
          continue;
        }
        run.newest_created_us = std::max(run.newest_created_us, page->created_us[i]);
        fresh.push_back(std::move(page->events[i]));
      }
      bytes += response.body.size();
      records += page->review_count;
      JK_RETURN_IF_ERROR(host_.emit(kStream, fresh));
      finished = reached_old || !page->has_next_link ||
                 static_cast<int64_t>(page->review_count) < options_.per_page;
    }
    if (finished) {
      state.newest_created_us = std::max(state.newest_created_us, run.newest_created_us);
      state.run.reset();
    } else {
      ++run.next_page;
    }
    JK_RETURN_IF_ERROR(host_.checkpoint(kStream, state.ToJson()));
    host_.progress(bytes, records);
    if (finished) return Status::Ok();
  }
}

Status TrustpilotSource::PageError(const plugin::HttpResponse& response, int64_t page) const {
  const std::string& unit = options_.business_unit_id;
  std::string advice;
  switch (response.status) {
    case 0:
      advice = "no answer; check base_url and the network";
      break;
    case 401:
      advice = options_.private_api
                   ? "check access_token (business-user tokens expire; get a new one) and "
                     "api_key"
                   : "check api_key (the Trustpilot API key, sent as the apikey header)";
      break;
    case 403:
      advice = options_.private_api
                   ? "the token's business user has no access to business unit " + unit +
                         "; check access_token and that the API key's application may use "
                         "the private reviews API"
                   : "the API key has no access to business unit " + unit + "; check api_key";
      break;
    case 404:
      advice = "business unit " + unit +
               " was not found: check business_unit_id (GET /v1/business-units/find?name="
               "your-domain gives it)";
      break;
    case 429:
      advice = "the API key's quota is used up: lower requests_per_minute or run later";
      break;
    default:
      advice = response.status >= 500 ? "Trustpilot's servers failed; run again later"
                                      : "the API refused the request";
  }
  std::string said = TrustpilotErrorText(response.body);
  return PluginError("trustpilot: business unit " + unit + " page " + std::to_string(page) + ": " +
                     (said.empty() ? std::string() : said + " — ") +
                     http::Explain(response, advice));
}

}  // namespace journeykit::trustpilot

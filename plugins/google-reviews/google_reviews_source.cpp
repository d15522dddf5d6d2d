// google_reviews_source.cpp — paging, incremental cut-off, errors and checkpoints.
#include "google_reviews_source.hpp"

#include <simdjson.h>

#include <journeykit/http_util.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "google_review_mapper.hpp"

namespace journeykit::google_reviews {

namespace {

GoogleReviewsOptions OptionsOrThrow(const plugin::Config& config) {
  Result<GoogleReviewsOptions> options = ParseGoogleReviewsOptions(config);
  if (!options.ok()) throw std::invalid_argument(options.status().message());
  return std::move(options).value();
}

// Google's error envelope: {"error":{"code":403,"message":"...","status":"PERMISSION_DENIED"}}
// → "PERMISSION_DENIED: message" ("" when the body is something else).
std::string GoogleErrorText(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object error;
  if (parser.parse(body.data(), body.size())["error"].get_object().get(error) !=
      simdjson::SUCCESS) {
    return {};
  }
  std::string_view status, message;
  if (error["status"].get_string().get(status) != simdjson::SUCCESS) status = {};
  if (error["message"].get_string().get(message) != simdjson::SUCCESS) message = {};
  std::string out(status);
  if (!message.empty()) out += (out.empty() ? "" : ": ") + std::string(message);
  return out;
}

std::string PageName(const std::string& location, int64_t page) {
  return location + " page " + std::to_string(page);
}

}  // namespace

GoogleReviewsSource::GoogleReviewsSource(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(OptionsOrThrow(config)), auth_(host_, options_) {}

Status GoogleReviewsSource::read(std::string_view stream, std::string_view state_json) {
  if (stream != kStream) {
    return InvalidArgument("google-reviews: no stream '" + std::string(stream) +
                           "' (only 'reviews')");
  }
  JK_ASSIGN_OR_RETURN(ReviewsState state, ReviewsState::Parse(state_json));
  for (const std::string& location : options_.locations) {
    JK_RETURN_IF_ERROR(ReadLocation(location, state));
  }
  return Status::Ok();
}

Status GoogleReviewsSource::ReadLocation(const std::string& location, ReviewsState& state) {
  LocationCursor& cursor = state.location(location);
  if (!cursor.run) cursor.run = LocationRun{1, "", cursor.newest_update_us};
  // Reviews come newest first: stop at the first one older than the last finished run's
  // newest, minus the overlap (late-indexed reviews; the event ids drop the duplicates).
  const int64_t cutoff = cursor.newest_update_us == 0
                             ? std::numeric_limits<int64_t>::min()
                             : cursor.newest_update_us - options_.overlap_s * 1000000;
  MapperOptions mapper{options_.reviewer_identity};
  for (;;) {
    if (host_.cancelled()) return Cancelled("google-reviews: stopped");
    LocationRun& run = *cursor.run;
    http::Url url(options_.base_url + "/v4/" + location + "/reviews");
    url.query("pageSize", options_.page_size).query("orderBy", "updateTime desc");
    if (!run.page_token.empty()) url.query("pageToken", run.page_token);
    JK_ASSIGN_OR_RETURN(std::string body, FetchPage(url.str(), location, run.next_page));
    Result<ReviewsPage> page = ParseReviewsPage(body, location, mapper);
    if (!page.ok()) {
      return DataError("google-reviews: " + PageName(location, run.next_page) + ": " +
                       page.status().message() +
                       "; nothing from this page was stored, the next run asks for it again");
    }
    for (const RejectedReview& r : page->rejected) {
      JK_RETURN_IF_ERROR(host_.bad_record(
          PageName(location, run.next_page) + " review " + std::to_string(r.index + 1), r.reason,
          r.raw));
    }
    std::vector<plugin::Event> fresh;
    bool reached_old = false;
    for (size_t i = 0; i < page->events.size(); ++i) {
      if (page->update_us[i] < cutoff) {
        reached_old = true;
        continue;
      }
      run.newest_update_us = std::max(run.newest_update_us, page->update_us[i]);
      fresh.push_back(std::move(page->events[i]));
    }
    bytes_ += body.size();
    records_ += page->events.size() + page->rejected.size();
    JK_RETURN_IF_ERROR(host_.emit(kStream, fresh));
    if (reached_old || page->next_page_token.empty()) {
      cursor.newest_update_us = std::max(cursor.newest_update_us, run.newest_update_us);
      cursor.run.reset();
    } else {
      run.page_token = page->next_page_token;
      ++run.next_page;
    }
    JK_RETURN_IF_ERROR(host_.checkpoint(kStream, state.ToJson()));
    host_.progress(bytes_, records_);
    if (!cursor.run) return Status::Ok();
  }
}

Result<std::string> GoogleReviewsSource::FetchPage(const std::string& url,
                                                   const std::string& location, int64_t page) {
  bool refreshed = false;
  for (;;) {
    JK_ASSIGN_OR_RETURN(std::string token, auth_.Token());
    plugin::HttpRequest request;
    request.url = url;
    request.headers = {http::BearerAuth(token), {"Accept", "application/json"}};
    request.budget_key = options_.budget_key;
    request.budget_requests = options_.requests_per_minute;
    request.budget_interval_ms = 60000;
    JK_ASSIGN_OR_RETURN(plugin::HttpResponse response, host_.fetch(request));
    if (response.ok()) return std::move(response.body);
    if (response.status == 401 && auth_.can_refresh() && !refreshed) {
      refreshed = true;
      host_.info("google-reviews: 401 for " + PageName(location, page) +
                 ": refreshing the access token once");
      JK_RETURN_IF_ERROR(auth_.Refresh());
      continue;
    }
    return PageError(response, location, page, refreshed);
  }
}

Status GoogleReviewsSource::PageError(const plugin::HttpResponse& response,
                                      const std::string& location, int64_t page,
                                      bool after_refresh) const {
  std::string advice;
  switch (response.status) {
    case 0:
      advice = "no answer; check base_url and the network";
      break;
    case 400:
      advice = "the API refused the request; if the page token expired, run again";
      break;
    case 401:
      advice = after_refresh || auth_.can_refresh()
                   ? "rejected again after a token refresh: check that client_id, "
                     "client_secret and refresh_token belong together and were granted the "
                     "business.manage scope"
                   : "check access_token (Google access tokens expire after an hour; set "
                     "client_id, client_secret and refresh_token to renew them "
                     "automatically)";
      break;
    case 403:
      advice = "permission denied: check that the Google account behind the token manages " +
               location +
               " and that the Business Profile API is enabled for the Cloud project of "
               "client_id";
      break;
    case 404:
      advice = "location " + location +
               " was not found: check the account and location ids in 'locations' (the "
               "location must be verified)";
      break;
    case 429:
      advice =
          "the project's quota is used up: lower requests_per_minute or ask Google for "
          "more quota";
      break;
    default:
      advice = "Google's servers failed; run again later";
  }
  std::string google = GoogleErrorText(response.body);
  return PluginError("google-reviews: " + PageName(location, page) + ": " +
                     (google.empty() ? std::string() : google + " — ") +
                     http::Explain(response, advice));
}

}  // namespace journeykit::google_reviews

// google_oauth.cpp — POST grant_type=refresh_token to the token endpoint.
#include "google_oauth.hpp"

#include <simdjson.h>

#include <journeykit/http_util.hpp>

#include <charconv>

namespace journeykit::google_reviews {

namespace {

// expires_in as a number or as numeric text; 0 when absent or unreadable.
int64_t ExpiresIn(simdjson::dom::element root) {
  simdjson::dom::element e;
  if (root["expires_in"].get(e) != simdjson::SUCCESS) return 0;
  int64_t n = 0;
  double d = 0;
  std::string_view s;
  if (e.get_int64().get(n) == simdjson::SUCCESS) return n;
  if (e.get_double().get(d) == simdjson::SUCCESS) return static_cast<int64_t>(d);
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    std::from_chars(s.data(), s.data() + s.size(), n);
    return n;
  }
  return 0;
}

}  // namespace

GoogleAuth::GoogleAuth(const plugin::Host& host, const GoogleReviewsOptions& options)
    : host_(host), options_(options), token_(options.access_token) {
  host_.add_secret(options_.access_token);
  host_.add_secret(options_.client_secret);
  host_.add_secret(options_.refresh_token);
}

Result<std::string> GoogleAuth::Token() {
  if (token_.empty() || std::chrono::steady_clock::now() >= expires_) {
    JK_RETURN_IF_ERROR(Refresh());
  }
  return token_;
}

Status GoogleAuth::Refresh() {
  if (!options_.can_refresh()) {
    return PluginError(
        "google-reviews: the access token was rejected and no refresh-token flow is "
        "configured: check access_token (Google access tokens expire after an hour; set "
        "client_id, client_secret and refresh_token to renew them automatically)");
  }
  plugin::HttpRequest request;
  request.method = "POST";
  request.url = options_.token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = http::FormBody({{"grant_type", "refresh_token"},
                                 {"client_id", options_.client_id},
                                 {"client_secret", options_.client_secret},
                                 {"refresh_token", options_.refresh_token}});
  JK_ASSIGN_OR_RETURN(plugin::HttpResponse response, host_.fetch(request));
  ++refreshes_;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const bool json = parser.parse(response.body).get(root) == simdjson::SUCCESS;
  if (!response.ok()) {
    // {"error":"invalid_grant","error_description":"Token has been expired or revoked."}
    std::string detail;
    std::string_view s;
    if (json && root["error"].get_string().get(s) == simdjson::SUCCESS) detail = std::string(s);
    if (json && root["error_description"].get_string().get(s) == simdjson::SUCCESS) {
      detail += (detail.empty() ? "" : ": ") + std::string(s);
    }
    std::string advice = response.status == 0
                             ? "check token_url and the network"
                             : "check refresh_token (expired or revoked? create a new one with the "
                               "business.manage scope), client_id and client_secret";
    return PluginError("google-reviews: the token endpoint refused the refresh" +
                       (detail.empty() ? std::string() : " (" + detail + ")") + ": " +
                       http::Explain(response, advice));
  }
  std::string_view token;
  if (!json || root["access_token"].get_string().get(token) != simdjson::SUCCESS || token.empty()) {
    return PluginError("google-reviews: the token endpoint " + options_.token_url +
                       " answered without an access_token; check token_url");
  }
  token_ = std::string(token);
  host_.add_secret(token_);
  const int64_t expires_in = ExpiresIn(root);
  // Renew a minute early; an unknown lifetime lasts until the API answers 401.
  expires_ = expires_in > 120
                 ? std::chrono::steady_clock::now() + std::chrono::seconds(expires_in - 60)
                 : std::chrono::steady_clock::time_point::max();
  return Status::Ok();
}

}  // namespace journeykit::google_reviews

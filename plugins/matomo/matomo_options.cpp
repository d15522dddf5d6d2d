// matomo_options.cpp — checks the matomo config beyond what the host's type check covers.
#include "matomo_options.hpp"

#include <journeykit/kit/time_parse.hpp>

namespace journeykit::matomo {

Result<MatomoOptions> ParseMatomoOptions(const plugin::Config& config) {
  MatomoOptions o;
  std::string base = config.string("base_url");
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    return InvalidArgument("base_url: expected an http:// or https:// URL, got '" + base + "'");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  o.endpoint = base.ends_with(".php") ? base : base + "/index.php";
  o.token = config.string("token_auth");
  if (o.token.empty()) {
    return InvalidArgument("token_auth: empty; set it to the token of a user with view access");
  }
  o.id_site = config.integer("id_site");
  if (o.id_site < 1) return InvalidArgument("id_site: expected a site id of 1 or more");
  o.page_size = config.integer("page_size", 500);
  if (o.page_size < 1 || o.page_size > 10000) {
    return InvalidArgument("page_size: expected 1 to 10000, got " + std::to_string(o.page_size));
  }
  o.overlap_seconds = config.integer("overlap_seconds", 900);
  if (o.overlap_seconds < 0) return InvalidArgument("overlap_seconds: expected 0 or more");
  if (std::string start = config.string("start_date"); !start.empty()) {
    Result<int64_t> us = kit::ParseIso8601(start);
    if (!us.ok()) return InvalidArgument("start_date: " + us.status().message());
    o.start_timestamp = *us / 1000000;
  }
  o.segment = config.string("segment");
  o.token_in_query = config.boolean("token_in_query");
  return o;
}

}  // namespace journeykit::matomo

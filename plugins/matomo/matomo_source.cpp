// matomo_source.cpp — paging, incremental windows and checkpoints of the matomo source.
#include "matomo_source.hpp"

#include <journeykit/http_util.hpp>
#include <journeykit/json_writer.hpp>

#include <algorithm>
#include <stdexcept>

namespace journeykit::matomo {

Result<MatomoState> MatomoState::Parse(std::string_view json) {
  MatomoState s;
  if (json.empty()) return s;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object o;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    return DataError("matomo: the saved state is not a JSON object; rerun with --full-refresh");
  }
  int64_t v = 0;
  if (o["last_visit_ts"].get_int64().get(v) == simdjson::SUCCESS) s.last_visit_ts = v;
  simdjson::dom::object page;
  if (o["page"].get_object().get(page) == simdjson::SUCCESS) {
    Page p;
    if (page["min_timestamp"].get_int64().get(v) == simdjson::SUCCESS) p.min_timestamp = v;
    if (page["offset"].get_int64().get(v) == simdjson::SUCCESS) p.offset = v;
    s.page = p;
  }
  return s;
}

std::string MatomoState::ToJson() const {
  std::string out;
  json::JsonObjectWriter w(out);
  w.Int("version", 1).Int("last_visit_ts", last_visit_ts);
  if (page) {
    w.Key("page");
    json::JsonObjectWriter p(out);
    if (page->min_timestamp) p.Int("min_timestamp", *page->min_timestamp);
    p.Int("offset", page->offset);
    p.Close();
  }
  w.Close();
  return out;
}

MatomoSource::MatomoSource(plugin::Host& host, const plugin::Config& config) : host_(host) {
  Result<MatomoOptions> options = ParseMatomoOptions(config);
  if (!options.ok()) throw std::invalid_argument(options.status().message());
  options_ = std::move(options).value();
  host_.add_secret(options_.token);
}

Status MatomoSource::check() {
  if (!host_.has_http()) return PluginError("matomo: this JourneyKit host has no HTTP (ABI < 1.1)");
  return Status::Ok();
}

plugin::HttpRequest MatomoSource::PageRequest(std::optional<int64_t> min_timestamp, int64_t offset,
                                              int64_t limit) const {
  http::Url url(options_.endpoint);
  url.query("module", "API")
      .query("method", "Live.getLastVisitsDetails")
      .query("format", "JSON")
      .query("idSite", options_.id_site)
      .query("filter_limit", limit)
      .query("filter_offset", offset)
      .query("filter_sort_order", "asc");
  if (min_timestamp) url.query("minTimestamp", *min_timestamp);
  if (!options_.segment.empty()) url.query("segment", options_.segment);
  plugin::HttpRequest r;
  if (options_.token_in_query) {
    url.query("token_auth", options_.token);
  } else {
    // Matomo's recommendation: the token in the POST body, never in a URL or a server log.
    r.method = "POST";
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    r.body = http::FormBody({{"token_auth", options_.token}});
  }
  r.url = url.str();
  return r;
}

Status MatomoSource::PageError(const plugin::HttpResponse& response,
                               const std::string& page) const {
  const std::string site = std::to_string(options_.id_site);
  const std::string credential =
      "check that token_auth is the token of a user with at least view access to idSite " + site;
  std::optional<std::string> message = MatomoErrorMessage(response.body);
  if (message) {
    return PluginError("matomo: Matomo refused " + page + ": " + *message + " — " + credential +
                       (response.status >= 500 ? ", and Matomo's error log" : ""));
  }
  std::string what;
  if (response.status == 401 || response.status == 403) {
    what = credential;
  } else if (response.status == 404) {
    what = "check base_url (Matomo's address, e.g. https://analytics.example.com)";
  } else if (response.status == 0) {
    what = "check base_url and that Matomo is reachable";
  } else {
    what = "check Matomo's error log; the run resumes at this page";
  }
  return PluginError("matomo: " + page + " failed: " + http::Explain(response, what));
}

Status MatomoSource::read(std::string_view stream, std::string_view state_json) {
  if (stream != kStream)
    return InvalidArgument("matomo: unknown stream '" + std::string(stream) + "'");
  JK_ASSIGN_OR_RETURN(MatomoState state, MatomoState::Parse(state_json));
  if (!state.page) {
    MatomoState::Page p;
    if (state.last_visit_ts > 0) {
      p.min_timestamp = std::max<int64_t>(0, state.last_visit_ts - options_.overlap_seconds);
    } else {
      p.min_timestamp = options_.start_timestamp;
    }
    state.page = p;
  }
  const std::string site = std::to_string(options_.id_site);
  uint64_t bytes = 0, records = 0;
  while (true) {
    if (host_.cancelled()) return Cancelled("matomo: stopped between pages");
    const int64_t offset = state.page->offset;
    const std::string page =
        "the page at filter_offset=" + std::to_string(offset) + " of idSite " + site +
        (state.page->min_timestamp
             ? " (minTimestamp=" + std::to_string(*state.page->min_timestamp) + ")"
             : "");
    JK_ASSIGN_OR_RETURN(
        plugin::HttpResponse response,
        host_.fetch(PageRequest(state.page->min_timestamp, offset, options_.page_size)));
    if (!response.ok() || MatomoErrorMessage(response.body)) return PageError(response, page);
    Result<MappedPage> mapped = mapper_.MapPage(response.body);
    if (!mapped.ok()) {
      return DataError("matomo: " + page + " is unusable: " + mapped.status().message() +
                       "; nothing from this page was stored, a rerun starts again at it");
    }
    for (const BadVisit& bad : mapped->bad_visits) {
      JK_RETURN_IF_ERROR(host_.bad_record("idSite " + site +
                                              " filter_offset=" + std::to_string(offset) +
                                              " visit #" + std::to_string(bad.index),
                                          bad.reason, bad.raw.substr(0, 1024)));
    }
    for (const std::string& type : mapped->unknown_types) {
      host_.log(JK_LOG_DEBUG,
                "matomo: action type '" + type + "' is not known; emitted as matomo_" + type);
    }
    JK_RETURN_IF_ERROR(host_.emit(kStream, mapped->events));
    state.last_visit_ts = std::max(state.last_visit_ts, mapped->max_visit_timestamp);
    const bool last_page = static_cast<int64_t>(mapped->visits) < options_.page_size;
    if (last_page) {
      state.page.reset();
    } else {
      state.page->offset += static_cast<int64_t>(mapped->visits);
    }
    JK_RETURN_IF_ERROR(host_.checkpoint(kStream, state.ToJson()));
    bytes += response.body.size();
    records += mapped->visits;
    host_.progress(bytes, records);
    if (last_page) return Status::Ok();
  }
}

}  // namespace journeykit::matomo

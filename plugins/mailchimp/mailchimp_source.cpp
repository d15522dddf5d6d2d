// mailchimp_source.cpp — campaign listing, concurrent activity paging and checkpoints.
#include "mailchimp_source.hpp"

#include <journeykit/http_util.hpp>
#include <journeykit/json_writer.hpp>
#include <journeykit/kit/time_parse.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace journeykit::mailchimp {

namespace {

int64_t TimeOr0(const std::string& iso) {
  Result<int64_t> t = kit::ParseIso8601(iso);
  return t.ok() ? *t : 0;
}

}  // namespace

Result<MailchimpState> MailchimpState::Parse(std::string_view json) {
  MailchimpState s;
  if (json.empty()) return s;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object campaigns;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root["campaigns"].get_object().get(campaigns) != simdjson::SUCCESS) {
    return DataError("mailchimp: the saved state is unreadable; rerun with --full-refresh");
  }
  for (auto field : campaigns) {
    CampaignCursor c;
    std::string_view text;
    int64_t n = 0;
    if (field.value["since"].get_string().get(text) == simdjson::SUCCESS) c.since = text;
    if (field.value["offset"].get_int64().get(n) == simdjson::SUCCESS) c.offset = n;
    if (field.value["newest"].get_string().get(text) == simdjson::SUCCESS) {
      c.newest = text;
      c.newest_us = TimeOr0(c.newest);
    }
    s.campaigns.emplace(std::string(field.key), std::move(c));
  }
  return s;
}

std::string MailchimpState::ToJson() const {
  std::string out;
  json::JsonObjectWriter w(out);
  w.Int("version", 1).Key("campaigns");
  json::JsonObjectWriter list(out);
  for (const auto& [id, c] : campaigns) {
    list.Key(id);
    json::JsonObjectWriter one(out);
    one.String("since", c.since);
    if (c.offset) one.Int("offset", *c.offset).String("newest", c.newest);
    one.Close();
  }
  list.Close();
  w.Close();
  return out;
}

MailchimpSource::MailchimpSource(plugin::Host& host, const plugin::Config& config) : host_(host) {
  Result<MailchimpOptions> options = ParseMailchimpOptions(config);
  if (!options.ok()) throw std::invalid_argument(options.status().message());
  options_ = std::move(options).value();
  host_.add_secret(options_.api_key);
  host_.add_secret(http::BasicAuth("journeykit", options_.api_key).second.substr(6));
}

Status MailchimpSource::check() {
  if (!host_.has_http()) {
    return PluginError("mailchimp: this JourneyKit host has no HTTP (ABI < 1.1)");
  }
  return Status::Ok();
}

plugin::HttpRequest MailchimpSource::Get(std::string url) const {
  plugin::HttpRequest r;
  r.url = std::move(url);
  r.headers.push_back(http::BasicAuth("journeykit", options_.api_key));
  r.headers.emplace_back("Accept", "application/json");
  // Mailchimp allows 10 simultaneous connections per user: every instance with this key
  // shares one budget.
  r.budget_key = options_.budget_key;
  r.budget_max_concurrent = static_cast<uint32_t>(options_.max_connections);
  return r;
}

plugin::HttpRequest MailchimpSource::CampaignsRequest(int64_t offset) const {
  http::Url url(options_.base_url + "/campaigns");
  url.query("count", options_.page_size).query("offset", offset);
  if (!options_.campaign_status.empty()) url.query("status", options_.campaign_status);
  if (!options_.since_send_time.empty()) url.query("since_send_time", options_.since_send_time);
  return Get(url.str());
}

plugin::HttpRequest MailchimpSource::ActivityRequest(const std::string& campaign_id,
                                                     const std::string& since,
                                                     int64_t offset) const {
  http::Url url(options_.base_url + "/reports/" + http::UrlEncode(campaign_id) + "/email-activity");
  url.query("count", options_.page_size).query("offset", offset);
  if (!since.empty()) url.query("since", since);
  return Get(url.str());
}

Status MailchimpSource::RequestError(const plugin::HttpResponse& response,
                                     const std::string& what) const {
  std::string remedy;
  switch (response.status) {
    case 401:
      remedy = "check the api_key (MAILCHIMP_API_KEY): a valid Marketing API key of this account";
      break;
    case 403:
      remedy = "check the api_key (MAILCHIMP_API_KEY) and its data centre suffix (base_url " +
               options_.base_url + "); the account may be disabled";
      break;
    case 404:
      remedy = "check the campaign ids (campaigns) and base_url";
      break;
    case 429:
      remedy =
          "more than 10 simultaneous connections to this account: lower max_connections or "
          "stop other clients of this key";
      break;
    case 0:
      remedy = "check base_url and the network";
      break;
    default:
      remedy = "the run resumes at this page";
  }
  std::string message = "mailchimp: " + what + " failed: ";
  if (std::optional<Problem> p = ParseProblem(response.body)) {
    message += std::to_string(p->status ? p->status : response.status) + " " + p->title;
    if (!p->detail.empty()) message += ": " + p->detail;
    for (const std::string& e : p->errors) message += "; " + e;
    if (!p->instance.empty()) message += " (instance " + p->instance + ")";
    message += " — " + remedy;
  } else {
    message += http::Explain(response, remedy);
  }
  return PluginError(message);
}

Result<std::vector<Campaign>> MailchimpSource::ListCampaigns() {
  std::vector<Campaign> out;
  http::OffsetPager pager;
  pager.count = options_.page_size;
  while (!pager.done) {
    if (host_.cancelled()) return Cancelled("mailchimp: stopped while listing campaigns");
    const std::string what = "the campaign list at offset " + std::to_string(pager.offset);
    JK_ASSIGN_OR_RETURN(plugin::HttpResponse r, host_.fetch(CampaignsRequest(pager.offset)));
    if (!r.ok()) return RequestError(r, what);
    Result<CampaignPage> page = mapper_.ParseCampaigns(r.body);
    if (!page.ok())
      return DataError("mailchimp: " + what + " is unusable: " + page.status().message());
    for (Campaign& c : page->campaigns) out.push_back(std::move(c));
    pager.total = page->total_items;
    pager.next(static_cast<int64_t>(page->items));
    if (page->items == 0) pager.done = true;
  }
  if (!options_.campaigns.empty()) {
    std::set<std::string> wanted(options_.campaigns.begin(), options_.campaigns.end());
    std::erase_if(out, [&](const Campaign& c) { return !wanted.contains(c.id); });
  }
  return out;
}

Status MailchimpSource::read(std::string_view stream, std::string_view state_json) {
  if (stream != kStream) {
    return InvalidArgument("mailchimp: unknown stream '" + std::string(stream) + "'");
  }
  JK_ASSIGN_OR_RETURN(MailchimpState state, MailchimpState::Parse(state_json));
  JK_ASSIGN_OR_RETURN(std::vector<Campaign> campaigns, ListCampaigns());

  // Every listed campaign is read from where its cursor stands.
  std::vector<const Campaign*> active;
  for (const Campaign& c : campaigns) {
    CampaignCursor& cursor = state.campaigns[c.id];
    if (!cursor.offset) {
      cursor.offset = 0;
      cursor.newest = cursor.since;
      cursor.newest_us = TimeOr0(cursor.since);
    }
    active.push_back(&c);
  }
  uint64_t bytes = 0, records = 0;
  // Two requests per allowed connection keep the budget busy; the host queues the rest.
  const size_t wave = static_cast<size_t>(options_.max_connections) * 2;
  while (!active.empty()) {
    if (host_.cancelled()) return Cancelled("mailchimp: stopped between pages");
    std::vector<const Campaign*> batch(active.begin(),
                                       active.begin() + std::min(wave, active.size()));
    std::vector<plugin::HttpRequest> requests;
    for (const Campaign* c : batch) {
      const CampaignCursor& cursor = state.campaigns[c->id];
      requests.push_back(ActivityRequest(c->id, cursor.since, *cursor.offset));
    }
    std::set<std::string> finished;
    Status failure = Status::Ok();
    JK_RETURN_IF_ERROR(host_.http(requests, [&](size_t i, plugin::HttpResponse&& r) {
      if (!failure.ok()) return;  // the run stops; later pages are not stored
      const Campaign& c = *batch[i];
      CampaignCursor& cursor = state.campaigns[c.id];
      const std::string what = "the e-mail activity of campaign " + c.id + " at offset " +
                               std::to_string(*cursor.offset);
      if (!r.ok()) {
        failure = RequestError(r, what);
        return;
      }
      Result<ActivityPage> page = mapper_.MapActivity(r.body, c);
      if (!page.ok()) {
        failure = DataError("mailchimp: " + what + " is unusable: " + page.status().message() +
                            "; nothing from this page was stored, a rerun starts again at it");
        return;
      }
      for (const BadActivity& bad : page->bad) {
        Status s = host_.bad_record(
            "campaign " + c.id + " offset " + std::to_string(*cursor.offset) + " " + bad.location,
            bad.reason, bad.raw.substr(0, 1024));
        if (!s.ok()) {
          failure = s;
          return;
        }
      }
      if (Status s = host_.emit(kStream, page->events); !s.ok()) {
        failure = s;
        return;
      }
      if (page->newest_us > cursor.newest_us) {
        cursor.newest_us = page->newest_us;
        cursor.newest = page->newest_timestamp;
      }
      const int64_t received = static_cast<int64_t>(page->members);
      const int64_t next = *cursor.offset + received;
      const bool done = received < options_.page_size || received == 0 ||
                        (page->total_items && next >= *page->total_items);
      if (done) {
        cursor.since = cursor.newest;
        cursor.offset.reset();
        finished.insert(c.id);
      } else {
        cursor.offset = next;
      }
      if (Status s = host_.checkpoint(kStream, state.ToJson()); !s.ok()) {
        failure = s;
        return;
      }
      bytes += r.body.size();
      records += page->members;
      host_.progress(bytes, records);
    }));
    JK_RETURN_IF_ERROR(failure);
    std::erase_if(active, [&](const Campaign* c) { return finished.contains(c->id); });
  }
  // Campaigns with no activity at all still get their cursor written.
  return host_.checkpoint(kStream, state.ToJson());
}

}  // namespace journeykit::mailchimp

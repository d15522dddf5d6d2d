// hubspot_connector.cpp — mapping, batch upserts through the host's HTTP layer, 207 handling.
#include "hubspot_connector.hpp"

#include <journeykit/http_util.hpp>

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <utility>

#include "hubspot_responses.hpp"

namespace journeykit::hubspot {

namespace {

constexpr std::string_view kTokenHelp =
    "set access_token to the token of a HubSpot private app (Settings → Integrations → "
    "Private Apps), e.g. \"${env:HUBSPOT_ACCESS_TOKEN}\"";
constexpr std::string_view kScopeHelp =
    "give the private app the scope crm.objects.contacts.write (and crm.objects.contacts.read "
    "for check_connection), then use its token";
constexpr std::string_view kResend =
    "the host keeps the whole batch for `journeykit replay` (upserts are idempotent: "
    "contacts already written are updated, not duplicated)";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True when `id` appears in `text` as a whole address: not inside a longer one
// ("st@invalid" is not mentioned by "worst@invalid is invalid"). Both lower-case.
bool MentionsId(std::string_view text, std::string_view id) {
  auto part_of_id = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
           c == '+' || c == '-' || c == '@';
  };
  for (size_t at = text.find(id); at != std::string_view::npos; at = text.find(id, at + 1)) {
    bool starts = at == 0 || !part_of_id(text[at - 1]);
    size_t end = at + id.size();
    // A sentence may end with a '.' right after the address.
    bool ends = end == text.size() || !part_of_id(text[end]) ||
                (text[end] == '.' && (end + 1 == text.size() || !part_of_id(text[end + 1])));
    if (starts && ends) return true;
  }
  return false;
}

std::string Plural(uint64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// "batch call 2 of 3 (100 contacts: p_1, p_2, p_3, …)".
std::string DescribeChunk(std::span<const ContactInput> inputs, const Chunk& chunk, size_t number,
                          size_t count) {
  std::string out = "batch call " + std::to_string(number) + " of " + std::to_string(count) + " (" +
                    Plural(chunk.inputs.size(), "contact") + ": ";
  for (size_t n = 0; n < chunk.inputs.size() && n < 3; ++n) {
    if (n > 0) out += ", ";
    out += inputs[chunk.inputs[n]].trace_id;
  }
  if (chunk.inputs.size() > 3) out += ", …";
  return out + ")";
}

std::string Attempts(const plugin::HttpResponse& r) {
  return r.attempts > 1 ? " after " + std::to_string(r.attempts) + " attempts" : "";
}

// The status and HubSpot's own words: "HTTP 400 VALIDATION_ERROR: … (correlationId …)".
std::string StatusText(const plugin::HttpResponse& r) {
  std::string described = DescribeApiError(ParseApiError(r.body));
  if (described.empty()) return http::Explain(r);
  return "HTTP " + std::to_string(r.status) + " " + described;
}

}  // namespace

HubSpotConnector::HubSpotConnector(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(ParseHubSpotOptions(config)) {
  if (options_.ok()) host_.add_secret(options_->access_token);  // declared secret too
}

Status HubSpotConnector::Usable() const {
  if (!options_.ok()) return options_.status();
  if (!host_.has_http()) {
    return PluginError("hubspot: this JourneyKit host is too old for HTTP (ABI < 1.1)");
  }
  return Status::Ok();
}

std::string HubSpotConnector::Target() const { return "POST " + RedactUrl(options_->upsert_url()); }

Status HubSpotConnector::check() {
  JK_RETURN_IF_ERROR(Usable());
  if (options_->check_connection) return CheckConnection();
  return Status::Ok();
}

Status HubSpotConnector::CheckConnection() const {
  const HubSpotOptions& o = *options_;
  plugin::HttpRequest probe;
  probe.method = "GET";
  probe.url = o.base_url + std::string(kProbePath);
  probe.headers = {http::BearerAuth(o.access_token), {"Accept", "application/json"}};
  probe.budget_key = BudgetKey(o.access_token);
  probe.budget_requests = o.requests_per_10s;
  probe.budget_interval_ms = kRateWindowMs;
  probe.budget_max_concurrent = o.max_concurrent;
  JK_ASSIGN_OR_RETURN(plugin::HttpResponse r, host_.fetch(probe));
  if (r.ok()) return Status::Ok();
  std::string target = "GET " + RedactUrl(probe.url);
  if (r.status == 401) {
    return PluginError("hubspot: " + target + " refused the access token (" + StatusText(r) +
                       ") — " + std::string(kTokenHelp));
  }
  if (r.status == 403) {
    return PluginError("hubspot: " + target + " says the token lacks a scope (" + StatusText(r) +
                       ") — " + std::string(kScopeHelp));
  }
  return PluginError("hubspot: the connection check " + target + " failed: " + StatusText(r) +
                     Attempts(r) +
                     " — check base_url and the network, or set "
                     "\"check_connection\": false to skip this check");
}

plugin::HttpRequest HubSpotConnector::BuildRequest(std::span<const ContactInput> inputs,
                                                   std::span<const size_t> chunk) const {
  const HubSpotOptions& o = *options_;
  plugin::HttpRequest request;
  request.method = "POST";
  request.url = o.upsert_url();
  request.headers = {http::BearerAuth(o.access_token),
                     {"Content-Type", "application/json"},
                     {"Accept", "application/json"},
                     {"User-Agent", "JourneyKit-hubspot/0.1"}};
  request.body = BuildUpsertBody(inputs, chunk, o.id_property);
  request.budget_key = BudgetKey(o.access_token);
  request.budget_requests = o.requests_per_10s;
  request.budget_interval_ms = kRateWindowMs;
  request.budget_max_concurrent = o.max_concurrent;
  // HubSpot rarely sends Retry-After: enough attempts and time for its 10 s window to roll.
  request.max_attempts = o.max_attempts;
  request.time_budget_ms = o.time_budget_ms;
  return request;
}

Status HubSpotConnector::HandleResponse(const plugin::HttpResponse& r,
                                        std::span<const ContactInput> inputs, const Chunk& chunk,
                                        std::string_view what, std::vector<Refusal>& refusals) {
  const HubSpotOptions& o = *options_;
  std::string head = "hubspot: " + Target() + ", " + std::string(what);
  if (r.status == 0) {
    return PluginError(head + " got no answer: " + http::Explain(r) + " — " + std::string(kResend));
  }
  if (r.status == 401) {
    return PluginError(head + ": HubSpot refused the access token (" + StatusText(r) +
                       "; not retried) — " + std::string(kTokenHelp));
  }
  if (r.status == 403) {
    return PluginError(head + ": the access token lacks a scope (" + StatusText(r) +
                       "; not retried) — " + std::string(kScopeHelp));
  }
  if (r.status == 429) {
    ApiError e = ParseApiError(r.body);
    std::string advice = e.policy_name == "DAILY"
                             ? "the account's daily API limit is used up: re-send tomorrow"
                             : "other apps of this HubSpot account share its limit: lower "
                               "requests_per_10s or raise time_budget_ms / max_attempts";
    return PluginError(head + " was still rate-limited" + Attempts(r) + " (" + StatusText(r) +
                       ") — " + advice + "; " + std::string(kResend));
  }
  if (r.status >= 500) {
    return PluginError(head + " failed" + Attempts(r) + ": " + StatusText(r) +
                       " — HubSpot or the network is having trouble; " + std::string(kResend));
  }
  if (r.status < 200 || r.status >= 300) {
    std::string advice =
        "not retried; check that the contact properties exist with the types listed in "
        "connectors/hubspot/README.md (prefix '" +
        o.property_prefix + "')";
    if (o.hashed_ids()) {
      advice += " and that '" + o.id_property + "' is a unique-value contact property";
    }
    return PluginError(head + " was rejected: " + StatusText(r) + " — " + advice);
  }

  auto parsed = ParseBatchResult(r.body);
  if (!parsed.ok()) {
    if (r.status == 207) {
      return PluginError(head +
                         ": HubSpot answered 207 (some inputs failed) with a body that "
                         "cannot be read (" +
                         parsed.status().message() + "): " + http::Explain(r) + " — " +
                         std::string(kResend));
    }
    host_.warn(head + ": HTTP " + std::to_string(r.status) +
               " with a body that is not JSON; counted as accepted");
    upserted_ += chunk.inputs.size();
    return Status::Ok();
  }
  // Which inputs each error is about: objectWriteTraceId first, then the id, then an id
  // quoted in the message (HubSpot names an invalid e-mail there).
  std::unordered_map<std::string, size_t> by_trace, by_id;
  for (size_t i : chunk.inputs) {
    by_trace.emplace(inputs[i].trace_id, i);
    by_id.emplace(Lower(inputs[i].id), i);
  }
  std::vector<bool> refused(inputs.size(), false);
  size_t unmatched = 0;
  std::string first_unmatched;
  for (const InputError& e : parsed->errors) {
    std::vector<size_t> hit;
    for (const std::string& t : e.trace_ids) {
      if (auto it = by_trace.find(t); it != by_trace.end()) hit.push_back(it->second);
    }
    if (hit.empty()) {
      for (const std::string& id : e.ids) {
        if (auto it = by_id.find(Lower(id)); it != by_id.end()) hit.push_back(it->second);
      }
    }
    if (hit.empty() && !e.message.empty()) {
      std::string message = Lower(e.message);
      for (size_t i : chunk.inputs) {
        if (MentionsId(message, Lower(inputs[i].id))) hit.push_back(i);
      }
    }
    if (hit.empty()) {
      if (unmatched++ == 0) {
        first_unmatched = e.category.empty() && e.message.empty()
                              ? "(an error HubSpot counted in numErrors but did not list)"
                              : e.category + ": " + e.message;
      }
      continue;
    }
    std::string reason =
        (e.category.empty() ? std::string("ERROR") : e.category) + ": " + e.message;
    for (size_t i : hit) {
      if (refused[i]) continue;
      refused[i] = true;
      refusals.push_back(Refusal{inputs[i].record, reason});
    }
  }
  if (unmatched > 0) {
    return PluginError(head + ": HubSpot refused " + Plural(unmatched, "input") +
                       " it does not say which of (first: " + first_unmatched +
                       ") — the batch cannot be split safely; " + std::string(kResend));
  }
  size_t rejected = static_cast<size_t>(std::count(refused.begin(), refused.end(), true));
  upserted_ += chunk.inputs.size() - rejected;
  created_ += parsed->created;
  return Status::Ok();
}

Status HubSpotConnector::write(std::span<const jk_record> records) {
  JK_RETURN_IF_ERROR(Usable());
  const HubSpotOptions& o = *options_;
  std::vector<ContactInput> inputs;
  std::vector<Refusal> refusals;
  std::string problem;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string_view type = plugin::FromJk(records[i].type);
    if (type != "journey") {
      ++ignored_[std::string(type)];
      continue;
    }
    ContactInput input;
    switch (JourneyToContact(parser_, records[i], o, input, problem)) {
      case MapOutcome::kMapped:
        input.record = i;
        inputs.push_back(std::move(input));
        break;
      case MapOutcome::kNoIdentity:
        ++without_identity_;
        break;
      case MapOutcome::kHashOnly:
        ++hash_only_;
        break;
      case MapOutcome::kMalformed:
        refusals.push_back(Refusal{i, "not sent to HubSpot: " + problem});
        break;
    }
  }

  std::vector<Chunk> chunks = PlanChunks(inputs, o.batch_size);
  size_t begin = 0;
  while (begin < chunks.size()) {
    // One round at a time: its calls run concurrently (the budget caps how many).
    size_t end = begin;
    while (end < chunks.size() && chunks[end].round == chunks[begin].round) ++end;
    std::vector<plugin::HttpRequest> requests;
    for (size_t c = begin; c < end; ++c) requests.push_back(BuildRequest(inputs, chunks[c].inputs));
    std::vector<plugin::HttpResponse> responses(requests.size());
    JK_RETURN_IF_ERROR(host_.http(requests, [&responses](size_t index, plugin::HttpResponse&& r) {
      responses[index] = std::move(r);
    }));
    calls_ += requests.size();
    Status first_error;
    size_t failed = 0;
    for (size_t c = begin; c < end; ++c) {
      std::string what = DescribeChunk(inputs, chunks[c], c + 1, chunks.size());
      Status s = HandleResponse(responses[c - begin], inputs, chunks[c], what, refusals);
      if (!s.ok() && failed++ == 0) first_error = s;
    }
    if (failed > 0) {
      std::string message = first_error.message();
      if (failed > 1) {
        message += " (" + std::to_string(failed - 1) + " more of the " +
                   std::to_string(end - begin) + " calls sent together failed as well)";
      }
      return PluginError(message);
    }
    begin = end;
  }
  // Only a write that succeeds sets records aside: a failed write is kept whole.
  for (const Refusal& r : refusals) {
    JK_RETURN_IF_ERROR(host_.reject(records[r.record], r.reason));
    ++refused_;
  }
  return Status::Ok();
}

Status HubSpotConnector::flush() {
  if (!options_.ok()) return Status::Ok();
  const HubSpotOptions& o = *options_;
  std::string line = "hubspot: " + Plural(upserted_, "contact") + " upserted (" +
                     std::to_string(created_) + " new) in " + Plural(calls_, "batch call") +
                     " to " + RedactUrl(o.base_url) + " by " + o.id_property;
  if (refused_ > 0) line += "; " + std::to_string(refused_) + " refused and set aside";
  host_.info(line);
  if (without_identity_ > 0) {
    host_.info("hubspot: " + Plural(without_identity_, "journey") + " skipped: no " +
               (o.hashed_ids() ? "e-mail hash (email_sha256)" : "e-mail address") +
               " — a HubSpot contact needs one");
  }
  if (hash_only_ > 0) {
    host_.warn("hubspot: " + Plural(hash_only_, "journey") +
               " skipped: the record has an e-mail hash but no address — set \"identity\": "
               "{\"keep_email_addresses\": true} in the pipeline so the host keeps addresses "
               "(and leave \"emails\" at \"raw\"), or match contacts by hash with "
               "id_property (see the hubspot README)");
  }
  if (!ignored_.empty()) {
    std::string list;
    for (const auto& [type, n] : ignored_) {
      list += (list.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    }
    host_.info("hubspot: ignored " + list +
               " records — the hubspot connector uses journey records only (\"receives\": "
               "[\"journeys\"])");
  }
  return Status::Ok();
}

}  // namespace journeykit::hubspot

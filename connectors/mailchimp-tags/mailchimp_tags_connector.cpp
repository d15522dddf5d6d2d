// mailchimp_tags_connector.cpp — grouping a batch by member, concurrent tag requests, and
// what each Mailchimp answer means for the batch.
#include "mailchimp_tags_connector.hpp"

#include <journeykit/http_util.hpp>
#include <journeykit/kit/json_fields.hpp>

#include <stdexcept>

namespace journeykit::mailchimp_tags {

namespace {

std::string Plural(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string DescribeProblem(const plugin::HttpResponse& response) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (response.status == 0 ||
      parser.parse(response.body.data(), response.body.size()).get_object().get(o) !=
          simdjson::SUCCESS) {
    return http::Explain(response);
  }
  std::string title = kit::Field(o, "title") ? kit::ScalarText(*kit::Field(o, "title")) : "";
  std::string detail = kit::Field(o, "detail") ? kit::ScalarText(*kit::Field(o, "detail")) : "";
  if (title.empty() && detail.empty()) return http::Explain(response);
  std::string out = "HTTP " + std::to_string(response.status);
  if (!title.empty()) out += " " + title;
  if (!detail.empty()) out += ": " + detail;
  simdjson::dom::array errors;
  if (o["errors"].get_array().get(errors) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : errors) {
      simdjson::dom::object eo;
      if (e.get_object().get(eo) != simdjson::SUCCESS) continue;
      auto field = kit::Field(eo, "field");
      auto message = kit::Field(eo, "message");
      out += "; ";
      if (field) out += kit::ScalarText(*field) + ": ";
      if (message) out += kit::ScalarText(*message);
    }
  }
  if (auto instance = kit::Field(o, "instance"))
    out += " (instance " + kit::ScalarText(*instance) + ")";
  if (response.attempts > 1) out += " after " + std::to_string(response.attempts) + " attempts";
  return out;
}

MailchimpTagsConnector::MailchimpTagsConnector(plugin::Host& host, const plugin::Config& config)
    : host_(host), options_(ParseMailchimpTagsOptions(config)) {
  if (!options_.ok()) return;  // check() and write() report it
  host_.add_secret(options_->api_key);
  host_.add_secret(http::BasicAuth("journeykit", options_->api_key).second.substr(6));
  naming_.prefix = options_->tag_prefix;
  naming_.stage_tags = options_->stage_tags;
}

Status MailchimpTagsConnector::check() {
  if (!options_.ok()) return options_.status();
  if (!host_.has_http()) {
    return PluginError("mailchimp-tags: this JourneyKit host has no HTTP (ABI < 1.1)");
  }
  return VerifyList();
}

plugin::HttpRequest MailchimpTagsConnector::Request(std::string method, std::string url,
                                                    std::string body) const {
  plugin::HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers.push_back(http::BasicAuth("journeykit", options_->api_key));
  r.headers.emplace_back("Accept", "application/json");
  if (!r.body.empty()) r.headers.emplace_back("Content-Type", "application/json");
  // Mailchimp allows 10 simultaneous connections per user; the mailchimp source names the
  // same budget key, so both together stay within the limit.
  r.budget_key = options_->budget_key;
  r.budget_max_concurrent = static_cast<uint32_t>(options_->max_connections);
  return r;
}

plugin::HttpRequest MailchimpTagsConnector::TagsRequest(const MemberTags& member) const {
  return Request("POST",
                 options_->base_url + "/lists/" + http::UrlEncode(options_->list_id) + "/members/" +
                     member.hash + "/tags",
                 TagsBody(member, options_->is_syncing));
}

plugin::HttpRequest MailchimpTagsConnector::UpsertRequest(const MemberTags& member) const {
  return Request("PUT",
                 options_->base_url + "/lists/" + http::UrlEncode(options_->list_id) + "/members/" +
                     member.hash,
                 UpsertBody(member.email, options_->status_if_new));
}

plugin::HttpRequest MailchimpTagsConnector::ListRequest() const {
  http::Url url(options_->base_url + "/lists/" + http::UrlEncode(options_->list_id));
  url.query("fields", "id,name");
  return Request("GET", url.str(), "");
}

MailchimpTagsConnector::Answer MailchimpTagsConnector::Classify(
    const plugin::HttpResponse& response) {
  Answer a;
  a.message = DescribeProblem(response);
  if (response.ok()) {
    a.outcome = Outcome::kDone;
  } else if (response.status == 401 || response.status == 403) {
    a.outcome = Outcome::kKeyRefused;
  } else if (response.status == 404) {
    a.outcome = Outcome::kNotAMember;
  } else if (response.status >= 400 && response.status < 500 && response.status != 429) {
    a.outcome = Outcome::kRefused;
  } else {
    a.outcome = Outcome::kFailed;  // 0 (network), 429, 5xx: the host gave up retrying
  }
  return a;
}

Result<std::vector<MailchimpTagsConnector::Answer>> MailchimpTagsConnector::Send(
    const std::vector<plugin::HttpRequest>& requests) {
  std::vector<Answer> answers(requests.size());
  if (requests.empty()) return answers;
  requests_ += requests.size();
  JK_RETURN_IF_ERROR(host_.http(requests, [&](size_t i, plugin::HttpResponse&& response) {
    answers[i] = Classify(response);
  }));
  return answers;
}

Status MailchimpTagsConnector::KeyRefused(const std::string& message) const {
  return PluginError("mailchimp-tags: list " + options_->list_id +
                     ": Mailchimp refused the API key: " + message +
                     " — check api_key (MAILCHIMP_API_KEY): a valid Marketing API key of the "
                     "account that owns the list, with its data-centre suffix matching base_url " +
                     options_->base_url);
}

Status MailchimpTagsConnector::VerifyList() {
  if (list_verified_) return Status::Ok();
  JK_ASSIGN_OR_RETURN(plugin::HttpResponse r, host_.fetch(ListRequest()));
  ++requests_;
  Answer a = Classify(r);
  switch (a.outcome) {
    case Outcome::kDone:
      list_verified_ = true;
      return Status::Ok();
    case Outcome::kKeyRefused:
      return KeyRefused(a.message);
    case Outcome::kNotAMember:
      return PluginError("mailchimp-tags: list_id '" + options_->list_id +
                         "' is not a list of this Mailchimp account (" + a.message +
                         ") — copy the id from Audience → Settings → Audience name and defaults");
    default:
      return PluginError("mailchimp-tags: could not look up list " + options_->list_id + ": " +
                         a.message + " — check base_url and the network, then rerun");
  }
}

Status MailchimpTagsConnector::write(std::span<const jk_record> records) {
  if (!options_.ok()) return options_.status();
  // Records set aside only when the batch as a whole succeeds: a failed batch goes to the
  // dead-letter store whole, and nothing of it twice.
  std::vector<std::pair<size_t, std::string>> rejections;
  std::map<std::string, uint64_t> rejected_why;
  TagPlan plan;
  for (size_t i = 0; i < records.size(); ++i) {
    RecordTags t = TagsOfRecord(records[i], naming_, parser_);
    switch (t.kind) {
      case RecordTags::Kind::kSkipped:
        ++skipped_[std::string(plugin::FromJk(records[i].type))];
        break;
      case RecordTags::Kind::kRefused:
        rejections.emplace_back(i, "mailchimp-tags: " + t.reason);
        ++rejected_why["unusable record"];
        break;
      case RecordTags::Kind::kTags:
        plan.Add(i, t);
        break;
    }
  }
  const std::vector<MemberTags>& members = plan.members();
  const std::string list = "list " + options_->list_id;

  std::vector<plugin::HttpRequest> requests;
  requests.reserve(members.size());
  for (const MemberTags& m : members) requests.push_back(TagsRequest(m));
  JK_ASSIGN_OR_RETURN(std::vector<Answer> answers, Send(requests));

  // Members that are not on the list: set aside, or added and tagged again.
  std::vector<size_t> missing;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].outcome == Outcome::kNotAMember) missing.push_back(i);
  }
  if (!missing.empty()) {
    for (const Answer& a : answers) {
      if (a.outcome == Outcome::kKeyRefused) return KeyRefused(a.message);
    }
    JK_RETURN_IF_ERROR(VerifyList());  // a wrong list_id fails the batch, not each member
  }
  if (!missing.empty() && options_->create_missing) {
    std::vector<plugin::HttpRequest> upserts;
    for (size_t i : missing) upserts.push_back(UpsertRequest(members[i]));
    JK_ASSIGN_OR_RETURN(std::vector<Answer> created, Send(upserts));
    std::vector<size_t> again;
    std::vector<plugin::HttpRequest> retags;
    for (size_t k = 0; k < missing.size(); ++k) {
      Answer& a = answers[missing[k]];
      if (created[k].outcome == Outcome::kDone) {
        ++members_created_;
        again.push_back(missing[k]);
        retags.push_back(TagsRequest(members[missing[k]]));
      } else {
        a = created[k];
        a.message = "adding the member failed: " + a.message;
        if (a.outcome == Outcome::kNotAMember) a.outcome = Outcome::kRefused;
      }
    }
    JK_ASSIGN_OR_RETURN(std::vector<Answer> retagged, Send(retags));
    for (size_t k = 0; k < again.size(); ++k) answers[again[k]] = retagged[k];
  }

  // A batch-wide failure first: nothing is set aside then, the host keeps the whole batch.
  size_t failed = 0;
  const Answer* first_failure = nullptr;
  const MemberTags* first_failed_member = nullptr;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].outcome == Outcome::kKeyRefused) return KeyRefused(answers[i].message);
    if (answers[i].outcome == Outcome::kFailed) {
      if (failed++ == 0) {
        first_failure = &answers[i];
        first_failed_member = &members[i];
      }
    }
  }
  if (failed > 0) {
    return PluginError("mailchimp-tags: " + list + ": tagging " + std::to_string(failed) + " of " +
                       Plural(members.size(), "member", "members") +
                       " failed after the host's retries; first: member " +
                       first_failed_member->hash + ": " + first_failure->message +
                       " — the batch is kept in the dead-letter store; tag changes are "
                       "idempotent, so `journeykit replay` re-sends it safely once Mailchimp "
                       "answers again (429: other clients of this API key use its 10 connections)");
  }

  for (size_t i = 0; i < answers.size(); ++i) {
    const MemberTags& m = members[i];
    const Answer& a = answers[i];
    if (a.outcome == Outcome::kDone) {
      ++members_tagged_;
      for (const TagChange& t : m.tags) ++(t.active ? tags_added_ : tags_removed_);
      continue;
    }
    std::string reason;
    if (a.outcome == Outcome::kNotAMember) {
      reason = "mailchimp-tags: member " + m.hash + " is not on " + list + " (" + a.message +
               ") — add the person to the list, or set create_missing: true; then `journeykit "
               "replay` re-sends this record";
      rejected_why["not on the list"] += m.records.size();
    } else {
      reason = "mailchimp-tags: " + list + " refused the tags of member " + m.hash + ": " +
               a.message +
               " — fix the member in Mailchimp (or the tag names), then `journeykit "
               "replay` re-sends this record";
      rejected_why["refused by Mailchimp"] += m.records.size();
    }
    for (size_t r : m.records) rejections.emplace_back(r, reason);
  }
  for (const auto& [index, reason] : rejections) {
    JK_RETURN_IF_ERROR(host_.reject(records[index], reason));
  }
  for (const auto& [why, n] : rejected_why) rejected_[why] += n;
  return Status::Ok();
}

Status MailchimpTagsConnector::flush() {
  if (!options_.ok()) return Status::Ok();
  std::string line = "mailchimp-tags: list " + options_->list_id + ": " +
                     Plural(members_tagged_, "member update", "member updates") +
                     " (tags: " + std::to_string(tags_added_) + " added, " +
                     std::to_string(tags_removed_) + " removed";
  if (members_created_ > 0) line += ", " + std::to_string(members_created_) + " members added";
  line += ") in " + Plural(requests_, "request", "requests");
  if (!rejected_.empty()) {
    line += "; set aside:";
    for (const auto& [why, n] : rejected_) line += " " + std::to_string(n) + " " + why + ",";
    line.pop_back();
  }
  if (!skipped_.empty()) {
    line += "; skipped (not tag changes):";
    for (const auto& [type, n] : skipped_) line += " " + std::to_string(n) + " " + type + ",";
    line.pop_back();
  }
  host_.info(line);
  return Status::Ok();
}

}  // namespace journeykit::mailchimp_tags

// mailchimp_tags_connector.hpp — the mailchimp-tags connector: audience and stage changes
// become member tags of one Mailchimp list, one request per member, at most 10 at a time.
#pragma once

#include <journeykit/plugin.hpp>

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mailchimp_tags_options.hpp"
#include "member_tags.hpp"

namespace journeykit::mailchimp_tags {

// Each write() groups its records' tag changes by member and POSTs each member's tags once
// (POST /lists/{list}/members/{hash}/tags), concurrently through the host within the
// account's shared budget. The host retries 429, 5xx and network errors. Afterwards:
//   - every member answered 2xx, or was refused for good (400, not a member): OK, and the
//     refused members' records are set aside with Host::reject();
//   - a member still failing after the retries, or an API key refused (401/403), or a list
//     that does not exist: an error for the whole batch (the host dead-letters it; tag changes
//     are idempotent, so re-sending the members already tagged is harmless).
// Messages name the list and the subscriber hash, never the e-mail address or the key.
class MailchimpTagsConnector final : public plugin::Connector {
 public:
  MailchimpTagsConnector(plugin::Host& host, const plugin::Config& config);

  // Options, and (with HTTP) that the key is accepted and the list exists.
  Status check() override;
  Status write(std::span<const jk_record> records) override;
  Status flush() override;

  // Requests (no I/O; public for tests).
  plugin::HttpRequest TagsRequest(const MemberTags& member) const;
  plugin::HttpRequest UpsertRequest(const MemberTags& member) const;
  plugin::HttpRequest ListRequest() const;

 private:
  enum class Outcome {
    kDone,        // 2xx
    kRefused,     // 400 and other final 4xx: this member's records are set aside
    kNotAMember,  // 404
    kKeyRefused,  // 401 / 403: nothing of this account can be written
    kFailed,      // 429, 5xx, network: still failing after the host's retries
  };
  struct Answer {
    Outcome outcome = Outcome::kFailed;
    std::string message;  // what Mailchimp said (status, problem title and detail)
  };

  plugin::HttpRequest Request(std::string method, std::string url, std::string body) const;
  // Sends the requests concurrently (the host keeps them within the budget) and sorts each
  // answer.
  Result<std::vector<Answer>> Send(const std::vector<plugin::HttpRequest>& requests);
  static Answer Classify(const plugin::HttpResponse& response);
  // Once per instance: the list exists (tells a wrong list_id from a missing member).
  Status VerifyList();
  Status KeyRefused(const std::string& message) const;

  plugin::Host& host_;
  Result<MailchimpTagsOptions> options_;
  TagNaming naming_;
  simdjson::dom::parser parser_;
  bool list_verified_ = false;

  // Totals for the summary at flush.
  uint64_t members_tagged_ = 0;
  uint64_t members_created_ = 0;
  uint64_t tags_added_ = 0;
  uint64_t tags_removed_ = 0;
  uint64_t requests_ = 0;
  std::map<std::string, uint64_t> rejected_;  // why -> records
  std::map<std::string, uint64_t> skipped_;   // record type -> records
};

// "404 Resource Not Found: The requested resource could not be found. (instance …)" from an
// RFC 7807 problem body; the host's error text when the body is not one.
std::string DescribeProblem(const plugin::HttpResponse& response);

}  // namespace journeykit::mailchimp_tags

// member_tags.hpp — from connector records to Mailchimp tag requests, without I/O: the
// subscriber hash, the tag changes a record asks for, their grouping by member (last change
// of a tag wins) and the request bodies.
#pragma once

#include <journeykit/plugin_abi.h>

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace journeykit::mailchimp_tags {

// Trimmed of ASCII whitespace and lower-cased (ASCII), as Mailchimp hashes addresses.
std::string NormaliseEmail(std::string_view email);

// Mailchimp's subscriber_hash: the hex MD5 of NormaliseEmail(email), 32 lower-case digits.
std::string SubscriberHash(std::string_view email);

struct TagChange {
  std::string name;
  bool active = true;  // "active" adds the tag, "inactive" removes it
};

struct TagNaming {
  std::string prefix = "journeykit:";
  bool stage_tags = true;
};

// What one record asks for.
struct RecordTags {
  enum class Kind {
    kTags,     // `changes` for the member `email`
    kSkipped,  // not for this connector (another type, or stage tags turned off)
    kRefused,  // unusable: `reason` says why (no e-mail, malformed record)
  };
  Kind kind = Kind::kSkipped;
  std::string email;  // normalised
  std::vector<TagChange> changes;
  std::string reason;
};

// audience_change: <prefix><audience> active on "entered", inactive on "left".
// stage_change: <prefix>stage:<stage> active and <prefix>stage:<previous_stage> inactive.
RecordTags TagsOfRecord(const jk_record& record, const TagNaming& naming,
                        simdjson::dom::parser& parser);

// The tag changes of one member in one write(): each tag once, with the status of its last
// change, in the order the tags first appeared.
struct MemberTags {
  std::string hash;
  std::string email;
  std::vector<TagChange> tags;
  std::vector<size_t> records;  // indexes of the records that asked for these changes
};

class TagPlan {
 public:
  void Add(size_t record_index, const RecordTags& tags);
  const std::vector<MemberTags>& members() const { return members_; }

 private:
  std::vector<MemberTags> members_;
  std::unordered_map<std::string, size_t> by_hash_;
};

// {"tags":[{"name":…,"status":"active"|"inactive"},…],"is_syncing":…}
std::string TagsBody(const MemberTags& member, bool is_syncing);

// {"email_address":…,"status_if_new":…}: PUT /lists/{list}/members/{hash} creates the member
// when missing and leaves an existing one as it is.
std::string UpsertBody(std::string_view email, std::string_view status_if_new);

}  // namespace journeykit::mailchimp_tags

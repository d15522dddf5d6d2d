// member_tags.cpp — record parsing, subscriber hashes (OpenSSL EVP MD5) and request bodies.
#include "member_tags.hpp"

#include <journeykit/json_writer.hpp>
#include <journeykit/kit/json_fields.hpp>
#include <journeykit/plugin.hpp>

#include <openssl/evp.h>

#include <cctype>
#include <stdexcept>

namespace journeykit::mailchimp_tags {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// A string field that is present and a string; "" otherwise.
std::string_view StringField(simdjson::dom::object o, std::string_view key) {
  std::string_view s;
  if (o.at_key(key).get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

bool LooksLikeAddress(std::string_view email) {
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) return false;
  for (char c : email) {
    if (IsSpace(c)) return false;
  }
  return email.find('@', at + 1) == std::string_view::npos;
}

RecordTags Refused(std::string reason) {
  RecordTags r;
  r.kind = RecordTags::Kind::kRefused;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

std::string NormaliseEmail(std::string_view email) {
  while (!email.empty() && IsSpace(email.front())) email.remove_prefix(1);
  while (!email.empty() && IsSpace(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string SubscriberHash(std::string_view email) {
  std::string normalised = NormaliseEmail(email);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(normalised.data(), normalised.size(), digest, &length, EVP_md5(), nullptr) != 1) {
    // Only an OpenSSL without MD5 (a FIPS-only provider) gets here; nothing can be tagged then.
    throw std::runtime_error(
        "mailchimp-tags: OpenSSL refused MD5, which Mailchimp's subscriber hash needs (is only "
        "the FIPS provider loaded?)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

RecordTags TagsOfRecord(const jk_record& record, const TagNaming& naming,
                        simdjson::dom::parser& parser) {
  const std::string_view type = plugin::FromJk(record.type);
  const bool audience = type == "audience_change";
  const bool stage = type == "stage_change";
  if (!audience && !stage) return RecordTags{};
  if (stage && !naming.stage_tags) return RecordTags{};

  const std::string_view json = plugin::FromJk(record.json);
  simdjson::dom::object o;
  if (parser.parse(json.data(), json.size()).get_object().get(o) != simdjson::SUCCESS) {
    return Refused("the " + std::string(type) + " record is not a JSON object");
  }
  RecordTags r;
  r.kind = RecordTags::Kind::kTags;
  if (audience) {
    std::string_view id = StringField(o, "audience");
    std::string_view change = StringField(o, "change");
    if (id.empty()) return Refused("the audience_change record has no \"audience\"");
    if (change != "entered" && change != "left") {
      return Refused("the audience_change record's \"change\" is '" + std::string(change) +
                     "', expected \"entered\" or \"left\"");
    }
    r.changes.push_back({naming.prefix + std::string(id), change == "entered"});
  } else {
    std::string_view id = StringField(o, "stage");
    if (id.empty()) return Refused("the stage_change record has no \"stage\"");
    std::string_view previous = StringField(o, "previous_stage");
    if (!previous.empty() && previous != id) {
      r.changes.push_back({naming.prefix + "stage:" + std::string(previous), false});
    }
    r.changes.push_back({naming.prefix + "stage:" + std::string(id), true});
  }

  std::string_view email = StringField(o, "email");
  if (email.empty()) {
    if (kit::Field(o, "email_sha256")) {
      return Refused(
          "the record carries only email_sha256: Mailchimp addresses members by the MD5 of the "
          "address itself, so this connector needs plain e-mails — set \"identity\": "
          "{\"keep_email_addresses\": true} in the pipeline and leave this connector's "
          "\"emails\" at \"raw\" (not \"hashed\")");
    }
    return Refused(
        "the person has no known e-mail address: Mailchimp addresses list members by e-mail");
  }
  r.email = NormaliseEmail(email);
  if (!LooksLikeAddress(r.email)) {
    return Refused(
        "the person's \"email\" is not an e-mail address (no single '@' between a "
        "name and a domain)");
  }
  return r;
}

void TagPlan::Add(size_t record_index, const RecordTags& tags) {
  if (tags.kind != RecordTags::Kind::kTags) return;
  std::string hash = SubscriberHash(tags.email);
  auto [it, fresh] = by_hash_.emplace(hash, members_.size());
  if (fresh) members_.push_back(MemberTags{std::move(hash), tags.email, {}, {}});
  MemberTags& m = members_[it->second];
  m.records.push_back(record_index);
  for (const TagChange& change : tags.changes) {
    bool found = false;
    for (TagChange& t : m.tags) {
      if (t.name == change.name) {
        t.active = change.active;  // the later change wins
        found = true;
      }
    }
    if (!found) m.tags.push_back(change);
  }
}

std::string TagsBody(const MemberTags& member, bool is_syncing) {
  std::string out = "{\"tags\":[";
  for (size_t i = 0; i < member.tags.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"name\":";
    json::AppendJsonString(out, member.tags[i].name);
    out += member.tags[i].active ? ",\"status\":\"active\"}" : ",\"status\":\"inactive\"}";
  }
  out += "],\"is_syncing\":";
  out += is_syncing ? "true}" : "false}";
  return out;
}

std::string UpsertBody(std::string_view email, std::string_view status_if_new) {
  std::string out = "{\"email_address\":";
  json::AppendJsonString(out, email);
  out += ",\"status_if_new\":";
  json::AppendJsonString(out, status_if_new);
  out += "}";
  return out;
}

}  // namespace journeykit::mailchimp_tags

// demo_receivers.cpp — the demo's loopback receivers: HubSpot, Mailchimp tags, a verifying
// webhook endpoint and a private ClickHouse.
#include "support/demo_receivers.hpp"

#include <journeykit/json_writer.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <utility>

#include "support/clickhouse_server.hpp"
#include "support/mock_http_server.hpp"
#include "support/mock_hubspot_api.hpp"
#include "support/mock_mailchimp_tags_api.hpp"

namespace journeykit::testing {

namespace {

constexpr int64_t kToleranceS = 300;  // the window the webhook README recommends
constexpr const char* kClickHouseTables[] = {"journeykit_events", "journeykit_journeys",
                                             "journeykit_stage_changes",
                                             "journeykit_audience_changes"};

std::string Quote(std::string_view s) {
  std::string out;
  json::AppendJsonString(out, s);
  return out;
}

// 12345 → "12,345".
std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), md,
                sizeof md, &size) == nullptr) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (size_t i = 0; i < size; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 15]);
  }
  return hex;
}

// "http://127.0.0.1:18461/3.0" → 18461; 0 and an error when it is not such a URL.
uint16_t LoopbackPort(const std::string& url, const std::string& name, std::string& error) {
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) {
    error = name + "=" + url + ": the demo's receivers listen on http://127.0.0.1:PORT only";
    return 0;
  }
  size_t end = url.find('/', prefix.size());
  std::string digits =
      url.substr(prefix.size(), end == std::string::npos ? end : end - prefix.size());
  char* rest = nullptr;
  long port = std::strtol(digits.c_str(), &rest, 10);
  if (digits.empty() || *rest != '\0' || port < 1 || port > 65535) {
    error = name + "=" + url + ": no port number after 127.0.0.1:";
    return 0;
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

// ---- settings -------------------------------------------------------------------------------

std::string DemoReceiverSettings::FromEnvironment() {
  DemoReceiverSettings s = *this;
  struct Credential {
    const char* name;
    std::string* value;
  };
  for (Credential c : {Credential{"HUBSPOT_ACCESS_TOKEN", &s.hubspot_token},
                       Credential{"MAILCHIMP_API_KEY", &s.mailchimp_key},
                       Credential{"WEBHOOK_SECRET", &s.webhook_secret},
                       Credential{"CLICKHOUSE_PASSWORD", &s.clickhouse_password}}) {
    const char* v = std::getenv(c.name);
    if (v == nullptr || *v == '\0') {
      return std::string(c.name) +
             " is not set: source scripts/demo-api-credentials.sh first (it sets the demo's "
             "credentials and receiver addresses)";
    }
    *c.value = v;
  }
  struct Port {
    const char* name;
    uint16_t* port;
  };
  for (Port p : {Port{"JK_DEMO_HUBSPOT_URL", &s.hubspot_port},
                 Port{"JK_DEMO_MAILCHIMP_URL", &s.mailchimp_port},
                 Port{"JK_DEMO_WEBHOOK_URL", &s.webhook_port},
                 Port{"JK_DEMO_CLICKHOUSE_URL", &s.clickhouse_port}}) {
    const char* v = std::getenv(p.name);
    if (v == nullptr || *v == '\0') continue;
    std::string error;
    *p.port = LoopbackPort(v, p.name, error);
    if (!error.empty()) return error;
  }
  *this = std::move(s);
  return {};
}

// ---- webhook --------------------------------------------------------------------------------

struct WebhookReceiver::State {
  explicit State(std::string s) : secret(std::move(s)) {}
  std::string secret;
  mutable std::mutex mutex;
  std::set<std::string> batch_ids;
  std::map<std::pair<std::string, std::string>, std::string> records;  // (type, key) → data
  size_t repeated = 0, refused = 0;
  std::vector<std::string> problems;
  std::unique_ptr<MockHttpServer> server;

  MockReply Refuse(const std::string& why) {
    std::lock_guard lock(mutex);
    ++refused;
    problems.push_back("webhook: " + why);
    return MockReply::Json(R"({"error":)" + Quote(why) + "}", 401);
  }

  MockReply Handle(const MockRequest& r) {
    if (r.method != "POST") return MockReply::Json(R"({"error":"POST only"})", 405);
    const std::string ts = r.header("x-journeykit-timestamp");
    const std::string sig = r.header("x-journeykit-signature");
    if (ts.empty() || ts.find_first_not_of("0123456789") != std::string::npos) {
      return Refuse("missing or non-integer X-JourneyKit-Timestamp");
    }
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    if (std::llabs(now - std::stoll(ts)) > kToleranceS) {
      return Refuse("timestamp " + ts + " is outside the 300 s window");
    }
    const std::string expected = "v1=" + HmacSha256Hex(secret, ts + "." + r.body);
    if (sig.size() != expected.size() ||
        CRYPTO_memcmp(sig.data(), expected.data(), sig.size()) != 0) {
      return Refuse("signature does not match the body");
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view batch_id;
    simdjson::dom::array list;
    if (parser.parse(r.body).get(doc) || doc["batch_id"].get(batch_id) ||
        doc["records"].get(list)) {
      std::lock_guard lock(mutex);
      problems.push_back("webhook: a body without batch_id or records");
      return MockReply::Json(R"({"error":"expected {\"batch_id\":…,\"records\":[…]}"})", 400);
    }
    std::vector<std::pair<std::pair<std::string, std::string>, std::string>> parsed;
    for (simdjson::dom::element rec : list) {
      std::string_view type, key;
      simdjson::dom::element data;
      if (rec["type"].get(type) || rec["key"].get(key) || rec["data"].get(data)) {
        std::lock_guard lock(mutex);
        problems.push_back("webhook: a record without type, key or data");
        return MockReply::Json(R"({"error":"a record without type, key or data"})", 400);
      }
      parsed.push_back({{std::string(type), std::string(key)}, simdjson::minify(data)});
    }
    std::lock_guard lock(mutex);
    if (!batch_ids.insert(std::string(batch_id)).second) {
      ++repeated;  // a retry of a batch already applied: acknowledged, not applied twice
    } else {
      for (auto& [k, data] : parsed) records[k] = std::move(data);
    }
    return MockReply::Json(R"({"ok":true})");
  }
};

WebhookReceiver::WebhookReceiver(std::string secret, uint16_t port)
    : state_(std::make_unique<State>(std::move(secret))) {
  state_->server = std::make_unique<MockHttpServer>(
      [s = state_.get()](const MockRequest& r) { return s->Handle(r); }, port);
}
WebhookReceiver::~WebhookReceiver() { state_->server->Stop(); }

std::string WebhookReceiver::url() const { return state_->server->url("/journeykit"); }

std::vector<WebhookReceiver::Record> WebhookReceiver::records() const {
  std::lock_guard lock(state_->mutex);
  std::vector<Record> out;
  for (const auto& [k, data] : state_->records) out.push_back({k.first, k.second, data});
  return out;
}
size_t WebhookReceiver::batches() const {
  std::lock_guard lock(state_->mutex);
  return state_->batch_ids.size();
}
size_t WebhookReceiver::repeated_batches() const {
  std::lock_guard lock(state_->mutex);
  return state_->repeated;
}
size_t WebhookReceiver::refused() const {
  std::lock_guard lock(state_->mutex);
  return state_->refused;
}
std::vector<std::string> WebhookReceiver::problems() const {
  std::lock_guard lock(state_->mutex);
  return state_->problems;
}

// ---- all receivers --------------------------------------------------------------------------

DemoReceivers::DemoReceivers(DemoReceiverSettings settings) : settings_(std::move(settings)) {
  const char* step = "HubSpot";
  try {
    hubspot_ = std::make_unique<MockHubSpotApi>(settings_.hubspot_token, settings_.hubspot_port);
    step = "Mailchimp";
    mailchimp_ =
        std::make_unique<MockMailchimpTagsApi>(settings_.mailchimp_key, settings_.mailchimp_port);
    mailchimp_->AddList(DemoReceiverSettings::kMailchimpList, "Online school newsletter");
    step = "webhook";
    webhook_ = std::make_unique<WebhookReceiver>(settings_.webhook_secret, settings_.webhook_port);
    if (settings_.clickhouse) {
      step = "ClickHouse";
      clickhouse_ = std::make_unique<ClickHouseServer>(settings_.clickhouse_port,
                                                       settings_.clickhouse_password);
      if (!clickhouse_->running()) error_ = clickhouse_->error();
    }
  } catch (const std::exception& e) {
    error_ = std::string("the ") + step + " receiver could not start: " + e.what();
  }
  if (!error_.empty()) {
    clickhouse_.reset();
    webhook_.reset();
    mailchimp_.reset();
    hubspot_.reset();
  }
}

DemoReceivers::~DemoReceivers() = default;

std::map<std::string, std::string> DemoReceivers::Urls() const {
  if (!error_.empty()) return {};
  return {{"JK_DEMO_HUBSPOT_URL", hubspot_->base_url()},
          {"JK_DEMO_MAILCHIMP_URL", mailchimp_->base_url()},
          {"JK_DEMO_WEBHOOK_URL", webhook_->url()},
          // Without ClickHouse: the discard port, where nothing listens.
          {"JK_DEMO_CLICKHOUSE_URL", clickhouse_ ? clickhouse_->url() : "http://127.0.0.1:9"}};
}

void DemoReceivers::ExportUrls() const {
  for (const auto& [name, value] : Urls()) ::setenv(name.c_str(), value.c_str(), 1);
}

DemoReceiverCounts DemoReceivers::Count() const {
  DemoReceiverCounts c;
  if (!error_.empty()) return c;
  c.hubspot_contacts = hubspot_->contacts().size();
  c.hubspot_calls = hubspot_->calls().size();
  auto members = mailchimp_->Members(DemoReceiverSettings::kMailchimpList);
  c.mailchimp_members = members.size();
  for (const auto& [email, tags] : members) {
    for (const std::string& t : tags) ++c.mailchimp_tags[t];
  }
  c.mailchimp_tag_calls = mailchimp_->tag_calls().size();
  c.webhook_batches = webhook_->batches();
  c.webhook_repeated_batches = webhook_->repeated_batches();
  c.webhook_refused = webhook_->refused();
  for (const auto& r : webhook_->records()) ++c.webhook_records[r.type];
  if (clickhouse_) {
    for (const char* table : kClickHouseTables) {
      try {
        std::string exists = clickhouse_->Query(std::string("EXISTS TABLE default.") + table);
        if (exists.rfind('1', 0) != 0) continue;
        std::string n =
            clickhouse_->Query(std::string("SELECT count() FROM default.") + table + " FINAL");
        c.clickhouse_rows[table] = std::stoull(n);
      } catch (const std::exception&) {
        // Counted as absent; Problems() is for what the services refused.
      }
    }
  }
  return c;
}

std::string DemoReceivers::Summary() const {
  if (!error_.empty()) return "the demo receivers did not start: " + error_ + "\n";
  DemoReceiverCounts c = Count();
  std::ostringstream out;
  out << "What the loopback stand-ins for the services received:\n";
  out << "  HubSpot     " << Thousands(c.hubspot_contacts) << " contacts upserted in "
      << Thousands(c.hubspot_calls) << " batch calls\n";
  out << "  Mailchimp   " << Thousands(c.mailchimp_members) << " members, "
      << Thousands(c.mailchimp_tag_calls) << " tag calls; active tags:";
  if (c.mailchimp_tags.empty()) out << " none";
  const char* sep = " ";
  for (const auto& [tag, n] : c.mailchimp_tags) {
    out << sep << tag << " " << Thousands(n);
    sep = ", ";
  }
  out << "\n  Webhook     " << Thousands(c.webhook_batches) << " signed batches (all signatures "
      << (c.webhook_refused == 0 ? "verified"
                                 : "checked, " + Thousands(c.webhook_refused) + " refused")
      << ", " << Thousands(c.webhook_repeated_batches) << " retried batches recognised):";
  sep = " ";
  for (const auto& [type, n] : c.webhook_records) {
    out << sep << type << " " << Thousands(n);
    sep = ", ";
  }
  out << "\n";
  if (clickhouse_) {
    out << "  ClickHouse  SELECT count() … FINAL:";
    sep = " ";
    for (const auto& [table, n] : c.clickhouse_rows) {
      out << sep << table << " " << Thousands(n);
      sep = ", ";
    }
    out << "\n";
  }
  for (const std::string& p : Problems()) out << "  problem: " << p << "\n";
  return out.str();
}

std::string DemoReceivers::Dump(const std::string& dir) const {
  if (!error_.empty()) return error_;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  {
    std::ofstream out(fs::path(dir) / "hubspot-contacts.ndjson", std::ios::trunc);
    for (const auto& [id, contact] : hubspot_->contacts()) {
      out << "{\"id\":" << Quote(id) << ",\"properties\":{";
      bool first = true;
      for (const auto& [k, v] : contact.properties) {
        out << (first ? "" : ",") << Quote(k) << ":" << Quote(v);
        first = false;
      }
      out << "}}\n";
    }
    if (!out) return "cannot write " + dir + "/hubspot-contacts.ndjson";
  }
  {
    std::ofstream out(fs::path(dir) / "mailchimp-members.ndjson", std::ios::trunc);
    for (const auto& [email, tags] : mailchimp_->Members(DemoReceiverSettings::kMailchimpList)) {
      out << "{\"email_address\":" << Quote(email) << ",\"tags\":[";
      bool first = true;
      for (const std::string& t : tags) {
        out << (first ? "" : ",") << Quote(t);
        first = false;
      }
      out << "]}\n";
    }
    if (!out) return "cannot write " + dir + "/mailchimp-members.ndjson";
  }
  {
    std::ofstream out(fs::path(dir) / "webhook-records.ndjson", std::ios::trunc);
    for (const auto& r : webhook_->records()) {
      out << "{\"type\":" << Quote(r.type) << ",\"key\":" << Quote(r.key) << ",\"data\":" << r.data
          << "}\n";
    }
    if (!out) return "cannot write " + dir + "/webhook-records.ndjson";
  }
  return {};
}

std::vector<std::string> DemoReceivers::Problems() const {
  if (!error_.empty()) return {};
  std::vector<std::string> out;
  for (const std::string& p : hubspot_->problems()) out.push_back("hubspot: " + p);
  for (const std::string& p : mailchimp_->problems()) out.push_back("mailchimp: " + p);
  for (const std::string& p : webhook_->problems()) out.push_back(p);
  return out;
}

}  // namespace journeykit::testing

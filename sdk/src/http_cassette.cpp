// http_cassette.cpp — secret redaction for HTTP traffic, and record/replay cassettes: one
// readable JSON file per exchange (docs/http.md, "Cassettes").
#include "internal/http_engine.hpp"

#include <journeykit/json_writer.hpp>

#include "internal/json_read.hpp"

#include <boost/filesystem.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace journeykit::internal {

namespace fs = boost::filesystem;

namespace {

constexpr std::string_view kMask = "***";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool SensitiveParam(std::string_view name) {
  static constexpr std::array<std::string_view, 13> kNames = {
      "token_auth",    "apikey",    "api_key",  "key",    "access_token",
      "refresh_token", "token",     "password", "secret", "client_secret",
      "secret_key",    "signature", "sig"};
  std::string n = Lower(name);
  return std::find(kNames.begin(), kNames.end(), n) != kNames.end();
}

bool SensitiveHeader(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "cookie",       "set-cookie",     "apikey",           "api-key",       "x-api-key",
      "x-auth-token", "x-access-token", "x-clickhouse-key", "private-token", "x-mc-apikey"};
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// Masks the values of sensitive `name=value` pairs in a query string or form body.
std::string MaskPairs(std::string_view pairs) {
  std::string out;
  size_t pos = 0;
  while (pos <= pairs.size()) {
    size_t amp = pairs.find('&', pos);
    std::string_view item =
        pairs.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && SensitiveParam(item.substr(0, eq))) {
      out.append(item.substr(0, eq + 1)).append(kMask);
    } else {
      out.append(item);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    pos = amp + 1;
  }
  return out;
}

// Masks string values of token-like keys in a JSON text without re-serializing it.
std::string MaskJsonTokens(std::string body) {
  static constexpr std::array<std::string_view, 7> kKeys = {
      "\"access_token\"", "\"refresh_token\"", "\"id_token\"", "\"client_secret\"",
      "\"password\"",     "\"api_key\"",       "\"apikey\""};
  for (std::string_view key : kKeys) {
    size_t pos = 0;
    while ((pos = body.find(key, pos)) != std::string::npos) {
      size_t p = pos + key.size();
      while (p < body.size() && std::isspace(static_cast<unsigned char>(body[p]))) ++p;
      if (p >= body.size() || body[p] != ':') {
        pos = p;
        continue;
      }
      ++p;
      while (p < body.size() && std::isspace(static_cast<unsigned char>(body[p]))) ++p;
      if (p >= body.size() || body[p] != '"') {
        pos = p;
        continue;
      }
      size_t end = p + 1;
      while (end < body.size() && body[end] != '"') end += body[end] == '\\' ? 2 : 1;
      if (end >= body.size()) break;
      body.replace(p + 1, end - p - 1, kMask);
      pos = p + 1 + kMask.size();
    }
  }
  return body;
}

}  // namespace

std::string HttpRedactor::Text(std::string text) const {
  for (const std::string& secret : secrets_) {
    if (secret.size() < 3) continue;  // too short to tell apart from ordinary text
    for (const std::string& form : {secret, PercentEncode(secret)}) {
      size_t pos = 0;
      while ((pos = text.find(form, pos)) != std::string::npos) {
        text.replace(pos, form.size(), kMask);
        pos += kMask.size();
      }
    }
  }
  return text;
}

std::string HttpRedactor::Url(const std::string& url) const {
  size_t q = url.find('?');
  if (q == std::string::npos) return Text(url);
  size_t hash = url.find('#', q);
  std::string query = url.substr(q + 1, hash == std::string::npos ? hash : hash - q - 1);
  std::string out = url.substr(0, q + 1) + MaskPairs(query);
  if (hash != std::string::npos) out += url.substr(hash);
  return Text(std::move(out));
}

std::string HttpRedactor::HeaderValue(const std::string& name, const std::string& value) const {
  std::string n = Lower(name);
  if (n == "authorization" || n == "proxy-authorization") {
    size_t space = value.find(' ');
    return space == std::string::npos ? std::string(kMask)
                                      : value.substr(0, space + 1) + std::string(kMask);
  }
  if (SensitiveHeader(n)) return std::string(kMask);
  return Text(value);
}

std::string HttpRedactor::Body(const std::string& body) const {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return body;
  if (body[first] == '{' || body[first] == '[') return Text(MaskJsonTokens(body));
  if (body.find('=') != std::string::npos && body.find('\n') == std::string::npos) {
    return Text(MaskPairs(body));  // application/x-www-form-urlencoded
  }
  return Text(body);
}

// ---- Cassettes ----------------------------------------------------------------------------

struct Cassette::State {
  std::string dir;
  bool recording = false;
  std::mutex mutex;
  size_t next_number = 1;
  // request key → recorded responses in order; `served` counts how many were used
  struct Entry {
    std::deque<HttpResult> responses;
  };
  std::map<std::string, Entry> entries;
  size_t count = 0;
};

namespace {

std::string Key(const std::string& method, const std::string& url, const std::string& body) {
  return method + " " + url + "\n" + body;
}

std::string Slug(const std::string& method, const std::string& url) {
  std::string path = url;
  size_t scheme = path.find("://");
  if (scheme != std::string::npos) path = path.substr(scheme + 3);
  size_t slash = path.find('/');
  path = slash == std::string::npos ? "" : path.substr(slash + 1);
  path = path.substr(0, path.find('?'));
  std::string slug = Lower(method) + "-";
  for (char c : path) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    slug.push_back(ok ? c : '-');
  }
  if (slug.size() > 80) slug = slug.substr(slug.size() - 80);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

std::string Quote(std::string_view s) {
  std::string out;
  journeykit::json::AppendJsonString(out, s);
  return out;
}

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return FormatTimeUs(us - us % 1000000).substr(0, 19) + "Z";
}

Result<std::pair<std::string, HttpCall>> ParseExchange(const std::string& file, HttpResult& out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError(file + ": cannot read the cassette file");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root); err) {
    return DataError(file + ": not a JSON cassette exchange (" + simdjson::error_message(err) +
                     "); re-record it with http mode \"record\"");
  }
  auto str = [&](simdjson::dom::element e, std::string_view k) -> std::string {
    std::string_view v;
    if (e[k].get_string().get(v) != simdjson::SUCCESS) return {};
    return std::string(v);
  };
  int64_t version = 0;
  if (root["journeykit_cassette"].get_int64().get(version) != simdjson::SUCCESS || version != 1) {
    return DataError(file +
                     ": \"journeykit_cassette\": 1 missing — not a JourneyKit cassette "
                     "exchange (docs/http.md)");
  }
  simdjson::dom::element req, resp;
  if (root["request"].get(req) != simdjson::SUCCESS ||
      root["response"].get(resp) != simdjson::SUCCESS) {
    return DataError(file + ": needs \"request\" and \"response\" objects");
  }
  HttpCall call;
  call.method = str(req, "method");
  call.url = str(req, "url");
  call.body = str(req, "body");
  int64_t status = 0;
  if (resp["status"].get_int64().get(status) != simdjson::SUCCESS) {
    return DataError(file + ": response.status missing");
  }
  out.status = static_cast<int>(status);
  simdjson::dom::array headers;
  if (resp["headers"].get_array().get(headers) == simdjson::SUCCESS) {
    for (simdjson::dom::element h : headers) {
      std::string_view k, v;
      if (h.at(0).get_string().get(k) == simdjson::SUCCESS &&
          h.at(1).get_string().get(v) == simdjson::SUCCESS) {
        out.headers.emplace_back(std::string(k), std::string(v));
      }
    }
  }
  simdjson::dom::element body;
  if (resp["body_json"].get(body) == simdjson::SUCCESS) {
    out.body = simdjson::minify(body);
  } else {
    out.body = str(resp, "body");
  }
  out.error = str(resp, "error");
  int64_t attempts = 1;
  if (resp["attempts"].get_int64().get(attempts) != simdjson::SUCCESS) attempts = 1;
  out.attempts = static_cast<uint32_t>(attempts);
  return std::make_pair(Key(call.method, call.url, call.body), std::move(call));
}

}  // namespace

Cassette::Cassette(std::unique_ptr<State> state) : state_(std::move(state)) {}
Cassette::~Cassette() = default;
const std::string& Cassette::dir() const { return state_->dir; }
size_t Cassette::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->count;
}

Result<std::shared_ptr<Cassette>> Cassette::OpenForReplay(const std::string& dir) {
  boost::system::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFound("cassette folder " + dir +
                    " does not exist: record it first (http mode \"record\") or set "
                    "http.cassette_dir (docs/http.md)");
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  auto state = std::make_unique<State>();
  state->dir = dir;
  for (const std::string& f : files) {
    HttpResult result;
    JK_ASSIGN_OR_RETURN(auto parsed, ParseExchange(f, result));
    state->entries[parsed.first].responses.push_back(std::move(result));
    ++state->count;
  }
  return std::shared_ptr<Cassette>(new Cassette(std::move(state)));
}

Result<std::shared_ptr<Cassette>> Cassette::OpenForRecord(const std::string& dir) {
  boost::system::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create cassette folder " + dir + ": " + ec.message());
  auto state = std::make_unique<State>();
  state->dir = dir;
  state->recording = true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    size_t n = std::strtoul(name.c_str(), nullptr, 10);
    state->next_number = std::max(state->next_number, n + 1);
  }
  return std::shared_ptr<Cassette>(new Cassette(std::move(state)));
}

std::optional<HttpResult> Cassette::Find(const std::string& method, const std::string& redacted_url,
                                         const std::string& redacted_body) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->entries.find(Key(method, redacted_url, redacted_body));
  if (it == state_->entries.end() || it->second.responses.empty()) return std::nullopt;
  auto& queue = it->second.responses;
  HttpResult r = queue.front();
  if (queue.size() > 1) queue.pop_front();  // the last recorded answer repeats
  return r;
}

Status Cassette::Record(const HttpCall& request, const HttpResult& response) {
  std::lock_guard lock(state_->mutex);
  std::string out = "{\n  \"journeykit_cassette\": 1,\n  \"recorded_at\": " + Quote(NowIso()) +
                    ",\n  \"request\": {\n    \"method\": " + Quote(request.method) +
                    ",\n    \"url\": " + Quote(request.url) + ",\n    \"headers\": [";
  for (size_t i = 0; i < request.headers.size(); ++i) {
    out += (i ? ", " : "") + std::string("[") + Quote(request.headers[i].first) + ", " +
           Quote(request.headers[i].second) + "]";
  }
  out += "],\n    \"body\": " + Quote(request.body) +
         "\n  },\n  \"response\": {\n    \"status\": " + std::to_string(response.status) +
         ",\n    \"attempts\": " + std::to_string(response.attempts) + ",\n    \"headers\": [";
  for (size_t i = 0; i < response.headers.size(); ++i) {
    out += (i ? ",\n      " : "\n      ") + std::string("[") + Quote(response.headers[i].first) +
           ", " + Quote(response.headers[i].second) + "]";
  }
  out += "],\n";
  if (!response.error.empty()) out += "    \"error\": " + Quote(response.error) + ",\n";
  simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  bool is_json =
      !response.body.empty() && parser.parse(response.body).get(ignored) == simdjson::SUCCESS;
  if (is_json) {
    out += "    \"body_json\": " + response.body + "\n  }\n}\n";  // verbatim: readable, exact
  } else {
    out += "    \"body\": " + Quote(response.body) + "\n  }\n}\n";
  }
  char number[16];
  std::snprintf(number, sizeof number, "%04zu", state_->next_number++);
  std::string path = state_->dir + "/" + number + "-" + Slug(request.method, request.url) + ".json";
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << out;
    if (!f.flush()) return IoError("cannot write cassette file " + tmp);
  }
  boost::system::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IoError("cannot write cassette file " + path + ": " + ec.message());
  ++state_->count;
  return Status::Ok();
}

}  // namespace journeykit::internal

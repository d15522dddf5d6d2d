// http_util.hpp — header-only helpers for plugins that call HTTP APIs through the host:
// URL building, auth headers, and the usual pagination schemes (docs/http.md).
#pragma once

#include <journeykit/hashing.hpp>
#include <journeykit/plugin.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeykit::http {

// Percent-encodes everything but RFC 3986 unreserved characters.
inline std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Builds "base?k=v&k2=v2" with encoded values; keeps an existing query in `base`.
class Url {
 public:
  explicit Url(std::string base) : url_(std::move(base)) {}
  Url& query(std::string_view key, std::string_view value) {
    url_.push_back(url_.find('?') == std::string::npos ? '?' : '&');
    url_ += UrlEncode(key);
    url_.push_back('=');
    url_ += UrlEncode(value);
    return *this;
  }
  Url& query(std::string_view key, int64_t value) { return query(key, std::to_string(value)); }
  const std::string& str() const { return url_; }

 private:
  std::string url_;
};

// "application/x-www-form-urlencoded" body from pairs.
inline std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out.push_back('&');
    out += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return out;
}

inline std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n =
        (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint32_t(uint8_t(in[i])) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

// Auth helpers: each returns the header to add. The host redacts Authorization and API-key
// headers in logs and cassettes; register derived secrets with Host::add_secret.
inline std::pair<std::string, std::string> BasicAuth(std::string_view user,
                                                     std::string_view password) {
  return {"Authorization", "Basic " + Base64(std::string(user) + ":" + std::string(password))};
}
inline std::pair<std::string, std::string> BearerAuth(std::string_view token) {
  return {"Authorization", "Bearer " + std::string(token)};
}
inline std::pair<std::string, std::string> ApiKeyHeader(std::string_view header,
                                                        std::string_view key) {
  return {std::string(header), std::string(key)};
}
// API key as a query parameter: Url(...).query(name, key) — the host redacts it from URLs.

// RFC 8288 Link header: `<https://a/b?page=2>; rel="next", <...>; rel="last"` → rel → URL.
inline std::map<std::string, std::string> ParseLinkHeader(std::string_view header) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t lt = header.find('<', pos);
    if (lt == std::string_view::npos) break;
    size_t gt = header.find('>', lt);
    if (gt == std::string_view::npos) break;
    std::string url(header.substr(lt + 1, gt - lt - 1));
    size_t end = header.find('<', gt);
    std::string_view params = header.substr(
        gt + 1, end == std::string_view::npos ? std::string_view::npos : end - gt - 1);
    size_t rel = params.find("rel=");
    if (rel != std::string_view::npos) {
      std::string_view v = params.substr(rel + 4);
      bool quoted = !v.empty() && v.front() == '"';
      if (quoted) v.remove_prefix(1);
      size_t stop = v.find_first_of(quoted ? "\"" : ";, ");
      std::string_view rels = v.substr(0, stop);
      // rel may hold several space-separated values: rel="next last"
      size_t s = 0;
      while (s < rels.size()) {
        size_t sp = rels.find(' ', s);
        std::string_view one = rels.substr(s, sp == std::string_view::npos ? sp : sp - s);
        if (!one.empty()) out.emplace(std::string(one), url);
        if (sp == std::string_view::npos) break;
        s = sp + 1;
      }
    }
    pos = end == std::string_view::npos ? header.size() : end;
  }
  return out;
}

// Offset/count paging with a total (Mailchimp's count/offset/total_items, Matomo's
// filter_limit/filter_offset without a total): call next() after each page.
struct OffsetPager {
  int64_t offset = 0;
  int64_t count = 100;
  std::optional<int64_t> total;  // set from the response when the API reports one
  bool done = false;

  // `received`: items on the page just read.
  void next(int64_t received) {
    offset += received;
    if (received < count) done = true;           // a short page is the last one
    if (total && offset >= *total) done = true;  // everything the API has
  }
};

// Page tokens (Google's nextPageToken) and cursors: the token of the next page, or empty
// when the last page has been read.
struct TokenPager {
  std::string token;
  bool done = false;
  void next(std::string_view next_token) {
    token.assign(next_token);
    done = token.empty();
  }
};

// A URL fit for messages: no user:password@ and no query or fragment (a query often carries a
// token), replaced by "?***".
inline std::string RedactUrl(std::string_view url) {
  size_t scheme = url.find("://");
  size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::string_view rest = url.substr(authority);
  size_t path_start = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, path_start);
  size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  std::string_view path =
      path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  size_t query = path.find_first_of("?#");
  bool had_query = query != std::string_view::npos;
  if (had_query) path = path.substr(0, query);
  std::string out(url.substr(0, authority));
  out += host;
  out += path;
  if (had_query) out += "?***";
  return out;
}

// 16 hex digits naming an account (a hash of its API key or token) in a budget key or a log
// line without putting the credential there: FNV-1a 64.
inline std::string AccountHash(std::string_view credential) { return Fnv1a64Hex(credential); }

// A clear message for an HTTP failure: the host's error (method, redacted URL, status,
// excerpt) plus what the user should do.
inline std::string Explain(const plugin::HttpResponse& r, std::string_view what_to_do = {}) {
  std::string m = r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error;
  if (!what_to_do.empty()) m += " — " + std::string(what_to_do);
  return m;
}

}  // namespace journeykit::http

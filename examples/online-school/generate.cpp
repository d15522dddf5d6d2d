// generate.cpp — deterministic data for the online-school demo: GA4 export rows + offline CSVs.
//
// The same arguments give byte-identical files on every machine: randomness comes from
// std::mt19937_64 (whose output the standard fixes) turned into numbers by hand, never by
// std:: distributions (whose output differs between standard libraries). Every person has
// an engine of their own, so changing one person's journey never reshuffles the others.
//
// Usage: online-school-generate --out DIR [--people N] [--seed S] [--days D] [--start YYYY-MM-DD]
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

constexpr i64 kSecond = 1'000'000;  // timestamps are µs since the Unix epoch (UTC)
constexpr i64 kMinute = 60 * kSecond;
constexpr i64 kHour = 60 * kMinute;
constexpr i64 kDay = 24 * kHour;
constexpr i64 kNever = -1;

constexpr std::string_view kSite = "https://school.example.com";
constexpr std::string_view kLearn = "https://learn.school.example.com";

// ---------------------------------------------------------------------------------------
// Randomness

u64 SplitMix64(u64 x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Random {
 public:
  explicit Random(u64 seed) : engine_(seed) {}

  u64 Bits() { return engine_(); }
  // Uniform in [0, 1) from the top 53 bits.
  double Unit() { return static_cast<double>(Bits() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n) without modulo bias: reject the lowest 2^64 mod n raw values.
  u64 Below(u64 n) {
    const u64 reject_under = (0 - n) % n;
    for (;;) {
      const u64 x = Bits();
      if (x >= reject_under) return x % n;
    }
  }
  // Uniform in [lo, hi], both inclusive.
  i64 Between(i64 lo, i64 hi) {
    return lo + static_cast<i64>(Below(static_cast<u64>(hi - lo) + 1));
  }
  bool Chance(double p) { return Unit() < p; }
  // A duration of lo..hi seconds plus sub-second noise, in µs.
  i64 Seconds(i64 lo, i64 hi) {
    const i64 whole = Between(lo, hi) * 1'000'000;  // two statements: operands of + are unsequenced
    return whole + Between(0, 999'999);
  }
  std::size_t Weighted(std::initializer_list<double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Unit() * total;
    std::size_t i = 0;
    for (double w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return weights.size() - 1;
  }
  template <class T, std::size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian, UTC; H. Hinnant's civil-date algorithms)

i64 DaysFromCivil(i64 y, unsigned m, unsigned d) {
  y -= m <= 2;
  const i64 era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<i64>(doe) - 719468;
}

struct Civil {
  i64 year;
  unsigned month, day;
};

Civil CivilFromDays(i64 z) {
  z += 719468;
  const i64 era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<i64>(yoe) + era * 400 + (m <= 2), m, d};
}

i64 FloorDiv(i64 a, i64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int Weekday(i64 day) {
  return static_cast<int>(((day % 7) + 11) % 7);
}  // 0 = Sunday; day 0 was a Thursday

std::string EventDate(i64 us) {
  const Civil c = CivilFromDays(FloorDiv(us, kDay));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string IsoUtc(i64 us) {
  const i64 day = FloorDiv(us, kDay);
  const i64 secs = (us - day * kDay) / kSecond;
  const Civil c = CivilFromDays(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

// The first moment on or after `not_before` that falls on `weekday` at `hour`:00 UTC.
i64 NextWeekly(i64 not_before, int weekday, int hour) {
  for (i64 day = FloorDiv(not_before, kDay);; ++day) {
    const i64 at = day * kDay + hour * kHour;
    if (Weekday(day) == weekday && at >= not_before) return at;
  }
}

// A time of day weighted towards lunch breaks and evenings, as course traffic is.
i64 TimeOfDay(Random& r) {
  const std::size_t hour = r.Weighted({1,   0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 4,   4.2, 4.5,
                                       5.5, 5.2, 4.6, 4.4, 4.6, 5,   6,   7,   7.5, 6.5, 4.5, 2.2});
  return static_cast<i64>(hour) * kHour + r.Seconds(0, 3599);
}

// ---------------------------------------------------------------------------------------
// Text helpers

void AppendJsonString(std::string& out, std::string_view s) {
  // BigQuery's JSON export writes <, > and & as \u003c, \u003e, \u0026.
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void AppendOptString(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, s);
  }
}

// Money and other decimals: at most two places, always at least one ("490.0"), as exports show.
std::string Decimal(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

std::string CsvField(std::string_view s) {
  // RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside.
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// The people

enum class Persona { kBeginner, kSmbOwner, kMarketer };
enum class FirstTouch { kMeta, kGoogle, kOrganic, kNewsletter };

std::string_view PersonaName(Persona p) {
  switch (p) {
    case Persona::kBeginner:
      return "beginner";
    case Persona::kSmbOwner:
      return "smb_owner";
    case Persona::kMarketer:
      return "marketer";
  }
  return "";
}

// Indexable by Persona: beginner, smb_owner, marketer.
template <class T>
T By(Persona p, T beginner, T smb_owner, T marketer) {
  switch (p) {
    case Persona::kBeginner:
      return beginner;
    case Persona::kSmbOwner:
      return smb_owner;
    case Persona::kMarketer:
      return marketer;
  }
  return beginner;
}

struct Acquisition {  // an empty source means a direct visit
  std::string source, medium, campaign, term, gclid;
  bool Direct() const { return source.empty(); }
  std::string Query() const {
    if (Direct() || medium == "organic") return "";
    std::string q = "?utm_source=" + source + "&utm_medium=" + medium + "&utm_campaign=" + campaign;
    if (!gclid.empty()) q += "&gclid=" + gclid;
    return q;
  }
};

Acquisition Email(std::string campaign) {
  return {"newsletter", "email", std::move(campaign), "", ""};
}

struct Geo {
  const char *continent, *sub_continent, *country, *region, *city, *language;
};

constexpr std::array<Geo, 10> kGeos{{
    {"Europe", "Western Europe", "Germany", "Berlin", "Berlin", "de-de"},
    {"Europe", "Western Europe", "Germany", "Bavaria", "Munich", "de-de"},
    {"Europe", "Western Europe", "Germany", "Hamburg", "Hamburg", "de-de"},
    {"Europe", "Western Europe", "Austria", "Vienna", "Vienna", "de-at"},
    {"Europe", "Western Europe", "Switzerland", "Zurich", "Zurich", "de-ch"},
    {"Europe", "Western Europe", "Netherlands", "North Holland", "Amsterdam", "nl-nl"},
    {"Europe", "Eastern Europe", "Poland", "Masovian Voivodeship", "Warsaw", "pl-pl"},
    {"Europe", "Southern Europe", "Spain", "Community of Madrid", "Madrid", "es-es"},
    {"Europe", "Southern Europe", "Italy", "Lombardy", "Milan", "it-it"},
    {"Europe", "Western Europe", "France", "Ile-de-France", "Paris", "fr-fr"},
}};
constexpr Geo kBotGeo{"Americas", "Northern America", "United States",
                      "Virginia", "Ashburn",          "en-us"};

struct DeviceProfile {
  const char *category, *brand, *model, *os, *os_version, *browser, *browser_version;
};

constexpr std::array<DeviceProfile, 4> kMobiles{{
    {"mobile", "Apple", "iPhone", "iOS", "iOS 17.6.1", "Safari", "17.6"},
    {"mobile", "Samsung", "SM-S911B", "Android", "Android 14", "Chrome", "128.0.6613.127"},
    {"mobile", "Google", "Pixel 8", "Android", "Android 14", "Chrome", "128.0.6613.127"},
    {"tablet", "Apple", "iPad", "iOS", "iOS 17.6.1", "Safari", "17.6"},
}};
constexpr std::array<DeviceProfile, 3> kDesktops{{
    {"desktop", "Apple", "Safari", "Macintosh", "Macintosh Intel 10.15", "Safari", "17.6"},
    {"desktop", "Google", "Chrome", "Windows", "Windows 10", "Chrome", "128.0.6613.120"},
    {"desktop", "Microsoft", "Edge", "Windows", "Windows 10", "Edge", "128.0.2739.67"},
}};
constexpr DeviceProfile kBotDevice{"desktop",      "Google", "Chrome",       "Linux",
                                   "Linux x86_64", "Chrome", "128.0.6613.84"};

struct Device {
  DeviceProfile profile;
  std::string pseudo_id;  // set by its first session
  i64 first_touch = kNever;
  Acquisition first_acquisition;
};

struct Param {
  enum class Kind { kString, kInt, kDouble };
  std::string key;
  Kind kind = Kind::kString;
  std::string s;
  i64 i = 0;
  double d = 0;
};

Param Str(std::string key, std::string v) {
  return {std::move(key), Param::Kind::kString, std::move(v), 0, 0};
}
Param Int(std::string key, i64 v) { return {std::move(key), Param::Kind::kInt, "", v, 0}; }
Param Dbl(std::string key, double v) { return {std::move(key), Param::Kind::kDouble, "", 0, v}; }

struct Order {
  std::string transaction_id, item_id, item_name, variant;
  double price = 0;
};

struct GaEvent {
  i64 time = 0;
  int device = 0;
  i64 session_start = 0;  // µs; ga_session_id and ga_session_number derive from it
  std::string name;
  std::string page_location;
  std::vector<Param> params;
  std::optional<Acquisition> collected;  // collected_traffic_source on a session's landing rows
  std::optional<Order> order;
};

struct CsvRow {
  i64 time;
  std::string line;
};

struct Person {
  int index = 0;
  bool bot = false;
  Persona persona = Persona::kBeginner;
  FirstTouch first_touch = FirstTouch::kMeta;
  Geo geo{};
  std::string email, user_id;
  i64 registered_at = kNever;  // user_id and the persona property are set on rows from here on
  std::vector<Device> devices;
  std::vector<GaEvent> events;
};

// What the third-party APIs of the demo hold (written with --api-fixtures, recorded into the
// committed cassettes by record-cassettes): derived from the simulation without drawing from
// its random streams, so the rest of the data does not change.
struct MailClick {
  std::string campaign, email;
  i64 sent = 0, clicked = 0;
};
struct ReviewRecord {
  int person = 0;
  std::string email;
  i64 at = 0, stars = 0;
};
struct HelpVisit {
  int person = 0;
  std::string user_id;
  i64 at = 0;
  std::string topic;
};

// Everything the generator writes, with row counters.
struct Output {
  std::vector<MailClick> mail;
  std::vector<ReviewRecord> reviews;
  std::vector<HelpVisit> help;
  i64 start = 0, end = 0;
  std::vector<std::vector<std::pair<std::pair<i64, u64>, std::string>>> days;  // (time, seq) → row
  std::vector<std::pair<std::pair<i64, u64>, std::string>> webinar, nps, support;
  u64 seq = 0;
  int next_order = 1001;

  bool InWindow(i64 t) const { return t >= start && t < end; }
  void Add(std::vector<std::pair<std::pair<i64, u64>, std::string>>& rows, i64 t,
           std::string line) {
    if (InWindow(t)) rows.push_back({{t, seq++}, std::move(line)});
  }
};

// ---------------------------------------------------------------------------------------
// Rendering a GA4 export row

void AppendParam(std::string& out, const Param& p) {
  out += "{\"key\":";
  AppendJsonString(out, p.key);
  out += ",\"value\":{\"string_value\":";
  if (p.kind == Param::Kind::kString) {
    AppendJsonString(out, p.s);
  } else {
    out += "null";
  }
  out += ",\"int_value\":";
  if (p.kind == Param::Kind::kInt) {
    out += '"' + std::to_string(p.i) + '"';  // INT64 is exported as a string
  } else {
    out += "null";
  }
  out += ",\"float_value\":null,\"double_value\":";
  out += p.kind == Param::Kind::kDouble ? Decimal(p.d) : "null";
  out += "}}";
}

std::string_view HostOf(std::string_view url) {
  const auto begin = url.find("://");
  if (begin == std::string_view::npos) return "";
  const auto end = url.find_first_of("/?", begin + 3);
  return url.substr(begin + 3,
                    end == std::string_view::npos ? std::string_view::npos : end - begin - 3);
}

std::string RenderRow(const Person& p, const GaEvent& e, int session_number) {
  const Device& dev = p.devices[static_cast<std::size_t>(e.device)];
  const bool known = p.registered_at != kNever && e.time >= p.registered_at;
  std::string o;
  o.reserve(2048);
  o += "{\"event_date\":\"" + EventDate(e.time) + "\",\"event_timestamp\":\"" +
       std::to_string(e.time) + "\",\"event_name\":";
  AppendJsonString(o, e.name);
  o += ",\"event_params\":[";
  AppendParam(o, Int("ga_session_id", e.session_start / kSecond));
  o += ',';
  AppendParam(o, Int("ga_session_number", session_number));
  o += ',';
  AppendParam(o, Str("page_location", e.page_location));
  for (const Param& param : e.params) {
    o += ',';
    AppendParam(o, param);
  }
  o += "],\"user_id\":";
  AppendOptString(o, known ? std::string_view(p.user_id) : std::string_view());
  o += ",\"user_pseudo_id\":";
  AppendJsonString(o, dev.pseudo_id);
  o += ",\"privacy_info\":{\"analytics_storage\":\"Yes\",\"ads_storage\":\"";
  o += p.bot || p.index % 5 != 0 ? "Yes" : "No";
  o += "\",\"uses_transient_token\":\"No\"},\"user_properties\":[";
  if (known) {
    o += "{\"key\":\"persona\",\"value\":{\"string_value\":";
    AppendJsonString(o, PersonaName(p.persona));
    o += ",\"int_value\":null,\"float_value\":null,\"double_value\":null,\"set_timestamp_micros\":"
         "\"" +
         std::to_string(p.registered_at) + "\"}}";
  }
  o += "],\"user_first_touch_timestamp\":\"" + std::to_string(dev.first_touch) + "\"";
  const DeviceProfile& d = dev.profile;
  o += ",\"device\":{\"category\":\"" + std::string(d.category) + "\",\"mobile_brand_name\":\"" +
       d.brand + "\",\"mobile_model_name\":\"" + d.model + "\",\"operating_system\":\"" + d.os +
       "\",\"operating_system_version\":\"" + d.os_version + "\",\"language\":\"" + p.geo.language +
       "\",\"is_limited_ad_tracking\":\"No\",\"web_info\":{\"browser\":\"" + d.browser +
       "\",\"browser_version\":\"" + d.browser_version + "\",\"hostname\":\"" +
       std::string(HostOf(e.page_location)) + "\"}}";
  o += ",\"geo\":{\"continent\":\"" + std::string(p.geo.continent) + "\",\"sub_continent\":\"" +
       p.geo.sub_continent + "\",\"country\":\"" + p.geo.country + "\",\"region\":\"" +
       p.geo.region + "\",\"city\":\"" + p.geo.city + "\",\"metro\":\"(not set)\"}";
  const Acquisition& ft = dev.first_acquisition;
  o += ",\"traffic_source\":{\"name\":";
  AppendJsonString(o, ft.Direct() ? "(direct)" : ft.campaign);
  o += ",\"medium\":";
  AppendJsonString(o, ft.Direct() ? "(none)" : ft.medium);
  o += ",\"source\":";
  AppendJsonString(o, ft.Direct() ? "(direct)" : ft.source);
  o += "},\"stream_id\":\"4178225100\",\"platform\":\"WEB\",\"ecommerce\":";
  if (e.order) {
    const Order& ord = *e.order;
    const double usd = ord.price * 1.08;
    const double tax = ord.price - ord.price / 1.19;  // prices include 19% VAT
    o += "{\"total_item_quantity\":\"1\",\"purchase_revenue_in_usd\":\"" + Decimal(usd) +
         "\",\"purchase_revenue\":\"" + Decimal(ord.price) +
         "\",\"refund_value_in_usd\":null,\"refund_value\":null,\"shipping_value_in_usd\":\"0.0\","
         "\"shipping_value\":\"0.0\",\"tax_value_in_usd\":\"" +
         Decimal(tax * 1.08) + "\",\"tax_value\":\"" + Decimal(tax) +
         "\",\"unique_items\":\"1\",\"transaction_id\":";
    AppendJsonString(o, ord.transaction_id);
    o += "},\"items\":[{\"item_id\":";
    AppendJsonString(o, ord.item_id);
    o += ",\"item_name\":";
    AppendJsonString(o, ord.item_name);
    o += ",\"item_brand\":\"Online School\",\"item_variant\":";
    AppendJsonString(o, ord.variant);
    o += ",\"item_category\":\"Courses\",\"price_in_usd\":" + Decimal(usd) +
         ",\"price\":" + Decimal(ord.price) +
         ",\"quantity\":1,\"item_revenue_in_usd\":" + Decimal(usd) +
         ",\"item_revenue\":" + Decimal(ord.price) + ",\"coupon\":\"(not set)\"}]";
  } else {
    o += "null,\"items\":[]";
  }
  o += ",\"collected_traffic_source\":";
  if (e.collected) {
    const Acquisition& a = *e.collected;
    o += "{\"manual_campaign_id\":null,\"manual_campaign_name\":";
    AppendJsonString(o, a.campaign);
    o += ",\"manual_source\":";
    AppendJsonString(o, a.source);
    o += ",\"manual_medium\":";
    AppendJsonString(o, a.medium);
    o += ",\"manual_term\":";
    AppendOptString(o, a.term);
    o += ",\"manual_content\":null,\"gclid\":";
    AppendOptString(o, a.gclid);
    o += ",\"dclid\":null,\"srsltid\":null}";
  } else {
    o += "null";
  }
  o += '}';
  return o;
}

void RenderPerson(Person& p, Output& out) {
  // ga_session_number counts a device's sessions in time order.
  std::vector<std::vector<i64>> starts(p.devices.size());
  for (const GaEvent& e : p.events)
    starts[static_cast<std::size_t>(e.device)].push_back(e.session_start);
  for (auto& s : starts) {
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
  }
  for (const GaEvent& e : p.events) {
    if (!out.InWindow(e.time)) continue;
    const auto& s = starts[static_cast<std::size_t>(e.device)];
    const int number =
        static_cast<int>(std::lower_bound(s.begin(), s.end(), e.session_start) - s.begin()) + 1;
    const auto day = static_cast<std::size_t>((e.time - out.start) / kDay);
    out.days[day].push_back({{e.time, out.seq++}, RenderRow(p, e, number)});
  }
}

// ---------------------------------------------------------------------------------------
// Building one person's journey

struct PageInfo {
  std::string path, title;
};

const std::array<PageInfo, 6> kContentPages{{
    {"/blog/instagram-reels-2026", "Instagram Reels in 2026: what still works | Online School"},
    {"/blog/content-plan-template", "A content plan template for small businesses | Online School"},
    {"/blog/smm-manager-salary", "How much does an SMM manager earn? | Online School"},
    {"/blog/first-client-in-30-days", "Your first SMM client in 30 days | Online School"},
    {"/reviews", "Student reviews | Online School"},
    {"/reviews?course=smm", "SMM course reviews | Online School"},
}};
const std::string kLandingTitle = "SMM course: from zero to first clients | Online School";
constexpr std::string_view kFreeWebinar = "smm-from-zero";
constexpr std::string_view kOnboardingWebinar = "smm-course-onboarding";

class JourneyBuilder {
 public:
  JourneyBuilder(Person& person, Random& random, Output& out) : p_(person), r_(random), out_(out) {}

  struct Session {
    int device = 0;
    i64 start = 0;
    i64 t = 0;
    Acquisition acquisition;
    std::string referrer;
    std::string last_url;
    bool landed = false;
  };

  Session Start(int device, i64 t, Acquisition acquisition, std::string referrer = "") {
    Session s{device, t, t, std::move(acquisition), std::move(referrer), "", false};
    return s;
  }

  GaEvent& Emit(Session& s, std::string name, std::string url, std::vector<Param> params = {}) {
    GaEvent e;
    e.time = s.t;
    e.device = s.device;
    e.session_start = s.start;
    e.name = std::move(name);
    e.page_location = std::move(url);
    e.params = std::move(params);
    p_.events.push_back(std::move(e));
    return p_.events.back();
  }

  // A page view; the first one of a session also writes session_start (and first_visit on a
  // device's first session) with the campaign parameters GA4 attaches to landing rows.
  void Page(Session& s, std::string_view path_or_url, std::string_view title,
            double scroll_chance = 0.4) {
    std::string url(path_or_url);
    if (url.rfind("https://", 0) != 0) url = std::string(kSite) + url;
    std::vector<Param> common;
    if (!s.landed) {
      s.landed = true;
      Device& dev = p_.devices[static_cast<std::size_t>(s.device)];
      const std::string query = s.acquisition.Query();  // "?utm_source=..." or empty
      if (!query.empty()) url += url.find('?') == std::string::npos ? query : "&" + query.substr(1);
      std::vector<Param> campaign;
      if (!s.acquisition.Direct()) {
        campaign.push_back(Str("source", s.acquisition.source));
        campaign.push_back(Str("medium", s.acquisition.medium));
        campaign.push_back(Str("campaign", s.acquisition.campaign));
        if (!s.acquisition.term.empty()) campaign.push_back(Str("term", s.acquisition.term));
        if (!s.acquisition.gclid.empty()) campaign.push_back(Str("gclid", s.acquisition.gclid));
      }
      const bool first_visit = dev.first_touch == kNever;
      if (first_visit) {
        dev.first_touch = s.t;
        dev.first_acquisition = s.acquisition;
        dev.pseudo_id = std::to_string(r_.Between(100'000'000, 2'147'483'647)) + "." +
                        std::to_string(s.t / kSecond);
      }
      auto landing = [&](std::string name, std::vector<Param> extra) {
        for (const Param& c : campaign) extra.push_back(c);
        GaEvent& e = Emit(s, std::move(name), url, std::move(extra));
        if (!s.acquisition.Direct()) e.collected = s.acquisition;
      };
      landing("session_start", {Str("page_title", std::string(title))});
      if (first_visit) landing("first_visit", {Str("page_title", std::string(title))});
      std::vector<Param> pv{Str("page_title", std::string(title)), Int("entrances", 1)};
      if (!s.referrer.empty()) pv.push_back(Str("page_referrer", s.referrer));
      landing("page_view", std::move(pv));
    } else {
      s.t += r_.Seconds(8, 150);
      Emit(s, "page_view", url,
           {Str("page_title", std::string(title)), Str("page_referrer", s.last_url),
            Str("session_engaged", "1")});
    }
    s.last_url = url;
    if (r_.Chance(scroll_chance)) {
      s.t += r_.Seconds(10, 90);
      Emit(s, "scroll", url,
           {Str("page_title", std::string(title)), Int("percent_scrolled", 90),
            Int("engagement_time_msec", r_.Between(8'000, 95'000)), Str("session_engaged", "1")});
    }
  }

  // An event on the current page, a little after the last one.
  GaEvent& Act(Session& s, std::string name, std::vector<Param> params, i64 min_s = 2,
               i64 max_s = 40) {
    s.t += r_.Seconds(min_s, max_s);
    params.insert(params.begin(), Str("session_engaged", "1"));
    return Emit(s, std::move(name), s.last_url, std::move(params));
  }

  void Browse(Session& s, int pages) {
    for (int i = 0; i < pages; ++i) {
      const PageInfo& page = r_.Pick(kContentPages);
      Page(s, page.path, page.title, 0.55);
    }
  }

  void Register(Session& s) {
    Page(s, "/webinar/register", "Free webinar: SMM from zero | Online School", 0.2);
    Act(s, "generate_lead",
        {Str("form_name", "webinar_registration"), Str("webinar", std::string(kFreeWebinar))}, 30,
        150);
    p_.registered_at = s.t;
    s.t += r_.Between(0, 999'999);
    Emit(s, "sign_up", s.last_url, {Str("session_engaged", "1"), Str("method", "email")});
  }

  // Checkout for one course; returns true when it ends in a purchase.
  bool Checkout(Session& s, std::string_view course, bool pro, bool completes) {
    const bool smm = course == "smm";
    const double price = smm && pro ? 890.0 : 490.0;
    const std::string query =
        "?course=" + std::string(course) + (smm ? (pro ? "&plan=pro" : "&plan=basic") : "");
    Page(s, "/checkout" + query, "Checkout | Online School", 0.0);
    Act(s, "begin_checkout", {Str("currency", "EUR"), Dbl("value", price)}, 3, 20);
    if (!completes && r_.Chance(0.4)) return false;
    Act(s, "add_payment_info",
        {Str("currency", "EUR"), Dbl("value", price),
         Str("payment_type", r_.Chance(0.7) ? "card" : "paypal")},
        40, 240);
    if (!completes) return false;
    Order order;
    order.transaction_id = "T-" + std::to_string(out_.next_order++);
    order.item_id = smm ? (pro ? "smm-course-pro" : "smm-course-basic") : "targeted-ads-course";
    order.item_name = smm ? (pro ? "SMM Course Pro" : "SMM Course Basic") : "Targeted Ads Course";
    order.variant = smm ? (pro ? "pro" : "basic") : "standard";
    order.price = price;
    Page(s, "/checkout/thank-you?order=" + order.transaction_id + "&course=" + std::string(course),
         "Thank you for your order | Online School", 0.0);
    s.t += r_.Between(0, 999'999);
    GaEvent& e = Emit(s, "purchase", s.last_url,
                      {Str("session_engaged", "1"), Str("transaction_id", order.transaction_id),
                       Dbl("value", price), Str("currency", "EUR")});
    e.order = order;
    return true;
  }

  // An e-mail click: a session landing on `path` with the campaign's UTM parameters.
  Session EmailClick(int device, i64 sent, std::string campaign) {
    const i64 t = sent + r_.Seconds(3 * 60, 8 * 3600);
    if (out_.InWindow(t)) out_.mail.push_back({campaign, p_.email, sent, t});
    return Start(device, t, Email(std::move(campaign)));
  }

  std::string Messy(std::string_view email) {
    std::string e(email);
    const std::size_t kind = r_.Weighted({55, 20, 8, 9, 8});
    if (kind == 1) {
      e[0] = Upper(std::string(1, e[0]))[0];
      const auto at = e.find('@');
      if (at + 1 < e.size()) e[at + 1] = Upper(std::string(1, e[at + 1]))[0];
    } else if (kind == 2) {
      e = Upper(e);
    } else if (kind == 3) {
      e = " " + e;
    } else if (kind == 4) {
      e += "  ";
    }
    return e;
  }

  void WebinarRow(i64 at, std::string_view webinar, i64 minutes) {
    out_.Add(out_.webinar, at,
             CsvField(Messy(p_.email)) + "," + p_.user_id + "," + IsoUtc(at) + "," +
                 std::string(webinar) + "," + std::to_string(minutes));
  }

  Person& p_;
  Random& r_;
  Output& out_;
};

Acquisition FirstAcquisition(FirstTouch ft, Random& r, std::string& referrer) {
  switch (ft) {
    case FirstTouch::kMeta: {
      const bool insta = r.Chance(0.45);
      referrer = insta ? "https://l.instagram.com/" : "https://l.facebook.com/";
      return {insta ? "instagram" : "facebook", r.Chance(0.8) ? "paid_social" : "cpc",
              "smm_course_autumn", "", ""};
    }
    case FirstTouch::kGoogle: {
      static constexpr std::string_view kAlnum =
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
      std::string gclid = "Cj0KCQjw";
      for (int i = 0; i < 40; ++i) gclid += kAlnum[r.Below(kAlnum.size())];
      referrer = "https://www.google.com/";
      static constexpr std::array<std::string_view, 4> kTerms{"smm course", "smm course online",
                                                              "social media marketing course",
                                                              "smm training for beginners"};
      return {"google", "cpc", "smm_course_autumn", std::string(r.Pick(kTerms)), gclid};
    }
    case FirstTouch::kOrganic: {
      const bool bing = r.Chance(0.12);
      referrer = bing ? "https://www.bing.com/" : "https://www.google.com/";
      return {bing ? "bing" : "google", "organic", "(organic)", "(not provided)", ""};
    }
    case FirstTouch::kNewsletter:
      referrer.clear();
      return Email("autumn_digest");
  }
  return {};
}

constexpr std::array<std::string_view, 14> kFirstNames{
    "anna", "lukas", "marie", "jonas", "sofia",  "elias",  "lena",
    "noah", "mia",   "felix", "julia", "tomasz", "chiara", "pablo"};
constexpr std::array<std::string_view, 14> kLastNames{
    "schmidt", "muller",   "weber", "fischer", "wagner", "becker", "hoffmann",
    "jansen",  "kowalski", "rossi", "garcia",  "martin", "bauer",  "novak"};
constexpr std::array<std::string_view, 5> kDomains{"example.com", "example.org", "example.net",
                                                   "mail.example", "inbox.example"};

constexpr std::array<std::string_view, 6> kPromoterComments{
    "Loved it, clear and practical",
    "Got my first paying client in week 5!",
    "The \"content plan\" template alone was worth the money",
    "Great mentors, fast homework feedback",
    "",
    "Structured, honest, no fluff. Recommended it to two friends",
};
constexpr std::array<std::string_view, 5> kPassiveComments{
    "Good, but some lessons are too long", "OK overall; homework feedback could be faster",
    "Useful, though a bit basic for me",   "",
    "Fine. Would like more on TikTok",
};
constexpr std::array<std::string_view, 7> kDetractorComments{
    "Too fast for a beginner, I got lost after module 2",
    "Support took 3 days to answer, not OK",
    "Video kept freezing (\"buffering...\") on every lesson",
    "Expected more on paid ads, felt like the free webinar again",
    "I asked for a refund, still waiting",
    "",
    "Too much homework.\nNo time with a full-time job",
};

constexpr std::array<std::string_view, 6> kPostSaleTopics{"lesson access",   "video playback",
                                                          "homework review", "certificate",
                                                          "invoice",         "refund request"};
constexpr std::array<std::string_view, 2> kPreSaleTopics{"payment options",
                                                         "course content question"};

void SupportRow(Person& p, Random& r, Output& out, i64 day_start, std::string_view topic,
                bool phone) {
  const i64 at =
      day_start +
      (phone ? r.Between(9 * 3600, 18 * 3600) : r.Between(7 * 3600, 23 * 3600 - 1)) * kSecond;
  out.Add(out.support, at,
          p.user_id + "," + IsoUtc(at) + "," + CsvField(topic) + "," + (phone ? "phone" : "chat"));
  if (!p.user_id.empty() && out.InWindow(at - 15 * kMinute)) {
    out.help.push_back({p.index, p.user_id, at - 15 * kMinute, std::string(topic)});
  }
}

// Lesson pages over the weeks after the course starts; returns the number of lessons done.
int Learn(JourneyBuilder& b, std::string_view course, i64 course_start, int max_lessons,
          double weekly, double decay, int weeks) {
  Person& p = b.p_;
  Random& r = b.r_;
  const std::string title_course = course == "smm" ? "SMM course" : "Targeted Ads course";
  int done = 0;
  bool logged_in[2] = {false, false};
  double active = weekly;
  for (int week = 0; week < weeks && done < max_lessons; ++week, active *= decay) {
    if (!r.Chance(active)) {
      if (r.Chance(0.6)) break;  // one quiet week usually means they stopped
      continue;
    }
    const i64 sessions = r.Between(1, 3);
    for (i64 k = 0; k < sessions && done < max_lessons; ++k) {
      const int device = p.devices.size() > 1 && r.Chance(0.4) ? 1 : 0;
      const i64 day = course_start + week * 7 * kDay + r.Between(0, 6) * kDay;
      JourneyBuilder::Session s = b.Start(device, FloorDiv(day, kDay) * kDay + TimeOfDay(r), {});
      const std::string base = std::string(kLearn) + "/courses/" + std::string(course);
      if (!logged_in[device]) {
        b.Page(s, base, "My courses | " + title_course, 0.0);
        b.Act(s, "login", {Str("method", "email")});
        logged_in[device] = true;
      }
      const i64 lessons = r.Between(1, 3);
      for (i64 l = 0; l < lessons && done < max_lessons; ++l, ++done) {
        const int module = done / 4 + 1;
        const int lesson = done % 4 + 1;
        b.Page(s, base + "/module-" + std::to_string(module) + "/lesson-" + std::to_string(lesson),
               "Module " + std::to_string(module) + ", lesson " + std::to_string(lesson) + " | " +
                   title_course,
               0.1);
        if (r.Chance(0.6)) {
          b.Act(s, "video_complete",
                {Str("video_title",
                     "Module " + std::to_string(module) + " lesson " + std::to_string(lesson)),
                 Str("video_provider", "vimeo"), Int("video_percent", 100)},
                5 * 60, 25 * 60);
        }
      }
    }
  }
  return done;
}

void AfterPurchase(JourneyBuilder& b, i64 purchased_at, bool pro) {
  Person& p = b.p_;
  Random& r = b.r_;
  Output& out = b.out_;
  const Persona persona = p.persona;

  // A second device (phone or laptop) used on the learning platform, joined by the login's user_id.
  if (r.Chance(0.15)) {
    const bool mobile_first = std::string_view(p.devices[0].profile.category) != "desktop";
    Device d;
    d.profile = mobile_first ? r.Pick(kDesktops) : r.Pick(kMobiles);
    p.devices.push_back(d);
  }

  const i64 course_start = NextWeekly(purchased_at + kDay, 1, 0);  // courses start on Mondays
  if (r.Chance(By(persona, 0.55, 0.6, 0.7))) {
    const i64 at = course_start + 17 * kHour + r.Between(0, 9 * 60) * kSecond;
    b.WebinarRow(at, kOnboardingWebinar, r.Between(15, 60));
  }
  const int lessons = Learn(b, "smm", course_start, pro ? 32 : 24, By(persona, 0.75, 0.85, 0.92),
                            By(persona, 0.78, 0.88, 0.94), 8);

  // Support tickets: beginners need help most; small-business owners like the phone.
  int tickets = 0;
  bool refund = false;
  const std::size_t count =
      r.Weighted({By(persona, 0.50, 0.66, 0.82), By(persona, 0.36, 0.27, 0.15),
                  By(persona, 0.14, 0.07, 0.03)});
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view topic =
        kPostSaleTopics[r.Weighted({20, 22, 20, 8, 10, By(persona, 14.0, 8.0, 4.0)})];
    if (lessons < 4 && r.Chance(0.3)) topic = "refund request";
    refund = refund || topic == "refund request";
    const i64 day = FloorDiv(purchased_at, kDay) * kDay + r.Between(1, 30) * kDay;
    SupportRow(p, r, out, day, topic, r.Chance(By(persona, 0.35, 0.5, 0.2)));
    ++tickets;
  }

  // NPS two weeks after purchase: persona, support trouble and progress move the score.
  double mean = By(persona, 7.3, 8.1, 8.7) - 1.1 * tickets - (refund ? 2.5 : 0.0);
  if (lessons >= 12) mean += 0.7;
  if (lessons < 4) mean -= 1.2;
  double noise = r.Unit();  // one draw per statement: the order of operands is unspecified
  noise += r.Unit();
  noise += r.Unit();
  noise = (noise - 1.5) * 2.2;
  const int score = std::clamp(static_cast<int>(mean + noise + 0.5), 0, 10);
  const i64 survey_sent = FloorDiv(purchased_at, kDay) * kDay + 14 * kDay + 9 * kHour;
  if (r.Chance(score <= 6 ? 0.6 : 0.5)) {
    const i64 at = survey_sent + r.Between(10 * 60, 4 * 86400) * kSecond;
    std::string_view comment = score >= 9   ? r.Pick(kPromoterComments)
                               : score >= 7 ? r.Pick(kPassiveComments)
                                            : r.Pick(kDetractorComments);
    if (refund && score <= 6 && r.Chance(0.5)) comment = "I asked for a refund, still waiting";
    out.Add(out.nps, at,
            CsvField(b.Messy(p.email)) + "," + IsoUtc(at) + "," + std::to_string(score) + "," +
                CsvField(comment));
  }

  // Reviews: happy students and angry ones write them.
  const double review_p = score >= 9 ? 0.22 : score <= 4 ? 0.12 : 0.04;
  if (r.Chance(review_p)) {
    const i64 day = survey_sent + r.Between(1, 10) * kDay;
    JourneyBuilder::Session s = b.Start(0, FloorDiv(day, kDay) * kDay + TimeOfDay(r), {});
    b.Page(s, "/reviews/new?course=smm", "Write a review | Online School", 0.0);
    const i64 stars = score >= 9 ? r.Between(4, 5) : score >= 7 ? r.Between(3, 4) : r.Between(1, 2);
    b.Act(s, "review_submitted", {Str("course", "smm"), Int("rating", stars)}, 60, 400);
    if (out.InWindow(s.t)) out.reviews.push_back({p.index, p.email, s.t, stars});
  }

  // The second course: an upsell e-mail three weeks after purchase.
  if (refund) return;
  const double second_p = (score >= 9   ? 0.28
                           : score >= 7 ? 0.1
                                        : 0.02) *
                          By(persona, 0.5, 1.0, 1.4);
  if (r.Chance(second_p)) {
    const i64 sent = FloorDiv(purchased_at, kDay) * kDay + 21 * kDay + 10 * kHour;
    JourneyBuilder::Session s = b.EmailClick(0, sent, "upsell_targeted_ads");
    b.Page(s, "/courses/targeted-ads", "Targeted Ads course | Online School", 0.6);
    b.Checkout(s, "targeted-ads", false, true);
    Learn(b, "targeted-ads", NextWeekly(s.t + kDay, 1, 0), 16, 0.85, 0.9, 4);
  }
}

void SimulatePerson(Person& p, Random& r, Output& out, i64 start, int days) {
  JourneyBuilder b(p, r, out);
  const Persona persona = p.persona;
  const FirstTouch ft = p.first_touch;
  const bool meta = ft == FirstTouch::kMeta;

  // Meta traffic is mostly phones; marketers browse from laptops more.
  Device first;
  const double mobile = meta ? 0.82 : By(persona, 0.6, 0.55, 0.35);
  first.profile = r.Chance(mobile) ? r.Pick(kMobiles) : r.Pick(kDesktops);
  p.devices.push_back(first);

  const int arrival_days = std::max(1, days * 3 / 5);  // leave the late arrivals time to convert
  const i64 arrival_day = start + r.Between(0, arrival_days - 1) * kDay;
  const i64 t0 = arrival_day + TimeOfDay(r);
  std::string referrer;
  Acquisition acq = FirstAcquisition(ft, r, referrer);
  JourneyBuilder::Session s = b.Start(0, t0, acq, referrer);
  if (ft == FirstTouch::kOrganic && r.Chance(0.4)) {
    const PageInfo& page = kContentPages[r.Below(4)];  // organic visitors often land on a blog post
    b.Page(s, page.path, page.title, 0.6);
  }
  b.Page(s, "/courses/smm", kLandingTitle, By(persona, 0.55, 0.65, 0.75));
  if (r.Chance(By(persona, 0.15, 0.2, 0.3))) b.Browse(s, static_cast<int>(r.Between(1, 3)));

  const double channel_reg = meta                         ? 1.15
                             : ft == FirstTouch::kGoogle  ? 0.9
                             : ft == FirstTouch::kOrganic ? 0.8
                                                          : 1.3;
  const bool registers = r.Chance(By(persona, 0.19, 0.16, 0.15) * channel_reg);
  const bool impatient_buyer = !registers && r.Chance(By(persona, 0.002, 0.006, 0.015));

  if (!registers) {
    if (!impatient_buyer && !r.Chance(0.25)) return;  // most visitors never come back
    const i64 back = s.t + r.Between(1, 10) * kDay;
    JourneyBuilder::Session again = b.Start(0, FloorDiv(back, kDay) * kDay + TimeOfDay(r), {});
    if (r.Chance(0.5)) b.Page(again, "/", "Online School: courses in digital marketing", 0.2);
    b.Page(again, "/courses/smm", kLandingTitle, 0.5);
    if (r.Chance(0.4)) b.Browse(again, static_cast<int>(r.Between(1, 2)));
    if (!impatient_buyer) return;
    // Buys without the webinar: the account is created at checkout.
    const bool pro = r.Chance(By(persona, 0.2, 0.45, 0.6));
    b.Page(again, "/checkout?course=smm", "Checkout | Online School", 0.0);
    b.Act(again, "sign_up", {Str("method", "checkout")}, 20, 90);
    p.registered_at = again.t;
    const i64 at = again.t;
    if (b.Checkout(again, "smm", pro, true)) AfterPurchase(b, at, pro);
    return;
  }

  // Registration for the free webinar: right away, or on a later visit.
  if (r.Chance(0.45)) {
    b.Register(s);
  } else {
    const i64 back = s.t + r.Between(1, 6) * kDay;
    Acquisition via;
    std::string via_referrer;
    if (meta && r.Chance(0.35)) {
      via = {p.devices[0].first_acquisition.source, "paid_social", "smm_retargeting", "", ""};
      via_referrer =
          via.source == "instagram" ? "https://l.instagram.com/" : "https://l.facebook.com/";
    } else if (ft == FirstTouch::kNewsletter) {
      via = Email("autumn_digest");
    }
    JourneyBuilder::Session again =
        b.Start(0, FloorDiv(back, kDay) * kDay + TimeOfDay(r), via, via_referrer);
    b.Page(again, "/courses/smm", kLandingTitle, 0.3);
    if (r.Chance(0.3)) b.Browse(again, 1);
    b.Register(again);
  }

  const i64 registered = p.registered_at;
  const i64 webinar =
      NextWeekly(registered + 12 * kHour, 4, 18);  // the free webinar: Thursdays 18:00 UTC
  const bool attends = r.Chance(By(persona, 0.45, 0.55, 0.6) * (meta ? 0.85 : 1.0));

  // The pain point: beginners and Meta-ads leads rarely buy, and rarely within a week.
  const double channel_buy = meta                         ? 0.6
                             : ft == FirstTouch::kGoogle  ? 1.0
                             : ft == FirstTouch::kOrganic ? 1.15
                                                          : 1.3;
  const double buy_p =
      (attends ? By(persona, 0.12, 0.33, 0.48) : By(persona, 0.02, 0.07, 0.12)) * channel_buy;
  const bool buys = r.Chance(buy_p);
  const bool abandons = !buys && r.Chance(By(persona, 0.06, 0.12, 0.14));
  const bool pro = r.Chance(By(persona, 0.2, 0.45, 0.6));

  // E-mail series after registration: reminder, recording, offer, last chance.
  const i64 reminder_sent = std::max(registered + kHour, webinar - 8 * kHour);
  const i64 recording_sent = FloorDiv(webinar, kDay) * kDay + kDay + 10 * kHour;
  const i64 offer_sent = recording_sent + 2 * kDay;
  const i64 last_chance_sent = recording_sent + 5 * kDay;
  if (r.Chance(0.22)) {
    JourneyBuilder::Session e = b.EmailClick(0, reminder_sent, "webinar_reminder");
    if (e.t < webinar) b.Page(e, "/webinar/room", "Webinar room | Online School", 0.0);
  }
  if (attends) {
    JourneyBuilder::Session room = b.Start(0, webinar - r.Between(0, 10 * 60) * kSecond, {});
    b.Page(room, "/webinar/room", "Webinar room | Online School", 0.0);
    const i64 minutes = buys ? r.Between(45, 95) : r.Between(5, 90);
    b.WebinarRow(webinar + r.Between(0, 12 * 60) * kSecond, kFreeWebinar, minutes);
  }
  if (r.Chance(attends ? 0.1 : 0.28)) {
    JourneyBuilder::Session e = b.EmailClick(0, recording_sent, "webinar_recording");
    b.Page(e, "/webinar/recording", "Webinar recording | Online School", 0.3);
  }
  if (r.Chance(0.08)) {  // a question before buying, by chat or phone
    const i64 day = FloorDiv(webinar, kDay) * kDay + r.Between(0, 5) * kDay;
    const std::string_view topic = r.Pick(kPreSaleTopics);
    SupportRow(p, r, out, day, topic, r.Chance(0.6));
  }

  const std::size_t path = r.Weighted({attends ? 0.5 : 0.0, 0.3, 0.2, 0.15});
  if (buys || abandons) {
    JourneyBuilder::Session c;
    if (path == 0) {  // straight from the webinar's closing link
      c = b.Start(0, webinar + r.Between(80, 130) * kMinute, {});
    } else if (path == 1) {
      c = b.EmailClick(0, offer_sent, "smm_offer");
      b.Page(c, "/courses/smm", kLandingTitle, 0.3);
    } else if (path == 2) {
      c = b.EmailClick(0, last_chance_sent, "smm_last_chance");
      b.Page(c, "/courses/smm", kLandingTitle, 0.3);
    } else {
      const i64 day = FloorDiv(webinar, kDay) * kDay + r.Between(2, 14) * kDay;
      c = b.Start(0, day + TimeOfDay(r), {});
      b.Page(c, "/courses/smm", kLandingTitle, 0.3);
    }
    const i64 at = c.t;
    if (b.Checkout(c, "smm", pro, buys)) AfterPurchase(b, at, pro);
  } else {
    if (r.Chance(0.15)) {
      JourneyBuilder::Session e = b.EmailClick(0, offer_sent, "smm_offer");
      b.Page(e, "/courses/smm", kLandingTitle, 0.4);
    }
    if (r.Chance(0.08)) {
      JourneyBuilder::Session e = b.EmailClick(0, last_chance_sent, "smm_last_chance");
      b.Page(e, "/courses/smm", kLandingTitle, 0.4);
    }
  }
}

Person MakePerson(int index, Random& r) {
  Person p;
  p.index = index;
  p.persona = static_cast<Persona>(r.Weighted({0.45, 0.30, 0.25}));
  p.first_touch = static_cast<FirstTouch>(
      r.Weighted({By(p.persona, 0.50, 0.40, 0.25), By(p.persona, 0.20, 0.30, 0.30),
                  By(p.persona, 0.20, 0.18, 0.25), By(p.persona, 0.10, 0.12, 0.20)}));
  p.geo = kGeos[r.Weighted({16, 10, 8, 10, 8, 12, 9, 9, 9, 9})];
  const std::string first(r.Pick(kFirstNames)), last(r.Pick(kLastNames));
  const std::string n = std::to_string(index + 1);
  const std::size_t style = r.Weighted({50, 30, 20});
  const std::string local = style == 0   ? first + "." + last + n
                            : style == 1 ? first + last + n
                                         : first.substr(0, 1) + "." + last + n;
  p.email = local + "@" + std::string(r.Pick(kDomains));
  p.user_id = "u-" + n;
  return p;
}

// Crawlers that run JavaScript: a burst of page views, no campaign, no user_id.
void SimulateBot(Person& p, Random& r, i64 start, int days) {
  p.bot = true;
  p.geo = kBotGeo;
  Device d;
  d.profile = kBotDevice;
  p.devices.push_back(d);
  JourneyBuilder::Session s{0, 0, 0, {}, "", "", false};
  Output unused;
  JourneyBuilder b(p, r, unused);
  const i64 day = start + r.Between(0, days - 1) * kDay;
  s.t = s.start = day + r.Seconds(0, 86'399);
  const i64 pages = r.Between(4, 18);
  for (i64 i = 0; i < pages; ++i) {
    const std::size_t pick = r.Below(4);
    if (pick == 0) {
      b.Page(s, "/", "Online School: courses in digital marketing", 0.0);
    } else if (pick == 1) {
      b.Page(s, "/courses/smm", kLandingTitle, 0.0);
    } else if (pick == 2) {
      b.Page(s, "/webinar/register", "Free webinar: SMM from zero | Online School", 0.0);
    } else {
      const PageInfo& page = r.Pick(kContentPages);
      b.Page(s, page.path, page.title, 0.0);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Command line and files

struct Options {
  std::filesystem::path out;
  int people = 3000;
  u64 seed = 42;
  int days = 56;
  i64 start_day = 0;
  std::filesystem::path api_fixtures;  // --api-fixtures DIR: also write the APIs' records
};

bool ParseInt(std::string_view s, long long& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ParseDate(std::string_view s, i64& day) {
  long long y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !ParseInt(s.substr(0, 4), y) ||
      !ParseInt(s.substr(5, 2), m) || !ParseInt(s.substr(8, 2), d) || y < 1970 || m < 1 || m > 12 ||
      d < 1 || d > 31) {
    return false;
  }
  day = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  const Civil back = CivilFromDays(day);
  return back.year == y && back.month == m && back.day == d;  // rejects 2026-02-30
}

constexpr std::string_view kUsage =
    "usage: online-school-generate --out DIR [--people N (3000)] [--seed S (42)] [--days D (56)]\n"
    "                              [--start YYYY-MM-DD (2026-09-01)] [--api-fixtures DIR]\n"
    "Writes DIR/ga4/events_YYYYMMDD.ndjson, DIR/webinar_attendance.csv, DIR/nps_survey.csv and\n"
    "DIR/support_tickets.csv for the online-school demo. Same arguments, same bytes.\n"
    "--api-fixtures DIR also writes the records the demo's Mailchimp, Trustpilot, Google and\n"
    "Matomo accounts hold (scripts/record-demo-cassettes.sh serves them from mock APIs).\n";

std::optional<Options> ParseArgs(int argc, char** argv) {
  Options o;
  ParseDate("2026-09-01", o.start_day);
  bool have_out = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::cerr << "online-school-generate: " << arg << " needs a value\n" << kUsage;
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    long long n = 0;
    if (arg == "--out") {
      o.out = std::filesystem::path(std::string(value));
      have_out = true;
    } else if (arg == "--people" && ParseInt(value, n) && n >= 1 && n <= 10'000'000) {
      o.people = static_cast<int>(n);
    } else if (arg == "--seed" && ParseInt(value, n) && n >= 0) {
      o.seed = static_cast<u64>(n);
    } else if (arg == "--days" && ParseInt(value, n) && n >= 1 && n <= 3660) {
      o.days = static_cast<int>(n);
    } else if (arg == "--start" && ParseDate(value, o.start_day)) {
    } else if (arg == "--api-fixtures") {
      o.api_fixtures = std::filesystem::path(std::string(value));
    } else {
      std::cerr << "online-school-generate: bad option or value: " << arg << " " << value << "\n"
                << kUsage;
      return std::nullopt;
    }
  }
  if (!have_out) {
    std::cerr << "online-school-generate: --out DIR is required\n" << kUsage;
    return std::nullopt;
  }
  return o;
}

using Rows = std::vector<std::pair<std::pair<i64, u64>, std::string>>;

// ---------------------------------------------------------------------------------------
// API fixtures: the records the demo's Mailchimp, Trustpilot, Google Business Profile and
// Matomo accounts hold, in each API's own item format (docs: ../../../shared is not shipped;
// see plugins/<name>/README.md). Only scripts/record-demo-cassettes.sh reads them.

std::string Hex(u64 v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kHex[v & 15];
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Q(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// "2026-09-03T10:15:00+00:00", as Mailchimp writes times.
std::string IsoOffset(i64 us) { return IsoUtc(us).substr(0, 19) + "+00:00"; }

constexpr std::array<std::string_view, 5> kPraiseTitles{"Worth every cent",
                                                        "Finally understood SMM", "Great mentors",
                                                        "Practical and clear", "Recommended"};
constexpr std::array<std::string_view, 5> kPraiseTexts{
    "The homework reviews were detailed and the community is active.",
    "Clear lessons, real cases, and I got my first client during the course.",
    "Mentors answered within a day. Good structure.",
    "Short videos, useful templates, nothing wasted.",
    "I came for the webinar and stayed for the course. Very practical."};
constexpr std::array<std::string_view, 5> kMixedTitles{"Good content, slow support",
                                                       "OK but pricey", "Decent",
                                                       "Some lessons outdated", "Mostly fine"};
constexpr std::array<std::string_view, 5> kMixedTexts{
    "Content is good but support took days to answer about my certificate.",
    "Solid basics, but the price is high for what you get.",
    "Useful, though some videos would not play on my phone.",
    "A few lessons are outdated, the rest is fine.",
    "Fine course, the platform is slow in the evening."};
constexpr std::array<std::string_view, 5> kAngryTitles{
    "Still waiting for my refund", "Videos do not play", "Disappointed", "Support never answers",
    "Not for beginners"};
constexpr std::array<std::string_view, 5> kAngryTexts{
    "I asked for a refund two weeks ago and nobody answered.",
    "Half of the videos do not load and support is slow.",
    "Expected much more after the webinar. Very disappointing.",
    "Three tickets, no answer. Terrible support.",
    "Too fast for beginners, I was lost after week one."};

bool WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) std::cerr << "online-school-generate: cannot write " << path.string() << "\n";
  return static_cast<bool>(f);
}

bool WriteApiFixtures(const Output& out, const std::filesystem::path& dir, u64 seed) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto h = [seed](u64 a, u64 b) {
    return SplitMix64(seed * 0x51ed27ULL ^ SplitMix64(a ^ (b << 1)));
  };

  // Mailchimp: one campaign per e-mail (the school sends them as automations; the demo
  // account reports them as campaigns), with each member's open and click.
  std::map<std::string, std::pair<i64, std::string>> campaigns;  // name → (first send, id)
  for (const MailClick& m : out.mail) {
    auto& c = campaigns[m.campaign];
    if (c.second.empty()) c = {m.sent, Hex(h(std::hash<std::string>{}(m.campaign), 1), 10)};
    c.first = std::min(c.first, m.sent);
  }
  std::string camp = "[";
  for (const auto& [name, c] : campaigns) {
    if (camp.size() > 1) camp += ",\n";
    camp +=
        "{\"id\":" + Q(c.second) +
        ",\"web_id\":" + std::to_string(h(c.first, 2) % 900000 + 100000) +
        ",\"type\":\"regular\",\"status\":\"sent\",\"send_time\":" + Q(IsoOffset(c.first)) +
        ",\"recipients\":{\"list_id\":\"10c097ca71\",\"list_name\":\"Online School students\"}" +
        ",\"settings\":{\"title\":" + Q(name) + ",\"subject_line\":" + Q("Online School: " + name) +
        "}}";
  }
  camp += "]\n";
  std::map<std::pair<std::string, std::string>, std::vector<const MailClick*>> members;
  for (const MailClick& m : out.mail) members[{m.campaign, Lower(m.email)}].push_back(&m);
  std::string act = "[";
  for (const auto& [key, clicks] : members) {
    if (act.size() > 1) act += ",\n";
    const std::string& id = campaigns[key.first].second;
    act += "{\"campaign_id\":" + Q(id) + ",\"list_id\":\"10c097ca71\",\"list_is_active\":true," +
           "\"email_id\":" +
           Q(Hex(h(std::hash<std::string>{}(key.second), 3), 16) +
             Hex(h(std::hash<std::string>{}(key.second), 4), 16)) +
           ",\"email_address\":" + Q(key.second) + ",\"activity\":[";
    bool first = true;
    for (const MailClick* m : clicks) {
      const i64 open =
          m->clicked - static_cast<i64>(h(static_cast<u64>(m->clicked), 5) % 300 + 20) * kSecond;
      const std::string ip =
          "198.51.100." + std::to_string(h(static_cast<u64>(m->sent), 6) % 250 + 1);
      act += std::string(first ? "" : ",") +
             "{\"action\":\"open\",\"timestamp\":" + Q(IsoOffset(open)) + ",\"ip\":" + Q(ip) +
             "},{\"action\":\"click\",\"timestamp\":" + Q(IsoOffset(m->clicked)) + ",\"url\":" +
             Q(std::string(kSite) +
               "/?utm_source=newsletter&utm_medium=email&utm_campaign=" + m->campaign) +
             ",\"ip\":" + Q(ip) + "}";
      first = false;
    }
    act += "]}";
  }
  act += "]\n";

  // Trustpilot (invited reviews, so the private API knows the reviewer's e-mail) and Google
  // (anonymous): the reviews students wrote, and how long the school took to reply.
  std::string tp = "[", gr = "[";
  for (const ReviewRecord& rv : out.reviews) {
    const u64 k = h(static_cast<u64>(rv.person), static_cast<u64>(rv.at));
    const auto pick = [&](const auto& a) { return a[k % a.size()]; };
    const bool praise = rv.stars >= 4, angry = rv.stars <= 2;
    const std::string_view title = praise  ? pick(kPraiseTitles)
                                   : angry ? pick(kAngryTitles)
                                           : pick(kMixedTitles);
    const std::string_view text = praise  ? pick(kPraiseTexts)
                                  : angry ? pick(kAngryTexts)
                                          : pick(kMixedTexts);
    // Replies: most praise gets a same-day thank-you; complaints wait days.
    const bool replied = (k >> 8) % 10 < (praise ? 8u : 6u);
    const i64 delay = (praise ? static_cast<i64>((k >> 16) % 20 + 1) * kHour
                              : static_cast<i64>((k >> 16) % 9 + 2) * kDay);
    if (tp.size() > 1) tp += ",\n";
    tp += "{\"id\":" + Q(Hex(k, 16) + Hex(k >> 13, 8)) +
          ",\"consumer\":{\"id\":" + Q(Hex(k >> 3, 24)) +
          ",\"displayName\":" + Q("Student " + std::to_string(rv.person)) +
          ",\"displayLocation\":null,\"numberOfReviews\":" + std::to_string(k % 4 + 1) +
          "},\"businessUnit\":{\"id\":\"5d2b94b915dd0c0001cab136\",\"identifyingName\":\"school."
          "example.com\"}" +
          ",\"stars\":" + std::to_string(rv.stars) + ",\"title\":" + Q(title) +
          ",\"text\":" + Q(text) + ",\"language\":\"en\",\"createdAt\":" + Q(IsoUtc(rv.at)) +
          ",\"updatedAt\":null" + ",\"experiencedAt\":" + Q(IsoUtc(rv.at - kDay)) +
          ",\"referralEmail\":" + Q(Lower(rv.email)) + ",\"source\":\"AFSv2\",\"companyReply\":" +
          (replied ? "{\"text\":\"Thank you for your feedback!\",\"createdAt\":" +
                         Q(IsoUtc(rv.at + delay)) + ",\"updatedAt\":null}"
                   : std::string("null")) +
          ",\"isVerified\":true,\"status\":\"active\"}";
    if (k % 3 != 0) continue;  // a third also post on Google
    static constexpr std::array<std::string_view, 6> kStars{
        "STAR_RATING_UNSPECIFIED", "ONE", "TWO", "THREE", "FOUR", "FIVE"};
    const i64 at = rv.at + static_cast<i64>(k % 48 + 1) * kHour;
    const std::string id = "AbF" + Hex(k >> 5, 12);
    if (gr.size() > 1) gr += ",\n";
    gr += "{\"name\":" + Q("accounts/1122334455/locations/9988776655/reviews/" + id) +
          ",\"reviewId\":" + Q(id) +
          ",\"reviewer\":{\"displayName\":\"A Google User\",\"isAnonymous\":true}" +
          ",\"starRating\":" + Q(kStars[static_cast<std::size_t>(rv.stars)]) +
          ",\"comment\":" + Q(text) + ",\"createTime\":" + Q(IsoUtc(at)) +
          ",\"updateTime\":" + Q(IsoUtc(at)) +
          (replied ? ",\"reviewReply\":{\"comment\":\"Thanks for the review!\",\"updateTime\":" +
                         Q(IsoUtc(at + delay)) + "}"
                   : std::string()) +
          "}";
  }
  tp += "]\n";
  gr += "]\n";

  // Matomo tracks the help centre (help.school.example.com): logged-in students read an
  // article or two before they open a ticket. The video-playback article loads slowly.
  std::string mv = "[";
  int visit_id = 5000;
  for (const HelpVisit& v : out.help) {
    const u64 k = h(static_cast<u64>(v.person), static_cast<u64>(v.at));
    std::string slug = v.topic;
    for (char& c : slug) c = c == ' ' ? '-' : c;
    const i64 t0 = v.at / kSecond;
    const bool slow = v.topic == "video playback" || v.topic == "lesson access";
    const i64 load1 = slow ? static_cast<i64>(k % 3000 + 3500) : static_cast<i64>(k % 600 + 250);
    const i64 spent = static_cast<i64>(k % 200 + 30);
    const std::string base = "https://help.school.example.com";
    if (mv.size() > 1) mv += ",\n";
    mv +=
        "{\"idSite\":\"1\",\"idVisit\":" + Q(std::to_string(++visit_id)) +
        ",\"visitorId\":" + Q(Hex(h(static_cast<u64>(v.person), 7), 16)) +
        ",\"userId\":" + Q(v.user_id) +
        ",\"visitorType\":\"returning\",\"referrerType\":\"direct\",\"referrerTypeName\":\"Direct "
        "Entry\"" +
        ",\"referrerName\":\"\",\"serverTimestamp\":" + std::to_string(t0 + spent + 40) +
        ",\"firstActionTimestamp\":" + std::to_string(t0) +
        ",\"lastActionTimestamp\":" + std::to_string(t0 + spent) +
        ",\"visitDuration\":" + Q(std::to_string(spent + 40)) +
        ",\"actions\":\"2\",\"deviceType\":\"Desktop\",\"countryCode\":\"de\",\"actionDetails\":[" +
        "{\"type\":\"action\",\"url\":" + Q(base + "/") + ",\"pageTitle\":\"Help centre\"" +
        ",\"pageIdAction\":\"11\",\"idpageview\":" + Q(Hex(k, 6)) + ",\"timeSpent\":\"40\"" +
        ",\"pageLoadTimeMilliseconds\":" + Q(std::to_string(k % 300 + 200)) +
        ",\"pageviewPosition\":\"1\",\"timestamp\":" + std::to_string(t0) + "}," +
        "{\"type\":\"action\",\"url\":" + Q(base + "/articles/" + slug) +
        ",\"pageTitle\":" + Q("Help: " + v.topic) +
        ",\"pageIdAction\":\"12\",\"idpageview\":" + Q(Hex(k >> 24, 6)) +
        ",\"timeSpent\":" + Q(std::to_string(spent)) +
        ",\"pageLoadTimeMilliseconds\":" + Q(std::to_string(load1)) +
        ",\"pageviewPosition\":\"2\",\"timestamp\":" + std::to_string(t0 + 40) + "}]}";
  }
  mv += "]\n";
  return WriteText(dir / "mailchimp-campaigns.json", camp) &&
         WriteText(dir / "mailchimp-email-activity.json", act) &&
         WriteText(dir / "trustpilot-reviews.json", tp) &&
         WriteText(dir / "google-reviews.json", gr) && WriteText(dir / "matomo-visits.json", mv);
}

bool WriteFile(const std::filesystem::path& path, std::string_view header, Rows& rows) {
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    std::cerr << "online-school-generate: cannot write " << path.string() << "\n";
    return false;
  }
  if (!header.empty()) f << header << '\n';
  for (const auto& row : rows) f << row.second << '\n';
  f.flush();
  if (!f) {
    std::cerr << "online-school-generate: write failed: " << path.string() << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> parsed = ParseArgs(argc, argv);
  if (!parsed) return 2;
  const Options& opt = *parsed;

  Output out;
  out.start = opt.start_day * kDay;
  out.end = out.start + static_cast<i64>(opt.days) * kDay;
  out.days.resize(static_cast<std::size_t>(opt.days));

  for (int i = 0; i < opt.people; ++i) {
    Random r(SplitMix64(opt.seed * 0x100000001b3ULL + static_cast<u64>(i)));
    Person p = MakePerson(i, r);
    SimulatePerson(p, r, out, out.start, opt.days);
    RenderPerson(p, out);
  }
  const int bots = std::max(1, opt.people / 40);
  for (int i = 0; i < bots; ++i) {
    Random r(SplitMix64(~opt.seed * 0x9e3779b97f4a7c15ULL + static_cast<u64>(i)));
    Person p;
    p.index = opt.people + i;
    SimulateBot(p, r, out.start, opt.days);
    RenderPerson(p, out);
  }

  // Data-quality noise a real demo meets. Staff put a placeholder address on a few attendees
  // they registered by phone (identity.blocked_values keeps them from merging into one person)...
  std::sort(out.webinar.begin(), out.webinar.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  int placeholders = 0;
  for (auto& row : out.webinar) {
    if (placeholders >= 3 || row.first.first < out.start + 7 * kDay) continue;
    const std::string& line = row.second;
    row.second = std::string(placeholders == 1 ? "Test@Example.com " : "test@example.com") +
                 line.substr(line.find(",u-"));
    ++placeholders;
  }
  // ...and one call-centre ticket was exported without its time (a dead letter).
  if (!out.support.empty()) {
    std::sort(out.support.begin(), out.support.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    auto& mid = out.support[out.support.size() / 2];
    const std::string uid = mid.second.substr(0, mid.second.find(','));
    out.support.insert(
        out.support.begin() + static_cast<std::ptrdiff_t>(out.support.size() / 2) + 1,
        {{mid.first.first, mid.first.second}, uid + ",,lesson access,phone"});
  }

  std::error_code ec;
  std::filesystem::create_directories(opt.out / "ga4", ec);
  if (ec) {
    std::cerr << "online-school-generate: cannot create " << (opt.out / "ga4").string() << ": "
              << ec.message() << "\n";
    return 1;
  }
  // Stale day files from an earlier run with other dates would be read by the pipeline's glob.
  for (const auto& entry : std::filesystem::directory_iterator(opt.out / "ga4", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("events_", 0) == 0 && entry.path().extension() == ".ndjson")
      std::filesystem::remove(entry.path(), ec);
  }

  std::size_t ga_rows = 0;
  for (int d = 0; d < opt.days; ++d) {
    const std::string name = "events_" + EventDate(out.start + d * kDay) + ".ndjson";
    ga_rows += out.days[static_cast<std::size_t>(d)].size();
    if (!WriteFile(opt.out / "ga4" / name, "", out.days[static_cast<std::size_t>(d)])) return 1;
  }
  const std::size_t webinar_rows = out.webinar.size(), nps_rows = out.nps.size(),
                    support_rows = out.support.size();
  // The support rows are already in order (with the broken one in the middle): keep it there.
  const auto keep_order = [](Rows& rows) {
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].first = {0, i};
  };
  keep_order(out.support);
  if (!WriteFile(opt.out / "webinar_attendance.csv",
                 "email,user_id,attended_at,webinar,minutes_watched", out.webinar) ||
      !WriteFile(opt.out / "nps_survey.csv", "email,answered_at,score,comment", out.nps) ||
      !WriteFile(opt.out / "support_tickets.csv", "user_id,opened_at,topic,channel", out.support)) {
    return 1;
  }

  if (!opt.api_fixtures.empty() && !WriteApiFixtures(out, opt.api_fixtures, opt.seed)) return 1;

  std::cout << "online-school-generate: " << opt.days << " GA4 day files (" << ga_rows
            << " rows), webinar_attendance.csv (" << webinar_rows << " rows), nps_survey.csv ("
            << nps_rows << " rows), support_tickets.csv (" << support_rows << " rows); "
            << opt.people << " people + " << bots << " bots, seed " << opt.seed << ", "
            << IsoUtc(out.start).substr(0, 10) << " .. " << IsoUtc(out.end - kDay).substr(0, 10)
            << " -> " << opt.out.string() << "\n";
  return 0;
}

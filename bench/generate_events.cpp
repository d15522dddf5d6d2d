// generate_events.cpp — deterministic journey data for the benchmarks, at any scale.
//
// Usage: journeykit-bench-generate --events N [--format compact|ga4] [--out FILE] [--seed S]
//                                  [--start-ms T] [--days D] [--block-people B]
//
// About 10 events per person over --days days (default 90) from --start-ms (default
// 2026-01-01T00:00:00Z). Every person arrives through one channel (paid_social, paid_search,
// organic, email, direct, referral), comes back in later sessions through others, opens and
// clicks e-mails, and goes as far down the funnel as their intent allows: sign-up, webinar,
// cart, checkout, purchase (about 3.5% of people, with revenue), then logins, a review, a
// repeat purchase.
//
// Output order: people are written in blocks of --block-people (default 4096); each block's
// events are sorted by time (ties: person, then the person's event order), so a file is
// time-sorted within a block, not globally, and a person's events are interleaved with about
// 40,000 others. Memory is one block, whatever --events is.
//
// Formats (one JSON object per line):
//  compact  {"user_id":"u123","ts":1767225600123,"channel":"email","action":"page_view"}
//           with ,"revenue":149.0 on purchases; ts is epoch milliseconds.
//  ga4      GA4 BigQuery export rows (the columns the ga4-export plugin reads, compact):
//           event_timestamp in µs as a string, user_pseudo_id per device, user_id once the
//           person has signed up, session/page/utm params, ecommerce on purchases.
//
// The same arguments give byte-identical output on every machine: randomness is
// std::mt19937_64's raw output (fixed by the standard) turned into numbers by hand, never by
// std:: distributions, and every person has an engine of their own (seeded from the seed and
// the person's number), so the data does not depend on the block size.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;

constexpr i64 kSecondUs = 1'000'000;
constexpr i64 kMinuteUs = 60 * kSecondUs;
constexpr i64 kHourUs = 60 * kMinuteUs;
constexpr i64 kDayUs = 24 * kHourUs;

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
  // Uniform in [0, n) without modulo bias.
  u64 Below(u64 n) {
    const u64 reject_under = (0 - n) % n;
    for (;;) {
      const u64 x = Bits();
      if (x >= reject_under) return x % n;
    }
  }
  i64 Between(i64 lo, i64 hi) {
    return lo + static_cast<i64>(Below(static_cast<u64>(hi - lo) + 1));
  }
  bool Chance(double p) { return Unit() < p; }
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

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------
// The vocabulary

enum Channel : uint8_t { kPaidSocial, kPaidSearch, kOrganic, kEmail, kDirect, kReferral };
constexpr std::array<std::string_view, 6> kChannelNames{"paid_social", "paid_search", "organic",
                                                        "email",       "direct",      "referral"};
// GA4 traffic parameters of a session that starts in the channel: source, medium, campaign.
struct Utm {
  std::string_view source, medium, campaign;
};
constexpr std::array<Utm, 6> kUtm{{{"facebook", "paid_social", "spring_launch"},
                                   {"google", "cpc", "brand_search"},
                                   {"google", "organic", "(organic)"},
                                   {"newsletter", "email", "weekly_digest"},
                                   {"", "", ""},
                                   {"partner-blog.com", "referral", "(referral)"}}};

enum Action : uint8_t {
  kPageView,
  kEmailOpen,
  kEmailClick,
  kSignUp,
  kWebinarRegistered,
  kWebinarAttended,
  kAddToCart,
  kBeginCheckout,
  kPurchase,
  kLogin,
  kSupportTicket,
  kReviewSubmitted,
};
constexpr std::array<std::string_view, 12> kActionNames{
    "page_view",        "email_open",      "email_click",    "sign_up",  "webinar_registered",
    "webinar_attended", "add_to_cart",     "begin_checkout", "purchase", "login",
    "support_ticket",   "review_submitted"};

constexpr std::string_view kSite = "https://shop.example.com";
constexpr std::array<std::string_view, 8> kContentPages{
    "/",           "/courses/smm", "/courses/ads", "/blog/reels-2026",
    "/blog/plans", "/reviews",     "/pricing",     "/about"};

// Prices in cents.
constexpr std::array<int, 5> kPricesCents{4990, 9900, 14900, 29900, 49900};

// ---------------------------------------------------------------------------------------
// Output buffer: written to the file in 1 MiB pieces.

class Writer {
 public:
  explicit Writer(std::FILE* f) : file_(f) { buffer_.reserve(kFlushAt + 4096); }
  std::string& buffer() { return buffer_; }
  void MaybeFlush() {
    if (buffer_.size() >= kFlushAt) Flush();
  }
  void Flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      std::perror("journeykit-bench-generate: write");
      std::exit(1);
    }
    bytes_ += buffer_.size();
    buffer_.clear();
  }
  u64 bytes() const { return bytes_; }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  std::FILE* file_;
  std::string buffer_;
  u64 bytes_ = 0;
};

void AppendInt(std::string& out, i64 v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendCents(std::string& out, int cents) {
  AppendInt(out, cents / 100);
  out += '.';
  out += static_cast<char>('0' + cents / 10 % 10);
  out += static_cast<char>('0' + cents % 10);
}

// ---------------------------------------------------------------------------------------
// People and their events

struct Ev {
  i64 time_us = 0;
  u64 person = 0;
  uint16_t order = 0;  // the event's position in the person's journey (tie-break)
  uint8_t action = 0;
  uint8_t channel = 0;      // the session's channel (e-mail events: email)
  uint8_t device = 0;       // GA4: which of the person's devices
  uint8_t new_session = 0;  // GA4: first event of a session (carries the utm params)
  uint8_t known = 0;        // GA4: the person has signed up (user_id is set)
  uint8_t page = 0;         // GA4: content page of a page_view
  uint16_t session = 0;     // GA4: session number of the device
  int revenue_cents = 0;    // purchases
  i64 session_start_us = 0;
};

struct PersonInfo {
  std::array<u64, 2> pseudo_ids{};  // GA4 user_pseudo_id numbers per device
  std::array<i64, 2> first_touch_us{};
  uint8_t acquisition = 0;
};

struct Options {
  u64 events = 100'000;
  bool ga4 = false;
  std::string out;
  u64 seed = 7;
  i64 start_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  i64 days = 90;
  u64 block_people = 4096;
};

struct Stats {
  u64 events = 0, people = 0, purchases = 0, buyers = 0, revenue_cents = 0;
};

// Appends the journey of person `index` (at most `budget` events) to `out`.
void GeneratePerson(const Options& opt, u64 index, u64 budget, std::vector<Ev>& out,
                    PersonInfo& info, Stats& stats) {
  Random rng(SplitMix64(opt.seed * 0x100000001b3ULL ^ SplitMix64(index)));
  // Journey length 1..19 events (mean 10) and how far down the funnel the person goes.
  const auto length = static_cast<std::size_t>(rng.Between(1, 19));
  // 0 browse, 1 lead (sign-up / webinar), 2 cart, 3 checkout, 4 purchase.
  const std::size_t depth = rng.Weighted({76.0, 14.0, 4.0, 2.5, 3.5});
  const auto acquisition = static_cast<uint8_t>(rng.Weighted({25.0, 20.0, 25.0, 8.0, 12.0, 10.0}));
  info.acquisition = acquisition;

  std::vector<uint8_t> milestones;
  if (depth >= 1) {
    milestones.push_back(kSignUp);
    if (rng.Chance(0.5)) {
      milestones.push_back(kWebinarRegistered);
      if (rng.Chance(0.6)) milestones.push_back(kWebinarAttended);
    }
  }
  if (depth >= 2) milestones.push_back(kAddToCart);
  if (depth >= 3) milestones.push_back(kBeginCheckout);
  if (depth >= 4) {
    milestones.push_back(kPurchase);
    const auto logins = rng.Between(1, 4);
    for (i64 i = 0; i < logins; ++i) milestones.push_back(kLogin);
    if (rng.Chance(0.15)) milestones.push_back(kSupportTicket);
    if (rng.Chance(0.2)) milestones.push_back(kReviewSubmitted);
    if (rng.Chance(0.1)) {
      milestones.push_back(kAddToCart);
      milestones.push_back(kBeginCheckout);
      milestones.push_back(kPurchase);
    }
  }
  const std::size_t total = std::max(length, milestones.size() + 1);  // starts with a page view
  std::vector<uint8_t> actions;
  actions.reserve(total);
  actions.push_back(kPageView);
  std::size_t fillers = total - 1 - milestones.size();
  std::size_t next_milestone = 0;
  while (fillers + (milestones.size() - next_milestone) > 0) {
    const std::size_t left = fillers + milestones.size() - next_milestone;
    if (next_milestone < milestones.size() && rng.Below(left) >= fillers) {
      actions.push_back(milestones[next_milestone++]);
    } else {
      const std::size_t kind = rng.Weighted({72.0, 16.0, 12.0});
      actions.push_back(kind == 0 ? kPageView : kind == 1 ? kEmailOpen : kEmailClick);
      --fillers;
    }
  }

  // Offsets from the first event: a new session 30% of the time (1 h .. 7 d later, through
  // a returning channel), otherwise the same session (5 s .. 10 min later).
  std::vector<i64> offsets(actions.size(), 0);
  std::vector<uint8_t> channels(actions.size(), acquisition);
  std::vector<uint8_t> new_session(actions.size(), 0);
  new_session[0] = 1;
  uint8_t channel = acquisition;
  for (std::size_t i = 1; i < actions.size(); ++i) {
    i64 gap = 0;
    if (actions[i] == kEmailOpen || rng.Chance(0.3)) {
      gap = rng.Between(1 * kHourUs, 7 * kDayUs);
      channel = static_cast<uint8_t>(rng.Weighted({15.0, 10.0, 15.0, 30.0, 25.0, 5.0}));
      new_session[i] = 1;
    } else {
      gap = rng.Between(5 * kSecondUs, 10 * kMinuteUs);
    }
    if (actions[i] == kEmailOpen || actions[i] == kEmailClick) channel = kEmail;
    offsets[i] = offsets[i - 1] + gap;
    channels[i] = channel;
  }
  // Place the journey in the window; squeeze it when it is longer than the window.
  const i64 window = opt.days * kDayUs;
  const i64 span = offsets.back();
  i64 start = 0;
  if (span >= window) {
    const double scale = static_cast<double>(window - 1) / static_cast<double>(span);
    for (i64& o : offsets) o = static_cast<i64>(static_cast<double>(o) * scale);
  } else {
    start = static_cast<i64>(rng.Below(static_cast<u64>(window - span)));
  }
  const i64 base = opt.start_ms * 1000 + start;

  // GA4 devices: a second device (phone) for 30% of people, used for some later sessions.
  const bool two_devices = rng.Chance(0.3);
  info.pseudo_ids = {rng.Below(2'000'000'000) + 100'000'000,
                     rng.Below(2'000'000'000) + 100'000'000};
  info.first_touch_us = {base, 0};
  std::array<uint16_t, 2> session_numbers{0, 0};
  uint8_t device = 0;
  i64 session_start = base;
  bool known = false;
  bool bought = false;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    Ev e;
    e.time_us = base + offsets[i];
    e.person = index;
    e.order = static_cast<uint16_t>(i);
    e.action = actions[i];
    e.channel = channels[i];
    e.new_session = new_session[i];
    if (new_session[i]) {
      device = two_devices && i > 0 && rng.Chance(0.4) ? 1 : 0;
      if (device == 1 && info.first_touch_us[1] == 0) info.first_touch_us[1] = e.time_us;
      ++session_numbers[device];
      session_start = e.time_us;
    }
    e.device = device;
    e.session = session_numbers[device];
    e.session_start_us = session_start;
    if (actions[i] == kSignUp) known = true;
    e.known = known ? 1 : 0;
    e.page = static_cast<uint8_t>(rng.Below(kContentPages.size()));
    if (actions[i] == kPurchase && i < budget) {
      e.revenue_cents = kPricesCents[rng.Below(kPricesCents.size())];
      ++stats.purchases;
      stats.revenue_cents += static_cast<u64>(e.revenue_cents);
      bought = true;
    }
    if (i < budget) out.push_back(e);  // the last person is cut short, not reshaped
  }
  stats.events += std::min<u64>(actions.size(), budget);
  ++stats.people;
  if (bought) ++stats.buyers;
}

void RenderCompact(const Ev& e, std::string& o) {
  o += "{\"user_id\":\"u";
  AppendInt(o, static_cast<i64>(e.person + 1));
  o += "\",\"ts\":";
  AppendInt(o, e.time_us / 1000);
  o += ",\"channel\":\"";
  o += kChannelNames[e.channel];
  o += "\",\"action\":\"";
  o += kActionNames[e.action];
  o += '"';
  if (e.revenue_cents != 0) {
    o += ",\"revenue\":";
    AppendCents(o, e.revenue_cents);
  }
  o += "}\n";
}

void AppendStringParam(std::string& o, std::string_view key, std::string_view value) {
  o += "{\"key\":\"";
  o += key;
  o += "\",\"value\":{\"string_value\":\"";
  o += value;
  o += "\",\"int_value\":null,\"float_value\":null,\"double_value\":null}}";
}

void AppendIntParam(std::string& o, std::string_view key, i64 value) {
  o += "{\"key\":\"";
  o += key;
  o += "\",\"value\":{\"string_value\":null,\"int_value\":\"";
  AppendInt(o, value);
  o += "\",\"float_value\":null,\"double_value\":null}}";
}

void AppendEventDate(std::string& o, i64 time_us) {
  // Civil date from days since the epoch (H. Hinnant's algorithm), as YYYYMMDD.
  i64 z = time_us / kDayUs + 719468;
  const i64 era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const i64 y = static_cast<i64>(yoe) + era * 400 + (m <= 2);
  AppendInt(o, y);
  for (const unsigned two : {m, d}) {
    o += static_cast<char>('0' + two / 10);
    o += static_cast<char>('0' + two % 10);
  }
}

std::string_view PagePath(const Ev& e) {
  switch (e.action) {
    case kSignUp:
      return "/signup";
    case kWebinarRegistered:
      return "/webinar/register";
    case kWebinarAttended:
      return "/webinar/room";
    case kAddToCart:
      return "/cart";
    case kBeginCheckout:
      return "/checkout";
    case kPurchase:
      return "/checkout/thank-you";
    case kLogin:
      return "/account";
    case kSupportTicket:
      return "/help";
    case kReviewSubmitted:
      return "/reviews/new";
    default:
      return kContentPages[e.page];
  }
}

void RenderGa4(const Ev& e, const PersonInfo& info, std::string& o) {
  o += "{\"event_date\":\"";
  AppendEventDate(o, e.time_us);
  o += "\",\"event_timestamp\":\"";
  AppendInt(o, e.time_us);
  o += "\",\"event_name\":\"";
  o += kActionNames[e.action];
  o += "\",\"event_params\":[";
  AppendIntParam(o, "ga_session_id", e.session_start_us / kSecondUs);
  o += ',';
  AppendIntParam(o, "ga_session_number", e.session);
  o += ',';
  std::string url(kSite);
  url += PagePath(e);
  const Utm& utm = kUtm[e.channel];
  if (e.new_session && !utm.source.empty()) {
    url += "?utm_source=";
    url += utm.source;
    url += "&utm_medium=";
    url += utm.medium;
  }
  AppendStringParam(o, "page_location", url);
  if (e.new_session && !utm.source.empty()) {
    o += ',';
    AppendStringParam(o, "source", utm.source);
    o += ',';
    AppendStringParam(o, "medium", utm.medium);
    o += ',';
    AppendStringParam(o, "campaign", utm.campaign);
  }
  if (e.action == kPurchase) {
    o += ",{\"key\":\"value\",\"value\":{\"string_value\":null,\"int_value\":null,"
         "\"float_value\":null,\"double_value\":";
    AppendCents(o, e.revenue_cents);
    o += "}},";
    AppendStringParam(o, "currency", "EUR");
  }
  o += "],\"user_id\":";
  if (e.known) {
    o += "\"u";
    AppendInt(o, static_cast<i64>(e.person + 1));
    o += '"';
  } else {
    o += "null";
  }
  o += ",\"user_pseudo_id\":\"";
  AppendInt(o, static_cast<i64>(info.pseudo_ids[e.device]));
  o += '.';
  AppendInt(o, info.first_touch_us[e.device] / kSecondUs);
  o += "\",\"user_properties\":[],\"user_first_touch_timestamp\":\"";
  AppendInt(o, info.first_touch_us[e.device]);
  o += "\",\"device\":{\"category\":\"";
  o += e.device == 0 ? "desktop" : "mobile";
  o += "\"},\"geo\":{\"country\":\"Germany\"},\"traffic_source\":";
  const Utm& first = kUtm[info.acquisition];
  if (first.source.empty()) {
    o += "{\"name\":\"(direct)\",\"medium\":\"(none)\",\"source\":\"(direct)\"}";
  } else {
    o += "{\"name\":\"";
    o += first.campaign;
    o += "\",\"medium\":\"";
    o += first.medium;
    o += "\",\"source\":\"";
    o += first.source;
    o += "\"}";
  }
  o += ",\"platform\":\"WEB\",\"ecommerce\":";
  if (e.action == kPurchase) {
    o += "{\"purchase_revenue\":\"";
    AppendCents(o, e.revenue_cents);
    o += "\",\"transaction_id\":\"T";
    AppendInt(o, static_cast<i64>(e.person + 1));
    o += '-';
    AppendInt(o, e.order);
    o += "\"},\"items\":[{\"item_id\":\"course\",\"quantity\":1}]";
  } else {
    o += "null,\"items\":[]";
  }
  o += "}\n";
}

[[noreturn]] void Usage(const char* message) {
  if (message != nullptr) std::fprintf(stderr, "journeykit-bench-generate: %s\n", message);
  std::fprintf(stderr,
               "usage: journeykit-bench-generate --events N [--format compact|ga4] [--out FILE]\n"
               "       [--seed S] [--start-ms EPOCH_MS] [--days D] [--block-people B]\n");
  std::exit(2);
}

i64 ParseInt(const char* text, const char* flag) {
  i64 v = 0;
  const char* end = text + std::strlen(text);
  auto r = std::from_chars(text, end, v);
  if (r.ec != std::errc() || r.ptr != end) {
    std::fprintf(stderr, "journeykit-bench-generate: %s: not an integer: %s\n", flag, text);
    std::exit(2);
  }
  return v;
}

Options ParseArgs(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") Usage(nullptr);
    if (i + 1 >= argc) Usage("missing value");
    const char* value = argv[++i];
    if (arg == "--events") {
      const i64 v = ParseInt(value, "--events");
      if (v < 1) Usage("--events must be at least 1");
      opt.events = static_cast<u64>(v);
    } else if (arg == "--format") {
      const std::string_view f = value;
      if (f != "compact" && f != "ga4") Usage("--format is compact or ga4");
      opt.ga4 = f == "ga4";
    } else if (arg == "--out") {
      opt.out = value;
    } else if (arg == "--seed") {
      opt.seed = static_cast<u64>(ParseInt(value, "--seed"));
    } else if (arg == "--start-ms") {
      opt.start_ms = ParseInt(value, "--start-ms");
    } else if (arg == "--days") {
      opt.days = ParseInt(value, "--days");
      if (opt.days < 1) Usage("--days must be at least 1");
    } else if (arg == "--block-people") {
      const i64 v = ParseInt(value, "--block-people");
      if (v < 1) Usage("--block-people must be at least 1");
      opt.block_people = static_cast<u64>(v);
    } else {
      Usage("unknown option");
    }
  }
  return opt;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  std::FILE* file = stdout;
  if (!opt.out.empty() && opt.out != "-") {
    file = std::fopen(opt.out.c_str(), "wb");
    if (file == nullptr) {
      std::perror(("journeykit-bench-generate: " + opt.out).c_str());
      return 1;
    }
  }
  Writer writer(file);
  Stats stats;
  std::vector<Ev> block;
  std::vector<PersonInfo> infos;
  u64 person = 0;
  while (stats.events < opt.events) {
    block.clear();
    infos.clear();
    const u64 first = person;
    for (u64 k = 0; k < opt.block_people && stats.events < opt.events; ++k, ++person) {
      infos.emplace_back();
      GeneratePerson(opt, person, opt.events - stats.events, block, infos.back(), stats);
    }
    std::sort(block.begin(), block.end(), [](const Ev& a, const Ev& b) {
      if (a.time_us != b.time_us) return a.time_us < b.time_us;
      if (a.person != b.person) return a.person < b.person;
      return a.order < b.order;
    });
    for (const Ev& e : block) {
      if (opt.ga4) {
        RenderGa4(e, infos[static_cast<std::size_t>(e.person - first)], writer.buffer());
      } else {
        RenderCompact(e, writer.buffer());
      }
      writer.MaybeFlush();
    }
  }
  writer.Flush();
  if (file != stdout && std::fclose(file) != 0) {
    std::perror(("journeykit-bench-generate: " + opt.out).c_str());
    return 1;
  }
  std::FILE* report = file == stdout ? stderr : stdout;
  std::fprintf(report,
               "journeykit-bench-generate: %llu events, %llu people, %llu purchases by %llu "
               "buyers (%.2f%% of people), revenue %llu.%02llu; %llu bytes (%s) to %s\n",
               static_cast<unsigned long long>(stats.events),
               static_cast<unsigned long long>(stats.people),
               static_cast<unsigned long long>(stats.purchases),
               static_cast<unsigned long long>(stats.buyers),
               100.0 * static_cast<double>(stats.buyers) / static_cast<double>(stats.people),
               static_cast<unsigned long long>(stats.revenue_cents / 100),
               static_cast<unsigned long long>(stats.revenue_cents % 100),
               static_cast<unsigned long long>(writer.bytes()), opt.ga4 ? "ga4" : "compact",
               opt.out.empty() ? "stdout" : opt.out.c_str());
  return 0;
}

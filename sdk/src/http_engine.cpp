// http_engine.cpp — libcurl's multi interface on Boost.Asio sockets (one event-loop thread
// for every request of the run), with retries, rate budgets and record/replay.
//
// Threading: every curl and Asio object below is touched only by the loop thread. A plugin
// thread calling Send() posts its transfers to the loop and waits on its Batch, whose
// completion queue is the only state shared between the two (under Batch::mutex).
#include "internal/http_engine.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

namespace journeykit {

const char* HttpModeName(HttpMode mode) {
  switch (mode) {
    case HttpMode::kLive:
      return "live";
    case HttpMode::kRecord:
      return "record";
    case HttpMode::kReplay:
      return "replay";
  }
  return "live";
}

}  // namespace journeykit

namespace journeykit::internal {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr size_t kMaxBodyBytes = size_t{512} << 20;
constexpr size_t kExcerptBytes = 300;
constexpr long kConnectionCache = 64;  // idle connections kept for reuse, over all hosts

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

bool RetryableStatus(long status) { return status == 429 || (status >= 500 && status <= 599); }

bool RetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
      return true;
    default:
      return false;
  }
}

std::string Excerpt(const std::string& body) {
  std::string e = body.substr(0, kExcerptBytes);
  for (char& c : e) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > kExcerptBytes) e += "…";
  return e;
}

std::string Seconds(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s",
                std::chrono::duration_cast<milliseconds>(d).count() / 1000.0);
  return buf;
}

// Retry-After: delta-seconds or an HTTP date. nullopt when absent or unreadable.
std::optional<milliseconds> RetryAfter(const HttpHeaders& headers) {
  for (const auto& [k, v] : headers) {
    if (k != "retry-after") continue;
    char* end = nullptr;
    long secs = std::strtol(v.c_str(), &end, 10);
    if (end != v.c_str() && *end == '\0' && secs >= 0) return milliseconds(secs * 1000);
    time_t when = curl_getdate(v.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    auto now = std::chrono::system_clock::now();
    auto at = std::chrono::system_clock::from_time_t(when);
    return at > now ? std::chrono::duration_cast<milliseconds>(at - now) : milliseconds(0);
  }
  return std::nullopt;
}

}  // namespace

struct Transfer;

// What one Send() waits on.
struct Batch {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::pair<size_t, HttpResult>> done;
  size_t outstanding = 0;  // transfers the loop still owns
  bool cancel = false;
};

struct Budget {
  explicit Budget(asio::io_context& io) : timer(io) {}
  uint32_t requests = 0, interval_ms = 0, max_concurrent = 0;
  std::deque<Clock::time_point> starts;  // within the last interval
  uint32_t in_flight = 0;
  std::deque<Transfer*> waiting;
  asio::steady_timer timer;
  bool timer_armed = false;
};

struct Transfer {
  explicit Transfer(asio::io_context& io) : retry_timer(io) {}
  std::shared_ptr<Batch> batch;
  size_t index = 0;
  HttpCall call;
  HttpSettings settings;
  std::shared_ptr<Cassette> cassette;
  const HttpRedactor* redactor = nullptr;  // outlives the batch (Send's caller)
  Budget* budget = nullptr;
  bool holds_slot = false;
  bool in_multi = false;
  bool waiting = false;
  bool dead = false;  // aborted: handlers still queued must not touch it again
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};
  HttpResult result;
  uint32_t max_attempts = 1;
  Clock::time_point started, deadline;
  asio::steady_timer retry_timer;
  std::string last_problem;
};

struct SocketState {
  SocketState(asio::io_context& io, curl_socket_t fd) : desc(io, fd) {}
  asio::posix::stream_descriptor desc;
  int what = 0;
  bool reading = false, writing = false, closed = false;
};

struct HttpEngine::Impl {
  explicit Impl(HttpSettings d)
      : defaults(std::move(d)), work(asio::make_work_guard(io)), curl_timer(io) {
    static CurlGlobal global;
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &SocketCallback);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &TimerCallback);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    // curl's default cache shrinks to 4 connections per transfer still running, so the tail
    // of every burst closed connections the next burst had to open again (and a service
    // that counts connections, like Mailchimp's 10, saw more of them than were in use). A
    // fixed cache keeps them; idle ones still close after curl's idle limit (118 s).
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, kConnectionCache);
    thread = std::thread([this] { io.run(); });
  }
  ~Impl() {
    asio::post(io, [this] {
      for (auto& [raw, t] : transfers) Abort(*t);
      // Freed after the handlers that cancelling just queued have run.
      auto doomed = std::make_shared<decltype(transfers)>(std::move(transfers));
      asio::post(io, [doomed] {});
      curl_timer.cancel();
      for (auto& [fd, s] : sockets) {
        s->closed = true;
        s->desc.cancel();
        s->desc.release();
      }
      sockets.clear();
      for (auto& [k, b] : budgets) b->timer.cancel();
      work.reset();
    });
    thread.join();
    curl_multi_cleanup(multi);
  }

  // ---- curl ↔ Asio glue (loop thread) --------------------------------------------------
  static int SocketCallback(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<Impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
      auto it = self->sockets.find(fd);
      if (it != self->sockets.end()) {
        it->second->closed = true;
        it->second->desc.cancel();
        it->second->desc.release();  // curl owns and closes the fd
        self->sockets.erase(it);
      }
      return 0;
    }
    auto& state = self->sockets[fd];
    if (!state) state = std::make_shared<SocketState>(self->io, fd);
    state->what = what;
    self->Arm(fd, state);
    return 0;
  }

  // Asio's epoll reactor is edge-triggered and curl may leave bytes in the socket, so a
  // socket that is already ready is served at once instead of waiting for the next edge.
  static bool Ready(curl_socket_t fd, short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }

  void Arm(curl_socket_t fd, const std::shared_ptr<SocketState>& s) {
    auto handler = [this, fd, s](bool read) {
      return [this, fd, s, read](const boost::system::error_code& ec) {
        (read ? s->reading : s->writing) = false;
        if (ec || s->closed) return;
        Action(fd, read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
        if (!s->closed) Arm(fd, s);
      };
    };
    if ((s->what & CURL_POLL_IN) && !s->reading) {
      s->reading = true;
      if (Ready(fd, POLLIN)) {
        asio::post(io, [h = handler(true)] { h(boost::system::error_code()); });
      } else {
        s->desc.async_wait(asio::posix::stream_descriptor::wait_read, handler(true));
      }
    }
    if ((s->what & CURL_POLL_OUT) && !s->writing) {
      s->writing = true;
      if (Ready(fd, POLLOUT)) {
        asio::post(io, [h = handler(false)] { h(boost::system::error_code()); });
      } else {
        s->desc.async_wait(asio::posix::stream_descriptor::wait_write, handler(false));
      }
    }
  }

  static int TimerCallback(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<Impl*>(userp);
    self->curl_timer.cancel();
    if (timeout_ms >= 0) {
      self->curl_timer.expires_after(milliseconds(timeout_ms));
      self->curl_timer.async_wait([self](const boost::system::error_code& ec) {
        if (!ec) self->Action(CURL_SOCKET_TIMEOUT, 0);
      });
    }
    return 0;
  }

  void Action(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    CURLMsg* msg = nullptr;
    int left = 0;
    while ((msg = curl_multi_info_read(multi, &left)) != nullptr) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      CURLcode code = msg->data.result;
      if (t != nullptr) AttemptDone(*t, code);
    }
  }

  // ---- transfers (loop thread) -----------------------------------------------------------
  static size_t WriteCallback(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    if (t->result.body.size() + size * n > kMaxBodyBytes) return 0;  // aborts: too large
    t->result.body.append(data, size * n);
    return size * n;
  }
  static size_t HeaderCallback(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    std::string_view line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.rfind("HTTP/", 0) == 0) {
      t->result.headers.clear();  // a new response (after 100-continue or a redirect)
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      t->result.headers.emplace_back(std::move(name), std::string(value));
    }
    return size * n;
  }

  void Begin(Transfer& t) {
    t.started = Clock::now();
    uint32_t budget_ms = t.call.time_budget_ms ? t.call.time_budget_ms : t.settings.time_budget_ms;
    t.deadline = t.started + milliseconds(budget_ms);
    t.max_attempts =
        std::max<uint32_t>(1, t.call.max_attempts ? t.call.max_attempts : t.settings.max_attempts);
    if (t.settings.mode == HttpMode::kReplay) {
      Replay(t);
      return;
    }
    if (!t.call.budget_key.empty()) {
      auto& b = budgets[t.call.budget_key];
      if (!b) {
        b = std::make_unique<Budget>(io);
        b->requests = t.call.budget_requests;
        b->interval_ms = t.call.budget_interval_ms;
        b->max_concurrent = t.call.budget_max_concurrent;
      }
      t.budget = b.get();
    }
    Queue(t);
  }

  void Queue(Transfer& t) {
    if (t.budget == nullptr) {
      StartAttempt(t);
      return;
    }
    t.waiting = true;
    t.budget->waiting.push_back(&t);
    Pump(*t.budget);
  }

  void Pump(Budget& b) {
    while (!b.waiting.empty()) {
      auto now = Clock::now();
      if (b.requests > 0 && b.interval_ms > 0) {
        while (!b.starts.empty() && now - b.starts.front() >= milliseconds(b.interval_ms)) {
          b.starts.pop_front();
        }
        if (b.starts.size() >= b.requests) {
          if (!b.timer_armed) {
            b.timer_armed = true;
            b.timer.expires_at(b.starts.front() + milliseconds(b.interval_ms));
            b.timer.async_wait([this, &b](const boost::system::error_code& ec) {
              b.timer_armed = false;
              if (!ec) Pump(b);
            });
          }
          return;
        }
      }
      if (b.max_concurrent > 0 && b.in_flight >= b.max_concurrent) return;  // on release
      Transfer* t = b.waiting.front();
      b.waiting.pop_front();
      t->waiting = false;
      b.starts.push_back(now);
      ++b.in_flight;
      t->holds_slot = true;
      StartAttempt(*t);
    }
  }

  void Release(Transfer& t) {
    if (!t.holds_slot) return;
    t.holds_slot = false;
    --t.budget->in_flight;
    Budget* b = t.budget;
    asio::post(io, [this, b] { Pump(*b); });
  }

  void StartAttempt(Transfer& t) {
    ++t.result.attempts;
    t.result.status = 0;
    t.result.headers.clear();
    t.result.body.clear();
    t.errbuf[0] = '\0';
    if (t.easy == nullptr) t.easy = curl_easy_init();
    CURL* e = t.easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_URL, t.call.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);  // never turned off
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!t.settings.ca_bundle.empty())
      curl_easy_setopt(e, CURLOPT_CAINFO, t.settings.ca_bundle.c_str());
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(t.settings.connect_timeout_ms));
    auto remaining = std::chrono::duration_cast<milliseconds>(t.deadline - Clock::now()).count();
    long timeout = std::min<long>(t.settings.attempt_timeout_ms, std::max<long>(remaining, 1));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "JourneyKit/1 (+https://journeykit.dev)");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &WriteCallback);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &HeaderCallback);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    if (t.header_list != nullptr) curl_slist_free_all(t.header_list);
    t.header_list = nullptr;
    for (const auto& [k, v] : t.call.headers) {
      t.header_list = curl_slist_append(t.header_list, (k + ": " + v).c_str());
    }
    t.header_list = curl_slist_append(t.header_list, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
    if (t.call.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (t.call.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
      if (t.call.method != "POST")
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.call.method.c_str());
      if (!t.call.body.empty() || t.call.method == "POST") {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.call.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(t.call.body.size()));
      }
    }
    t.in_multi = true;
    curl_multi_add_handle(multi, e);
  }

  std::string Describe(const Transfer& t) const {
    return t.call.method + " " + t.redactor->Url(t.call.url);
  }

  void AttemptDone(Transfer& t, CURLcode code) {
    curl_multi_remove_handle(multi, t.easy);
    t.in_multi = false;
    Release(t);
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    bool retry = false;
    std::string problem;
    if (code != CURLE_OK) {
      std::string detail = t.errbuf[0] != '\0' ? t.errbuf : curl_easy_strerror(code);
      problem = "network error: " + detail + " (curl " + std::to_string(code) + ")";
      retry = RetryableCurlError(code);
      status = 0;
    } else {
      t.result.status = static_cast<int>(status);
      if (status >= 400) {
        problem = "HTTP " + std::to_string(status);
        retry = RetryableStatus(status);
      }
    }
    t.result.status = static_cast<int>(status);
    if (problem.empty()) {
      Finish(t);
      return;
    }
    auto now = Clock::now();
    std::optional<milliseconds> server_wait = status ? RetryAfter(t.result.headers) : std::nullopt;
    milliseconds wait(0);
    if (retry) {
      if (server_wait) {
        wait = *server_wait;
      } else {
        uint64_t exp = std::min<uint64_t>(
            t.settings.backoff_max_ms,
            uint64_t{t.settings.backoff_base_ms} << std::min<uint32_t>(t.result.attempts - 1, 20));
        wait = milliseconds(std::uniform_int_distribution<uint64_t>(0, exp)(rng));
      }
    }
    std::string why_stop;
    if (!retry) {
      why_stop = "";
    } else if (t.result.attempts >= t.max_attempts) {
      why_stop = "gave up after " + std::to_string(t.result.attempts) + " attempts";
    } else if (now + wait >= t.deadline) {
      why_stop = "gave up after " + std::to_string(t.result.attempts) + " attempts in " +
                 Seconds(now - t.started) + ": the next retry (" +
                 (server_wait ? "Retry-After " : "backoff ") + Seconds(wait) +
                 ") would pass the request's time budget";
    } else {
      t.retry_timer.expires_after(wait);
      t.retry_timer.async_wait([this, &t](const boost::system::error_code& ec) {
        if (!ec && !t.dead) Queue(t);
      });
      return;
    }
    std::string message = Describe(t) + " → " + problem;
    if (!why_stop.empty()) message += " (" + why_stop + ")";
    if (status != 0 && !t.result.body.empty()) message += ": " + Excerpt(t.result.body);
    t.result.error = t.redactor->Text(message);
    Finish(t);
  }

  void Replay(Transfer& t) {
    std::string url = t.redactor->Url(t.call.url);
    std::string body = t.redactor->Body(t.call.body);
    std::optional<HttpResult> r = t.cassette->Find(t.call.method, url, body);
    if (!r) {
      t.result.attempts = 1;
      t.result.error = "replay: " + t.call.method + " " + url +
                       (body.empty() ? "" : " (with the request body shown in docs/http.md)") +
                       " was never recorded in cassette " + t.cassette->dir() +
                       "; record it again with http mode \"record\" (docs/http.md)";
      if (!body.empty()) t.result.error += "; request body: " + Excerpt(body);
    } else {
      t.result = std::move(*r);
      t.result.attempts = 1;
      if (t.result.error.empty() && t.result.status >= 400) {
        t.result.error = t.call.method + " " + url + " → HTTP " + std::to_string(t.result.status) +
                         " (replayed): " + Excerpt(t.result.body);
      }
    }
    Finish(t, /*record=*/false);
  }

  void Finish(Transfer& t, bool record = true) {
    if (record && t.cassette && t.settings.mode == HttpMode::kRecord) {
      HttpCall req;
      req.method = t.call.method;
      req.url = t.redactor->Url(t.call.url);
      req.body = t.redactor->Body(t.call.body);
      for (const auto& [k, v] : t.call.headers)
        req.headers.emplace_back(k, t.redactor->HeaderValue(k, v));
      HttpResult resp;
      resp.status = t.result.status;
      resp.attempts = t.result.attempts;
      resp.error = t.redactor->Text(t.result.error);
      for (const auto& [k, v] : t.result.headers)
        resp.headers.emplace_back(k, t.redactor->HeaderValue(k, v));
      resp.body = t.redactor->Body(t.result.body);
      Status s = t.cassette->Record(req, resp);
      if (!s.ok() && t.result.error.empty()) t.result.error = s.message();
    }
    std::shared_ptr<Batch> batch = t.batch;
    {
      std::lock_guard lock(batch->mutex);
      batch->done.emplace_back(t.index, std::move(t.result));
      --batch->outstanding;
    }
    batch->cv.notify_all();
    Drop(t);
  }

  // Removes a transfer from every queue and frees it (loop thread).
  void Abort(Transfer& t) {
    t.dead = true;
    if (t.in_multi) {
      curl_multi_remove_handle(multi, t.easy);
      t.in_multi = false;
    }
    if (t.waiting && t.budget) {
      auto& w = t.budget->waiting;
      w.erase(std::remove(w.begin(), w.end(), &t), w.end());
      t.waiting = false;
    }
    if (t.budget) Release(t);
    t.retry_timer.cancel();
    if (t.easy) curl_easy_cleanup(t.easy);
    t.easy = nullptr;
    if (t.header_list) curl_slist_free_all(t.header_list);
    t.header_list = nullptr;
  }

  void Drop(Transfer& t) {
    Abort(t);
    // Freed on a later turn: asio may still hold a handler (cancelled timer) referencing it.
    auto it = transfers.find(&t);
    if (it == transfers.end()) return;
    std::shared_ptr<Transfer> owned(it->second.release());
    transfers.erase(it);
    asio::post(io, [owned] {});
  }

  void CancelBatch(const std::shared_ptr<Batch>& batch) {
    std::vector<Transfer*> mine;
    for (auto& [raw, t] : transfers) {
      if (t->batch == batch) mine.push_back(raw);
    }
    for (Transfer* t : mine) {
      {
        std::lock_guard lock(batch->mutex);
        --batch->outstanding;
      }
      Drop(*t);
    }
    batch->cv.notify_all();
  }

  HttpSettings defaults;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer curl_timer;
  CURLM* multi = nullptr;
  std::map<curl_socket_t, std::shared_ptr<SocketState>> sockets;
  std::map<std::string, std::unique_ptr<Budget>> budgets;
  std::unordered_map<Transfer*, std::unique_ptr<Transfer>> transfers;  // owned by the loop
  std::mt19937_64 rng{std::random_device{}()};
  std::thread thread;

  std::mutex cassettes_mutex;
  std::map<std::string, std::shared_ptr<Cassette>> cassettes;  // "mode:dir"
};

HttpEngine::HttpEngine(HttpSettings defaults)
    : impl_(std::make_unique<Impl>(std::move(defaults))) {}
HttpEngine::~HttpEngine() = default;
const HttpSettings& HttpEngine::defaults() const { return impl_->defaults; }

Result<std::shared_ptr<Cassette>> HttpEngine::CassetteFor(const HttpSettings& settings) {
  if (settings.mode == HttpMode::kLive) return std::shared_ptr<Cassette>();
  std::lock_guard lock(impl_->cassettes_mutex);
  std::string key = std::string(HttpModeName(settings.mode)) + ":" + settings.cassette_dir;
  auto it = impl_->cassettes.find(key);
  if (it != impl_->cassettes.end()) return it->second;
  Result<std::shared_ptr<Cassette>> c = settings.mode == HttpMode::kReplay
                                            ? Cassette::OpenForReplay(settings.cassette_dir)
                                            : Cassette::OpenForRecord(settings.cassette_dir);
  if (!c.ok()) return c.status();
  impl_->cassettes[key] = *c;
  return *c;
}

bool HttpEngine::Send(std::vector<HttpCall> calls, const HttpSettings& settings,
                      std::shared_ptr<Cassette> cassette, const HttpRedactor& redactor,
                      const std::function<bool()>& cancelled,
                      const std::function<void(size_t, HttpResult&&)>& on_done) {
  if (calls.empty()) return true;
  auto batch = std::make_shared<Batch>();
  batch->outstanding = calls.size();
  asio::post(impl_->io,
             [this, batch, calls = std::move(calls), settings, cassette, &redactor]() mutable {
               std::vector<Transfer*> started;
               for (size_t i = 0; i < calls.size(); ++i) {
                 auto t = std::make_unique<Transfer>(impl_->io);
                 t->batch = batch;
                 t->index = i;
                 t->call = std::move(calls[i]);
                 t->settings = settings;
                 t->cassette = cassette;
                 t->redactor = &redactor;
                 started.push_back(t.get());
                 impl_->transfers.emplace(t.get(), std::move(t));
               }
               for (Transfer* t : started) impl_->Begin(*t);
             });
  bool cancel_sent = false;
  while (true) {
    std::deque<std::pair<size_t, HttpResult>> ready;
    bool finished = false;
    {
      std::unique_lock lock(batch->mutex);
      batch->cv.wait_for(lock, milliseconds(100),
                         [&] { return !batch->done.empty() || batch->outstanding == 0; });
      ready.swap(batch->done);
      finished = batch->outstanding == 0;
    }
    for (auto& [index, result] : ready) {
      if (!cancel_sent) on_done(index, std::move(result));
    }
    if (finished) return !cancel_sent;
    if (!cancel_sent && cancelled()) {
      cancel_sent = true;
      asio::post(impl_->io, [this, batch] { impl_->CancelBatch(batch); });
    }
  }
}

}  // namespace journeykit::internal

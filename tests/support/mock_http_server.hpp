// mock_http_server.hpp — a loopback HTTP/1.1 server for tests (Boost.Beast, port 0).
//
// Each connection gets its own thread (tests open a handful). A test installs a handler
// that turns a request into a reply, which may carry a fault: a delay (to trip client
// timeouts), a connection reset in the middle of the body, or a close without an answer.
// The server logs every request with its arrival time and counts requests in flight.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace journeykit::testing {

struct MockRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::chrono::steady_clock::time_point arrived;

  std::string path() const { return target.substr(0, target.find('?')); }
  // The decoded value of a query parameter ("" when absent).
  std::string query(const std::string& name) const {
    size_t q = target.find('?');
    if (q == std::string::npos) return {};
    std::string qs = target.substr(q + 1);
    size_t pos = 0;
    while (pos <= qs.size()) {
      size_t amp = qs.find('&', pos);
      std::string item = qs.substr(pos, amp == std::string::npos ? amp : amp - pos);
      size_t eq = item.find('=');
      if (item.substr(0, eq) == name)
        return Decode(eq == std::string::npos ? "" : item.substr(eq + 1));
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    return {};
  }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  // The password of an "Authorization: Basic base64(user:password)" header (RFC 7617), or
  // nullopt when there is no such header or it does not decode to user:password.
  std::optional<std::string> BasicAuthPassword() const {
    const std::string auth = header("authorization");
    if (auth.rfind("Basic ", 0) != 0) return std::nullopt;
    std::string credentials;
    int val = 0, bits = -8;
    for (unsigned char c : auth.substr(6)) {
      int d = c >= 'A' && c <= 'Z'   ? c - 'A'
              : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52
              : c == '+'             ? 62
              : c == '/'             ? 63
                                     : -1;
      if (d < 0) break;
      val = (val << 6) + d;
      bits += 6;
      if (bits >= 0) {
        credentials.push_back(static_cast<char>((val >> bits) & 0xFF));
        bits -= 8;
      }
    }
    const size_t colon = credentials.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return credentials.substr(colon + 1);
  }
  static std::string Decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i] == '+' ? ' ' : s[i]);
      }
    }
    return out;
  }
};

struct MockReply {
  enum class Fault { kNone, kResetMidBody, kCloseWithoutReply };
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering
  Fault fault = Fault::kNone;

  static MockReply Json(std::string body, int status = 200) {
    MockReply r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    r.body = std::move(body);
    return r;
  }
};

class MockHttpServer {
 public:
  using Handler = std::function<MockReply(const MockRequest&)>;

  // port 0: any free port (tests); a fixed port for tools that record cassettes.
  explicit MockHttpServer(Handler handler = nullptr, uint16_t port = 0)
      : handler_(std::move(handler)), acceptor_(io_) {
    namespace net = boost::asio;
    net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~MockHttpServer() { Stop(); }
  MockHttpServer(const MockHttpServer&) = delete;
  MockHttpServer& operator=(const MockHttpServer&) = delete;

  void set_handler(Handler h) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(h);
  }
  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<MockRequest> requests() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  size_t request_count() const {
    std::lock_guard lock(mutex_);
    return log_.size();
  }
  int max_in_flight() const { return max_in_flight_.load(); }
  int max_connections() const { return max_connections_.load(); }
  // Connections accepted since the server started (a client that reuses them opens few).
  int accepted_connections() const { return accepted_.load(); }

  void Stop() {
    if (stopped_.exchange(true)) return;
    boost::system::error_code ec;
    {
      // accept() does not return when the acceptor is closed from another thread: wake it.
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket wake(io);
      wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    if (accept_thread_.joinable()) accept_thread_.join();
    acceptor_.close(ec);
    {
      std::lock_guard lock(mutex_);
      for (auto& s : sockets_) {
        s->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);  // unblocks its reader
      }
    }
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  void AcceptLoop() {
    while (!stopped_) {
      auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec) return;
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      sockets_.push_back(socket);
      threads_.emplace_back([this, socket] { Serve(socket); });
    }
  }

  void Serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket) {
    namespace http = boost::beast::http;
    ++accepted_;
    int connections = ++connections_;
    UpdateMax(max_connections_, connections);
    boost::beast::flat_buffer buffer;
    while (!stopped_) {
      http::request<http::string_body> req;
      boost::system::error_code ec;
      http::read(*socket, buffer, req, ec);
      if (ec) break;
      MockRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        r.headers[name] = std::string(f.value());
      }
      r.body = req.body();
      r.arrived = std::chrono::steady_clock::now();
      Handler handler;
      {
        std::lock_guard lock(mutex_);
        log_.push_back(r);
        handler = handler_;
      }
      int in_flight = ++in_flight_;
      UpdateMax(max_in_flight_, in_flight);
      MockReply reply = handler ? handler(r) : MockReply::Json("{}", 404);
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      --in_flight_;
      if (reply.fault == MockReply::Fault::kCloseWithoutReply) break;
      if (reply.fault == MockReply::Fault::kResetMidBody) {
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                           " OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(reply.body.size()) + "\r\n\r\n" +
                           reply.body.substr(0, reply.body.size() / 2);
        boost::asio::write(*socket, boost::asio::buffer(head), ec);
        socket->set_option(boost::asio::socket_base::linger(true, 0), ec);  // RST on close
        break;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.body() = reply.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(*socket, res, ec);
      if (ec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    socket->close(ignored);
    --connections_;
  }

  static void UpdateMax(std::atomic<int>& max, int value) {
    int seen = max.load();
    while (value > seen && !max.compare_exchange_weak(seen, value)) {
    }
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  mutable std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<MockRequest> log_;
  std::atomic<bool> stopped_{false};
  std::atomic<int> in_flight_{0}, max_in_flight_{0}, connections_{0}, max_connections_{0},
      accepted_{0};
};

}  // namespace journeykit::testing

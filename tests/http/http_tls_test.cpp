// TLS: verification is always on, and http.ca_bundle names the CAs to trust. A test CA and a
// server certificate for 127.0.0.1 are made with the openssl command at test time.
#include "internal/http_engine.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/filesystem.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace journeykit::internal {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key)
      : context_(ssl::context::tls_server), acceptor_(io_) {
    context_.use_certificate_chain_file(cert);
    context_.use_private_key_file(key, ssl::context::pem);
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Loop(); });
  }
  ~TlsServer() {
    stop_ = true;
    boost::system::error_code ec;
    net::io_context io;
    tcp::socket wake(io);
    wake.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  int served() const { return served_; }

 private:
  void Loop() {
    while (!stop_) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      ssl::stream<tcp::socket> stream(std::move(socket), context_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // the client refused our certificate
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"tls":true})";
      res.keep_alive(false);
      res.prepare_payload();
      http::write(stream, res, ec);
      ++served_;
      stream.shutdown(ec);
    }
  }

  net::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
};

class HttpTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (boost::filesystem::temp_directory_path() /
            boost::filesystem::unique_path("jk-tls-%%%%-%%%%"))
               .string();
    boost::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/san.ext") << "subjectAltName=IP:127.0.0.1\n";
    std::string d = "'" + dir_ + "'";
    std::string script =
        "cd " + d +
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2"
        " -subj '/CN=JourneyKit test CA' && openssl req -newkey rsa:2048 -nodes -keyout"
        " server.key -out server.csr -subj '/CN=127.0.0.1' && openssl x509 -req -in server.csr"
        " -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext";
    ok_ = std::system((script + " > /dev/null 2>&1").c_str()) == 0;
  }
  static void TearDownTestSuite() { boost::filesystem::remove_all(dir_); }
  void SetUp() override {
    if (!ok_) GTEST_SKIP() << "the openssl command could not make a test CA (is it installed?)";
  }

  HttpResult Get(uint16_t port, const std::string& ca_bundle) {
    HttpSettings s;
    s.ca_bundle = ca_bundle;
    s.backoff_base_ms = 5;
    HttpEngine engine(s);
    HttpRedactor redactor({});
    HttpCall call;
    call.url = "https://127.0.0.1:" + std::to_string(port) + "/secure";
    HttpResult out;
    engine.Send(
        {call}, s, nullptr, redactor, [] { return false; },
        [&](size_t, HttpResult&& r) { out = std::move(r); });
    return out;
  }

  static inline std::string dir_;
  static inline bool ok_ = false;
};

TEST_F(HttpTls, TrustsAServerSignedByTheConfiguredCaBundle) {
  TlsServer server(dir_ + "/server.pem", dir_ + "/server.key");
  HttpResult r = Get(server.port(), dir_ + "/ca.pem");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, R"({"tls":true})");
  EXPECT_EQ(server.served(), 1);
}

TEST_F(HttpTls, RefusesAnUnknownCaAndDoesNotRetry) {
  TlsServer server(dir_ + "/server.pem", dir_ + "/server.key");
  HttpResult r = Get(server.port(), "");  // the system store does not know the test CA
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.attempts, 1u);  // a certificate problem is not transient
  EXPECT_NE(r.error.find("curl 60"), std::string::npos) << r.error;
  EXPECT_EQ(server.served(), 0);
}

}  // namespace
}  // namespace journeykit::internal

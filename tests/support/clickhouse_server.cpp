// clickhouse_server.cpp — starting, querying and stopping a private clickhouse-server.
#include "support/clickhouse_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace journeykit::testing {

namespace {

namespace fs = std::filesystem;

// Whether 127.0.0.1:port can be bound now (a fixed port another program holds cannot).
bool PortFree(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

uint16_t FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

void Write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

HttpAnswer HttpCall(uint16_t port, std::string_view method, std::string_view target,
                    std::string_view body, std::string_view user, std::string_view password) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"X-ClickHouse-User", std::string(user)}};
  if (!password.empty()) headers.emplace_back("X-ClickHouse-Key", std::string(password));
  return HttpCallWithHeaders(port, method, target, body, headers);
}

HttpAnswer HttpCallWithHeaders(uint16_t port, std::string_view method, std::string_view target,
                               std::string_view body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  HttpAnswer out;
  try {
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> request{http::string_to_verb(std::string(method)),
                                             std::string(target), 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(stream, buffer, parser);
    out.status = static_cast<int>(parser.get().result_int());
    out.body = parser.get().body();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::string ClickHouseServer::FindBinary(bool* multi_call) {
  // An explicit choice (another version, or a check of the skip and failure paths).
  if (const char* chosen = std::getenv("JOURNEYKIT_CLICKHOUSE_SERVER"); chosen && *chosen) {
    *multi_call = fs::path(chosen).filename() == "clickhouse";
    return ::access(chosen, X_OK) == 0 ? std::string(chosen) : std::string();
  }
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  dirs.insert(dirs.end(), {"/usr/bin", "/usr/sbin", "/usr/local/bin"});
  for (const char* name : {"clickhouse-server", "clickhouse"}) {
    for (const std::string& dir : dirs) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) {
        *multi_call = std::string_view(name) == "clickhouse";
        return candidate;
      }
    }
  }
  return {};
}

ClickHouseServer::ClickHouseServer(uint16_t http_port, std::string writer_password)
    : writer_password_(std::move(writer_password)), http_port_(http_port) {
  try {
    Start();
  } catch (const std::exception& e) {
    error_ = std::string("could not start clickhouse-server: ") + e.what() + LogTail();
  }
}

void ClickHouseServer::Start() {
  bool multi_call = false;
  std::string binary = FindBinary(&multi_call);
  if (binary.empty()) {
    binary_missing_ = true;
    error_ = "clickhouse-server is not installed (Debian: apt-get install clickhouse-server)";
    return;
  }
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/jk-clickhouse-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  fs::path dir(dir_);
  for (const char* sub : {"data", "tmp", "user_files", "format_schemas"}) {
    fs::create_directories(dir / sub);
  }
  if (http_port_ != 0 && !PortFree(http_port_)) {
    throw std::runtime_error("port " + std::to_string(http_port_) +
                             " on 127.0.0.1 is in use by another program");
  }
  tcp_port_ = FreeLoopbackPort();
  if (http_port_ == 0) http_port_ = FreeLoopbackPort();
  while (http_port_ == tcp_port_) tcp_port_ = FreeLoopbackPort();
  if (tcp_port_ == 0 || http_port_ == 0) throw std::runtime_error("no free loopback port");
  Write(dir / "config.xml", R"(<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>)" + dir_ + R"(/server.log</log>
    <errorlog>)" + dir_ + R"(/server.err.log</errorlog>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>)" + std::to_string(tcp_port_) +
                                R"(</tcp_port>
  <http_port>)" + std::to_string(http_port_) +
                                R"(</http_port>
  <path>)" + dir_ + R"(/data/</path>
  <tmp_path>)" + dir_ + R"(/tmp/</tmp_path>
  <user_files_path>)" + dir_ + R"(/user_files/</user_files_path>
  <format_schema_path>)" + dir_ +
                                R"(/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <max_concurrent_queries>16</max_concurrent_queries>
  <users_config>)" + dir_ + R"(/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
</yandex>
)");
  Write(dir / "users.xml", R"(<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <)" + std::string(kWriter) +
                               R"(>
      <password>)" + writer_password_ +
                               R"(</password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </)" + std::string(kWriter) +
                               R"(>
  </users>
  <quotas><default></default></quotas>
</yandex>
)");
  std::string config_arg = "--config-file=" + dir_ + "/config.xml";
  std::string log = dir_ + "/stdout.log";
  std::vector<std::string> args = {binary};
  if (multi_call) args.emplace_back("server");
  args.push_back(config_arg);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {                       // child: only async-signal-safe calls
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    if (::getppid() != parent) ::_exit(1);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(binary + " exited before answering /ping (status " +
                               std::to_string(status) + ")");
    }
    HttpAnswer ping = HttpCall(http_port_, "GET", "/ping", "");
    if (ping.status == 200 && ping.body == "Ok.\n") break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(binary + " did not answer GET /ping within 30 s on port " +
                               std::to_string(http_port_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  version_ = Query("SELECT version()");
  while (!version_.empty() && version_.back() == '\n') version_.pop_back();
}

std::string ClickHouseServer::LogTail() const {
  std::string out;
  for (const char* name : {"stdout.log", "server.err.log"}) {
    std::ifstream in(dir_ + "/" + name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 2000) text = text.substr(text.size() - 2000);
    if (!text.empty()) out += "\n--- " + std::string(name) + " ---\n" + text;
  }
  return out;
}

std::string ClickHouseServer::Query(std::string_view sql) const {
  HttpAnswer a = HttpCall(http_port_, "POST", "/", sql);
  if (a.status != 200) {
    throw std::runtime_error("query failed (" +
                             (a.status == 0 ? a.error : "HTTP " + std::to_string(a.status)) +
                             "): " + a.body + " — query: " + std::string(sql));
  }
  return a.body;
}

ClickHouseServer::~ClickHouseServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

ClickHouseServer& SharedClickHouseServer() {
  // Destroyed at exit, which stops the server and removes its directory.
  static ClickHouseServer server;
  return server;
}

}  // namespace journeykit::testing

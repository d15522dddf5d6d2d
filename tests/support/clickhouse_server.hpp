// clickhouse_server.hpp — a private clickhouse-server for tests and the demo's receivers: started
// on loopback ports in a fresh temporary directory with a generated config, stopped and removed
// at the end.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace journeykit::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (error says why)
  std::string body;
  std::string error;
};

// A blocking HTTP/1.1 request to 127.0.0.1:port (Boost.Beast), for queries from tests.
HttpAnswer HttpCall(uint16_t port, std::string_view method, std::string_view target,
                    std::string_view body, std::string_view user = "default",
                    std::string_view password = "");
// The same with the request's own headers (no X-ClickHouse-* added).
HttpAnswer HttpCallWithHeaders(uint16_t port, std::string_view method, std::string_view target,
                               std::string_view body,
                               const std::vector<std::pair<std::string, std::string>>& headers);

class ClickHouseServer {
 public:
  // The user with a password that users.xml defines besides `default` (no password).
  static constexpr std::string_view kWriter = "jk_writer";
  static constexpr std::string_view kWriterPassword = "Wr1ter-pass-7c2e";

  // The binary ("clickhouse-server", or "clickhouse" run as "clickhouse server"): the path,
  // or "" when neither is on PATH, /usr/bin or /usr/sbin. $JOURNEYKIT_CLICKHOUSE_SERVER, when
  // set, names the binary instead.
  static std::string FindBinary(bool* multi_call);

  // Starts the server and waits (up to 30 s) until GET /ping answers "Ok.". On failure
  // error() says why (with the end of the server's log) and running() is false.
  // http_port 0: a free port; kWriter's password is writer_password.
  explicit ClickHouseServer(uint16_t http_port = 0,
                            std::string writer_password = std::string(kWriterPassword));
  ~ClickHouseServer();
  ClickHouseServer(const ClickHouseServer&) = delete;
  ClickHouseServer& operator=(const ClickHouseServer&) = delete;

  bool binary_missing() const { return binary_missing_; }
  bool running() const { return pid_ > 0 && error_.empty(); }
  const std::string& error() const { return error_; }
  uint16_t http_port() const { return http_port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  const std::string& version() const { return version_; }

  // Runs SQL as `default` (POST, statement in the body); the answer's body, or the error
  // ("HTTP 404: Code: 60, ...") as a thrown std::runtime_error.
  std::string Query(std::string_view sql) const;

 private:
  void Start();
  std::string LogTail() const;

  std::string writer_password_;
  std::string dir_;
  pid_t pid_ = -1;
  uint16_t http_port_ = 0;
  uint16_t tcp_port_ = 0;
  bool binary_missing_ = false;
  std::string error_;
  std::string version_;
};

// One server for the whole test program, started by the first test that needs it and
// stopped at exit (a gtest environment).
ClickHouseServer& SharedClickHouseServer();

}  // namespace journeykit::testing

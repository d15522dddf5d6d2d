// status.hpp — Status and Result<T>: expected failures as values (header-only).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace journeykit {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad config, bad pipeline file, bad arguments
  kDataError,        // a record of the input data that cannot be used
  kNotFound,         // file, plugin, stream, key
  kFailedPrecondition,
  kIo,           // file system or database
  kPluginError,  // a plugin reported a failure
  kCancelled,    // SIGINT/SIGTERM or an embedder's stop request
  kInternal,
};

// A Status is either OK or carries a code and a message that names what failed and what to do.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with context ("pipeline.json: sources[0]: " + message).
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return {code_, context + ": " + message_};
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status DataError(std::string message) {
  return {StatusCode::kDataError, std::move(message)};
}
inline Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
inline Status IoError(std::string message) { return {StatusCode::kIo, std::move(message)}; }
inline Status PluginError(std::string message) {
  return {StatusCode::kPluginError, std::move(message)};
}
inline Status Cancelled(std::string message) {
  return {StatusCode::kCancelled, std::move(message)};
}
inline Status FailedPrecondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
inline Status InternalError(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(data_).ok()) {
      std::fputs("journeykit: Result constructed from an OK Status\n", stderr);
      std::abort();
    }
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace journeykit

#define JK_CONCAT_INNER(a, b) a##b
#define JK_CONCAT(a, b) JK_CONCAT_INNER(a, b)

#define JK_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                     \
    ::journeykit::Status tmp = (expr);     \
    if (!tmp.ok()) return tmp;             \
  } while (false)

#define JK_RETURN_IF_ERROR(expr) JK_RETURN_IF_ERROR_IMPL(JK_CONCAT(jk_status_, __COUNTER__), expr)

#define JK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#define JK_ASSIGN_OR_RETURN(lhs, expr) \
  JK_ASSIGN_OR_RETURN_IMPL(JK_CONCAT(jk_result_, __COUNTER__), lhs, expr)

// hubspot_responses.hpp — reading HubSpot's batch results (200/207) and error bodies.
#pragma once

#include <journeykit/status.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::hubspot {

// HubSpot's error envelope, {"status":"error","message":…,"correlationId":…,"category":…},
// and the newer 429 form {"errorType":"RATE_LIMIT","policyName":…}. Fields it lacks are empty.
struct ApiError {
  std::string category;
  std::string message;
  std::string correlation_id;
  std::string error_type;            // 429: "RATE_LIMIT"
  std::string policy_name;           // 429: "TEN_SECONDLY_ROLLING", "SECONDLY", "DAILY"
  std::vector<std::string> details;  // errors[].message of a validation error

  bool empty() const { return category.empty() && message.empty() && error_type.empty(); }
};

// Lenient: a body that is not a JSON object gives an empty ApiError.
ApiError ParseApiError(std::string_view body);

// "VALIDATION_ERROR: <message> [<detail>; …] (correlationId …)"; "" for an empty error.
std::string DescribeApiError(const ApiError& error);

// One entry of a 207's "errors": which inputs it is about, by trace id or by id.
struct InputError {
  std::string category;
  std::string message;
  std::vector<std::string> trace_ids;  // context.objectWriteTraceId
  std::vector<std::string> ids;        // context.ids (and other context lists naming inputs)
};

struct BatchResult {
  std::string status;  // COMPLETE, PENDING, ...
  size_t results = 0;
  size_t created = 0;  // results with "new": true
  std::vector<InputError> errors;
};

// A 200/201/207 body of a batch call; an error when it is not a JSON object.
Result<BatchResult> ParseBatchResult(std::string_view body);

}  // namespace journeykit::hubspot

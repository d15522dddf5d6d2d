// hubspot_responses.cpp — batch results and error envelopes (simdjson DOM, lenient fields).
#include "hubspot_responses.hpp"

#include <journeykit/kit/json_fields.hpp>

#include <simdjson.h>

namespace journeykit::hubspot {

namespace {

// The strings of a list (or a lone scalar) under o[key].
std::vector<std::string> TextList(simdjson::dom::object o, std::string_view key) {
  std::vector<std::string> out;
  auto e = kit::Field(o, key);
  if (!e) return out;
  simdjson::dom::array list;
  if (e->get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : list) {
      std::string s = kit::ScalarText(item);
      if (!s.empty()) out.push_back(std::move(s));
    }
  } else if (std::string s = kit::ScalarText(*e); !s.empty()) {
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

ApiError ParseApiError(std::string_view body) {
  ApiError out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object o;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    return out;
  }
  out.category = kit::TextField(o, "category");
  out.message = kit::TextField(o, "message");
  out.correlation_id = kit::TextField(o, "correlationId");
  out.error_type = kit::TextField(o, "errorType");
  out.policy_name = kit::TextField(o, "policyName");
  if (auto e = kit::Field(o, "errors")) {
    simdjson::dom::array list;
    if (e->get_array().get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : list) {
        simdjson::dom::object detail;
        if (item.get_object().get(detail) != simdjson::SUCCESS) continue;
        std::string m = kit::TextField(detail, "message");
        if (!m.empty()) out.details.push_back(std::move(m));
      }
    }
  }
  return out;
}

std::string DescribeApiError(const ApiError& error) {
  if (error.empty()) return {};
  std::string out = !error.category.empty() ? error.category : error.error_type;
  if (!error.policy_name.empty()) out += (out.empty() ? "" : " ") + error.policy_name;
  if (!error.message.empty()) out += (out.empty() ? "" : ": ") + error.message;
  std::string details;
  size_t shown = 0;
  for (const std::string& d : error.details) {
    if (d == error.message || shown == 5) continue;
    details += (shown++ == 0 ? "" : "; ") + d;
  }
  if (!details.empty()) out += " [" + details + "]";
  if (!error.correlation_id.empty()) out += " (correlationId " + error.correlation_id + ")";
  return out;
}

Result<BatchResult> ParseBatchResult(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object o;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    return DataError("the response is not a JSON object");
  }
  BatchResult out;
  out.status = kit::TextField(o, "status");
  if (auto e = kit::Field(o, "results")) {
    simdjson::dom::array list;
    if (e->get_array().get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : list) {
        ++out.results;
        bool created = false;
        if (item["new"].get_bool().get(created) == simdjson::SUCCESS && created) ++out.created;
      }
    }
  }
  if (auto e = kit::Field(o, "errors")) {
    simdjson::dom::array list;
    if (e->get_array().get(list) != simdjson::SUCCESS) {
      return DataError("'errors' is not a list");
    }
    for (simdjson::dom::element item : list) {
      InputError error;
      simdjson::dom::object entry;
      if (item.get_object().get(entry) == simdjson::SUCCESS) {
        error.category = kit::TextField(entry, "category");
        error.message = kit::TextField(entry, "message");
        if (auto c = kit::Field(entry, "context")) {
          simdjson::dom::object context;
          if (c->get_object().get(context) == simdjson::SUCCESS) {
            error.trace_ids = TextList(context, "objectWriteTraceId");
            for (std::string_view key : {"ids", "id", "email"}) {
              for (std::string& id : TextList(context, key)) error.ids.push_back(std::move(id));
            }
          }
        }
      }
      out.errors.push_back(std::move(error));
    }
  }
  // numErrors larger than the listed errors: the unlisted ones cannot be identified.
  if (auto n = kit::NumberField(o, "numErrors"); n && *n > static_cast<double>(out.errors.size())) {
    size_t missing = static_cast<size_t>(*n) - out.errors.size();
    for (size_t i = 0; i < missing; ++i) out.errors.push_back(InputError{});
  }
  return out;
}

}  // namespace journeykit::hubspot

// trustpilot_review_mapper.cpp — Trustpilot review objects → JourneyKit events.
#include "trustpilot_review_mapper.hpp"

#include <simdjson.h>

#include <journeykit/kit/json_fields.hpp>
#include <journeykit/kit/reviews.hpp>
#include <journeykit/kit/time_parse.hpp>

#include <charconv>
#include <optional>

namespace journeykit::trustpilot {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string_view Str(const object& o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// A number, or its text ("4"); nullopt otherwise.
std::optional<double> Number(const object& o, std::string_view key) {
  return kit::NumberField(o, key);
}

std::optional<int64_t> Time(const object& o, std::string_view key) {
  std::string_view s = Str(o, key);
  if (s.empty()) return std::nullopt;
  Result<int64_t> t = kit::TimeFromString(s, kit::TimeFormat::kAuto);
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::string Text(const object& o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) return {};
  std::string_view s;
  bool b = false;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  if (e.get_bool().get(b) == simdjson::SUCCESS) return b ? "true" : "false";
  if (e.is_number()) return simdjson::to_string(e);
  return {};
}

Result<plugin::Event> MapReview(const object& review, std::string_view business_unit_id,
                                int64_t* created_us) {
  std::string id = Text(review, "id");
  if (id.empty()) return DataError("the review has no \"id\"");
  std::optional<int64_t> created = Time(review, "createdAt");
  if (!created) return DataError("review " + id + " has no readable \"createdAt\"");
  *created_us = *created;

  plugin::Event e;
  e.time_us = *created;
  e.event_id = id;
  e.action = "review";
  std::string title(Str(review, "title"));
  std::string text(Str(review, "text"));
  e.text = title.empty() ? text : text.empty() ? title : title + "\n\n" + text;
  std::optional<double> stars = Number(review, "stars");
  if (stars && *stars >= 1 && *stars <= 5) {
    e.rating = *stars;
    e.sentiment = kit::SentimentFromStars(*stars);
  }
  std::string email(Str(review, "referralEmail"));  // private API only
  if (!email.empty()) e.identities.emplace_back("email", email);
  e.hints.emplace_back("channel", "trustpilot");
  e.properties.emplace_back("business_unit_id", std::string(business_unit_id));
  e.properties.emplace_back("review_id", id);
  if (e.rating) e.properties.emplace_back("stars", Text(review, "stars"));
  object consumer;
  if (review["consumer"].get_object().get(consumer) == simdjson::SUCCESS) {
    std::string consumer_id = Text(consumer, "id");
    std::string name(Str(consumer, "displayName"));
    if (!consumer_id.empty()) e.properties.emplace_back("consumer_id", consumer_id);
    if (!name.empty()) e.properties.emplace_back("consumer_name", name);
  }
  for (std::string_view key : {"language", "referenceId", "source", "isVerified"}) {
    std::string v = Text(review, key);
    if (v.empty()) continue;
    std::string name = key == "referenceId"  ? "reference_id"
                       : key == "isVerified" ? "verified"
                                             : std::string(key);
    e.properties.emplace_back(name, v);
  }
  object reply;
  const bool replied = review["companyReply"].get_object().get(reply) == simdjson::SUCCESS;
  kit::AddReplyProperties(e, replied, *created, replied ? Time(reply, "createdAt") : std::nullopt);
  return e;
}

}  // namespace

Result<ReviewsPage> ParseReviewsPage(std::string_view body, std::string_view business_unit_id) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return DataError(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  }
  object page;
  if (root.get_object().get(page) != simdjson::SUCCESS) {
    return DataError("the response is not a JSON object");
  }
  ReviewsPage out;
  simdjson::dom::array links;
  if (page["links"].get_array().get(links) == simdjson::SUCCESS) {
    for (element link : links) {
      object l;
      if (link.get_object().get(l) == simdjson::SUCCESS && Str(l, "rel") == "next-page") {
        out.has_next_link = true;
      }
    }
  }
  element reviews_element;
  if (page["reviews"].get(reviews_element) != simdjson::SUCCESS || reviews_element.is_null()) {
    return out;
  }
  simdjson::dom::array reviews;
  if (reviews_element.get_array().get(reviews) != simdjson::SUCCESS) {
    return DataError("\"reviews\" is not a list");
  }
  size_t index = 0;
  for (element item : reviews) {
    object review;
    int64_t created_us = 0;
    if (item.get_object().get(review) != simdjson::SUCCESS) {
      out.rejected.push_back({index, "the review is not a JSON object", simdjson::to_string(item)});
    } else if (Result<plugin::Event> e = MapReview(review, business_unit_id, &created_us); e.ok()) {
      out.events.push_back(std::move(*e));
      out.created_us.push_back(created_us);
    } else {
      out.rejected.push_back({index, e.status().message(), simdjson::to_string(item)});
    }
    ++index;
  }
  out.review_count = index;
  return out;
}

std::string TrustpilotErrorText(std::string_view body) {
  simdjson::dom::parser parser;
  object o;
  if (parser.parse(body.data(), body.size()).get_object().get(o) != simdjson::SUCCESS) return {};
  std::string message = Text(o, "message");
  std::string details = Text(o, "details");
  std::string code = Text(o, "errorCode");
  std::string out = message;
  if (!details.empty()) out += (out.empty() ? "" : ": ") + details;
  if (!code.empty()) out += " (errorCode " + code + ")";
  return out;
}

}  // namespace journeykit::trustpilot

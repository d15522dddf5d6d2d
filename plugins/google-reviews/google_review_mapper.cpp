// google_review_mapper.cpp — Business Profile review objects → JourneyKit events.
#include "google_review_mapper.hpp"

#include <simdjson.h>

#include <journeykit/kit/reviews.hpp>
#include <journeykit/kit/time_parse.hpp>

#include <charconv>

namespace journeykit::google_reviews {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// A string field ("" when absent, null or not a string).
std::string_view Str(const object& o, std::string_view key) {
  std::string_view s;
  if (o[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// A time field as UTC µs: RFC 3339 text, or an epoch number (seconds / ms by magnitude).
std::optional<int64_t> Time(const object& o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  Result<int64_t> t = InternalError("unset");
  std::string_view s;
  int64_t i = 0;
  double d = 0;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    if (s.empty()) return std::nullopt;
    t = kit::TimeFromString(s, kit::TimeFormat::kAuto);
  } else if (e.get_int64().get(i) == simdjson::SUCCESS) {
    t = kit::TimeFromInteger(i, kit::TimeFormat::kAuto);
  } else if (e.get_double().get(d) == simdjson::SUCCESS) {
    t = kit::TimeFromDouble(d, kit::TimeFormat::kAuto);
  } else {
    return std::nullopt;
  }
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::optional<int> StarRatingOf(const element& e) {
  std::string_view s;
  int64_t i = 0;
  double d = 0;
  if (e.get_string().get(s) == simdjson::SUCCESS) return StarRating(s);
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    if (i >= 1 && i <= 5) return static_cast<int>(i);
  } else if (e.get_double().get(d) == simdjson::SUCCESS) {
    if (d >= 1 && d <= 5 && d == static_cast<int>(d)) return static_cast<int>(d);
  }
  return std::nullopt;
}

bool Bool(const object& o, std::string_view key) {
  element e;
  if (o[key].get(e) != simdjson::SUCCESS) return false;
  bool b = false;
  if (e.get_bool().get(b) == simdjson::SUCCESS) return b;
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS && s == "true";  // tolerate "true"
}

// Maps one review object; the reason on failure.
Result<plugin::Event> MapReview(const object& review, std::string_view location,
                                const MapperOptions& options, int64_t* update_us) {
  std::string review_id(Str(review, "reviewId"));
  if (review_id.empty()) {
    std::string_view name = Str(review, "name");
    size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) review_id = std::string(name.substr(slash + 1));
  }
  if (review_id.empty()) return DataError("the review has neither \"reviewId\" nor \"name\"");
  std::optional<int64_t> created = Time(review, "createTime");
  std::optional<int64_t> updated = Time(review, "updateTime");
  if (!updated) updated = created;
  if (!updated) {
    return DataError("review " + review_id + " has no readable \"updateTime\" or \"createTime\"");
  }
  if (!created) created = updated;
  *update_us = *updated;

  plugin::Event e;
  e.time_us = *updated;  // the time of this version (the creation for an unedited review)
  // One event per version: an edited review (new updateTime) is a new event.
  e.event_id = review_id + "@" + std::to_string(*updated);
  e.action = "review";
  e.text = std::string(Str(review, "comment"));
  element stars;
  std::optional<int> rating;
  if (review["starRating"].get(stars) == simdjson::SUCCESS) rating = StarRatingOf(stars);
  if (rating) {
    e.rating = *rating;
    e.sentiment = kit::SentimentFromStars(*rating);
  }
  e.hints.emplace_back("channel", "google_reviews");
  e.properties.emplace_back("location", std::string(location));
  e.properties.emplace_back("review_id", review_id);
  if (rating) e.properties.emplace_back("stars", std::to_string(*rating));
  object reviewer;
  if (review["reviewer"].get_object().get(reviewer) == simdjson::SUCCESS) {
    std::string_view name = Str(reviewer, "displayName");
    if (!Bool(reviewer, "isAnonymous") && !name.empty()) {
      e.properties.emplace_back("reviewer_name", std::string(name));
      if (!options.reviewer_identity.empty()) {
        e.identities.emplace_back(options.reviewer_identity, std::string(name));
      }
    }
  }
  if (*updated != *created) e.properties.emplace_back("edited", "true");
  object reply;
  const bool replied = review["reviewReply"].get_object().get(reply) == simdjson::SUCCESS;
  kit::AddReplyProperties(e, replied, *created, replied ? Time(reply, "updateTime") : std::nullopt);
  return e;
}

}  // namespace

std::optional<int> StarRating(std::string_view text) {
  static constexpr std::string_view kNames[] = {"ONE", "TWO", "THREE", "FOUR", "FIVE"};
  for (int i = 0; i < 5; ++i) {
    if (text == kNames[i]) return i + 1;
  }
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size() && n >= 1 && n <= 5) return n;
  return std::nullopt;
}

Result<ReviewsPage> ParseReviewsPage(std::string_view body, std::string_view location,
                                     const MapperOptions& options) {
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
  out.next_page_token = std::string(Str(page, "nextPageToken"));
  element reviews_element;
  if (page["reviews"].get(reviews_element) != simdjson::SUCCESS || reviews_element.is_null()) {
    return out;  // an empty result has no "reviews" at all
  }
  simdjson::dom::array reviews;
  if (reviews_element.get_array().get(reviews) != simdjson::SUCCESS) {
    return DataError("\"reviews\" is not a list");
  }
  size_t index = 0;
  for (element item : reviews) {
    object review;
    int64_t update_us = 0;
    if (item.get_object().get(review) != simdjson::SUCCESS) {
      out.rejected.push_back({index, "the review is not a JSON object", simdjson::to_string(item)});
    } else if (Result<plugin::Event> e = MapReview(review, location, options, &update_us); e.ok()) {
      out.events.push_back(std::move(*e));
      out.update_us.push_back(update_us);
    } else {
      out.rejected.push_back({index, e.status().message(), simdjson::to_string(item)});
    }
    ++index;
  }
  return out;
}

}  // namespace journeykit::google_reviews

// reviews.hpp — what every review source maps the same way: stars → sentiment, and the
// business's reply as the "replied" / "reply_delay_s" properties the pain-point analysis reads
// (docs/metrics.md, slow review replies).
#pragma once

#include <journeykit/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace journeykit::kit {

// The SDK's rating → sentiment mapping for 1..5 ratings (sdk/src/voice.cpp): linear, 1 → −1,
// 3 → 0, 5 → +1.
inline double SentimentFromStars(double stars) { return (stars - 3) / 2.0; }

// "replied" = true/false; "reply_delay_s" = whole seconds from the review to the reply, when
// the reply's time is known and not before the review.
inline void AddReplyProperties(plugin::Event& e, bool replied, int64_t review_us,
                               std::optional<int64_t> reply_us) {
  e.properties.emplace_back("replied", replied ? "true" : "false");
  if (replied && reply_us && *reply_us >= review_us) {
    e.properties.emplace_back("reply_delay_s", std::to_string((*reply_us - review_us) / 1000000));
  }
}

}  // namespace journeykit::kit

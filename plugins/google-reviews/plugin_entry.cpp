// plugin_entry.cpp — exports GoogleReviewsSource as the "google-reviews" plugin.
#include "google_reviews_source.hpp"

JOURNEYKIT_SOURCE_PLUGIN(journeykit::google_reviews::GoogleReviewsSource, "google-reviews", "0.1.0",
                         "Google Business Profile reviews (reviews.list v4) as events",
                         journeykit::google_reviews::kConfigFields)

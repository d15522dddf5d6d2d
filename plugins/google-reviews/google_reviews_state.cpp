// google_reviews_state.cpp — reads and writes the per-location cursors.
#include "google_reviews_state.hpp"

#include <simdjson.h>

#include <journeykit/json_writer.hpp>

namespace journeykit::google_reviews {

Result<ReviewsState> ReviewsState::Parse(std::string_view json) {
  ReviewsState state;
  if (json.empty()) return state;
  auto invalid = [](const std::string& why) {
    return InvalidArgument("google-reviews: the saved state is not valid (" + why +
                           "); reset the source's state (--full-refresh) to read every review "
                           "again");
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return invalid(simdjson::error_message(error));
  }
  simdjson::dom::object locations;
  if (root["locations"].get_object().get(locations) != simdjson::SUCCESS) {
    return invalid("no \"locations\" object");
  }
  for (auto [name, value] : locations) {
    LocationCursor cursor;
    if (value["newest_update_us"].get_int64().get(cursor.newest_update_us) != simdjson::SUCCESS) {
      return invalid("no newest_update_us for " + std::string(name));
    }
    simdjson::dom::object run;
    if (value["run"].get_object().get(run) == simdjson::SUCCESS) {
      LocationRun r;
      std::string_view token;
      if (run["next_page"].get_int64().get(r.next_page) != simdjson::SUCCESS ||
          run["page_token"].get_string().get(token) != simdjson::SUCCESS ||
          run["newest_update_us"].get_int64().get(r.newest_update_us) != simdjson::SUCCESS) {
        return invalid("bad run of " + std::string(name));
      }
      r.page_token = std::string(token);
      cursor.run = r;
    }
    state.locations_[std::string(name)] = cursor;
  }
  return state;
}

std::string ReviewsState::ToJson() const {
  std::string out;
  json::JsonObjectWriter root(out);
  root.Int("version", 1).Key("locations");
  json::JsonObjectWriter all(out);
  for (const auto& [name, cursor] : locations_) {
    all.Key(name);
    json::JsonObjectWriter entry(out);
    entry.Int("newest_update_us", cursor.newest_update_us);
    if (cursor.run) {
      entry.Key("run");
      json::JsonObjectWriter run(out);
      run.Int("next_page", cursor.run->next_page)
          .String("page_token", cursor.run->page_token)
          .Int("newest_update_us", cursor.run->newest_update_us);
      run.Close();
    }
    entry.Close();
  }
  all.Close();
  root.Close();
  return out;
}

}  // namespace journeykit::google_reviews

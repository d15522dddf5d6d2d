// trustpilot_state.cpp — reads and writes the reviews cursor.
#include "trustpilot_state.hpp"

#include <simdjson.h>

#include <journeykit/json_writer.hpp>

namespace journeykit::trustpilot {

Result<ReviewsState> ReviewsState::Parse(std::string_view json) {
  ReviewsState state;
  if (json.empty()) return state;
  auto invalid = [](const std::string& why) {
    return InvalidArgument("trustpilot: the saved state is not valid (" + why +
                           "); reset the source's state (--full-refresh) to read every review "
                           "again");
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return invalid(simdjson::error_message(error));
  }
  if (root["newest_created_us"].get_int64().get(state.newest_created_us) != simdjson::SUCCESS) {
    return invalid("no newest_created_us");
  }
  simdjson::dom::object run;
  if (root["run"].get_object().get(run) == simdjson::SUCCESS) {
    ReviewsRun r;
    if (run["next_page"].get_int64().get(r.next_page) != simdjson::SUCCESS ||
        run["newest_created_us"].get_int64().get(r.newest_created_us) != simdjson::SUCCESS) {
      return invalid("bad run");
    }
    state.run = r;
  }
  return state;
}

std::string ReviewsState::ToJson() const {
  std::string out;
  json::JsonObjectWriter root(out);
  root.Int("version", 1).Int("newest_created_us", newest_created_us);
  if (run) {
    root.Key("run");
    json::JsonObjectWriter r(out);
    r.Int("next_page", run->next_page).Int("newest_created_us", run->newest_created_us);
    r.Close();
  }
  root.Close();
  return out;
}

}  // namespace journeykit::trustpilot

// compact_ingest.hpp — compact NDJSON (journeykit-bench-generate --format compact) into an
// EventStore, in process: simdjson On-Demand over the whole buffer, one reused Event mapped
// exactly as the events-file plugin maps a line with the pipeline of run_end_to_end.sh (time
// ts epoch_ms → µs, action, identity user_id, hint channel, value revenue, source "events").
// Shared by journeykit-bench-compare-funnel and journeykit-bench-map.
#pragma once

#include <journeykit/event.hpp>
#include <journeykit/event_store.hpp>

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace jk_bench {

[[noreturn]] inline void Die(const char* tool, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", tool, message.c_str());
  std::exit(1);
}

// Appends every line of `text` to `store`; exits naming the line on a malformed one.
inline void IngestCompact(const simdjson::padded_string& text, journeykit::EventStore& store,
                          const char* tool) {
  journeykit::Event e;
  e.source = "events";
  e.identities.assign(1, {"user_id", ""});
  e.hints.assign(1, {"channel", ""});
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document_stream docs;
  if (auto error = parser.iterate_many(text, 1 << 20).get(docs)) {
    Die(tool, std::string("iterate_many: ") + simdjson::error_message(error));
  }
  size_t line = 0;
  auto fail = [&](const std::string& what) { Die(tool, "line " + std::to_string(line) + what); };
  for (auto it = docs.begin(); it != docs.end(); ++it) {
    ++line;
    simdjson::ondemand::document_reference doc;
    if ((*it).get(doc)) fail(": not a JSON document");
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj)) fail(": not an object");
    std::string_view user, channel, action;
    int64_t ts = 0;
    bool has_ts = false;
    e.value.reset();
    // One pass over the fields in file order (no per-key lookups).
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) fail(": bad key");
      auto value = field.value();
      simdjson::error_code error = simdjson::SUCCESS;
      if (key == "user_id") {
        error = value.get_string().get(user);
      } else if (key == "ts") {
        error = value.get_int64().get(ts);
        has_ts = error == simdjson::SUCCESS;
      } else if (key == "channel") {
        error = value.get_string().get(channel);
      } else if (key == "action") {
        error = value.get_string().get(action);
      } else if (key == "revenue") {
        double revenue = 0;
        error = value.get_double().get(revenue);
        if (!error) e.value = revenue;
      }
      if (error) fail(": field '" + std::string(key) + "': " + simdjson::error_message(error));
    }
    if (!has_ts || action.empty() || user.empty()) fail(": ts, action and user_id are required");
    e.time_us = ts * 1000;
    e.action.assign(action);
    e.identities[0].second.assign(user);
    if (channel.empty()) {
      e.hints.clear();
    } else {
      if (e.hints.empty()) e.hints.assign(1, {"channel", ""});
      e.hints[0].second.assign(channel);
    }
    store.Append(e);
  }
  if (docs.truncated_bytes() != 0) Die(tool, "the file ends inside a JSON document");
}

}  // namespace jk_bench

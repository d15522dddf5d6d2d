// compact_ingest.hpp — compact NDJSON (journeykit-bench-generate --format compact) into an
// EventStore, in process: simdjson On-Demand over the whole buffer, one reused Event mapped
// exactly as the events-file plugin maps a line with the pipeline of run_end_to_end.sh (time
// ts epoch_ms → µs, action, identity user_id, hint channel, value revenue, source "events").
// Shared by journeykit-bench-compare-funnel and journeykit-bench-map, with their small helpers
// (Die, Since, ReadFile). IngestCompactParallel
// splits the file at line boundaries, fills one store per part on its own thread and appends
// them in file order (EventStore::AppendStore): the same store as one thread makes.
#pragma once

#include <journeykit/event.hpp>
#include <journeykit/event_store.hpp>

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace jk_bench {

// Seconds since t0.
inline double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

[[noreturn]] inline void Die(const char* tool, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", tool, message.c_str());
  std::exit(1);
}

// Reads the whole file into a padded buffer, in `threads` byte ranges at once (pread): each
// thread copies (and page-faults) its own part of the fresh buffer.
inline simdjson::padded_string ReadFile(const std::string& path, unsigned threads,
                                        const char* tool) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    Die(tool, "cannot read " + path + ": " + std::strerror(errno));
  }
  const auto size = static_cast<size_t>(st.st_size);
  simdjson::padded_string text(size);
  std::atomic<int> error{0};
  auto read_range = [&](size_t begin, size_t end) {
    while (begin < end) {
      const ssize_t n = ::pread(fd, text.data() + begin, end - begin, static_cast<off_t>(begin));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = n < 0 ? errno : EIO;  // 0: the file shrank while being read
        return;
      }
      begin += static_cast<size_t>(n);
    }
  };
  threads = std::max(1u, threads);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(read_range, size / threads * t,
                      t + 1 == threads ? size : size / threads * (t + 1));
  }
  read_range(0, threads == 1 ? size : size / threads);
  for (std::thread& th : pool) th.join();
  ::close(fd);
  if (error != 0) Die(tool, "cannot read " + path + ": " + std::strerror(error));
  return text;
}

// Appends the lines of text[begin, end) to `store`; exits naming the line on a malformed one.
// `end` is at a line boundary or the end of the text (the bytes after it stay readable: the
// rest of the padded text).
inline void IngestCompactRange(const simdjson::padded_string& text, size_t begin, size_t end,
                               journeykit::EventStore& store, const char* tool) {
  journeykit::Event e;
  e.source = "events";
  e.identities.assign(1, {"user_id", ""});
  e.hints.assign(1, {"channel", ""});
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document_stream docs;
  if (auto error = parser.iterate_many(text.data() + begin, end - begin, 1 << 20).get(docs)) {
    Die(tool, std::string("iterate_many: ") + simdjson::error_message(error));
  }
  size_t line = 0;
  auto fail = [&](const std::string& what) {
    const size_t before = static_cast<size_t>(std::count(text.data(), text.data() + begin, '\n'));
    Die(tool, "line " + std::to_string(before + line) + what);
  };
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

inline void IngestCompact(const simdjson::padded_string& text, journeykit::EventStore& store,
                          const char* tool) {
  IngestCompactRange(text, 0, text.size(), store, tool);
}

// `threads` parts of about equal size, each ending after a newline (the last at the end).
inline void IngestCompactParallel(const simdjson::padded_string& text,
                                  journeykit::EventStore& store, unsigned threads,
                                  const char* tool) {
  if (threads <= 1) return IngestCompact(text, store, tool);
  std::vector<size_t> cuts{0};
  for (unsigned t = 1; t < threads; ++t) {
    size_t at = std::max(cuts.back(), text.size() / threads * t);
    const void* nl =
        at < text.size() ? std::memchr(text.data() + at, '\n', text.size() - at) : nullptr;
    at = nl == nullptr ? text.size()
                       : static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
    cuts.push_back(at);
  }
  cuts.push_back(text.size());
  std::vector<journeykit::EventStore> parts;
  parts.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) {
    parts.emplace_back(store.model());
    parts.back().Reserve((cuts[t + 1] - cuts[t]) / 70 + 16);
  }
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    pool.emplace_back(
        [&, t] { IngestCompactRange(text, cuts[t], cuts[t + 1], parts[t - 1], tool); });
  }
  IngestCompactRange(text, cuts[0], cuts[1], store, tool);
  for (std::thread& th : pool) th.join();
  for (const journeykit::EventStore& part : parts) {
    if (journeykit::Status s = store.AppendStore(part); !s.ok()) Die(tool, s.message());
  }
}

}  // namespace jk_bench

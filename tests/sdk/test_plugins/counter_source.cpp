// counter_source.cpp — a controllable source plugin for host tests: emits events e1..eN.
//
// Config: count (events), batch (events per checkpoint), persons (ids cycle through them),
// bad_every (every k-th record is reported as bad), fail_at (return an error at that event),
// sleep_ms (per batch, to make runs long enough to interrupt), nan_every (every k-th purchase
// carries a NaN value).
#include <journeykit/plugin.hpp>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>

namespace {

class CounterSource : public journeykit::plugin::Source {
 public:
  CounterSource(journeykit::plugin::Host& host, const journeykit::plugin::Config& config)
      : host_(host),
        count_(config.integer("count")),
        batch_(config.integer("batch")),
        persons_(config.integer("persons")),
        bad_every_(config.integer("bad_every")),
        fail_at_(config.integer("fail_at")),
        sleep_ms_(config.integer("sleep_ms")),
        nan_every_(config.integer("nan_every")) {
    if (batch_ <= 0) throw std::invalid_argument("batch must be positive");
  }

  journeykit::Status check() override {
    if (count_ < 0) return journeykit::InvalidArgument("count must not be negative");
    return journeykit::Status::Ok();
  }

  std::vector<std::string> streams() override { return {"numbers"}; }

  journeykit::Status read(std::string_view stream, std::string_view state) override {
    int64_t next = state.empty() ? 1 : std::stoll(std::string(state)) + 1;
    std::vector<journeykit::plugin::Event> events;
    for (int64_t n = next; n <= count_; ++n) {
      if (fail_at_ > 0 && n == fail_at_) {
        return journeykit::PluginError("simulated failure at event " + std::to_string(n));
      }
      if (bad_every_ > 0 && n % bad_every_ == 0) {
        JK_RETURN_IF_ERROR(host_.bad_record("numbers:" + std::to_string(n), "simulated bad record",
                                            "{\"n\":" + std::to_string(n) + "}"));
      } else {
        journeykit::plugin::Event e;
        e.time_us = 1'700'000'000'000'000 + n * 1'000'000;
        e.event_id = "e" + std::to_string(n);
        e.action = n % 10 == 0 ? "purchase" : "page_view";
        e.identities.emplace_back("user_id", "u" + std::to_string(n % persons_));
        if (n % 7 == 0)
          e.identities.emplace_back("email",
                                    " User" + std::to_string(n % persons_) + "@Example.org ");
        e.hints.emplace_back("url", "https://example.org/p/" + std::to_string(n % 5));
        if (n % 10 == 0) e.value = 10.0;
        if (n % 10 == 0 && nan_every_ > 0 && n % nan_every_ == 0) e.value = std::nan("");
        events.push_back(std::move(e));
      }
      if (n % batch_ == 0 || n == count_) {
        JK_RETURN_IF_ERROR(host_.emit(stream, events));
        events.clear();
        JK_RETURN_IF_ERROR(host_.checkpoint(stream, std::to_string(n)));
        host_.progress(static_cast<uint64_t>(n) * 100, static_cast<uint64_t>(n));
        if (sleep_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
        if (host_.cancelled())
          return journeykit::Cancelled("stopped at event " + std::to_string(n));
      }
    }
    return journeykit::Status::Ok();
  }

 private:
  journeykit::plugin::Host& host_;
  int64_t count_, batch_, persons_, bad_every_, fail_at_, sleep_ms_, nan_every_;
};

const jk_config_field kConfig[] = {
    {"count", JK_CONFIG_INT, 1, 0, nullptr, "How many events"},
    {"batch", JK_CONFIG_INT, 0, 0, "100", "Events per checkpoint"},
    {"persons", JK_CONFIG_INT, 0, 0, "10", "Distinct user ids"},
    {"bad_every", JK_CONFIG_INT, 0, 0, "0", "Every k-th record is bad (0: none)"},
    {"fail_at", JK_CONFIG_INT, 0, 0, "0", "Fail at this event (0: never)"},
    {"sleep_ms", JK_CONFIG_INT, 0, 0, "0", "Pause after each batch"},
    {"nan_every", JK_CONFIG_INT, 0, 0, "0", "Every k-th event, if a purchase, has value NaN"},
    {"token", JK_CONFIG_STRING, 0, 1, nullptr, "A secret that must never be printed"},
};

}  // namespace

JOURNEYKIT_SOURCE_PLUGIN(CounterSource, "counter", "1.0.0", "Test source emitting e1..eN", kConfig)

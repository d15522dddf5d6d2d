// probe_connector.cpp — a controllable connector plugin for delivery tests.
//
// Every accepted record is appended to `log` (one line: write number, type, key, JSON) and the file
// is flushed before write() returns, so a test (or a killed process's successor) can count
// exactly what the "destination" accepted.
// Config: log (file), fail_batches (the first N writes of this instance fail), fail_all,
// reject_keys (refused one by one via Host::reject), block_ms (each write waits this long,
// in 10 ms steps that watch for cancellation), fail_check.
#include <journeykit/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace {

class ProbeConnector : public journeykit::plugin::Connector {
 public:
  ProbeConnector(journeykit::plugin::Host& host, const journeykit::plugin::Config& config)
      : host_(host),
        log_(host.resolve_path(config.string("log"))),
        fail_batches_(config.integer("fail_batches")),
        fail_all_(config.boolean("fail_all")),
        reject_keys_(config.string_list("reject_keys")),
        block_ms_(config.integer("block_ms")),
        fail_check_(config.boolean("fail_check")) {}

  journeykit::Status check() override {
    if (fail_check_) return journeykit::InvalidArgument("probe: fail_check is set");
    return journeykit::Status::Ok();
  }

  journeykit::Status write(std::span<const jk_record> records) override {
    ++writes_;
    for (int64_t waited = 0; waited < block_ms_; waited += 10) {
      if (host_.cancelled()) return journeykit::Cancelled("probe: cancelled while blocked");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fail_all_ || writes_ <= fail_batches_) {
      return journeykit::PluginError("probe: simulated destination failure (write " +
                                     std::to_string(writes_) + ")");
    }
    std::ofstream out(log_, std::ios::app);
    for (const jk_record& r : records) {
      std::string key(journeykit::plugin::FromJk(r.key));
      if (std::find(reject_keys_.begin(), reject_keys_.end(), key) != reject_keys_.end()) {
        JK_RETURN_IF_ERROR(host_.reject(r, "probe: refused " + key));
        continue;
      }
      out << writes_ << ' ' << journeykit::plugin::FromJk(r.type) << ' ' << key << ' '
          << journeykit::plugin::FromJk(r.json) << '\n';
    }
    out.flush();
    if (!out) return journeykit::IoError("probe: cannot write " + log_);
    return journeykit::Status::Ok();
  }

  journeykit::Status flush() override { return journeykit::Status::Ok(); }

 private:
  journeykit::plugin::Host& host_;
  std::string log_;
  int64_t fail_batches_;
  bool fail_all_;
  std::vector<std::string> reject_keys_;
  int64_t block_ms_;
  bool fail_check_;
  int64_t writes_ = 0;
};

const jk_config_field kConfig[] = {
    {"log", JK_CONFIG_STRING, 1, 0, nullptr, "File the accepted records are appended to"},
    {"fail_batches", JK_CONFIG_INT, 0, 0, "0", "The first N writes fail"},
    {"fail_all", JK_CONFIG_BOOL, 0, 0, "false", "Every write fails"},
    {"reject_keys", JK_CONFIG_STRING_LIST, 0, 0, nullptr, "Keys refused one by one"},
    {"block_ms", JK_CONFIG_INT, 0, 0, "0", "Each write waits this long first"},
    {"fail_check", JK_CONFIG_BOOL, 0, 0, "false", "check() fails"},
};

}  // namespace

JOURNEYKIT_CONNECTOR_PLUGIN(ProbeConnector, "probe", "1.0.0", "Test connector that logs records",
                            kConfig)

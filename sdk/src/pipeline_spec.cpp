// pipeline_spec.cpp — parsing the pipeline file.
#include <journeykit/pipeline.hpp>

#include "internal/json_read.hpp"

#include <simdjson.h>

#include <boost/filesystem.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace journeykit {

using internal::AsBool;
using internal::AsObject;
using internal::AsString;
using internal::AsStringList;
using internal::CheckKeys;
using internal::element;
using internal::object;

namespace {

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path == ":memory:" || path.front() == '/') return path;
  return (boost::filesystem::path(base_dir) / path).lexically_normal().string();
}

Result<BadRecordPolicy> ParsePolicy(const element& e, const std::string& path) {
  JK_ASSIGN_OR_RETURN(std::string s, AsString(e, path));
  if (s == "fail") return BadRecordPolicy::kFail;
  if (s == "dead_letter") return BadRecordPolicy::kDeadLetter;
  return InvalidArgument(path + ": '" + s + "' is not one of: fail, dead_letter");
}

Status CheckName(const std::string& name, const std::string& path) {
  if (name.empty()) return InvalidArgument(path + ".name: empty");
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) {
      return InvalidArgument(path + ".name: '" + name +
                             "' may only use letters, digits, '-', '_' and '.'");
    }
  }
  return Status::Ok();
}

// Applies an "http" object (pipeline-wide or one source's) onto `out`. `cassette_root`
// receives the pipeline-level cassette_dir (a folder with one sub-folder per source).
Status ParseHttp(const element& e, const std::string& path, const std::string& base_dir,
                 HttpSettings& out, std::string* cassette_root) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  JK_RETURN_IF_ERROR(
      CheckKeys(o, path,
                {"mode", "cassette_dir", "ca_bundle", "connect_timeout_ms", "attempt_timeout_ms",
                 "max_attempts", "time_budget_ms", "backoff_base_ms", "backoff_max_ms"}));
  element v;
  if (o.at_key("mode").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string m, AsString(v, path + ".mode"));
    if (m == "live") {
      out.mode = HttpMode::kLive;
    } else if (m == "record") {
      out.mode = HttpMode::kRecord;
    } else if (m == "replay") {
      out.mode = HttpMode::kReplay;
    } else {
      return InvalidArgument(path + ".mode: '" + m + "' is not one of: live, record, replay");
    }
  }
  if (o.at_key("cassette_dir").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string d, AsString(v, path + ".cassette_dir"));
    (cassette_root != nullptr ? *cassette_root : out.cassette_dir) = ResolvePath(base_dir, d);
  }
  if (o.at_key("ca_bundle").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string d, AsString(v, path + ".ca_bundle"));
    out.ca_bundle = ResolvePath(base_dir, d);
  }
  auto number = [&](std::string_view key, uint32_t& field, uint32_t min) -> Status {
    if (o.at_key(key).get(v) != simdjson::SUCCESS) return Status::Ok();
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS || n < min || n > 86400000) {
      return InvalidArgument(path + "." + std::string(key) + ": expected an integer from " +
                             std::to_string(min) + " to 86400000");
    }
    field = static_cast<uint32_t>(n);
    return Status::Ok();
  };
  JK_RETURN_IF_ERROR(number("connect_timeout_ms", out.connect_timeout_ms, 1));
  JK_RETURN_IF_ERROR(number("attempt_timeout_ms", out.attempt_timeout_ms, 1));
  JK_RETURN_IF_ERROR(number("max_attempts", out.max_attempts, 1));
  JK_RETURN_IF_ERROR(number("time_budget_ms", out.time_budget_ms, 1));
  JK_RETURN_IF_ERROR(number("backoff_base_ms", out.backoff_base_ms, 0));
  JK_RETURN_IF_ERROR(number("backoff_max_ms", out.backoff_max_ms, 0));
  return Status::Ok();
}

Status ParseDelivery(const element& e, const std::string& path, DeliverySettings& out) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  JK_RETURN_IF_ERROR(CheckKeys(
      o, path,
      {"mode", "max_records", "max_bytes", "max_wait_ms", "max_failed_batches", "queue_records"}));
  element v;
  if (o.at_key("mode").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string mode, AsString(v, path + ".mode"));
    if (mode != "incremental" && mode != "snapshot") {
      return InvalidArgument(path + ".mode: '" + mode + "' is not one of: incremental, snapshot");
    }
    out.snapshot = mode == "snapshot";
  }
  auto number = [&](std::string_view key, auto& field, int64_t min, int64_t max) -> Status {
    if (o.at_key(key).get(v) != simdjson::SUCCESS) return Status::Ok();
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS || n < min || n > max) {
      return InvalidArgument(path + "." + std::string(key) + ": expected an integer from " +
                             std::to_string(min) + " to " + std::to_string(max));
    }
    field = static_cast<std::remove_reference_t<decltype(field)>>(n);
    return Status::Ok();
  };
  JK_RETURN_IF_ERROR(number("max_records", out.max_records, 1, 1000000));
  JK_RETURN_IF_ERROR(number("max_bytes", out.max_bytes, 1, int64_t{1} << 32));
  JK_RETURN_IF_ERROR(number("max_wait_ms", out.max_wait_ms, 0, 3600000));
  JK_RETURN_IF_ERROR(number("max_failed_batches", out.max_failed_batches, 1, 1000000));
  JK_RETURN_IF_ERROR(number("queue_records", out.queue_records, 1, 10000000));
  return Status::Ok();
}

Status ParseFilter(const element& e, const std::string& path, ConnectorFilter& out) {
  JK_ASSIGN_OR_RETURN(object o, AsObject(e, path));
  JK_RETURN_IF_ERROR(
      CheckKeys(o, path, {"sources", "actions", "stages", "segments", "audiences", "with_email"}));
  element v;
  auto list = [&](std::string_view key, std::vector<std::string>& field) -> Status {
    if (o.at_key(key).get(v) != simdjson::SUCCESS) return Status::Ok();
    JK_ASSIGN_OR_RETURN(field, AsStringList(v, path + "." + std::string(key)));
    return Status::Ok();
  };
  JK_RETURN_IF_ERROR(list("sources", out.sources));
  JK_RETURN_IF_ERROR(list("actions", out.actions));
  JK_RETURN_IF_ERROR(list("stages", out.stages));
  JK_RETURN_IF_ERROR(list("segments", out.segments));
  JK_RETURN_IF_ERROR(list("audiences", out.audiences));
  if (o.at_key("with_email").get(v) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(out.with_email, AsBool(v, path + ".with_email"));
  }
  return Status::Ok();
}

}  // namespace

Result<PipelineSpec> PipelineSpec::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the pipeline file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Parse(buffer.str(), path);
}

Result<PipelineSpec> PipelineSpec::Parse(std::string_view json, const std::string& path) {
  PipelineSpec spec;
  spec.file = path;
  boost::filesystem::path file(path);
  spec.base_dir = file.has_parent_path() ? file.parent_path().string() : ".";

  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return InvalidArgument(path + ": not valid JSON (" + simdjson::error_message(err) + ")");
  }
  JK_ASSIGN_OR_RETURN(object o, AsObject(root, path));
  JK_RETURN_IF_ERROR(CheckKeys(
      o, path,
      {"version", "plugin_paths", "state", "on_bad_record", "dead_letter_dir", "identity", "http",
       "sources", "model", "analyses", "audiences", "connectors", "description"}));
  element e;
  if (o.at_key("version").get(e) == simdjson::SUCCESS) {
    int64_t version = 0;
    if (e.get_int64().get(version) != simdjson::SUCCESS || version != 1) {
      return InvalidArgument(path + ".version: this JourneyKit reads version 1 pipeline files");
    }
  }
  if (o.at_key("plugin_paths").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(auto paths, AsStringList(e, path + ".plugin_paths"));
    for (auto& p : paths) spec.plugin_paths.push_back(ResolvePath(spec.base_dir, p));
  }
  spec.state_path = ResolvePath(spec.base_dir, "journeykit-state.db");
  if (o.at_key("state").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(object state, AsObject(e, path + ".state"));
    JK_RETURN_IF_ERROR(CheckKeys(state, path + ".state", {"path"}));
    element p;
    if (state.at_key("path").get(p) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(std::string sp, AsString(p, path + ".state.path"));
      spec.state_path = ResolvePath(spec.base_dir, sp);
    }
  }
  BadRecordPolicy default_policy = BadRecordPolicy::kFail;
  if (o.at_key("on_bad_record").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(default_policy, ParsePolicy(e, path + ".on_bad_record"));
  }
  if (o.at_key("dead_letter_dir").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(std::string d, AsString(e, path + ".dead_letter_dir"));
    spec.dead_letter_dir = ResolvePath(spec.base_dir, d);
  } else if (spec.state_path == ":memory:") {
    spec.dead_letter_dir = ResolvePath(spec.base_dir, "dead-letter");
  } else {
    spec.dead_letter_dir =
        (boost::filesystem::path(spec.state_path).parent_path() / "dead-letter").string();
  }
  if (o.at_key("identity").get(e) == simdjson::SUCCESS) {
    JK_ASSIGN_OR_RETURN(object identity, AsObject(e, path + ".identity"));
    JK_RETURN_IF_ERROR(
        CheckKeys(identity, path + ".identity", {"blocked_values", "keep_email_addresses"}));
    element b;
    if (identity.at_key("keep_email_addresses").get(b) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(spec.identity.keep_email_addresses,
                          AsBool(b, path + ".identity.keep_email_addresses"));
    }
    if (identity.at_key("blocked_values").get(b) == simdjson::SUCCESS) {
      JK_ASSIGN_OR_RETURN(spec.identity.blocked_values,
                          AsStringList(b, path + ".identity.blocked_values"));
    }
  }
  std::string cassette_root = ResolvePath(spec.base_dir, "cassettes");
  if (o.at_key("http").get(e) == simdjson::SUCCESS) {
    JK_RETURN_IF_ERROR(ParseHttp(e, path + ".http", spec.base_dir, spec.http, &cassette_root));
  }
  if (o.at_key("model").get(e) != simdjson::SUCCESS) {
    return InvalidArgument(path + ".model: missing (the stages, touchpoints and segments)");
  }
  spec.model_json = simdjson::minify(e);
  if (o.at_key("analyses").get(e) == simdjson::SUCCESS) {
    // Checked against the model in Pipeline::Open (AnalysisPlan::Parse).
    spec.analyses_json = simdjson::minify(e);
  }
  if (o.at_key("audiences").get(e) == simdjson::SUCCESS) {
    // Checked against the model in Pipeline::Open (ParseAudiences).
    spec.audiences_json = simdjson::minify(e);
  }

  std::set<std::string> names;
  auto parse_instances = [&](std::string_view key, bool is_source) -> Status {
    element list;
    if (o.at_key(key).get(list) != simdjson::SUCCESS) {
      if (is_source) return InvalidArgument(path + ".sources: missing (at least one source)");
      return Status::Ok();
    }
    simdjson::dom::array arr;
    std::string base = path + "." + std::string(key);
    if (list.get_array().get(arr) != simdjson::SUCCESS) {
      return internal::WrongType(base, list, "an array");
    }
    size_t i = 0;
    for (element item : arr) {
      std::string p = base + "[" + std::to_string(i++) + "]";
      JK_ASSIGN_OR_RETURN(object inst, AsObject(item, p));
      if (is_source) {
        JK_RETURN_IF_ERROR(
            CheckKeys(inst, p, {"name", "plugin", "config", "on_bad_record", "http"}));
      } else {
        JK_RETURN_IF_ERROR(CheckKeys(
            inst, p,
            {"name", "plugin", "config", "receives", "http", "delivery", "filter", "emails"}));
      }
      element v;
      std::string name, plugin, config = "{}";
      if (inst.at_key("name").get(v) != simdjson::SUCCESS)
        return InvalidArgument(p + ".name: missing");
      JK_ASSIGN_OR_RETURN(name, AsString(v, p + ".name"));
      JK_RETURN_IF_ERROR(CheckName(name, p));
      if (!names.insert(name).second) {
        return InvalidArgument(p + ".name: '" + name + "' is used by another instance");
      }
      if (inst.at_key("plugin").get(v) != simdjson::SUCCESS) {
        return InvalidArgument(p + ".plugin: missing (a plugin name; see `journeykit plugins`)");
      }
      JK_ASSIGN_OR_RETURN(plugin, AsString(v, p + ".plugin"));
      if (inst.at_key("config").get(v) == simdjson::SUCCESS) {
        JK_RETURN_IF_ERROR(AsObject(v, p + ".config").status());
        config = simdjson::minify(v);
      }
      if (is_source) {
        SourceSpec s{name, plugin, config, default_policy, spec.http};
        if (inst.at_key("on_bad_record").get(v) == simdjson::SUCCESS) {
          JK_ASSIGN_OR_RETURN(s.on_bad_record, ParsePolicy(v, p + ".on_bad_record"));
        }
        s.http.cassette_dir = (boost::filesystem::path(cassette_root) / name).string();
        if (inst.at_key("http").get(v) == simdjson::SUCCESS) {
          JK_RETURN_IF_ERROR(ParseHttp(v, p + ".http", spec.base_dir, s.http, nullptr));
        }
        spec.sources.push_back(std::move(s));
      } else {
        ConnectorSpec c;
        c.name = name;
        c.plugin = plugin;
        c.config_json = config;
        c.receives = {"events", "journeys", "stage_table", "journey_map"};
        c.delivery.snapshot = plugin == "files";  // it rewrites whole files every run
        if (inst.at_key("receives").get(v) == simdjson::SUCCESS) {
          JK_ASSIGN_OR_RETURN(c.receives, AsStringList(v, p + ".receives"));
          for (const std::string& r : c.receives) {
            if (std::find_if(std::begin(kReceivable), std::end(kReceivable),
                             [&](const char* k) { return r == k; }) == std::end(kReceivable)) {
              return InvalidArgument(p + ".receives: '" + r +
                                     "' is not one of: events, journeys, stage_changes, "
                                     "audience_changes, stage_table, journey_map");
            }
          }
        }
        if (inst.at_key("delivery").get(v) == simdjson::SUCCESS) {
          JK_RETURN_IF_ERROR(ParseDelivery(v, p + ".delivery", c.delivery));
        }
        if (inst.at_key("filter").get(v) == simdjson::SUCCESS) {
          JK_RETURN_IF_ERROR(ParseFilter(v, p + ".filter", c.filter));
        }
        if (inst.at_key("emails").get(v) == simdjson::SUCCESS) {
          JK_ASSIGN_OR_RETURN(std::string mode, AsString(v, p + ".emails"));
          if (mode != "raw" && mode != "hashed") {
            return InvalidArgument(p + ".emails: '" + mode +
                                   "' is not one of: raw (send addresses when the pipeline keeps "
                                   "them), hashed (only SHA-256, never an address)");
          }
          c.hash_emails = mode == "hashed";
        }
        c.http = spec.http;
        c.http.cassette_dir = (boost::filesystem::path(cassette_root) / name).string();
        if (inst.at_key("http").get(v) == simdjson::SUCCESS) {
          JK_RETURN_IF_ERROR(ParseHttp(v, p + ".http", spec.base_dir, c.http, nullptr));
        }
        spec.connectors.push_back(std::move(c));
      }
    }
    return Status::Ok();
  };
  JK_RETURN_IF_ERROR(parse_instances("sources", true));
  JK_RETURN_IF_ERROR(parse_instances("connectors", false));
  return spec;
}

}  // namespace journeykit

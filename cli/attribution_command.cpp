// attribution_command.cpp — `journeykit attribution --paths FILE`.
#include "attribution_command.hpp"

#include <journeykit/attribution.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iostream>

namespace journeykit::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

int Fail(const std::string& message, int code) {
  std::cerr << "journeykit: error: " << message << "\n";
  return code;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Csv(const AttributionResult& r) {
  std::string out = "channel,model,conversions,value,removal_effect\n";
  for (const ChannelCredit& c : r.credits) {
    out += fmt::format("{},{},{},{},{}\n", CsvField(c.channel), ModelName(c.model), c.conversions,
                       c.value, c.removal_effect ? fmt::format("{}", *c.removal_effect) : "");
  }
  return out;
}

// Channels down, models across: one block for conversions, one for value.
std::string Table(const AttributionResult& r) {
  size_t width = 8;
  for (const auto& c : r.channels) width = std::max(width, c.size());
  const size_t models = r.models.size();
  std::string out = fmt::format(
      "Attribution: {} — {} paths, {:.6g} conversions (value {:.6g}), {:.6g} null paths\n",
      r.source.origin, r.paths, r.conversions, r.value, r.nulls);
  if (r.unattributed_conversions > 0) {
    out += fmt::format("  {:.6g} conversions without a touch are not attributed\n",
                       r.unattributed_conversions);
  }
  bool markov = false;
  for (auto m : r.models) markov = markov || m == AttributionModel::kMarkov;
  for (int block = 0; block < 2; ++block) {
    out += fmt::format("\n{:<{}}", block == 0 ? "Conversions" : "Value", width + 2);
    for (auto m : r.models) out += fmt::format("{:>12}", ModelName(m));
    if (markov && block == 0) out += fmt::format("{:>12}", "removal");
    out += "\n";
    for (size_t c = 0; c < r.channels.size(); ++c) {
      out += fmt::format("  {:<{}}", r.channels[c], width);
      for (size_t m = 0; m < models; ++m) {
        const ChannelCredit& credit = r.credits[c * models + m];
        out += fmt::format("{:>12.2f}", block == 0 ? credit.conversions : credit.value);
      }
      if (markov && block == 0) {
        for (size_t m = 0; m < models; ++m) {
          const auto& e = r.credits[c * models + m].removal_effect;
          if (e) out += fmt::format("{:>12.4f}", *e);
        }
      }
      out += "\n";
    }
  }
  if (r.markov_conversion_probability) {
    out += fmt::format(
        "\nMarkov: P(conversion) from (start) = {:.6f}; removal effect = 1 − "
        "P(conversion without the channel) / P(conversion)\n",
        *r.markov_conversion_probability);
  }
  return out;
}

}  // namespace

AttributionCommand::AttributionCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "attribution",
      "Attribute conversions to channels (first, last, linear, position, time_decay, markov) "
      "from a ChannelAttribution path file");
  command_
      ->add_option("--paths", paths_file_,
                   "Path file: path;total_conversions;total_conversion_value;total_null")
      ->required();
  command_->add_option("-o,--out", out_file_,
                       "Write CSV (channel,model,conversions,value,removal_effect) here instead "
                       "of printing a table");
  command_->add_option("--models", models_, "Comma-separated models")->capture_default_str();
  command_
      ->add_option("--half-life-days", half_life_days_,
                   "Time-decay half-life in days (paths with touch times only)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command_->add_flag("--markov-self-loops", self_loops_,
                     "Keep repeats of a channel as self-transitions (removal effects are the "
                     "same either way)");
}

int AttributionCommand::Run() const {
  AttributionOptions options;
  options.models.clear();
  size_t pos = 0;
  while (pos <= models_.size()) {
    size_t comma = models_.find(',', pos);
    std::string name = models_.substr(pos, comma == std::string::npos ? comma : comma - pos);
    pos = comma == std::string::npos ? models_.size() + 1 : comma + 1;
    if (name.empty()) continue;
    auto model = ParseModelName(name);
    if (!model) {
      return Fail("--models: unknown model '" + name +
                      "' (known: first, last, linear, position, time_decay, markov)",
                  kExitBadInput);
    }
    options.models.push_back(*model);
  }
  if (options.models.empty()) return Fail("--models: no model given", kExitBadInput);
  options.half_life_us = half_life_days_ * static_cast<double>(kMicrosPerDay);
  options.markov_self_loops = self_loops_;

  auto table = ReadChannelAttributionPaths(paths_file_);
  if (!table.ok()) return Fail(table.status().message(), kExitBadInput);
  auto result = Attribute(*table, options);
  if (!result.ok()) return Fail(result.status().message(), kExitBadInput);

  if (out_file_.empty()) {
    std::cout << Table(*result);
    return kExitOk;
  }
  std::ofstream out(out_file_, std::ios::binary | std::ios::trunc);
  out << Csv(*result);
  out.close();
  if (!out) return Fail(out_file_ + ": cannot write", kExitFailed);
  return kExitOk;
}

}  // namespace journeykit::cli

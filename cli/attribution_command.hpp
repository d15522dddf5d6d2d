// attribution_command.hpp — `journeykit attribution`: models side by side on a path file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace journeykit::cli {

// Registers the subcommand on `app`; Run() is called when it was the one given.
class AttributionCommand {
 public:
  explicit AttributionCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // Returns the process exit code (docs/cli.md): 0, or 2 for a bad file or bad arguments.
  int Run() const;

 private:
  CLI::App* command_ = nullptr;
  std::string paths_file_;
  std::string out_file_;
  std::string models_ = "first,last,linear,position,markov";
  double half_life_days_ = 7.0;
  bool self_loops_ = false;
};

}  // namespace journeykit::cli

// files_connector.hpp — writes enriched events and journeys as NDJSON and the stage table as CSV.
#pragma once

#include <journeykit/plugin.hpp>

#include <fstream>
#include <map>
#include <string>

namespace journeykit::connectors {

// Each run writes a complete snapshot: records go to "<file>.tmp" and flush() renames every
// file into place, so a reader never sees a half-written file and a rerun replaces it.
class FilesConnector : public plugin::Connector {
 public:
  FilesConnector(plugin::Host& host, const plugin::Config& config);
  Status check() override;
  Status write(std::span<const jk_record> records) override;
  Status flush() override;

 private:
  struct Output {
    std::string path;
    std::ofstream stream;
  };
  Result<Output*> OutputFor(std::string_view type);
  Status WriteStageRow(Output& out, std::string_view json);

  plugin::Host& host_;
  std::string directory_;
  std::map<std::string, std::string, std::less<>> file_names_;  // record type -> file name
  std::map<std::string, Output, std::less<>> outputs_;
  simdjson::dom::parser parser_;
};

}  // namespace journeykit::connectors

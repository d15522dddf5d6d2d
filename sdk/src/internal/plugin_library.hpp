// plugin_library.hpp — the loaded shared library behind a plugin (Boost.DLL; internal only).
#pragma once

#include <journeykit/plugin_registry.hpp>

#include <boost/dll/shared_library.hpp>

namespace journeykit {

class PluginLibrary {
 public:
  boost::dll::shared_library library;
  const jk_plugin_descriptor* descriptor = nullptr;
  PluginInfo info;
};

}  // namespace journeykit

// plugin_registry.hpp — finding, loading and checking plugin libraries (Boost.DLL inside).
#pragma once

#include <journeykit/plugin_abi.h>
#include <journeykit/status.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace journeykit {

struct ConfigFieldInfo {
  std::string key;
  jk_config_type type = JK_CONFIG_STRING;
  bool required = false;
  bool secret = false;
  std::string default_json;  // empty: no default
  std::string description;
};

const char* ConfigTypeName(jk_config_type type);

struct PluginInfo {
  std::string name;
  std::string version;
  std::string description;
  jk_plugin_kind kind = JK_KIND_SOURCE;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::string path;  // the library file
  std::vector<ConfigFieldInfo> config;
};

const char* KindName(jk_plugin_kind kind);

// A loaded library and its descriptor. Instances hold a shared_ptr to it, so the library
// stays loaded while any instance lives.
class PluginLibrary;

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads every plugin of `levels`, in order of precedence: each level is a list of files
  // (loaded as they are) and folders (every journeykit-*.so in them). Two plugins with one
  // name in one level are an error; a later level's plugin of the same name is shadowed.
  Status Discover(const std::vector<std::vector<std::string>>& levels);
  // Loads one library file; errors name the file and say what to do.
  Status LoadFile(const std::string& path, int level = 0);

  std::vector<PluginInfo> List() const;
  const PluginInfo* Find(const std::string& name) const;
  std::shared_ptr<PluginLibrary> Library(const std::string& name) const;
  // Notes from discovery (shadowed plugins), for --verbose output.
  const std::vector<std::string>& notes() const { return notes_; }

  // Folders from JOURNEYKIT_PLUGIN_PATH (colon-separated).
  static std::vector<std::string> EnvironmentPaths();
  // The install directory compiled into the SDK.
  static std::string InstallDirectory();
  // The same, relative to the install prefix ("lib/journeykit/plugins"): a relocated install
  // finds its plugins at <prefix>/<this>, e.g. from the executable's folder.
  static std::string RelativeInstallDirectory();

 private:
  struct Entry {
    PluginInfo info;
    int level = 0;
    std::shared_ptr<PluginLibrary> library;
  };
  std::map<std::string, Entry> plugins_;
  std::vector<std::string> notes_;
};

// Information read from a library's descriptor.
const jk_plugin_descriptor* Descriptor(const PluginLibrary& library);
const PluginInfo& Info(const PluginLibrary& library);

}  // namespace journeykit

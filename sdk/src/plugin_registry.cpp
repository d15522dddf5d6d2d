// plugin_registry.cpp — loading plugin libraries with Boost.DLL and checking their descriptors.
#include <journeykit/plugin_registry.hpp>

#include "internal/plugin_library.hpp"

#include <simdjson.h>
#include <boost/dll/shared_library.hpp>
#include <boost/filesystem.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>

#ifndef JOURNEYKIT_INSTALL_PLUGIN_DIR
#define JOURNEYKIT_INSTALL_PLUGIN_DIR "/usr/local/lib/journeykit/plugins"
#endif
#ifndef JOURNEYKIT_RELATIVE_PLUGIN_DIR
#define JOURNEYKIT_RELATIVE_PLUGIN_DIR "lib/journeykit/plugins"
#endif

namespace journeykit {

namespace fs = boost::filesystem;

const char* ConfigTypeName(jk_config_type type) {
  switch (type) {
    case JK_CONFIG_STRING:
      return "string";
    case JK_CONFIG_INT:
      return "integer";
    case JK_CONFIG_NUMBER:
      return "number";
    case JK_CONFIG_BOOL:
      return "boolean";
    case JK_CONFIG_STRING_LIST:
      return "list of strings";
    case JK_CONFIG_OBJECT:
      return "object";
  }
  return "unknown";
}

const char* KindName(jk_plugin_kind kind) {
  return kind == JK_KIND_SOURCE ? "source" : kind == JK_KIND_CONNECTOR ? "connector" : "unknown";
}

const jk_plugin_descriptor* Descriptor(const PluginLibrary& library) { return library.descriptor; }
const PluginInfo& Info(const PluginLibrary& library) { return library.info; }

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

namespace {

bool IsElf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::memcmp(magic,
                                         "\x7f"
                                         "ELF",
                                         4) == 0;
}

Status CheckDescriptor(const std::string& path, const jk_plugin_descriptor* d) {
  if (d == nullptr) {
    return PluginError(path + ": " JK_PLUGIN_ENTRY_NAME "() returned no descriptor");
  }
  if (d->struct_size < offsetof(jk_plugin_descriptor, flush) + sizeof(d->flush)) {
    return PluginError(path + ": the descriptor is smaller than ABI 1.0 requires (" +
                       std::to_string(d->struct_size) + " bytes); rebuild the plugin");
  }
  if (d->abi_major != JK_ABI_MAJOR) {
    return PluginError(path + ": built for plugin ABI " + std::to_string(d->abi_major) + "." +
                       std::to_string(d->abi_minor) + " but this host speaks ABI " +
                       std::to_string(JK_ABI_MAJOR) + "." + std::to_string(JK_ABI_MINOR) +
                       " (major versions differ); rebuild the plugin against this SDK");
  }
  if (d->abi_minor > JK_ABI_MINOR) {
    return PluginError(path + ": built for plugin ABI " + std::to_string(d->abi_major) + "." +
                       std::to_string(d->abi_minor) + ", newer than this host's " +
                       std::to_string(JK_ABI_MAJOR) + "." + std::to_string(JK_ABI_MINOR) +
                       "; upgrade JourneyKit or rebuild the plugin against this SDK");
  }
  if (d->name == nullptr || d->name[0] == '\0') {
    return PluginError(path + ": the descriptor has no name");
  }
  if (d->kind != JK_KIND_SOURCE && d->kind != JK_KIND_CONNECTOR) {
    return PluginError(path + ": plugin '" + d->name + "' declares unknown kind " +
                       std::to_string(d->kind) + " (expected 1 = source or 2 = connector)");
  }
  bool complete =
      d->create && d->destroy && d->check &&
      (d->kind == JK_KIND_SOURCE ? (d->list_streams && d->read) : (d->write && d->flush));
  if (!complete) {
    return PluginError(path + ": plugin '" + std::string(d->name) + "' lacks functions a " +
                       KindName(static_cast<jk_plugin_kind>(d->kind)) + " must provide");
  }
  for (size_t i = 0; i < d->config_field_count; ++i) {
    const jk_config_field& f = d->config_fields[i];
    if (f.key == nullptr || f.type < JK_CONFIG_STRING || f.type > JK_CONFIG_OBJECT) {
      return PluginError(path + ": config field " + std::to_string(i) + " of plugin '" + d->name +
                         "' has no key or an unknown type");
    }
    if (f.default_json != nullptr) {
      simdjson::dom::parser parser;
      simdjson::dom::element e;
      if (parser.parse(f.default_json, std::strlen(f.default_json)).get(e) != simdjson::SUCCESS) {
        return PluginError(path + ": the default of config key '" + f.key + "' of plugin '" +
                           d->name + "' is not valid JSON");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status PluginRegistry::LoadFile(const std::string& path, int level) {
  boost::system::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  if (ec) return NotFound(path + ": plugin file not found");
  std::string file = canonical.string();
  for (const auto& [name, entry] : plugins_) {
    if (entry.info.path == file) return Status::Ok();  // listed twice: already loaded
  }
  if (!IsElf(file)) {
    return PluginError(file +
                       ": not a shared library (no ELF header); plugin files are built "
                       "with journeykit_add_plugin()");
  }
  auto lib = std::make_shared<PluginLibrary>();
  lib->library.load(canonical, boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now,
                    ec);
  if (ec) {
    return PluginError(
        file + ": cannot be loaded as a shared library: " + ec.message() +
        " (check that it was built for this machine and its dependencies are installed)");
  }
  if (!lib->library.has(JK_PLUGIN_ENTRY_NAME)) {
    return PluginError(file + ": no entry point '" JK_PLUGIN_ENTRY_NAME
                              "' — not a JourneyKit plugin, or built without the "
                              "JOURNEYKIT_SOURCE_PLUGIN / JOURNEYKIT_CONNECTOR_PLUGIN macro");
  }
  auto entry = lib->library.get<const jk_plugin_descriptor*()>(JK_PLUGIN_ENTRY_NAME);
  const jk_plugin_descriptor* d = entry();
  JK_RETURN_IF_ERROR(CheckDescriptor(file, d));
  lib->descriptor = d;

  PluginInfo& info = lib->info;
  info.name = d->name;
  info.version = d->version ? d->version : "";
  info.description = d->description ? d->description : "";
  info.kind = static_cast<jk_plugin_kind>(d->kind);
  info.abi_major = d->abi_major;
  info.abi_minor = d->abi_minor;
  info.path = file;
  for (size_t i = 0; i < d->config_field_count; ++i) {
    const jk_config_field& f = d->config_fields[i];
    info.config.push_back(
        ConfigFieldInfo{f.key, static_cast<jk_config_type>(f.type), f.required != 0, f.secret != 0,
                        f.default_json ? f.default_json : "", f.description ? f.description : ""});
  }

  // A file named journeykit-<name>.so must declare that name.
  std::string stem = canonical.stem().string();
  if (stem.rfind("journeykit-", 0) == 0 && stem.substr(11) != info.name) {
    return PluginError(file + ": declares plugin '" + info.name + "' but its file name says '" +
                       stem.substr(11) + "'; rename the file to journeykit-" + info.name + ".so");
  }
  auto it = plugins_.find(info.name);
  if (it != plugins_.end()) {
    if (it->second.level == level) {
      return PluginError("two plugins are named '" + info.name + "': " + it->second.info.path +
                         " and " + file + "; remove one or put them in different search paths");
    }
    notes_.push_back("plugin '" + info.name + "' at " + file + " is shadowed by " +
                     it->second.info.path);
    return Status::Ok();
  }
  Entry e;
  e.info = info;
  e.level = level;
  e.library = std::move(lib);
  plugins_.emplace(info.name, std::move(e));
  return Status::Ok();
}

Status PluginRegistry::Discover(const std::vector<std::vector<std::string>>& levels) {
  for (size_t level = 0; level < levels.size(); ++level) {
    for (const std::string& path : levels[level]) {
      boost::system::error_code ec;
      if (fs::is_directory(path, ec)) {
        std::vector<std::string> files;
        for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
          std::string name = it->path().filename().string();
          if (name.rfind("journeykit-", 0) == 0 && it->path().extension() == ".so") {
            files.push_back(it->path().string());
          }
        }
        std::sort(files.begin(), files.end());
        for (const std::string& f : files) {
          JK_RETURN_IF_ERROR(LoadFile(f, static_cast<int>(level)));
        }
      } else if (fs::exists(path, ec)) {
        JK_RETURN_IF_ERROR(LoadFile(path, static_cast<int>(level)));
      } else if (level == 0) {
        return NotFound(path + ": plugin path does not exist");
      }
    }
  }
  return Status::Ok();
}

std::vector<PluginInfo> PluginRegistry::List() const {
  std::vector<PluginInfo> out;
  for (const auto& [name, entry] : plugins_) out.push_back(entry.info);
  return out;
}

const PluginInfo* PluginRegistry::Find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : &it->second.info;
}

std::shared_ptr<PluginLibrary> PluginRegistry::Library(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second.library;
}

std::vector<std::string> PluginRegistry::EnvironmentPaths() {
  std::vector<std::string> out;
  const char* env = std::getenv("JOURNEYKIT_PLUGIN_PATH");
  if (env == nullptr) return out;
  std::string all(env);
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find(':', start);
    if (end == std::string::npos) end = all.size();
    if (end > start) out.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string PluginRegistry::InstallDirectory() { return JOURNEYKIT_INSTALL_PLUGIN_DIR; }
std::string PluginRegistry::RelativeInstallDirectory() { return JOURNEYKIT_RELATIVE_PLUGIN_DIR; }

}  // namespace journeykit

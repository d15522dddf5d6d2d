// loader_test.cpp — the plugin loader's errors, one deliberately broken plugin per error,
// and a conformance pass over every plugin the build produced.
#include <journeykit/plugin_registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace journeykit {
namespace {

namespace fs = std::filesystem;
const std::string kDir = JK_TEST_PLUGIN_DIR;

std::string ErrorOf(const std::string& path) {
  PluginRegistry registry;
  Status s = registry.Discover({{path}});
  return s.ok() ? std::string("(no error)") : s.message();
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(Loader, LoadsAGoodPluginAndReadsItsDescriptor) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.Discover({{kDir + "/good"}}).ok());
  const PluginInfo* info = registry.Find("counter");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->kind, JK_KIND_SOURCE);
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->abi_major, JK_ABI_MAJOR);
  ASSERT_FALSE(info->config.empty());
  EXPECT_EQ(info->config[0].key, "count");
  EXPECT_TRUE(info->config[0].required);
  EXPECT_TRUE(info->config.back().secret);
  EXPECT_NE(registry.Find("tconn"), nullptr);
}

TEST(Loader, NotASharedLibrary) {
  fs::path dir = fs::temp_directory_path() / ("jk-loader-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "journeykit-text.so") << "this is not a library\n";
  std::string error = ErrorOf((dir / "journeykit-text.so").string());
  EXPECT_CONTAINS(error, "journeykit-text.so");
  EXPECT_CONTAINS(error, "not a shared library");
  // An ELF file that is not a loadable library: an executable.
  fs::copy_file("/bin/true", dir / "journeykit-exe.so", fs::copy_options::overwrite_existing);
  error = ErrorOf((dir / "journeykit-exe.so").string());
  EXPECT_CONTAINS(error, "journeykit-exe.so");
  EXPECT_CONTAINS(error, "cannot be loaded as a shared library");
  fs::remove_all(dir);
}

TEST(Loader, NoEntryPoint) {
  std::string error = ErrorOf(kDir + "/no-entry");
  EXPECT_CONTAINS(error, "journeykit-noentry.so");
  EXPECT_CONTAINS(error, "no entry point 'journeykit_plugin_v1'");
}

TEST(Loader, AbiMajorMismatch) {
  std::string error = ErrorOf(kDir + "/major");
  EXPECT_CONTAINS(error, "journeykit-major.so");
  EXPECT_CONTAINS(error, "built for plugin ABI 2.");
  EXPECT_CONTAINS(error, "major versions differ");
}

TEST(Loader, AbiMinorNewerThanHost) {
  std::string error = ErrorOf(kDir + "/minor");
  EXPECT_CONTAINS(error, "journeykit-minor.so");
  EXPECT_CONTAINS(error, "newer than this host");
}

TEST(Loader, UnknownKind) {
  std::string error = ErrorOf(kDir + "/kind");
  EXPECT_CONTAINS(error, "journeykit-kind.so");
  EXPECT_CONTAINS(error, "unknown kind 7");
}

TEST(Loader, NameMismatchWithFileName) {
  std::string error = ErrorOf(kDir + "/name");
  EXPECT_CONTAINS(error, "journeykit-alpha.so");
  EXPECT_CONTAINS(error, "declares plugin 'beta' but its file name says 'alpha'");
}

TEST(Loader, TwoPluginsWithOneNameInOneSearchLevel) {
  PluginRegistry registry;
  Status s = registry.Discover({{kDir + "/dup-a", kDir + "/dup-b"}});
  ASSERT_FALSE(s.ok());
  EXPECT_CONTAINS(s.message(), "two plugins are named 'dup'");
  EXPECT_CONTAINS(s.message(), "dup-a/journeykit-dup.so");
  EXPECT_CONTAINS(s.message(), "dup-b/journeykit-dup.so");
}

TEST(Loader, EarlierSearchLevelShadowsLaterOne) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.Discover({{kDir + "/dup-a"}, {kDir + "/dup-b"}}).ok());
  EXPECT_CONTAINS(registry.Find("dup")->path, "dup-a");
  ASSERT_EQ(registry.notes().size(), 1u);
  EXPECT_CONTAINS(registry.notes()[0], "shadowed");
}

TEST(Loader, MissingExplicitPath) {
  std::string error = ErrorOf("/no/such/plugin.so");
  EXPECT_CONTAINS(error, "/no/such/plugin.so: plugin path does not exist");
}

// Conformance: every plugin the build produced loads through the real loader, declares a
// well-formed config spec, and has a README whose config table lists every declared key.
TEST(Conformance, EveryBuiltPluginLoadsAndIsDocumented) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.Discover({{JK_PLUGIN_DIR}}).ok());
  auto plugins = registry.List();
  ASSERT_GE(plugins.size(), 1u) << "no plugin in " << JK_PLUGIN_DIR;
  for (const PluginInfo& p : plugins) {
    SCOPED_TRACE(p.name);
    EXPECT_EQ(p.abi_major, JK_ABI_MAJOR);
    EXPECT_FALSE(p.version.empty());
    EXPECT_FALSE(p.description.empty());
    fs::path folder =
        fs::path(JK_SOURCE_DIR) / (p.kind == JK_KIND_SOURCE ? "plugins" : "connectors") / p.name;
    std::ifstream readme(folder / "README.md");
    ASSERT_TRUE(readme.good()) << "missing " << (folder / "README.md");
    std::stringstream text;
    text << readme.rdbuf();
    for (const ConfigFieldInfo& f : p.config) {
      EXPECT_FALSE(f.description.empty()) << f.key;
      EXPECT_NE(text.str().find("`" + f.key + "`"), std::string::npos)
          << folder / "README.md"
          << " does not document config key `" << f.key << "`";
    }
  }
}

}  // namespace
}  // namespace journeykit

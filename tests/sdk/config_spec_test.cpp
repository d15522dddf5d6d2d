// config_spec_test.cpp — validating plugin configs and resolving ${env:NAME}.
#include <journeykit/config_spec.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

namespace journeykit {
namespace {

std::vector<ConfigFieldInfo> Spec() {
  return {
      {"path", JK_CONFIG_STRING, true, false, "", "file or glob"},
      {"batch", JK_CONFIG_INT, false, false, "100", "events per batch"},
      {"ratio", JK_CONFIG_NUMBER, false, false, "", "a number"},
      {"gzip", JK_CONFIG_BOOL, false, false, "false", "compressed"},
      {"tags", JK_CONFIG_STRING_LIST, false, false, "[]", "tags"},
      {"fields", JK_CONFIG_OBJECT, false, false, "", "mapping"},
      {"api_key", JK_CONFIG_STRING, false, true, "", "secret"},
  };
}

TEST(ConfigSpec, FillsDefaultsAndKeepsGivenValues) {
  auto r = ValidateConfig(Spec(), R"({"path":"a.csv","ratio":2,"tags":["x"],"fields":{"a":"b"}})",
                          "cfg");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(
      *r, R"({"path":"a.csv","ratio":2,"tags":["x"],"fields":{"a":"b"},"batch":100,"gzip":false})");
}

TEST(ConfigSpec, UnknownKeyNamesPathAndKnownKeys) {
  auto r = ValidateConfig(Spec(), R"({"path":"a","bacth":1})",
                          "pipeline.json: sources[0] 'web': config");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("pipeline.json: sources[0] 'web': config.bacth: unknown key"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("path, batch, ratio"), std::string::npos);
}

TEST(ConfigSpec, WrongTypesAreNamed) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"path":1})", "cfg.path: expected string, found an integer"},
      {R"({"path":"a","batch":"100"})", "cfg.batch: expected integer, found a string"},
      {R"({"path":"a","batch":1.5})", "cfg.batch: expected integer, found a number"},
      {R"({"path":"a","ratio":"x"})", "cfg.ratio: expected number, found a string"},
      {R"({"path":"a","gzip":1})", "cfg.gzip: expected boolean, found an integer"},
      {R"({"path":"a","tags":["x",2]})", "cfg.tags: expected list of strings, found an array"},
      {R"({"path":"a","fields":[]})", "cfg.fields: expected object, found an array"},
  };
  for (const auto& c : cases) {
    auto r = ValidateConfig(Spec(), c.json, "cfg");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

TEST(ConfigSpec, MissingRequiredKey) {
  auto r = ValidateConfig(Spec(), R"({"batch":5})", "cfg");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cfg.path: missing required key"), std::string::npos);
}

TEST(ConfigSpec, SecretWrittenInClearIsWarnedAboutWithoutItsValue) {
  std::vector<std::string> warnings;
  auto r = ValidateConfig(Spec(), R"({"path":"a","api_key":"hunter2-secret"})", "cfg", &warnings);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cfg.api_key is a secret"), std::string::npos);
  EXPECT_EQ(warnings[0].find("hunter2"), std::string::npos);
  warnings.clear();
  ASSERT_TRUE(
      ValidateConfig(Spec(), R"({"path":"a","api_key":"${env:X}"})", "cfg", &warnings).ok());
  EXPECT_TRUE(warnings.empty());
}

TEST(ConfigSpec, EnvironmentSubstitutionRecordsSecrets) {
  ::setenv("JK_TEST_TOKEN", "s3cr3t-value", 1);
  std::vector<std::string> secrets;
  auto r = SubstituteEnvironment(
      R"({"a":"Bearer ${env:JK_TEST_TOKEN}","n":[1,{"b":"${env:JK_TEST_TOKEN}"}]})", "cfg",
      &secrets);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, R"({"a":"Bearer s3cr3t-value","n":[1,{"b":"s3cr3t-value"}]})");
  ASSERT_FALSE(secrets.empty());
  EXPECT_EQ(Redact("token=s3cr3t-value&x=1", secrets), "token=***&x=1");
}

TEST(ConfigSpec, MissingEnvironmentVariableIsAClearError) {
  ::unsetenv("JK_TEST_MISSING");
  auto r = SubstituteEnvironment(R"({"auth":{"key":"${env:JK_TEST_MISSING}"}})", "cfg", nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("cfg.auth.key: environment variable JK_TEST_MISSING is not set"),
      std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace journeykit

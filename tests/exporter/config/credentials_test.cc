#include "exporter/config/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "exporter/config/config_loader.h"
#include "fake_environment.h"

namespace drmm {
namespace {

using ::testing::ElementsAre;

TEST(StripOneTrailingNewline, RemovesExactlyOneLineEnding) {
  EXPECT_EQ(StripOneTrailingNewline("abc"), "abc");
  EXPECT_EQ(StripOneTrailingNewline("abc\n"), "abc");
  EXPECT_EQ(StripOneTrailingNewline("abc\r\n"), "abc");
  EXPECT_EQ(StripOneTrailingNewline("abc\n\n"), "abc\n");
  EXPECT_EQ(StripOneTrailingNewline("abc\r"), "abc\r");
  EXPECT_EQ(StripOneTrailingNewline("\n"), "");
  EXPECT_EQ(StripOneTrailingNewline(""), "");
  EXPECT_EQ(StripOneTrailingNewline(" abc \n"), " abc ");
}

TEST(CredentialValueProblem, FlagsWhatBreaksAuthentication) {
  EXPECT_EQ(CredentialValueProblem("Zx9-abc_DEF.123"), "");
  EXPECT_EQ(CredentialValueProblem("a b"), "");  // inside is the user's business
  EXPECT_EQ(CredentialValueProblem("abc\n"), "contains a line break or another control character");
  EXPECT_EQ(CredentialValueProblem("ab\rc"), "contains a line break or another control character");
  EXPECT_EQ(CredentialValueProblem("ab\tc"), "contains a line break or another control character");
  EXPECT_EQ(CredentialValueProblem(" abc"), "starts or ends with a space");
  EXPECT_EQ(CredentialValueProblem("abc "), "starts or ends with a space");
}

struct Resolution {
  std::optional<ApiCredential> credential;
  std::vector<std::string> errors;
};

Resolution Resolve(const ApiCredentialSpec& spec, const testing::FakeEnvironment& fake) {
  ConfigErrorList errors("c.yaml");
  Resolution out;
  out.credential =
      ResolveCredential(spec, kApiSecretNames, {7, "accounts[0].api_secret"}, fake.Get(), errors);
  for (const auto& e : std::move(errors).Take()) out.errors.push_back(e.ToString());
  return out;
}

ConfigText At(std::string value, int line, std::string path) {
  return ConfigText{std::move(value), {line, std::move(path)}};
}

TEST(ResolveCredential, FromEachSource) {
  testing::FakeEnvironment fake;
  fake.vars = {{"MY_SECRET", "from-env"}, {"DATTO_RMM_API_SECRET", "from-default"}};
  fake.files = {{"/s", "from-file\r\n"}};

  ApiCredentialSpec inline_spec;
  inline_spec.value = At("inline-value", 3, "accounts[0].api_secret");
  auto r = Resolve(inline_spec, fake);
  ASSERT_TRUE(r.credential);
  EXPECT_EQ(r.credential->value, "inline-value");
  EXPECT_EQ(r.credential->source, "inline");

  ApiCredentialSpec file_spec;
  file_spec.file = At("/s", 3, "accounts[0].api_secret_file");
  r = Resolve(file_spec, fake);
  ASSERT_TRUE(r.credential);
  EXPECT_EQ(r.credential->value, "from-file");
  EXPECT_EQ(r.credential->source, "file /s");

  ApiCredentialSpec env_spec;
  env_spec.env = At("MY_SECRET", 3, "accounts[0].api_secret_env");
  r = Resolve(env_spec, fake);
  ASSERT_TRUE(r.credential);
  EXPECT_EQ(r.credential->value, "from-env");
  EXPECT_EQ(r.credential->source, "env MY_SECRET");

  r = Resolve(ApiCredentialSpec{}, fake);
  ASSERT_TRUE(r.credential);
  EXPECT_EQ(r.credential->value, "from-default");
  EXPECT_EQ(r.credential->source, "env DATTO_RMM_API_SECRET");
}

TEST(ResolveCredential, NamedSourceWinsOverTheDefaultVariable) {
  testing::FakeEnvironment fake;
  fake.vars = {{"DATTO_RMM_API_SECRET", "from-default"}};
  fake.files = {{"/s", "from-file\n"}};
  ApiCredentialSpec spec;
  spec.file = At("/s", 3, "accounts[0].api_secret_file");
  EXPECT_EQ(Resolve(spec, fake).credential->value, "from-file");
}

TEST(ResolveCredential, EmptyInlineValueAndEmptyFile) {
  testing::FakeEnvironment fake;
  fake.files = {{"/empty", ""}, {"/crlf-only", "\r\n"}};
  ApiCredentialSpec spec;
  spec.value = At("", 3, "accounts[0].api_secret");
  EXPECT_THAT(Resolve(spec, fake).errors,
              ElementsAre("c.yaml:3: accounts[0].api_secret: is empty"));
  for (const char* path : {"/empty", "/crlf-only"}) {
    ApiCredentialSpec file_spec;
    file_spec.file = At(path, 4, "accounts[0].api_secret_file");
    EXPECT_THAT(Resolve(file_spec, fake).errors,
                ElementsAre("c.yaml:4: accounts[0].api_secret_file: \"" + std::string(path) +
                            "\" is empty"));
  }
}

TEST(ResolveCredential, ThreeSourcesReportsTheLastWrittenNamingTheFirst) {
  ApiCredentialSpec spec;
  spec.env = At("X", 9, "accounts[0].api_secret_env");
  spec.file = At("/s", 5, "accounts[0].api_secret_file");
  spec.value = At("v", 6, "accounts[0].api_secret");
  EXPECT_THAT(Resolve(spec, {}).errors,
              ElementsAre("c.yaml:9: accounts[0].api_secret_env: set only one of api_secret, "
                          "api_secret_file and api_secret_env (api_secret_file is set on line 5)"));
}

// The real adapter: strerror texts for the cases a user meets.
class RealFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("drmm_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(RealFiles, ReadsWholeFilesAndExplainsFailures) {
  const Environment env = Environment::Real();
  const std::string big(100'000, 'x');
  const auto whole = env.read_file(Write("big", big));
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole.value(), big);
  const auto absent = env.read_file((dir_ / "absent").string());
  EXPECT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().message, "No such file or directory");
  const auto directory = env.read_file(dir_.string());
  EXPECT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().message, "Is a directory");
}

TEST_F(RealFiles, SecretFilesEndToEnd) {
  const std::string key = Write("key", "real-key\n");
  const std::string secret = Write("secret", "real-secret\r\n");
  const std::string yaml =
      "accounts:\n  - name: a\n    platform: merlot\n    api_key_file: " + key +
      "\n    api_secret_file: " + secret + "\n";
  const auto result = ParseConfig(yaml, "c.yaml", Environment::Real());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value().accounts[0].api_key, "real-key");
  EXPECT_EQ(result.value().accounts[0].api_secret, "real-secret");

  const std::string bad =
      "accounts:\n  - name: a\n    platform: merlot\n    api_key_file: " + dir_.string() +
      "\n    api_secret_file: " + (dir_ / "nope").string() + "\n";
  const auto errors = ParseConfig(bad, "c.yaml", Environment::Real()).error();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].ToString(), "c.yaml:4: accounts[0].api_key_file: cannot read \"" +
                                      dir_.string() + "\": Is a directory");
  EXPECT_EQ(errors[1].ToString(), "c.yaml:5: accounts[0].api_secret_file: cannot read \"" +
                                      (dir_ / "nope").string() + "\": No such file or directory");
}

TEST(RegisterSecrets, EveryKeyAndSecretIsRedactedFromLogs) {
  Config config;
  config.accounts.resize(2);
  config.accounts[0].api_key = "key-one-1111";
  config.accounts[0].api_secret = "secret-one-2222";
  config.accounts[1].api_key = "key-two-3333";
  config.accounts[1].api_secret = "secret-two-4444";
  Logger logger;
  std::vector<std::string> lines;
  logger.SetSink([&](std::string_view line) { lines.emplace_back(line); });
  RegisterSecrets(config, logger);
  logger.Log(LogLevel::kError, "key-one-1111 secret-one-2222",
             {{"a", "key-two-3333"}, {"b", "secret-two-4444"}});
  ASSERT_EQ(lines.size(), 1u);
  for (const char* secret : {"key-one", "secret-one", "key-two", "secret-two"}) {
    EXPECT_EQ(lines[0].find(secret), std::string::npos) << lines[0];
  }
}

}  // namespace
}  // namespace drmm

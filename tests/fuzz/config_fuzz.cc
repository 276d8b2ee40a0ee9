// libFuzzer target for the configuration loader (src/exporter/config/config_loader.h), the yaml
// guard in front of yaml-cpp included: ParseConfig on arbitrary text must return (the guard
// stops yaml-cpp 0.7's endless document loop), give errors that each name the file, and never
// quote a credential that came from the environment or a secret file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "exporter/config/config_loader.h"

namespace {

constexpr std::string_view kFile = "fuzz.yaml";
// Credentials the fuzzer can reach (through the default variables, api_key_env: KEY,
// api_secret_file: /s) but must never see quoted back.
const std::map<std::string, std::string>& Variables() {
  static const std::map<std::string, std::string> vars = {
      {"DATTO_RMM_API_KEY", "envkey-walrus-7731"},
      {"DATTO_RMM_API_SECRET", "envsecret-heron-4410"},
      {"KEY", "envkey-otter-5527 "}};  // a trailing blank: an error that must not quote it
  return vars;
}
const std::map<std::string, std::string>& Files() {
  static const std::map<std::string, std::string> files = {
      {"/s", "filesecret-badger-8812\n\n"},  // two newlines: an error too
      {"/k", "filekey-lynx-3321\n"},
      {"/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}};
  return files;
}

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "config_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  drmm::Environment env;
  env.get_env = [](const std::string& name) -> std::optional<std::string> {
    const auto it = Variables().find(name);
    if (it == Variables().end()) return std::nullopt;
    return it->second;
  };
  env.read_file = [](const std::string& path) -> drmm::Result<std::string> {
    const auto it = Files().find(path);
    if (it != Files().end()) return it->second;
    return drmm::Error{"No such file or directory"};
  };
  const auto result = drmm::ParseConfig(text, std::string(kFile), env);
  if (result.ok()) return 0;
  const auto& errors = result.error();
  if (errors.empty()) Fail("neither a config nor an error", text);
  for (const auto& error : errors) {
    const std::string line = error.ToString();
    if (!line.starts_with(kFile)) Fail("error without the file name", line);
    for (const std::string_view secret :
         {"walrus-7731", "heron-4410", "otter-5527", "badger-8812", "lynx-3321"}) {
      // Text the input itself holds may be quoted back (it is not known to be a secret unless
      // written as one, which leaky_secret.yaml covers); the environment's and files' may not.
      if (line.find(secret) != std::string::npos && text.find(secret) == std::string_view::npos) {
        Fail("a credential in an error", line);
      }
    }
  }
  return 0;
}

// API credentials: where each account's key and secret come from (inline, a file, a named
// environment variable, or the default DATTO_RMM_API_KEY / DATTO_RMM_API_SECRET), how a file's
// content is cleaned, and the checks that catch the classic causes of a 401 (a trailing newline,
// an empty file) before the first request. No message here ever contains a credential.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "exporter/config/config.h"
#include "exporter/config/config_error.h"
#include "exporter/config/environment.h"

namespace drmm {

// The settings that can provide one credential, and how messages name it.
struct ApiCredentialNames {
  std::string_view value_key;    // "api_key"
  std::string_view file_key;     // "api_key_file"
  std::string_view env_key;      // "api_key_env"
  std::string_view default_env;  // "DATTO_RMM_API_KEY"
  std::string_view what;         // "API key"
};

inline constexpr ApiCredentialNames kApiKeyNames{"api_key", "api_key_file", "api_key_env",
                                                 "DATTO_RMM_API_KEY", "API key"};
inline constexpr ApiCredentialNames kApiSecretNames{
    "api_secret", "api_secret_file", "api_secret_env", "DATTO_RMM_API_SECRET", "API secret"};

// What one account wrote about one credential.
struct ApiCredentialSpec {
  std::optional<ConfigText> value;  // api_key: the credential itself
  std::optional<ConfigText> file;   // api_key_file: a path
  std::optional<ConfigText> env;    // api_key_env: a variable name
  // One of the keys was written but its value was unusable (already reported): nothing more is
  // said about this credential, so `api_key: [a, b]` is one error, not also "no API key set".
  bool invalid = false;
  bool Empty() const { return !value && !file && !env; }
};

struct ApiCredential {
  std::string value;
  std::string source;  // "inline", "file /run/secrets/key", "env DATTO_RMM_API_KEY": loggable
};

// The path of a credential read from a file ("file /run/secrets/key" -> "/run/secrets/key");
// nullopt for other sources.
std::optional<std::string> CredentialFilePath(std::string_view source);
// Whether the credential was written in the config file itself.
bool IsInlineCredential(std::string_view source);

// Removes exactly one trailing "\n" or "\r\n" (what an editor or `echo` leaves in a file).
std::string StripOneTrailingNewline(std::string text);

// Why `value` would fail authentication ("" when it looks fine): a line break or other control
// character, or a space at either end. Never quotes the value.
std::string CredentialValueProblem(std::string_view value);

// Resolves a credential from the one source the account names, or from names.default_env when
// it names none. Errors about the default variable are placed at `default_at` (the account's
// line, path accounts[i].api_key). Every value read is registered with `errors` for redaction.
std::optional<ApiCredential> ResolveCredential(const ApiCredentialSpec& spec,
                                               const ApiCredentialNames& names,
                                               const ConfigLocation& default_at,
                                               const Environment& env, ConfigErrorList& errors);

// Records the error for an account that names no source while `sharing` (account names, two
// or more) would all fall back on the same default variable.
void ReportSharedDefaultEnv(const ApiCredentialNames& names, const ConfigLocation& default_at,
                            const std::vector<std::string>& sharing, ConfigErrorList& errors);

// Registers every account's key and secret with the logger, so no log line can carry them.
void RegisterSecrets(const Config& config, Logger& logger);

}  // namespace drmm

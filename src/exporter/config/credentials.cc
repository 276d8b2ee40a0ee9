#include "exporter/config/credentials.h"

#include <algorithm>

namespace drmm {
namespace {

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool ValidEnvName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

enum class Origin { kInline, kFile, kEnv };

// Checks a value that was read; registers it for redaction either way. `where` names the
// origin in messages ("in \"/run/secrets/x\"").
std::optional<ApiCredential> Accept(std::string value, std::string source, Origin origin,
                                    std::string_view where, const ConfigLocation& at,
                                    const ApiCredentialNames& names, ConfigErrorList& errors) {
  errors.AddSecret(value);
  auto problem = CredentialValueProblem(value);
  if (problem.empty()) return ApiCredential{std::move(value), std::move(source)};
  std::string message = "the " + std::string(names.what);
  if (!where.empty()) message += " " + std::string(where);
  message += " " + problem;
  if (problem.starts_with("contains")) {
    if (origin == Origin::kFile) message += " (only one trailing newline is stripped from a file)";
    if (origin == Origin::kInline) {
      message +=
          " (write it on one line; a YAML block scalar | keeps the final newline, |- drops "
          "it)";
    }
  }
  errors.Add(at, std::move(message));
  return std::nullopt;
}

std::optional<ApiCredential> FromEnv(const std::string& name, const ConfigLocation& at,
                                     const ApiCredentialNames& names, const Environment& env,
                                     ConfigErrorList& errors) {
  auto value = env.get_env(name);
  if (!value) {
    errors.Add(at, "the environment variable " + name + " is not set");
    return std::nullopt;
  }
  if (value->empty()) {
    errors.Add(at, "the environment variable " + name + " is empty");
    return std::nullopt;
  }
  return Accept(std::move(*value), "env " + name, Origin::kEnv,
                "in the environment variable " + name, at, names, errors);
}

}  // namespace

std::optional<std::string> CredentialFilePath(std::string_view source) {
  constexpr std::string_view kPrefix = "file ";  // as Accept() is given it below
  if (!source.starts_with(kPrefix)) return std::nullopt;
  return std::string(source.substr(kPrefix.size()));
}

bool IsInlineCredential(std::string_view source) { return source == "inline"; }

std::string StripOneTrailingNewline(std::string text) {
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.pop_back();
  }
  return text;
}

std::string CredentialValueProblem(std::string_view value) {
  if (std::any_of(value.begin(), value.end(), IsControl)) {
    return "contains a line break or another control character";
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) {
    return "starts or ends with a space";
  }
  return "";
}

std::optional<ApiCredential> ResolveCredential(const ApiCredentialSpec& spec,
                                               const ApiCredentialNames& names,
                                               const ConfigLocation& default_at,
                                               const Environment& env, ConfigErrorList& errors) {
  // More than one source: report at the one written last, naming the first.
  std::vector<const ConfigText*> given;
  for (const auto* source : {&spec.value, &spec.file, &spec.env}) {
    if (*source) given.push_back(&**source);
  }
  if (given.size() > 1) {
    std::sort(given.begin(), given.end(),
              [](const ConfigText* a, const ConfigText* b) { return a->at.line < b->at.line; });
    const ConfigText& first = *given.front();
    const auto first_key = first.at.path.substr(first.at.path.rfind('.') + 1);
    errors.Add(given.back()->at, "set only one of " + std::string(names.value_key) + ", " +
                                     std::string(names.file_key) + " and " +
                                     std::string(names.env_key) + " (" + first_key +
                                     " is set on line " + std::to_string(first.at.line) + ")");
    return std::nullopt;
  }

  if (spec.value) {
    if (spec.value->value.empty()) {
      errors.Add(spec.value->at, "is empty");
      return std::nullopt;
    }
    return Accept(spec.value->value, "inline", Origin::kInline, "", spec.value->at, names, errors);
  }

  if (spec.file) {
    const std::string& path = spec.file->value;
    auto content = env.read_file(path);
    if (!content.ok()) {
      errors.Add(spec.file->at, "cannot read \"" + path + "\": " + content.error().message);
      return std::nullopt;
    }
    errors.AddSecret(content.value());
    std::string value = StripOneTrailingNewline(std::move(content).value());
    if (value.empty()) {
      errors.Add(spec.file->at, "\"" + path + "\" is empty");
      return std::nullopt;
    }
    return Accept(std::move(value), "file " + path, Origin::kFile, "in \"" + path + "\"",
                  spec.file->at, names, errors);
  }

  if (spec.env) {
    if (!ValidEnvName(spec.env->value)) {
      errors.Add(spec.env->at, "\"" + spec.env->value +
                                   "\" is not an environment variable name (letters, digits "
                                   "and _, not starting with a digit)");
      return std::nullopt;
    }
    return FromEnv(spec.env->value, spec.env->at, names, env, errors);
  }

  const std::string default_env(names.default_env);
  if (!env.get_env(default_env)) {
    errors.Add(default_at, "no " + std::string(names.what) + ": set " +
                               std::string(names.value_key) + ", " + std::string(names.file_key) +
                               " (a file holding it) or " + std::string(names.env_key) +
                               " (the name of an environment variable holding it), or set the "
                               "environment variable " +
                               default_env);
    return std::nullopt;
  }
  return FromEnv(default_env, default_at, names, env, errors);
}

void ReportSharedDefaultEnv(const ApiCredentialNames& names, const ConfigLocation& default_at,
                            const std::vector<std::string>& sharing, ConfigErrorList& errors) {
  std::string users;
  for (const auto& name : sharing) {
    if (!users.empty()) users += ", ";
    users += name;
  }
  errors.Add(default_at, "no " + std::string(names.what) + " set, and the environment variable " +
                             std::string(names.default_env) + " cannot serve several accounts (" +
                             users + " would all use it): give each account its own " +
                             std::string(names.env_key) + " (or " + std::string(names.file_key) +
                             ", " + std::string(names.value_key) + ")");
}

void RegisterSecrets(const Config& config, Logger& logger) {
  for (const auto& account : config.accounts) {
    logger.AddSecret(account.api_key);
    logger.AddSecret(account.api_secret);
  }
}

}  // namespace drmm

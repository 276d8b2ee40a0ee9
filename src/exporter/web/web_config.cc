#include "exporter/web/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <system_error>

#include "exporter/config/yaml_reader.h"
#include "exporter/web/basic_auth.h"

namespace drmm {
namespace {

constexpr std::array<std::string_view, 3> kTopKeys = {"tls_server_config", "http_server_config",
                                                      "basic_auth_users"};
constexpr std::array<std::string_view, 9> kTlsKeys = {
    "cert_file",        "key_file",    "client_auth_type", "client_ca_file",
    "min_version",      "max_version", "cipher_suites",    "prefer_server_cipher_suites",
    "curve_preferences"};
constexpr std::array<std::string_view, 2> kHttpKeys = {"headers", "http2"};
// The headers exporter-toolkit lets a web config set (and no others, for consistency across the
// Prometheus ecosystem).
constexpr std::array<std::string_view, 5> kHeaderKeys = {
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection",
    "Strict-Transport-Security"};

// exporter-toolkit keys this exporter does not implement: known, so the message says so
// instead of "unknown key".
constexpr std::array<YamlMapReader::Refusal, 1> kTopRefusals = {{
    {"rate_limit",
     "not supported by datto-rmm-exporter: --web.max-requests bounds concurrent scrapes"},
}};
constexpr std::array<YamlMapReader::Refusal, 4> kTlsRefusals = {{
    {"cert", "inline certificates are not supported: write the PEM to a file for cert_file"},
    {"key", "inline keys are not supported: write the PEM to a file for key_file"},
    {"client_ca", "inline CAs are not supported: write the PEM to a file for client_ca_file"},
    {"client_allowed_sans", "not supported by datto-rmm-exporter: use a client CA of its own"},
}};

struct NamedClientAuth {
  std::string_view name;
  ClientAuth value;
};
constexpr std::array<NamedClientAuth, 6> kClientAuths = {{
    {"NoClientCert", ClientAuth::kNoClientCert},
    {"RequestClientCert", ClientAuth::kRequestClientCert},
    {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
    {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
    {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert},
    // exporter-toolkit keeps this old name of RequireAnyClientCert working.
    {"RequireClientCert", ClientAuth::kRequireAnyClientCert},
}};

struct NamedVersion {
  std::string_view name;
  TlsVersion value;
};
constexpr std::array<NamedVersion, 4> kVersions = {{
    {"TLS10", TlsVersion::kTls10},
    {"TLS11", TlsVersion::kTls11},
    {"TLS12", TlsVersion::kTls12},
    {"TLS13", TlsVersion::kTls13},
}};

// Go's crypto/tls names (tls.CipherSuites()) and OpenSSL's for the same suite. The TLS 1.3
// suites map to nothing: Go does not let them be configured either.
struct CipherName {
  std::string_view go;
  std::string_view openssl;
};
constexpr std::array<CipherName, 17> kCiphers = {{
    {"TLS_AES_128_GCM_SHA256", ""},
    {"TLS_AES_256_GCM_SHA384", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", ""},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
}};

struct CurveName {
  std::string_view go;
  std::string_view openssl;
};
constexpr std::array<CurveName, 4> kCurves = {{
    {"CurveP256", "P-256"},
    {"CurveP384", "P-384"},
    {"CurveP521", "P-521"},
    {"X25519", "X25519"},
}};

template <typename Named>
std::string JoinNames(const Named& table) {
  std::string out;
  for (const auto& entry : table) {
    if (!out.empty()) out += ", ";
    out += entry.name;
  }
  return out;
}

// A header value goes into the response as written: no control characters (a newline would
// let the file add headers of its own choosing).
bool PlainHeaderValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

class WebConfigReader {
 public:
  WebConfigReader(const std::string& file, ConfigErrorList& errors)
      : errors_(errors), directory_(std::filesystem::path(file).parent_path()) {}

  std::optional<WebConfig> Run(std::string_view text, const std::string& file) {
    WebConfig config;
    config.file = file;
    const auto document = LoadSingleYamlDocument(text, "", errors_);
    if (!document) return std::nullopt;
    // An empty file is a valid web config that changes nothing, as in exporter-toolkit.
    if (document->IsNull()) return config;
    const YamlField root{*document, {YamlLine(*document), ""}};
    const auto top = YamlMapReader::Open(root, kTopKeys, errors_, kTopRefusals);
    if (!top) return std::nullopt;
    if (const auto* tls = top->Find("tls_server_config")) ReadTls(*tls, config.tls);
    if (const auto* http = top->Find("http_server_config")) ReadHttp(*http, config.headers);
    if (const auto* users = top->Find("basic_auth_users")) ReadUsers(*users, config.users);
    if (!errors_.Empty()) return std::nullopt;
    return config;
  }

 private:
  void ReadTls(const YamlField& field, WebTlsConfig& tls) {
    tls.at = field.at;
    const auto map = YamlMapReader::Open(field, kTlsKeys, errors_, kTlsRefusals);
    if (!map) return;
    ReadPath(map->Find("cert_file"), tls.cert_file);
    ReadPath(map->Find("key_file"), tls.key_file);
    ReadPath(map->Find("client_ca_file"), tls.client_ca_file);
    const YamlField* auth_field = map->Find("client_auth_type");
    if (auth_field != nullptr) {
      if (const auto name = ReadYamlString(*auth_field, errors_)) {
        const auto* found = std::find_if(kClientAuths.begin(), kClientAuths.end(),
                                         [&](const auto& entry) { return entry.name == *name; });
        if (found == kClientAuths.end()) {
          errors_.Add(auth_field->at, DescribeYaml(auth_field->node) + " is not one of " +
                                          JoinNames(std::span(kClientAuths.data(), 5)));
        } else {
          tls.client_auth = found->value;
        }
      }
    }
    const YamlField* min_field = map->Find("min_version");
    const YamlField* max_field = map->Find("max_version");
    if (min_field != nullptr) ReadVersion(*min_field, tls.min_version);
    if (max_field != nullptr) ReadVersion(*max_field, tls.max_version);
    if (static_cast<int>(tls.min_version) > static_cast<int>(tls.max_version)) {
      errors_.Add(min_field != nullptr ? min_field->at : max_field->at,
                  "min_version " + std::string(TlsVersionName(tls.min_version)) +
                      " is above max_version " + std::string(TlsVersionName(tls.max_version)));
    }
    if (const auto* ciphers = map->Find("cipher_suites")) ReadCiphers(*ciphers, tls);
    if (const auto* prefer = map->Find("prefer_server_cipher_suites")) {
      if (const auto value = ReadYamlBool(*prefer, errors_)) {
        tls.prefer_server_cipher_suites = *value;
      }
    }
    if (const auto* curves = map->Find("curve_preferences")) ReadCurves(*curves, tls);

    // What exporter-toolkit checks before it serves TLS, plus one it leaves to Go's defaults.
    // Unlike exporter-toolkit, which then quietly serves plain HTTP, a TLS setting without a
    // certificate is an error: whoever wrote min_version: TLS13 expects TLS.
    const bool any_set = std::any_of(kTlsKeys.begin(), kTlsKeys.end(),
                                     [&](std::string_view key) { return map->Has(key); });
    if (!any_set) return;
    if (tls.cert_file.value.empty() && map->Find("cert_file") == nullptr) {
      errors_.Add(field.at, "cert_file is missing: TLS needs the server's certificate and key");
    }
    if (tls.key_file.value.empty() && map->Find("key_file") == nullptr) {
      errors_.Add(field.at, "key_file is missing: TLS needs the server's certificate and key");
    }
    if (!tls.client_ca_file.value.empty() && tls.client_auth == ClientAuth::kNoClientCert) {
      errors_.Add(tls.client_ca_file.at,
                  "is set, but client_auth_type is NoClientCert (the default), so no client "
                  "certificate is asked for: set client_auth_type: RequireAndVerifyClientCert");
    }
    const bool verifies = tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                          tls.client_auth == ClientAuth::kRequireAndVerifyClientCert;
    if (verifies && tls.client_ca_file.value.empty() && auth_field != nullptr) {
      // Go would verify against the system's CAs, which sign certificates for anyone.
      errors_.Add(auth_field->at, std::string(ClientAuthName(tls.client_auth)) +
                                      " needs client_ca_file: the CA that signs the client "
                                      "certificates");
    }
  }

  void ReadPath(const YamlField* field, ConfigText& out) {
    if (field == nullptr) return;
    const auto value = ReadYamlString(*field, errors_);
    if (!value) return;
    if (value->empty()) {
      errors_.Add(field->at, "is empty: give a file name");
      return;
    }
    std::filesystem::path path(*value);
    if (path.is_relative() && !directory_.empty()) path = directory_ / path;
    out = ConfigText{path.string(), field->at};
  }

  void ReadVersion(const YamlField& field, TlsVersion& out) {
    const auto name = ReadYamlString(field, errors_);
    if (!name) return;
    const auto* found = std::find_if(kVersions.begin(), kVersions.end(),
                                     [&](const auto& entry) { return entry.name == *name; });
    if (found == kVersions.end()) {
      errors_.Add(field.at, DescribeYaml(field.node) + " is not one of " + JoinNames(kVersions));
      return;
    }
    out = found->value;
  }

  void ReadCiphers(const YamlField& field, WebTlsConfig& tls) {
    const auto names = ReadYamlStringList(field, errors_);
    if (!names) return;
    for (const auto& name : *names) {
      const auto* found = std::find_if(kCiphers.begin(), kCiphers.end(),
                                       [&](const auto& entry) { return entry.go == name.value; });
      if (found == kCiphers.end()) {
        errors_.Add(name.at, "\"" + name.value +
                                 "\" is not a cipher suite name of Go's crypto/tls (such as "
                                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; the list is in "
                                 "docs/security.md)");
      } else if (!found->openssl.empty()) {
        tls.cipher_suites.emplace_back(found->openssl);
      }
    }
  }

  void ReadCurves(const YamlField& field, WebTlsConfig& tls) {
    const auto names = ReadYamlStringList(field, errors_);
    if (!names) return;
    for (const auto& name : *names) {
      const auto* found = std::find_if(kCurves.begin(), kCurves.end(),
                                       [&](const auto& entry) { return entry.go == name.value; });
      if (found == kCurves.end()) {
        std::string known;
        for (const auto& curve : kCurves)
          known += (known.empty() ? "" : ", ") + std::string(curve.go);
        errors_.Add(name.at, "\"" + name.value + "\" is not one of " + known);
      } else {
        tls.curves.emplace_back(found->openssl);
      }
    }
  }

  void ReadHttp(const YamlField& field, std::vector<std::pair<std::string, std::string>>& out) {
    const auto map = YamlMapReader::Open(field, kHttpKeys, errors_);
    if (!map) return;
    // HTTP/2 is not offered; either value serves HTTP/1.1, which every scraper speaks.
    if (const auto* http2 = map->Find("http2")) ReadYamlBool(*http2, errors_);
    const auto* headers_field = map->Find("headers");
    if (headers_field == nullptr) return;
    const auto headers = YamlMapReader::Open(*headers_field, kHeaderKeys, errors_);
    if (!headers) return;
    for (const auto name : kHeaderKeys) {
      const auto* header = headers->Find(name);
      if (header == nullptr) continue;
      const auto value = ReadYamlString(*header, errors_);
      if (!value || value->empty()) continue;  // blank: unset, as in exporter-toolkit
      if (!PlainHeaderValue(*value)) {
        errors_.Add(header->at, "must be one line without control characters");
        continue;
      }
      if (name == "X-Frame-Options" && *value != "deny" && *value != "sameorigin") {
        errors_.Add(header->at, DescribeYaml(header->node) + " is not one of deny, sameorigin");
        continue;
      }
      if (name == "X-Content-Type-Options" && *value != "nosniff") {
        errors_.Add(header->at, DescribeYaml(header->node) + " is not nosniff");
        continue;
      }
      out.emplace_back(std::string(name), *value);
    }
  }

  void ReadUsers(const YamlField& field, std::vector<BasicAuthUser>& users) {
    if (!field.node.IsMap()) {
      if (field.node.IsNull()) {
        errors_.Add(field.at, "has no value (expected a map of user names to bcrypt hashes)");
      } else {
        errors_.Add(field.at, "expected a map of user names to bcrypt hashes, got " +
                                  DescribeYaml(field.node));
      }
      return;
    }
    for (const auto& entry : field.node) {
      const int line = YamlLine(entry.first);
      if (!entry.first.IsScalar()) {
        errors_.Add({line, field.at.path}, "user names must be plain strings, got " +
                                               DescribeYaml(entry.first) + " as a key");
        continue;
      }
      const std::string name = entry.first.Scalar();
      const ConfigLocation at{line, ChildKeyPath(field.at.path, name)};
      if (entry.second.IsScalar()) errors_.AddSecret(entry.second.Scalar());
      const auto same = [&](const BasicAuthUser& user) { return user.name == name; };
      if (std::any_of(users.begin(), users.end(), same)) {
        errors_.Add(at, "duplicate user");
        continue;
      }
      if (name.empty() || name.find(':') != std::string::npos) {
        errors_.Add(at,
                    "a user name must be non-empty and without ':' (basic auth puts a ':' "
                    "between user and password)");
        continue;
      }
      if (!entry.second.IsScalar()) {
        errors_.Add(at, entry.second.IsNull()
                            ? "has no value (expected a bcrypt hash)"
                            : "expected a bcrypt hash, got " + DescribeYaml(entry.second));
        continue;
      }
      const std::string problem = BcryptHashProblem(entry.second.Scalar());
      if (!problem.empty()) {
        errors_.Add(at, problem);
        continue;
      }
      users.push_back(BasicAuthUser{name, entry.second.Scalar()});
    }
  }

  ConfigErrorList& errors_;
  const std::filesystem::path directory_;
};

}  // namespace

ConfigResult<WebConfig> ParseWebConfig(std::string_view text, const std::string& file_name) {
  ConfigErrorList errors(file_name);
  WebConfigReader reader(file_name, errors);
  auto config = reader.Run(text, file_name);
  if (config && errors.Empty()) return std::move(*config);
  return std::move(errors).Take();
}

ConfigResult<WebConfig> LoadWebConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::vector<ConfigError>{
        {path, 0, "",
         "cannot read the web config file: " +
             std::error_code(errno, std::generic_category()).message()}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseWebConfig(text.str(), path);
}

std::string_view TlsVersionName(TlsVersion version) {
  for (const auto& entry : kVersions) {
    if (entry.value == version) return entry.name;
  }
  return "?";
}

std::string_view ClientAuthName(ClientAuth auth) {
  for (const auto& entry : kClientAuths) {
    if (entry.value == auth) return entry.name;
  }
  return "?";
}

}  // namespace drmm

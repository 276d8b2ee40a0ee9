// Strict, typed reading of a parsed YAML tree for the config loader. yaml-cpp's as<T>() only
// says "bad conversion"; these readers check each node's kind themselves, so every problem
// becomes a ConfigError with its line and key path, and unknown or repeated keys are reported
// instead of silently ignored. Internal to drmm_config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/config/config_error.h"

namespace drmm {

// A value in the tree and where it was written.
struct YamlField {
  YAML::Node node;
  ConfigLocation at;
};

// Parses a config file's text, which must hold one YAML document. Runs the guard against
// yaml-cpp's endless-document loop first; a syntax error is recorded with its line and column
// (for a bad escape without the character, which may belong to a secret); a second non-empty
// document is recorded as "a second YAML document (---) is not allowed" followed by
// `second_document_hint` when that is not empty. Returns the first document (a null node for an
// empty text), or nullopt when the text could not be parsed.
std::optional<YAML::Node> LoadSingleYamlDocument(std::string_view text,
                                                 std::string_view second_document_hint,
                                                 ConfigErrorList& errors);

// 1-based line of a node; 0 when yaml-cpp has no position for it.
int YamlLine(const YAML::Node& node);

// How a node is named in messages: "a map", "a list", "no value", or the scalar in quotes
// (shortened when long). Never used on a value that may be a secret.
std::string DescribeYaml(const YAML::Node& node);

// A map's entries, checked once: keys must be plain names, may appear once, and must be one of
// `known`. Keys listed in `refused` are known but not allowed here; their message says why.
class YamlMapReader {
 public:
  struct Refusal {
    std::string_view key;
    std::string_view message;
  };

  // nullopt (with an error recorded) when `field` is not a map.
  static std::optional<YamlMapReader> Open(const YamlField& field,
                                           std::span<const std::string_view> known,
                                           ConfigErrorList& errors,
                                           std::span<const Refusal> refused = {});

  // nullptr when the key is absent (or was refused).
  const YamlField* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

 private:
  std::vector<std::pair<std::string, YamlField>> fields_;
};

// The known keys as a comma-separated list, for messages.
std::string JoinConfigKeys(std::span<const std::string_view> keys);

// Typed readers: nullopt with an error recorded when the value has the wrong kind or form.
// A key written without a value ("key:" or "key: null") is an error, never a silent default.
std::optional<std::string> ReadYamlString(const YamlField& field, ConfigErrorList& errors);
std::optional<std::int64_t> ReadYamlInt(const YamlField& field, ConfigErrorList& errors);
// true/false, and the YAML 1.1 spellings yaml-cpp accepts (yes/no, on/off, y/n).
std::optional<bool> ReadYamlBool(const YamlField& field, ConfigErrorList& errors);
// drmm::ParseDuration syntax: "30s", "5m", "1h30m".
std::optional<std::chrono::milliseconds> ReadYamlDuration(const YamlField& field,
                                                          ConfigErrorList& errors);
// map[key] as a duration greater than zero, into `out`; false when absent or invalid.
bool ReadYamlPositiveDuration(const YamlMapReader& map, std::string_view key,
                              std::chrono::milliseconds& out, ConfigErrorList& errors);
// ParseByteSize syntax: "32MiB", "500KB", "1048576".
std::optional<std::uint64_t> ReadYamlByteSize(const YamlField& field, ConfigErrorList& errors);
// A list of strings; each entry keeps its own location. nullopt when any entry is bad.
std::optional<std::vector<ConfigText>> ReadYamlStringList(const YamlField& field,
                                                          ConfigErrorList& errors);

}  // namespace drmm

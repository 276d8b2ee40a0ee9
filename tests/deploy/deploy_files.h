// Helpers of the deployment tests: the repository's files, commands run through the shell, and
// YAML trees compared by value (kustomize re-emits YAML in its own style).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace drmm::testing {

inline std::filesystem::path RepoPath(const std::string& relative) {
  return std::filesystem::path(DRMM_SOURCE_DIR) / relative;
}

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

inline void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << text;
}

struct CommandResult {
  int status = -1;     // the exit status; -1 when it did not exit normally
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh; stderr joins stdout.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

// Equal as data: same node kinds, scalars with the same text, maps with the same keys (in any
// order) and equal values, sequences equal element by element. `where` names the first
// difference.
inline bool YamlEqual(const YAML::Node& a, const YAML::Node& b, std::string& where,
                      const std::string& path = "") {
  if (a.Type() != b.Type()) {
    where = (path.empty() ? "/" : path) + ": different kinds of node";
    return false;
  }
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      if (a.Scalar() != b.Scalar()) {
        where = path + ": \"" + a.Scalar() + "\" vs \"" + b.Scalar() + "\"";
        return false;
      }
      return true;
    case YAML::NodeType::Sequence:
      if (a.size() != b.size()) {
        where = path + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
                " elements";
        return false;
      }
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!YamlEqual(a[i], b[i], where, path + "/" + std::to_string(i))) return false;
      }
      return true;
    case YAML::NodeType::Map:
      if (a.size() != b.size()) {
        where =
            path + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " keys";
        return false;
      }
      for (const auto& entry : a) {
        const std::string key = entry.first.Scalar();
        if (!b[key]) {
          where = path + "/" + key + ": missing";
          return false;
        }
        if (!YamlEqual(entry.second, b[key], where, path + "/" + key)) return false;
      }
      return true;
    default:
      return true;  // null, undefined
  }
}

}  // namespace drmm::testing

// An Environment for tests: variables and files from maps, so config tests never depend on the
// process environment or the disk. A path absent from `files` reads as ENOENT; a path in
// `errors` fails with that reason.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "exporter/config/environment.h"

namespace drmm::testing {

struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> errors;
  std::map<std::string, unsigned> modes;  // permission bits; a path absent here is unknown

  Environment Get() const {
    Environment env;
    env.get_env = [vars = vars](const std::string& name) -> std::optional<std::string> {
      const auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.read_file = [files = files,
                     errors = errors](const std::string& path) -> Result<std::string> {
      if (const auto it = errors.find(path); it != errors.end()) return Error{it->second};
      const auto it = files.find(path);
      if (it == files.end()) return Error{"No such file or directory"};
      return it->second;
    };
    env.file_mode = [modes = modes](const std::string& path) -> std::optional<unsigned> {
      const auto it = modes.find(path);
      if (it == modes.end()) return std::nullopt;
      return it->second;
    };
    return env;
  }
};

}  // namespace drmm::testing

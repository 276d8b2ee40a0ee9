// What the config loader reads besides the YAML text: environment variables and files (secret
// files, the CA bundle, the config file itself). Injected, so tests control both without
// touching the process environment or the disk.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/result.h"

namespace drmm {

struct Environment {
  // nullopt when the variable is not set (set but empty gives "").
  std::function<std::optional<std::string>(const std::string& name)> get_env;
  // The whole file, or an Error whose message is the reason (strerror text) it is unreadable.
  std::function<Result<std::string>(const std::string& path)> read_file;
  // Permission bits (st_mode & 07777) of a path, for the warnings about readable secrets;
  // nullopt when it cannot be read. May be left empty: the checks are then skipped.
  std::function<std::optional<unsigned>(const std::string& path)> file_mode;

  // The process environment (getenv) and the file system. Files above 16 MiB are refused: no
  // config, secret or CA bundle is that large, and a mistyped path such as /dev/zero must not
  // hang the exporter.
  static Environment Real();
};

}  // namespace drmm

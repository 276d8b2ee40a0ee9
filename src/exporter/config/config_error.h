// Configuration errors as users see them: one line each, "<file>:<line>: <key.path>: <message>",
// collected for a whole file (not just the first) and sorted by line, so a user fixes a file in
// one pass instead of one error per restart.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/secret_redactor.h"

namespace drmm {

struct ConfigError {
  std::string file;
  int line = 0;         // 1-based; 0 when the error concerns the file as a whole
  std::string path;     // "accounts[0].collectors.alerts.interval"; empty for file-level errors
  std::string message;  // never quotes a secret

  // "file:line: path: message"; the line is left out when it is 0 and the path when empty.
  std::string ToString() const;
};

// What a config loader returns: the value, or every error found in the file (not just the first).
template <typename T>
using ConfigResult = Result<T, std::vector<ConfigError>>;

// Where something was written: the 1-based line and the key path that names it in messages.
struct ConfigLocation {
  int line = 0;
  std::string path;
};

// A string value from the file and where it was written.
struct ConfigText {
  std::string value;
  ConfigLocation at;
};

// "accounts[0]" + "name" -> "accounts[0].name"; "" + "accounts" -> "accounts".
std::string ChildKeyPath(std::string_view parent, std::string_view key);
// "accounts" + 2 -> "accounts[2]".
std::string IndexKeyPath(std::string_view parent, std::size_t index);

// Collects the errors of one file. Messages are written not to quote secrets; as a last line of
// defence every value registered with AddSecret is also replaced in the final messages.
class ConfigErrorList {
 public:
  explicit ConfigErrorList(std::string file) : file_(std::move(file)) {}

  void Add(const ConfigLocation& at, std::string message);
  // Redacted as the logger does (SecretRedactor: escaped and encoded forms too); values shorter
  // than 4 characters are ignored (redacting them would mangle messages).
  void AddSecret(std::string_view secret);

  bool Empty() const { return errors_.empty(); }
  std::size_t Size() const { return errors_.size(); }
  const std::string& File() const { return file_; }

  // The errors sorted by line (errors on one line keep the order they were found in), exact
  // repeats removed (a bad value in `defaults` is reached once per account), secrets redacted.
  std::vector<ConfigError> Take() &&;

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
  SecretRedactor redactor_;
};

}  // namespace drmm

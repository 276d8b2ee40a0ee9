#include "exporter/config/config_error.h"

#include <algorithm>
#include <utility>

namespace drmm {
namespace {}  // namespace

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
  }
  out += ": ";
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

std::string ChildKeyPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string IndexKeyPath(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

void ConfigErrorList::Add(const ConfigLocation& at, std::string message) {
  errors_.push_back(ConfigError{file_, at.line, at.path, std::move(message)});
}

void ConfigErrorList::AddSecret(std::string_view secret) { redactor_.Add(secret); }

std::vector<ConfigError> ConfigErrorList::Take() && {
  for (auto& error : errors_) {
    error.message = redactor_.Redact(error.message);
    error.path = redactor_.Redact(error.path);
  }
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  std::vector<ConfigError> out;
  out.reserve(errors_.size());
  for (auto& error : errors_) {
    // Sorted by line, so a repeat can only be among the last entries with the same line.
    bool repeated = false;
    for (auto seen = out.rbegin(); seen != out.rend() && seen->line == error.line; ++seen) {
      if (seen->path == error.path && seen->message == error.message) {
        repeated = true;
        break;
      }
    }
    if (!repeated) out.push_back(std::move(error));
  }
  errors_.clear();
  return out;
}

}  // namespace drmm

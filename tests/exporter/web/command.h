// Runs a command-line tool (openssl, curl) for the web server's tests: argv as given, no shell,
// stdin from a string, stdout and stderr captured, killed when it outlives its timeout. Also a
// temporary directory that removes itself.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace drmm::testing {

struct CommandResult {
  std::optional<int> exit_code;  // nullopt: killed at the timeout, or could not start
  std::string out;
  std::string err;
};

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const std::string& stdin_text = "");

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void WriteTextFile(const std::string& path, const std::string& text);

}  // namespace drmm::testing

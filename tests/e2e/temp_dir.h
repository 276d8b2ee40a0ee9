// A directory for one test environment's files (configurations, logs, Prometheus's TSDB),
// created under the system temp directory and removed with everything in it on destruction.
#pragma once

#include <filesystem>
#include <string>

namespace drmm::e2e {

class TempDir {
 public:
  // Throws std::runtime_error when the directory cannot be created.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace drmm::e2e

#include "programs.h"

#include <unistd.h>

#ifndef DRMM_EXPORTER_BINARY
#error "tests/e2e/CMakeLists.txt defines the paths of the programs under test"
#endif

namespace drmm::e2e {
namespace {

// find_program leaves "<VAR>-NOTFOUND" when it finds nothing.
std::filesystem::path Found(const char* path) {
  const std::string text(path);
  if (text.empty() || text.ends_with("-NOTFOUND")) return {};
  return text;
}

}  // namespace

std::filesystem::path ExporterBinary() { return DRMM_EXPORTER_BINARY; }
std::filesystem::path SimulatorBinary() { return DRMM_SIM_BINARY; }
std::filesystem::path RepoDir() { return DRMM_SOURCE_DIR; }
std::string ProjectVersion() { return DRMM_VERSION; }
std::filesystem::path PrometheusBinary() { return Found(DRMM_PROMETHEUS_BINARY); }
std::filesystem::path PromtoolBinary() { return Found(DRMM_PROMTOOL_BINARY); }

std::string MissingTool(const std::filesystem::path& path, const std::string& name) {
  if (!path.empty() && access(path.c_str(), X_OK) == 0) return "";
  return name + " was not found when the build was configured (" +
         (path.empty() ? std::string("not on PATH") : path.string()) +
         "): install Debian's 'prometheus' package (scripts/install-deps.sh does) and "
         "re-run cmake. The end-to-end tests fail rather than skip without it.";
}

}  // namespace drmm::e2e

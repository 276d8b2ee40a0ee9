// Where the programs under test and their tools are: the exporter and the simulator from this
// build (CMake generator expressions), Prometheus and promtool as found at configure time, and
// the repository (for config.example.yaml, rules/ and dashboards/).
#pragma once

#include <filesystem>
#include <string>

namespace drmm::e2e {

std::filesystem::path ExporterBinary();
std::filesystem::path SimulatorBinary();
std::filesystem::path RepoDir();
std::string ProjectVersion();

// Empty when configure did not find them; MissingTool says what to do about it.
std::filesystem::path PrometheusBinary();
std::filesystem::path PromtoolBinary();
// "" when `path` is an executable file; otherwise a message for the test failure.
std::string MissingTool(const std::filesystem::path& path, const std::string& name);

}  // namespace drmm::e2e

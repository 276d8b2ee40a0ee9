// What this binary is: the version from CMake's project() and the git revision it was built
// from, as shown by --version, the landing page and datto_rmm_exporter_build_info. Generated at
// configure time into one small source file, so a new commit recompiles only that file.
#pragma once

namespace drmm {

extern const char* const kBuildVersion;
extern const char* const kBuildRevision;

}  // namespace drmm

// --web.systemd-socket: serve on the listening sockets systemd's socket activation hands over
// (the sd_listen_fds(3) protocol: LISTEN_PID names this process, LISTEN_FDS counts sockets
// numbered from 3), as exporter-toolkit does. Read without libsystemd.
#pragma once

#include <sys/types.h>

#include <vector>

#include "common/result.h"

namespace drmm {

inline constexpr int kSystemdFirstSocket = 3;

// Pure: the descriptors the two variables (nullptr when unset) give process `pid`, or why
// none can be used.
Result<std::vector<int>> SystemdListenFds(pid_t pid, const char* listen_pid,
                                          const char* listen_fds);

// The same for this process: also unsets the variables, so that programs it starts do not take
// the sockets for theirs, and marks the sockets close-on-exec.
Result<std::vector<int>> TakeSystemdListenFds();

}  // namespace drmm

#include "exporter/web/systemd_socket.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace drmm {
namespace {

std::optional<long> PositiveNumber(std::string_view text) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Result<std::vector<int>> SystemdListenFds(pid_t pid, const char* listen_pid,
                                          const char* listen_fds) {
  if (listen_pid == nullptr || listen_fds == nullptr) {
    return Error{
        "--web.systemd-socket: LISTEN_PID and LISTEN_FDS are not set: start the exporter from a "
        "systemd .socket unit, or drop the flag and use --web.listen-address"};
  }
  const auto owner = PositiveNumber(listen_pid);
  if (!owner) {
    return Error{"--web.systemd-socket: LISTEN_PID=\"" + std::string(listen_pid) +
                 "\" is not a pid"};
  }
  if (*owner != static_cast<long>(pid)) {
    return Error{"--web.systemd-socket: the sockets are for process " + std::to_string(*owner) +
                 ", not this one (" + std::to_string(pid) + ")"};
  }
  const auto count = PositiveNumber(listen_fds);
  if (!count || *count > 1000) {
    return Error{"--web.systemd-socket: LISTEN_FDS=\"" + std::string(listen_fds) +
                 "\" is not a number of sockets (1 or more)"};
  }
  std::vector<int> fds;
  for (long i = 0; i < *count; ++i) fds.push_back(kSystemdFirstSocket + static_cast<int>(i));
  return fds;
}

Result<std::vector<int>> TakeSystemdListenFds() {
  // main() calls this before it starts any thread, so nothing reads the environment meanwhile.
  // NOLINTBEGIN(concurrency-mt-unsafe)
  auto result = SystemdListenFds(getpid(), std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"));
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  // NOLINTEND(concurrency-mt-unsafe)
  if (result.ok()) {
    for (const int fd : result.value()) {
      const int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }
  return result;
}

}  // namespace drmm

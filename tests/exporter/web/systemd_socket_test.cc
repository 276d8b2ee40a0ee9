// --web.systemd-socket: the sd_listen_fds(3) variables read without libsystemd.
#include "exporter/web/systemd_socket.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace drmm {
namespace {

std::string ErrorOf(const Result<std::vector<int>>& result) {
  return result.ok() ? "" : result.error().message;
}

TEST(SystemdListenFds, SocketsAreNumberedFromThree) {
  EXPECT_EQ(SystemdListenFds(42, "42", "1").value(), std::vector<int>{3});
  EXPECT_EQ(SystemdListenFds(42, "42", "3").value(), (std::vector<int>{3, 4, 5}));
}

TEST(SystemdListenFds, SaysWhyNoSocketCanBeUsed) {
  EXPECT_EQ(ErrorOf(SystemdListenFds(42, nullptr, nullptr)),
            "--web.systemd-socket: LISTEN_PID and LISTEN_FDS are not set: start the exporter "
            "from a systemd .socket unit, or drop the flag and use --web.listen-address");
  EXPECT_EQ(ErrorOf(SystemdListenFds(42, "41", "1")),
            "--web.systemd-socket: the sockets are for process 41, not this one (42)");
  EXPECT_EQ(ErrorOf(SystemdListenFds(42, "x", "1")),
            "--web.systemd-socket: LISTEN_PID=\"x\" is not a pid");
  for (const char* count : {"0", "-1", "two", "", "1x"}) {
    EXPECT_EQ(ErrorOf(SystemdListenFds(42, "42", count)),
              "--web.systemd-socket: LISTEN_FDS=\"" + std::string(count) +
                  "\" is not a number of sockets (1 or more)")
        << count;
  }
}

}  // namespace
}  // namespace drmm

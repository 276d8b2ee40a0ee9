#include "free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace drmm::e2e {

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::generic_category().message(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  // sockaddr_in and sockaddr are layout-compatible by POSIX's design; the casts are the API.
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if (bind(fd, generic, sizeof address) != 0 || getsockname(fd, generic, &length) != 0) {
    const int error = errno;
    close(fd);
    throw std::runtime_error("bind 127.0.0.1:0: " + std::generic_category().message(error));
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace drmm::e2e

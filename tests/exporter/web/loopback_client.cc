#include "loopback_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace drmm::testing {
namespace {

int MillisecondsLeft(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on `fd` until the deadline; false on timeout.
bool WaitFor(int fd, short events, Deadline deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int left = MillisecondsLeft(deadline);
    const int ready = poll(&p, 1, left);
    if (ready > 0) return true;
    if (ready == 0 || (ready < 0 && errno != EINTR)) return false;
  }
}

// The value of Content-Length in a response head, or nullopt.
std::optional<std::size_t> ContentLength(std::string_view head) {
  std::size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string_view::npos) {
    at += 2;
    const std::string_view rest = head.substr(at);
    constexpr std::string_view kName = "content-length:";
    if (rest.size() < kName.size()) break;
    bool match = true;
    for (std::size_t i = 0; i < kName.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(rest[i])) != kName[i]) match = false;
    }
    if (!match) continue;
    std::size_t value = 0;
    std::size_t i = kName.size();
    while (i < rest.size() && rest[i] == ' ') ++i;
    bool digits = false;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      value = value * 10 + static_cast<std::size_t>(rest[i] - '0');
      digits = true;
      ++i;
    }
    if (digits) return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<LoopbackSocket> LoopbackSocket::Connect(int port, std::chrono::milliseconds timeout,
                                                      const std::string& host) {
  const bool v6 = host.find(':') != std::string::npos;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* address = reinterpret_cast<sockaddr_in6*>(&storage);
    address->sin6_family = AF_INET6;
    address->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &address->sin6_addr) != 1) return std::nullopt;
    length = sizeof(sockaddr_in6);
  } else {
    auto* address = reinterpret_cast<sockaddr_in*>(&storage);
    address->sin_family = AF_INET;
    address->sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &address->sin_addr) != 1) return std::nullopt;
    length = sizeof(sockaddr_in);
  }
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  LoopbackSocket sock(fd);
  if (connect(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) return sock;
  if (errno != EINPROGRESS) return std::nullopt;
  if (!WaitFor(fd, POLLOUT, After(timeout))) return std::nullopt;
  int error = 0;
  socklen_t error_length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length) != 0 || error != 0) {
    return std::nullopt;
  }
  return sock;
}

LoopbackSocket::~LoopbackSocket() {
  if (fd_ >= 0) close(fd_);
}

LoopbackSocket::LoopbackSocket(LoopbackSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      received_(std::move(other.received_)),
      consumed_(other.consumed_) {}

LoopbackSocket& LoopbackSocket::operator=(LoopbackSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    received_ = std::move(other.received_);
    consumed_ = other.consumed_;
  }
  return *this;
}

bool LoopbackSocket::SendAll(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    const auto sent = SendSome(bytes);
    if (!sent) return false;
    bytes.remove_prefix(*sent);
    if (!bytes.empty() && !WaitFor(fd_, POLLOUT, deadline)) return false;
  }
  return true;
}

std::optional<std::size_t> LoopbackSocket::SendSome(std::string_view bytes) {
  const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (sent >= 0) return static_cast<std::size_t>(sent);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  return std::nullopt;
}

bool LoopbackSocket::ReadMore(Deadline deadline) {
  if (!WaitFor(fd_, POLLIN, deadline)) return false;
  char buffer[16384];
  while (true) {
    const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    if (got > 0) {
      received_.append(buffer, static_cast<std::size_t>(got));
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;  // closed or reset
  }
}

std::string LoopbackSocket::ReadResponse(Deadline deadline) {
  while (true) {
    const std::string_view pending = std::string_view(received_).substr(consumed_);
    const auto head_end = pending.find("\r\n\r\n");
    if (head_end != std::string_view::npos) {
      const auto length = ContentLength(pending.substr(0, head_end + 2));
      if (length) {
        const std::size_t total = head_end + 4 + *length;
        if (pending.size() >= total) {
          std::string response(pending.substr(0, total));
          consumed_ += total;
          return response;
        }
      }
    }
    if (!ReadMore(deadline)) {
      // A response without Content-Length ends with the connection.
      if (head_end != std::string_view::npos && !ContentLength(pending.substr(0, head_end + 2))) {
        std::string response(pending);
        consumed_ = received_.size();
        return response;
      }
      return "";
    }
  }
}

bool LoopbackSocket::WaitClosed(Deadline deadline) {
  while (true) {
    if (!WaitFor(fd_, POLLIN, deadline)) return false;
    char buffer[16384];
    const ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    if (got == 0) return true;
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return true;  // reset: closed as well
    }
    received_.append(buffer, static_cast<std::size_t>(got));
  }
}

ScrapeResult Scrape(int port, const std::string& path, std::chrono::milliseconds timeout,
                    const std::string& extra_headers, const std::string& host) {
  ScrapeResult result;
  const auto started = std::chrono::steady_clock::now();
  const Deadline deadline = started + timeout;
  const auto finish = [&](std::string error) {
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.error = std::move(error);
    return result;
  };
  auto sock = LoopbackSocket::Connect(port, timeout, host);
  if (!sock) return finish("connect failed or timed out");
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nConnection: close\r\n" + extra_headers + "\r\n";
  if (!sock->SendAll(request, deadline)) return finish("sending the request failed");
  result.response = sock->ReadResponse(deadline);
  if (result.response.empty()) return finish("no response before the deadline");
  if (result.response.rfind("HTTP/1.", 0) == 0 && result.response.size() >= 12) {
    result.status = std::atoi(result.response.substr(9, 3).c_str());
  }
  return finish(result.status == 0 ? "not an HTTP response" : "");
}

std::size_t ResidentBytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int read = std::fscanf(file, "%lu %lu", &size, &resident);
  std::fclose(file);
  if (read != 2) return 0;
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

long RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace drmm::testing

// Bare TCP clients on loopback for the web server's tests: well-behaved scrapers that time each
// request, and the raw sockets hostile clients are made of (connections that send nothing, drip
// header bytes, or send what is not HTTP). Every call is bounded by a deadline; nothing here
// blocks without one.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace drmm::testing {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline After(std::chrono::milliseconds timeout) {
  return std::chrono::steady_clock::now() + timeout;
}

// A connected, non-blocking TCP socket; closed when destroyed.
class LoopbackSocket {
 public:
  // Connects to `host` (an IPv4 or IPv6 literal) within `timeout`; nullopt when it cannot.
  static std::optional<LoopbackSocket> Connect(int port, std::chrono::milliseconds timeout,
                                               const std::string& host = "127.0.0.1");
  ~LoopbackSocket();
  LoopbackSocket(LoopbackSocket&& other) noexcept;
  LoopbackSocket& operator=(LoopbackSocket&& other) noexcept;
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  // Writes all of `bytes` before `deadline`; false when the peer closed or time ran out.
  bool SendAll(std::string_view bytes, Deadline deadline);
  // Writes what the socket takes now without waiting; the count, or nullopt once the peer
  // has closed or reset the connection.
  std::optional<std::size_t> SendSome(std::string_view bytes);
  // One HTTP/1.1 response (framed by Content-Length, or by the close), headers included; ""
  // when the peer closed first or the deadline passed.
  std::string ReadResponse(Deadline deadline);
  // Reads and drops whatever comes until the peer closes (true) or the deadline passes.
  bool WaitClosed(Deadline deadline);
  // Everything received so far by ReadResponse/WaitClosed, including what WaitClosed dropped.
  const std::string& received() const { return received_; }

 private:
  explicit LoopbackSocket(int fd) : fd_(fd) {}
  // Reads what is there within the deadline; false on close, error or timeout.
  bool ReadMore(Deadline deadline);

  int fd_ = -1;
  std::string received_;
  std::size_t consumed_ = 0;  // bytes of received_ already returned by ReadResponse
};

struct ScrapeResult {
  int status = 0;  // 0: no response
  double seconds = 0;
  std::string response;  // status line, headers and body
  std::string error;
};

// GET `path` on a new connection (Connection: close), with `extra_headers` ("Name: value\r\n"
// lines) and everything bounded by `timeout`.
ScrapeResult Scrape(int port, const std::string& path, std::chrono::milliseconds timeout,
                    const std::string& extra_headers = "", const std::string& host = "127.0.0.1");

// The process's resident set size, from /proc/self/statm.
std::size_t ResidentBytes();

// Raises the soft limit on open files to the hard limit; returns the new soft limit.
long RaiseOpenFileLimit();

}  // namespace drmm::testing

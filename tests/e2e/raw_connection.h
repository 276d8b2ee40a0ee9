// A bare TCP connection to 127.0.0.1 for tests that need what an HTTP client library hides:
// a connection kept open after its response (a scraper's keep-alive), or one that never sends
// a whole request (a slow or stuck client).
#pragma once

#include <chrono>
#include <string>

namespace drmm::e2e {

class RawConnection {
 public:
  // Connects at once; throws std::runtime_error naming the port when it cannot.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes all of `bytes`; throws when the peer has gone.
  void Send(const std::string& bytes);
  // Reads one HTTP/1.1 response framed by Content-Length (what the exporter sends) and returns
  // it whole, headers included; "" when the peer closes or `timeout` passes first.
  std::string ReadResponse(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string buffered_;
};

}  // namespace drmm::e2e

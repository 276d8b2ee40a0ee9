// A bound on how long a clean shutdown may take. The exporter promises to be gone within 2 s of
// SIGTERM, but stopping cleanly waits on things outside its control: the web server joins its
// workers, one of which may be reading from a stuck client, and an API request may be in the
// middle of a TCP or TLS handshake. If the clean path is still running when the deadline
// passes, `on_expiry` runs (main logs and exits); destroying this first cancels it.
#pragma once

#include <functional>
#include <thread>

#include "common/clock.h"

namespace drmm {

class ShutdownDeadline {
 public:
  ShutdownDeadline(Clock& clock, Duration after, std::function<void()> on_expiry);
  // Cancels the deadline if it has not passed, and waits for `on_expiry` if it is running.
  ~ShutdownDeadline() = default;
  ShutdownDeadline(const ShutdownDeadline&) = delete;
  ShutdownDeadline& operator=(const ShutdownDeadline&) = delete;

 private:
  std::jthread watcher_;  // its destructor requests stop and joins
};

}  // namespace drmm

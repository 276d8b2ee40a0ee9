#include "common/shutdown_deadline.h"

#include <utility>

namespace drmm {

ShutdownDeadline::ShutdownDeadline(Clock& clock, Duration after, std::function<void()> on_expiry)
    : watcher_([&clock, deadline = clock.Now() + after,
                on_expiry = std::move(on_expiry)](const std::stop_token& stop) {
        if (clock.SleepUntil(deadline, stop)) on_expiry();
      }) {}

}  // namespace drmm

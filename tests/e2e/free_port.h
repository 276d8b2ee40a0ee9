// A TCP port on 127.0.0.1 that was free a moment ago, found by binding port 0 and releasing it.
// Another process can take it before the caller binds it, so callers retry with a new port when
// their program reports the address in use.
#pragma once

namespace drmm::e2e {

// Throws std::runtime_error when no socket can be bound at all.
int PickFreePort();

}  // namespace drmm::e2e

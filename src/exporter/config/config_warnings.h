// Warnings about a valid configuration that works but exposes the credentials: a secret file
// that group or others can read, inline secrets in a config file that others can read, and
// api_url: http:// to a host that is not loopback (the password grant then crosses the network
// in cleartext). Logged at start and on every reload, and printed by --config.check; none of
// them stops the exporter. The checks are pure over the Config and a file-mode lookup.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/config/config.h"
#include "exporter/config/environment.h"

namespace drmm {

// Permission bits (st_mode & 07777) of a path; nullopt when unknown (the check is skipped).
using FileModeLookup = std::function<std::optional<unsigned>(const std::string& path)>;

// One line per warning, each naming the file or account and what to do about it. Never quotes
// a credential.
std::vector<std::string> ConfigWarnings(const Config& config, const FileModeLookup& mode_of);

// localhost (and *.localhost), 127.0.0.0/8 and [::1]: where http:// stays on the machine.
bool IsLoopbackHost(std::string_view host);

// ConfigWarnings with env.file_mode, each written to the log as a warning.
void LogConfigWarnings(const Config& config, const Environment& env);

}  // namespace drmm

// The exporter's command line, in the Prometheus exporters' convention (--web.listen-address,
// --log.level, ...): parsed into Flags (config.h) with one error message naming the bad flag,
// and the --help text built from the same table, so the two cannot drift apart.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "exporter/config/config.h"

namespace drmm {

// argv[0] is the program name. The project's convention (common/command_line.h): --flag=value
// and --flag value; --config.check, --healthcheck, --version, --help (-h),
// --web.systemd-socket and --web.enable-lifecycle take no value. Unknown flags, positional
// arguments and repeated flags are errors, except --web.listen-address, which may be given once
// per address. The error names the flag: "--log.level: \"verbose\" is not one of ...".
Result<Flags> ParseFlags(int argc, const char* const* argv);

// The --help text: usage, then every flag with its default and one line of meaning.
std::string FlagsHelp();

// --web.listen-address is checked with common/listen_address.h, the one parser the web server
// also uses, so a value the flag accepts is one the server can bind.

// Why `path` cannot serve metrics; nullopt when it can (it must start with "/", must not be
// "/" (the landing page) or lie under "/-/" (health endpoints), and holds only letters,
// digits and - . _ ~ /).
std::optional<Error> TelemetryPathProblem(std::string_view path);

}  // namespace drmm

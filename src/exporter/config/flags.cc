#include "exporter/config/flags.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "common/command_line.h"
#include "common/listen_address.h"

namespace drmm {
namespace {

// Applies a value to Flags, or says what is wrong with it (without the flag's name).
using Setter = std::optional<Error> (*)(Flags& flags, std::string_view value);
using DefaultText = std::string (*)(const Flags& defaults);

struct FlagSpec {
  FlagShape shape;  // name, -h, whether it takes a value, whether it repeats (each adds a value)
  std::string_view help;
  Setter set;
  DefaultText default_text;  // nullptr: no default shown
};

// Why --web.listen-address cannot be used; nullopt when it can.
std::optional<Error> ListenAddressProblem(std::string_view text) {
  if (ParseListenAddress(text)) return std::nullopt;
  std::string problem = "\"" + std::string(text) + "\" is not [host]:port";
  const bool unbracketed_ipv6 =
      !text.starts_with('[') && std::count(text.begin(), text.end(), ':') > 1;
  if (unbracketed_ipv6) return Error{problem + ": an IPv6 host needs brackets, as in [::1]:9768"};
  return Error{problem + " with a port 0..65535 (examples: :9768, 0.0.0.0:9768, [::1]:9768)"};
}

const std::array<FlagSpec, 13> kFlagSpecs = {{
    {{"--help", "-h", false},
     "Show this help and exit.",
     [](Flags& f, std::string_view) -> std::optional<Error> {
       f.help = true;
       return std::nullopt;
     },
     nullptr},
    {{"--config.file", "", true},
     "The configuration file: accounts, credentials, collectors (see config.example.yaml).",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       f.config_file = std::string(v);
       return std::nullopt;
     },
     [](const Flags& d) { return d.config_file; }},
    {{"--config.check", "", false},
     "Validate the configuration file, print the result and exit (0 valid, 2 invalid).",
     [](Flags& f, std::string_view) -> std::optional<Error> {
       f.config_check = true;
       return std::nullopt;
     },
     nullptr},
    {{"--web.listen-address", "", true, /*repeatable=*/true},
     "Address to serve metrics on, [host]:port; repeat the flag for several. No host, 0.0.0.0 "
     "or [::]: every interface, IPv4 and IPv6.",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       if (auto problem = ListenAddressProblem(v)) return problem;
       if (std::find(f.listen_addresses.begin(), f.listen_addresses.end(), v) !=
           f.listen_addresses.end()) {
         return Error{"\"" + std::string(v) + "\" is given twice"};
       }
       f.listen_addresses.emplace_back(v);
       return std::nullopt;
     },
     [](const Flags& d) { return d.listen_addresses.front(); }},
    {{"--web.config.file", "", true},
     "A web config file (exporter-toolkit format) that turns on TLS, client certificates, basic "
     "auth and response headers (docs/security.md). Re-read when it changes.",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       f.web_config_file = std::string(v);
       return std::nullopt;
     },
     nullptr},
    {{"--web.systemd-socket", "", false},
     "Serve on the sockets systemd socket activation passes instead of --web.listen-address.",
     [](Flags& f, std::string_view) -> std::optional<Error> {
       f.systemd_socket = true;
       return std::nullopt;
     },
     nullptr},
    {{"--web.enable-lifecycle", "", false},
     "Reload the configuration on POST or PUT /-/reload (SIGHUP always does).",
     [](Flags& f, std::string_view) -> std::optional<Error> {
       f.enable_lifecycle = true;
       return std::nullopt;
     },
     nullptr},
    {{"--web.max-requests", "", true},
     "Scrapes served at once; more get 503 (0: no limit).",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       int value = -1;
       const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
       if (ec != std::errc() || end != v.data() + v.size() || value < 0 || value > 100000) {
         return Error{"\"" + std::string(v) + "\" is not a number 0..100000"};
       }
       f.max_requests = value;
       return std::nullopt;
     },
     [](const Flags& d) { return std::to_string(d.max_requests); }},
    {{"--web.telemetry-path", "", true},
     "Path under which the metrics are served.",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       if (auto problem = TelemetryPathProblem(v)) return problem;
       f.telemetry_path = std::string(v);
       return std::nullopt;
     },
     [](const Flags& d) { return d.telemetry_path; }},
    {{"--log.level", "", true},
     "Only log messages at or above this level: debug, info, warn, error.",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       const auto level = ParseLogLevel(v);
       if (!level) {
         return Error{"\"" + std::string(v) + "\" is not one of debug, info, warn, error"};
       }
       f.log_level = *level;
       return std::nullopt;
     },
     [](const Flags& d) { return std::string(LogLevelName(d.log_level)); }},
    {{"--log.format", "", true},
     "Format of log lines: logfmt, json.",
     [](Flags& f, std::string_view v) -> std::optional<Error> {
       const auto format = ParseLogFormat(v);
       if (!format) return Error{"\"" + std::string(v) + "\" is not one of logfmt, json"};
       f.log_format = *format;
       return std::nullopt;
     },
     [](const Flags& d) { return std::string(LogFormatName(d.log_format)); }},
    {{"--healthcheck", "", false},
     "Ask the exporter listening on the first --web.listen-address for /-/healthy (over TLS "
     "when --web.config.file says so) and exit 0 when it is healthy, 1 otherwise (a container "
     "HEALTHCHECK that needs no curl).",
     [](Flags& f, std::string_view) -> std::optional<Error> {
       f.healthcheck = true;
       return std::nullopt;
     },
     nullptr},
    {{"--version", "", false},
     "Show the version and exit.",
     [](Flags& f, std::string_view) -> std::optional<Error> {
       f.version = true;
       return std::nullopt;
     },
     nullptr},
}};

// The table's shapes, for SplitFlags.
const std::array<FlagShape, kFlagSpecs.size()>& FlagShapes() {
  static const auto kShapes = [] {
    std::array<FlagShape, kFlagSpecs.size()> shapes;
    for (std::size_t i = 0; i < kFlagSpecs.size(); ++i) shapes[i] = kFlagSpecs[i].shape;
    return shapes;
  }();
  return kShapes;
}

}  // namespace

std::optional<Error> TelemetryPathProblem(std::string_view path) {
  const std::string quoted = "\"" + std::string(path) + "\"";
  if (!path.starts_with('/')) return Error{quoted + " must start with \"/\", as in /metrics"};
  if (path == "/") return Error{"\"/\" is the landing page; use a path such as /metrics"};
  if (path.starts_with("/-/")) {
    return Error{quoted + " is under /-/, which is reserved for /-/healthy and /-/ready"};
  }
  // Letters, digits and - . _ ~ / only: a query, a fragment, a space or a percent-encoding
  // cannot be a route, and nothing here can be read as a pattern by the web server.
  const bool plain = std::all_of(path.begin(), path.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
  });
  if (!plain) {
    return Error{quoted + " must be a plain path (letters, digits and - . _ ~ / only)"};
  }
  return std::nullopt;
}

Result<Flags> ParseFlags(int argc, const char* const* argv) {
  const std::vector<std::string_view> args = ArgumentsOf(argc, argv);
  auto split = SplitFlags(args, FlagShapes());
  if (!split.ok()) return split.error();
  Flags flags;
  // Repeated flags add to their list, so a list given at all replaces its default.
  flags.listen_addresses.clear();
  for (const FlagArgument& argument : split.value()) {
    const FlagSpec& spec = kFlagSpecs[argument.flag];
    if (auto problem = spec.set(flags, argument.value)) {
      return Error{std::string(spec.shape.name) + ": " + problem->message};
    }
  }
  if (flags.listen_addresses.empty()) flags.listen_addresses = Flags().listen_addresses;
  return flags;
}

std::string FlagsHelp() {
  const Flags defaults;
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t width = 0;
  for (const auto& spec : kFlagSpecs) {
    std::string left =
        spec.shape.short_name.empty() ? "    " : std::string(spec.shape.short_name) + ", ";
    left += spec.shape.name;
    if (spec.default_text != nullptr) left += "=" + spec.default_text(defaults);
    width = std::max(width, left.size());
    rows.emplace_back(std::move(left), std::string(spec.help));
  }
  std::string out =
      "usage: datto-rmm-exporter [<flags>]\n"
      "\n"
      "Prometheus exporter for Datto RMM: polls the Datto RMM API in the background and serves\n"
      "the cached results as metrics.\n"
      "\n"
      "Flags:\n";
  for (const auto& [left, help] : rows) {
    out += "  ";
    out += left;
    out.append(width - left.size() + 2, ' ');
    out += help;
    out += '\n';
  }
  out +=
      "\n"
      "Credentials can also come from the environment: DATTO_RMM_API_KEY and\n"
      "DATTO_RMM_API_SECRET (see docs/configuration.md).\n"
      "\n"
      "SIGHUP re-reads the configuration and the web config; SIGTERM or SIGINT stops.\n";
  return out;
}

}  // namespace drmm

#include "exporter/config/config_check.h"

#include "common/duration.h"
#include "exporter/config/config_loader.h"
#include "exporter/config/config_warnings.h"

namespace drmm {
namespace {

std::string DescribeCollector(std::string_view name, const CollectorConfig& collector) {
  return std::string(name) + " " +
         (collector.enabled ? "every " + FormatDuration(collector.interval) : "off");
}

}  // namespace

void WriteConfigErrors(const std::vector<ConfigError>& errors, std::ostream& out) {
  for (const auto& error : errors) out << error.ToString() << '\n';
}

std::string DescribeConfig(const Config& config) {
  std::string out = config.file + ": valid, " + std::to_string(config.accounts.size()) +
                    (config.accounts.size() == 1 ? " account\n" : " accounts\n");
  for (const auto& account : config.accounts) {
    out += "  " + account.name + ": " + account.base_url + "; key from " + account.api_key_source +
           ", secret from " + account.api_secret_source + "; ";
    for (const Collector collector : kCollectorConfigOrder) {
      out += DescribeCollector(NameOf(collector), account.collectors[collector]) +
             (collector == kCollectorConfigOrder.back() ? "" : ", ");
    }
    out +=
        "; at most " + std::to_string(account.rate_limit.requests_per_minute) + " requests/min\n";
  }
  return out;
}

int RunConfigCheck(const std::string& path, const Environment& env, std::ostream& out,
                   std::ostream& err) {
  auto result = LoadConfigFile(path, env);
  if (!result.ok()) {
    WriteConfigErrors(result.error(), err);
    return kExitBadConfig;
  }
  const Config& config = result.value();
  out << DescribeConfig(config);
  if (env.file_mode) {
    for (const auto& warning : ConfigWarnings(config, env.file_mode)) {
      err << "warning: " << warning << '\n';
    }
  }
  return kExitOk;
}

}  // namespace drmm

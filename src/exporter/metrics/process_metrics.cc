#include "exporter/metrics/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "exporter/metrics/process_parse.h"

namespace drmm {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::optional<double> CountOpenFds(const std::string& fd_dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(fd_dir, error);
  if (error) return std::nullopt;
  double count = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) return std::nullopt;
    ++count;
  }
  return count;
}

}  // namespace

ProcessCollectable::ProcessCollectable(std::string proc_root) : proc_root_(std::move(proc_root)) {}

std::vector<prometheus::MetricFamily> ProcessCollectable::Collect() const {
  const auto stat_text = ReadFile(proc_root_ + "/self/stat");
  if (!stat_text) return {};
  const auto stat = ParseProcStat(*stat_text);
  if (!stat) return {};
  std::optional<std::int64_t> boot_time;
  if (const auto text = ReadFile(proc_root_ + "/stat")) boot_time = ParseBootTime(*text);

  ProcessSample sample = SampleFrom(*stat, boot_time, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
  sample.open_fds = CountOpenFds(proc_root_ + "/self/fd");
  if (const auto text = ReadFile(proc_root_ + "/self/limits")) {
    sample.max_fds = ParseMaxOpenFiles(*text);
  }
  return ProcessFamilies(sample);
}

}  // namespace drmm

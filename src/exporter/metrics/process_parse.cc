#include "exporter/metrics/process_parse.h"

#include <limits>

#include "common/text.h"
#include "exporter/catalog/catalog.h"

namespace drmm {
namespace {

// Splits on runs of spaces and tabs.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

// Calls `on_line` for each line until it returns true.
template <typename F>
void ForEachLine(std::string_view text, F on_line) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (on_line(text.substr(0, end))) return;
    if (end == std::string_view::npos) return;
    text.remove_prefix(end + 1);
  }
}

prometheus::MetricFamily Single(const MetricSpec& spec, double value) {
  prometheus::MetricFamily family;
  family.name = spec.name;
  family.help = spec.help;
  family.type = spec.type;
  prometheus::ClientMetric metric;
  if (spec.type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  // The command name is in parentheses and may contain anything, ") (" included: it ends at
  // the last ')' of the line.
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcStat stat;
  stat.comm = std::string(text.substr(open + 1, close - open - 1));
  const auto fields = Fields(text.substr(close + 1));
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  constexpr std::size_t kRss = 24 - 3;
  if (fields.size() <= kRss || fields[0].size() != 1) return std::nullopt;
  stat.state = fields[0][0];
  const auto utime = ParseWholeNumber<std::uint64_t>(fields[14 - 3]);
  const auto stime = ParseWholeNumber<std::uint64_t>(fields[15 - 3]);
  const auto starttime = ParseWholeNumber<std::uint64_t>(fields[22 - 3]);
  const auto vsize = ParseWholeNumber<std::uint64_t>(fields[23 - 3]);
  const auto rss = ParseWholeNumber<std::int64_t>(fields[kRss]);
  if (!utime || !stime || !starttime || !vsize || !rss) return std::nullopt;
  stat.utime_ticks = *utime;
  stat.stime_ticks = *stime;
  stat.starttime_ticks = *starttime;
  stat.vsize_bytes = *vsize;
  stat.rss_pages = *rss;
  return stat;
}

std::optional<std::int64_t> ParseBootTime(std::string_view proc_stat) {
  std::optional<std::int64_t> boot_time;
  ForEachLine(proc_stat, [&](std::string_view line) {
    const auto fields = Fields(line);
    if (fields.size() == 2 && fields[0] == "btime") {
      boot_time = ParseWholeNumber<std::int64_t>(fields[1]);
      return true;
    }
    return false;
  });
  return boot_time;
}

std::optional<double> ParseMaxOpenFiles(std::string_view limits) {
  constexpr std::string_view kPrefix = "Max open files";
  std::optional<double> max_fds;
  ForEachLine(limits, [&](std::string_view line) {
    if (line.substr(0, kPrefix.size()) != kPrefix) return false;
    const auto fields = Fields(line.substr(kPrefix.size()));  // soft, hard, units
    if (fields.empty()) return true;
    if (fields[0] == "unlimited") {
      max_fds = std::numeric_limits<double>::infinity();
    } else if (const auto soft = ParseWholeNumber<std::uint64_t>(fields[0])) {
      max_fds = static_cast<double>(*soft);
    }
    return true;
  });
  return max_fds;
}

ProcessSample SampleFrom(const ProcStat& stat, std::optional<std::int64_t> boot_time,
                         long clock_ticks_per_second, long page_size_bytes) {
  ProcessSample sample;
  const double ticks =
      clock_ticks_per_second > 0 ? static_cast<double>(clock_ticks_per_second) : 100;
  sample.cpu_seconds = static_cast<double>(stat.utime_ticks + stat.stime_ticks) / ticks;
  sample.resident_memory_bytes =
      static_cast<double>(stat.rss_pages) * static_cast<double>(page_size_bytes);
  sample.virtual_memory_bytes = static_cast<double>(stat.vsize_bytes);
  if (boot_time) {
    sample.start_time_seconds =
        static_cast<double>(*boot_time) + static_cast<double>(stat.starttime_ticks) / ticks;
  }
  return sample;
}

std::vector<prometheus::MetricFamily> ProcessFamilies(const ProcessSample& sample) {
  std::vector<prometheus::MetricFamily> families;
  families.push_back(Single(kMetricProcessCpu, sample.cpu_seconds));
  families.push_back(Single(kMetricProcessResident, sample.resident_memory_bytes));
  families.push_back(Single(kMetricProcessVirtual, sample.virtual_memory_bytes));
  if (sample.open_fds) families.push_back(Single(kMetricProcessOpenFds, *sample.open_fds));
  if (sample.max_fds) families.push_back(Single(kMetricProcessMaxFds, *sample.max_fds));
  if (sample.start_time_seconds) {
    families.push_back(Single(kMetricProcessStartTime, *sample.start_time_seconds));
  }
  return families;
}

}  // namespace drmm

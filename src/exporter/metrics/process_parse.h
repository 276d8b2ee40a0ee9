// Pure parsers for the /proc text the process metrics come from, split from the file reading
// (process_metrics.cc) so each is tested on literal strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prometheus/metric_family.h"

namespace drmm {

// The fields of /proc/<pid>/stat the standard process metrics need.
struct ProcStat {
  std::string comm;  // may itself hold spaces and parentheses
  char state = '?';
  std::uint64_t utime_ticks = 0;      // field 14
  std::uint64_t stime_ticks = 0;      // field 15
  std::uint64_t starttime_ticks = 0;  // field 22: ticks after boot
  std::uint64_t vsize_bytes = 0;      // field 23
  std::int64_t rss_pages = 0;         // field 24
};

// nullopt when the text is not a stat line (no "(comm)" or too few fields).
std::optional<ProcStat> ParseProcStat(std::string_view text);
// The "btime" line of /proc/stat: boot time in Unix seconds.
std::optional<std::int64_t> ParseBootTime(std::string_view proc_stat);
// The soft "Max open files" limit of /proc/<pid>/limits; +Inf for "unlimited".
std::optional<double> ParseMaxOpenFiles(std::string_view limits);

struct ProcessSample {
  double cpu_seconds = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  std::optional<double> start_time_seconds;  // needs the boot time
  std::optional<double> open_fds;
  std::optional<double> max_fds;
};

ProcessSample SampleFrom(const ProcStat& stat, std::optional<std::int64_t> boot_time,
                         long clock_ticks_per_second, long page_size_bytes);

// The process_* families (names and HELP from the catalog); values that are unknown are left out.
std::vector<prometheus::MetricFamily> ProcessFamilies(const ProcessSample& sample);

}  // namespace drmm

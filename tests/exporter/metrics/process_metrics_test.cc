#include "exporter/metrics/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/metric_query.h"

namespace drmm {
namespace {

namespace fs = std::filesystem;

class FakeProc {
 public:
  FakeProc() : root_(fs::temp_directory_path() / ("drmm-proc-" + std::to_string(getpid()))) {
    fs::remove_all(root_);
    fs::create_directories(root_ / "self" / "fd");
  }
  ~FakeProc() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;

  void Write(const std::string& relative, const std::string& text) const {
    std::ofstream(root_ / relative) << text;
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(ProcessCollectableTest, ReadsTheFilesUnderTheRoot) {
  FakeProc proc;
  proc.Write("self/stat",
             "4242 (drmm test) S 1 1 1 0 -1 0 0 0 0 0 300 100 0 0 20 0 4 0 500 8192000 1000 0\n");
  proc.Write("stat", "cpu 1 2 3\nbtime 1700000000\n");
  proc.Write("self/limits", "Max open files            4096                 4096    files\n");
  for (int i = 0; i < 3; ++i) proc.Write("self/fd/" + std::to_string(i), "");

  const auto families = ProcessCollectable(proc.root()).Collect();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  EXPECT_EQ(testing::ValueOf(families, "process_cpu_seconds_total", {}), 400 / ticks);
  EXPECT_EQ(testing::ValueOf(families, "process_resident_memory_bytes", {}), 1000 * page);
  EXPECT_EQ(testing::ValueOf(families, "process_virtual_memory_bytes", {}), 8192000);
  EXPECT_EQ(testing::ValueOf(families, "process_open_fds", {}), 3);
  EXPECT_EQ(testing::ValueOf(families, "process_max_fds", {}), 4096);
  EXPECT_EQ(testing::ValueOf(families, "process_start_time_seconds", {}), 1700000000 + 500 / ticks);
}

TEST(ProcessCollectableTest, MissingFilesLeaveTheirMetricsOut) {
  FakeProc proc;
  EXPECT_TRUE(ProcessCollectable(proc.root()).Collect().empty());  // no self/stat
  proc.Write("self/stat",
             "4242 (drmm) S 1 1 1 0 -1 0 0 0 0 0 300 100 0 0 20 0 4 0 500 8192000 1000 0\n");
  const auto families = ProcessCollectable(proc.root()).Collect();
  EXPECT_NE(testing::FindFamily(families, "process_cpu_seconds_total"), nullptr);
  EXPECT_EQ(testing::FindFamily(families, "process_start_time_seconds"), nullptr);
  EXPECT_EQ(testing::FindFamily(families, "process_max_fds"), nullptr);
  EXPECT_EQ(testing::ValueOf(families, "process_open_fds", {}), 0);  // the fd dir is empty
}

TEST(ProcessCollectableTest, RealProcIsPlausible) {
  const auto families = ProcessCollectable().Collect();
  ASSERT_EQ(families.size(), 6U);
  EXPECT_GT(*testing::ValueOf(families, "process_resident_memory_bytes", {}), 0);
  EXPECT_GE(*testing::ValueOf(families, "process_open_fds", {}), 3);  // stdin, stdout, stderr
  EXPECT_GT(*testing::ValueOf(families, "process_max_fds", {}), 0);
  const double start = *testing::ValueOf(families, "process_start_time_seconds", {});
  const double now = static_cast<double>(time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 24 * 3600);  // this test process started recently
}

}  // namespace
}  // namespace drmm

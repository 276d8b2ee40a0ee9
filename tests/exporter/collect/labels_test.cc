#include "exporter/collect/labels.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "exporter/collect/snapshot.h"

namespace drmm {
namespace {

TEST(SnakeCaseTest, FollowsTheDocumentedRule) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"RunningAndUpToDate", "running_and_up_to_date"},
      {"RunningAndNotUpToDate", "running_and_not_up_to_date"},
      {"PartiallyPatched", "partially_patched"},
      {"FullyPatched", "fully_patched"},
      {"NoPolicy", "no_policy"},
      {"Critical", "critical"},
      {"already_snake", "already_snake"},
      {"Network Device", "network_device"},
      {"Pop-up Clinic", "pop_up_clinic"},
      {"Win10Pro", "win10_pro"},     // uppercase after a digit
      {"HTTPServer", "httpserver"},  // uppercase after uppercase: no "_"
      {"ABC", "abc"},
      {"a B", "a_b"},    // the space becomes "_", "B" follows a space
      {"Über", "Über"},  // non-ASCII bytes pass through
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(SnakeCase(c.in), c.out) << c.in;
}

TEST(LabelsTest, Priority) {
  EXPECT_EQ(PriorityLabel("Critical"), "critical");
  EXPECT_EQ(PriorityLabel("High"), "high");
  EXPECT_EQ(PriorityLabel("Moderate"), "moderate");
  EXPECT_EQ(PriorityLabel("Low"), "low");
  EXPECT_EQ(PriorityLabel("Information"), "information");
  EXPECT_EQ(PriorityLabel("Unknown"), "unknown");
  EXPECT_EQ(PriorityLabel(std::nullopt), "unknown");
  EXPECT_EQ(PriorityLabel(""), "unknown");
  EXPECT_EQ(PriorityLabel("SuperUrgent"), "super_urgent");
}

TEST(LabelsTest, PatchStatus) {
  auto pm = [](std::optional<std::string> status) {
    datto::PatchManagement p;
    p.patch_status = std::move(status);
    return std::optional<datto::PatchManagement>(p);
  };
  EXPECT_EQ(PatchStatusLabel(std::nullopt), "not_applicable");
  EXPECT_EQ(PatchStatusLabel(pm(std::nullopt)), "not_applicable");
  EXPECT_EQ(PatchStatusLabel(pm("")), "not_applicable");
  EXPECT_EQ(PatchStatusLabel(pm("FullyPatched")), "fully_patched");
  EXPECT_EQ(PatchStatusLabel(pm("ApprovedPending")), "approved_pending");
  EXPECT_EQ(PatchStatusLabel(pm("InstallError")), "install_error");
  EXPECT_EQ(PatchStatusLabel(pm("RebootRequired")), "reboot_required");
  EXPECT_EQ(PatchStatusLabel(pm("NoPolicy")), "no_policy");
  EXPECT_EQ(PatchStatusLabel(pm("NoData")), "no_data");
  EXPECT_EQ(PatchStatusLabel(pm("PartiallyPatched")), "partially_patched");
}

TEST(LabelsTest, AntivirusStatus) {
  auto av = [](std::optional<std::string> status) {
    datto::Antivirus a;
    a.antivirus_product = "Defender";
    a.antivirus_status = std::move(status);
    return std::optional<datto::Antivirus>(a);
  };
  EXPECT_EQ(AntivirusStatusLabel(std::nullopt), "not_applicable");
  EXPECT_EQ(AntivirusStatusLabel(av(std::nullopt)), "not_applicable");
  EXPECT_EQ(AntivirusStatusLabel(av("RunningAndUpToDate")), "running_and_up_to_date");
  EXPECT_EQ(AntivirusStatusLabel(av("RunningAndNotUpToDate")), "running_and_not_up_to_date");
  EXPECT_EQ(AntivirusStatusLabel(av("NotRunning")), "not_running");
  EXPECT_EQ(AntivirusStatusLabel(av("NotDetected")), "not_detected");
  EXPECT_EQ(AntivirusStatusLabel(av("Quarantined")), "quarantined");
}

TEST(LabelsTest, CategoryTypeClassAndStatusKeepOrDefault) {
  EXPECT_EQ(CategoryLabel("Network Device"), "Network Device");  // Datto's spelling kept
  EXPECT_EQ(CategoryLabel("Desktop"), "Desktop");
  EXPECT_EQ(CategoryLabel(""), "Unknown");
  EXPECT_EQ(CategoryLabel(std::nullopt), "Unknown");
  EXPECT_EQ(AlertTypeLabel("perf_disk_usage_ctx"), "perf_disk_usage_ctx");
  EXPECT_EQ(AlertTypeLabel(""), "unknown");
  EXPECT_EQ(AlertTypeLabel(std::nullopt), "unknown");
  EXPECT_EQ(DeviceClassLabel("esxihost"), "esxihost");
  EXPECT_EQ(DeviceClassLabel(std::nullopt), "unknown");
  EXPECT_EQ(OnlineStatusLabel(true), "online");
  EXPECT_EQ(OnlineStatusLabel(false), "offline");
  EXPECT_EQ(OnlineStatusLabel(std::nullopt), "offline");
}

}  // namespace
}  // namespace drmm

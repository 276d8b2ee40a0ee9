#include "exporter/collect/labels.h"

#include "common/text.h"

namespace drmm {

std::string SnakeCase(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '-') {
      out.push_back('_');
      continue;
    }
    // Locale-free on purpose: label values must not depend on the process locale.
    if (IsAsciiUpper(c) && i > 0 && (IsAsciiLower(text[i - 1]) || IsAsciiDigit(text[i - 1]))) {
      out.push_back('_');
    }
    out.push_back(AsciiLower(c));
  }
  return out;
}

std::string PriorityLabel(const std::optional<std::string>& priority) {
  // An empty label value is the same as no label in Prometheus, so empty counts as absent.
  if (!priority || priority->empty()) return "unknown";
  return SnakeCase(*priority);
}

std::string PatchStatusLabel(const std::optional<datto::PatchManagement>& patch_management) {
  if (!patch_management || !patch_management->patch_status ||
      patch_management->patch_status->empty()) {
    return "not_applicable";
  }
  return SnakeCase(*patch_management->patch_status);
}

std::string AntivirusStatusLabel(const std::optional<datto::Antivirus>& antivirus) {
  if (!antivirus || !antivirus->antivirus_status || antivirus->antivirus_status->empty()) {
    return "not_applicable";
  }
  return SnakeCase(*antivirus->antivirus_status);
}

std::string CategoryLabel(const std::optional<std::string>& category) {
  if (!category || category->empty()) return "Unknown";
  return *category;
}

std::string AlertTypeLabel(const std::optional<std::string>& alert_class) {
  if (!alert_class || alert_class->empty()) return "unknown";
  return *alert_class;
}

std::string DeviceClassLabel(const std::optional<std::string>& device_class) {
  if (!device_class || device_class->empty()) return "unknown";
  return *device_class;
}

std::string_view OnlineStatusLabel(std::optional<bool> online) {
  return online.value_or(false) ? "online" : "offline";
}

}  // namespace drmm

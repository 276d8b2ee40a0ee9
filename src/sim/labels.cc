#include "sim/labels.h"

namespace drmm::sim {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string SnakeCase(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsUpper(c) && i > 0 && IsLowerOrDigit(text[i - 1])) out += '_';
    if (c == ' ' || c == '-') {
      out += '_';
    } else if (IsUpper(c)) {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string CategoryLabel(const SimDevice& device) {
  if (device.device_type && device.device_type->category &&
      !device.device_type->category->empty()) {
    return *device.device_type->category;
  }
  return "Unknown";
}

std::string PatchStatusLabel(const SimDevice& device) {
  if (!device.patch_management || !device.patch_management->patch_status) return "not_applicable";
  return SnakeCase(*device.patch_management->patch_status);
}

std::string AntivirusStatusLabel(const SimDevice& device) {
  if (!device.antivirus || !device.antivirus->antivirus_status) return "not_applicable";
  return SnakeCase(*device.antivirus->antivirus_status);
}

std::string PriorityLabel(const SimAlert& alert) {
  return alert.priority ? SnakeCase(*alert.priority) : "unknown";
}

std::string AlertTypeLabel(const SimAlert& alert) {
  return alert.context_class && !alert.context_class->empty() ? *alert.context_class : "unknown";
}

}  // namespace drmm::sim

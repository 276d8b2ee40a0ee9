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

std::string UdfValueLabel(const std::optional<std::string_view>& value) {
  if (!value) return "";
  std::string_view text = *value;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  if (text.size() > kMaxUdfValueBytes) {
    std::size_t cut = kMaxUdfValueBytes;
    // Back up over continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  return std::string(text);
}

std::string_view WarrantyStateLabel(const std::optional<WallTime>& warranty, WallTime now,
                                    std::chrono::milliseconds horizon) {
  if (!warranty) return "unknown";
  if (*warranty <= now) return "expired";
  if (*warranty <= now + horizon) return "expiring";
  return "active";
}

std::string_view DeviceStateLabel(std::optional<bool> suspended, std::optional<bool> deleted) {
  if (deleted.value_or(false)) return "deleted";
  if (suspended.value_or(false)) return "suspended";
  return "active";
}

bool NotSeenFor(const std::optional<WallTime>& last_seen, WallTime now,
                std::chrono::milliseconds age) {
  return !last_seen || *last_seen < now - age;
}

}  // namespace drmm

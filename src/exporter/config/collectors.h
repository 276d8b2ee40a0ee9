// The collectors, in one place: what each is called (the `collector` label and its config key),
// how often it runs by default, and the orders in which the documentation lists them and the
// schedule stretches them. Everything that loops over collectors (the config loader, the
// poller, the schedule plan, the metrics) reads this table instead of spelling them again.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace drmm {

// Data flow order: sites name the sites, devices and alerts fill them, rate_status sizes the
// budget.
enum class Collector : std::size_t { kSites = 0, kDevices = 1, kAlerts = 2, kRateStatus = 3 };
inline constexpr std::size_t kCollectorCount = 4;

struct CollectorSpec {
  Collector id;
  std::string_view name;  // `collector` label, config key under `collectors:`
  std::chrono::milliseconds default_interval;
};

inline constexpr std::array<CollectorSpec, kCollectorCount> kCollectorSpecs = {{
    {Collector::kSites, "sites", std::chrono::minutes(5)},
    {Collector::kDevices, "devices", std::chrono::minutes(5)},
    {Collector::kAlerts, "alerts", std::chrono::seconds(60)},
    {Collector::kRateStatus, "rate_status", std::chrono::seconds(30)},
}};

// Every collector, in enum order.
inline constexpr std::array<Collector, kCollectorCount> kAllCollectors = {
    Collector::kSites, Collector::kDevices, Collector::kAlerts, Collector::kRateStatus};
// The order the documentation and the config's error messages list them in: what users change
// most first.
inline constexpr std::array<Collector, kCollectorCount> kCollectorConfigOrder = {
    Collector::kAlerts, Collector::kDevices, Collector::kSites, Collector::kRateStatus};
// When the intervals do not fit the budget, the schedule stretches them in this order: the
// device walk first, the freshest critical signals (alerts, then the rate status that protects
// the budget itself) last.
inline constexpr std::array<Collector, kCollectorCount> kCollectorStretchOrder = {
    Collector::kDevices, Collector::kSites, Collector::kAlerts, Collector::kRateStatus};

// The collector names in enum order: the `collector` label values.
inline constexpr std::array<std::string_view, kCollectorCount> kCollectorNames = [] {
  std::array<std::string_view, kCollectorCount> names;
  for (std::size_t i = 0; i < kCollectorCount; ++i) names[i] = kCollectorSpecs[i].name;
  return names;
}();

constexpr std::size_t IndexOf(Collector collector) { return static_cast<std::size_t>(collector); }
constexpr std::string_view NameOf(Collector collector) {
  return kCollectorSpecs[IndexOf(collector)].name;
}
constexpr std::optional<Collector> CollectorNamed(std::string_view name) {
  for (const auto& spec : kCollectorSpecs) {
    if (spec.name == name) return spec.id;
  }
  return std::nullopt;
}

// One value per collector, indexed by Collector.
template <typename T>
struct PerCollector {
  std::array<T, kCollectorCount> values{};

  T& operator[](Collector collector) { return values[IndexOf(collector)]; }
  const T& operator[](Collector collector) const { return values[IndexOf(collector)]; }
  auto begin() { return values.begin(); }
  auto end() { return values.end(); }
  auto begin() const { return values.begin(); }
  auto end() const { return values.end(); }

  bool operator==(const PerCollector&) const = default;
};

}  // namespace drmm

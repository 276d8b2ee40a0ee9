// Realistic accounts generated from a seed: a few big sites and many small ones, the "Deleted
// Devices" site and on-demand sites, desktops, laptops and servers plus printers, network devices
// and ESXi hosts (with the nulls those carry), patch and antivirus states, and open alerts by
// priority and type. The building blocks are shared with churn and with scenario files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "sim/model.h"
#include "sim/rng.h"

namespace drmm::sim {

enum class DeviceKind { kDesktop, kLaptop, kServer, kPrinter, kNetworkDevice, kEsxiHost };

struct GeneratorOptions {
  std::uint64_t seed = 1;
  int sites = 20;  // including "Deleted Devices" and the on-demand sites; at least 2
  int devices = 400;
  int alerts = 60;
  double online_ratio = 0.85;
};

AccountState GenerateAccount(const GeneratorOptions& options, std::int64_t now_ms);

AccountInfo MakeAccountInfo(Rng& rng);
// A company-like name not in `taken`.
std::string MakeSiteName(Rng& rng, const std::unordered_set<std::string>& taken);
SimSite MakeSite(Rng& rng, std::int64_t id, std::string name, bool on_demand);
DeviceKind PickDeviceKind(Rng& rng);
// The probability that a device of `kind` is online when the account's ratio is `online_ratio`
// (servers and network gear more often, laptops less); generation and churn both draw with it.
double OnlineProbability(DeviceKind kind, double online_ratio);
// The kind a device looks like (from deviceClass and category), for filling in its defaults.
DeviceKind KindOf(const SimDevice& device);
// `number` numbers the device among its site's devices of the same kind (hostnames).
SimDevice MakeDevice(Rng& rng, std::int64_t id, const SimSite& site, DeviceKind kind, int number,
                     double online_ratio, std::int64_t now_ms);
// Draws a new patch state (status and counts) for an agent device.
void RandomizePatchState(Rng& rng, SimDevice& device);
SimAlert MakeAlert(Rng& rng, const SimDevice& device, const SimSite& site,
                   std::int64_t timestamp_ms);
// The alertContext JSON for `alert_class` with every property its schema lists; nullopt for a
// class the generator does not know.
std::optional<std::string> MakeAlertContext(Rng& rng, std::string_view alert_class,
                                            std::int64_t now_ms);

}  // namespace drmm::sim

// The translation from a Snapshot to exposition text: pure functions, rebuilt from the data each
// time (no Family::Add/Remove bookkeeping), so a deleted site disappears instead of freezing at
// its last value. Each account's SiteFilter is applied here. Text is written directly, in the
// order and format prometheus-cpp's serializer gave the same data (families in catalog order,
// each family's series sorted by their label values), so the golden file and everything built on
// the output are unchanged; building a MetricFamily per series cost 0.4 s and tens of MB per
// render at 65,000 series.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <string>
#include <type_traits>

#include "exporter/catalog/catalog.h"
#include "exporter/collect/snapshot.h"

namespace drmm {

// At compile time by name: GCC with -fsanitize=address does not treat the comparison of two
// distinct globals' addresses as a constant expression (names are unique, asserted below). At
// run time by address, which is cheaper: the renderer asks once per site and family.
constexpr std::size_t CatalogIndex(const MetricSpec& spec) {
  for (std::size_t i = 0; i < kMetricCatalog.size(); ++i) {
    const bool same = std::is_constant_evaluated() ? kMetricCatalog[i]->name == spec.name
                                                   : kMetricCatalog[i] == &spec;
    if (same) return i;
  }
  return kMetricCatalog.size();
}
static_assert(
    [] {
      for (std::size_t i = 0; i < kMetricCatalog.size(); ++i) {
        for (std::size_t j = i + 1; j < kMetricCatalog.size(); ++j) {
          if (kMetricCatalog[i]->name == kMetricCatalog[j]->name) return false;
        }
      }
      return true;
    }(),
    "kMetricCatalog names must be unique: CatalogIndex finds an entry by its name");

// The families a Snapshot renders to: the catalog's entries up to the per-device ones. The
// exporter's own metrics and the process metrics follow them in the catalog and are rendered
// per scrape instead.
inline constexpr std::size_t kSnapshotFamilyCount = CatalogIndex(kMetricDeviceMetricsDropped) + 1;
using FamilyTexts = std::array<std::string, kSnapshotFamilyCount>;  // series lines, no header

// The family read from the request governor at scrape time: it changes with every request.
inline constexpr std::size_t kLiveFamily = CatalogIndex(kMetricRequestsInWindow);

using FamilySet = std::bitset<kSnapshotFamilyCount>;  // by catalog index

// One account's series per family, each family's sorted by labels; a family the account has no
// series of (or that its config excludes), or that is not in `families`, is empty. Rendering a
// few families at a time bounds the text that exists at once to theirs (ExpositionCache).
FamilyTexts RenderAccount(const AccountSnapshot& account,
                          const FamilySet& families = FamilySet().set());

// "# HELP ...\n# TYPE ...\n" of the snapshot family `index`.
const std::string& SnapshotFamilyHeader(std::size_t index);

// The whole snapshot as /metrics shows it before the exporter's own and the process metrics:
// families in catalog order with one header each, accounts in label (name) order within each.
std::string RenderSnapshotText(const Snapshot& snapshot);

}  // namespace drmm

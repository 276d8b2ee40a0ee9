// truth_check: compares a scrape of the exporter (Prometheus text) with the simulator's ground
// truth (GET /__sim/ground-truth), using the comparison the integration tests use
// (tests/support/ground_truth_compare.h). scripts/test-image.sh runs it on what the image served,
// so a shell script needs no exposition parser of its own.
//
//   truth_check --account=NAME --metrics=METRICS.txt --ground-truth=GROUND_TRUTH.json
//               [--version=V] [--revision=R]
//
// Sites are included as the exporter's default `sites:` filter includes them. Prints every
// difference and a summary line; exits 0 when equal, 1 on any difference, 2 on bad arguments or
// input it cannot read.
#include <array>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/command_line.h"
#include "common/result.h"
#include "exporter/collect/site_filter.h"
#include "support/exposition_text.h"
#include "support/ground_truth_compare.h"
#include "support/metric_query.h"

namespace {

constexpr std::string_view kUsage =
    "usage: truth_check --account=NAME --metrics=METRICS.txt --ground-truth=GROUND_TRUTH.json\n"
    "                   [--version=V] [--revision=R]\n";

struct Arguments {
  bool help = false;
  std::string account;
  std::optional<std::string> version;
  std::optional<std::string> revision;
  std::string metrics_path;
  std::string truth_path;
};

// The flags; each takes a value but --help. Indexed by Flag.
enum Flag : std::size_t { kHelp, kAccount, kVersion, kRevision, kMetrics, kGroundTruth };
constexpr std::array<drmm::FlagShape, 6> kFlags = {{{"--help", "-h", /*takes_value=*/false},
                                                    {"--account", ""},
                                                    {"--version", ""},
                                                    {"--revision", ""},
                                                    {"--metrics", ""},
                                                    {"--ground-truth", ""}}};

// The arguments, or an error naming what is wrong (drmm::SplitFlags' conventions).
drmm::Result<Arguments> ParseArguments(int argc, char** argv) {
  const auto argv_list = drmm::ArgumentsOf(argc, argv);
  auto split = drmm::SplitFlags(argv_list, kFlags);
  if (!split.ok()) return split.error();
  Arguments args;
  for (const drmm::FlagArgument& argument : split.value()) {
    const std::string value(argument.value);
    switch (argument.flag) {
      case kHelp:
        args.help = true;
        break;
      case kAccount:
        args.account = value;
        break;
      case kVersion:
        args.version = value;
        break;
      case kRevision:
        args.revision = value;
        break;
      case kMetrics:
        args.metrics_path = value;
        break;
      case kGroundTruth:
        args.truth_path = value;
        break;
    }
  }
  if (args.help) return args;
  for (const auto& [flag, value] :
       {std::pair{"--account", &args.account}, std::pair{"--metrics", &args.metrics_path},
        std::pair{"--ground-truth", &args.truth_path}}) {
    if (value->empty()) return drmm::Error{std::string(flag) + " is required"};
  }
  return args;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace drmm::testing;
  auto parsed = ParseArguments(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "truth_check: " << parsed.error().message << '\n' << kUsage;
    return 2;
  }
  const Arguments args = std::move(parsed).value();
  if (args.help) {
    std::cout << kUsage;
    return 0;
  }

  const auto metrics_text = ReadFile(args.metrics_path);
  if (!metrics_text) {
    std::cerr << "truth_check: cannot read " << args.metrics_path << '\n';
    return 2;
  }
  const auto truth_text = ReadFile(args.truth_path);
  if (!truth_text) {
    std::cerr << "truth_check: cannot read " << args.truth_path << '\n';
    return 2;
  }
  std::vector<prometheus::MetricFamily> families;
  try {
    families = ParseExposition(*metrics_text);
  } catch (const std::exception& e) {
    std::cerr << "truth_check: " << args.metrics_path << ": " << e.what() << '\n';
    return 2;
  }
  nlohmann::json truth;
  try {
    truth = nlohmann::json::parse(*truth_text);
  } catch (const std::exception& e) {
    std::cerr << "truth_check: " << args.truth_path << ": not JSON: " << e.what() << '\n';
    return 2;
  }

  // The exporter's default filter: the configuration the image test runs has no `sites:` block.
  const auto filter = drmm::SiteFilter::Create({}).value();
  GroundTruthComparison comparison;
  try {
    comparison = CompareWithGroundTruth(
        families, args.account, truth,
        [&](const std::string& uid, const std::string& name, bool on_demand) {
          return filter.Includes(uid, name, on_demand);
        });
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "truth_check: " << args.truth_path
              << ": not the simulator's ground truth: " << e.what() << '\n';
    return 2;
  }
  if (args.version || args.revision) {
    // Label values are matched as given; an unset one is matched as whatever was served.
    LabelMap expected{{"version", args.version.value_or("")},
                      {"revision", args.revision.value_or("")}};
    const auto served = Select(families, "datto_rmm_exporter_build_info");
    if (served.size() == 1) {
      const LabelMap labels = LabelsOf(*served.front());
      if (!args.version) expected["version"] = labels.count("version") ? labels.at("version") : "";
      if (!args.revision) {
        expected["revision"] = labels.count("revision") ? labels.at("revision") : "";
      }
    }
    ++comparison.values_compared;
    const auto value = ValueOf(families, "datto_rmm_exporter_build_info", expected);
    if (value != 1.0) {
      comparison.differences.push_back("datto_rmm_exporter_build_info{version=\"" +
                                       expected["version"] + "\",revision=\"" +
                                       expected["revision"] + "\"} 1 is not served (" +
                                       std::to_string(served.size()) + " build_info series)");
    }
  }

  for (const auto& difference : comparison.differences) std::cout << difference << '\n';
  std::cout << "truth_check: " << comparison.sites_compared << " sites, "
            << comparison.values_compared << " values compared, " << comparison.differences.size()
            << " differences\n";
  return comparison.differences.empty() ? 0 : 1;
}

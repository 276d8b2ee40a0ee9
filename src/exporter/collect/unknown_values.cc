#include "exporter/collect/unknown_values.h"

namespace drmm {

void UnknownValueReporter::Report(std::string_view field, std::string_view value) {
  if (!sink_) return;
  if (seen_.emplace(std::string(field), std::string(value)).second) sink_(field, value);
}

}  // namespace drmm

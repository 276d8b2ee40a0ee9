// Reporting of enum values outside the documented sets (a new patchStatus, priority, ...).
// Such values are kept as labels and never fatal; the folds tell the caller about each distinct
// (field, value) once per walk so it can count or log them without flooding.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace drmm {

// `field` is the API's JSON field name ("patchStatus", "antivirusStatus", "priority",
// "deviceClass"); `value` is the raw value as Datto sent it.
using UnknownValueSink = std::function<void(std::string_view field, std::string_view value)>;

class UnknownValueReporter {
 public:
  explicit UnknownValueReporter(UnknownValueSink sink) : sink_(std::move(sink)) {}

  // Calls the sink the first time this (field, value) is seen; a no-op without a sink.
  void Report(std::string_view field, std::string_view value);

 private:
  UnknownValueSink sink_;
  std::set<std::pair<std::string, std::string>> seen_;
};

}  // namespace drmm

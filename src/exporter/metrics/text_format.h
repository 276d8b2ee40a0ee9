// The pieces of the Prometheus text format 0.0.4, written byte for byte as prometheus-cpp
// 1.0.1's TextSerializer writes them (the golden file and every dashboard were made against
// that output): values with 16 significant digits ("%.16g"), "Nan", "+Inf", "-Inf"; label values
// with \\, \" and \n escaped; HELP text as it is. Appending to one string, these write a 10 MB
// exposition in a few tens of milliseconds without building a MetricFamily per series.
#pragma once

#include <string>
#include <string_view>

namespace drmm {

void AppendLabelValue(std::string& out, std::string_view value);
void AppendSampleValue(std::string& out, double value);

// "# HELP <name> <help>\n# TYPE <name> <type>\n".
std::string FamilyHeader(std::string_view name, std::string_view help, std::string_view type);

// Writes the series of one family: `Begin` opens a label set, `Label` adds pairs in the order
// the series carries them, `End` writes the value and the line end. A series whose labels share
// a prefix (every series of one site) can start from a prepared prefix with `BeginWith`.
class SeriesWriter {
 public:
  SeriesWriter(std::string& out, std::string_view name) : out_(out), name_(name) {}

  SeriesWriter& Begin() {
    out_.append(name_);
    first_ = true;
    return *this;
  }
  // `prefix` is a label list as Prefix() returns it ("{a=\"x\",b=\"y\"" without the brace's
  // end), so a site's labels are escaped once for all its series.
  SeriesWriter& BeginWith(std::string_view prefix) {
    out_.append(name_);
    out_.append(prefix);
    first_ = prefix.empty();
    return *this;
  }
  SeriesWriter& Label(std::string_view name, std::string_view value) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    out_.append(name);
    out_ += "=\"";
    AppendLabelValue(out_, value);
    out_ += '"';
    return *this;
  }
  void End(double value) {
    if (!first_) out_ += '}';
    out_ += ' ';
    AppendSampleValue(out_, value);
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::string_view name_;
  bool first_ = true;
};

// Builds a label prefix for SeriesWriter::BeginWith: "{a=\"x\",b=\"y\"".
class LabelPrefix {
 public:
  LabelPrefix& Label(std::string_view name, std::string_view value) {
    text_ += text_.empty() ? '{' : ',';
    text_.append(name);
    text_ += "=\"";
    AppendLabelValue(text_, value);
    text_ += '"';
    return *this;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace drmm

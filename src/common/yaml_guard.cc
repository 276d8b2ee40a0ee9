#include "common/yaml_guard.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <string>

namespace drmm {
namespace {

// Documents are all this pass looks at; the values themselves are the loader's business.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {}
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/, YAML::EmitterStyle::value /*style*/) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {}
  void OnMapEnd() override {}

  YAML::Mark start = YAML::Mark::null_mark();
};

}  // namespace

std::optional<YamlTextPosition> FindYamlDocumentLoop(std::string_view text) {
  std::istringstream stream{std::string(text)};
  try {
    YAML::Parser parser(stream);
    DocumentStarts handler;
    // A real document always moves past the previous one's start, so a stream of them ends
    // within one document per byte; a second start at the same spot is the loop.
    YAML::Mark previous = YAML::Mark::null_mark();
    for (std::size_t documents = 0; documents <= text.size() + 1; ++documents) {
      if (!parser.HandleNextDocument(handler)) return std::nullopt;
      if (!previous.is_null() && handler.start.pos == previous.pos) {
        return YamlTextPosition{previous.line + 1, previous.column + 1};
      }
      previous = handler.start;
    }
  } catch (const YAML::Exception&) {
    // A syntax error: the loader reads the text again and reports it with its position.
  }
  return std::nullopt;
}

}  // namespace drmm

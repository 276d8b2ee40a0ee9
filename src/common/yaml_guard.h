// A guard against a yaml-cpp 0.7 bug: a ',' where a document or a top-level value should start
// (",", "- x\n,", "--- ,", "&a ,") makes YAML::LoadAll return an endless stream of empty
// documents, allocating until the process dies, and YAML::Load silently read the text as empty.
// Loaders run this over the text before handing it to yaml-cpp and report the spot as a syntax
// error.
#pragma once

#include <optional>
#include <string_view>

namespace drmm {

struct YamlTextPosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// Where yaml-cpp would start reading empty documents forever; nullopt when it can read `text`
// (texts with syntax errors included: the loader reports those itself).
std::optional<YamlTextPosition> FindYamlDocumentLoop(std::string_view text);

// The message loaders report at that position, after "YAML syntax error at column N: ".
inline constexpr std::string_view kYamlDocumentLoopMessage =
    "a ',' where a document or value should start";

}  // namespace drmm

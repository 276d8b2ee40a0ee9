// "[host]:port" as --web.listen-address takes it (":9768", "0.0.0.0:9768", "[::1]:9768").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drmm {

struct ListenAddress {
  std::string host;  // "0.0.0.0" when the flag gave none
  int port = 0;      // 0: any free port (tests)
};

std::optional<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace drmm

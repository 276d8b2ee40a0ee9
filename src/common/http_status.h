// The reason phrase of an HTTP status, for the status lines and error bodies that the web
// server and the simulator write.
#pragma once

#include <string_view>

namespace drmm {

// RFC 9110's phrase for the statuses this project sends; "Unknown" for any other.
std::string_view HttpReasonPhrase(int status);

}  // namespace drmm

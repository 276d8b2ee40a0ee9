#include "datto/status.h"

namespace drmm::datto {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone:
      return "none";
    case ErrorKind::kCredentials:
      return "credentials";
    case ErrorKind::kUnauthorized:
      return "unauthorized";
    case ErrorKind::kPermission:
      return "permission";
    case ErrorKind::kRateLimited:
      return "rate_limited";
    case ErrorKind::kBlocked:
      return "blocked";
    case ErrorKind::kTransport:
      return "transport";
    case ErrorKind::kServer:
      return "server";
    case ErrorKind::kHttp:
      return "http";
    case ErrorKind::kDecode:
      return "decode";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace drmm::datto

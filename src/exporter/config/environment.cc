#include "exporter/config/environment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace drmm {
namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{16} << 20;

std::string ErrnoText(int code) { return std::error_code(code, std::generic_category()).message(); }

Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{ErrnoText(errno)};
  std::string content;
  std::array<char, 16384> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;  // EISDIR for a directory
      ::close(fd);
      return Error{ErrnoText(saved)};
    }
    if (n == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(n));
    if (content.size() > kMaxFileBytes) {
      ::close(fd);
      return Error{"larger than 16 MiB"};
    }
  }
  ::close(fd);
  return content;
}

}  // namespace

Environment Environment::Real() {
  Environment env;
  env.get_env = [](const std::string& name) -> std::optional<std::string> {
    // getenv is safe here: the exporter never calls setenv once threads run.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  env.read_file = ReadWholeFile;
  env.file_mode = [](const std::string& path) -> std::optional<unsigned> {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;
    return static_cast<unsigned>(info.st_mode) & 07777U;
  };
  return env;
}

}  // namespace drmm

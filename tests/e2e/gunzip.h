// Undoes gzip Content-Encoding, to check what the exporter sends when a scraper asks for gzip.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drmm::e2e {

// The decompressed bytes; nullopt when `gzipped` is not one complete gzip stream.
std::optional<std::string> Gunzip(std::string_view gzipped);

}  // namespace drmm::e2e

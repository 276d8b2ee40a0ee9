// Sizes written the way people write them in config files: "32MiB", "500KB", "1048576".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace drmm {

// An integer with an optional unit: B, KB/MB/GB (powers of 1000), KiB/MiB/GiB (powers of 1024);
// nullopt for anything else or for more than 2^62 bytes.
std::optional<std::uint64_t> ParseByteSize(std::string_view text);

// "32MiB" for 33554432; the largest binary unit that divides the size, else bytes.
std::string FormatByteSize(std::uint64_t bytes);

}  // namespace drmm

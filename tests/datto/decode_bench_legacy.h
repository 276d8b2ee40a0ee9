// The SAX-filter page decoder that src/datto/decode.cc replaced, for datto_decode_bench's
// before-and-after comparison only (same semantics, same model structs).
#pragma once

#include <string_view>

#include "datto/decode.h"

namespace drmm::legacy {

datto::Result<datto::Page<datto::Site>> LegacyDecodeSitesPage(std::string_view body,
                                                              datto::DecodeContext& context);
datto::Result<datto::Page<datto::Device>> LegacyDecodeDevicesPage(std::string_view body,
                                                                  datto::DecodeContext& context);
datto::Result<datto::Page<datto::Alert>> LegacyDecodeAlertsPage(std::string_view body,
                                                                datto::DecodeContext& context);

}  // namespace drmm::legacy

// gzip built from pieces compressed at different times. Each piece is compressed on its own as
// raw deflate ending in a sync flush (byte-aligned, not final, no reference to earlier bytes),
// so pieces can be concatenated in any combination behind one gzip header, closed by an empty
// final block and a trailer whose CRC-32 is combined from the pieces' own. The result is one
// ordinary gzip member that every gzip reader accepts: the exposition compresses each rendered
// part once per data change, and a scrape only writes them out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace drmm {

struct DeflatedPiece {
  std::string deflated;    // raw deflate, ends with a sync flush
  std::uint32_t crc = 0;   // CRC-32 of the uncompressed text
  std::uint64_t size = 0;  // uncompressed length
};

// `level` as zlib's (1 fastest .. 9 smallest).
DeflatedPiece DeflatePiece(std::string_view text, int level);

// The text `piece` was made from: for the rare plain scrape, so that the text need not be kept
// beside its compressed form. An error only for a piece DeflatePiece did not make.
Result<std::string> InflatePiece(const DeflatedPiece& piece);

// Accumulates the CRC and length of the pieces of one gzip member, in order.
class GzipTrailer {
 public:
  void Add(const DeflatedPiece& piece);
  // The empty final block, CRC-32 and length: the member's last bytes.
  std::string Finish() const;

 private:
  std::uint32_t crc_ = 0;
  std::uint64_t size_ = 0;
};

// The fixed 10-byte gzip member header (no name, no time).
std::string_view GzipHeader();

}  // namespace drmm

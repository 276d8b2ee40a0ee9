#include "exporter/metrics/deflate_piece.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace drmm {
namespace {

void AppendLittleEndian32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

DeflatedPiece DeflatePiece(std::string_view text, int level) {
  DeflatedPiece piece;
  piece.size = text.size();
  piece.crc = static_cast<std::uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(text.data()), text.size()));
  if (text.size() > (1U << 31)) throw std::length_error("piece too large to deflate at once");
  z_stream stream{};
  // -15: raw deflate (no zlib or gzip wrapper), a 32 KB window.
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib deflateInit2 failed");
  }
  // Exposition text compresses about tenfold; start below that and grow, so a piece never
  // keeps a buffer the size of its text (deflateBound's worst case) for its lifetime.
  piece.deflated.resize(text.size() / 8 + 64);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  int status = Z_OK;
  do {
    if (stream.total_out == piece.deflated.size()) piece.deflated.resize(piece.deflated.size() * 2);
    stream.next_out = reinterpret_cast<Bytef*>(piece.deflated.data()) + stream.total_out;
    stream.avail_out = static_cast<uInt>(piece.deflated.size() - stream.total_out);
    status = deflate(&stream, Z_SYNC_FLUSH);
    // Done once all input is taken and the flush fitted (room left in the output).
  } while (status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0));
  piece.deflated.resize(stream.total_out);
  piece.deflated.shrink_to_fit();
  deflateEnd(&stream);
  if (status != Z_OK && !(status == Z_BUF_ERROR && stream.avail_in == 0)) {
    throw std::runtime_error("zlib deflate failed");
  }
  return piece;
}

Result<std::string> InflatePiece(const DeflatedPiece& piece) {
  if (piece.size == 0) return std::string();
  if (piece.size > (1U << 31) || piece.deflated.size() > (1U << 31)) {
    return Error{"piece too large to inflate at once"};
  }
  std::string text(piece.size, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) return Error{"zlib inflateInit2 failed"};
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.deflated.data()));
  stream.avail_in = static_cast<uInt>(piece.deflated.size());
  stream.next_out = reinterpret_cast<Bytef*>(text.data());
  stream.avail_out = static_cast<uInt>(text.size());
  // A piece ends in a sync flush, not a final block: all input taken is its end.
  const int status = inflate(&stream, Z_SYNC_FLUSH);
  const bool whole = (status == Z_OK || status == Z_BUF_ERROR) && stream.avail_in == 0 &&
                     stream.total_out == piece.size;
  inflateEnd(&stream);
  if (!whole) return Error{"a prepared piece did not inflate to its recorded size"};
  return text;
}

void GzipTrailer::Add(const DeflatedPiece& piece) {
  crc_ =
      static_cast<std::uint32_t>(crc32_combine(crc_, piece.crc, static_cast<z_off_t>(piece.size)));
  size_ += piece.size;
}

std::string GzipTrailer::Finish() const {
  // An empty final block with fixed Huffman codes (BFINAL=1, BTYPE=01, end-of-block) is the
  // two bytes 03 00; then CRC-32 and the length modulo 2^32, little-endian (RFC 1952).
  std::string trailer("\x03\x00", 2);
  AppendLittleEndian32(trailer, crc_);
  AppendLittleEndian32(trailer, static_cast<std::uint32_t>(size_ & 0xffffffffU));
  return trailer;
}

std::string_view GzipHeader() {
  // Magic, deflate, no flags, no mtime, no extra flags, OS "unknown".
  static constexpr std::array<char, 10> kHeader = {'\x1f', '\x8b', '\x08', 0, 0,
                                                   0,      0,      0,      0, '\xff'};
  return {kHeader.data(), kHeader.size()};
}

}  // namespace drmm

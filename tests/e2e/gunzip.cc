#include "gunzip.h"

#include <zlib.h>

#include <array>

namespace drmm::e2e {

std::optional<std::string> Gunzip(std::string_view gzipped) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip header and trailer, not a raw or zlib stream.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  // zlib's API takes a non-const pointer but does not write through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  stream.avail_in = static_cast<uInt>(gzipped.size());
  std::string out;
  std::array<char, std::size_t{64} * 1024> buffer{};
  int result = Z_OK;
  // Bounded: each round consumes input or fills the buffer; truncated input ends in Z_BUF_ERROR.
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  const bool complete = result == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) return std::nullopt;
  return out;
}

}  // namespace drmm::e2e

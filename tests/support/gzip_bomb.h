// A gzip body that inflates to far more than it weighs: what a hostile API sends to exhaust a
// client that inflates without a limit (the transport tests and the fault matrix).
#pragma once

#include <zlib.h>

#include <string>

namespace drmm::testing {

// `megabytes` MB of zeros at deflate level 1 (made in a fraction of a second): about 2 KB of gzip
// per MB.
inline std::string MakeGzipBomb(int megabytes) {
  z_stream stream{};
  deflateInit2(&stream, 1, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
  const std::string zeros(1 << 20, '\0');
  std::string out(1 << 20, '\0');
  for (int i = 0; i < megabytes; ++i) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    stream.avail_in = static_cast<uInt>(zeros.size());
    while (stream.avail_in > 0) {
      stream.next_out = reinterpret_cast<Bytef*>(out.data()) + stream.total_out;
      stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
      deflate(&stream, Z_NO_FLUSH);
    }
  }
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data()) + stream.total_out;
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    status = deflate(&stream, Z_FINISH);
  }
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace drmm::testing

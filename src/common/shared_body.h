// A response body made of immutable pieces that other objects own. /metrics is assembled from
// parts rendered once per data change; a scrape hands the server views of those parts plus the
// owners that keep them alive until the last byte is written, so serving a 10 MB exposition
// copies nothing and allocates almost nothing.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drmm {

struct SharedBody {
  std::vector<std::string_view> pieces;             // written in this order
  std::vector<std::shared_ptr<const void>> owners;  // keep `pieces` valid

  std::size_t Size() const {
    std::size_t size = 0;
    for (const auto piece : pieces) size += piece.size();
    return size;
  }
  // One string of all pieces: for tests and for servers that cannot write a sequence.
  std::string Flatten() const {
    std::string out;
    out.reserve(Size());
    for (const auto piece : pieces) out.append(piece);
    return out;
  }
  // Appends text this body owns itself (small per-request parts).
  void AppendOwned(std::string text) {
    auto owned = std::make_shared<const std::string>(std::move(text));
    pieces.emplace_back(*owned);
    owners.push_back(std::move(owned));
  }
};

// A /metrics body made of shared pieces, already gzip-encoded when `gzip` is true: what the
// exposition hands the web server.
struct MetricsResponse {
  SharedBody body;
  bool gzip = false;  // send Content-Encoding: gzip
};

}  // namespace drmm

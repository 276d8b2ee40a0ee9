// Deterministic pseudo-random numbers for generated accounts and churn. The same seed gives the
// same account and the same churn everywhere: std:: distributions are implementation-defined, so
// the simulator draws through this small xoshiro256** wrapper instead.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace drmm::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t Next();
  // Uniform in [0, n); n must be > 0.
  std::uint64_t Below(std::uint64_t n);
  // Uniform in [lo, hi] (inclusive); lo <= hi.
  std::int64_t Between(std::int64_t lo, std::int64_t hi);
  // Uniform in [0, 1).
  double Unit();
  bool Chance(double probability);
  // Index drawn with the given relative weights (all >= 0, at least one > 0).
  std::size_t Weighted(std::initializer_list<double> weights);
  template <typename T, std::size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[static_cast<std::size_t>(Below(N))];
  }
  // A version-4 UUID string ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"), as Datto uids look.
  std::string Uuid();

 private:
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace drmm::sim

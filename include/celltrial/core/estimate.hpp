#pragma once
// A Monte Carlo estimate with its standard error: every simulated quantity a service returns.
#include <cmath>
#include <cstdint>

namespace celltrial {

struct Estimate {
  double value = 0;
  double mc_se = 0;
  bool operator==(const Estimate&) const = default;
};

/// The share x / n with its binomial Monte Carlo SE, sqrt(p (1 - p) / n).
inline Estimate share_estimate(std::uint64_t x, std::uint64_t n) {
  const double p = static_cast<double>(x) / static_cast<double>(n);
  return {p, std::sqrt(p * (1 - p) / static_cast<double>(n))};
}

}  // namespace celltrial

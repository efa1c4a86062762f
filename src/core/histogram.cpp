#include "celltrial/core/histogram.hpp"

#include <cmath>
#include <limits>

namespace celltrial {

double QuantileHistogram::quantile(double p) const {
  if (n_ == 0 || !(p > 0 && p <= 1)) return std::numeric_limits<double>::quiet_NaN();
  const auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(n_)));
  std::uint64_t seen = 0;
  for (const auto& [k, c] : bins_) {
    seen += c;
    if (seen >= rank) {
      const double lo = std::bit_cast<double>(std::uint64_t{k} << kShift);
      const double hi = std::bit_cast<double>(std::uint64_t{k + 1} << kShift);
      return lo == 0 ? 0.0 : (lo + hi) / 2;  // the bin of 0 holds 0 and the tiniest subnormals
    }
  }
  return std::bit_cast<double>(std::uint64_t{bins_.rbegin()->first} << kShift);
}

bool QuantileHistogram::set(const std::map<std::uint32_t, std::uint64_t>& bins) {
  std::uint64_t n = 0;
  for (const auto& [k, c] : bins) {
    // Keys of finite non-negative doubles: sign bit 0 and an exponent below 0x7FF.
    if ((std::uint64_t{k} << kShift) >= 0x7FF0000000000000ULL || c == 0) return false;
    if (n + c < n) return false;
    n += c;
  }
  bins_ = bins;
  n_ = n;
  return true;
}

double FixedWidthHistogram::quantile(double p) const {
  if (n_ == 0 || !(p > 0 && p <= 1)) return std::numeric_limits<double>::quiet_NaN();
  const auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(n_)));
  std::uint64_t seen = 0;
  for (const auto& [k, c] : bins_) {
    seen += c;
    if (seen >= rank) return (static_cast<double>(k) + 0.5) / kBinsPerUnit;
  }
  return (static_cast<double>(bins_.rbegin()->first) + 0.5) / kBinsPerUnit;
}

bool FixedWidthHistogram::set(const std::map<std::int64_t, std::uint64_t>& bins) {
  std::uint64_t n = 0;
  constexpr auto kLimit = static_cast<std::int64_t>(1e9 * kBinsPerUnit);
  for (const auto& [k, c] : bins) {
    if (k < -kLimit || k >= kLimit || c == 0 || n + c < n) return false;
    n += c;
  }
  bins_ = bins;
  n_ = n;
  return true;
}

}  // namespace celltrial

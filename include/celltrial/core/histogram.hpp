#pragma once
// A mergeable histogram of non-negative values with bins of 0.1 % relative width, for quantiles of
// per-trial quantities (months of accrual, trial duration) without keeping every trial's value.
// Counts are integers, so merging in any order gives the same histogram to the bit; a value's bin
// is read from its bits (exponent and the top 10 bits of the significand), not from a logarithm.
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>

namespace celltrial {

class QuantileHistogram {
 public:
  /// Adds x (>= 0 and finite; anything else is not counted and returns false).
  bool add(double x) {
    if (!(x >= 0 && x <= 1.7e308)) return false;
    ++bins_[bin_of(x)];
    ++n_;
    return true;
  }
  void merge(const QuantileHistogram& o) {
    for (const auto& [k, c] : o.bins_) bins_[k] += c;
    n_ += o.n_;
  }
  std::uint64_t count() const { return n_; }
  /// The p-quantile (0 < p <= 1): the centre of the bin holding the ceil(p n)-th smallest value, so
  /// within 0.05 % of it. NaN when empty.
  double quantile(double p) const;
  /// Largest relative distance between a value and the centre of its bin.
  static constexpr double kRelativeResolution = 0x1.0p-11;

  const std::map<std::uint32_t, std::uint64_t>& bins() const { return bins_; }
  /// Rebuilds a histogram from bins(); false when a bin key cannot come from add().
  bool set(const std::map<std::uint32_t, std::uint64_t>& bins);
  bool operator==(const QuantileHistogram&) const = default;

 private:
  static constexpr int kShift = 42;  ///< 52 significand bits - 10 kept
  static std::uint32_t bin_of(double x) { return static_cast<std::uint32_t>(std::bit_cast<std::uint64_t>(x) >> kShift); }
  std::map<std::uint32_t, std::uint64_t> bins_;
  std::uint64_t n_ = 0;
};

/// A mergeable histogram of real values of either sign with bins of fixed width 1/128 (for a Z
/// statistic: quantiles to within 1/256). A bin's index is floor(128 x), exact for any double, so
/// merging in any order gives the same histogram to the bit.
class FixedWidthHistogram {
 public:
  static constexpr double kBinsPerUnit = 128;
  /// Adds x (finite with |x| < 1e9; anything else is not counted and returns false).
  bool add(double x) {
    if (!(x > -1e9 && x < 1e9)) return false;
    ++bins_[static_cast<std::int64_t>(std::floor(x * kBinsPerUnit))];
    ++n_;
    return true;
  }
  void merge(const FixedWidthHistogram& o) {
    for (const auto& [k, c] : o.bins_) bins_[k] += c;
    n_ += o.n_;
  }
  std::uint64_t count() const { return n_; }
  /// The p-quantile (0 < p <= 1): the centre of the bin holding the ceil(p n)-th smallest value.
  /// NaN when empty.
  double quantile(double p) const;
  /// Largest distance between a value and the centre of its bin.
  static constexpr double kResolution = 0.5 / kBinsPerUnit;
  const std::map<std::int64_t, std::uint64_t>& bins() const { return bins_; }
  /// Rebuilds a histogram from bins(); false when a bin key cannot come from add() or a count is 0.
  bool set(const std::map<std::int64_t, std::uint64_t>& bins);
  bool operator==(const FixedWidthHistogram&) const = default;

 private:
  std::map<std::int64_t, std::uint64_t> bins_;
  std::uint64_t n_ = 0;
};

}  // namespace celltrial

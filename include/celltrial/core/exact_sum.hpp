#pragma once
// Exact, order-independent accumulation.
//
// Monte Carlo summaries must be bit-identical for any number of threads, shards or MPI ranks.
// Floating-point addition is not associative, so sums are kept in 128-bit fixed point: each value
// is rounded once to a multiple of 2^-40 (about 1e-12) and added exactly. Any partition of the
// trials, merged in any order, gives the same bits.
#include <cmath>
#include <cstdint>
#include <string>

namespace celltrial {

__extension__ typedef __int128 int128_t;
__extension__ typedef unsigned __int128 uint128_t;

class ExactSum {
 public:
  static constexpr int fraction_bits = 40;
  /// Largest magnitude a single value may have (2^45 ≈ 3.5e13); larger values are not added and
  /// make add() return false so the caller can count them as overflow.
  static constexpr double max_abs = 35184372088832.0;

  bool add(double x) noexcept {
    if (!(std::fabs(x) < max_abs)) return false;  // also rejects NaN
    sum_ += to_fixed(x);
    return true;
  }
  /// x in units of 2^-40, rounded to the nearest integer, ties to even: the value of
  /// nearbyint(ldexp(x, 40)) in the default rounding mode, without the library calls for the
  /// common magnitudes. For |x| < max_abs.
  static int128_t to_fixed(double x) noexcept {
    const double v = x * 0x1.0p40;  // exact: a power of 2, far from overflow
    const double a = std::fabs(v);
    if (a < 0x1.0p52) {
      // Below 2^52, adding and removing 2^52 rounds to an integer, to nearest and ties to even.
      const double r = (a + 0x1.0p52) - 0x1.0p52;
      const auto i = static_cast<std::int64_t>(r);
      return v < 0 ? -i : i;
    }
    if (a < 0x1.0p62) return static_cast<std::int64_t>(v);  // already an integer
    return static_cast<int128_t>(v);                         // already an integer
  }
  void merge(const ExactSum& o) noexcept { sum_ += o.sum_; }
  long double value() const noexcept {
    return std::ldexp(static_cast<long double>(sum_), -fraction_bits);
  }
  int128_t raw() const noexcept { return sum_; }
  void set_raw(int128_t r) noexcept { sum_ = r; }
  bool operator==(const ExactSum&) const = default;

  /// Lossless text form (decimal of the raw integer), for shard files.
  std::string to_string() const;
  static bool from_string(const std::string& s, ExactSum& out);

 private:
  int128_t sum_ = 0;
};

/// Count, sum and sum of squares of a quantity, exact and mergeable.
class ExactMoments {
 public:
  bool add(double x) noexcept {
    if (!(std::fabs(x) < 5.9e6)) return false;  // keeps x*x below ExactSum::max_abs
    s1_.add(x);
    s2_.add(x * x);
    ++n_;
    return true;
  }
  void merge(const ExactMoments& o) noexcept {
    n_ += o.n_;
    s1_.merge(o.s1_);
    s2_.merge(o.s2_);
  }
  std::uint64_t count() const noexcept { return n_; }
  double mean() const noexcept;
  /// Sample variance (n - 1 denominator); NaN when n < 2.
  double variance() const noexcept;
  double sd() const noexcept { return std::sqrt(variance()); }
  /// Monte Carlo standard error of the mean.
  double mc_se() const noexcept { return std::sqrt(variance() / static_cast<double>(n_)); }
  const ExactSum& sum() const noexcept { return s1_; }
  const ExactSum& sum_squares() const noexcept { return s2_; }
  void set(std::uint64_t n, ExactSum s1, ExactSum s2) noexcept {
    n_ = n;
    s1_ = s1;
    s2_ = s2;
  }
  bool operator==(const ExactMoments&) const = default;

 private:
  std::uint64_t n_ = 0;
  ExactSum s1_, s2_;
};

}  // namespace celltrial

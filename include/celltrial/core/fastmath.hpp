#pragma once
// exp and log for the per-child loops, inline and without a library call, with the same bits on
// every machine.
//
// Both reduce the argument with a 128-entry table and finish with a short polynomial. The tables
// are literals (core/math_tables.hpp) that GCC checks against their exactly rounded compile-time
// evaluation below, so the tables are the same everywhere and for every compiler. The builds use no
// fast-math and no contraction into fused multiply-adds, so every operation below is a plain IEEE
// double operation with one result.
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "celltrial/core/math_tables.hpp"

namespace celltrial {

namespace detail {
/// 2^(i/128) rounded, and the relative rounding error of each entry.
struct Exp2Table {
  std::array<double, 128> value{};
  std::array<double, 128> tail{};
};
inline constexpr Exp2Table kExp2{tables::kExp2Value, tables::kExp2Tail};
#if defined(__GNUC__) && !defined(__clang__)
constexpr Exp2Table make_exp2_table() {
  Exp2Table t{};
  for (std::size_t i = 0; i < 128; ++i) {
    t.value[i] = __builtin_exp2(static_cast<double>(i) / 128);
    t.tail[i] = static_cast<double>((__builtin_exp2l(static_cast<long double>(i) / 128) - t.value[i]) / t.value[i]);
  }
  return t;
}
static_assert(same_bits(make_exp2_table().value, kExp2.value) && same_bits(make_exp2_table().tail, kExp2.tail),
              "core/math_tables.hpp: the exp2 table differs from its exactly rounded evaluation");
#endif

/// For the mantissa interval [1 + i/128, 1 + (i+1)/128): its centre c, 1/c rounded, and log(c)
/// split into a leading part with 9 trailing zero bits (so that adding a multiple of ln 2's
/// leading part to it is exact) and the rest.
struct LogTable {
  std::array<double, 128> centre{}, inv{}, hi{}, lo{};
};
inline constexpr LogTable kLog{tables::kLogCentre, tables::kLogInv, tables::kLogHi, tables::kLogLo};
#if defined(__GNUC__) && !defined(__clang__)
constexpr LogTable make_log_table() {
  LogTable t{};
  for (std::size_t i = 0; i < 128; ++i) {
    const double c = 1.0 + (2.0 * static_cast<double>(i) + 1.0) / 256.0;  // exact: 9 significant bits
    t.centre[i] = c;
    t.inv[i] = 1.0 / c;
    const long double lc = __builtin_logl(static_cast<long double>(c));
    const double full = static_cast<double>(lc);
    t.hi[i] = std::bit_cast<double>(std::bit_cast<std::uint64_t>(full) & ~std::uint64_t{0x1FF});
    t.lo[i] = static_cast<double>(lc - static_cast<long double>(t.hi[i]));
  }
  return t;
}
static_assert(same_bits(make_log_table().centre, kLog.centre) && same_bits(make_log_table().inv, kLog.inv) &&
                  same_bits(make_log_table().hi, kLog.hi) && same_bits(make_log_table().lo, kLog.lo),
              "core/math_tables.hpp: the log table differs from its exactly rounded evaluation");
#endif
}  // namespace detail

/// exp(x) within 0.52 units in the last place (the C library's is within 0.51). x = (128 k + i)
/// ln 2 / 128 + r with |r| <= ln 2 / 256, so exp(x) = 2^k 2^(i/128) exp(r), from the table of
/// 2^(i/128) and a degree-5 polynomial for exp(r). Outside (-256, 256), and for NaN, the library's exp.
inline double fast_exp_in_range(double x) noexcept;
inline double fast_exp(double x) noexcept {
  if (!(x > -256.0 && x < 256.0)) return std::exp(x);
  return fast_exp_in_range(x);
}

/// fast_exp(x) for x known to lie in (-256, 256), without the test (the same bits).
inline double fast_exp_in_range(double x) noexcept {
  constexpr double kInvLn2N = 0x1.71547652b82fep7, kShift = 0x1.8p52;  // 128 / ln 2; rounds to an integer
  constexpr double kLn2HiN = 0x1.62e42fefa0000p-8, kLn2LoN = 0x1.cf79abc9e3b3ap-47;  // ln 2 / 128 = hi + lo
  const double shifted = x * kInvLn2N + kShift;
  const double kd = shifted - kShift;
  const std::int64_t k = std::bit_cast<std::int64_t>(shifted) - std::bit_cast<std::int64_t>(kShift);
  const double r = (x - kd * kLn2HiN) - kd * kLn2LoN;
  const auto i = static_cast<std::size_t>(k & 127);
  const double scale = std::bit_cast<double>(std::bit_cast<std::uint64_t>(detail::kExp2.value[i]) +
                                             (static_cast<std::uint64_t>(k >> 7) << 52));
  const double r2 = r * r;
  const double p = r + r2 * (0.5 + r * (1.0 / 6)) + r2 * r2 * (1.0 / 24 + r * (1.0 / 120));
  return scale + scale * (p + detail::kExp2.tail[i]);
}

/// log(x) for a positive normal x, within 2^-58 + 1.6 ulp of the result (measured over 2e7
/// arguments; relative accuracy is lost only near x = 1, where log(x) is near 0).
/// x = 2^e m with m in [1, 2); m lies within 1/256 of the centre c of its 1/128 interval, so
/// log(x) = e ln 2 + log(c) + log1p(r), r = (m - c) / c, |r| <= 2^-8, where m - c is exact and
/// log1p(r) is a degree-6 polynomial. Zero, negative, subnormal, infinite and NaN arguments go to
/// the library's log.
inline double fast_log(double x) noexcept {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  // Positive normal numbers have a biased exponent in [1, 2046] and a clear sign bit.
  if (bits - (std::uint64_t{1} << 52) >= (std::uint64_t{0x7FE} << 52)) return std::log(x);
  constexpr double kLn2Hi = 0x1.62e42fefa3800p-1, kLn2Lo = 0x1.ef35793c76730p-45;  // ln 2 = hi + lo
  const double e = static_cast<double>(static_cast<std::int64_t>(bits >> 52) - 1023);
  const auto i = static_cast<std::size_t>((bits >> 45) & 127);
  const double m = std::bit_cast<double>((bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{0x3FF} << 52));
  const double r = (m - detail::kLog.centre[i]) * detail::kLog.inv[i];
  const double r2 = r * r;
  const double p = r2 * (-0.5 + r * (1.0 / 3)) + r2 * r2 * (-0.25 + r * (0.2 - r * (1.0 / 6)));
  return (e * kLn2Hi + detail::kLog.hi[i]) + (r + (p + (e * kLn2Lo + detail::kLog.lo[i])));
}

}  // namespace celltrial

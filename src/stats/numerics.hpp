#pragma once
// Private helpers shared by the stats sources: normal tails, bracketed root finding, diagnostics.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/math/special_functions/erf.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include "celltrial/core/error.hpp"

namespace celltrial::stats::detail {

/// Standard normal upper tail 1 − Φ(x), accurate far into both tails.
inline double norm_sf(double x) { return 0.5 * boost::math::erfc(x / std::sqrt(2.0)); }
/// Standard normal cdf Φ(x).
inline double norm_cdf(double x) { return 0.5 * boost::math::erfc(-x / std::sqrt(2.0)); }
/// Standard normal density.
inline double norm_pdf(double x) {
  constexpr double inv_sqrt_2pi = 0.398942280401432677939946059934;
  return inv_sqrt_2pi * std::exp(-0.5 * x * x);
}
/// Upper quantile: z with 1 − Φ(z) = p, for p in (0, 1).
inline double norm_isf(double p) { return std::sqrt(2.0) * boost::math::erfc_inv(2.0 * p); }

/// A number formatted for messages (6 significant digits, no trailing noise).
inline std::string num(double x) {
  std::ostringstream os;
  os.precision(6);
  os << x;
  return os.str();
}

/// A command-line diagnostic about option `key` (e.g. "--delta").
inline Diagnostic diag(std::string key, std::string problem, std::string fix) {
  return Diagnostic{Location{"command line", 0, 0}, std::move(key), std::move(problem),
                    std::move(fix)};
}

[[noreturn]] inline void fail(std::string key, std::string problem, std::string fix) {
  throw Error(ExitCode::usage, diag(std::move(key), std::move(problem), std::move(fix)));
}

/// Root of an increasing function f on [lo, hi] with f(lo) < 0 <= f(hi), to relative precision
/// ~rel_tol in x. Uses TOMS 748 (Alefeld, Potra & Shi), which keeps a bracket throughout.
inline double solve_increasing(const std::function<double(double)>& f, double lo, double hi,
                               double f_lo, double f_hi, double rel_tol = 1e-13) {
  auto tol = [rel_tol](double a, double b) {
    return std::fabs(b - a) <= rel_tol * std::max(std::fabs(a), std::fabs(b));
  };
  std::uintmax_t max_iter = 200;
  if (f_hi == 0.0) return hi;
  const auto r = boost::math::tools::toms748_solve(f, lo, hi, f_lo, f_hi, tol, max_iter);
  return 0.5 * (r.first + r.second);
}

/// A sample size rounded up (a count within 1e-9 of an integer is that integer).
inline long round_up(double x) { return static_cast<long>(std::ceil(x - 1e-9)); }

/// {control, active}: a total split by the allocation R (active per control), each arm rounded up
/// (at least 1).
inline std::vector<long> per_arm(double n_total, double R) {
  return {std::max(1L, round_up(n_total / (1.0 + R))), std::max(1L, round_up(n_total * R / (1.0 + R)))};
}

/// Analysable counts per arm inflated for the fraction `dropout` not analysable, each rounded up.
inline std::vector<long> randomised(const std::vector<long>& per_arm, double dropout) {
  std::vector<long> out;
  for (long n : per_arm) out.push_back(round_up(static_cast<double>(n) / (1.0 - dropout)));
  return out;
}

}  // namespace celltrial::stats::detail

#include "celltrial/stats/stagewise_ordering.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "celltrial/core/error.hpp"
#include "gs_recursion.hpp"
#include "numerics.hpp"

namespace celltrial::stats {

using detail::norm_isf;
using detail::num;

namespace {

/// A caller's mistake (the arguments come from a computed design, never from input).
[[noreturn]] void fail(const std::string& problem) { throw Error(ExitCode::software, "stage-wise ordering: " + problem); }

constexpr double kGridStep = 0.04;     // the fine grid of the drift-0 sub-densities
constexpr double kGridLow = -20.0;     // below: negligible under every drift solved for
constexpr double kTableLow = -10.0;    // tabulated z from here (below: the first-look formula)
constexpr double kTableStep = 0.08;    // two grid steps: tabulated z values are grid points
constexpr double kMargin = 8.0;        // grid reach beyond the largest mean d sqrt(t_k) needed
constexpr double kWindow = 12.0;       // the integrand is negligible (< 1e-30 of its peak) farther from d sqrt(t_k)

/// Integral over [a, grid end] of exp(lg(x) + d x s - d^2 t / 2) (value) and of its derivative in d
/// (slope), lg on the grid lo + i h from index `first`, with a partial panel [a, x_first] (Simpson's
/// rule with the log-densities `lg_a` at a and `lg_mid` at its middle; a == x_first: none).
std::pair<double, double> weighted_tail(const std::vector<double>& lg, double lo, double h, std::size_t first,
                                        double a, double lg_a, double lg_mid, double d, double s, double t) {
  // The integrand is the drift-d sub-density: negligible beyond kWindow of its mean d s.
  const auto end_index = (d * s + kWindow - lo) / h;
  const std::size_t n = std::min(lg.size(), end_index <= 0 ? std::size_t{0} : static_cast<std::size_t>(end_index) + 2);
  if (first + 1 >= n) return {0.0, 0.0};
  const double half = d * d * t / 2;
  auto term = [&](double x, double l, double& slope) {
    const double v = std::exp(l + d * x * s - half);
    slope = v * (x * s - d * t);
    return v;
  };
  double value = 0, slope = 0, ds = 0;
  // Simpson on the even number of intervals from `first`, the trapezoid on a last odd one.
  const std::size_t intervals = n - 1 - first;
  const std::size_t simpson = intervals - intervals % 2;
  for (std::size_t i = 0; i <= simpson; ++i) {
    const double w = (i == 0 || i == simpson) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    const double x = lo + static_cast<double>(first + i) * h;
    value += w * term(x, lg[first + i], ds) * h / 3;
    slope += w * ds * h / 3;
  }
  if (simpson < intervals) {
    const double x0 = lo + static_cast<double>(n - 2) * h, x1 = x0 + h;
    double s0 = 0, s1 = 0;
    value += (term(x0, lg[n - 2], s0) + term(x1, lg[n - 1], s1)) * h / 2;
    slope += (s0 + s1) * h / 2;
  }
  const double x_first = lo + static_cast<double>(first) * h;
  if (a < x_first) {
    double s0 = 0, s1 = 0, s2 = 0;
    const double w = x_first - a;
    value += (term(a, lg_a, s0) + 4 * term(0.5 * (a + x_first), lg_mid, s1) + term(x_first, lg[first], s2)) * w / 6;
    slope += (s0 + 4 * s1 + s2) * w / 6;
  }
  return {value, slope};
}

/// The root of the increasing g(d) - p by Newton steps from `start`, kept inside the bracket known
/// so far (a step of 1 towards the root while one side is open; bisection once both are known).
template <class F>
double solve_newton(F&& g, double p, double start) {
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  double x = start;
  for (int it = 0; it < 200; ++it) {
    const auto [v, dv] = g(x);
    const double r = v - p;
    if (r == 0) return x;
    if (r > 0) hi = x; else lo = x;
    double next = dv > 0 ? x - r / dv : std::numeric_limits<double>::quiet_NaN();
    if (!(next > lo && next < hi) || std::abs(next - x) > 2) {
      if (std::isfinite(lo) && std::isfinite(hi)) next = 0.5 * (lo + hi);
      else next = r > 0 ? x - 1 : x + 1;
    }
    if (std::abs(next - x) <= 1e-11 * (1 + std::abs(x))) return next;
    if (next > 1e3) return std::numeric_limits<double>::infinity();
    if (next < -1e3) return -std::numeric_limits<double>::infinity();
    x = next;
  }
  return x;
}

}  // namespace

StagewiseOrdering::StagewiseOrdering(std::vector<double> t, std::vector<double> critical, std::vector<double> futility,
                                     std::vector<double> probabilities)
    : t_(std::move(t)), c_(std::move(critical)), f_(std::move(futility)) {
  const std::size_t K = t_.size();
  if (K == 0 || c_.size() != K || (!f_.empty() && f_.size() != K))
    fail("one critical value (and futility bound) per look is needed");
  for (std::size_t k = 0; k < K; ++k) {
    if (!(t_[k] > (k ? t_[k - 1] : 0.0)) || !(t_[k] <= 1))
      fail("information fractions must increase within (0, 1]");
    if (std::isnan(c_[k]) || (!f_.empty() && k + 1 < K && !(f_[k] < c_[k])))
      fail("each interim futility bound must lie below its look's critical value");
  }
  for (double p : probabilities)
    if (!(p > 0 && p < 1)) fail("probabilities must lie in (0, 1), got " + num(p));

  // The largest drift a root can take: beyond it the first look's crossing alone exceeds every p.
  double p_max = 0.5;
  for (double p : probabilities) p_max = std::max(p_max, p);
  const double c0 = std::isfinite(c_[0]) ? c_[0] : 10.0;
  const double d_max = (c0 + norm_isf(1 - p_max) + 2) / std::sqrt(t_[0]);
  const double hi = std::min(d_max + kMargin, 80.0);
  const auto points = static_cast<std::size_t>(std::ceil((hi - kGridLow) / kGridStep)) + 1;

  // Drift-0 sub-densities, look by look.
  detail::Recursion rec(t_, 0.0, 32);
  look_.resize(K);
  for (std::size_t k = 0; k < K; ++k) {
    Look& L = look_[k];
    L.lo = kGridLow;
    L.h = kGridStep;
    L.density.resize(points);
    for (std::size_t i = 0; i < points; ++i) {
      const double g = rec.density(L.lo + static_cast<double>(i) * L.h);
      L.density[i] = g > 0 ? std::log(g) : -std::numeric_limits<double>::infinity();
    }
    if (std::isfinite(c_[k])) {
      L.cross_z = c_[k];
      const double pos = (c_[k] - L.lo) / L.h;
      L.cross = pos <= 0 ? 0 : static_cast<std::size_t>(std::ceil(pos));
      auto log_density = [&](double z) {
        const double g = rec.density(z);
        return g > 0 ? std::log(g) : -std::numeric_limits<double>::infinity();
      };
      L.cross_density = log_density(c_[k]);
      L.cross_mid = log_density(0.5 * (c_[k] + L.lo + static_cast<double>(L.cross) * L.h));
    } else {
      L.cross = points;  // nothing crosses
      L.cross_z = std::numeric_limits<double>::infinity();
    }
    if (k + 1 < K) rec.advance(f_.empty() ? -detail::kInf : f_[k], c_[k]);
  }

  // Tables of the drift over z for each probability (looks after the first; the first has a formula).
  const double z_top = hi - kMargin / 2;
  for (double p : probabilities) {
    Table tb;
    tb.p = p;
    tb.z0 = kTableLow;
    tb.dz = kTableStep;
    const auto m_count = static_cast<std::size_t>(std::floor((z_top - tb.z0) / tb.dz)) + 1;
    tb.drift.resize(K);
    for (std::size_t k = 1; k < K; ++k) {
      auto& row = tb.drift[k];
      row.resize(m_count);
      double start = (tb.z0 - norm_isf(p)) / std::sqrt(t_[k]);
      for (std::size_t m = 0; m < m_count; ++m) {
        row[m] = solve(k, tb.z0 + static_cast<double>(m) * tb.dz, p, start);
        start = row[m];
      }
    }
    tables_.push_back(std::move(tb));
  }
}

std::pair<double, double> StagewiseOrdering::value_and_slope(std::size_t k, double z, double drift) const {
  double value = 0, slope = 0;
  for (std::size_t j = 0; j <= k; ++j) {
    const Look& L = look_[j];
    const double s = std::sqrt(t_[j]), t = t_[j];
    std::pair<double, double> part;
    if (j < k) {
      part = weighted_tail(L.density, L.lo, L.h, L.cross, L.cross_z, L.cross_density, L.cross_mid, drift, s, t);
    } else {
      // From z: the grid point at or above it, the partial panel's log-density interpolated.
      const double pos = (z - L.lo) / L.h;
      if (pos >= static_cast<double>(L.density.size() - 1)) break;
      std::size_t first = 0;
      double lg_a = L.density[0], lg_mid = lg_a;
      if (pos > 0) {
        first = static_cast<std::size_t>(std::ceil(pos - 1e-9));
        // The log-density (smooth) at z and halfway to the grid point: quadratic through three points.
        const std::size_t i0 = std::clamp<std::size_t>(first, 1, L.density.size() - 2) - 1;
        auto at = [&](double x) {
          const double u = x - static_cast<double>(i0);
          const double y0 = L.density[i0], y1 = L.density[i0 + 1], y2 = L.density[i0 + 2];
          return y0 + u * (y1 - y0) + 0.5 * u * (u - 1) * (y2 - 2 * y1 + y0);
        };
        lg_a = at(pos);
        lg_mid = at(0.5 * (pos + static_cast<double>(first)));
      }
      part = weighted_tail(L.density, L.lo, L.h, first, std::max(z, L.lo), lg_a, lg_mid, drift, s, t);
    }
    value += part.first;
    slope += part.second;
  }
  return {value, slope};
}

double StagewiseOrdering::exceedance(std::size_t k, double z, double drift) const {
  if (k >= t_.size()) fail("no look " + std::to_string(k + 1));
  if (k == 0) return detail::norm_sf(z - drift * std::sqrt(t_[0]));
  return std::min(1.0, value_and_slope(k, z, drift).first);
}

double StagewiseOrdering::solve(std::size_t k, double z, double p, double start) const {
  return solve_newton([&](double d) { return value_and_slope(k, z, d); }, p, start);
}

double StagewiseOrdering::drift_at(std::size_t k, double z, double p) const {
  if (k >= t_.size()) fail("no look " + std::to_string(k + 1));
  if (!(p > 0 && p < 1)) fail("probabilities must lie in (0, 1), got " + num(p));
  if (std::isnan(z)) return z;
  const double s = std::sqrt(t_[k]);
  // The first look, and far below every bound (nothing crosses before): Z_k ~ N(d sqrt(t_k), 1).
  if (k == 0 || z < kTableLow) return (z - norm_isf(p)) / s;
  for (const Table& tb : tables_) {
    if (tb.p != p) continue;
    const auto& row = tb.drift[k];
    const double pos = (z - tb.z0) / tb.dz;
    const double last = static_cast<double>(row.size() - 1);
    // Beyond the table the tail above z is negligible: the drift no longer changes with z.
    if (pos >= last) return row.back();
    // Cubic Lagrange interpolation through the four nearest entries (linear at the table's ends).
    const auto m = static_cast<std::size_t>(pos);
    const double u = pos - static_cast<double>(m);
    if (m == 0 || m + 2 > row.size() - 1) return row[m] + u * (row[m + 1] - row[m]);
    const double p0 = row[m - 1], p1 = row[m], p2 = row[m + 1], p3 = row[m + 2];
    return -p0 * u * (u - 1) * (u - 2) / 6 + p1 * (u + 1) * (u - 1) * (u - 2) / 2 - p2 * (u + 1) * u * (u - 2) / 2 +
           p3 * (u + 1) * u * (u - 1) / 6;
  }
  return solve(k, std::min(z, look_[k].lo + static_cast<double>(look_[k].density.size() - 1) * look_[k].h),
               p, (z - norm_isf(p)) / s);
}

std::shared_ptr<const StagewiseOrdering> StagewiseOrdering::shared(const std::vector<double>& t,
                                                                 const std::vector<double>& critical,
                                                                 const std::vector<double>& futility,
                                                                 const std::vector<double>& probabilities) {
  using Key = std::tuple<std::vector<double>, std::vector<double>, std::vector<double>, std::vector<double>>;
  static std::mutex mutex;
  static std::vector<std::pair<Key, std::shared_ptr<const StagewiseOrdering>>> cache;  // most recent last
  constexpr std::size_t kKept = 8;
  Key key{t, critical, futility, probabilities};
  const std::lock_guard<std::mutex> lock(mutex);
  for (std::size_t i = 0; i < cache.size(); ++i)
    if (cache[i].first == key) {
      auto hit = cache[i];
      cache.erase(cache.begin() + static_cast<std::ptrdiff_t>(i));
      cache.push_back(hit);
      return hit.second;
    }
  auto made = std::make_shared<const StagewiseOrdering>(t, critical, futility, probabilities);
  if (cache.size() == kKept) cache.erase(cache.begin());
  cache.emplace_back(std::move(key), made);
  return made;
}

}  // namespace celltrial::stats

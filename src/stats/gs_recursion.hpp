#pragma once
// The recursive numerical integration of group-sequential designs (Jennison & Turnbull 2000,
// §19.2): the sub-density of Z_k over the continuation region, look by look, on J&T's grid. Shared
// by the boundaries (group_sequential.cpp) and the stage-wise ordering (stagewise_ordering.cpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "numerics.hpp"

namespace celltrial::stats::detail {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// Simpson grid on (lo, hi) ∩ J&T's range around `mean`: points z and weights w.
struct Grid {
  std::vector<double> z, w;
};

inline Grid make_grid(double mean, double lo, double hi, int r) {
  std::vector<double> x;
  x.reserve(static_cast<std::size_t>(6 * r + 1));
  const double rd = r;
  auto push = [&](double v) {
    if (v > lo && v < hi) x.push_back(v);
  };
  const double x_first = mean - 3.0 - 4.0 * std::log(rd);
  const double x_last = mean + 3.0 + 4.0 * std::log(rd);
  if (lo > x_first) x.push_back(lo);
  for (int i = 1; i <= 6 * r - 1; ++i) {
    double v;
    if (i < r)
      v = -3.0 - 4.0 * std::log(rd / i);
    else if (i <= 5 * r)
      v = -3.0 + 3.0 * (i - r) / (2.0 * rd);
    else
      v = 3.0 + 4.0 * std::log(rd / (6.0 * rd - i));
    push(mean + v);
  }
  if (hi < x_last) x.push_back(hi);
  Grid g;
  if (x.size() < 2) {
    // The continuation region is (numerically) empty or a sliver: nothing continues.
    return g;
  }
  const std::size_t m = 2 * x.size() - 1;
  g.z.resize(m);
  for (std::size_t i = 0; i < x.size(); ++i) {
    g.z[2 * i] = x[i];
    if (i + 1 < x.size()) g.z[2 * i + 1] = 0.5 * (x[i] + x[i + 1]);
  }
  g.w.assign(m, 0.0);
  // Simpson's rule on each panel [z_{2i}, z_{2i+2}] with midpoint z_{2i+1}.
  for (std::size_t i = 0; i + 2 < m; i += 2) {
    const double d = g.z[i + 2] - g.z[i];
    g.w[i] += d / 6.0;
    g.w[i + 1] += 4.0 * d / 6.0;
    g.w[i + 2] += d / 6.0;
  }
  return g;
}

/// Stage-by-stage recursion for fixed information fractions and drift.
class Recursion {
 public:
  Recursion(const std::vector<double>& t, double drift, int r) : t_(t), drift_(drift), r_(r) {}

  /// Probabilities of crossing at the current look through the upper boundary b and the lower
  /// boundary a (a < b; ±infinity for none), given continuation so far.
  std::pair<double, double> crossing(double a, double b) const {
    const double tk = t_[k_];
    if (k_ == 0) {
      const double mu = drift_ * std::sqrt(tk);
      return {b == kInf ? 0.0 : norm_sf(b - mu), a == -kInf ? 0.0 : norm_cdf(a - mu)};
    }
    const double tp = t_[k_ - 1], d = tk - tp, sd = std::sqrt(d);
    const double sk = std::sqrt(tk), sp = std::sqrt(tp);
    double up = 0.0, lo = 0.0;
    for (std::size_t j = 0; j < hw_.size(); ++j) {
      const double shift = grid_.z[j] * sp + drift_ * d;
      if (b != kInf) up += hw_[j] * norm_sf((b * sk - shift) / sd);
      if (a != -kInf) lo += hw_[j] * norm_cdf((a * sk - shift) / sd);
    }
    return {up, lo};
  }

  /// The sub-density at the current look at z, before its boundaries: d/dz P(Z_1 in C_1, ...,
  /// Z_{k-1} in C_{k-1}, Z_k <= z).
  double density(double z) const {
    const double tk = t_[k_];
    if (k_ == 0) return norm_pdf(z - drift_ * std::sqrt(tk));
    const double tp = t_[k_ - 1], d = tk - tp, sd = std::sqrt(d);
    const double sk = std::sqrt(tk), sp = std::sqrt(tp);
    const double zi = z * sk - drift_ * d;
    double s = 0.0;
    for (std::size_t j = 0; j < hw_.size(); ++j) s += hw_[j] * norm_pdf((zi - grid_.z[j] * sp) / sd);
    return s * sk / sd;
  }

  /// Fixes the boundaries of the current look and moves to the next one.
  void advance(double a, double b) {
    const double tk = t_[k_];
    const double mu = drift_ * std::sqrt(tk);
    // Close looks create narrow features on this look's Z scale: the sub-density falls off at the
    // previous boundary over ~sqrt((t_k − t_{k−1}) / t_k), and the next transition kernel has SD
    // sqrt((t_{k+1} − t_k) / t_k). Refine the grid so both span several central intervals (this
    // never changes the grid for equally spaced looks up to ~60 looks with r = 32).
    int r = r_;
    auto refine = [&](double gap) {
      r = std::max(r, static_cast<int>(std::ceil(4.0 * std::sqrt(tk / gap))));
    };
    if (k_ > 0) refine(tk - t_[k_ - 1]);
    if (k_ + 1 < t_.size()) refine(t_[k_ + 1] - tk);
    Grid next = make_grid(mu, a, b, r);
    std::vector<double> h(next.z.size(), 0.0);
    if (k_ == 0) {
      for (std::size_t i = 0; i < h.size(); ++i) h[i] = norm_pdf(next.z[i] - mu);
    } else {
      const double tp = t_[k_ - 1], d = tk - tp, sd = std::sqrt(d);
      const double sk = std::sqrt(tk), sp = std::sqrt(tp), scale = sk / sd;
      // The kernel is negligible (φ < 1e-22) more than 10 SDs away: sum over that window only.
      const auto& zp = grid_.z;
      for (std::size_t i = 0; i < h.size(); ++i) {
        const double zi = next.z[i] * sk - drift_ * d;
        const auto first = std::lower_bound(zp.begin(), zp.end(), (zi - 10.0 * sd) / sp);
        const auto last = std::upper_bound(first, zp.end(), (zi + 10.0 * sd) / sp);
        double s = 0.0;
        for (auto j = static_cast<std::size_t>(first - zp.begin());
             j < static_cast<std::size_t>(last - zp.begin()); ++j)
          s += hw_[j] * norm_pdf((zi - zp[j] * sp) / sd);
        h[i] = scale * s;
      }
    }
    for (std::size_t i = 0; i < h.size(); ++i) h[i] *= next.w[i];
    grid_ = std::move(next);
    hw_ = std::move(h);
    ++k_;
  }

 private:
  const std::vector<double>& t_;
  double drift_;
  int r_;
  std::size_t k_ = 0;
  Grid grid_;
  std::vector<double> hw_;  // weight × sub-density at the grid points of the previous look
};

}  // namespace celltrial::stats::detail

// Group-sequential boundaries by recursive numerical integration.
//
// Following Jennison & Turnbull (2000, §19.2), the sub-density of Z_k on the continuation region
// (a_k, b_k), h_k(z) = d/dz P(Z_1 in C_1, ..., Z_{k−1} in C_{k−1}, Z_k <= z), satisfies
//   h_1(z) = φ(z − drift sqrt(t_1)),
//   h_k(z) = ∫_{C_{k−1}} h_{k−1}(u) (sqrt(t_k)/sqrt(Δ_k)) φ((z sqrt(t_k) − u sqrt(t_{k−1}) −
//            drift Δ_k) / sqrt(Δ_k)) du,     Δ_k = t_k − t_{k−1},
// and the probability of leaving upwards at look k is
//   ∫_{C_{k−1}} h_{k−1}(u) (1 − Φ((b_k sqrt(t_k) − u sqrt(t_{k−1}) − drift Δ_k) / sqrt(Δ_k))) du.
// Integrals use Simpson's rule on J&T's grid: 6r − 1 points around the mean drift sqrt(t_k),
// evenly spaced within ±3 and spreading logarithmically out to ±(3 + 4 ln r), cut at the
// boundaries (which become grid points), with midpoints added.
#include "celltrial/stats/group_sequential.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "numerics.hpp"

namespace celltrial::stats {

using detail::fail;
using detail::norm_cdf;
using detail::norm_isf;
using detail::norm_pdf;
using detail::norm_sf;
using detail::num;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

/// Simpson grid on (lo, hi) ∩ J&T's range around `mean`: points z and weights w.
struct Grid {
  std::vector<double> z, w;
};

Grid make_grid(double mean, double lo, double hi, int r) {
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
      return {b == inf ? 0.0 : norm_sf(b - mu), a == -inf ? 0.0 : norm_cdf(a - mu)};
    }
    const double tp = t_[k_ - 1], d = tk - tp, sd = std::sqrt(d);
    const double sk = std::sqrt(tk), sp = std::sqrt(tp);
    double up = 0.0, lo = 0.0;
    for (std::size_t j = 0; j < hw_.size(); ++j) {
      const double shift = grid_.z[j] * sp + drift_ * d;
      if (b != inf) up += hw_[j] * norm_sf((b * sk - shift) / sd);
      if (a != -inf) lo += hw_[j] * norm_cdf((a * sk - shift) / sd);
    }
    return {up, lo};
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

double lower_of(double c, int sides) { return sides == 2 ? -c : -inf; }

/// Exit probabilities for given critical values.
ExitProbabilities run(const std::vector<double>& t, const std::vector<double>& c, int sides,
                      double drift, int r) {
  ExitProbabilities e;
  Recursion rec(t, drift, r);
  double reach = 1.0;  // probability of reaching look k
  e.expected_information_fraction = 0.0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    const auto [up, lo] = rec.crossing(lower_of(c[k], sides), c[k]);
    e.upper.push_back(up);
    e.lower.push_back(lo);
    e.upper_total += up;
    e.total += up + lo;
    if (k + 1 < t.size()) {
      e.expected_information_fraction += t[k] * (up + lo);
      reach -= up + lo;
      rec.advance(lower_of(c[k], sides), c[k]);
    }
  }
  e.expected_information_fraction += reach * t.back();
  return e;
}

double total_alpha(const std::vector<double>& t, const std::vector<double>& c, int sides, int r) {
  return run(t, c, sides, 0.0, r).total;
}

std::vector<double> fractions_of(const GroupSequentialOptions& o) {
  std::vector<double> t = o.information_fractions;
  if (t.empty()) {
    if (o.looks < 1 || o.looks > 100)
      fail("--looks", "is " + std::to_string(o.looks) + ".",
           "give between 1 and 100 analyses (including the final one).");
    for (int k = 1; k <= o.looks; ++k) t.push_back(static_cast<double>(k) / o.looks);
    return t;
  }
  if (o.looks != 0 && o.looks != static_cast<int>(t.size()))
    fail("--looks",
         "is " + std::to_string(o.looks) + " but " + std::to_string(t.size()) +
             " information fractions are given.",
         "give one information fraction per look, or leave the fractions out.");
  if (t.size() > 100) fail("--information-fractions", "has more than 100 looks.", "use at most 100.");
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (!(t[k] > 0.0 && t[k] <= 1.0) || (k > 0 && !(t[k] > t[k - 1])))
      fail("--information-fractions",
           "must increase strictly within (0, 1]; entry " + std::to_string(k + 1) + " is " +
               num(t[k]) + ".",
           "list the fractions of the final information at each look, e.g. 0.5, 1.");
    if (k > 0 && t[k] - t[k - 1] < 1e-4 - 1e-12)
      fail("--information-fractions",
           "looks " + std::to_string(k) + " and " + std::to_string(k + 1) + " are only " +
               num(t[k] - t[k - 1]) + " of the information apart.",
           "merge looks closer than 0.0001 of the final information.");
  }
  if (std::fabs(t.back() - 1.0) > 1e-9)
    fail("--information-fractions", "ends at " + num(t.back()) + " instead of 1.",
         "the last look is the final analysis at fraction 1.");
  t.back() = 1.0;
  return t;
}

void check_options(const GroupSequentialOptions& o) {
  if (o.sides != 1 && o.sides != 2)
    fail("--sides", "is " + std::to_string(o.sides) + ".", "use 1 or 2.");
  if (!(o.alpha > 0.0 && o.alpha / o.sides <= 0.5))
    fail("--alpha", "is " + num(o.alpha) + "; it must be in (0, " + num(0.5 * o.sides) + "].",
         "give the overall type I error, e.g. 0.025 one-sided or 0.05 two-sided.");
  if (o.grid_r < 8 || o.grid_r > 400)
    fail("--grid-r", "is " + std::to_string(o.grid_r) + ".", "use between 8 and 400 (32 is plenty).");
  if (o.boundary == Boundary::spending && o.spending == Spending::hwang_shih_decani &&
      !std::isfinite(o.hsd_gamma))
    fail("--hsd-gamma", "is not finite.", "give a value such as -4 (O'Brien-Fleming-like).");
  if (o.boundary == Boundary::wang_tsiatis && !(o.wang_tsiatis_delta >= 0.0 && o.wang_tsiatis_delta <= 0.5))
    fail("--wang-tsiatis-delta", "is " + num(o.wang_tsiatis_delta) + ", outside [0, 0.5].",
         "use 0 for O'Brien-Fleming-shaped and 0.5 for Pocock-shaped boundaries.");
  if (o.boundary == Boundary::haybittle_peto &&
      !(o.haybittle_peto_interim > 0.0 && std::isfinite(o.haybittle_peto_interim)))
    fail("--haybittle-peto-interim", "is " + num(o.haybittle_peto_interim) + ".",
         "give a large interim critical value, typically 3.");
}

/// Solves for the constant C of a boundary shape c_k = C * shape_k with overall level alpha.
std::vector<double> constant_boundary(const std::vector<double>& t, const std::vector<double>& shape,
                                      double alpha, int sides, int r) {
  auto bounds = [&](double C) {
    std::vector<double> c(shape.size());
    for (std::size_t k = 0; k < c.size(); ++k) c[k] = C * shape[k];
    return c;
  };
  auto f = [&](double C) { return alpha - total_alpha(t, bounds(C), sides, r); };  // increasing
  // At C = 0 the first look alone rejects with probability >= 1/2 >= alpha per side; widen the
  // upper end until the level drops below alpha.
  double lo = 0.0;
  double f_lo = f(lo);
  double hi = 1.0, f_hi = f(hi);
  while (f_hi < 0.0) {
    lo = hi;
    f_lo = f_hi;
    hi *= 2.0;
    f_hi = f(hi);
    if (hi > 1e3) throw Error(ExitCode::software, "group sequential: no boundary constant found");
  }
  if (f_lo >= 0.0)
    fail("--alpha", "is too large for this boundary shape.", "use a conventional level such as 0.025.");
  return bounds(detail::solve_increasing(f, lo, hi, f_lo, f_hi, 1e-14));
}

}  // namespace

double alpha_spent(Spending spending, double alpha, int sides, double t, double hsd_gamma) {
  if (!(t >= 0.0 && t <= 1.0))
    fail("--information-fractions", "spending is evaluated at " + num(t) + ", outside [0, 1].",
         "use information fractions in (0, 1].");
  if (sides != 1 && sides != 2) fail("--sides", "is " + std::to_string(sides) + ".", "use 1 or 2.");
  if (!(alpha > 0.0 && alpha / sides <= 0.5))
    fail("--alpha", "is " + num(alpha) + "; it must be in (0, " + num(0.5 * sides) + "].",
         "give the overall type I error, e.g. 0.025 one-sided or 0.05 two-sided.");
  if (spending == Spending::hwang_shih_decani && !std::isfinite(hsd_gamma))
    fail("--hsd-gamma", "is not finite.", "give a value such as -4 (O'Brien-Fleming-like).");
  const double a = alpha / sides;
  if (t <= 0.0) return 0.0;
  double side = 0.0;
  switch (spending) {
    case Spending::lan_demets_obrien_fleming:
      side = 2.0 * norm_sf(norm_isf(0.5 * a) / std::sqrt(t));
      break;
    case Spending::lan_demets_pocock:
      side = a * std::log1p((std::exp(1.0) - 1.0) * t);
      break;
    case Spending::hwang_shih_decani:
      side = hsd_gamma == 0.0 ? a * t : a * std::expm1(-hsd_gamma * t) / std::expm1(-hsd_gamma);
      break;
  }
  return std::min(a, side) * sides;
}

GroupSequentialDesign design_group_sequential(const GroupSequentialOptions& o) {
  check_options(o);
  const std::vector<double> t = fractions_of(o);
  const std::size_t K = t.size();
  const int sides = o.sides, r = o.grid_r;
  GroupSequentialDesign d;
  d.information_fractions = t;
  d.alpha = o.alpha;
  d.sides = sides;
  d.grid_r = r;
  const double z_fixed = norm_isf(o.alpha / sides);

  std::vector<double> c(K, z_fixed);
  switch (o.boundary) {
    case Boundary::unadjusted:
      break;
    case Boundary::obrien_fleming:
    case Boundary::pocock:
    case Boundary::wang_tsiatis: {
      const double delta = o.boundary == Boundary::obrien_fleming ? 0.0
                           : o.boundary == Boundary::pocock       ? 0.5
                                                                  : o.wang_tsiatis_delta;
      std::vector<double> shape(K);
      for (std::size_t k = 0; k < K; ++k) shape[k] = std::pow(t[k], delta - 0.5);
      c = constant_boundary(t, shape, o.alpha, sides, r);
      break;
    }
    case Boundary::haybittle_peto:
    case Boundary::spending: {
      // Look by look: choose c_k so that the probability of first crossing at look k equals the
      // alpha allotted to it.
      Recursion rec(t, 0.0, r);
      double spent = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        if (o.boundary == Boundary::haybittle_peto && k + 1 < K) {
          c[k] = o.haybittle_peto_interim;
        } else {
          const double target = o.boundary == Boundary::spending && k + 1 < K
                                    ? alpha_spent(o.spending, o.alpha, sides, t[k], o.hsd_gamma)
                                    : o.alpha;
          const double increment = target - spent;
          if (o.boundary == Boundary::haybittle_peto && !(increment > 0.0))
            fail("--haybittle-peto-interim",
                 "the interim boundaries " + num(o.haybittle_peto_interim) + " already spend " +
                     num(spent) + ", which is not below alpha = " + num(o.alpha) + ".",
                 "use a larger interim critical value, typically 3.");
          auto exit = [&](double b) {
            const auto [up, lo] = rec.crossing(lower_of(b, sides), b);
            return up + lo;
          };
          if (!(increment > 0.0)) {
            c[k] = inf;
          } else {
            auto f = [&](double b) { return increment - exit(b); };  // increasing in b
            double lo = sides == 2 ? 0.0 : -40.0, hi = 40.0;
            const double f_lo = f(lo), f_hi = f(hi);
            if (f_lo >= 0.0)
              fail("--alpha",
                   "cannot spend " + num(increment) + " at look " + std::to_string(k + 1) +
                       ": the whole remaining rejection region holds less.",
                   "use a smaller alpha or a different spending function.");
            // Less than the mass beyond 40 SDs to spend: this look effectively spends nothing.
            c[k] = f_hi <= 0.0 ? inf : detail::solve_increasing(f, lo, hi, f_lo, f_hi, 1e-14);
          }
        }
        const auto [up, lo] = rec.crossing(lower_of(c[k], sides), c[k]);
        spent += up + lo;
        if (k + 1 < K) rec.advance(lower_of(c[k], sides), c[k]);
      }
      break;
    }
  }
  d.critical_values = c;
  const ExitProbabilities e = run(t, c, sides, 0.0, r);
  double cum = 0.0;
  for (std::size_t k = 0; k < K; ++k) {
    cum += e.upper[k] + e.lower[k];
    d.cumulative_alpha.push_back(cum);
    d.nominal_alpha.push_back(c[k] == inf ? 0.0 : sides * norm_sf(c[k]));
  }
  return d;
}

namespace {

/// A design may be built by hand (e.g. custom critical values); check it is usable.
void check_design(const GroupSequentialDesign& d) {
  GroupSequentialOptions o;
  o.information_fractions = d.information_fractions;
  o.alpha = d.alpha;
  o.sides = d.sides;
  o.grid_r = d.grid_r;
  check_options(o);
  if (d.information_fractions.empty())
    fail("--information-fractions", "the design has no looks.", "give at least one look.");
  fractions_of(o);
  if (d.critical_values.size() != d.information_fractions.size())
    fail("--critical-values",
         "has " + std::to_string(d.critical_values.size()) + " entries for " +
             std::to_string(d.information_fractions.size()) + " looks.",
         "give one critical value per look.");
  for (double c : d.critical_values)
    if (std::isnan(c) || (d.sides == 2 && c < 0.0))
      fail("--critical-values", "contains " + num(c) + ".",
           "give critical values on the Z scale (non-negative for two-sided designs).");
}

}  // namespace

ExitProbabilities exit_probabilities(const GroupSequentialDesign& d, double drift) {
  check_design(d);
  if (!std::isfinite(drift)) fail("--drift", "is not finite.", "give the expected final Z statistic.");
  return run(d.information_fractions, d.critical_values, d.sides, drift, d.grid_r);
}

double drift_for_power(const GroupSequentialDesign& d, double power) {
  check_design(d);
  const double alpha_side = d.alpha / d.sides;
  if (!(power > alpha_side && power < 1.0))
    fail("--power", "is " + num(power) + ", outside (" + num(alpha_side) + ", 1).",
         "give a target power such as 0.8 or 0.9.");
  auto f = [&](double drift) {
    return run(d.information_fractions, d.critical_values, d.sides, drift, d.grid_r).upper_total -
           power;
  };
  double lo = 0.0, f_lo = f(lo);
  double hi = norm_isf(alpha_side) + norm_isf(1.0 - power);
  double f_hi = f(hi);
  while (f_hi < 0.0) {
    lo = hi;
    f_lo = f_hi;
    hi *= 1.5;
    if (hi > 100.0) throw Error(ExitCode::software, "drift_for_power: no drift reaches the power");
    f_hi = f(hi);
  }
  if (!(f_lo < 0.0)) throw Error(ExitCode::software, "drift_for_power: power at drift 0 too high");
  return detail::solve_increasing(f, lo, hi, f_lo, f_hi, 1e-12);
}

double inflation_factor(const GroupSequentialDesign& d, double power) {
  const double drift = drift_for_power(d, power);
  const double fixed = norm_isf(d.alpha / d.sides) + norm_isf(1.0 - power);
  return (drift / fixed) * (drift / fixed);
}

double repeated_testing_alpha(int looks, double alpha, int sides, int grid_r) {
  GroupSequentialOptions o;
  o.looks = looks;
  o.alpha = alpha;
  o.sides = sides;
  o.boundary = Boundary::unadjusted;
  o.grid_r = grid_r;
  return design_group_sequential(o).cumulative_alpha.back();
}

}  // namespace celltrial::stats

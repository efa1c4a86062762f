#include "celltrial/analysis/ancova.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Dense>
#include <boost/math/distributions/students_t.hpp>

#include "celltrial/core/error.hpp"

namespace celltrial {

namespace {
constexpr int kMaxCols = 1 + (kMaxArms - 1) + (kGmfcsLevels - 1) + 1;
using SmallMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kMaxCols, kMaxCols>;
using SmallVector = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kMaxCols, 1>;

double t_quantile_upper(double p, std::int64_t df) {
  boost::math::students_t_distribution<double> t(static_cast<double>(df));
  return boost::math::quantile(boost::math::complement(t, p));
}

struct Cell {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
};
}  // namespace

Ancova::Ancova(const Scenario& s, std::vector<double> true_effects)
    : arms_(s.arms.size()),
      control_(s.control_arm()),
      active_(s.active_arms()),
      strata_(std::find(s.analysis.adjust_for.begin(), s.analysis.adjust_for.end(), Covariate::gmfcs) !=
                      s.analysis.adjust_for.end()
                  ? kGmfcsLevels
                  : 1),
      sides_(s.analysis.sides),
      sign_(s.analysis.direction == Direction::greater ? 1.0 : -1.0),
      multiplicity_(s.analysis.multiplicity),
      true_effects_(std::move(true_effects)),
      max_df_(s.design.sample_size) {
  CELLTRIAL_ASSERT(true_effects_.size() == active_.size());
  const std::size_t k = active_.size();
  const double alpha = s.analysis.alpha;
  std::size_t steps = multiplicity_ == Multiplicity::holm ? k : 1;
  crit_.assign(steps, std::vector<double>(static_cast<std::size_t>(max_df_) + 1,
                                          std::numeric_limits<double>::infinity()));
  ci_.assign(static_cast<std::size_t>(max_df_) + 1, std::numeric_limits<double>::infinity());
  // Tables cover the degrees of freedom a trial can plausibly have (from well below the expected
  // number analysed up to N); rarer ones are computed when needed (see critical()).
  const double kept = 1 - s.design.dropout_by_last_visit;
  min_df_ = std::max<std::int64_t>(1, static_cast<std::int64_t>(0.6 * kept * static_cast<double>(max_df_)) - 20);
  tails_.resize(steps);
  for (std::size_t step = 0; step < steps; ++step) {
    double level = alpha;
    if (multiplicity_ == Multiplicity::bonferroni) level = alpha / static_cast<double>(k);
    if (multiplicity_ == Multiplicity::holm) level = alpha / static_cast<double>(k - step);
    tails_[step] = sides_ == 2 ? level / 2 : level;
    for (std::int64_t df = min_df_; df <= max_df_; ++df)
      crit_[step][static_cast<std::size_t>(df)] = t_quantile_upper(tails_[step], df);
  }
  ci_tail_ = (1 - s.analysis.ci_level) / 2;
  for (std::int64_t df = min_df_; df <= max_df_; ++df) ci_[static_cast<std::size_t>(df)] = t_quantile_upper(ci_tail_, df);
}

double Ancova::critical(std::int64_t df, std::size_t step) const {
  return df >= min_df_ ? crit_[step][static_cast<std::size_t>(df)] : t_quantile_upper(tails_[step], df);
}
double Ancova::ci_value(std::int64_t df) const {
  return df >= min_df_ ? ci_[static_cast<std::size_t>(df)] : t_quantile_upper(ci_tail_, df);
}

double Ancova::test_critical(std::int64_t df, std::size_t step) const {
  CELLTRIAL_ASSERT(step < crit_.size() && df >= 1 && df <= max_df_);
  return critical(df, step);
}
double Ancova::ci_critical(std::int64_t df) const {
  CELLTRIAL_ASSERT(df >= 1 && df <= max_df_);
  return ci_value(df);
}

void Ancova::analyse(const TrialData& d, TrialResult& out) const {
  std::array<Cell, kMaxArms * kGmfcsLevels> cells{};
  std::array<std::int64_t, kMaxArms> randomised{};
  const std::size_t n = d.size();
  if (arms_ == 2 && strata_ == 1) {
    // Common case, kept in registers: sums over all analysed children and over arm 1.
    double tn = 0, tx = 0, ty = 0, txx = 0, txy = 0, tyy = 0;
    double an = 0, ax = 0, ay = 0, axx = 0, axy = 0, ayy = 0;
    std::int64_t r1 = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double w = d.observed[j], in1 = d.arm[j];
      r1 += d.arm[j];
      const double x = d.baseline[j] * w, y = d.change[j] * w;
      const double xx = x * x, xy = x * y, yy = y * y;
      tn += w;
      tx += x;
      ty += y;
      txx += xx;
      txy += xy;
      tyy += yy;
      an += in1 * w;
      ax += in1 * x;
      ay += in1 * y;
      axx += in1 * xx;
      axy += in1 * xy;
      ayy += in1 * yy;
    }
    randomised[1] = r1;
    randomised[0] = static_cast<std::int64_t>(n) - r1;
    cells[1] = Cell{an, ax, ay, axx, axy, ayy};
    cells[0] = Cell{tn - an, tx - ax, ty - ay, txx - axx, txy - axy, tyy - ayy};
  } else {
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t a = d.arm[j];
      ++randomised[a];
      if (!d.observed[j]) continue;
      Cell& c = cells[a * strata_ + d.stratum[j]];
      const double x = d.baseline[j], y = d.change[j];
      c.n += 1;
      c.sx += x;
      c.sy += y;
      c.sxx += x * x;
      c.sxy += x * y;
      c.syy += y * y;
    }
  }

  // Totals, arm summaries, and the strata present among analysed children.
  double N = 0, SX = 0, SY = 0;
  std::array<double, kMaxArms> arm_n{}, arm_y{};
  std::array<double, kGmfcsLevels> stratum_n{};
  for (std::size_t a = 0; a < arms_; ++a)
    for (std::size_t s = 0; s < strata_; ++s) {
      const Cell& c = cells[a * strata_ + s];
      N += c.n;
      SX += c.sx;
      SY += c.sy;
      arm_n[a] += c.n;
      arm_y[a] += c.sy;
      stratum_n[s] += c.n;
    }
  out.screened = d.screened;
  for (std::size_t a = 0; a < arms_; ++a) {
    out.randomised[a] = randomised[a];
    out.analysed[a] = static_cast<std::int64_t>(arm_n[a]);
    out.mean_change[a] = arm_n[a] > 0 ? arm_y[a] / arm_n[a] : std::numeric_limits<double>::quiet_NaN();
  }
  for (auto& r : out.comparisons) r = ComparisonResult{};

  // Columns: intercept, one indicator per non-control arm, one per present stratum after the
  // first present one, then the centred baseline.
  std::array<int, kMaxArms> arm_col{};
  std::array<int, kGmfcsLevels> stratum_col{};
  int p = 1;
  for (std::size_t a = 0; a < arms_; ++a) arm_col[a] = a == control_ ? -1 : p++;
  bool first = true;
  for (std::size_t s = 0; s < strata_; ++s) {
    stratum_col[s] = -1;
    if (stratum_n[s] > 0) {
      if (first) first = false;
      else stratum_col[s] = p++;
    }
  }
  const int xcol = p++;
  const std::int64_t df = static_cast<std::int64_t>(N) - p;
  bool arms_present = true;
  for (std::size_t a = 0; a < arms_; ++a) arms_present = arms_present && arm_n[a] > 0;
  if (!arms_present || df < 1) return;

  const double mx = SX / N, my = SY / N;
  SmallMatrix XtX = SmallMatrix::Zero(p, p);
  SmallVector Xty = SmallVector::Zero(p);
  double yty = 0;
  for (std::size_t a = 0; a < arms_; ++a)
    for (std::size_t s = 0; s < strata_; ++s) {
      const Cell& c = cells[a * strata_ + s];
      if (c.n == 0) continue;
      // Centred sums for this cell.
      const double sx = c.sx - c.n * mx, sy = c.sy - c.n * my;
      const double sxx = c.sxx - 2 * mx * c.sx + c.n * mx * mx;
      const double sxy = c.sxy - mx * c.sy - my * c.sx + c.n * mx * my;
      const double syy = c.syy - 2 * my * c.sy + c.n * my * my;
      int cols[3] = {0, arm_col[a], stratum_col[s]};
      for (int u : cols) {
        if (u < 0) continue;
        for (int v : cols)
          if (v >= 0) XtX(u, v) += c.n;
        XtX(u, xcol) += sx;
        XtX(xcol, u) += sx;
        Xty(u) += sy;
      }
      XtX(xcol, xcol) += sxx;
      Xty(xcol) += sxy;
      yty += syy;
    }
  Eigen::LDLT<SmallMatrix> ldlt(XtX);
  if (ldlt.info() != Eigen::Success || !(ldlt.vectorD().minCoeff() > 1e-9 * XtX.diagonal().maxCoeff())) return;
  const SmallVector beta = ldlt.solve(Xty);
  const double rss = std::max(0.0, yty - beta.dot(Xty));
  const double s2 = rss / static_cast<double>(df);

  const std::size_t k = active_.size();
  std::array<double, kMaxArms> strength{};
  for (std::size_t c = 0; c < k; ++c) {
    const int col = arm_col[active_[c]];
    SmallVector e = SmallVector::Zero(p);
    e(col) = 1;
    const double v = ldlt.solve(e)(col);
    ComparisonResult& r = out.comparisons[c];
    r.estimate = beta(col);
    r.se = std::sqrt(s2 * v);
    r.df = df;
    r.estimable = std::isfinite(r.estimate) && std::isfinite(r.se) && r.se > 0;
    if (!r.estimable) continue;
    r.t = r.estimate / r.se;
    r.truth = true_effects_[c] * d.effect_scale[active_[c]];
    r.covered = std::fabs(r.estimate - r.truth) <= ci_value(df) * r.se;
    strength[c] = sides_ == 2 ? std::fabs(r.t) : sign_ * r.t;
  }

  if (multiplicity_ != Multiplicity::holm) {
    const double cv = critical(df, 0);
    for (std::size_t c = 0; c < k; ++c) {
      ComparisonResult& r = out.comparisons[c];
      r.reject = r.estimable && strength[c] > cv;
    }
  } else {
    // Step-down: strongest first; stop at the first non-rejection.
    std::array<std::size_t, kMaxArms> order{};
    for (std::size_t c = 0; c < k; ++c) order[c] = c;
    std::stable_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), [&](std::size_t x, std::size_t y) {
      const bool ex = out.comparisons[x].estimable, ey = out.comparisons[y].estimable;
      if (ex != ey) return ex;
      return strength[x] > strength[y];
    });
    for (std::size_t step = 0; step < k; ++step) {
      ComparisonResult& r = out.comparisons[order[step]];
      if (!r.estimable || !(strength[order[step]] > critical(df, step))) break;
      r.reject = true;
    }
  }
  for (std::size_t c = 0; c < k; ++c) {
    ComparisonResult& r = out.comparisons[c];
    r.reject_favourable = r.reject && sign_ * r.t > 0;
  }
}

}  // namespace celltrial

// Closed-form power and sample size for two-arm comparisons of means.
//
// Notation: n_c, n_a arm sizes; sigma the SD entering the comparison; v = phi_c/n_c + phi_a/n_a
// (phi = 1 except for the MMRM); noncentrality lambda = delta / (sigma sqrt(v)).
//
// Exact ANCOVA power (Test::ancova_exact). With outcome y = a + b'x + delta·T + e,
// e ~ N(0, sigma²), and p baseline covariates x ~ N(mu, Sigma) independent of arm, the OLS
// estimate of delta given the baselines has variance
//   sigma² [ (1/n_c + 1/n_a) + d' W^{-1} d ],
// d = difference of the arm means of x, W = pooled within-arm sums of squares and products.
// Since d ~ N(0, (1/n_c + 1/n_a) Sigma) and W ~ Wishart(Sigma, n − 2) independently, the second
// term relative to the first is T²/(n − 2) with T² Hotelling's statistic, and
//   1 + T²/(n − 2) = 1/(1 − B),   B ~ Beta(p/2, (n − 1 − p)/2)
// (for p = 1: B = Z²/(Z² + χ²_{n−2})). Given the baselines the t statistic is noncentral t with
// df = n − 2 − p and noncentrality lambda0 sqrt(1 − B), lambda0 = delta / (sigma sqrt(1/n_c +
// 1/n_a)). The exact power is therefore E_B[ P_t(df, lambda0 sqrt(1 − B)) ], which does not depend
// on mu or Sigma. We integrate over theta with B = sin²(theta): the weight
// 2 sin^{p−1}(theta) cos^{df}(theta) / Beta(p/2, (n − 1 − p)/2) is a smooth trigonometric
// polynomial, and a fixed 2×30-point Gauss–Legendre rule on [0, theta at the 1 − 1e-16 quantile]
// is accurate to ~1e-12 for any n (checked against adaptive Gauss–Kronrod for n from p + 3 to
// 1e5, p = 1, 2, 3, 5). A fixed rule also keeps the power a smooth function of delta, so the
// assurance integral over a prior converges quickly.
// The t approximation (Test::ancova) is the same with B = 0.
#include "celltrial/stats/power.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "numerics.hpp"
#include "power_detail.hpp"

namespace celltrial::stats {

using detail::diag;
using detail::fail;
using detail::num;

namespace {

constexpr double max_total_n = 1e8;  // solve_n gives up beyond this

bool finite(double x) { return std::isfinite(x); }

bool is_mmrm(Test t) { return t == Test::mmrm || t == Test::mmrm_normal; }
bool is_ancova(Test t) { return t == Test::ancova || t == Test::ancova_exact; }

void check_mmrm(const MmrmSpec& s, std::vector<Diagnostic>& out) {
  const std::size_t J = s.retention_control.size();
  if (J == 0) {
    if (!s.retention_active.empty())
      out.push_back(diag("--retention-control", "retention is given for the active arm only.",
                         "give the control arm's retention too (or neither, for complete data)."));
    return;
  }
  auto check_retention = [&](const std::vector<double>& r, const char* key) {
    for (std::size_t j = 0; j < r.size(); ++j) {
      if (!(r[j] > 0.0 && r[j] <= 1.0)) {
        out.push_back(diag(key,
                           "retention at visit " + std::to_string(j + 1) + " is " + num(r[j]) +
                               ", outside (0, 1].",
                           "give the probability of still being observed at each visit, e.g. "
                           "1, 0.95, 0.9."));
        return;
      }
      if (j > 0 && r[j] > r[j - 1]) {
        out.push_back(diag(key,
                           "retention rises from " + num(r[j - 1]) + " to " + num(r[j]) +
                               " at visit " + std::to_string(j + 1) +
                               "; the Lu-Luo-Chen formula assumes monotone dropout.",
                           "make the retention non-increasing over visits."));
        return;
      }
    }
  };
  check_retention(s.retention_control, "--retention-control");
  if (!s.retention_active.empty()) {
    if (s.retention_active.size() != J)
      out.push_back(diag("--retention-active",
                         "has " + std::to_string(s.retention_active.size()) +
                             " visits but the control arm has " + std::to_string(J) + ".",
                         "give one retention value per visit for both arms."));
    else
      check_retention(s.retention_active, "--retention-active");
  }
  switch (s.correlation) {
    case Correlation::ar1:
      if (!(s.correlation_rho >= 0.0 && s.correlation_rho < 1.0))
        out.push_back(diag("--correlation-rho",
                           "AR(1) correlation is " + num(s.correlation_rho) + ", outside [0, 1).",
                           "give the correlation between consecutive visits, e.g. 0.6."));
      if (!s.visit_times.empty()) {
        if (s.visit_times.size() != J) {
          out.push_back(diag("--visit-times",
                             "has " + std::to_string(s.visit_times.size()) +
                                 " entries but the retention has " + std::to_string(J) + ".",
                             "give one time per post-baseline visit."));
        } else {
          for (std::size_t j = 0; j < J; ++j) {
            if (!finite(s.visit_times[j]) || (j > 0 && !(s.visit_times[j] > s.visit_times[j - 1]))) {
              out.push_back(diag("--visit-times", "visit times are not finite and increasing.",
                                 "list the visit times in increasing order."));
              break;
            }
          }
        }
      }
      break;
    case Correlation::compound_symmetry: {
      const double lo = J > 1 ? -1.0 / static_cast<double>(J - 1) : -1.0;
      if (!(s.correlation_rho > lo && s.correlation_rho < 1.0))
        out.push_back(diag("--correlation-rho",
                           "compound-symmetry correlation " + num(s.correlation_rho) +
                               " is outside (" + num(lo) + ", 1) for " + std::to_string(J) +
                               " visits, so the matrix is not positive definite.",
                           "give a correlation in that range, e.g. 0.5."));
      break;
    }
    case Correlation::unstructured: {
      const auto& m = s.correlation_matrix;
      if (m.size() != J * J) {
        out.push_back(diag("--correlation-matrix",
                           "has " + std::to_string(m.size()) + " entries; " + std::to_string(J) +
                               " visits need " + std::to_string(J * J) + ".",
                           "give the full J×J matrix row by row."));
        break;
      }
      bool ok = true;
      for (std::size_t i = 0; i < J && ok; ++i) {
        if (std::fabs(m[i * J + i] - 1.0) > 1e-12) ok = false;
        for (std::size_t j = 0; j < J && ok; ++j)
          if (!finite(m[i * J + j]) || std::fabs(m[i * J + j] - m[j * J + i]) > 1e-12) ok = false;
      }
      if (!ok) {
        out.push_back(diag("--correlation-matrix",
                           "is not a symmetric matrix with a unit diagonal.",
                           "give a correlation (not covariance) matrix."));
        break;
      }
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> R(
          m.data(), static_cast<Eigen::Index>(J), static_cast<Eigen::Index>(J));
      const Eigen::MatrixXd Rm = R;
      const Eigen::LLT<Eigen::MatrixXd> llt(Rm);
      if (llt.info() != Eigen::Success)
        out.push_back(diag("--correlation-matrix", "is not positive definite.",
                           "check the correlations; an estimated matrix may need smoothing."));
      break;
    }
  }
}

double phi_for(const Eigen::MatrixXd& R, const std::vector<double>& r) {
  const Eigen::Index J = R.rows();
  Eigen::MatrixXd info = Eigen::MatrixXd::Zero(J, J);
  for (Eigen::Index j = 1; j <= J; ++j) {
    const double next = j < J ? r[static_cast<std::size_t>(j)] : 0.0;
    const double w = r[static_cast<std::size_t>(j - 1)] - next;  // share whose last visit is j
    if (w <= 0.0) continue;
    const Eigen::MatrixXd block = R.topLeftCorner(j, j).llt().solve(Eigen::MatrixXd::Identity(j, j));
    info.topLeftCorner(j, j) += w * block;
  }
  const Eigen::VectorXd e_last = Eigen::VectorXd::Unit(J, J - 1);
  const Eigen::VectorXd col = info.llt().solve(e_last);
  return col(J - 1);
}

/// Noncentral t probabilities P(T > c) and P(T < −c).
double nct_upper(double df, double ncp, double c) {
  return boost::math::cdf(boost::math::complement(boost::math::non_central_t(df, ncp), c));
}
double nct_lower(double df, double ncp, double c) {
  return boost::math::cdf(boost::math::non_central_t(df, ncp), -c);
}

double t_power(double df, double ncp, double crit, bool both_tails) {
  double p = nct_upper(df, ncp, crit);
  if (both_tails) p += nct_lower(df, ncp, crit);
  return std::min(1.0, p);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
std::vector<Diagnostic> check_inputs(const PowerInputs& in) {
  std::vector<Diagnostic> out;
  if (!finite(in.delta))
    out.push_back(diag("--delta", "is not a finite number.", "give the true mean difference."));
  if (!(in.sd > 0.0 && finite(in.sd)))
    out.push_back(diag("--sd", "is " + num(in.sd) + "; a standard deviation must be positive.",
                       "give the outcome SD, e.g. 5 GMFM-66 points."));
  if (!(in.alpha > 0.0 && in.alpha < 1.0))
    out.push_back(diag("--alpha", "is " + num(in.alpha) + ", outside (0, 1).",
                       "give the type I error, e.g. 0.05."));
  if (in.sides != 1 && in.sides != 2)
    out.push_back(diag("--sides", "is " + std::to_string(in.sides) + ".", "use 1 or 2."));
  if (!(in.allocation > 0.0 && finite(in.allocation)))
    out.push_back(diag("--allocation",
                       "is " + num(in.allocation) + "; the ratio of active to control must be positive.",
                       "use 1 for equal allocation, 2 for 2:1 active:control."));
  if (!(in.rho > -1.0 && in.rho < 1.0))
    out.push_back(diag("--rho", "is " + num(in.rho) + ", outside (-1, 1).",
                       "give the baseline-outcome correlation, e.g. 0.7."));
  if (!(in.dropout >= 0.0 && in.dropout < 1.0))
    out.push_back(diag("--dropout", "is " + num(in.dropout) + ", outside [0, 1).",
                       "give the fraction of randomised participants without an analysable "
                       "outcome, e.g. 0.1."));
  if (is_ancova(in.test) && in.covariates < 1)
    out.push_back(diag("--covariates", "is " + std::to_string(in.covariates) + ".",
                       "ANCOVA adjusts for at least one baseline covariate; use 1 for baseline "
                       "GMFM-66 alone."));
  if (in.sd_scale == SdScale::residual && !is_ancova(in.test))
    out.push_back(diag("--sd-scale",
                       "a residual SD only makes sense for ANCOVA.",
                       "give the outcome SD, or choose an ANCOVA test."));
  if (is_mmrm(in.test)) {
    if (in.dropout != 0.0)
      out.push_back(diag("--dropout",
                         "is " + num(in.dropout) +
                             " but the MMRM already models dropout through the retention at each "
                             "visit; counting it twice would inflate the sample size.",
                         "set dropout to 0 and describe dropout with the retention vectors."));
    const bool given_c = in.mmrm.phi_control != 0.0, given_a = in.mmrm.phi_active != 0.0;
    if (given_c != given_a)
      out.push_back(diag("--phi", "is given for one arm only.", "give phi for both arms or neither."));
    else if (given_c) {
      if (!(in.mmrm.phi_control >= 1.0 && finite(in.mmrm.phi_control)) ||
          !(in.mmrm.phi_active >= 1.0 && finite(in.mmrm.phi_active)))
        out.push_back(diag("--phi",
                           "is below 1; missing data can only inflate the variance (phi = 1 with "
                           "complete data).",
                           "give phi >= 1, or give retention and correlation instead."));
      if (!in.mmrm.retention_control.empty())
        out.push_back(diag("--phi", "is given together with retention vectors.",
                           "give either phi or retention and correlation, not both."));
    } else {
      check_mmrm(in.mmrm, out);
    }
  }
  return out;
}

std::vector<double> mmrm_correlation_matrix(const MmrmSpec& s) {
  std::vector<Diagnostic> problems;
  check_mmrm(s, problems);
  if (!problems.empty()) throw Error(ExitCode::usage, std::move(problems));
  const std::size_t J = s.retention_control.size();
  std::vector<double> m(J * J, 0.0);
  for (std::size_t i = 0; i < J; ++i) {
    for (std::size_t j = 0; j < J; ++j) {
      double c = 1.0;
      if (i != j) {
        switch (s.correlation) {
          case Correlation::ar1: {
            const double ti = s.visit_times.empty() ? static_cast<double>(i + 1) : s.visit_times[i];
            const double tj = s.visit_times.empty() ? static_cast<double>(j + 1) : s.visit_times[j];
            c = std::pow(s.correlation_rho, std::fabs(ti - tj));
            break;
          }
          case Correlation::compound_symmetry:
            c = s.correlation_rho;
            break;
          case Correlation::unstructured:
            c = s.correlation_matrix.at(i * J + j);
            break;
        }
      }
      m[i * J + j] = c;
    }
  }
  return m;
}

MmrmPhi mmrm_phi(const MmrmSpec& s) {
  if (s.phi_control != 0.0 || s.phi_active != 0.0) {
    if (!(s.phi_control >= 1.0 && s.phi_active >= 1.0 && finite(s.phi_control) &&
          finite(s.phi_active)))
      fail("--phi", "phi must be given for both arms and be >= 1.",
           "give phi >= 1 for both arms, or give retention and correlation instead.");
    return MmrmPhi{s.phi_control, s.phi_active};
  }
  if (s.retention_control.empty()) return MmrmPhi{1.0, 1.0};
  const auto J = static_cast<Eigen::Index>(s.retention_control.size());
  const auto m = mmrm_correlation_matrix(s);
  const Eigen::MatrixXd R =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          m.data(), J, J);
  MmrmPhi phi;
  phi.control = phi_for(R, s.retention_control);
  phi.active = s.retention_active.empty() ? phi.control : phi_for(R, s.retention_active);
  return phi;
}

// ---------------------------------------------------------------------------------------------
namespace detail {

PreparedPower prepare(const PowerInputs& in) {
  auto problems = check_inputs(in);
  if (!problems.empty()) throw Error(ExitCode::usage, std::move(problems));
  PreparedPower p;
  p.test = in.test;
  p.alpha = in.alpha;
  p.sides = in.sides;
  p.both_tails = in.sides == 2 && in.count == Rejection::any_tail;
  p.allocation = in.allocation;
  p.t_based = in.test != Test::normal && in.test != Test::mmrm_normal;
  p.sd_eff = in.sd;
  if (is_ancova(in.test)) {
    p.covariates = in.covariates;
    if (in.sd_scale == SdScale::outcome) p.sd_eff = in.sd * std::sqrt(1.0 - in.rho * in.rho);
  }
  if (is_mmrm(in.test)) {
    const MmrmPhi phi = mmrm_phi(in.mmrm);
    p.phi_control = phi.control;
    p.phi_active = phi.active;
  }
  return p;
}

double residual_df(const PreparedPower& p, double n_total) {
  return n_total - 2.0 - static_cast<double>(p.covariates);
}

void check_arm_sizes(const PreparedPower& p, double n_control, double n_active) {
  if (!(finite(n_control) && finite(n_active)) || n_control + n_active < 2.0)
    fail("--n", "the total sample size " + num(n_control + n_active) + " is below 2.",
         "a two-arm comparison needs at least one participant per arm.");
  if (!(n_control >= 1.0 && n_active >= 1.0))
    fail("--n",
         "the arms would have " + num(n_control) + " (control) and " + num(n_active) +
             " (active) participants; each arm needs at least one.",
         "increase the sample size or bring the allocation ratio closer to 1.");
  if (p.t_based) {
    const double df = residual_df(p, n_control + n_active);
    if (!(df >= 1.0))
      fail("--n",
           "a total of " + num(n_control + n_active) + " leaves " + num(df) +
               " residual degrees of freedom; the t-based tests need at least 1.",
           "use at least " + num(3.0 + p.covariates) + " participants.");
  }
}

double power_prepared(const PreparedPower& p, double delta, double n_c, double n_a) {
  const double v = p.phi_control / n_c + p.phi_active / n_a;
  const double ncp = delta / (p.sd_eff * std::sqrt(v));
  const double tail_alpha = p.alpha / static_cast<double>(p.sides);
  if (!p.t_based) {
    const double z = norm_isf(tail_alpha);
    double pw = norm_sf(z - ncp);
    if (p.both_tails) pw += norm_cdf(-z - ncp);
    return std::min(1.0, pw);
  }
  const double n = n_c + n_a;
  const double df = residual_df(p, n);
  const double crit =
      boost::math::quantile(boost::math::complement(boost::math::students_t(df), tail_alpha));
  if (p.test != Test::ancova_exact) return t_power(df, ncp, crit, p.both_tails);

  // Exact ANCOVA: average over B = sin²(theta), B ~ Beta(p/2, b) (see the file comment).
  const double half_p = 0.5 * static_cast<double>(p.covariates);
  const double b = 0.5 * (n - 1.0 - static_cast<double>(p.covariates));
  const double norm = 2.0 / boost::math::beta(half_p, b);
  // Beyond the 1 − 1e-16 quantile of B the weight is negligible; ending the range there keeps
  // the nodes where the mass is, even for large n.
  const double theta_max = std::asin(std::sqrt(boost::math::ibetac_inv(half_p, b, 1e-16)));
  auto integrand = [&](double theta) {
    const double s = std::sin(theta), c = std::cos(theta);
    const double weight = norm * std::pow(s, p.covariates - 1) * std::pow(c, df);
    return weight == 0.0 ? 0.0 : weight * t_power(df, ncp * c, crit, p.both_tails);
  };
  using Gauss = boost::math::quadrature::gauss<double, 30>;
  const double value = Gauss::integrate(integrand, 0.0, 0.5 * theta_max) +
                       Gauss::integrate(integrand, 0.5 * theta_max, theta_max);
  return std::clamp(value, 0.0, 1.0);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
double power_per_arm(const PowerInputs& inputs, double n_control, double n_active) {
  const auto p = detail::prepare(inputs);
  detail::check_arm_sizes(p, n_control, n_active);
  return detail::power_prepared(p, inputs.delta, n_control, n_active);
}

double power(const PowerInputs& inputs, double n_total) {
  const auto p = detail::prepare(inputs);
  const double R = p.allocation;
  const double n_c = n_total / (1.0 + R), n_a = n_total * R / (1.0 + R);
  detail::check_arm_sizes(p, n_c, n_a);
  return detail::power_prepared(p, inputs.delta, n_c, n_a);
}

namespace {

void check_target(const PowerInputs& in, double target) {
  if (!(target > in.alpha && target < 1.0))
    fail("--power",
         "the target power " + num(target) + " is outside (alpha, 1) = (" + num(in.alpha) + ", 1).",
         "give a target such as 0.8 or 0.9.");
}

/// Smallest continuous total the tests accept: both arms >= 1 and df >= 1.
double min_total(const detail::PreparedPower& p) {
  const double R = p.allocation;
  double lo = std::max(1.0 + R, 1.0 + 1.0 / R);
  if (p.t_based) lo = std::max(lo, 3.0 + static_cast<double>(p.covariates));
  return lo * (1.0 + 1e-12);
}

}  // namespace

SampleSize solve_n(const PowerInputs& inputs, double target_power) {
  const auto p = detail::prepare(inputs);
  check_target(inputs, target_power);
  const double delta = inputs.delta;
  if (delta == 0.0)
    fail("--delta", "no sample size reaches the target power when delta is 0.",
         "give the smallest difference worth detecting (non-zero).");
  if (delta < 0.0 && !p.both_tails)
    fail("--delta",
         "is " + num(delta) +
             ", which favours control; only rejections favouring the active arm count, so no "
             "sample size reaches the target power.",
         "give delta as active minus control with positive values favouring active (flip the "
         "sign for outcomes where lower is better).");

  const double R = p.allocation;
  auto pw = [&](double n) { return detail::power_prepared(p, delta, n / (1.0 + R), n * R / (1.0 + R)); };
  double lo = min_total(p);
  double f_lo = pw(lo) - target_power;
  if (f_lo >= 0.0)
    fail("--delta",
         "even the smallest possible trial (" + num(lo) + " participants) has power " +
             num(f_lo + target_power) + " >= " + num(target_power) + " for delta " + num(delta) +
             " and SD " + num(inputs.sd) + ".",
         "check that delta and sd are in the same units (GMFM-66 points, or delta as a "
         "standardised difference with sd 1).");
  double hi = lo, f_hi = f_lo;
  while (f_hi < 0.0) {
    lo = hi;
    f_lo = f_hi;
    hi = std::min(2.0 * hi, max_total_n);
    f_hi = pw(hi) - target_power;
    if (f_hi < 0.0 && hi >= max_total_n)
      fail("--delta",
           "more than " + num(max_total_n) + " participants would be needed (delta " + num(delta) +
               ", SD " + num(inputs.sd) + ").",
           "check delta and sd; the difference is too small to detect.");
  }
  const double n_exact = detail::solve_increasing([&](double n) { return pw(n) - target_power; },
                                                  lo, hi, f_lo, f_hi);
  if (!(n_exact > 0.0 && finite(n_exact)))
    throw Error(ExitCode::software, "solve_n: root finder returned " + num(n_exact));

  SampleSize s;
  s.n_total_exact = n_exact;
  s.n_per_arm = detail::per_arm(n_exact, R);
  s.achieved_power = detail::power_prepared(p, delta, static_cast<double>(s.n_per_arm[0]),
                                            static_cast<double>(s.n_per_arm[1]));
  // Rounding up both arms can only raise the power; guard against the 1e-9 rounding slack.
  for (int bump = 0; s.achieved_power < target_power; ++bump) {
    if (bump > 100) throw Error(ExitCode::software, "solve_n: rounded design misses the target");
    ++s.n_per_arm[R >= 1.0 ? 1 : 0];
    s.achieved_power = detail::power_prepared(p, delta, static_cast<double>(s.n_per_arm[0]),
                                              static_cast<double>(s.n_per_arm[1]));
  }
  s.n_total = s.n_per_arm[0] + s.n_per_arm[1];
  s.n_per_arm_randomised = detail::randomised(s.n_per_arm, inputs.dropout);
  s.n_total_randomised = s.n_per_arm_randomised[0] + s.n_per_arm_randomised[1];
  return s;
}

double solve_delta(const PowerInputs& inputs, double n_total, double target_power) {
  const auto p = detail::prepare(inputs);
  check_target(inputs, target_power);
  const double R = p.allocation;
  const double n_c = n_total / (1.0 + R), n_a = n_total * R / (1.0 + R);
  detail::check_arm_sizes(p, n_c, n_a);
  auto f = [&](double d) { return detail::power_prepared(p, d, n_c, n_a) - target_power; };
  // Start from the normal-approximation answer and widen until the power reaches the target.
  const double se = p.sd_eff * std::sqrt(p.phi_control / n_c + p.phi_active / n_a);
  double hi = se * (detail::norm_isf(p.alpha / p.sides) + detail::norm_isf(1.0 - target_power));
  double lo = 0.0, f_lo = f(0.0);
  double f_hi = f(hi);
  while (f_hi < 0.0) {
    lo = hi;
    f_lo = f_hi;
    hi *= 2.0;
    if (hi > 1e6 * p.sd_eff)
      fail("--n",
           "no difference up to a million SDs reaches power " + num(target_power) + " with " +
               num(n_total) + " participants.",
           "increase the sample size.");
    f_hi = f(hi);
  }
  if (!(f_lo < 0.0))
    throw Error(ExitCode::software, "solve_delta: power at delta 0 is not below the target");
  return detail::solve_increasing(f, lo, hi, f_lo, f_hi);
}

double lu_luo_chen_total_n(const PowerInputs& inputs, double target_power, LlcQuantiles quantiles) {
  const auto p = detail::prepare(inputs);
  check_target(inputs, target_power);
  if (inputs.delta == 0.0)
    fail("--delta", "no sample size reaches the target power when delta is 0.",
         "give the smallest difference worth detecting (non-zero).");
  const double R = p.allocation;
  const double k = (p.phi_control + p.phi_active / R) * (1.0 + R) * inputs.sd * inputs.sd /
                   (inputs.delta * inputs.delta);
  const double tail_alpha = p.alpha / p.sides;
  const double zq = detail::norm_isf(tail_alpha) + detail::norm_isf(1.0 - target_power);
  const double n_z = k * zq * zq;
  if (quantiles == LlcQuantiles::normal) return n_z;
  const double df = n_z - 2.0;
  if (!(df >= 1.0))
    fail("--delta", "the z-based total " + num(n_z) + " leaves no degrees of freedom for the t version.",
         "use the normal quantiles for such large effects.");
  const boost::math::students_t t(df);
  const double tq = boost::math::quantile(boost::math::complement(t, tail_alpha)) +
                    boost::math::quantile(t, target_power);
  return k * tq * tq;
}

}  // namespace celltrial::stats

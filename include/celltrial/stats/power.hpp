#pragma once
// Closed-form power and sample size for two-arm comparisons of means.
//
// Conventions used throughout celltrial::stats:
// - Two arms, control and active; `allocation` R is the number of active participants per control
//   participant (n_active = R * n_control). Per-arm vectors are ordered {control, active}.
// - `delta` is the true mean difference active − control in outcome units. Positive values favour
//   the active arm (for an outcome where lower is better, flip the sign of delta).
// - `alpha` is the overall type I error; a two-sided test (sides = 2) puts alpha/2 in each tail, a
//   one-sided test (sides = 1) rejects only for large positive differences.
// - Sample sizes are counts of *analysable* participants unless a field says "randomised".
//   `dropout` only converts analysable counts into randomised counts in solve_n(); the MMRM test
//   models missing data itself through per-visit retention (and requires dropout = 0).
//
// Invalid inputs throw celltrial::Error (ExitCode::usage). Each diagnostic names the quantity as
// the command-line option "--<field>" (underscores as hyphens) and says how to fix it; callers that
// read the values from elsewhere can call check_inputs() and re-label the diagnostics.
#include <string>
#include <utility>
#include <vector>

#include "celltrial/core/error.hpp"

namespace celltrial::stats {

/// Which analysis the power refers to.
enum class Test {
  /// Two-sample t-test, exact power from the noncentral t distribution, df = n − 2.
  t_exact,
  /// z-test with known variance (normal approximation), same variance as the t-test.
  normal,
  /// ANCOVA on baseline, t-test approximation: residual SD sd·sqrt(1 − rho²) (Borm et al. 2007),
  /// noncentral t with df = n − 2 − covariates. Ignores the chance imbalance of the baseline
  /// means, so it slightly overstates the power.
  ancova,
  /// ANCOVA, exact power for normally distributed baseline covariates: the noncentral t power
  /// averaged over the distribution of the baseline imbalance (see power.cpp for the derivation).
  ancova_exact,
  /// Mixed model for repeated measures, treatment effect at the last visit (Lu, Luo & Chen 2008):
  /// variance of the estimated difference sd²·(phi_control/n_control + phi_active/n_active), with
  /// phi from retention and correlation (mmrm_phi()); noncentral t with df = n − 2. Here `sd` is
  /// the outcome SD at the last visit and n counts everyone randomised (retention < 1 models the
  /// dropout).
  mmrm,
  /// As `mmrm` but with the normal approximation (Lu, Luo & Chen 2008, formula 3).
  mmrm_normal,
};

/// The names of the tests on the command line (`power --test`), each with its test.
inline constexpr std::pair<const char*, Test> kTestNames[] = {
    {"t", Test::t_exact},   {"normal", Test::normal},     {"z", Test::normal},
    {"ancova", Test::ancova}, {"ancova-exact", Test::ancova_exact}, {"mmrm", Test::mmrm},
    {"mmrm-normal", Test::mmrm_normal}};

/// Which rejections count as success.
enum class Rejection {
  /// Any rejection of the null hypothesis (classical power; what R `pwr` and `power.t.test(...,
  /// strict = TRUE)` report for two-sided tests).
  any_tail,
  /// Only rejections in the favourable direction (active better). Identical to `any_tail` for a
  /// one-sided test. This is the usual textbook sample-size formula (it ignores the far tail) and
  /// the right notion of "success" for assurance.
  favourable_tail,
};

/// What `PowerInputs::sd` means for the ANCOVA tests.
enum class SdScale {
  /// SD of the outcome; ANCOVA uses the residual SD sd·sqrt(1 − rho²).
  outcome,
  /// Residual SD after adjusting for the baseline covariates, given directly (rho is ignored).
  /// Only valid for Test::ancova and Test::ancova_exact.
  residual,
};

/// Correlation structure of the repeated measurements for the MMRM.
enum class Correlation {
  ar1,                ///< corr(i, j) = rho^|t_i − t_j| (t = visit_times, default 1, 2, ..., J)
  compound_symmetry,  ///< corr(i, j) = rho for i != j
  unstructured,       ///< the full matrix `correlation_matrix`
};

/// Missing-data and correlation description for the MMRM (Lu, Luo & Chen 2008). Leaving the
/// retention empty means complete data at a single visit (phi = 1: the MMRM reduces to the t-test).
struct MmrmSpec {
  /// Probability of still being observed at post-baseline visits 1..J in the control arm
  /// (monotone dropout): non-increasing, each in (0, 1], last one > 0. The effect is estimated at
  /// visit J.
  std::vector<double> retention_control;
  /// Same for the active arm; empty means the same as control.
  std::vector<double> retention_active;
  Correlation correlation = Correlation::ar1;
  /// rho for ar1 / compound_symmetry.
  double correlation_rho = 0.0;
  /// Visit times for ar1 (length J, strictly increasing); empty means 1, 2, ..., J.
  std::vector<double> visit_times;
  /// Row-major J×J correlation matrix for Correlation::unstructured (symmetric, unit diagonal,
  /// positive definite).
  std::vector<double> correlation_matrix;
  /// Variance inflation factors given directly (e.g. from an earlier study), >= 1, instead of
  /// retention and correlation; 0 (the default) means compute them with mmrm_phi().
  double phi_control = 0.0;
  double phi_active = 0.0;
};

/// Everything the closed-form power calculation needs apart from the sample size.
struct PowerInputs {
  double delta = 0.0;       ///< true difference active − control (outcome units; > 0 favours active)
  double sd = 1.0;          ///< outcome SD (see sd_scale), common to both arms; > 0
  double alpha = 0.05;      ///< overall type I error, in (0, 1)
  int sides = 2;            ///< 1 or 2
  double allocation = 1.0;  ///< active per control participant, > 0
  double rho = 0.0;         ///< baseline–outcome correlation for ANCOVA (multiple correlation when
                            ///< covariates > 1), in (−1, 1); ignored by the other tests
  SdScale sd_scale = SdScale::outcome;
  int covariates = 1;       ///< ANCOVA: number of baseline covariates adjusted for (>= 1)
  double dropout = 0.0;     ///< fraction of randomised participants not analysable, in [0, 1)
  Test test = Test::t_exact;
  Rejection count = Rejection::any_tail;
  MmrmSpec mmrm;            ///< used by Test::mmrm and Test::mmrm_normal only
};

/// All problems with `inputs` (empty when they are valid). Does not look at delta's size, only at
/// its finiteness, because every delta has a power.
std::vector<Diagnostic> check_inputs(const PowerInputs& inputs);

/// Power with n_total analysable participants split by the allocation ratio
/// (n_control = n_total / (1 + R)). n_total may be fractional (a continuous relaxation used by the
/// solvers); it must be >= 2 and leave at least one residual degree of freedom for the t-based
/// tests. `inputs.dropout` is not applied here.
double power(const PowerInputs& inputs, double n_total);

/// Power for explicit (possibly fractional) arm sizes; `inputs.allocation` is ignored.
double power_per_arm(const PowerInputs& inputs, double n_control, double n_active);

/// Variance inflation factors phi = [I^{-1}]_{JJ} of the MMRM (Lu, Luo & Chen 2008, eq. 2):
/// I = Σ_j (r_j − r_{j+1}) · pad(R_{1:j}^{-1}), r_{J+1} = 0, R the visit correlation matrix and
/// r the retention. phi = 1 with complete data (or empty retention); with independent visits
/// phi = 1 / r_J; correlation with earlier visits recovers part of the lost information. Returns
/// the given phi values when the spec has them. Throws celltrial::Error for an invalid spec.
struct MmrmPhi {
  double control = 1.0;
  double active = 1.0;
};
MmrmPhi mmrm_phi(const MmrmSpec& spec);

/// The J×J correlation matrix (row-major) that `spec` describes. Throws for an invalid spec.
std::vector<double> mmrm_correlation_matrix(const MmrmSpec& spec);

/// Result of solve_n().
struct SampleSize {
  double n_total_exact = 0.0;  ///< continuous solution of power(n) = target (analysable)
  /// {control, active} analysable: n_total_exact split by the allocation ratio and each arm
  /// rounded up separately, so the realised ratio can differ slightly from `allocation`.
  std::vector<long> n_per_arm;
  long n_total = 0;             ///< sum of n_per_arm
  double achieved_power = 0.0;  ///< power with n_per_arm (>= target)
  std::vector<long> n_per_arm_randomised;  ///< n_per_arm / (1 − dropout), each rounded up
  long n_total_randomised = 0;             ///< sum of n_per_arm_randomised
};

/// Smallest sample size with power >= target_power; target in (alpha, 1). Throws celltrial::Error
/// when no sample size reaches the target (delta 0 or in the unfavourable direction, more than
/// 10^8 participants needed) or when even the smallest possible trial exceeds it.
SampleSize solve_n(const PowerInputs& inputs, double target_power);

/// Smallest positive difference detectable with power target_power with n_total analysable
/// participants (inputs.delta is ignored). Returned in outcome units (same units as sd).
double solve_delta(const PowerInputs& inputs, double n_total, double target_power);

/// Quantiles used by lu_luo_chen_total_n().
enum class LlcQuantiles {
  normal,      ///< formula (3) of Lu, Luo & Chen (2008)
  t_one_step,  ///< z quantiles replaced by t quantiles with df = N_z − 2 (their Table 1, "t")
};

/// Total sample size by the published Lu–Luo–Chen formula (as tabulated in their Table 1 and in
/// R longpower), continuous: N = (phi_c + phi_a/R)(1 + R)(q_{1−alpha/sides} + q_{power})² sd²/delta².
/// This is a formula, not the inverse of power(): the one-step t version differs slightly from
/// solve_n() with Test::mmrm (noncentral t), and the z version equals solve_n() with
/// Test::mmrm_normal and Rejection::favourable_tail.
double lu_luo_chen_total_n(const PowerInputs& inputs, double target_power, LlcQuantiles quantiles);

}  // namespace celltrial::stats

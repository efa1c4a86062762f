#pragma once
// Group-sequential boundaries for efficacy stopping: one-sided (reject when Z_k >= c_k) or
// two-sided symmetric (reject when |Z_k| >= c_k), computed by recursive numerical integration
// (Armitage, McPherson & Rowe 1969; the grid and Simpson's rule of Jennison & Turnbull 2000,
// ch. 19).
//
// The statistics Z_1..Z_K at information fractions t_k = I_k / I_K follow the canonical joint
// distribution: Z_k ~ N(drift sqrt(t_k), 1), cov(Z_j, Z_k) = sqrt(t_j / t_k) for j <= k, where
// drift = theta sqrt(I_K) is the expected Z at the final analysis (0 under the null hypothesis).
//
// `alpha` is the overall type I error as in power.hpp: a two-sided design (sides = 2) spends
// alpha/2 on each side (gsDesign's test.type = 2 with its one-sided alpha equal to ours / 2).
#include <vector>

namespace celltrial::stats {

/// How the critical values are chosen.
enum class Boundary {
  /// Classical O'Brien & Fleming (1979): c_k = C / sqrt(t_k), C giving overall level alpha.
  obrien_fleming,
  /// Classical Pocock (1977): c_k = C at every look.
  pocock,
  /// Wang & Tsiatis (1987): c_k = C t_k^(Delta − 1/2); Delta = 0 is O'Brien–Fleming, 1/2 Pocock.
  wang_tsiatis,
  /// Haybittle (1971) / Peto et al. (1976): a fixed value (default 3) at every interim look and the
  /// final value that makes the overall level exactly alpha.
  haybittle_peto,
  /// Lan & DeMets (1983) alpha spending with the chosen spending function: look k spends
  /// alpha(t_k) − alpha(t_{k−1}).
  spending,
  /// No adjustment: the fixed-design critical value at every look. The design's final cumulative
  /// alpha is then the inflated type I error of naive repeated testing.
  unadjusted,
};

/// Alpha-spending functions for Boundary::spending (per side, alpha_s = alpha / sides).
enum class Spending {
  /// Lan–DeMets O'Brien–Fleming-like: 2 (1 − Φ(z_{1−alpha_s/2} / sqrt(t))).
  lan_demets_obrien_fleming,
  /// Lan–DeMets Pocock-like: alpha_s ln(1 + (e − 1) t).
  lan_demets_pocock,
  /// Hwang, Shih & DeCani (1990): alpha_s (1 − e^{−gamma t}) / (1 − e^{−gamma}); gamma = 0 is
  /// linear. gamma = −4 resembles O'Brien–Fleming, gamma = 1 Pocock.
  hwang_shih_decani,
};

struct GroupSequentialOptions {
  /// Information fractions of the looks: strictly increasing, in (0, 1], the last equal to 1.
  /// Empty means `looks` equally spaced looks (k / looks).
  std::vector<double> information_fractions;
  int looks = 0;             ///< number of looks when information_fractions is empty (1..100)
  double alpha = 0.025;      ///< overall type I error
  int sides = 1;             ///< 1 (upper boundary only) or 2 (symmetric)
  Boundary boundary = Boundary::spending;
  Spending spending = Spending::lan_demets_obrien_fleming;
  double hsd_gamma = -4.0;              ///< gamma for Spending::hwang_shih_decani
  double wang_tsiatis_delta = 0.25;     ///< Delta for Boundary::wang_tsiatis, in [0, 0.5]
  double haybittle_peto_interim = 3.0;  ///< interim critical value for Boundary::haybittle_peto
  /// Grid size parameter r of Jennison & Turnbull (about 12 r points per look). 32 gives critical
  /// values to about 1e-8; 16 to about 1e-6.
  int grid_r = 32;
};

struct GroupSequentialDesign {
  std::vector<double> information_fractions;
  /// Critical values on the Z scale (+infinity when a look spends nothing).
  std::vector<double> critical_values;
  /// Nominal significance level of each look on its own: sides × (1 − Φ(c_k)).
  std::vector<double> nominal_alpha;
  /// Probability under the null hypothesis of rejecting at or before look k (both sides).
  std::vector<double> cumulative_alpha;
  double alpha = 0.025;
  int sides = 1;
  int grid_r = 32;
};

/// Computes the boundaries. Throws celltrial::Error for invalid options.
GroupSequentialDesign design_group_sequential(const GroupSequentialOptions& options);

/// Cumulative alpha spent (both sides together) at information fraction t in [0, 1].
double alpha_spent(Spending spending, double alpha, int sides, double t, double hsd_gamma = -4.0);

/// Probabilities of stopping at each look when the expected final Z is `drift`.
struct ExitProbabilities {
  std::vector<double> upper;  ///< P(stop at look k with Z_k >= c_k)
  std::vector<double> lower;  ///< P(stop at look k with Z_k <= −c_k); zeros when one-sided
  double upper_total = 0.0;   ///< power in the favourable direction
  double total = 0.0;         ///< probability of stopping for efficacy at any look, either side
  /// Expected information at stopping as a fraction of the maximum (expected sample size / N_max).
  double expected_information_fraction = 1.0;
};
ExitProbabilities exit_probabilities(const GroupSequentialDesign& design, double drift);

/// Drift (expected final Z) at which the upper boundary is crossed with probability `power`.
double drift_for_power(const GroupSequentialDesign& design, double power);

/// Maximum-information (sample size) inflation factor relative to the fixed design with the same
/// alpha, sides and power: (drift_for_power / (z_{1−alpha/sides} + z_power))². Only upper-side
/// crossings count as power.
double inflation_factor(const GroupSequentialDesign& design, double power);

/// Overall type I error when each of `looks` equally spaced analyses is tested at the unadjusted
/// level alpha (per the sides convention above).
double repeated_testing_alpha(int looks, double alpha, int sides = 1, int grid_r = 32);

}  // namespace celltrial::stats

#pragma once
// Group-sequential boundaries for efficacy stopping: one-sided (reject when Z_k >= c_k) or
// two-sided symmetric (reject when |Z_k| >= c_k), with optional futility bounds from a beta-spending
// function (one-sided: stop for futility when Z_k <= f_k), computed by recursive numerical
// integration (Armitage, McPherson & Rowe 1969; the grid and Simpson's rule of Jennison & Turnbull
// 2000, ch. 19).
//
// The statistics Z_1..Z_K at information fractions t_k = I_k / I_K follow the canonical joint
// distribution: Z_k ~ N(drift sqrt(t_k), 1), cov(Z_j, Z_k) = sqrt(t_j / t_k) for j <= k, where
// drift = theta sqrt(I_K) is the expected Z at the final analysis (0 under the null hypothesis).
//
// `alpha` is the overall type I error as in power.hpp: a two-sided design (sides = 2) spends
// alpha/2 on each side (gsDesign's test.type = 2 with its one-sided alpha equal to ours / 2).
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
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
  /// Kim & DeMets (1987) power family: alpha_s t^rho; rho = 1 is linear, rho = 3 resembles
  /// O'Brien–Fleming (rpact's typeOfDesign "asKD" with gammaA = rho).
  kim_demets,
};

/// Futility stopping (Boundary::spending, one-sided designs): bounds f_k from a beta-spending
/// function, found jointly with the efficacy bounds as in rpact's getDesignGroupSequential(...,
/// typeBetaSpending): at the drift where the bounds are derived, the probability of stopping for
/// futility by look k is beta(t_k), and the drift is chosen so that the last futility bound meets
/// the last critical value (so the power there is exactly 1 − beta).
enum class Futility {
  none,
  /// The efficacy bounds ignore the futility bounds (the type I error holds whether or not a
  /// futility stop is obeyed).
  non_binding,
  /// The efficacy bounds are computed with the futility bounds as lower boundaries under the null
  /// hypothesis (the type I error holds only if every futility stop is obeyed; the bounds are lower).
  binding,
};

/// The one parameter of a family (its meaning, default and allowed closed range). `name` is
/// nullptr when the family takes none.
struct FamilyParameter {
  const char* name = nullptr;
  double default_value = 0.0;
  double min = 0.0;
  double max = 0.0;
};

/// A named family of boundaries or spending functions: its name on the command line and in JSON,
/// its kind, and its parameter.
template <class Kind>
struct Family {
  const char* name;
  Kind kind;
  FamilyParameter parameter;
};

/// Spending functions. The parameter ranges are rpact's (gammaA/gammaB: [-10, 5] for HSD,
/// [0.4, 8] for Kim–DeMets). rpact has no default for Kim–DeMets' rho; 3 is the
/// O'Brien–Fleming-like choice of Jennison & Turnbull (2000, §7.3).
using SpendingFamily = Family<Spending>;
inline constexpr std::array<SpendingFamily, 4> kSpendingFamilies{{
    {"obrien-fleming", Spending::lan_demets_obrien_fleming, {}},
    {"pocock", Spending::lan_demets_pocock, {}},
    {"hsd", Spending::hwang_shih_decani, {"gamma", -4.0, -10.0, 5.0}},
    {"kim-demets", Spending::kim_demets, {"rho", 3.0, 0.4, 8.0}},
}};

/// The boundary families that are not spending functions. A spending boundary is named
/// kSpendingPrefix + its spending family's name ("spending-hsd").
using ClassicalFamily = Family<Boundary>;
inline constexpr std::array<ClassicalFamily, 4> kClassicalFamilies{{
    {"obrien-fleming", Boundary::obrien_fleming, {}},
    {"pocock", Boundary::pocock, {}},
    {"wang-tsiatis", Boundary::wang_tsiatis, {"Delta", 0.25, 0.0, 0.5}},
    {"haybittle-peto", Boundary::haybittle_peto,
     {"interim critical value", 3.0, 1.0, std::numeric_limits<double>::infinity()}},
}};
inline constexpr std::string_view kSpendingPrefix = "spending-";

/// The parameter of a spending function or of a classical family.
template <class Kind, std::size_t N>
constexpr const FamilyParameter& parameter_in(const std::array<Family<Kind>, N>& families, Kind kind) {
  for (const auto& f : families)
    if (f.kind == kind) return f.parameter;
  return families[0].parameter;
}
constexpr const FamilyParameter& parameter_of(Spending s) { return parameter_in(kSpendingFamilies, s); }
constexpr const FamilyParameter& parameter_of(Boundary b) { return parameter_in(kClassicalFamilies, b); }

/// Every boundary name, classical families first, then "spending-" + each spending family.
std::vector<std::string> boundary_names();
/// Every spending family's name (for futility: the beta-spending function).
std::vector<std::string> spending_names();

/// Whose parameter: the efficacy boundary's (--parameter) or the beta-spending function's
/// (--beta-parameter).
enum class ParameterOf { boundary, beta_spending };
/// The families that take a parameter, with its name, default and range, for help texts and
/// messages: "wang-tsiatis (Delta, default 0.25, in [0, 0.5]), ...".
std::string parameter_summary(ParameterOf which);

struct GroupSequentialOptions {
  /// Information fractions of the looks: strictly increasing, in (0, 1], the last equal to 1.
  /// Empty means `looks` equally spaced looks (k / looks).
  std::vector<double> information_fractions;
  int looks = 0;             ///< number of looks when information_fractions is empty (1..100)
  double alpha = 0.025;      ///< overall type I error
  int sides = 1;             ///< 1 (upper boundary only) or 2 (symmetric)
  Boundary boundary = Boundary::spending;
  Spending spending = Spending::lan_demets_obrien_fleming;
  /// The families' parameters (ranges and defaults in kSpendingFamilies and kClassicalFamilies).
  double hsd_gamma = parameter_of(Spending::hwang_shih_decani).default_value;  ///< −4
  double kd_rho = parameter_of(Spending::kim_demets).default_value;            ///< 3
  double wang_tsiatis_delta = parameter_of(Boundary::wang_tsiatis).default_value;        ///< 0.25
  double haybittle_peto_interim = parameter_of(Boundary::haybittle_peto).default_value;  ///< 3
  /// Futility bounds by beta spending (Boundary::spending and sides = 1 only).
  Futility futility = Futility::none;
  Spending beta_spending = Spending::lan_demets_obrien_fleming;
  /// gamma or rho of beta_spending (rpact's gammaB); NaN means the family's default.
  double beta_parameter = std::numeric_limits<double>::quiet_NaN();
  double beta = 0.2;  ///< type II error at the drift the futility bounds are derived for, in (0, 0.5)
  /// Beta spending for a given drift (the expected final Z under the planned effect) instead of a
  /// given beta: beta is then solved, in (0, 0.5), so that the power at this drift is exactly
  /// 1 − beta (the design of rpact's getDesignGroupSequential(beta = ...) whose
  /// getSampleSizeMeans for the planned effect is the trial's maximum N). NaN: `beta` is given.
  double futility_drift = std::numeric_limits<double>::quiet_NaN();
  /// Binding futility bounds given on the Z scale (Futility::none, one-sided designs): one per
  /// interim look (looks − 1 entries; −infinity for a look without a futility stop). The efficacy
  /// bounds of every family are computed with them as lower boundaries under the null hypothesis
  /// (rpact's futilityBounds with bindingFutility = TRUE); the design's futility is then binding.
  std::vector<double> binding_futility_bounds;
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
  /// Probability under the null hypothesis of rejecting at or before look k (both sides). With
  /// non-binding futility bounds the futility stops are ignored (the alpha the design spends); with
  /// binding ones they are obeyed.
  std::vector<double> cumulative_alpha;
  double alpha = 0.025;
  int sides = 1;
  int grid_r = 32;
  Futility futility = Futility::none;
  /// Futility bounds per look (stop when Z_k <= f_k), the last equal to the last critical value;
  /// empty without futility.
  std::vector<double> futility_bounds;
  /// With futility: the drift at which the bounds were derived (power exactly 1 − beta there),
  /// the probability there of stopping for futility at or before look k (the beta spent), and beta.
  double drift = 0.0;
  std::vector<double> cumulative_beta;
  double beta = 0.0;
};

/// Computes the boundaries. Throws celltrial::Error for invalid options.
GroupSequentialDesign design_group_sequential(const GroupSequentialOptions& options);
/// design_group_sequential(options).critical_values alone (the same computation, so the same
/// bits), skipping the nominal and cumulative alpha where the family allows (alpha spending without
/// futility bounds): for callers that recompute bounds often, e.g. at the observed information
/// fractions of looks at calendar months.
std::vector<double> critical_values(const GroupSequentialOptions& options);

/// Cumulative alpha spent (both sides together) at information fraction t in [0, 1]. `parameter`
/// is gamma (Hwang–Shih–DeCani) or rho (Kim–DeMets); NaN means the family's default.
double alpha_spent(Spending spending, double alpha, int sides, double t,
                   double parameter = std::numeric_limits<double>::quiet_NaN());

/// Probabilities of stopping at each look when the expected final Z is `drift`. Futility bounds,
/// binding or not, are obeyed.
struct ExitProbabilities {
  std::vector<double> upper;  ///< P(stop at look k with Z_k >= c_k)
  std::vector<double> lower;  ///< P(stop at look k with Z_k <= −c_k); zeros when one-sided
  /// P(stop for futility at look k: Z_k <= f_k); at the last look, not rejecting. Zeros without
  /// futility bounds.
  std::vector<double> futility;
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

/// A design as the command line describes it: families by name (kClassicalFamilies, "spending-" +
/// kSpendingFamilies), each parameter optional (the family's default when absent).
struct BoundariesOptions {
  int looks = 0;  ///< number of looks (0: as many as information fractions)
  std::vector<double> information_fractions;  ///< empty: equally spaced
  std::string boundary;                       ///< a name from boundary_names()
  std::optional<double> parameter;            ///< the boundary family's parameter
  double alpha = 0.025;                       ///< overall type I error, in (0, 0.5)
  int sides = 1;
  std::string beta_spending;  ///< empty: no futility bounds; else a name from spending_names()
  std::optional<double> beta_parameter;  ///< the beta-spending family's parameter
  std::optional<double> beta;            ///< type II error for the futility bounds (default 0.2)
  bool binding = false;                  ///< binding futility bounds
  /// Beta spending at this drift (beta solved; GroupSequentialOptions::futility_drift); not with beta.
  std::optional<double> drift;
  /// Binding futility bounds given on the Z scale, one per interim look (without beta spending).
  std::vector<double> binding_futility_bounds;
};

/// A computed design with the names and parameter values it was computed with (defaults filled in).
struct Boundaries {
  std::string boundary;
  std::optional<double> parameter;  ///< none when the family takes none
  std::string beta_spending;        ///< empty without futility
  std::optional<double> beta_parameter;
  GroupSequentialDesign design;
};

/// Resolves the names and checks every option (usage errors name the option: --boundary,
/// --parameter, --beta-spending, --beta-parameter, --beta, --binding, --looks, --information,
/// --alpha, --sides).
GroupSequentialOptions group_sequential_options(const BoundariesOptions& options);

/// Computes the design that `options` describe.
Boundaries compute_boundaries(const BoundariesOptions& options);

/// Overall type I error when each of `looks` equally spaced analyses is tested at the unadjusted
/// level alpha (per the sides convention above).
double repeated_testing_alpha(int looks, double alpha, int sides = 1, int grid_r = 32);

}  // namespace celltrial::stats

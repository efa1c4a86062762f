#pragma once
// Assurance (probability of success): the power of a design averaged over a prior on the true
// effect (O'Hagan, Stevens & Campbell 2005), for any closed-form test of power.hpp.
//
// Example: the IPDMA 12-month estimate 1.42 GMFM-66 points, 95% CI 0.31 to 2.52, gives the prior
// Normal(1.42, 0.56²) with SE = (2.52 − 0.31) / 3.92.
#include <limits>
#include <vector>

#include "celltrial/stats/power.hpp"

namespace celltrial::stats {

enum class PriorKind { normal, truncated_normal, discrete };

/// Prior distribution of the true difference delta (active − control, outcome units).
/// Build one with the factory functions.
struct Prior {
  PriorKind kind = PriorKind::normal;
  double mean = 0.0;  ///< normal / truncated_normal: mean of the (untruncated) normal
  double sd = 0.0;    ///< its SD; 0 means a point mass at `mean`
  double lower = -std::numeric_limits<double>::infinity();  ///< truncation limits (truncated_normal)
  double upper = std::numeric_limits<double>::infinity();
  std::vector<double> values;   ///< discrete: support points
  std::vector<double> weights;  ///< discrete: probabilities, >= 0, summing to 1 (within 1e-6)

  static Prior normal(double mean, double sd);
  /// Normal(mean, sd²) restricted to [lower, upper] and renormalised (either limit may be
  /// infinite).
  static Prior truncated_normal(double mean, double sd, double lower, double upper);
  static Prior discrete(std::vector<double> values, std::vector<double> weights);
};

/// A prior as written on the command line: "normal(m,s)", "truncnormal(m,s,lo,hi)" (a limit may
/// be inf or -inf) or "discrete(v:w,v:w,...)". Throws Error(ExitCode::usage) naming `option`, the
/// problem and the fix.
Prior parse_prior(const std::string& text, const std::string& option = "--prior");

/// Assurance = E_prior[ power(delta) ] with n_total analysable participants. `inputs.delta` is
/// ignored. Which rejections count follows `inputs.count`: set Rejection::favourable_tail so that
/// only significant results favouring the active arm count as success (recommended; with
/// Rejection::any_tail a two-sided test also "succeeds" when it finds harm). Continuous priors are
/// integrated by adaptive Gauss–Kronrod quadrature (relative accuracy about 1e-10), discrete ones
/// summed. Throws celltrial::Error for invalid inputs or priors.
double assurance(const PowerInputs& inputs, double n_total, const Prior& prior);

/// Prior probability that the effect favours the active arm, P(delta > 0): the limit of the
/// assurance (favourable tail) as the sample size grows.
double prior_probability_favourable(const Prior& prior);

}  // namespace celltrial::stats

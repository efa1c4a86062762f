#pragma once
// The pieces the typed characteristics are built from: a proportion of the simulated trials, a
// per-trial mean and what the estimates of an effect did (their summary.json keys declared once in
// fields(), design/json_fields.hpp).
#include <cstdint>
#include <string>

#include "celltrial/core/estimate.hpp"
#include "celltrial/core/exact_sum.hpp"
#include "celltrial/design/json_fields.hpp"

namespace celltrial {

/// A proportion of trials: x of n, its binomial MC SE and Wilson 95 % interval.
struct Share {
  Estimate estimate;
  double ci95_low = 0, ci95_high = 0;
  std::uint64_t count = 0, of = 0;
  std::string meaning;  ///< what the share counts ("" when the block's name says it)
};
/// {estimate, mc_se, ci95, count, of, meaning (when not empty)}
template <class V>
void fields(Share& x, V&& v) {
  v("estimate", x.estimate, "mc_se");
  v.interval("ci95", x.ci95_low, x.ci95_high);
  v("count", x.count);
  v("of", x.of);
  v.omit_empty("meaning", x.meaning);
}
Share share(std::uint64_t x, std::uint64_t n);

/// A per-trial mean over the trials that have it: {mean, mc_se, trials} (NaN mean without such
/// trials, NaN MC SE with fewer than two).
struct TrialMean {
  Estimate mean;
  std::uint64_t trials = 0;
};
template <class V>
void fields(TrialMean& x, V&& v) {
  v("mean", x.mean, "mc_se");
  v("trials", x.trials);
}
TrialMean trial_mean(const ExactMoments& m);

/// What the per-trial estimates of an effect did against the true effect.
struct EffectEstimate {
  Estimate mean;           ///< the estimates' mean
  Estimate truth;          ///< the true value (mean over the prior's draws, or the model's)
  std::string true_source;
  Estimate bias;           ///< mean error, SE including the truth's
  Estimate empirical_se;   ///< SD of the estimates
  Estimate model_se;       ///< mean of the analyses' SEs
  Estimate rmse;
  Estimate coverage;       ///< share of CIs covering the truth (SE null without estimable trials)
  double ci_level = 0.95;
  std::uint64_t estimable_trials = 0;
  std::string true_includes;  ///< what the truth includes beyond the effect ("" when nothing)
  std::string true_excludes;
};
/// {mean, mc_se, true, true_mc_se, true_source, bias, bias_mc_se, empirical_se, ..., ci_level,
/// estimable_trials, true_includes and true_excludes (when not empty)}
template <class V>
void fields(EffectEstimate& x, V&& v) {
  v("mean", x.mean, "mc_se");
  v("true", x.truth);
  v("true_source", x.true_source);
  v("bias", x.bias);
  v("empirical_se", x.empirical_se);
  v("model_se", x.model_se);
  v("rmse", x.rmse);
  v("coverage", x.coverage);
  v("ci_level", x.ci_level);
  v("estimable_trials", x.estimable_trials);
  v.omit_empty("true_includes", x.true_includes);
  v.omit_empty("true_excludes", x.true_excludes);
}

}  // namespace celltrial

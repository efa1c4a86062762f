#pragma once
// A proportion of the simulated trials and a per-trial mean, as the typed characteristics give
// them (their summary.json keys declared once in fields(), design/json_fields.hpp).
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

}  // namespace celltrial

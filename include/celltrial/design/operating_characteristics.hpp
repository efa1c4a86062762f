#pragma once
// Typed operating characteristics: each simulated quantity as an Estimate{value, mc_se} (or a
// Share, a proportion of the trials with its interval and counts), declared once here and
// written into summary.json by to_json (summary.cpp builds its per-comparison blocks from them).
// Non-finite values (nothing to estimate) are null in JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/core/estimate.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct Truth;

/// A proportion of trials: x of n, its binomial MC SE and Wilson 95 % interval.
struct Share {
  Estimate estimate;
  double ci95_low = 0, ci95_high = 0;
  std::uint64_t count = 0, of = 0;
};
Share share(std::uint64_t x, std::uint64_t n);

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
EffectEstimate effect_estimate(const ComparisonAccumulator& a, double truth_value, double truth_se, bool with_prior,
                               const char* true_source, double ci_level);

/// One active arm against control at the primary visit.
struct ComparisonCharacteristics {
  std::string arm, label;
  Share power;             ///< rejection (any direction, adjusted for multiplicity)
  Share power_favourable;  ///< rejection in the favourable direction
  Share power_unadjusted;  ///< favourable and significant at alpha without multiplicity adjustment
  EffectEstimate estimate;
  std::optional<Share> assurance;  ///< with an effect prior: favourable rejection over the prior
  Share safety;                    ///< active - control SAE proportion above the threshold
  double safety_threshold = 0;
};

struct OperatingCharacteristics {
  std::uint64_t trials = 0;
  std::uint64_t seed = 0;
  std::vector<ComparisonCharacteristics> comparisons;  ///< one per active arm, in scenario order
};

OperatingCharacteristics operating_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth);
ComparisonCharacteristics comparison_characteristics(const Scenario& s, const Accumulator& acc, std::size_t c,
                                                     std::size_t arm, const Truth& truth);

/// A number as summary.json writes it: null when not finite (nothing to estimate).
nlohmann::json json_number(double x);

/// summary.json's blocks: a share is {estimate, mc_se, ci95, count, of}; an effect estimate
/// {mean, mc_se, true, true_mc_se, true_source, bias, bias_mc_se, empirical_se, ...}; a comparison
/// {arm, label, power (with favourable), power_unadjusted, estimate, assurance, safety}.
nlohmann::json to_json(const Share& x);
nlohmann::json to_json(const EffectEstimate& e);
nlohmann::json to_json(const ComparisonCharacteristics& c);

}  // namespace celltrial

#pragma once
// Streaming, mergeable Monte Carlo accumulators. All sums are exact (core/exact_sum.hpp), so the
// result is the same to the bit for any split of the trials into threads, shards or ranks, merged
// in any order. Memory does not grow with the number of trials.
#include <array>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/core/exact_sum.hpp"
#include "celltrial/core/histogram.hpp"

namespace celltrial {

struct ComparisonAccumulator {
  std::uint64_t estimable = 0;
  std::uint64_t rejections = 0;
  std::uint64_t rejections_favourable = 0;
  std::uint64_t covered = 0;
  ExactMoments estimate;       ///< per-trial estimates
  ExactMoments se;             ///< per-trial model standard errors
  ExactMoments error;          ///< estimate - truth, for bias
  ExactMoments truth;          ///< per-trial true effect (constant without a prior)
  ExactMoments squared_error;  ///< (estimate - truth)^2, for RMSE and its MC error
  std::uint64_t sae_difference_exceeds = 0;
  std::uint64_t rejections_unadjusted_favourable = 0;
  bool operator==(const ComparisonAccumulator&) const = default;
};

struct SubgroupAccumulator {
  ComparisonAccumulator inside, outside;
  std::uint64_t interaction_estimable = 0;
  std::uint64_t interaction_rejections = 0;
  ExactMoments interaction;  ///< per-trial interaction estimates (inside - outside)
  ExactMoments interaction_se;
  ExactMoments analysed;     ///< analysed children in the subgroup, per trial
  std::uint64_t empty = 0;   ///< trials with no analysed child in the subgroup
  bool operator==(const SubgroupAccumulator&) const = default;
};

struct ArmAccumulator {
  ExactMoments randomised;
  ExactMoments analysed;
  ExactMoments mean_change;  ///< trials where the arm had analysed children
  ExactMoments sae;          ///< children with an SAE, per trial
  ExactMoments infusion;     ///< children with an infusion reaction, per trial
  ExactMoments mean_dose;    ///< per-trial mean dose (report units), arms with a product
  bool operator==(const ArmAccumulator&) const = default;
};

/// A per-trial quantity whose distribution is reported: its moments and its quantiles.
struct DistributionAccumulator {
  ExactMoments moments;
  QuantileHistogram histogram;
  /// False (and nothing counted) when x is beyond what the moments hold exactly, or negative.
  bool add(double x) {
    if (!(x >= 0) || !moments.add(x)) return false;
    histogram.add(x);
    return true;
  }
  void merge(const DistributionAccumulator& o) {
    moments.merge(o.moments);
    histogram.merge(o.histogram);
  }
  bool operator==(const DistributionAccumulator&) const = default;
};

/// Trials followed over every visit (FollowUpResult): per visit and arm the share assessed, the
/// mean change of the assessed and of all; per arm the shares who dropped out and had an
/// intercurrent event; the delayed-treatment comparison. Empty (visits 0) otherwise.
struct FollowUpAccumulator {
  std::size_t visits = 0, arms = 0;
  std::vector<ExactMoments> observed_share, mean_observed, mean_all;  ///< [v * arms + a]
  std::vector<ExactMoments> dropped_share, event_share;               ///< [a]
  bool delayed = false;
  std::uint64_t delayed_estimable = 0, delayed_rejections = 0;
  ExactMoments delayed_estimate, delayed_se, delayed_gain, early_gain;
  FollowUpAccumulator() = default;
  FollowUpAccumulator(std::size_t visits, std::size_t arms, bool delayed);
  /// Returns the number of values beyond what the moments hold exactly (not counted).
  std::uint64_t add(const FollowUpResult& r);
  void merge(const FollowUpAccumulator& o);
  nlohmann::json state() const;
  static FollowUpAccumulator from_state(const nlohmann::json& j);
  bool operator==(const FollowUpAccumulator&) const = default;
};

/// Group-sequential trials (design.interims): per analysis (the interim looks, then the final one)
/// the trials that crossed the efficacy boundary in the direction of benefit and against it, per
/// look the futility stops and the look's month, the children randomised, and the decision
/// analysis's estimate (the naive estimate at stopping). Empty (looks 0) without interims.
struct InterimAccumulator {
  std::size_t looks = 0;
  std::vector<std::uint64_t> efficacy, harm;  ///< [looks + 1]
  std::vector<std::uint64_t> futility;        ///< [looks]
  std::vector<ExactMoments> look_month;       ///< [looks]: trials that reached the look
  /// Looks at calendar months (design.interims.months): per look the trials that held it (reached
  /// it with children at their primary visit above the previous look's and below the sample size)
  /// and their observed information fractions.
  bool calendar = false;
  std::vector<std::uint64_t> held;            ///< [looks] when calendar
  std::vector<ExactMoments> information;      ///< [looks] when calendar
  DistributionAccumulator sample_size;        ///< children randomised per trial
  ComparisonAccumulator at_stopping;
  /// The stage-wise ordering's median-unbiased estimate at stopping (InterimResult::adjusted), for
  /// plain group-sequential designs (scenario/interims.hpp: stagewise_ordering_applies).
  bool adjusted = false;
  ComparisonAccumulator at_stopping_adjusted;
  /// Of the trials with an adjusted estimate: those whose naive and whose adjusted estimate is at or
  /// below the true effect (a median-unbiased estimate: half of them).
  std::uint64_t naive_below = 0, adjusted_below = 0;
  /// [looks + 1]: the Z statistic of each analysis made (the trials that reached it, Z estimable),
  /// the one compared with that analysis's bound.
  std::vector<FixedWidthHistogram> z;
  /// Sample-size re-estimation (design.interims.sample_size_reestimation): trials per zone
  /// (InterimResult::Zone order: none, unfavourable, promising, favourable), trials whose N was
  /// decided at the last look, increased, the total N of those increased, the conditional power at
  /// the planned N of those decided, and the naive test's rejections in the direction of benefit.
  bool reestimation = false;
  std::array<std::uint64_t, 4> zone{};
  std::uint64_t decided = 0, increased = 0, naive_efficacy = 0;
  ExactMoments increased_n, conditional_power;
  std::int64_t max_n = 0;       ///< the largest N randomised (exact; merged by max)
  double max_duration = 0;      ///< the longest duration to the decision, months (merged by max)
  /// Adaptive enrichment (design.interims.enrichment): trials per selection (EnrichmentResult::
  /// Selection order: none, full, subgroup, futility, efficacy), and per selection the claims in
  /// everyone and in the subgroup by the closed test and by the naive tests; per selection the
  /// children screened and the months to the decision.
  bool enrichment = false;
  std::array<std::uint64_t, 5> selection{};
  std::array<std::uint64_t, 5> claim_full{}, claim_subgroup{}, claim_both{};
  std::array<std::uint64_t, 5> naive_full{}, naive_subgroup{}, naive_any{};
  std::array<ExactMoments, 5> screened, duration;
  /// Arm selection (design.interims.arm_selection) among `selection_arms` active arms (0: none):
  /// trials per outcome (ArmSelectionResult::Outcome order: none, continued, futility, efficacy), per
  /// set of arms kept (bit mask; the trials that went on), and per arm the trials that kept it,
  /// claimed it (at the look, and in all) and claimed it by the naive tests; trials with any claim,
  /// with a claim for an arm whose true effect is 0 (false), and the same for the naive tests.
  std::size_t selection_arms = 0;
  std::array<std::uint64_t, 4> outcome{};
  std::array<std::uint64_t, (1u << kMaxSelectionArms)> kept_set{};
  std::array<std::uint64_t, kMaxSelectionArms> arm_kept{}, arm_claim{}, arm_claim_look{}, arm_naive{};
  std::uint64_t arm_any_claim = 0, arm_false_claim = 0, arm_naive_any = 0, arm_naive_false = 0;
  InterimAccumulator() = default;
  explicit InterimAccumulator(std::size_t looks, bool reestimation = false, bool enrichment = false,
                              bool adjusted = false, std::size_t selection_arms = 0, bool calendar = false);
  void merge(const InterimAccumulator& o);
  nlohmann::json state() const;
  static InterimAccumulator from_state(const nlohmann::json& j);
  bool operator==(const InterimAccumulator&) const = default;
};

/// A count read from a saved state: `j` must be a JSON whole number >= 0 (nlohmann's
/// get<std::uint64_t>() would wrap a negative number, truncate a fraction and is undefined for a
/// number beyond its range). Throws std::runtime_error naming `what` otherwise.
std::uint64_t count_from_json(const nlohmann::json& j, const char* what);

class Accumulator {
 public:
  Accumulator() = default;
  Accumulator(std::size_t arms, std::size_t comparisons, std::vector<double> truth);
  /// With subgroups (slots g * comparisons + c), a confirmatory family and claim sets.
  Accumulator(std::size_t arms, std::size_t comparisons, std::vector<double> truth, std::size_t family,
              std::size_t claims, SubgroupTruth subgroup_truth);

  void add(const TrialResult& r);
  void merge(const Accumulator& o);

  std::uint64_t trials() const { return trials_; }
  std::size_t arms() const { return arms_; }
  std::size_t comparisons() const { return comparisons_; }
  const ComparisonAccumulator& comparison(std::size_t c) const { return comp_[c]; }
  const ArmAccumulator& arm(std::size_t a) const { return arm_[a]; }
  const ExactMoments& screened() const { return screened_; }
  const ExactMoments& analysed_total() const { return analysed_total_; }  ///< all arms, per trial
  const ExactMoments& mean_age() const { return age_; }
  const ExactMoments& share_under_5() const { return under5_; }
  const ExactMoments& share_gmfcs_1_3() const { return mild_; }
  /// Months from the first to the last randomisation, and to the last primary-visit assessment
  /// (trials with design.accrual; empty otherwise).
  const DistributionAccumulator& accrual_months() const { return accrual_; }
  const DistributionAccumulator& duration_months() const { return duration_; }
  std::uint64_t any_rejection() const { return any_reject_; }
  std::uint64_t all_rejections() const { return all_reject_; }
  std::uint64_t out_of_range() const { return out_of_range_; }
  double truth(std::size_t c) const { return truth_[c]; }
  std::size_t subgroup_slots() const { return sub_.size(); }
  const SubgroupAccumulator& subgroup(std::size_t slot) const { return sub_[slot]; }
  const SubgroupTruth& subgroup_truth() const { return sub_truth_; }
  std::size_t family_size() const { return family_; }
  std::uint64_t family_any_rejection() const { return family_any_; }    ///< any hypothesis, any direction
  std::uint64_t family_any_favourable() const { return family_any_fav_; }
  std::uint64_t family_all_favourable() const { return family_all_fav_; }
  std::uint64_t claim(std::size_t k) const { return claims_[k]; }
  std::size_t claim_sets() const { return claims_.size(); }
  const FollowUpAccumulator& follow_up() const { return follow_; }
  /// Mixed-model fits: trials fitted with each covariance structure (CovarianceStructure order),
  /// then trials no structure fitted; trials that needed a fallback.
  const std::array<std::uint64_t, 6>& mmrm_structures() const { return mmrm_used_; }
  std::uint64_t mmrm_fallbacks() const { return mmrm_fallback_; }
  /// Shapes the follow-up part (before any trial is added).
  void set_follow_up(FollowUpAccumulator f) { follow_ = std::move(f); }
  const InterimAccumulator& interims() const { return interim_; }
  /// Shapes the group-sequential part (before any trial is added).
  void set_interims(InterimAccumulator i) { interim_ = std::move(i); }

  /// Lossless state for shard files (every integer written exactly).
  nlohmann::json state() const;
  /// Throws std::runtime_error on bad input: a missing or mistyped field, a count that is not a
  /// whole number >= 0, sizes that disagree.
  static Accumulator from_state(const nlohmann::json& j);
  bool operator==(const Accumulator&) const = default;

 private:
  void moments(ExactMoments& m, double x) {
    if (!m.add(x)) ++out_of_range_;
  }
  std::size_t arms_ = 0, comparisons_ = 0;
  std::vector<double> truth_;
  std::uint64_t trials_ = 0;
  std::uint64_t any_reject_ = 0, all_reject_ = 0;
  std::uint64_t out_of_range_ = 0;
  std::array<ComparisonAccumulator, kMaxArms - 1> comp_{};
  std::array<ArmAccumulator, kMaxArms> arm_{};
  ExactMoments screened_;
  ExactMoments analysed_total_;  ///< (the randomised total is the design's sample size in every trial)
  ExactMoments age_, under5_, mild_;
  DistributionAccumulator accrual_, duration_;
  std::vector<SubgroupAccumulator> sub_;
  SubgroupTruth sub_truth_;
  std::size_t family_ = 0;
  std::uint64_t family_any_ = 0, family_any_fav_ = 0, family_all_fav_ = 0;
  std::vector<std::uint64_t> claims_;
  FollowUpAccumulator follow_;
  std::array<std::uint64_t, 6> mmrm_used_{};
  std::uint64_t mmrm_fallback_ = 0;
  InterimAccumulator interim_;
  void add_interim(const InterimResult& r, std::uint64_t screened);
  void add_comparison(ComparisonAccumulator& a, const ComparisonResult& x);
};

}  // namespace celltrial

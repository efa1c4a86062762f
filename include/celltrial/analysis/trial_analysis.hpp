#pragma once
// Per-trial analysis: ANCOVA of change from baseline on arm + baseline (+ GMFCS strata; without the
// baseline when analysis.adjust_for_baseline is false, the two-sample t-test), complete cases, each active arm against control, with the decision taken against critical values that
// are computed once per degrees of freedom (no p-value on the hot path).
//
// The least-squares fit is assembled from per-cell sufficient statistics (cell = arm x stratum:
// n, sums of x, y, x², xy, y²), so its cost per child is six additions whatever the number of
// strata; the small normal-equation system is then solved once per trial.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "celltrial/analysis/follow_up.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/model/subgroups.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/stats/multiplicity.hpp"

namespace celltrial {

struct ComparisonResult {
  double estimate = 0;  ///< active - control, adjusted
  double se = 0;
  double t = 0;
  double df = 0;  ///< whole for ANCOVA; Satterthwaite or Kenward-Roger df may be fractional
  bool estimable = false;
  bool reject = false;             ///< H0 rejected (after multiplicity adjustment)
  bool reject_favourable = false;  ///< rejected with the estimate in the direction of benefit
  bool covered = false;            ///< the CI contains the true effect
  double truth = 0;                ///< this trial's true effect (differs between trials under a prior)
  bool reject_unadjusted_favourable = false;  ///< favourable and significant at alpha without adjustment
};

/// One active arm's comparison within a subgroup and its complement, and their interaction.
struct SubgroupResult {
  bool applies = false;     ///< the subgroup is analysed for this arm (its route condition)
  ComparisonResult inside;  ///< ANCOVA in the subgroup; reject: the family's decision when confirmatory
  ComparisonResult outside; ///< ANCOVA in the complement (unadjusted)
  double interaction = 0;   ///< (effect inside - effect outside), from the model with arm x subgroup terms
  double interaction_se = 0;
  double interaction_df = 0;
  bool interaction_estimable = false;
  bool interaction_reject = false;  ///< two-sided test at analysis.interaction_alpha
  std::int64_t analysed_inside = 0; ///< analysed children in the subgroup (all arms)
};

inline constexpr double kNotAvailable = std::numeric_limits<double>::quiet_NaN();

/// How the mixed model of one trial was fitted (the primary comparisons' fit).
struct MmrmTrialInfo {
  bool used = false;          ///< the trial was analysed by the mixed model
  bool fitted = false;        ///< a structure converged (else the comparisons are not estimable)
  std::uint8_t structure = 0; ///< the structure used: analysis.mmrm.covariance, or a fallback
  bool fallback = false;      ///< the structure is a fallback
  int iterations = 0;
  std::vector<double> sigma;  ///< its covariance over the visits up to the primary one, row-major
};

/// One trial's adaptive enrichment (design.interims.enrichment; analysis/interim.hpp): what the
/// interim look selected, the closed test's claims, and the naive tests' for contrast.
struct EnrichmentResult {
  /// The look's decision: go on in everyone, only in the subgroup, stop for futility (the rule), or
  /// stop for efficacy (a claim at the look); none: no enrichment.
  enum class Selection : std::uint8_t { none = 0, full = 1, subgroup = 2, futility = 3, efficacy = 4 };
  Selection selection = Selection::none;
  bool claim_full = false;      ///< H_F rejected by the closed test (in the direction of benefit)
  bool claim_subgroup = false;  ///< H_S rejected by the closed test
  /// Not valid tests: each hypothesis tested alone on the pooled data of every child so far at the
  /// group-sequential bounds (at the look, and at the final analysis of the population continued).
  bool naive_full = false, naive_subgroup = false;
  double z_full1 = kNotAvailable, z_subgroup1 = kNotAvailable, z_complement1 = kNotAvailable;  ///< the look's Z
  double z_full2 = kNotAvailable, z_subgroup2 = kNotAvailable;  ///< stage 2's Z (NaN for a population dropped)
};

/// One trial's adaptive arm selection (design.interims.arm_selection; analysis/interim.hpp): what the
/// interim look kept, the closed test's claims, and the naive tests' for contrast. Arms are bits by
/// comparison (bit c: active arm c).
struct ArmSelectionResult {
  /// The look's decision: go on with the arms kept, stop for futility (no arm kept), or stop for
  /// efficacy (a claim at the look); none: no arm selection.
  enum class Outcome : std::uint8_t { none = 0, continued = 1, futility = 2, efficacy = 3 };
  Outcome outcome = Outcome::none;
  std::uint8_t kept = 0;         ///< the arms going on after the look (0 after a stop)
  std::uint8_t claims = 0;       ///< H_j rejected by the closed test (at the look or at the final analysis)
  std::uint8_t null_arms = 0;    ///< the arms whose true effect in this trial is 0 (a claim for one is false)
  /// Not valid tests: each arm tested alone on the pooled data of every child so far at the
  /// group-sequential bounds (at the look, and at the final analysis for the arms kept).
  std::uint8_t naive = 0;
  std::array<double, kMaxSelectionArms> z1{kNotAvailable, kNotAvailable, kNotAvailable, kNotAvailable};  ///< the look's Z
  std::array<double, kMaxSelectionArms> z2{kNotAvailable, kNotAvailable, kNotAvailable, kNotAvailable};  ///< stage 2's Z (NaN: dropped)
};

/// One trial's group-sequential course (design.interims; analysis/interim.hpp). Analyses are
/// numbered 0..looks-1 for the interim looks and `looks` for the final analysis.
struct InterimResult {
  /// How a trial ended: an interim look's stop, or the final analysis (decided by `rejected`).
  enum class Stop : std::uint8_t { none = 0, efficacy = 1, futility = 2, harm = 3 };
  bool used = false;
  int looks = 0;                  ///< interim looks
  int stopped_at = -1;            ///< the look that stopped the trial; -1: it ran to the final analysis
  Stop stop = Stop::none;         ///< why it stopped at stopped_at
  int rejected_at = -1;           ///< the analysis (0..looks) whose boundary was crossed; -1: none
  bool rejected_favourable = false;  ///< that crossing was in the direction of benefit
  std::array<double, kMaxInterims + 1> z{};            ///< Z of each analysis made (NaN: not estimable)
  std::array<double, kMaxInterims> look_month{};       ///< calendar month of each interim look reached
  /// Looks at calendar months (design.interims.months): the information fraction each look held had
  /// (children at their primary visit / design.sample_size); NaN for a look not held or not reached.
  std::array<double, kMaxInterims> information{};
  /// The critical value each analysis was tested against (+infinity: a look that spends nothing; NaN:
  /// not made). With calendar looks, those of the boundaries at the observed fractions.
  std::array<double, kMaxInterims + 1> critical{};
  std::int64_t randomised = 0;    ///< children randomised (all arms): those randomised by the stop, else the design's
  double duration_months = kNotAvailable;  ///< month of the stopping look, else of the last primary-visit assessment
  ComparisonResult at_stopping;   ///< the decision analysis: the stopping look's, else the final analysis
  /// The median-unbiased estimate at stopping by the stage-wise ordering (`estimate`; `covered`:
  /// its confidence interval holds the truth; se, t and df are the decision analysis's). Not
  /// estimable when the ordering does not apply (scenario/interims.hpp) or the analysis was not.
  ComparisonResult adjusted;

  /// Sample-size re-estimation at the last interim look (design.interims.sample_size_reestimation).
  /// The zone is that of the conditional power at the planned N: below the promising zone
  /// (unfavourable), in it (promising), above it (favourable); `none` when the trial stopped at or
  /// before the look or the look's Z was not estimable (the planned N is kept).
  enum class Zone : std::uint8_t { none = 0, unfavourable = 1, promising = 2, favourable = 3 };
  Zone zone = Zone::none;
  double conditional_power = kNotAvailable;  ///< at the planned N, under the current estimate
  std::int64_t reestimated = 0;    ///< the total N the rule chose (the planned N when not increased; 0: no decision)
  bool increased = false;          ///< reestimated > the planned N (the final test is then the combination test)
  double z_stage2 = kNotAvailable;   ///< after an increase: Z of the second-stage children alone
  double z_combined = kNotAvailable; ///< after an increase: w1 Z1 + w2 Z2, the final test's statistic
  double z_pooled = kNotAvailable;   ///< after an increase: Z of all children pooled (not a valid test)
  /// The decision of the naive test, which compares the pooled Z with the final bound after an
  /// increase (its type I error is not controlled); the trial's own decision otherwise.
  bool naive_rejected_favourable = false;
  EnrichmentResult enrichment;     ///< adaptive enrichment at the look (design.interims.enrichment)
  ArmSelectionResult arm_selection; ///< arm selection at the look (design.interims.arm_selection)
};

struct TrialResult {
  std::array<ComparisonResult, kMaxArms - 1> comparisons{};  ///< one per active arm, in arm order
  std::array<std::int64_t, kMaxArms> randomised{};
  std::array<std::int64_t, kMaxArms> analysed{};
  std::array<double, kMaxArms> mean_change{};  ///< observed mean change per arm (NaN if none analysed)
  std::uint64_t screened = 0;
  // Description of the randomised children (filled by describe_trial).
  std::array<std::int64_t, kMaxArms> sae{};       ///< children with >= 1 SAE
  std::array<std::int64_t, kMaxArms> infusion{};  ///< children with an infusion reaction
  std::array<double, kMaxArms> mean_dose{kNotAvailable, kNotAvailable, kNotAvailable, kNotAvailable,
                                         kNotAvailable, kNotAvailable, kNotAvailable, kNotAvailable};  ///< report units; NaN: no product
  std::array<bool, kMaxArms - 1> sae_difference_exceeds{};  ///< active - control SAE proportion > threshold
  double mean_age = kNotAvailable;                ///< months (NaN for the generic endpoint)
  double share_under_5 = kNotAvailable;
  double share_gmfcs_1_3 = kNotAvailable;
  double accrual_months = kNotAvailable;   ///< first to last randomisation (design.accrual)
  double duration_months = kNotAvailable;  ///< to the last child's primary-visit assessment
  // Subgroups and the confirmatory family (empty without subgroups and with the default family).
  std::vector<SubgroupResult> subgroups;     ///< slot g * comparisons + c
  std::vector<std::uint8_t> family_reject;   ///< per family hypothesis: rejected (any direction)
  std::vector<std::uint8_t> family_favourable; ///< rejected in the direction of benefit
  std::vector<std::uint8_t> claims;          ///< per claim set: every hypothesis in it rejected favourably
  FollowUpResult follow_up;                  ///< every visit (filled when the model follows children over time)
  MmrmTrialInfo mmrm;                        ///< the mixed model's fit (analysis.method: mmrm)
  double residual_variance = kNotAvailable;   ///< the ANCOVA's residual variance (primary fit)
  InterimResult interim;                     ///< the group-sequential course (design.interims)
};

/// Fills the safety, dose and enrolment fields of `out` from the trial's children.
void describe_trial(const Scenario& s, const TrialData& d, TrialResult& out);

class TrialAnalysis {
 public:
  /// `true_effects[c]` is the true effect of comparison c, for CI coverage. Scenarios with
  /// subgroups need the constructor from a model (which knows the subgroups' true effects).
  TrialAnalysis(const Scenario& s, std::vector<double> true_effects);
  /// Takes the true effects, the subgroups' too, from the model.
  explicit TrialAnalysis(const Model& m);

  void analyse(const TrialData& d, TrialResult& out) const;
  /// Whether the prefix analyses (compare_prefix, analyse_prefix) apply: the ANCOVA, no
  /// subgroups, and decisions on the primary comparisons alone by critical values (no general family).
  bool compares_alone() const { return !mmrm_ && subgroups_.empty() && !general_family_; }
  /// The ANCOVA's sums over d's first `children` children (calendar order): interim looks analyse
  /// prefixes of the trial's children, so the looks and the final analysis carry one set of sums
  /// forward instead of each summing from the first child. Start from AncovaSums{} for each trial.
  struct AncovaSums {
    std::size_t children = 0;
    std::array<double, 12> two_arms{};  ///< 2 arms, 1 stratum: (all, arm 1) pairs of n, x, y, xx, xy, yy
    std::array<std::array<double, 3>, kMaxArms * kGmfcsLevels> cells{};  ///< otherwise n, x, y by arm and stratum
    double xx = 0, xy = 0, yy = 0;                                       ///< and the squares and products in total
  };
  /// The primary comparisons (out.comparisons: estimates, tests, truth, coverage) of d's first n
  /// children, exactly as analyse() of a copy of those children gives them: `sums` is carried
  /// forward to n children (n at least sums.children) and the sums run over the same children in
  /// the same order. Nothing else of `out` is meaningful. Requires compares_alone().
  void compare_prefix(const TrialData& d, std::size_t n, AncovaSums& sums, TrialResult& out) const;
  /// analyse() of `counts`, a trial made of d's first n children (d itself when n = d.size(), or
  /// a copy of them), from `sums` carried forward to n: every field as analyse(counts) gives it.
  /// Requires compares_alone().
  void analyse_prefix(const TrialData& d, std::size_t n, AncovaSums& sums, const TrialData& counts,
                      TrialResult& out) const;
  /// The mixed model's visits (months; those up to the primary visit), when analysis.method is mmrm.
  const std::vector<double>& mmrm_visits() const { return mmrm_months_; }

  std::size_t comparisons() const { return active_.size(); }
  const SubgroupTruth& subgroup_truth() const { return sub_truth_; }
  /// Critical value of the (per-comparison) test at `df` residual degrees of freedom.
  double test_critical(std::int64_t df, std::size_t step = 0) const;
  /// Whether a test statistic's strength exceeds the test's critical value at `df` (fractional
  /// df allowed).
  bool test_exceeded(double strength, double df, std::size_t step = 0) const { return crit_[step].exceeded(strength, df); }
  double ci_critical(std::int64_t df) const;

 private:
  std::size_t arms_;
  std::size_t control_;
  std::vector<std::size_t> active_;
  std::size_t strata_;
  bool baseline_;  ///< the ANCOVA has the baseline covariate (analysis.adjust_for_baseline)
  int sides_;
  double sign_;  ///< +1 when larger is better, -1 otherwise
  Multiplicity multiplicity_;
  std::vector<double> true_effects_;
  std::int64_t max_df_;
  /// Arm selection: an active arm without analysed children (dropped before the second stage) is
  /// left out of the ANCOVA instead of making no comparison estimable.
  bool skip_empty_arms_ = false;
  // Critical values by residual degrees of freedom, each computed when first needed:
  // crit_[step] for the tests (step > 0 only for Holm), ci_ for the confidence intervals, unadj_
  // for unadjusted tests at the full alpha (and subgroups' tests), inter_ for interactions.
  std::vector<stats::TQuantileTable> crit_;
  stats::TQuantileTable ci_, unadj_, inter_;

  // Subgroups and the family (see analyse_subgroups / decide_family in ancova.cpp).
  void init_family(const Scenario& s);           ///< the family and how decisions are taken
  void init_subgroup_tables(const Scenario& s);  ///< interaction critical values and subgroups' true effects
  void analyse_subgroups(const TrialData& d, TrialResult& out) const;
  // The estimates (estimate, se, df, t, estimable) of the primary comparisons and the subgroups'
  // fits, by ANCOVA or by the mixed model; decide() then takes every decision from them.
  /// The ANCOVA of d's first n children: add_sums() from no child, then fit_sums().
  void estimate_ancova(const TrialData& d, std::size_t n, TrialResult& out) const;
  /// Carries `sums` forward to d's first n children.
  void add_sums(const TrialData& d, std::size_t n, AncovaSums& sums) const;
  /// The ANCOVA's estimates from `sums`; `counts` gives the children randomised and screened.
  void fit_sums(const TrialData& counts, const AncovaSums& sums, TrialResult& out) const;
  void estimate_mmrm(const TrialData& d, TrialResult& out) const;
  void estimate_subgroups_ancova(const TrialData& d, TrialResult& out) const;
  void estimate_subgroups_mmrm(const TrialData& d, TrialResult& out) const;
  void decide(const TrialData& d, TrialResult& out) const;
  /// decide()'s part for the primary comparisons: truth, coverage and the tests.
  void decide_comparisons(const TrialData& d, TrialResult& out) const;
  void init_mmrm(const Scenario& s, const Model* m);
  /// The children the ANCOVA analyses (1) at the primary visit: d.observed, less those with an
  /// intercurrent event before it under the hypothetical estimand.
  const std::uint8_t* ancova_observed(const TrialData& d) const;
  double primary_month_ = 0;
  /// Child j's visits in the mixed model (bit i: model visit i assessed) and, when y is given,
  /// its responses there (analysis.endpoint; hypothetical estimand: none after its first event).
  std::uint32_t mmrm_response(const TrialData& d, std::size_t j, double* y) const;
  bool mmrm_ = false;
  const Model* model_ = nullptr;              ///< for the expected change (endpoint excess_over_expected)
  std::vector<double> mmrm_months_;           ///< the model's visits: design visits up to the primary
  std::vector<std::size_t> mmrm_visit_index_; ///< their indices in design.visits_months
  std::vector<std::size_t> mmrm_contrast_visits_;  ///< positions (in mmrm_months_) averaged into the estimate
  std::vector<stats::CovarianceStructure> mmrm_structures_;  ///< the main structure, then the fallbacks
  stats::DfMethod mmrm_df_ = stats::DfMethod::satterthwaite;
  Endpoint endpoint_ = Endpoint::change;
  Estimand estimand_ = Estimand::treatment_policy;
  void decide_family(TrialResult& out) const;
  const Scenario* sc_ = nullptr;
  std::vector<Subgroup> subgroups_;
  SubgroupTruth sub_truth_;
  std::vector<Hypothesis> hypotheses_;
  std::vector<std::size_t> family_;
  std::vector<std::vector<std::size_t>> claims_;  ///< positions in family_ of each claim's hypotheses
  bool general_family_ = false;  ///< decisions from p-values and the procedure (else critical values)
  double alpha_ = 0.05;
  std::vector<double> weights_;
  std::vector<std::vector<double>> transitions_;
};

}  // namespace celltrial

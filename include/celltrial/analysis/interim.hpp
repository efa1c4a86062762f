#pragma once
// Group-sequential interim analyses of one simulated trial (design.interims).
//
// The trial is simulated in full as without interims; this component then replays it in calendar
// time. Look k comes at the month when ceil(t_k N) children have reached their primary visit
// (randomisation month + primary visit month, assessed or not); with looks at calendar months
// (design.interims.months) at month m_k, its information the random share t_k = n_k / N of the
// children at their primary visit by then (N = design.sample_size). A calendar look is not held when
// n_k is 0, not above the previous held look's, or N (it would be the final analysis), or when its
// analysis estimates nothing (the looks are analysed before the bounds are chosen); the efficacy
// bounds are the error-spending ones recomputed at the held looks' fractions and 1 (Lan & DeMets
// 1983; CalendarBoundaries), and conditional-power futility uses t_k. The data of a look are the
// children randomised by then, each with the visits whose month (randomisation + visit) has come
// and that were assessed; the scenario's own analysis (ANCOVA at the primary visit, or the MMRM on
// every visit so far) is run on them, and its t statistic is put on the Z scale through its
// one-sided p-value, z = Phi^-1(1 - p), oriented so that benefit is positive. With the ANCOVA and
// decisions on the primary comparison alone (TrialAnalysis::compares_alone) the look's analysis is
// that of the trial's first children, those at their primary visit by then, without copying them
// (the same sums, so the same bits). With design.interims.pause_enrolment the model stops enrolment
// after each look's children and resumes it at the look (model/model.hpp): the look's randomised
// children are exactly ceil(t_k N).
//
// Decisions: efficacy when z >= c_k (two-sided: |z| >= c_k; a crossing against benefit is a stop
// for harm); else futility by the rule (z <= threshold; z <= f_k, the beta-spending futility bound;
// or conditional power under the current estimate, 1 - Phi((c_K - z / sqrt(t_k)) / sqrt(1 - t_k)),
// below threshold). A non-binding rule leaves the bounds c_k as they are without it; binding z and
// beta-spending rules lower them (computed with the futility bounds as lower boundaries under the
// null hypothesis, scenario/interims.hpp), and the simulation obeys every stop. A stop ends enrolment at that month: the children
// randomised by then are followed to the end (overrunning) and their final analysis is that of
// the full trial restricted to them. Without a stop the final analysis is the trial's, tested at
// c_K. The trial's decision (TrialResult::comparisons[0].reject) is the group-sequential one.
//
// Inference at stopping: besides the decision analysis's naive estimate, plain one-sided designs
// get the median-unbiased estimate and confidence interval of the stage-wise ordering
// (stats/stagewise_ordering.hpp) at the planned information fractions; binding futility bounds
// and, in two-sided designs, the lower bounds -c_k (a stop for harm) are part of the continuation
// region, non-binding futility stops are ignored. The ordering is computed on the Z scale; a drift d becomes an effect through the
// decision analysis's own t distribution: effect = se * F_t^-1(Phi(d sqrt(t_k))), so that at the
// first look the median-unbiased estimate is the naive one.
//
// Sample-size re-estimation (design.interims.sample_size_reestimation, stats/reestimation.hpp): at
// the last interim look, when the trial goes on, the rule picks a new total N2 in [N, cap] from the
// look's Z (Z1) and the conditional power at the planned N. Kept at N, the trial goes on as above.
// Increased, the trial is the planned one's children followed by children N..N2-1 of the same trial
// simulated with the cap's number of children (supplied by the caller); the final test is the
// weighted inverse-normal combination Z = w1 Z1 + w2 Z2 against c_K, with w1 = sqrt(n1 / N) fixed by
// the look's children n1 = ceil(t N), and Z2 the scenario's analysis of the second stage: the
// children not yet at their primary visit at the look (disjoint from the look's analysis set).
//
// Adaptive enrichment (design.interims.enrichment, stats/enrichment.hpp) at the one interim look: the
// look's ANCOVA gives Z in everyone (F), in the subgroup (S) and in its complement. The closed test
// at the look's bound c_1 (Simes or Bonferroni for the intersection) may stop the trial for efficacy.
// Otherwise the rule compares the complement's and the subgroup's statistic (estimate or Z) with its
// thresholds: everyone (the trial goes on as planned), the subgroup, or a stop for futility. After
// selecting the subgroup, the children not yet randomised at the look are replaced by children of
// the subgroup alone, supplied by the caller (recruited from the look's month on, so screening and
// accrual take longer); the total stays design.sample_size. Stage 2 is the children not yet at their
// primary visit at the look (those in the pipeline too); the final closed test combines each
// hypothesis's stage Z values with the weights w1 = sqrt(n1 / N), w2 = sqrt(1 - w1^2) and c_2. The
// primary comparison's decision (comparisons[0]) is the claim in everyone; a claim in either
// counts as the trial's rejection in `stopping`.
//
// Arm selection (design.interims.arm_selection, stats/arm_selection.hpp) at the one interim look: the
// look's ANCOVA gives each active arm's Z against control. The closed test at the look's bound c_1
// (Simes or Bonferroni intersections) may stop the trial for efficacy (a claim for any arm; the
// trial then claims what the look claimed). Otherwise the rule keeps arms by their statistic
// (estimate or Z): the best, those at or above a threshold, or those within epsilon of the best; none
// kept is a stop for futility. When arms are dropped, the children not yet randomised at the look are
// replaced by children of the trial randomised between control and the arms kept (their allocation
// ratios), supplied by the caller and recruited from the look's month on; the total stays
// design.sample_size, so the arms kept gain children. Stage 2 is the children not yet at their
// primary visit at the look (those in the pipeline too, whatever their arm); its ANCOVA gives the
// kept arms' Z (a dropped arm has none). The final closed test combines each intersection's stage Z
// values with w1 = sqrt(n1 / N), w2 = sqrt(1 - w1^2) and c_2 (an intersection rejected at the look
// stays rejected). comparisons[c].reject is the claim for active arm c; a claim for any arm counts
// as the trial's rejection in `stopping`.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <optional>
#include <utility>
#include <vector>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/stats/group_sequential.hpp"
#include "celltrial/stats/stagewise_ordering.hpp"

namespace celltrial {

/// One interim look of a trial: the month its children have all reached the primary visit (or the
/// calendar look's month), the children randomised by then, and its analysis.
struct InterimLook {
  double month = 0;
  std::size_t randomised = 0;
  ComparisonResult result;
  double z = 0;                    ///< on the Z scale, NaN when nothing was estimated
  TrialAnalysis::AncovaSums sums;  ///< calendar looks: the ANCOVA's sums carried to this look (compares_alone())
};

/// Workspace of InterimAnalyses::analyse (one per thread).
struct InterimWorkspace {
  TrialData look;     ///< the data available at a look
  TrialData final;    ///< the children randomised by a stop, followed to the end
  TrialResult result; ///< a look's analysis
  TrialData stage2;   ///< after an increase: the second-stage children
  TrialAnalysis::AncovaSums sums;  ///< the ANCOVA's sums carried from look to look (compares_alone())
  InterimLook current;             ///< the look being decided (looks at information fractions)
  std::array<InterimLook, kMaxInterims> calendar;  ///< calendar looks, all analysed before the bounds are chosen
};

/// The trial simulated with the re-estimation's cap of children (same seed and trial index).
using CappedTrial = std::function<const TrialData&()>;

/// Adaptive enrichment: the trial's children recruited after the interim look restricted it to the
/// subgroup, given the children kept (randomised by the look) and the look's month. Its first
/// design.sample_size - kept children are used, with their months set from the look on.
using EnrichedTrial = std::function<const TrialData&(std::size_t kept, double month)>;

/// Arm selection: the trial's children recruited after the interim look dropped arms, given the arms
/// kept (bit c: active arm c), the children kept (randomised by the look) and the look's month. Its
/// first design.sample_size - kept children are used, with their months set from the look on.
using SelectedTrial = std::function<const TrialData&(unsigned arms, std::size_t kept, double month)>;

/// `d`'s first `kept` children followed by `e`'s first `m` children (the second part of an enriched
/// trial); safety counts scaled to the children taken from each.
void append_children(const TrialData& d, std::size_t kept, const TrialData& e, std::size_t m, const Scenario& s,
                     TrialData& out);

/// The children of `d` randomised first (indices [0, n): the model randomises in calendar order),
/// with every visit of theirs whose month (randomisation + visit month) is after `month` set
/// missed (`month` = +infinity keeps them all). Totals are recomputed for these children (the
/// safety counts, which the model draws per arm, are scaled to them and rounded).
void restrict_trial(const TrialData& d, std::size_t n, double month, const Scenario& s, TrialData& out);

/// Children [first, last) of `d` followed to the end (the second stage of a re-estimated trial);
/// totals as in restrict_trial.
void select_children(const TrialData& d, std::size_t first, std::size_t last, const Scenario& s, TrialData& out);

/// The trial `d` extended to `n` children: d's children, then children d.size()..n-1 of `capped`
/// (the same trial simulated with more children; its first children are d's where the model draws
/// child by child, and d's are kept where it does not). Safety counts: d's, plus capped's scaled to
/// the children added.
void extend_trial(const TrialData& d, const TrialData& capped, std::size_t n, const Scenario& s, TrialData& out);

/// Arm selection's rule at the look: the arms kept (bit c: active arm c) given each arm's statistic
/// (estimate or Z in the direction of benefit; NaN never kept): the best (the first of ties), those at
/// or above the threshold, or those within epsilon of the best; with best and epsilon a finite
/// threshold is a floor too. 0: none kept.
unsigned select_arms(const ArmSelection& as, const double* stat, std::size_t m);

/// The efficacy bounds of looks at calendar months (design.interims.months), by the children at their
/// primary visit at each look held (0: not held): the error-spending boundaries recomputed at the
/// observed fractions (scenario/interims.hpp interim_boundaries_at). Computing them costs far more
/// than a trial, and many trials share the same counts: each set is computed once and kept. Safe to
/// share between threads; the bounds depend only on the counts, so the results do not depend on the
/// order in which threads fill the cache.
class CalendarBoundaries {
 public:
  using Counts = std::array<std::int64_t, kMaxInterims>;
  /// Critical values indexed by planned look (NaN for a look not held), the final analysis's at
  /// index `looks`.
  using Critical = std::array<double, kMaxInterims + 1>;
  explicit CalendarBoundaries(const Scenario& s) : s_(s) {}
  /// The one cache of the process for s's design (its boundary options, N and looks): a run builds
  /// its InterimAnalyses once per batch of trials, and the batches meet the same counts again.
  static std::shared_ptr<const CalendarBoundaries> shared(const Scenario& s);
  const Critical& at(const Counts& held) const;
  /// The computation behind at(), without the cache.
  static Critical compute(const Scenario& s, const Counts& held);
  std::size_t size() const;

 private:
  const Scenario s_;  ///< a copy: the cache may outlive the caller's scenario
  mutable std::shared_mutex mutex_;
  mutable std::map<Counts, Critical> cache_;
};

class InterimAnalyses {
 public:
  /// Requires s.design.interims.active() and design.accrual (validated scenarios).
  InterimAnalyses(const Scenario& s, const TrialAnalysis& analysis);

  /// Analyses trial `d` group-sequentially into `out` (the final analysis, with the trial's
  /// decision and out.interim). Returns the data of the final analysis: `d`, or ws.final after a stop.
  /// With sample-size re-estimation `capped` supplies the trial with the cap's children; it is
  /// called only when the rule increases N.
  /// With adaptive enrichment `enriched` supplies the children recruited after the look when it
  /// selects the subgroup.
  /// With arm selection `selected` supplies the children recruited after the look when it drops arms.
  const TrialData& analyse(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                           const CappedTrial& capped = {}, const EnrichedTrial& enriched = {},
                           const SelectedTrial& selected = {}) const;

  const stats::Boundaries& boundaries() const { return bounds_; }
  std::size_t looks() const { return s_.design.interims.looks(); }
  /// Looks at calendar months: the looks with children enough in trial `d` (children at their primary
  /// visit by each look's month, 0 for a look not held: no child, no more than the previous look
  /// held, or every child of design.sample_size). analyse() also skips a look whose analysis
  /// estimates nothing.
  CalendarBoundaries::Counts calendar_counts(const TrialData& d) const;
  /// Looks at calendar months: the bounds' cache.
  const CalendarBoundaries* calendar_boundaries() const { return calendar_.get(); }

  /// The Z value of a comparison: Phi^-1(1 - p) with p the one-sided p-value of the t statistic in
  /// the direction of benefit (`sign` +1 or -1), by stats::z_from_t. NaN when not estimable.
  static double z_of(const ComparisonResult& r, double sign);
  /// Conditional power under the current estimate at information fraction t for final bound c.
  static double conditional_power(double z, double t, double c);

 private:
  const Scenario& s_;
  const TrialAnalysis& analysis_;
  stats::Boundaries bounds_;
  std::vector<std::int64_t> children_;  ///< children who reached the primary visit at each look
  double sign_ = 1;
  int sides_ = 1;
  double primary_ = 0;
  double w1_ = 1, w2_ = 0;  ///< the combination test's weights (re-estimation)
  /// Records the re-estimation decision at the last look (look K - 1, statistic z) into ir.
  void reestimate(double z, InterimResult& ir) const;
  std::size_t subgroup_ = 0;  ///< the enrichment subgroup's index in analysis.subgroups
  /// The one look of a two-stage design (enrichment, arm selection): starts `ir` (one look), and
  /// analyses the children randomised by the month the look's children reach their primary visit,
  /// with the visits that have come, into ws.result. Returns that month and those children.
  std::pair<double, std::size_t> first_look(const TrialData& d, InterimWorkspace& ws, InterimResult& ir) const;
  /// analyse() for adaptive enrichment.
  const TrialData& analyse_enrichment(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                                      const EnrichedTrial& enriched) const;
  std::shared_ptr<const stats::StagewiseOrdering> ordering_;  ///< plain group-sequential designs
  std::shared_ptr<const CalendarBoundaries> calendar_;         ///< looks at calendar months
  double ci_level_ = 0.95;
  /// Fills ir.adjusted from the decision analysis (ir.at_stopping) at analysis k.
  void adjust(std::size_t k, InterimResult& ir) const;
  /// analyse() for arm selection.
  const TrialData& analyse_arm_selection(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                                         const SelectedTrial& selected) const;
  /// Records the final decision on comparison 0 and the family (one hypothesis) of `out`.
  void set_decision(TrialResult& out, bool reject, bool favourable) const;
};

}  // namespace celltrial

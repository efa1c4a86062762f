#pragma once
// Group-sequential interim analyses of one simulated trial (design.interims).
//
// The trial is simulated in full as without interims; this component then replays it in calendar
// time. Look k comes at the month when ceil(t_k N) children have reached their primary visit
// (randomisation month + primary visit month, assessed or not). The data of a look are the
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
// for harm); else futility by the rule (z <= threshold, or conditional power under the current
// estimate, 1 - Phi((c_K - z / sqrt(t_k)) / sqrt(1 - t_k)), below threshold); the futility rule is
// non-binding (the bounds c_k ignore it). A stop ends enrolment at that month: the children
// randomised by then are followed to the end (overrunning) and their final analysis is that of
// the full trial restricted to them. Without a stop the final analysis is the trial's, tested at
// c_K. The trial's decision (TrialResult::comparisons[0].reject) is the group-sequential one.
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
#include <cstdint>
#include <functional>
#include <vector>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/stats/group_sequential.hpp"

namespace celltrial {

/// Workspace of InterimAnalyses::analyse (one per thread).
struct InterimWorkspace {
  TrialData look;     ///< the data available at a look
  TrialData final;    ///< the children randomised by a stop, followed to the end
  TrialResult result; ///< a look's analysis
  TrialData stage2;   ///< after an increase: the second-stage children
};

/// The trial simulated with the re-estimation's cap of children (same seed and trial index).
using CappedTrial = std::function<const TrialData&()>;

/// Adaptive enrichment: the trial's children recruited after the interim look restricted it to the
/// subgroup, given the children kept (randomised by the look) and the look's month. Its first
/// design.sample_size - kept children are used, with their months set from the look on.
using EnrichedTrial = std::function<const TrialData&(std::size_t kept, double month)>;

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
  const TrialData& analyse(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                           const CappedTrial& capped = {}, const EnrichedTrial& enriched = {}) const;

  const stats::Boundaries& boundaries() const { return bounds_; }
  std::size_t looks() const { return children_.size(); }

  /// The Z value of a comparison: Phi^-1(1 - p) with p the one-sided p-value of the t statistic in
  /// the direction of benefit (`sign` +1 or -1). NaN when not estimable.
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
  /// analyse() for adaptive enrichment.
  const TrialData& analyse_enrichment(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                                      const EnrichedTrial& enriched) const;
  /// Records the final decision on comparison 0 and the family (one hypothesis) of `out`.
  void set_decision(TrialResult& out, bool reject, bool favourable) const;
};

}  // namespace celltrial

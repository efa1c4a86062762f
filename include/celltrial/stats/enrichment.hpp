#pragma once
// Closed testing for a two-stage adaptive enrichment design with the weighted inverse-normal
// combination test (Bauer & Koehne 1994; Lehmacher & Wassmer 1999; Brannath et al. 2009; Wassmer &
// Brannath 2016, ch. 11, as rpact's enrichment designs).
//
// Two elementary hypotheses, H_F (no effect in the full population) and H_S (no effect in the
// subgroup), and their intersection H_FS. Each stage k gives one-sided p-values p_Fk and p_Sk
// (Z_k = Phi^-1(1 - p_k)); the intersection's stage-k p-value is Simes' min(2 min(p_F, p_S), max(p_F,
// p_S)) or Bonferroni's min(1, 2 min(p_F, p_S)), over the hypotheses still in the trial at that stage
// (after selecting one population, its own p-value). With the weights fixed in advance, w1^2 + w2^2 = 1,
// a hypothesis H is rejected at the final analysis when
//   w1 Z_1(H) + w2 Z_2(H) >= c   for H and for H_FS,
// and at the interim look when Z_1(H) >= c_1 and Z_1(H_FS) >= c_1 (c_1, c: the group-sequential
// design's critical values). A population dropped at the look keeps no stage-2 statistic: its
// hypothesis can no longer be rejected. Under any configuration of true and false hypotheses each
// combination statistic has the unadapted design's null distribution, so the family-wise error rate
// is at most the design's alpha (strong control) whatever the selection rule.
#include <cmath>

namespace celltrial::stats {

/// The one-sided p-value of a Z statistic, 1 - Phi(z) (NaN for NaN).
double p_of_z(double z);
/// Phi^-1(1 - p), exact for small p; +infinity at p = 0, -infinity at p = 1, NaN for NaN.
double z_of_p(double p);

/// The intersection test's p-value of two one-sided p-values: Simes' min(2 min, max) or Bonferroni's
/// min(1, 2 min). NaN when either is NaN.
double intersection_p(double p1, double p2, bool simes);

/// One stage's statistics on the Z scale, Phi^-1(1 - p): the full population, the subgroup, and the
/// intersection over the populations the stage has (NaN for a population it does not have).
struct StageZ {
  double full = NAN, subgroup = NAN, intersection = NAN;
};
/// The stage's Z values with the intersection over the populations given (a NaN one is left out;
/// both NaN: intersection NaN).
StageZ stage_z(double z_full, double z_subgroup, bool simes);

/// Rejections of the closed test.
struct ClosedDecision {
  bool full = false, subgroup = false;
  bool any() const { return full || subgroup; }
};

/// The interim look's closed test at bound c1: H rejected when Z_1(H) >= c1 and Z_1(H_FS) >= c1.
ClosedDecision closed_test_interim(const StageZ& stage1, double c1);

/// The final closed test of the combination statistics w1 Z_1 + sqrt(1 - w1^2) Z_2 at bound c. A
/// hypothesis whose population was dropped (its stage-2 Z NaN) is not rejected; H_FS's stage-2 Z is
/// stage2.intersection (over the populations continued).
ClosedDecision closed_test_final(const StageZ& stage1, const StageZ& stage2, double w1, double c);

/// The combination statistic w1 z1 + sqrt(1 - w1^2) z2 (NaN when either is NaN).
double combine(double z1, double z2, double w1);

}  // namespace celltrial::stats

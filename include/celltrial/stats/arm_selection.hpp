#pragma once
// Closed testing for a two-stage design with treatment-arm selection at the interim look and the
// weighted inverse-normal combination test (Bauer & Kieser 1999; Bretz et al. 2006; Wassmer &
// Brannath 2016, ch. 11, as rpact's multi-arm designs).
//
// m elementary hypotheses H_j (no effect of active arm j against control), j = 0..m-1, and every
// intersection H_I, I a non-empty subset of them (a bit mask). Each stage k gives one-sided p-values
// p_jk (Z_jk = Phi^-1(1 - p_jk)); the intersection's stage-k p-value is Simes'
// min_i(|I'| p_(i) / i) or Bonferroni's min(1, |I'| min p) over I', the arms of I that the stage has
// (at stage 2: the arms of I kept at the look). With the weights fixed in advance, w1^2 + w2^2 = 1, an
// intersection is rejected at the look when Z_1(I) >= c_1 and at the final analysis when it was
// rejected at the look or w1 Z_1(I) + w2 Z_2(I) >= c_2 (c_1, c_2: the group-sequential design's
// critical values); an intersection none of whose arms was kept has no stage-2 statistic. H_j is
// claimed when every intersection containing j is rejected; at the final analysis j must also have
// been kept. Under any configuration of true and false hypotheses each intersection's test has the
// unadapted design's level, so the family-wise error rate is at most the design's alpha (strong
// control) whatever the selection rule.
#include <cstddef>

namespace celltrial::stats {

/// The largest number of arms (elementary hypotheses) of the closed test.
inline constexpr std::size_t kMaxClosedArms = 8;

/// The stage p-value of the intersection over the arms in `mask` that have a p-value (a NaN p is left
/// out): Simes or Bonferroni; NaN when none has one.
double intersection_p(const double* p, std::size_t m, unsigned mask, bool simes);

/// Arms (bit j: H_j) claimed at the interim look: every intersection containing j has Z_1(I) >= c1.
unsigned closed_test_interim(const double* z1, std::size_t m, bool simes, double c1);

/// Arms claimed at the final analysis after a look that claimed none: z2[j] is arm j's stage-2 Z (NaN
/// for an arm dropped); an intersection is rejected at the look (Z_1(I) >= c1) or by its combination
/// statistic w1 Z_1(I) + sqrt(1 - w1^2) Z_2(I) >= c2; arm j needs its own stage-2 Z.
unsigned closed_test_final(const double* z1, const double* z2, std::size_t m, bool simes, double w1, double c1,
                           double c2);

}  // namespace celltrial::stats

#pragma once
// Sample-size re-estimation with the weighted inverse-normal combination test (Cui, Hung & Wang
// 1999) and the promising-zone rule (Mehta & Pocock 2011).
//
// A trial planned with n children is looked at after n1 of them (information fraction t1 = n1 / n).
// The weights are fixed in advance, w1 = sqrt(t1), w2 = sqrt(1 - t1); the final statistic is
// Z = w1 Z1 + w2 Z2 with Z2 the statistic of the second-stage children alone, whatever their number,
// and it is compared with the design's final critical value c. Under the null hypothesis Z2 is
// N(0, 1) and independent of Z1 for any second-stage size chosen from Z1, so Z has the distribution
// of the unadapted design's final statistic and the type I error holds.
//
// Under the current estimate (drift per child theta = Z1 / sqrt(n1)), a second stage of m children
// has E[Z2] = Z1 sqrt(m / n1), and the conditional power is
//   CP(m) = 1 - Phi((c - w1 Z1) / w2 - Z1 sqrt(m / n1)).
// At the planned m = n - n1 this is 1 - Phi((c - Z1 / sqrt(t1)) / sqrt(1 - t1)).
#include <cstdint>

namespace celltrial::stats {

/// The conditional power of the combination test under the current estimate with a second stage of
/// `m` children, for Z1 observed on `n1` children, the first-stage weight `w1` and final bound `c`.
double combination_conditional_power(double z1, double n1, double m, double w1, double c);

/// The second-stage children (a real number) that bring the conditional power to `target`:
/// m = n1 ((c - w1 Z1) / w2 + Phi^-1(target))^2 / Z1^2. 0 when the target is met without a second
/// stage; +infinity when Z1 <= 0 (no finite stage reaches a target above the level).
double second_stage_for_power(double z1, double n1, double w1, double c, double target);

/// The total sample size that reaches the target conditional power, rounded up to a whole child and
/// kept within [planned, cap]: n1 + second_stage_for_power, or the cap when that is beyond it.
std::int64_t reestimated_sample_size(double z1, std::int64_t n1, std::int64_t planned, std::int64_t cap, double c,
                                     double target);

}  // namespace celltrial::stats

#pragma once
// The sample size of a group-sequential two-arm comparison of means, as rpact's
// getSampleSizeMeans(getDesignGroupSequential(...)) gives it: the fixed design's N times the
// design's inflation factor is the maximum N; the expected N under H0 and H1 is the maximum times
// the expected information fraction at stopping (futility stops, binding or not, obeyed).
#include <vector>

#include "celltrial/stats/group_sequential.hpp"
#include "celltrial/stats/power.hpp"

namespace celltrial::stats {

struct SequentialSampleSize {
  /// The design, at the power calculation's alpha and sides (and beta = 1 − power for futility).
  Boundaries boundaries;
  /// Fixed-design N (analysable, continuous) with power counted in the favourable direction, as
  /// rpact's nFixed (for two-sided tests it can differ from solve_n's any-tail N in the 4th digit).
  double n_fixed_exact = 0.0;
  /// Expected final Z at which the upper bound is crossed with the target power.
  double drift = 0.0;
  /// (drift / (z_{1−alpha/sides} + z_{power}))²: maximum N over fixed N.
  double inflation_factor = 1.0;
  double n_max_exact = 0.0;              ///< n_fixed_exact × inflation_factor
  std::vector<long> n_max_per_arm;       ///< {control, active}: n_max_exact split, each rounded up
  long n_max = 0;                        ///< sum of n_max_per_arm
  std::vector<long> n_max_per_arm_randomised;  ///< n_max_per_arm / (1 − dropout), rounded up
  long n_max_randomised = 0;
  /// Expected analysable N under H0 (no difference) and H1 (the inputs' delta), continuous: the
  /// expected information fraction at stopping × n_max_exact.
  double expected_n_h0 = 0.0;
  double expected_n_h1 = 0.0;
};

/// The group-sequential sample size for `inputs` (delta, sd, alpha, sides, test, ...) at
/// `target_power`, with the design `design` (its alpha, sides and beta are replaced by the power
/// calculation's). Throws celltrial::Error (usage) for invalid inputs.
SequentialSampleSize sequential_sample_size(const PowerInputs& inputs, double target_power,
                                            BoundariesOptions design);

}  // namespace celltrial::stats

#include "celltrial/stats/sequential_sample_size.hpp"

#include "numerics.hpp"

namespace celltrial::stats {

SequentialSampleSize sequential_sample_size(const PowerInputs& inputs, double target_power,
                                            BoundariesOptions design) {
  design.alpha = inputs.alpha;
  design.sides = inputs.sides;
  if (!design.beta_spending.empty()) design.beta = 1.0 - target_power;
  PowerInputs favourable = inputs;
  favourable.count = Rejection::favourable_tail;
  const SampleSize fixed = solve_n(favourable, target_power);

  SequentialSampleSize s;
  s.boundaries = compute_boundaries(design);
  const GroupSequentialDesign& d = s.boundaries.design;
  s.n_fixed_exact = fixed.n_total_exact;
  s.drift = d.futility == Futility::none ? drift_for_power(d, target_power) : d.drift;
  const double z = detail::norm_isf(inputs.alpha / inputs.sides) + detail::norm_isf(1.0 - target_power);
  s.inflation_factor = (s.drift / z) * (s.drift / z);
  s.n_max_exact = s.n_fixed_exact * s.inflation_factor;
  s.n_max_per_arm = detail::per_arm(s.n_max_exact, inputs.allocation);
  s.n_max = s.n_max_per_arm[0] + s.n_max_per_arm[1];
  s.n_max_per_arm_randomised = detail::randomised(s.n_max_per_arm, inputs.dropout);
  s.n_max_randomised = s.n_max_per_arm_randomised[0] + s.n_max_per_arm_randomised[1];
  s.expected_n_h0 = s.n_max_exact * exit_probabilities(d, 0.0).expected_information_fraction;
  s.expected_n_h1 = s.n_max_exact * exit_probabilities(d, s.drift).expected_information_fraction;
  return s;
}

}  // namespace celltrial::stats

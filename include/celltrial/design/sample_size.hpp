#pragma once
// Simulation-based sample size: the smallest total sample size whose simulated power meets a
// target for a full scenario (its dropout, heterogeneity, dose spread and analysis).
//
// Every candidate size is simulated with the same seed and trial indices. Because fixed
// randomisation gives the j-th child the same arm whatever the total, the first children of each
// trial are shared by all candidate sizes (common random numbers), so the power curve is smooth
// and nearly monotone. The search starts from a normal-approximation estimate calibrated by a
// pilot run, brackets the target, bisects, and repeats with more trials until the Monte Carlo
// uncertainty decides the answer: the chosen N is the smallest whose one-sided lower confidence
// bound for power is at least the target.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct SampleSizeSearch {
  double target = 0.8;              ///< power to reach, in (alpha, 1)
  double confidence = 0.95;         ///< one-sided confidence that power(N) >= target
  std::uint64_t trials = 2000;      ///< trials per candidate in the first round
  std::uint64_t max_trials = 64000; ///< trials per candidate at most
  std::int64_t n_max = 20000;       ///< largest total sample size considered
  int threads = 0;
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string&)> log;  ///< progress messages (may be empty)
};

struct PowerCurvePoint {
  std::int64_t n = 0;
  std::uint64_t trials = 0;
  double power = 0;   ///< success = rejection in the favourable direction
  double mc_se = 0;
  double lower = 0;   ///< one-sided lower confidence bound at the search confidence
  double ci95_low = 0, ci95_high = 0;
};

struct SampleSizeResult {
  std::vector<PowerCurvePoint> curve;  ///< final round plus plot points, sorted by n
  std::int64_t n_start = 0;            ///< normal-approximation start from the pilot
  double n_total_exact = 0;            ///< where the estimated curve crosses the target (interpolated)
  std::int64_t n_total = 0;            ///< chosen: smallest n with lower bound >= target
  std::vector<std::int64_t> n_per_arm; ///< randomised per arm at n_total
  double power = 0, power_mc_se = 0;   ///< at n_total
  double confidence = 0;               ///< P(true power at n_total >= target), normal approximation
  std::uint64_t trials = 0;            ///< trials per candidate in the final round
  bool reached = true;                 ///< false: target not reached at n_max (n_total = best n)
  double delta = 0;                    ///< true effect of the first comparison
};

/// The smallest N reaching opt.target conventional power: arms with an effect prior are simulated
/// at the prior's mean (without_priors()), whichever command asks.
SampleSizeResult find_sample_size(const Scenario& s, const SampleSizeSearch& opt);

/// Arm sizes the fixed randomisation gives for a total of n.
std::vector<std::int64_t> arm_sizes(const Scenario& s, std::int64_t n);

/// Power (favourable rejection rate) of `s` with total size n, by simulation.
PowerCurvePoint simulate_power(const Scenario& s, std::int64_t n, std::uint64_t trials, double confidence,
                               int threads, const std::atomic<bool>* stop);

}  // namespace celltrial

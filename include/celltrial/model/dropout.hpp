#pragma once
// Loss to follow-up: a constant hazard per month (set by the share lost by the last visit), times
// each GMFCS level's multiplier, and, when dropout depends on progress, times exp(beta * the change
// observed at the previous visit). Draws on the Purpose::dropout stream.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct TrialData;

class DropoutModel {
 public:
  /// `visit_months`: the visits the model simulates (the last is the primary visit).
  DropoutModel(const Scenario& s, const std::vector<double>& visit_months);

  /// The hazard of loss per month before multipliers: P(lost by the last visit) = p gives
  /// lambda = -ln(1 - p) / T.
  double rate_per_month() const { return lambda_; }
  /// Cumulative hazard of simulated interval k (to visit k from the one before), before multipliers.
  double interval_hazard(std::size_t k) const { return drop_hazard_[k]; }
  /// The hazard multiplier of a GMFCS level.
  double level_multiplier(std::size_t level) const { return sc_.design.dropout_gmfcs_multiplier[level]; }
  /// Dropout on progress: the hazard of interval k for a child of level multiplier `gm` whose
  /// change at the previous visit was `prev`.
  double hazard(std::size_t k, double gm, double prev) const {
    return drop_hazard_[k] * gm * std::exp(sc_.design.dropout_per_point * prev);
  }
  /// A dropout month within (0, width] of an interval with constant hazard `rate` per month, given
  /// that the child drops out in it (the exponential truncated at width), from a uniform u on [0, 1).
  static double time_within(double u, double rate, double width) {
    return time_within(u, rate, width, std::expm1(-rate * width));
  }
  /// The same, given expm1(-rate * width) (an interval's constant, computed once).
  static double time_within(double u, double rate, double width, double expm1_of_minus_rate_width) {
    if (!(rate * width > 1e-300)) return u * width;
    return std::min(width, -std::log1p(u * expm1_of_minus_rate_width) / rate);
  }
  /// Missing at the primary visit completely at random (by level when the levels differ): sets
  /// out.observed from the children's levels (cp model, one simulated visit).
  void missing_mcar(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;
  /// The generic model's missingness at the primary visit: one draw per child when the hazard is not 0.
  void missing_generic(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;

 private:
  const Scenario& sc_;
  double lambda_ = 0;
  std::array<double, kMaxVisits> drop_hazard_{};  ///< cumulative hazard of each interval (before multipliers)
  /// Probability per child of being missing at the primary visit by level (MCAR case).
  std::array<double, kGmfcsLevels> p_missing_{};
  bool missing_by_level_ = false;  ///< p_missing_ differs between levels
};

}  // namespace celltrial

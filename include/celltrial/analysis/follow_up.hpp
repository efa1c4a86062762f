#pragma once
// What one trial followed over every scheduled visit shows (Model::follow_up()): per visit and
// arm, the share of children assessed, the mean change of those assessed and of every child as it
// happened (assessed or not: the difference is the bias of looking only at who stayed); per arm
// the share who dropped out and who had an intercurrent event by the last visit; and, in a
// delayed-treatment design, the second period's comparison: the delayed group's gain over the
// primary interval after its treatment against the early group's gain over its first, a Welch t
// test at the analysis's alpha (two-sided).
#include <array>
#include <cstdint>
#include <vector>

#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct DelayedResult {
  bool estimable = false;  ///< at least 2 children in each group with both assessments
  double estimate = 0;     ///< delayed gain - early gain
  double se = 0;
  double df = 0;           ///< Welch-Satterthwaite
  bool reject = false;     ///< two-sided at analysis.alpha
  double delayed_gain = 0, early_gain = 0;
  std::int64_t delayed_n = 0, early_n = 0;
};

struct FollowUpResult {
  std::size_t visits = 0;
  /// [v * arms + a]: share of the arm's children assessed at visit v; mean change of the assessed
  /// (NaN when none); mean change of all, as it happened.
  std::vector<double> observed_share, mean_observed, mean_all;
  std::array<double, kMaxArms> dropped_share{};  ///< dropped out by the last visit
  std::array<double, kMaxArms> event_share{};    ///< an intercurrent event by the last visit
  DelayedResult delayed;
};

class FollowUpAnalysis {
 public:
  /// The scenario's model must follow its children over time (Model::follow_up()).
  explicit FollowUpAnalysis(const Model& m);
  void analyse(const TrialData& d, FollowUpResult& out) const;
  bool delayed() const { return delayed_; }

 private:
  const Scenario& sc_;
  std::size_t visits_ = 0, arms_ = 0, primary_ = 0;
  bool delayed_ = false;
  std::size_t crossover_ = 0, after_ = 0;  ///< visits at the delayed start and one primary interval later
  std::size_t early_arm_ = 0, control_ = 0;
};

}  // namespace celltrial

#pragma once
// The follow-up of each child over every scheduled visit: the assessments the outcome model does
// not simulate itself (visits after the primary, and before it when dropout does not depend on
// progress), when the child drops out, intermittent missed visits, the shift of the unobserved
// trajectory after dropout (missing not at random), intercurrent events, and the delayed group's
// treatment (design.delayed_start_month).
//
// It runs after the outcome model has filled the primary visit, from streams of its own
// (Purpose::visits, follow_up, events, missed_visits, delayed), so that following children over
// time changes none of the outcome model's draws: without events, missed visits or a shift after
// dropout the primary visit's data are the same, bit for bit, whether or not the follow-up runs.
// For the generic outcome model the visits are GenericVisits' (model/generic_visits.hpp).
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "celltrial/model/effect.hpp"
#include "celltrial/model/generic_visits.hpp"
#include "celltrial/model/trajectory.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

class Model;
struct TrialData;

class FollowUp {
 public:
  /// `simulated_months`: the visits the outcome model simulates itself (the primary visit alone,
  /// or every visit up to it when dropout depends on progress).
  FollowUp(const Scenario& s, const std::vector<double>& simulated_months, double dropout_rate_per_month);

  /// Fills d's visit arrays for trial `trial` from the latent values the outcome model left in
  /// d.latent; updates d.change and d.observed at the primary visit when events, a shift after
  /// dropout or missed visits change them.
  void run(const Model& m, std::uint64_t seed, std::uint64_t trial, TrialData& d) const;

  std::size_t visits() const { return months_.size(); }
  std::size_t primary() const { return primary_; }
  const std::vector<double>& months() const { return months_; }
  /// Whether anything changes the primary visit's data (events, missed visits, a shift after
  /// dropout; for the generic model also dropout on progress).
  bool changes_primary() const { return changes_primary_; }
  /// The generic model's visits (nullptr for the cp model).
  const GenericVisits* generic() const { return generic_ ? &*generic_ : nullptr; }

 private:
  /// The treatment part of a child's change at `month` (arm's effect times the child's scale, plus
  /// heterogeneity scaled like the effect), for arm `arm`, `month` after its treatment.
  double treatment(std::size_t arm, double month, double scale, double het) const;

  const Scenario& sc_;
  std::vector<double> months_;
  std::size_t primary_ = 0;
  std::size_t simulated_ = 0;  ///< visits the outcome model simulates: 0..simulated_-1, or the primary alone
  bool on_progress_ = false;   ///< dropout depends on progress (the outcome model simulated visits up to the primary)
  double lambda_ = 0;          ///< dropout hazard per month before multipliers
  /// The outcome model's curve and effects at every scheduled visit (the same constants as the
  /// model's components at the visits both compute).
  Trajectory curve_;
  EffectModel effect_;
  int delayed_arm_ = -1;                     ///< arm whose product the control arm gets at delayed_start_month
  double delayed_month_ = 0;
  bool changes_primary_ = false;
  std::optional<GenericVisits> generic_;  ///< the generic outcome model's visits
};

}  // namespace celltrial

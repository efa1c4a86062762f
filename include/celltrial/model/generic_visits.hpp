#pragma once
// The generic endpoint at every scheduled visit: a child's value at visit v is
//   intercept_v + slope * baseline + effect(arm, month_v) + sham(month_v) + e_v,
// with its residuals e ~ MVN(0, D R D) (D the residual SDs by visit, R their correlation,
// population.generic), and its dropout, missed visits and shift after dropout over the visits.
//
// The outcome model draws the primary visit's residual as it always has (Purpose::outcomes) and
// leaves its standard normal in TrialData::Latent::residual; the other visits' residuals are drawn
// given it, from the conditional normal of the MVN, on the Purpose::visits stream. So following the
// children over time leaves the primary visit's values, bit for bit, as they are without it.
//
// Dropout is monotone with the constant hazard lambda of DropoutModel (P(lost by the last visit) =
// design.dropout.by_last_visit). Without dropout on progress the primary visit's outcome model
// decides who is lost by it (DropoutModel::missing_generic) and the month is drawn within that
// interval; after it, interval by interval from the same hazard. With
// design.dropout.per_point_of_progress (missing at random) the hazard in the interval after a
// visit is lambda * exp(beta * the change at that visit), from the first visit on, and decides the
// primary visit's `observed` too. Dropout months come from Purpose::follow_up, missed visits from
// Purpose::missed_visits (as in FollowUp, which runs this for the generic model).
#include <array>
#include <cstdint>
#include <vector>

#include "celltrial/model/effect.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct TrialData;

class GenericVisits {
 public:
  /// `dropout_rate_per_month`: lambda before multipliers (DropoutModel::rate_per_month()).
  GenericVisits(const Scenario& s, double dropout_rate_per_month);

  /// Fills d's visit arrays (values, statuses, dropout months) from d.baseline, d.arm, d.change at
  /// the primary visit and the primary residuals in d.latent; sets d.change and d.observed at the
  /// primary visit from them (the same values unless missed visits, a shift after dropout or
  /// dropout on progress change them).
  void run(std::uint64_t seed, std::uint64_t trial, TrialData& d) const;
  /// run()'s loop for every case. run() takes a faster one where it applies (no dropout on
  /// progress, missed visits or shift after dropout; 2 to 4 visits), which gives the same values,
  /// bit for bit (a test compares the two).
  void run_general(std::uint64_t seed, std::uint64_t trial, TrialData& d) const;

  std::size_t visits() const { return months_.size(); }
  std::size_t primary() const { return primary_; }
  /// The covariance of a child's residuals, D R D, row-major V x V.
  const std::vector<double>& covariance() const { return covariance_; }
  /// A child's expected value at visit v in arm a with this baseline, given the trial's effect scale.
  double mean(std::size_t v, std::size_t a, double baseline, double effect_scale) const {
    return intercept_[v] + slope_ * baseline + effect_.at_visit(a, v) * effect_scale + effect_.sham_at_visit(v);
  }

 private:
  const Scenario& sc_;
  std::vector<double> months_;
  std::size_t primary_ = 0;
  double slope_ = 0;
  std::vector<double> intercept_, sd_;
  std::vector<double> covariance_;
  /// Given the primary visit's standardised residual z_p, visit v's is r_[v] z_p + (L z)_v with z
  /// standard normals for the other visits (in visit order) and L L' = R_oo - r r' (the conditional
  /// correlation), L lower triangular over the other visits, row-major; then times the visit's SD.
  std::vector<double> r_;
  std::vector<double> chol_;
  std::vector<std::size_t> others_;  ///< the visits other than the primary, in order
  EffectModel effect_;
  double lambda_ = 0;
  /// expm1(-lambda width) of the interval ending at each visit, and of the months up to the primary one.
  std::vector<double> interval_expm1_;
  double primary_expm1_ = 0;
  std::array<double, kMaxArms> shift_{};      ///< shift after dropout per month, by arm
  std::array<bool, kMaxArms> treated_now_{};  ///< active arms: treated at month 0
  double beta_ = 0;   ///< design.dropout.per_point_of_progress
  bool on_progress_ = false;
  /// No dropout on progress, no missed visits, no shift after dropout, 1 to kPlainOthers other
  /// visits: run() takes run_plain().
  bool plain_ = false;
  static constexpr std::size_t kPlainOthers = 3;
  template <std::size_t O>
  void run_plain(std::uint64_t seed, std::uint64_t trial, TrialData& d) const;
  /// The per-visit constants the loops read, in local arrays of S entries: by other visit k
  /// (k < others_.size() <= S) its visit, r_, SD, intercept and sham effect, and by arm its effect
  /// times the trial's effect scale (mean() term by term, in the same order).
  template <std::size_t S>
  struct OtherVisits {
    std::array<std::size_t, S> other{};
    std::array<double, S> r{}, sd{}, intercept{}, sham{};
    std::array<std::array<double, S>, kMaxArms> effect{};
  };
  template <std::size_t S>
  OtherVisits<S> other_visits(const TrialData& d) const;
};

}  // namespace celltrial

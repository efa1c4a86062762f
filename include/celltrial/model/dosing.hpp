#pragma once
// Doses: the cord blood unit found at screening, the units of other UCB arms, MSC doses from body
// weight, and the dose known before randomisation. Unit draws come from the caller's dosing stream
// (Purpose::dosing in a trial, the estimand streams in the pre-runs).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "celltrial/core/random.hpp"
#include "celltrial/model/child.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

namespace detail {
// Draws an index from shares that sum to 1, with a uniform u.
template <std::size_t N>
int pick(const std::array<double, N>& shares, double u) {
  double c = 0;
  for (std::size_t k = 0; k + 1 < N; ++k) {
    c += shares[k];
    if (u < c) return static_cast<int>(k);
  }
  return static_cast<int>(N - 1);
}
}  // namespace detail

class Dosing {
 public:
  explicit Dosing(const Scenario& s);

  /// Draws a cord blood unit of `arm` for child c: its dose in TNC/kg, and its HLA mismatches in `hla`.
  double ucb_dose(const Arm& arm, const Child& c, Engine& dosing, int& hla) const;
  /// The MSC dose per kg of `arm` for child c (a fixed cell count over the child's weight, or per kg).
  static double msc_dose(const Arm& arm, const Child& c) {
    return arm.msc.fixed_cells > 0 ? arm.msc.fixed_cells / c.weight : arm.msc.cells_per_kg;
  }
  /// Dose per kg of arm a's product for a screened child: the screening unit for the screening
  /// UCB arm, a unit of its own (drawn from `dosing`, setting `hla`) for another UCB arm, from
  /// weight for MSC; 0 without a product.
  double dose_for(std::size_t a, const Child& c, Engine& dosing, int& hla) const {
    const Arm& arm = sc_.arms[a];
    if (arm.product == ProductType::ucb)
      return static_cast<int>(a) == screening_ucb_arm_ ? c.screening_dose : ucb_dose(arm, c, dosing, hla);
    if (arm.product == ProductType::msc) return msc_dose(arm, c);
    return 0.0;
  }
  /// The dose known before randomisation (TrialData::planned_dose).
  double planned_dose(const Child& c) const {
    if (screening_ucb_arm_ >= 0) return c.screening_dose;
    if (planned_msc_arm_ >= 0) return msc_dose(sc_.arms[static_cast<std::size_t>(planned_msc_arm_)], c);
    return 0.0;
  }
  /// The arm whose UCB product gives the unit found at screening (the first UCB arm); -1: none.
  int screening_ucb_arm() const { return screening_ucb_arm_; }
  /// The first active MSC arm (the planned dose when there is no UCB arm); -1: none.
  int planned_msc_arm() const { return planned_msc_arm_; }
  /// Whether any arm has a product (and so needs the children's weights).
  bool any_product() const { return any_product_; }

 private:
  const Scenario& sc_;
  int screening_ucb_arm_ = -1;
  int planned_msc_arm_ = -1;
  bool any_product_ = false;
};

inline double Dosing::ucb_dose(const Arm& arm, const Child& c, Engine& dosing, int& hla) const {
  const auto& u = arm.ucb;
  const int source = detail::pick(u.source_mix, uniform01(dosing));
  const auto& size = u.unit[static_cast<std::size_t>(source)];
  const double sigma = std::sqrt(std::log1p(size.cv * size.cv));
  const double per_kg = u.post_thaw_recovery / c.weight;
  double dose = size.median_tnc * std::exp(sigma * std_normal(dosing)) * per_kg;
  if (static_cast<UnitSource>(source) == UnitSource::public_bank && u.target_tnc_per_kg > 0) {
    // The bank offers further units until one reaches the target; else the largest is used.
    for (int k = 1; k < u.bank_choices && dose < u.target_tnc_per_kg; ++k)
      dose = std::max(dose, size.median_tnc * std::exp(sigma * std_normal(dosing)) * per_kg);
  }
  hla = static_cast<UnitSource>(source) == UnitSource::autologous ? 0 : detail::pick(u.hla_mismatch_mix, uniform01(dosing));
  return dose;
}

}  // namespace celltrial

#pragma once
// Adverse events: each child of an arm has a serious adverse event, and an infusion reaction,
// independently with the arm's risk, so each arm's count is Binomial(children in the arm, risk).
// One draw per arm and kind of event, by inversion, on the Purpose::safety stream. With fixed
// randomisation the arm sizes are known, and the count distributions are tabulated once.
#include <array>
#include <cstdint>

#include "celltrial/core/binomial.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct TrialData;

class SafetyModel {
 public:
  /// `fixed_arm_counts`: children per arm under fixed randomisation.
  SafetyModel(const Scenario& s, const std::array<std::int64_t, kMaxArms>& fixed_arm_counts);

  /// Sets out.totals.sae and out.totals.infusion from out.totals.n.
  void draw(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;

  double sae_risk(std::size_t a) const { return p_sae_[a]; }
  double infusion_risk(std::size_t a) const { return p_infusion_[a]; }

 private:
  std::size_t arms_ = 0;
  bool fixed_ = false;  ///< fixed randomisation
  std::array<double, kMaxArms> p_sae_{}, p_infusion_{};
  /// Fixed randomisation: Binomial(arm size, risk) per arm.
  std::array<BinomialInverse, kMaxArms> sae_count_{}, infusion_count_{};
};

}  // namespace celltrial

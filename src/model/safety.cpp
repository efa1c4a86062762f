#include "celltrial/model/safety.hpp"

#include "celltrial/core/random.hpp"
#include "celltrial/model/model.hpp"

namespace celltrial {

SafetyModel::SafetyModel(const Scenario& s, const std::array<std::int64_t, kMaxArms>& fixed_arm_counts)
    : arms_(s.arms.size()), fixed_(s.design.randomisation == Randomisation::fixed) {
  for (std::size_t a = 0; a < arms_; ++a) {
    p_sae_[a] = s.arms[a].safety.sae_risk;
    p_infusion_[a] = s.arms[a].safety.infusion_reaction_risk;
  }
  for (std::size_t a = 0; a < arms_; ++a) {
    sae_count_[a] = BinomialInverse(fixed_arm_counts[a], p_sae_[a]).tabulated();
    infusion_count_[a] = BinomialInverse(fixed_arm_counts[a], p_infusion_[a]).tabulated();
  }
}

void SafetyModel::draw(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  // Serious adverse events, then infusion reactions, each arm in turn.
  Engine saf = make_stream(seed, trial, Purpose::safety);
  auto counts = [&](const std::array<BinomialInverse, kMaxArms>& fixed_count, const std::array<double, kMaxArms>& risk,
                    std::array<std::int64_t, kMaxArms>& total) {
    for (std::size_t a = 0; a < arms_; ++a) {
      const double u = uniform01(saf);
      total[a] = fixed_ ? fixed_count[a](u) : BinomialInverse(out.totals.n[a], risk[a])(u);
    }
  };
  counts(sae_count_, p_sae_, out.totals.sae);
  counts(infusion_count_, p_infusion_, out.totals.infusion);
}

}  // namespace celltrial

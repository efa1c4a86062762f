// The description of a trial's randomised children: safety counts, doses and who was enrolled,
// from the totals the model keeps while filling the children.
#include <limits>

#include "celltrial/analysis/trial_analysis.hpp"

namespace celltrial {

void describe_trial(const Scenario& s, const TrialData& d, TrialResult& out) {
  const std::size_t arms = s.arms.size();
  const auto& t = d.totals;
  const auto& n = t.n;
  const auto& sae = t.sae;
  const double total = static_cast<double>(d.size());
  const bool cp = s.population.outcome_model == OutcomeModel::cp;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.mean_age = cp ? t.age / total : nan;
  out.share_under_5 = cp ? static_cast<double>(t.under_5) / total : nan;
  out.share_gmfcs_1_3 = cp ? static_cast<double>(t.gmfcs_1_3) / total : nan;
  out.accrual_months = d.accrual_months;
  out.duration_months = d.duration_months;
  for (std::size_t a = 0; a < arms; ++a) {
    out.sae[a] = sae[a];
    out.infusion[a] = t.infusion[a];
    out.mean_dose[a] = s.arms[a].product != ProductType::none && n[a] > 0
                           ? t.dose[a] / static_cast<double>(n[a]) / Model::dose_unit(s.arms[a].product)
                           : nan;
  }
  const std::size_t ctl = s.control_arm();
  const auto active = s.active_arms();
  for (std::size_t c = 0; c < active.size(); ++c) {
    const std::size_t a = active[c];
    out.sae_difference_exceeds[c] =
        n[a] > 0 && n[ctl] > 0 &&
        static_cast<double>(sae[a]) / static_cast<double>(n[a]) - static_cast<double>(sae[ctl]) / static_cast<double>(n[ctl]) >
            s.analysis.sae_difference_threshold;
  }
}

}  // namespace celltrial

#include "celltrial/model/trajectory.hpp"

#include "celltrial/core/error.hpp"

namespace celltrial {

Trajectory::Trajectory(const Scenario& s, const std::vector<double>& visit_months) : sc_(s) {
  const std::size_t visits = visit_months.size();
  CELLTRIAL_ASSERT(visits <= kMaxVisits);
  for (std::size_t i = 0; i < kGmfcsLevels; ++i) {
    rate_months_[i] = s.population.cp.curves[i].age90_years * 12.0 / std::log(10.0);
    for (std::size_t k = 0; k < visits; ++k) gain_fraction_[i][k] = 1.0 - std::exp(-visit_months[k] / rate_months_[i]);
    neg_inv_rate_[i] = -1 / rate_months_[i];
  }
  for (std::size_t k = 0; k < visits; ++k) visit_years_[k] = visit_months[k] / 12.0;
  noise_sd_ = std::hypot(s.population.cp.measurement_sd, s.population.cp.occasion_sd);
  decline_on_ = s.population.outcome_model == OutcomeModel::cp && s.population.cp.decline.enabled;
}

double Trajectory::expected_change(int level, double age_months, double months) const {
  const auto l = static_cast<std::size_t>(level);
  const double rate = rate_months_[l];
  const double gain = sc_.population.cp.curves[l].limit * std::exp(-age_months / rate) * -std::expm1(-months / rate);
  return gain - (decline(level, age_months + months) - decline(level, age_months));
}

}  // namespace celltrial

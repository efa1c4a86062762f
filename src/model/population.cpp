#include "celltrial/model/population.hpp"

namespace celltrial {

PopulationModel::PopulationModel(const Scenario& s, const Dosing& dosing) : sc_(s) {
  const bool cp = s.population.outcome_model == OutcomeModel::cp;
  double c = 0;
  for (std::size_t i = 0; i < kGmfcsLevels; ++i) mix_cdf_[i] = (c += s.population.cp.mix[i]);
  mix_cdf_.back() = 1.0;
  for (std::size_t k = 0; k + 1 < kGmfcsLevels; ++k) mix_below_[k] = below_threshold(mix_cdf_[k]);
  mix_below_.back() = ~std::uint64_t{0};
  for (std::size_t b = 0; b < mix_guide_.size(); ++b) {
    std::uint8_t l = 0;
    while ((std::uint64_t{b} << 45) >= mix_below_[l]) ++l;
    mix_guide_[b] = l;
  }
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
    mix_start_[l] = l ? mix_below_[l - 1] : 0;
    const std::uint64_t end = l + 1 < kGmfcsLevels ? mix_below_[l] : std::uint64_t{1} << 53;
    mix_inv_width_[l] = end > mix_start_[l] ? 1.0 / static_cast<double>(end - mix_start_[l]) : 0.0;
  }

  const auto& age = s.population.age;
  age_uniform_ = age.distribution == AgeDistribution::uniform;
  age_min_ = age.min_months;
  age_span_ = age.max_months - age.min_months;
  if (age.distribution == AgeDistribution::lognormal) {
    const double s2 = std::log1p(age.sd_months * age.sd_months / (age.mean_months * age.mean_months));
    lognormal_sigma_ = std::sqrt(s2);
    lognormal_mu_ = std::log(age.mean_months) - s2 / 2;
  }
  if (age.distribution == AgeDistribution::table) {
    double t = 0;
    for (double w : age.table_weights) age_table_cdf_.push_back(t += w);
    for (double& x : age_table_cdf_) x /= t;
  }

  const auto& el = s.population.eligibility;
  bool sex_subgroup = false;
  for (const auto& g : s.analysis.subgroups) sex_subgroup = sex_subgroup || g.sex >= 0;
  needs_weight_ = cp && (dosing.any_product() || el.min_weight_kg > 0 || el.max_weight_kg < 1000);
  // With weights, sex is drawn with them at screening; without, only a subgroup needs it.
  sex_own_stream_ = cp && sex_subgroup && !needs_weight_;
  // Every draw passes screening when the ages cannot leave the age limits and every level that
  // can be drawn may enrol (ages grow with the draw within a level, up to at most min + span).
  all_eligible_ = age_min_ >= el.min_age_months && age_min_ + age_span_ <= el.max_age_months;
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) all_eligible_ = all_eligible_ && (el.gmfcs[l] || mix_inv_width_[l] == 0);
}

}  // namespace celltrial

#include "celltrial/model/effect.hpp"

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"

namespace celltrial {

EffectModel::EffectModel(const Scenario& s, const std::vector<double>& visit_months, std::size_t primary)
    : sc_(s), arms_(s.arms.size()), visits_(visit_months.size()), primary_(primary) {
  CELLTRIAL_ASSERT(arms_ <= kMaxArms && visits_ <= kMaxVisits && primary_ < visits_);
  for (std::size_t a = 0; a < arms_; ++a)
    for (std::size_t k = 0; k < visits_; ++k)
      effect_visit_[a][k] = s.arms[a].role == ArmRole::active ? effect_at(s.arms[a], visit_months[k]) : 0.0;
  for (std::size_t k = 0; k < visits_; ++k) sham_visit_[k] = interpolate_by_month(s.design.sham_effect_by_month, visit_months[k]);
  for (std::size_t a = 0; a < arms_; ++a) {
    const double primary_effect = effect_visit_[a][primary_];
    for (std::size_t k = 0; k < visits_; ++k) het_visit_[a][k] = primary_effect != 0 ? effect_visit_[a][k] / primary_effect : 1.0;
  }
  for (const auto& a : s.arms) any_prior_ = any_prior_ || a.effect_prior.kind != PriorKind::none;

  for (std::size_t a = 0; a < arms_; ++a) {
    const Arm& arm = s.arms[a];
    ArmPlan& p = plan_[a];
    p.active = arm.role == ArmRole::active;
    const auto& m = arm.modifiers;
    p.simple_multiplier = m.age_breaks_months.empty() && arm.dose_response.model == DoseResponseModel::none;
    // The factors in the order multiplier() applies them, so both give the same value.
    for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
      double mult = m.age_multipliers[0] * m.gmfcs[l];
      if (arm.product == ProductType::msc) {
        mult *= arm.msc.route_multiplier[static_cast<std::size_t>(arm.msc.route)];
        if (!arm.msc.dose_count_multiplier.empty())
          mult *= arm.msc.dose_count_multiplier[static_cast<std::size_t>(arm.msc.doses - 1)];
      }
      p.level_mult[l] = mult;
    }
    if (arm.product == ProductType::ucb) p.hla_mult = m.hla_mismatch;
    p.heterogeneity = arm.heterogeneity.model;
    p.het_sd = arm.heterogeneity.sd;
    p.responder_fraction = arm.heterogeneity.responder_fraction;
    fixed_by_level_ = fixed_by_level_ && p.simple_multiplier && (!p.active || p.heterogeneity == Heterogeneity::none);
  }
}

void EffectModel::draw_scales(std::uint64_t seed, std::uint64_t trial, std::array<double, kMaxArms>& scale) const {
  scale.fill(1.0);
  if (!any_prior_) return;
  Engine g = make_stream(seed, trial, Purpose::prior);
  for (std::size_t a = 0; a < arms_; ++a) {
    const Arm& arm = sc_.arms[a];
    const EffectPrior& q = arm.effect_prior;
    if (q.kind == PriorKind::none) continue;
    double e = q.mean;
    switch (q.kind) {
      case PriorKind::none: break;
      case PriorKind::normal: e = q.mean + q.sd * std_normal(g); break;
      case PriorKind::truncated_normal:
        do e = q.mean + q.sd * std_normal(g);  // validation keeps at least 0.1 % of the mass
        while (e < q.lower || e > q.upper);
        break;
      case PriorKind::discrete: {
        double total = 0;
        for (double w : q.weights) total += w;
        const double u = uniform01(g) * total;
        double c = 0;
        std::size_t k = 0;
        for (; k + 1 < q.values.size(); ++k)
          if (u < (c += q.weights[k])) break;
        e = q.values[k];
        break;
      }
    }
    scale[a] = e / effect_visit_[a][primary_];
  }
}

}  // namespace celltrial

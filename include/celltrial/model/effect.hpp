#pragma once
// What the therapy does for a child: each arm's base effect at the simulated visits, the child's
// multiplier (age band, GMFCS level, HLA mismatches, MSC route and dose count, dose-response),
// between-child heterogeneity, the sham effect, and the per-trial draw from each arm's effect prior
// (Purpose::prior).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/model/child.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

class EffectModel {
 public:
  /// Per-arm constants of the child loop.
  struct ArmPlan {
    bool active = false;
    /// The effect multiplier is level_mult[level] * hla_mult[hla] (no age bands, no dose-response).
    bool simple_multiplier = true;
    std::array<double, kGmfcsLevels> level_mult{};
    std::array<double, kHlaLevels> hla_mult{1, 1, 1};
    Heterogeneity heterogeneity = Heterogeneity::none;
    double het_sd = 0, responder_fraction = 1;
  };

  /// Constants at `visit_months` (at most kMaxVisits), of which visit `primary` is the primary
  /// visit: the model's simulated visits (the primary the last), or every scheduled visit (FollowUp).
  EffectModel(const Scenario& s, const std::vector<double>& visit_months, std::size_t primary);

  const ArmPlan& plan(std::size_t a) const { return plan_[a]; }
  /// A child's own deviation from its expected effect, drawn from `g` (the effect stream, or the
  /// delayed group's): with normal heterogeneity `het` (points at the primary visit); with
  /// responders the child responds with `scale` / fraction or not at all. Returns the scale.
  static double individual(const ArmPlan& p, double scale, Engine& g, double& het) {
    if (p.heterogeneity == Heterogeneity::normal) het = p.het_sd * std_normal(g);
    if (p.heterogeneity == Heterogeneity::responders) scale = uniform01(g) < p.responder_fraction ? scale / p.responder_fraction : 0.0;
    return scale;
  }
  /// Arm a's base effect at visit k (0 on control).
  double at_visit(std::size_t a, std::size_t k) const { return effect_visit_[a][k]; }
  /// Heterogeneity at visit k per unit at the primary visit (1 when the primary effect is 0).
  double het_at_visit(std::size_t a, std::size_t k) const { return het_visit_[a][k]; }
  double sham_at_visit(std::size_t k) const { return sham_visit_[k]; }
  /// Every arm's multiplier is simple (ArmPlan::simple_multiplier) and no active arm has
  /// heterogeneity: a child's effect is fixed by arm and level.
  bool fixed_by_level() const { return fixed_by_level_; }
  bool any_prior() const { return any_prior_; }

  /// The dose-response factor of `arm` at a dose per kg (1 at the reference dose).
  static double dose_response(const Arm& arm, double dose);
  /// Expected effect multiplier for a child (dose-response x modifiers), before heterogeneity.
  static double multiplier(const Arm& arm, const Child& c, double dose, int hla);
  /// Each arm's factor for this trial from its effect prior (a draw on the Purpose::prior stream
  /// divided by the arm's effect at the primary visit); 1 for arms without a prior.
  void draw_scales(std::uint64_t seed, std::uint64_t trial, std::array<double, kMaxArms>& scale) const;

 private:
  const Scenario& sc_;
  std::size_t arms_ = 0, visits_ = 0, primary_ = 0;
  std::array<ArmPlan, kMaxArms> plan_{};
  std::array<std::array<double, kMaxVisits>, kMaxArms> effect_visit_{};  ///< base effect at visit k
  std::array<double, kMaxVisits> sham_visit_{};
  std::array<std::array<double, kMaxVisits>, kMaxArms> het_visit_{};
  bool fixed_by_level_ = true;
  bool any_prior_ = false;
};

inline double EffectModel::dose_response(const Arm& arm, double dose) {
  const auto& d = arm.dose_response;
  auto f = [&](double x) {
    switch (d.model) {
      case DoseResponseModel::none: return 1.0;
      case DoseResponseModel::step: return x >= d.threshold ? 1.0 : d.below_fraction;
      case DoseResponseModel::emax: {
        const double xh = std::pow(x, d.hill);
        return xh / (std::pow(d.ed50, d.hill) + xh);
      }
      case DoseResponseModel::loglinear:
        return std::max(0.0, 1.0 + d.slope_per_log * std::log(std::max(x, 1e-300) / d.reference_dose));
    }
    return 1.0;
  };
  const double ref = f(d.reference_dose);
  return ref > 0 ? f(dose) / ref : 0.0;
}

inline double EffectModel::multiplier(const Arm& arm, const Child& c, double dose, int hla) {
  const auto& m = arm.modifiers;
  std::size_t band = 0;
  while (band < m.age_breaks_months.size() && c.age >= m.age_breaks_months[band]) ++band;
  double mult = m.age_multipliers[band] * m.gmfcs[static_cast<std::size_t>(c.level)];
  if (arm.product == ProductType::ucb) mult *= m.hla_mismatch[static_cast<std::size_t>(hla)];
  if (arm.product == ProductType::msc) {
    mult *= arm.msc.route_multiplier[static_cast<std::size_t>(arm.msc.route)];
    if (!arm.msc.dose_count_multiplier.empty())
      mult *= arm.msc.dose_count_multiplier[static_cast<std::size_t>(arm.msc.doses - 1)];
  }
  if (arm.dose_response.model != DoseResponseModel::none) mult *= dose_response(arm, dose);
  return mult;
}

}  // namespace celltrial

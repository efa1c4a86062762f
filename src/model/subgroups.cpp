#include "celltrial/model/subgroups.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace celltrial {

SubgroupTruth subgroup_truth(const Model& m) {
  const Scenario& s = m.scenario();
  const auto& gs = s.analysis.subgroups;
  const auto active = s.active_arms();
  const std::size_t C = active.size(), G = gs.size();
  SubgroupTruth t;
  t.inside.assign(G * C, 0.0);
  t.outside.assign(G * C, 0.0);
  t.inside_mc_se.assign(G * C, 0.0);
  t.outside_mc_se.assign(G * C, 0.0);
  t.prevalence.assign(G, 0.0);
  t.prevalence_mc_se.assign(G, 0.0);
  if (G == 0) return t;
  const double primary = s.analysis.primary_visit_months;
  if (s.population.outcome_model != OutcomeModel::cp) {
    // The generic endpoint has no child attributes: validation allows no subgroup here.
    for (std::size_t k = 0; k < G * C; ++k) t.inside[k] = t.outside[k] = effect_at(s.arms[active[k % C]], primary);
    return t;
  }
  int ucb_arm = -1, msc_arm = -1;
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    if (s.arms[a].product == ProductType::ucb && ucb_arm < 0) ucb_arm = static_cast<int>(a);
    if (s.arms[a].role == ArmRole::active && s.arms[a].product == ProductType::msc && msc_arm < 0) msc_arm = static_cast<int>(a);
  }
  // Its own streams (trial indices 2 and 3 of the estimand purpose; the model's pre-run uses 0, 1).
  Engine pop = make_stream(s.simulation.seed, 2, Purpose::estimand);
  Engine dosing = make_stream(s.simulation.seed, 3, Purpose::estimand);
  constexpr std::uint64_t kChildren = 200000;
  std::vector<double> sum_in(G * C, 0.0), sq_in(G * C, 0.0), sum_out(G * C, 0.0), sq_out(G * C, 0.0);
  std::vector<std::uint64_t> n_in(G, 0);
  // Extremes per slot: when every child has the same effect, the truth is that value exactly.
  std::vector<double> lo_in(G * C, 1e300), hi_in(G * C, -1e300), lo_out(G * C, 1e300), hi_out(G * C, -1e300);
  std::vector<double> e(C);
  for (std::uint64_t i = 0; i < kChildren; ++i) {
    Model::Child c;
    m.screen(pop, dosing, c);
    for (std::size_t k = 0; k < C; ++k) {
      const Arm& arm = s.arms[active[k]];
      int hla = c.hla;
      double dose = 0;
      if (arm.product == ProductType::ucb)
        dose = static_cast<int>(active[k]) == ucb_arm ? c.screening_dose : m.ucb_dose(arm, c, dosing, hla);
      else if (arm.product == ProductType::msc)
        dose = m.msc_dose(arm, c);
      e[k] = effect_at(arm, primary) * m.effect_multiplier(arm, c, dose, hla);
    }
    const double planned = ucb_arm >= 0 ? c.screening_dose
                           : msc_arm >= 0 ? m.msc_dose(s.arms[static_cast<std::size_t>(msc_arm)], c)
                                          : 0.0;
    for (std::size_t g = 0; g < G; ++g) {
      const bool in = in_subgroup(gs[g], c.age, c.level, c.male, planned, c.hla);
      n_in[g] += in;
      for (std::size_t k = 0; k < C; ++k) {
        const std::size_t x = g * C + k;
        (in ? sum_in : sum_out)[x] += e[k];
        (in ? sq_in : sq_out)[x] += e[k] * e[k];
        auto& lo = in ? lo_in[x] : lo_out[x];
        auto& hi = in ? hi_in[x] : hi_out[x];
        lo = std::min(lo, e[k]);
        hi = std::max(hi, e[k]);
      }
    }
  }
  const double n = static_cast<double>(kChildren);
  for (std::size_t g = 0; g < G; ++g) {
    const double ni = static_cast<double>(n_in[g]), no = n - ni;
    t.prevalence[g] = ni / n;
    t.prevalence_mc_se[g] = std::sqrt(t.prevalence[g] * (1 - t.prevalence[g]) / n);
    for (std::size_t k = 0; k < C; ++k) {
      const std::size_t x = g * C + k;
      auto fill = [](double sum, double sq, double cnt, double lo, double hi, double& mean, double& se) {
        if (cnt <= 0) {
          mean = std::numeric_limits<double>::quiet_NaN();
          se = 0;
          return;
        }
        if (lo == hi) {  // the same effect for every child
          mean = lo;
          se = 0;
          return;
        }
        mean = sum / cnt;
        se = std::sqrt(std::max(0.0, sq / cnt - mean * mean) / cnt);
      };
      fill(sum_in[x], sq_in[x], ni, lo_in[x], hi_in[x], t.inside[x], t.inside_mc_se[x]);
      fill(sum_out[x], sq_out[x], no, lo_out[x], hi_out[x], t.outside[x], t.outside_mc_se[x]);
    }
  }
  return t;
}

}  // namespace celltrial

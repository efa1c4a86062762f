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
  // Every subgroup condition needs the cp model (validation), so the generic endpoint has none.
  CELLTRIAL_ASSERT(s.population.outcome_model == OutcomeModel::cp);
  // Its own streams (trial indices 2, 3 and 4 of the estimand purpose; the model's pre-run uses 0, 1).
  Engine pop = make_stream(s.simulation.seed, 2, Purpose::estimand);
  Engine dosing = make_stream(s.simulation.seed, 3, Purpose::estimand);
  Engine sex = make_stream(s.simulation.seed, 4, Purpose::estimand);
  const std::uint64_t children = m.pre_run_sizes().subgroup_children;
  std::vector<double> sum_in(G * C, 0.0), sq_in(G * C, 0.0), sum_out(G * C, 0.0), sq_out(G * C, 0.0);
  std::vector<std::uint64_t> n_in(G, 0);
  // Extremes per slot: when every child has the same effect, the truth is that value exactly.
  std::vector<double> lo_in(G * C, 1e300), hi_in(G * C, -1e300), lo_out(G * C, 1e300), hi_out(G * C, -1e300);
  std::vector<double> e(C);
  for (std::uint64_t i = 0; i < children; ++i) {
    Model::Child c;
    m.screen(pop, dosing, c);
    if (m.sex_from_own_stream()) c.male = uniform01(sex) < s.population.male_fraction;
    for (std::size_t k = 0; k < C; ++k) {
      const Arm& arm = s.arms[active[k]];
      int hla = c.hla;
      const double dose = m.dose_for(active[k], c, dosing, hla);
      e[k] = estimated_effect(s, arm) * m.effect_multiplier(arm, c, dose, hla);
    }
    const double planned = m.planned_dose(c);
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
  const double n = static_cast<double>(children);
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

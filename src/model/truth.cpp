#include "celltrial/model/truth.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
// Whether every child of the arm has the arm's effect: no modifier or dose-response changes it.
bool trivial_modifiers(const Arm& a) {
  const auto& m = a.modifiers;
  bool t = m.age_breaks_months.empty() && m.age_multipliers.size() == 1 && m.age_multipliers[0] == 1;
  for (double x : m.gmfcs) t = t && x == 1;
  for (double x : m.hla_mismatch) t = t && x == 1;
  if (a.product == ProductType::msc) {
    t = t && a.msc.route_multiplier[static_cast<std::size_t>(a.msc.route)] == 1;
    t = t && (a.msc.dose_count_multiplier.empty() ||
              a.msc.dose_count_multiplier[static_cast<std::size_t>(a.msc.doses - 1)] == 1);
  }
  return t && a.dose_response.model == DoseResponseModel::none;
}
}  // namespace

Truth compute_truth(const Model& m) {
  const Scenario& sc = m.scenario();
  Truth t;
  const auto active = sc.active_arms();
  for (std::size_t a : active) t.effect.push_back(estimated_effect(sc, sc.arms[a]));
  t.effect_mc_se.assign(active.size(), 0.0);
  if (sc.population.outcome_model != OutcomeModel::cp) return t;

  const auto& el = sc.population.eligibility;
  bool exact = true;
  for (std::size_t a : active) exact = exact && trivial_modifiers(sc.arms[a]);
  const bool restrictive = el.min_weight_kg > 0 || el.max_weight_kg < 1000 || el.min_ucb_tnc_per_kg > 0 ||
                           std::find(el.gmfcs.begin(), el.gmfcs.end(), false) != el.gmfcs.end();
  if (exact && !restrictive) return t;

  // Pre-run on a dedicated stream: the mean expected effect over eligible children, and the
  // screening yield.
  const PopulationModel& population = m.population();
  const Dosing& dosing_model = m.dosing();
  Engine pop = make_stream(sc.simulation.seed, 0, Purpose::estimand);
  Engine dosing = make_stream(sc.simulation.seed, 1, Purpose::estimand);
  const PreRunSizes& sizes = m.pre_run_sizes();
  const std::uint64_t want = exact ? sizes.eligible_exact : sizes.eligible, max_screened = sizes.max_screened;
  std::uint64_t screened = 0, eligible = 0;
  std::vector<double> sum(active.size(), 0.0), sum2(active.size(), 0.0);
  Child c;
  while (eligible < want && screened < max_screened) {
    // Screen one child at a time so that the yield is counted exactly.
    population.draw_child(pop, c);
    ++screened;
    if (!population.eligible(c, dosing_model, dosing)) continue;
    ++eligible;
    for (std::size_t k = 0; k < active.size(); ++k) {
      const Arm& arm = sc.arms[active[k]];
      int hla = c.hla;
      const double dose = dosing_model.dose_for(active[k], c, dosing, hla);
      const double e = t.effect[k] * EffectModel::multiplier(arm, c, dose, hla);
      sum[k] += e;
      sum2[k] += e * e;
    }
  }
  t.screening_yield = screened ? static_cast<double>(eligible) / static_cast<double>(screened) : 0.0;
  if (eligible == 0 || t.screening_yield < 1e-4) {
    const std::string what =
        eligible == 0 ? "no child meets the eligibility criteria (0 of " + std::to_string(screened) + " screened)."
                      : "only " + format_number(t.screening_yield) +
                            " of screened children meet the eligibility criteria (fewer than 1 in 10,000).";
    throw Error(ExitCode::data,
                Diagnostic{sc.where("population.eligibility"), "population.eligibility", what,
                           "relax the age, GMFCS, weight or dose limits, or change the unit sizes (a dose floor may be "
                           "out of reach of the units' TNC)."});
  }
  if (!exact) {
    t.exact = false;
    const double n = static_cast<double>(eligible);
    for (std::size_t k = 0; k < active.size(); ++k) {
      const double mean = sum[k] / n;
      t.effect[k] = mean;
      t.effect_mc_se[k] = std::sqrt(std::max(0.0, sum2[k] / n - mean * mean) / n);
    }
  }
  return t;
}

void add_follow_up_to_truth(const Model& m, Truth& t) {
  const Scenario& sc = m.scenario();
  const auto& d = sc.design;
  const FollowUp* follow = m.follow_up();
  const bool events = !d.intercurrent_events.empty();
  const bool hypothetical = sc.analysis.estimand == Estimand::hypothetical;
  if (!follow || (!d.mnar() && (!events || hypothetical))) return;
  // What the events and the shift after dropout add to each arm's mean change at the estimated
  // visit, from trials simulated on trial numbers no run uses (2^40 on). The shift is part of
  // both estimands (it is what the unobserved children's outcomes are); the events only of the
  // treatment policy.
  const std::size_t n = static_cast<std::size_t>(sc.design.sample_size), A = sc.arms.size();
  // The visits the analysis estimates at (the primary one, or the MMRM's averaged visits).
  std::vector<std::size_t> at_visits;
  for (double month : estimated_months(sc))
    for (std::size_t v = 0; v < follow->months().size(); ++v)
      if (follow->months()[v] == month) at_visits.push_back(v);
  const double share = 1.0 / static_cast<double>(at_visits.size());
  const std::uint64_t trials = std::max<std::uint64_t>(1, (m.pre_run_sizes().eligible + n - 1) / n);
  std::vector<double> sum(A, 0.0), sum2(A, 0.0), count(A, 0.0);
  TrialData data;
  for (std::uint64_t i = 0; i < trials; ++i) {
    m.simulate(sc.simulation.seed, (std::uint64_t{1} << 40) + i, data);
    const std::size_t V = data.visits;
    for (std::size_t j = 0; j < data.size(); ++j) {
      const std::size_t a = data.arm[j];
      const double out = data.dropout_month[j];
      double x = 0;
      for (std::size_t v : at_visits) {
        const std::size_t at = j * V + v;
        const double month = follow->months()[v];
        if (!hypothetical) x += share * (data.visit_change[at] - data.hypothetical[at]);
        if (!std::isnan(out) && month > out) x += share * d.mnar_shift(a) * (month - out);
      }
      sum[a] += x;
      sum2[a] += x * x;
      count[a] += 1;
    }
  }
  const std::size_t control = sc.control_arm();
  auto mean = [&](std::size_t a) { return sum[a] / count[a]; };
  auto var_of_mean = [&](std::size_t a) { return std::max(0.0, sum2[a] / count[a] - mean(a) * mean(a)) / count[a]; };
  const auto active = sc.active_arms();
  for (std::size_t k = 0; k < active.size(); ++k) {
    const std::size_t a = active[k];
    t.effect[k] += mean(a) - mean(control);
    t.effect_mc_se[k] = std::sqrt(t.effect_mc_se[k] * t.effect_mc_se[k] + var_of_mean(a) + var_of_mean(control));
  }
  t.exact = false;
  t.follow_up_trials = trials;
}

}  // namespace celltrial

#include "celltrial/design/run_characteristics.hpp"

#include <limits>
#include <utility>

#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

AnalysisCharacteristics analysis_characteristics(const Scenario& s) {
  AnalysisCharacteristics a;
  a.method = to_string(s.analysis.method);
  a.primary_visit_months = s.analysis.primary_visit_months;
  a.alpha = s.analysis.alpha;
  a.sides = s.analysis.sides;
  a.multiplicity = to_string(s.analysis.multiplicity);
  // The estimand is named wherever it makes a difference: intercurrent events, or a model that
  // could drop the data after them.
  if (!s.design.intercurrent_events.empty() || s.analysis.method == AnalysisMethod::mmrm ||
      s.analysis.estimand != Estimand::treatment_policy)
    a.estimand = to_string(s.analysis.estimand);
  return a;
}

std::vector<ArmCharacteristics> arm_characteristics(const Scenario& s, const Accumulator& acc) {
  std::vector<ArmCharacteristics> out;
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    const ArmAccumulator& x = acc.arm(a);
    ArmCharacteristics k;
    k.name = s.arms[a].name;
    k.role = to_string(s.arms[a].role);
    k.product = to_string(s.arms[a].product);
    k.randomised_mean = x.randomised.mean();
    k.analysed_mean = {x.analysed.mean(), x.analysed.mc_se()};
    k.mean_change = {x.mean_change.mean(), x.mean_change.mc_se()};
    k.sae = {x.sae.mean(), x.sae.mc_se()};
    k.infusion_reactions = {x.infusion.mean(), x.infusion.mc_se()};
    k.mean_dose = {x.mean_dose.count() ? x.mean_dose.mean() : kNaN, x.mean_dose.count() > 1 ? x.mean_dose.mc_se() : kNaN};
    k.dose_unit = s.arms[a].product == ProductType::ucb   ? "1e7 TNC/kg"
                  : s.arms[a].product == ProductType::msc ? "1e6 cells/kg per dose"
                                                           : "";
    out.push_back(std::move(k));
  }
  return out;
}

SampleSizeCharacteristics sample_size_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  // Every trial randomises the design's sample size: the mean is that constant, with no MC error,
  // and the ratio's MC error is the screened count's divided by it. Trials that stop early at a
  // look randomise fewer children: then the expected number with its MC error.
  const Estimate randomised = s.design.interims.active()
                                  ? Estimate{acc.interims().sample_size.moments.mean(), acc.interims().sample_size.moments.mc_se()}
                                  : Estimate{static_cast<double>(s.design.sample_size), 0.0};
  SampleSizeCharacteristics k;
  k.randomised_mean = randomised;
  k.analysed_mean = {acc.analysed_total().mean(), acc.analysed_total().mc_se()};
  k.screened = {acc.screened().mean(), acc.screened().mc_se()};
  k.screened_per_randomised = {acc.screened().mean() / randomised.value, acc.screened().mc_se() / randomised.value};
  k.screening_yield_prerun = truth.screening_yield;
  return k;
}

EnrolledCharacteristics enrolled_characteristics(const Accumulator& acc) {
  return {{acc.mean_age().mean(), acc.mean_age().mc_se()},
          {acc.share_under_5().mean(), acc.share_under_5().mc_se()},
          {acc.share_gmfcs_1_3().mean(), acc.share_gmfcs_1_3().mc_se()}};
}

Distribution distribution(const DistributionAccumulator& d, const char* unit) {
  Distribution x;
  x.mean = {d.moments.mean(), d.moments.mc_se()};
  x.sd = d.moments.sd();
  x.q05 = d.histogram.quantile(0.05);
  x.q25 = d.histogram.quantile(0.25);
  x.q50 = d.histogram.quantile(0.5);
  x.q75 = d.histogram.quantile(0.75);
  x.q95 = d.histogram.quantile(0.95);
  x.quantile_relative_resolution = QuantileHistogram::kRelativeResolution;
  x.unit = unit;
  x.trials = d.moments.count();
  return x;
}

FollowUpCharacteristics follow_up_characteristics(const Scenario& s, const FollowUpAccumulator& f) {
  FollowUpCharacteristics x;
  for (std::size_t v = 0; v < f.visits; ++v) {
    Visit visit;
    visit.month = s.design.visits_months[v];
    for (std::size_t a = 0; a < f.arms; ++a) {
      const std::size_t k = v * f.arms + a;
      visit.arms.push_back({s.arms[a].name, trial_mean(f.observed_share[k]), trial_mean(f.mean_observed[k]),
                            trial_mean(f.mean_all[k])});
    }
    x.visits.push_back(std::move(visit));
  }
  for (std::size_t a = 0; a < f.arms; ++a)
    x.arms.push_back({s.arms[a].name, trial_mean(f.dropped_share[a]), trial_mean(f.event_share[a])});
  for (const auto& e : s.design.intercurrent_events) x.intercurrent_events.push_back(e.name);
  x.note =
      "mean_change_all is every child's change as it happened, assessed or not (the simulation knows it); against "
      "mean_change_observed it shows what looking only at the assessed children does";
  return x;
}

DelayedTreatmentCharacteristics delayed_treatment_characteristics(const Scenario& s, const FollowUpAccumulator& f,
                                                                  std::uint64_t trials) {
  const double start = s.design.delayed_start_month, primary = s.analysis.primary_visit_months;
  DelayedTreatmentCharacteristics x;
  x.start_month = start;
  x.delayed_arm = s.arms[s.control_arm()].name;
  x.product_of = s.arms[s.active_arms().front()].name;
  x.comparison = "gain from month " + format_number(start) + " to " + format_number(start + primary) +
                 " in the delayed group minus gain from month 0 to " + format_number(primary) +
                 " in the early group (Welch t test, two-sided)";
  x.estimate = trial_mean(f.delayed_estimate);
  x.mean_model_se = trial_mean(f.delayed_se);
  x.delayed_gain = trial_mean(f.delayed_gain);
  x.early_gain = trial_mean(f.early_gain);
  x.power = share(f.delayed_rejections, trials);
  x.estimable_trials = f.delayed_estimable;
  return x;
}

Diagnostics diagnostics(const Scenario& s, const Accumulator& acc) {
  Diagnostics d;
  for (std::size_t c = 0; c < s.active_arms().size(); ++c) d.not_estimable += acc.trials() - acc.comparison(c).estimable;
  d.values_out_of_range = acc.out_of_range();
  return d;
}

std::optional<MmrmCharacteristics> mmrm_characteristics(const Scenario& s, const Accumulator& acc) {
  if (s.analysis.method != AnalysisMethod::mmrm) return std::nullopt;
  const auto& m = s.analysis.mmrm;
  MmrmCharacteristics x;
  x.covariance = to_string(m.covariance);
  x.df = to_string(m.df);
  for (auto f : m.fallback) x.fallback_order.push_back(to_string(f));
  x.visits_months = m.visits_months;
  const auto& used = acc.mmrm_structures();  // per structure, then "none converged"
  x.fallback = share(acc.mmrm_fallbacks(), acc.trials());
  x.fallback.meaning = "trials whose fit with the covariance asked for did not converge and used a fallback";
  for (std::size_t k = 0; k + 1 < used.size(); ++k)
    if (used[k] > 0) x.structure_used[to_string(static_cast<CovarianceStructure>(k))] = share(used[k], acc.trials());
  x.not_fitted = share(used.back(), acc.trials());
  x.not_fitted.meaning = "trials in which no structure converged (comparisons not estimable)";
  return x;
}

}  // namespace celltrial

#include "celltrial/design/adaptive_characteristics.hpp"

#include <cmath>
#include <limits>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/interims.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the blocks mean, as summary.json states it.
constexpr const char* kInformationCalendar =
    "looks at calendar months: the mean observed information fraction of each look over the trials that held it "
    "(children whose primary visit had come by the month, assessed or not, / design.sample_size), then the final "
    "analysis (1)";
constexpr const char* kObservedInformation =
    "per interim look, the mean observed information fraction over the trials that held it, with its MC SE";
constexpr const char* kHeld =
    "per interim look, the share of trials that held it: reached it (not stopped before) with some child at the "
    "primary visit, more than at the previous look held, and not every child (then the look would be the final "
    "analysis); a look not held is skipped and the bounds are recomputed at the fractions of the looks held";
constexpr const char* kChildrenAtLook = "mean children at their primary visit at each look held";
constexpr const char* kCriticalValuesScale =
    "Z: each analysis's t statistic turned into z = Phi^-1(1 - p) by its one-sided p-value";
constexpr const char* kCriticalValuesCalendar =
    "the error-spending bounds at the mean observed fractions (information); each trial was tested against the "
    "bounds recomputed at the fractions its own looks held (final analysis at 1)";
constexpr const char* kBetaSpending =
    "stop for futility at interim look k when Z_k <= bounds[k]: the beta-spending bounds of the design whose power "
    "at the planned drift, planned_effect / planned_sd x sqrt(N a (1 - a)), is 1 - beta (beta solved)";
constexpr const char* kLookMonths =
    "calendar month of each interim look (from the first site's opening), over the trials that reached it";
constexpr const char* kZDistribution =
    "per analysis (the interim looks, then the final analysis), quantiles of the Z statistic compared with its "
    "bound, over the trials that made the analysis with an estimable Z (a trial stopped at a look makes no later "
    "analysis); each within quantile_resolution of the order statistic";
constexpr const char* kPriorTruth = "mean of the per-trial effects drawn from the prior";
constexpr const char* kPrimaryTruth = "the primary comparison's true effect";
constexpr const char* kAtStopping =
    "naive estimate of the decision analysis (the stopping look's, else the final analysis) with its fixed-design "
    "confidence interval; no adjustment for the sequential design";
constexpr const char* kNoAdjustedCalendar =
    "no median-unbiased estimate: the stage-wise ordering's tables assume the planned information fractions, and "
    "looks at calendar months have random ones";
constexpr const char* kAdjustedMethod = "stage-wise ordering";
constexpr const char* kShareBelowTrue =
    "trials whose estimate is at or below the true effect: 0.5 for a median-unbiased estimate (the naive one is "
    "shown for contrast); a median-unbiased estimate can still have a mean bias";
constexpr const char* kAdjusted =
    "median-unbiased estimate at stopping by the stage-wise ordering (an earlier stop for efficacy is more extreme; "
    "at the same look a larger Z), with its confidence interval at ci_level, computed at the planned information "
    "fractions with the efficacy bounds (binding futility bounds obeyed, non-binding ones ignored); coverage is that "
    "interval's";
constexpr const char* kStopping =
    "per analysis, the share of trials that crossed the efficacy bound there in the direction of benefit (the interim "
    "looks, then the final analysis: the last entry of efficacy); futility: stops at each interim look";
constexpr const char* kStoppingHarm = "; harm: crossings against benefit (two-sided)";

// Looks at calendar months: the information of each look is random. How often each look was held
// and its mean observed fraction; the bounds are those at the mean fractions (each trial's were
// recomputed at its own).
stats::Boundaries calendar_looks(const Scenario& s, const Accumulator& acc, InterimCharacteristics& x) {
  const InterimAccumulator& a = acc.interims();
  const double n = static_cast<double>(s.design.sample_size);
  x.months = s.design.interims.months;
  x.observed_information.emplace();
  x.held.emplace();
  std::vector<double> mean_t;
  std::vector<std::size_t> mean_at;
  for (std::size_t k = 0; k < a.looks; ++k) {
    const ExactMoments& m = a.information[k];
    const double t = m.count() ? m.mean() : kNaN;
    x.information.push_back(t);
    x.mean_children_at_look.push_back(t * n);
    x.observed_information->push_back({{t, m.count() > 1 ? m.mc_se() : kNaN}, m.count()});
    x.held->push_back(share(a.held[k], acc.trials()));
    if (std::isfinite(t) && (mean_t.empty() || t > mean_t.back() + 1e-4) && t < 1 - 1e-4) {
      mean_t.push_back(t);
      mean_at.push_back(k);
    }
  }
  x.information.push_back(1.0);
  x.information_meaning = kInformationCalendar;
  x.observed_information_meaning = kObservedInformation;
  x.held_meaning = kHeld;
  x.children_at_look_meaning = kChildrenAtLook;
  x.critical_values_meaning = kCriticalValuesCalendar;
  x.estimate_at_stopping_adjusted_note = kNoAdjustedCalendar;
  const stats::Boundaries at_mean = interim_boundaries_at(s, mean_t);
  stats::Boundaries b;
  b.boundary = at_mean.boundary;
  b.parameter = at_mean.parameter;
  const std::size_t K = a.looks;
  b.design.critical_values.assign(K + 1, kNaN);
  b.design.nominal_alpha.assign(K + 1, kNaN);
  b.design.cumulative_alpha.assign(K + 1, kNaN);
  for (std::size_t i = 0; i <= mean_at.size(); ++i) {
    const std::size_t k = i < mean_at.size() ? mean_at[i] : K;
    b.design.critical_values[k] = at_mean.design.critical_values[i];
    b.design.nominal_alpha[k] = at_mean.design.nominal_alpha[i];
    b.design.cumulative_alpha[k] = at_mean.design.cumulative_alpha[i];
  }
  return b;
}

// The group-sequential design and what it did: its bounds, the look months, the Z distributions and
// the estimate at stopping (naive, and median-unbiased when the accumulator has it).
InterimCharacteristics interim_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  const InterimAccumulator& a = acc.interims();
  const Interims& in = s.design.interims;
  InterimCharacteristics x;
  stats::Boundaries b;
  if (in.calendar()) {
    b = calendar_looks(s, acc, x);
  } else {
    b = interim_boundaries(s);
    x.information = in.information;
    x.information.push_back(1.0);
    x.children_at_look = interim_children(s);
  }
  x.boundary = b.boundary;
  x.parameter = b.parameter ? *b.parameter : kNaN;
  x.critical_values = b.design.critical_values;
  x.nominal_alpha = b.design.nominal_alpha;
  x.cumulative_alpha = b.design.cumulative_alpha;
  x.critical_values_scale = kCriticalValuesScale;
  x.alpha = s.analysis.alpha;
  x.sides = s.analysis.sides;
  InterimFutility& f = x.futility;
  f.rule = to_string(in.futility);
  f.binding = in.binding;
  if (in.futility == FutilityRule::beta_spending) {
    const stats::GroupSequentialDesign& d = b.design;
    f.spending = to_string(in.beta_spending);
    f.spending_parameter = b.beta_parameter;
    f.planned_effect = in.planned_effect;
    f.planned_sd = in.planned_sd;
    f.drift = d.drift;
    f.beta = d.beta;
    f.bounds.emplace(d.futility_bounds.begin(), d.futility_bounds.end() - (d.futility_bounds.empty() ? 0 : 1));
    f.meaning = kBetaSpending;
  } else if (in.futility != FutilityRule::none) {
    f.threshold = in.futility_threshold;
  }
  for (std::size_t k = 0; k < a.looks; ++k) x.look_months.push_back(trial_mean(a.look_month[k]));
  x.look_months_meaning = kLookMonths;
  for (std::size_t k = 0; k < a.z.size(); ++k) {
    ZAnalysis z{k + 1, a.z[k].count(), {}};
    for (std::size_t i = 0; i < ZAnalysis::kProbabilities.size(); ++i)
      z.quantiles[i] = a.z[k].quantile(ZAnalysis::kProbabilities[i].second);
    x.z_distribution.analyses.push_back(z);
  }
  x.z_distribution.quantile_resolution = FixedWidthHistogram::kResolution;
  x.z_distribution.meaning = kZDistribution;
  const bool prior = s.arms[s.active_arms()[0]].effect_prior.kind != PriorKind::none;
  const char* true_source = prior ? kPriorTruth : kPrimaryTruth;
  x.estimate_at_stopping = {
      effect_estimate(a.at_stopping, acc.truth(0), truth.effect_mc_se[0], prior, true_source, s.analysis.ci_level),
      kAtStopping};
  if (a.adjusted) {
    const std::uint64_t n = a.at_stopping_adjusted.estimable;
    x.estimate_at_stopping_adjusted = AdjustedEstimate<EffectEstimate, Share>{
        effect_estimate(a.at_stopping_adjusted, acc.truth(0), truth.effect_mc_se[0], prior, true_source,
                        s.analysis.ci_level),
        kAdjustedMethod, share(a.adjusted_below, n), share(a.naive_below, n), kShareBelowTrue, kAdjusted};
  }
  return x;
}

// The share of trials stopping at each analysis, per reason.
StoppingCharacteristics stopping_characteristics(const Scenario& s, const Accumulator& acc) {
  const InterimAccumulator& a = acc.interims();
  const std::uint64_t n = acc.trials();
  StoppingCharacteristics x;
  std::vector<Share> harm;
  std::uint64_t stopped = 0, rejected = 0;
  for (std::size_t k = 0; k <= a.looks; ++k) {
    x.efficacy.push_back(share(a.efficacy[k], n));
    harm.push_back(share(a.harm[k], n));
    rejected += a.efficacy[k];
    if (k < a.looks) {
      x.futility.push_back(share(a.futility[k], n));
      stopped += a.efficacy[k] + a.harm[k] + a.futility[k];
    }
  }
  if (s.analysis.sides == 2) x.harm = std::move(harm);
  x.any_interim = share(stopped, n);
  x.efficacy_any = share(rejected, n);
  x.meaning = std::string(kStopping) + (s.analysis.sides == 2 ? kStoppingHarm : "");
  return x;
}
}  // namespace

AdaptiveCharacteristics adaptive_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  AdaptiveCharacteristics x;
  if (s.active_arms().size() > 1) {
    x.any_rejection = share(acc.any_rejection(), acc.trials());
    x.all_rejections = share(acc.all_rejections(), acc.trials());
  }
  if (s.design.interims.active()) {
    x.interims = interim_characteristics(s, acc, truth);
    x.stopping = stopping_characteristics(s, acc);
  }
  return x;
}

}  // namespace celltrial

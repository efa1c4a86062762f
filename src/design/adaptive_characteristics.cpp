#include "celltrial/design/adaptive_characteristics.hpp"

#include <cmath>
#include <limits>
#include <tuple>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/scenario/io.hpp"

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
    "primary visit, more than at the previous look held, not every child (then the look would be the final "
    "analysis), and an analysis that estimates the effect; a look not held is skipped and the bounds are "
    "recomputed at the fractions of the looks held";
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
    x.estimate_at_stopping_adjusted = AdjustedEstimate{
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

// Sample-size re-estimation: the rule, the combination test's weights, how often each zone was met
// and N increased, the N of the trials increased, and the naive test that the combination replaces.
ReestimationCharacteristics reestimation_characteristics(const Scenario& s, const Accumulator& acc) {
  const InterimAccumulator& a = acc.interims();
  const SampleSizeReestimation& r = s.design.interims.reestimation;
  const std::uint64_t n = acc.trials();
  const auto children = interim_children(s);
  const double n1 = static_cast<double>(children.back()), planned = static_cast<double>(s.design.sample_size);
  ReestimationCharacteristics x;
  x.rule = to_string(r.rule);
  x.target_power = r.target_power;
  x.planned_sample_size = s.design.sample_size;
  x.max_sample_size = r.max_sample_size;
  if (r.rule == ReestimationRule::promising_zone) x.promising_zone = PromisingZone{r.zone_lower, r.zone_upper};
  x.at_look = children.size();
  x.children_at_look = children.back();
  x.weights = {std::sqrt(n1 / planned), std::sqrt(1 - n1 / planned)};
  x.weights_meaning =
      "final test after an increase: Z = w1 Z1 + w2 Z2 against the final critical value, w1 = sqrt(n1 / N) with n1 the "
      "look's children and N the planned sample size; Z1 the look's statistic, Z2 that of the second-stage children alone";
  x.decided = share(a.decided, n);
  x.decided.meaning = "trials that went on past the last look with an estimable Z (the rule was applied)";
  x.increase = share(a.increased, n);
  x.increase.meaning = "trials whose sample size was increased above the planned N";
  x.no_increase = share(n - a.increased, n);
  x.no_increase.meaning = "trials that kept the planned N or stopped at a look";
  if (r.rule == ReestimationRule::promising_zone) {
    auto zone = [&](InterimResult::Zone k) { return share(a.zone[static_cast<std::size_t>(k)], n); };
    x.zones = ReestimationZones{
        zone(InterimResult::Zone::unfavourable), zone(InterimResult::Zone::promising), zone(InterimResult::Zone::favourable),
        "share of all trials whose conditional power at the planned N (under the current estimate) at the last look was "
        "below the zone, in it, or at or above its upper end"};
  }
  x.conditional_power_at_look = {trial_mean(a.conditional_power), "mean conditional power at the planned N over the trials decided"};
  x.sample_size_if_increased = {trial_mean(a.increased_n), "mean total N of the trials whose N was increased"};
  x.naive_test = share(a.naive_efficacy, n);
  x.naive_test.meaning =
      "not a valid test: the share rejecting in the direction of benefit when, after an increase, the pooled Z of all "
      "children is compared with the final critical value; shows the inflation the combination test prevents";
  return x;
}

// Adaptive enrichment: the design, how often the look selected each population or stopped, the
// claims of the closed test in each, the naive tests, and per selection the children screened and
// the months to the decision.
EnrichmentCharacteristics enrichment_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  using Selection = EnrichmentResult::Selection;
  const InterimAccumulator& a = acc.interims();
  const AdaptiveEnrichment& en = s.design.interims.enrichment;
  const std::uint64_t n = acc.trials();
  const std::size_t g = enrichment_subgroup(s);
  const stats::Boundaries b = interim_boundaries(s);
  const auto children = interim_children(s);
  const double n1 = static_cast<double>(children.back()), planned = static_cast<double>(s.design.sample_size);
  EnrichmentCharacteristics x;
  x.subgroup = en.subgroup;
  x.subgroup_description = describe(s.analysis.subgroups[g]);
  if (g < truth.subgroups.prevalence.size())
    x.prevalence = Prevalence{{truth.subgroups.prevalence[g], truth.subgroups.prevalence_mc_se[g]},
                              "share of eligible children in the subgroup (pre-run)"};
  x.rule = {to_string(en.rule), to_string(en.statistic), en.subgroup_threshold, en.complement_threshold,
            "at the look, when no claim is made: everyone when the complement's statistic is at least "
            "complement_threshold, else the subgroup when its statistic is at least subgroup_threshold, else stop for "
            "futility"};
  x.intersection_test = to_string(en.intersection);
  x.children_at_look = children.back();
  x.weights = {std::sqrt(n1 / planned), std::sqrt(1 - n1 / planned)};
  x.critical_values = {b.design.critical_values[0], b.design.critical_values[1]};
  x.meaning =
      "closed test of H_F (everyone) and H_S (the subgroup): a claim needs its own and the intersection's combination "
      "statistic w1 Z1 + w2 Z2 at or above the final critical value (at the look: its own and the intersection's Z1 at "
      "or above the look's); Z2 from the children not yet at their primary visit at the look, in the population "
      "continued; one-sided in the direction of benefit";
  auto sum = [](const std::array<std::uint64_t, 5>& v) {
    std::uint64_t t = 0;
    for (auto c : v) t += c;
    return t;
  };
  const auto fin = static_cast<std::size_t>(Selection::full), sub = static_cast<std::size_t>(Selection::subgroup);
  const auto eff = static_cast<std::size_t>(Selection::efficacy), fut = static_cast<std::size_t>(Selection::futility);
  x.selection = {share(a.selection[fin], n), share(a.selection[sub], n), share(a.selection[fut], n),
                 share(a.selection[eff], n),
                 "the look's decision: go on in everyone, only in the subgroup (later enrolment admits only its "
                 "children), stop for futility (the rule), stop for efficacy (a claim at the look)"};
  x.final_population = {share(a.selection[fin], n), share(a.selection[sub], n),
                        share(a.selection[fut] + a.selection[eff], n),
                        "the population the trial ended in: everyone, the subgroup, or stopped at the look"};
  x.claim_in_final_population = {
      share(a.claim_full[fin], n), share(a.claim_subgroup[sub], n),
      share(a.claim_full[eff] + a.claim_subgroup[eff] - a.claim_both[eff], n),
      "share of all trials that ended in the population and made a claim in it (stopped: a claim at the look)"};
  x.claim = {share(sum(a.claim_full), n), share(sum(a.claim_subgroup), n), share(sum(a.claim_both), n),
             share(sum(a.claim_full) + sum(a.claim_subgroup) - sum(a.claim_both), n),
             "claims of the closed test in everyone (H_F) and in the subgroup (H_S); any: the family-wise rejection rate "
             "(the FWER when both effects are null)"};
  auto by = [&](std::size_t i) {
    return SelectionClaims{share(a.claim_full[i], n), share(a.claim_subgroup[i], n), trial_mean(a.screened[i]),
                           trial_mean(a.duration[i])};
  };
  x.by_selection = {by(fin), by(sub), by(fut), by(eff)};
  x.by_selection_meaning =
      "per decision at the look: the share of all trials claiming in everyone and in the subgroup, and the mean "
      "children screened and months to the decision of those trials";
  x.naive_test = {share(sum(a.naive_full), n), share(sum(a.naive_subgroup), n), std::nullopt, share(sum(a.naive_any), n),
                  "not valid tests: each hypothesis tested alone on the pooled data so far at the group-sequential "
                  "bounds, at the look and at the final analysis of the population continued; shows the inflation the "
                  "closed combination test prevents"};
  return x;
}

// Arm selection: the design, how often the look kept each arm and each set of arms or stopped, the
// closed test's claims per arm, the family-wise error rate (a claim for an arm whose true effect is
// 0), and the naive tests the closed test replaces.
ArmSelectionCharacteristics arm_selection_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  using Outcome = ArmSelectionResult::Outcome;
  const InterimAccumulator& a = acc.interims();
  const ArmSelection& as = s.design.interims.arm_selection;
  const std::uint64_t n = acc.trials();
  const auto active = s.active_arms();
  const std::size_t m = active.size();
  const stats::Boundaries b = interim_boundaries(s);
  const auto children = interim_children(s);
  const double n1 = static_cast<double>(children.back()), planned = static_cast<double>(s.design.sample_size);
  ArmSelectionCharacteristics x;
  for (std::size_t c = 0; c < m; ++c) {
    x.arms.push_back(s.arms[active[c]].name);
    const double e = c < truth.effect.size() ? truth.effect[c] : kNaN;
    x.true_effect.push_back(e);
    if (e == 0) x.fwer.null_arms.push_back(s.arms[active[c]].name);
  }
  x.rule = {to_string(as.rule), to_string(as.statistic), std::isfinite(as.threshold) ? as.threshold : kNaN,
            std::isfinite(as.epsilon) ? as.epsilon : kNaN,
            "at the look, when no arm is claimed: keep the arm with the largest statistic (best), every arm whose "
            "statistic is at least threshold (threshold), or every arm within epsilon of the largest (epsilon; with best "
            "and epsilon a threshold is a floor too); no arm kept: stop for futility"};
  x.intersection_test = to_string(as.intersection);
  x.children_at_look = children.back();
  x.weights = {std::sqrt(n1 / planned), std::sqrt(1 - n1 / planned)};
  x.critical_values = {b.design.critical_values[0], b.design.critical_values[1]};
  x.sample_size_note =
      "the arms dropped stop recruiting; the children randomised after the look are shared between control and the "
      "arms kept (their allocation ratios), so the total stays design.sample_size and the arms kept gain children";
  x.meaning =
      "closed test of H_j (no effect of arm j against control) over every intersection of the arms' hypotheses: a "
      "claim for arm j needs every intersection containing H_j rejected, at the look by its stage-1 Z at or above the "
      "look's critical value, at the final analysis also by its combination statistic w1 Z1 + w2 Z2 at or above the "
      "final one, Z2 from the children not yet at their primary visit at the look, over the arms kept; one-sided in the "
      "direction of benefit";
  x.outcome = {share(a.outcome[static_cast<std::size_t>(Outcome::continued)], n),
               share(a.outcome[static_cast<std::size_t>(Outcome::futility)], n),
               share(a.outcome[static_cast<std::size_t>(Outcome::efficacy)], n),
               "the look's decision: go on with the arms kept, stop for futility (no arm kept), stop for efficacy (a "
               "claim at the look)"};
  for (std::size_t c = 0; c < m; ++c) {
    x.selected.push_back({share(a.arm_kept[c], n), x.arms[c]});
    x.claim.push_back({share(a.arm_claim[c], n), x.arms[c]});
    x.claim_at_look.push_back({share(a.arm_claim_look[c], n), x.arms[c]});
    x.naive_test.claim.push_back({share(a.arm_naive[c], n), x.arms[c]});
  }
  x.selected_meaning = "share of all trials that went on past the look with the arm kept";
  for (unsigned mask = 1; mask < (1u << m); ++mask) {
    ArmSetShare set{share(a.kept_set[mask], n), {}};
    for (std::size_t c = 0; c < m; ++c)
      if (mask >> c & 1u) set.arms.push_back(x.arms[c]);
    x.final_selection.push_back(std::move(set));
  }
  x.final_selection_meaning = "share of all trials that went on past the look with exactly these arms (and control)";
  x.claim_any = share(a.arm_any_claim, n);
  x.claim_meaning = "claims of the closed test for each arm (at the look or at the final analysis); claim_any: a claim "
                    "for at least one arm";
  x.fwer.share = share(a.arm_false_claim, n);
  x.fwer.share.meaning = "family-wise error rate: share of trials with a claim for an arm whose true effect is 0 (0 "
                         "when no arm's effect is 0)";
  x.naive_test.any = share(a.arm_naive_any, n);
  x.naive_test.false_claim = share(a.arm_naive_false, n);
  x.naive_test.meaning = "not valid tests: each arm tested alone on the pooled data so far at the group-sequential "
                         "bounds, at the look and at the final analysis of the arms kept; shows the inflation the closed "
                         "combination test prevents";
  return x;
}

// The keys interim looks add to the run's sample size: trials that stop early randomise fewer
// children; with re-estimation the planned N, the cap and the largest N.
InterimSampleSize interim_sample_size(const Scenario& s, const Accumulator& acc) {
  const DistributionAccumulator& d = acc.interims().sample_size;
  InterimSampleSize x;
  x.expected = {d.moments.mean(), d.moments.mc_se()};
  x.max = s.design.sample_size;
  const bool reestimated = s.design.interims.reestimation.active();
  x.distribution = distribution(d, reestimated ? "children randomised (a trial stopped at a look randomises those "
                                                 "recruited by then; one whose N was re-estimated, the new N)"
                                               : "children randomised (a trial stopped at a look randomises those "
                                                 "recruited by then)");
  if (reestimated) {
    x.planned = s.design.sample_size;
    x.max = s.design.interims.reestimation.max_sample_size;
    x.max_observed = acc.interims().max_n;
  }
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
    x.sample_size = interim_sample_size(s, acc);
    if (s.design.accrual.modelled()) {
      // The duration's mean (duration_months) is the expected duration.
      const ExactMoments& d = acc.duration_months().moments;
      x.duration = InterimDuration{{d.mean(), d.mc_se()}, std::nullopt};
      if (s.design.interims.reestimation.active()) x.duration->max_observed = acc.interims().max_duration;
    }
    if (s.design.interims.reestimation.active()) x.sample_size_reestimation = reestimation_characteristics(s, acc);
    if (s.design.interims.enrichment.active()) x.enrichment = enrichment_characteristics(s, acc, truth);
    if (s.design.interims.arm_selection.active()) x.arm_selection = arm_selection_characteristics(s, acc, truth);
  }
  return x;
}

AdaptiveCharacteristics adaptive_from_json(const nlohmann::json& summary, const std::string& file) {
  auto x = from_json<AdaptiveCharacteristics>(summary, file);
  read_interim_keys(x, summary, file);
  return x;
}

namespace {
/// The located error of a summary.json whose blocks do not fit together.
[[noreturn]] void inconsistent(const std::string& file, const std::string& key_path, const std::string& key,
                               const std::string& problem) {
  throw Error(ExitCode::data, Diagnostic{Location{file, 0, 0}, key_path.empty() ? key : key_path + "." + key, problem,
                                         "write the results again with celltrial, or restore the file."});
}
}  // namespace

void read_interim_keys(AdaptiveCharacteristics& x, const nlohmann::json& summary, const std::string& file,
                       const std::string& key_path) {
  x.sample_size.reset();
  x.duration.reset();
  // The adaptive designs adapt at an interim look, and each has the lists its rule needs.
  for (const auto& [key, present] : {std::pair{"sample_size_reestimation", x.sample_size_reestimation.has_value()},
                                     {"enrichment", x.enrichment.has_value()},
                                     {"arm_selection", x.arm_selection.has_value()}})
    if (present && !x.interims) inconsistent(file, key_path, key, "is given without 'interims' (its interim look).");
  if (x.sample_size_reestimation && x.sample_size_reestimation->weights.size() != 2)
    inconsistent(file, key_path, "sample_size_reestimation.weights", "should hold the two stages' weights.");
  if (x.enrichment && x.enrichment->weights.size() != 2)
    inconsistent(file, key_path, "enrichment.weights", "should hold the two stages' weights.");
  if (const auto& a = x.arm_selection) {
    if (a->weights.size() != 2) inconsistent(file, key_path, "arm_selection.weights", "should hold the two stages' weights.");
    const std::size_t n = a->arms.size();
    for (const auto& [key, size] : {std::pair{"true_effect", a->true_effect.size()},
                                    {"selected", a->selected.size()},
                                    {"claim", a->claim.size()},
                                    {"claim_at_look", a->claim_at_look.size()},
                                    {"naive_test.claim", a->naive_test.claim.size()}})
      if (size != n)
        inconsistent(file, key_path, std::string("arm_selection.") + key,
                     "has " + std::to_string(size) + " entries for the " + std::to_string(n) + " arms of 'arm_selection.arms'.");
  }
  if (x.interims.has_value() != x.stopping.has_value())
    inconsistent(file, key_path, x.interims ? "stopping" : "interims", "is missing: 'interims' and 'stopping' come together.");
  if (!x.interims) return;
  // Per analysis (the final one included) or per interim look, the lists have one entry each.
  const InterimCharacteristics& in = *x.interims;
  const std::size_t analyses = in.information.size();
  if (analyses < 2) inconsistent(file, key_path, "interims.information", "should list at least one look and the final analysis.");
  const std::size_t looks = analyses - 1;
  for (const auto& [key, size, want] : {std::tuple{"interims.critical_values", in.critical_values.size(), analyses},
                                        {"interims.nominal_alpha", in.nominal_alpha.size(), analyses},
                                        {"interims.cumulative_alpha", in.cumulative_alpha.size(), analyses},
                                        {"interims.look_months", in.look_months.size(), looks},
                                        {"interims.held", in.held ? in.held->size() : looks, looks},
                                        {"stopping.efficacy", x.stopping->efficacy.size(), analyses},
                                        {"stopping.futility", x.stopping->futility.size(), looks}})
    if (size != want)
      inconsistent(file, key_path, key,
                   "has " + std::to_string(size) + " entries where 'interims.information' has " + std::to_string(analyses) +
                       " analyses (" + std::to_string(want) + " expected).");
  if (in.z_distribution.analyses.size() > analyses)
    inconsistent(file, key_path, "interims.z_distribution.analyses", "has more entries than there are analyses.");
  x.sample_size = member_from_json<InterimSampleSize>(summary, "sample_size", file, key_path);
  if (summary.contains("duration_months"))
    x.duration = member_from_json<InterimDuration>(summary, "duration_months", file, key_path);
  if (x.sample_size_reestimation && (!x.sample_size->planned || !x.sample_size->max_observed))
    inconsistent(file, key_path, "sample_size", "lacks 'planned' and 'max_observed', which sample-size re-estimation adds.");
}

void write_interim_keys(const AdaptiveCharacteristics& x, nlohmann::json& summary) {
  if (x.sample_size) summary["sample_size"].update(to_json_fields(*x.sample_size));
  if (x.duration && summary.contains("duration_months")) summary["duration_months"].update(to_json_fields(*x.duration));
}

}  // namespace celltrial

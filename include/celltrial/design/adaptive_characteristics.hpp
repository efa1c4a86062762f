#pragma once
// Typed results of the group-sequential design (summary.json "interims" and "stopping"), of the
// adaptive designs ("sample_size_reestimation", "enrichment", "arm_selection", and the keys interim
// looks add to "sample_size" and "duration_months") and the top-level shares across active arms
// ("any_rejection", "all_rejections"). Each struct declares its
// summary.json keys once in its fields() function (design/json_fields.hpp): summary.json is written
// from them and a reader parses a block once with from_json and uses typed members.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "celltrial/core/estimate.hpp"
#include "celltrial/design/json_fields.hpp"
#include "celltrial/design/run_characteristics.hpp"
#include "celltrial/design/share.hpp"

namespace celltrial {

struct Scenario;
class Accumulator;
struct Truth;

/// Looks at calendar months: a look's mean observed information fraction over the trials that held it.
struct ObservedInformation {
  Estimate fraction;
  std::uint64_t trials = 0;
};
template <class V>
void fields(ObservedInformation& x, V&& v) {
  v("estimate", x.fraction, "mc_se");
  v("trials", x.trials);
}

/// The futility rule of the interim looks: a threshold (z, conditional power), or beta-spending
/// bounds (spending ... bounds, meaning), or none.
struct InterimFutility {
  std::string rule;
  bool binding = false;
  std::optional<double> threshold;           ///< z or conditional-power rule
  std::optional<std::string> spending;       ///< beta spending: the spending function
  std::optional<double> spending_parameter;  ///< its parameter, when it takes one
  std::optional<double> planned_effect, planned_sd, drift, beta;
  std::optional<std::vector<double>> bounds;  ///< Z bound per interim look
  std::string meaning;                        ///< with beta spending
};
template <class V>
void fields(InterimFutility& x, V&& v) {
  v("rule", x.rule);
  v("binding", x.binding);
  v("threshold", x.threshold);
  v("spending", x.spending);
  v("spending_parameter", x.spending_parameter);
  v("planned_effect", x.planned_effect);
  v("planned_sd", x.planned_sd);
  v("drift", x.drift);
  v("beta", x.beta);
  v("bounds", x.bounds);
  v.omit_empty("meaning", x.meaning);
}

/// Quantiles of the Z statistic at one analysis, over the trials that made it with an estimable Z.
struct ZAnalysis {
  /// The quantiles' keys and probabilities.
  static constexpr std::array<std::pair<const char*, double>, 7> kProbabilities{
      {{"0.05", 0.05}, {"0.1", 0.1}, {"0.25", 0.25}, {"0.5", 0.5}, {"0.75", 0.75}, {"0.9", 0.9}, {"0.95", 0.95}}};
  std::uint64_t analysis = 0;  ///< 1, 2, ...: the interim looks, then the final analysis
  std::uint64_t trials = 0;
  std::array<double, 7> quantiles{};  ///< at kProbabilities
};
template <class V>
void fields(ZAnalysis& x, V&& v) {
  v("analysis", x.analysis);
  v("trials", x.trials);
  v.object("quantiles", [&x](auto& w) {
    for (std::size_t i = 0; i < ZAnalysis::kProbabilities.size(); ++i) w(ZAnalysis::kProbabilities[i].first, x.quantiles[i]);
  });
}

struct ZDistribution {
  std::vector<ZAnalysis> analyses;
  double quantile_resolution = 0;
  std::string meaning;
};
template <class V>
void fields(ZDistribution& x, V&& v) {
  v("analyses", x.analyses);
  v("quantile_resolution", x.quantile_resolution);
  v("meaning", x.meaning);
}

/// The naive estimate of the decision analysis: an effect estimate's keys and its meaning.
struct StoppingEstimate {
  EffectEstimate estimate;
  std::string meaning;
};
template <class V>
void fields(StoppingEstimate& x, V&& v) {
  fields(x.estimate, v);
  v("meaning", x.meaning);
}

/// The median-unbiased estimate at stopping (stage-wise ordering). Its model SE is the decision
/// analysis's, in estimate_at_stopping: estimate.model_se is not written.
struct AdjustedEstimate {
  EffectEstimate estimate;
  std::string method;
  Share share_below_true;        ///< trials with the estimate at or below the truth
  Share naive_share_below_true;  ///< the same for the naive estimate
  std::string share_below_true_meaning;
  std::string meaning;
};
template <class V>
void fields(AdjustedEstimate& x, V&& v) {
  EffectEstimate& e = x.estimate;
  v("mean", e.mean, "mc_se");
  v("true", e.truth);
  v("true_source", e.true_source);
  v("bias", e.bias);
  v("empirical_se", e.empirical_se);
  v("rmse", e.rmse);
  v("coverage", e.coverage);
  v("ci_level", e.ci_level);
  v("estimable_trials", e.estimable_trials);
  v.omit_empty("true_includes", e.true_includes);
  v.omit_empty("true_excludes", e.true_excludes);
  v("method", x.method);
  v("share_below_true", x.share_below_true);
  v("naive_share_below_true", x.naive_share_below_true);
  v("share_below_true_meaning", x.share_below_true_meaning);
  v("meaning", x.meaning);
}

/// The group-sequential design and what it did (summary.json "interims"): per analysis (the interim
/// looks, then the final one) the information, bounds and alpha; per interim look the month, and at
/// calendar months how often it was held; the Z distributions and the estimate at stopping.
struct InterimCharacteristics {
  std::optional<std::vector<double>> months;  ///< looks at calendar months (then the calendar members below)
  std::vector<double> information;            ///< per analysis; at calendar months the mean observed
  std::string information_meaning;
  std::optional<std::vector<ObservedInformation>> observed_information;  ///< calendar: per interim look
  std::string observed_information_meaning;
  std::optional<std::vector<Share>> held;  ///< calendar: share of trials holding each look
  std::string held_meaning;
  std::vector<std::int64_t> children_at_look;       ///< planned looks: children at the primary visit
  std::vector<double> mean_children_at_look;        ///< calendar: their mean over the trials holding the look
  std::string children_at_look_meaning;             ///< calendar
  std::string boundary;
  double parameter = 0;  ///< the boundary family's (NaN: none)
  std::vector<double> critical_values, nominal_alpha, cumulative_alpha;  ///< per analysis, Z scale
  std::string critical_values_scale;
  std::string critical_values_meaning;  ///< calendar
  double alpha = 0;
  int sides = 1;
  InterimFutility futility;
  std::vector<TrialMean> look_months;  ///< per interim look
  std::string look_months_meaning;
  ZDistribution z_distribution;
  StoppingEstimate estimate_at_stopping;
  std::string estimate_at_stopping_adjusted_note;  ///< calendar: why there is no adjusted estimate
  std::optional<AdjustedEstimate> estimate_at_stopping_adjusted;
};
template <class V>
void fields(InterimCharacteristics& x, V&& v) {
  // months first: the reader then knows which children_at_look it reads.
  v("months", x.months);
  v("information", x.information);
  v.omit_empty("information_meaning", x.information_meaning);
  v("observed_information", x.observed_information);
  v.omit_empty("observed_information_meaning", x.observed_information_meaning);
  v("held", x.held);
  v.omit_empty("held_meaning", x.held_meaning);
  if (x.months)
    v("children_at_look", x.mean_children_at_look);
  else
    v("children_at_look", x.children_at_look);
  v.omit_empty("children_at_look_meaning", x.children_at_look_meaning);
  v("boundary", x.boundary);
  v("parameter", x.parameter);
  v("critical_values", x.critical_values);
  v("critical_values_scale", x.critical_values_scale);
  v.omit_empty("critical_values_meaning", x.critical_values_meaning);
  v("nominal_alpha", x.nominal_alpha);
  v("cumulative_alpha", x.cumulative_alpha);
  v("alpha", x.alpha);
  v("sides", x.sides);
  v("futility", x.futility);
  v("look_months", x.look_months);
  v("look_months_meaning", x.look_months_meaning);
  v("z_distribution", x.z_distribution);
  v("estimate_at_stopping", x.estimate_at_stopping);
  v.omit_empty("estimate_at_stopping_adjusted_note", x.estimate_at_stopping_adjusted_note);
  v("estimate_at_stopping_adjusted", x.estimate_at_stopping_adjusted);
}

/// How often the trials stopped (summary.json "stopping"): per analysis the efficacy crossings in
/// the direction of benefit (the final analysis last), per interim look the futility stops, with
/// two sides the crossings against benefit.
struct StoppingCharacteristics {
  std::vector<Share> efficacy;  ///< [looks + 1]
  std::vector<Share> futility;  ///< [looks]
  std::optional<std::vector<Share>> harm;  ///< [looks + 1], two-sided
  Share any_interim;   ///< stopped at an interim look (efficacy, harm or futility)
  Share efficacy_any;  ///< efficacy at any analysis: the design's power
  std::string meaning;
};
template <class V>
void fields(StoppingCharacteristics& x, V&& v) {
  v("efficacy", x.efficacy);
  v("futility", x.futility);
  v("harm", x.harm);
  v("any_interim", x.any_interim);
  v("efficacy_any", x.efficacy_any);
  v("meaning", x.meaning);
}

/// A per-trial mean and what it is the mean of: {mean, mc_se, trials, meaning}.
struct DescribedMean {
  TrialMean mean;
  std::string meaning;
};
template <class V>
void fields(DescribedMean& x, V&& v) {
  fields(x.mean, v);
  v("meaning", x.meaning);
}

/// The promising zone: conditional power at the planned N in [lower, upper).
struct PromisingZone {
  double lower = 0, upper = 0;
};
template <class V>
void fields(PromisingZone& x, V&& v) {
  v("lower", x.lower);
  v("upper", x.upper);
}

/// Share of all trials in each zone of conditional power at the last look.
struct ReestimationZones {
  Share unfavourable, promising, favourable;
  std::string meaning;
};
template <class V>
void fields(ReestimationZones& x, V&& v) {
  v("unfavourable", x.unfavourable);
  v("promising", x.promising);
  v("favourable", x.favourable);
  v("meaning", x.meaning);
}

/// Sample-size re-estimation (summary.json "sample_size_reestimation"): the rule, the combination
/// test's weights, how often each zone was met and N increased, the N of the trials increased, and
/// the naive test that the combination replaces.
struct ReestimationCharacteristics {
  std::string rule;
  double target_power = 0;
  std::int64_t planned_sample_size = 0, max_sample_size = 0;
  std::optional<PromisingZone> promising_zone;  ///< rule promising-zone
  std::uint64_t at_look = 0;                    ///< the look re-estimating (the last)
  std::int64_t children_at_look = 0;
  std::vector<double> weights;  ///< w1, w2
  std::string weights_meaning;
  Share decided, increase, no_increase;
  std::optional<ReestimationZones> zones;  ///< rule promising-zone
  DescribedMean conditional_power_at_look, sample_size_if_increased;
  Share naive_test;
};
template <class V>
void fields(ReestimationCharacteristics& x, V&& v) {
  v("rule", x.rule);
  v("target_power", x.target_power);
  v("planned_sample_size", x.planned_sample_size);
  v("max_sample_size", x.max_sample_size);
  v("promising_zone", x.promising_zone);
  v("at_look", x.at_look);
  v("children_at_look", x.children_at_look);
  v("weights", x.weights);
  v("weights_meaning", x.weights_meaning);
  v("decided", x.decided);
  v("increase", x.increase);
  v("no_increase", x.no_increase);
  v("zones", x.zones);
  v("conditional_power_at_look", x.conditional_power_at_look);
  v("sample_size_if_increased", x.sample_size_if_increased);
  v("naive_test", x.naive_test);
}

/// The subgroup's prevalence among eligible children (pre-run), with its MC SE.
struct Prevalence {
  Estimate prevalence;
  std::string meaning;
};
template <class V>
void fields(Prevalence& x, V&& v) {
  v("estimate", x.prevalence, "mc_se");
  v("meaning", x.meaning);
}

/// The enrichment rule applied at the look (design.interims.enrichment).
struct EnrichmentLookRule {
  std::string name, statistic;
  double subgroup_threshold = 0, complement_threshold = 0;
  std::string meaning;
};
template <class V>
void fields(EnrichmentLookRule& x, V&& v) {
  v("name", x.name);
  v("statistic", x.statistic);
  v("subgroup_threshold", x.subgroup_threshold);
  v("complement_threshold", x.complement_threshold);
  v("meaning", x.meaning);
}

/// Per decision at the look (selection), the share of all trials.
struct EnrichmentSelection {
  Share full, subgroup, stopped_futility, stopped_efficacy;
  std::string meaning;
};
template <class V>
void fields(EnrichmentSelection& x, V&& v) {
  v("full", x.full);
  v("subgroup", x.subgroup);
  v("stopped_futility", x.stopped_futility);
  v("stopped_efficacy", x.stopped_efficacy);
  v("meaning", x.meaning);
}

/// Per population the trial ended in (everyone, the subgroup, stopped at the look), the share of
/// all trials.
struct EnrichmentPopulations {
  Share full, subgroup, stopped;
  std::string meaning;
};
template <class V>
void fields(EnrichmentPopulations& x, V&& v) {
  v("full", x.full);
  v("subgroup", x.subgroup);
  v("stopped", x.stopped);
  v("meaning", x.meaning);
}

/// Claims in everyone, in the subgroup, in both (the closed test's) and in either.
struct EnrichmentClaims {
  Share full, subgroup;
  std::optional<Share> both;  ///< the closed test
  Share any;
  std::string meaning;
};
template <class V>
void fields(EnrichmentClaims& x, V&& v) {
  v("full", x.full);
  v("subgroup", x.subgroup);
  v("both", x.both);
  v("any", x.any);
  v("meaning", x.meaning);
}

/// The trials of one decision at the look: their claims (shares of all trials), the mean children
/// screened and months to the decision.
struct SelectionClaims {
  Share full, subgroup;
  TrialMean screened_mean, duration_months;
};
template <class V>
void fields(SelectionClaims& x, V&& v) {
  v("full", x.full);
  v("subgroup", x.subgroup);
  v("screened_mean", x.screened_mean);
  v("duration_months", x.duration_months);
}

struct EnrichmentBySelection {
  SelectionClaims full, subgroup, stopped_futility, stopped_efficacy;
};
template <class V>
void fields(EnrichmentBySelection& x, V&& v) {
  v("full", x.full);
  v("subgroup", x.subgroup);
  v("stopped_futility", x.stopped_futility);
  v("stopped_efficacy", x.stopped_efficacy);
}

/// Adaptive enrichment (summary.json "enrichment"): the design (subgroup, rule, intersection test,
/// weights, bounds), how often the look selected each population or stopped, the claims of the
/// closed test in each, the naive tests the closed test replaces, and per selection the children
/// screened and the months to the decision.
struct EnrichmentCharacteristics {
  std::string subgroup, subgroup_description;
  std::optional<Prevalence> prevalence;
  EnrichmentLookRule rule;
  std::string intersection_test;
  std::int64_t children_at_look = 0;
  std::vector<double> weights, critical_values;
  std::string meaning;
  EnrichmentSelection selection;
  EnrichmentPopulations final_population, claim_in_final_population;
  EnrichmentClaims claim;
  EnrichmentBySelection by_selection;
  std::string by_selection_meaning;
  EnrichmentClaims naive_test;  ///< without both
};
template <class V>
void fields(EnrichmentCharacteristics& x, V&& v) {
  v("subgroup", x.subgroup);
  v("subgroup_description", x.subgroup_description);
  v("prevalence", x.prevalence);
  v("rule", x.rule);
  v("intersection_test", x.intersection_test);
  v("children_at_look", x.children_at_look);
  v("weights", x.weights);
  v("critical_values", x.critical_values);
  v("meaning", x.meaning);
  v("selection", x.selection);
  v("final_population", x.final_population);
  v("claim_in_final_population", x.claim_in_final_population);
  v("claim", x.claim);
  v("by_selection", x.by_selection);
  v("by_selection_meaning", x.by_selection_meaning);
  v("naive_test", x.naive_test);
}

/// The arm-selection rule applied at the look (design.interims.arm_selection).
struct ArmSelectionLookRule {
  std::string select, statistic;
  double threshold = 0, epsilon = 0;  ///< NaN: none
  std::string meaning;
};
template <class V>
void fields(ArmSelectionLookRule& x, V&& v) {
  v("select", x.select);
  v("statistic", x.statistic);
  v("threshold", x.threshold);
  v("epsilon", x.epsilon);
  v("meaning", x.meaning);
}

/// The look's decision: the share of all trials.
struct ArmSelectionOutcome {
  Share continued, stopped_futility, stopped_efficacy;
  std::string meaning;
};
template <class V>
void fields(ArmSelectionOutcome& x, V&& v) {
  v("continued", x.continued);
  v("stopped_futility", x.stopped_futility);
  v("stopped_efficacy", x.stopped_efficacy);
  v("meaning", x.meaning);
}

/// A share of all trials for one active arm: {estimate, ..., arm}.
struct ArmShare {
  Share share;
  std::string arm;
};
template <class V>
void fields(ArmShare& x, V&& v) {
  fields(x.share, v);
  v("arm", x.arm);
}

/// A share of all trials for a set of active arms: {estimate, ..., arms}.
struct ArmSetShare {
  Share share;
  std::vector<std::string> arms;
};
template <class V>
void fields(ArmSetShare& x, V&& v) {
  fields(x.share, v);
  v("arms", x.arms);
}

/// The family-wise error rate and the arms whose true effect is 0.
struct ArmSelectionFwer {
  Share share;
  std::vector<std::string> null_arms;
};
template <class V>
void fields(ArmSelectionFwer& x, V&& v) {
  fields(x.share, v);
  v("null_arms", x.null_arms);
}

struct ArmSelectionNaive {
  std::vector<ArmShare> claim;
  Share any, false_claim;
  std::string meaning;
};
template <class V>
void fields(ArmSelectionNaive& x, V&& v) {
  v("claim", x.claim);
  v("any", x.any);
  v("false_claim", x.false_claim);
  v("meaning", x.meaning);
}

/// Arm selection (summary.json "arm_selection"): the design (arms, rule, intersection test, weights,
/// bounds), how often the look kept each arm and each set of arms or stopped, the closed test's
/// claims per arm, the family-wise error rate (a claim for an arm whose true effect is 0), and the
/// naive tests the closed test replaces.
struct ArmSelectionCharacteristics {
  std::vector<std::string> arms;    ///< the active arms
  std::vector<double> true_effect;  ///< per active arm
  ArmSelectionLookRule rule;
  std::string intersection_test;
  std::int64_t children_at_look = 0;
  std::vector<double> weights, critical_values;
  std::string sample_size_note, meaning;
  ArmSelectionOutcome outcome;
  std::vector<ArmShare> selected;
  std::string selected_meaning;
  std::vector<ArmSetShare> final_selection;  ///< per non-empty set of active arms
  std::string final_selection_meaning;
  std::vector<ArmShare> claim;
  Share claim_any;
  std::string claim_meaning;
  std::vector<ArmShare> claim_at_look;
  ArmSelectionFwer fwer;
  ArmSelectionNaive naive_test;
};
template <class V>
void fields(ArmSelectionCharacteristics& x, V&& v) {
  v("arms", x.arms);
  v("true_effect", x.true_effect);
  v("rule", x.rule);
  v("intersection_test", x.intersection_test);
  v("children_at_look", x.children_at_look);
  v("weights", x.weights);
  v("critical_values", x.critical_values);
  v("sample_size_note", x.sample_size_note);
  v("meaning", x.meaning);
  v("outcome", x.outcome);
  v("selected", x.selected);
  v("selected_meaning", x.selected_meaning);
  v("final_selection", x.final_selection);
  v("final_selection_meaning", x.final_selection_meaning);
  v("claim", x.claim);
  v("claim_any", x.claim_any);
  v("claim_meaning", x.claim_meaning);
  v("claim_at_look", x.claim_at_look);
  v("fwer", x.fwer);
  v("naive_test", x.naive_test);
}

/// The keys interim looks add to summary.json's "sample_size": trials that stop early randomise
/// fewer children, so the expected number with its MC error (also randomised_mean), the most, and
/// the distribution (its quantiles also at top level); with re-estimation the planned N, the cap
/// (max) and the largest N of any trial.
struct InterimSampleSize {
  Estimate expected;  ///< expected / expected_mc_se
  std::int64_t max = 0;
  Distribution distribution;
  std::optional<std::int64_t> planned, max_observed;  ///< re-estimation
};
template <class V>
void fields(InterimSampleSize& x, V&& v) {
  v("expected", x.expected);
  v("max", x.max);
  v("distribution", x.distribution);
  v.object("quantiles", [&x](auto& w) {
    w("0.05", x.distribution.q05);
    w("0.25", x.distribution.q25);
    w("0.5", x.distribution.q50);
    w("0.75", x.distribution.q75);
    w("0.95", x.distribution.q95);
  });
  v("planned", x.planned);
  v("max_observed", x.max_observed);
}

/// The keys interim looks add to summary.json's "duration_months": the expected duration (its
/// mean) and with re-estimation the longest trial.
struct InterimDuration {
  Estimate expected;  ///< expected / expected_mc_se
  std::optional<double> max_observed;  ///< re-estimation
};
template <class V>
void fields(InterimDuration& x, V&& v) {
  v("expected", x.expected);
  v("max_observed", x.max_observed);
}

/// The blocks of summary.json typed here. Declared in fields() (top-level keys of summary.json): the
/// shares across active arms (more than one) and, with interim looks, "interims", "stopping" and the
/// adaptive designs' blocks ("sample_size_reestimation", "enrichment", "arm_selection"). Not declared
/// there: the keys interim looks add to the run's "sample_size" and "duration_months" blocks, which
/// to_json(OperatingCharacteristics) merges into those blocks and adaptive_from_json reads.
struct AdaptiveCharacteristics {
  std::optional<Share> any_rejection;   ///< some active arm rejected
  std::optional<Share> all_rejections;  ///< every active arm rejected
  std::optional<InterimCharacteristics> interims;
  std::optional<StoppingCharacteristics> stopping;
  std::optional<ReestimationCharacteristics> sample_size_reestimation;
  std::optional<EnrichmentCharacteristics> enrichment;
  std::optional<ArmSelectionCharacteristics> arm_selection;
  std::optional<InterimSampleSize> sample_size;  ///< into "sample_size"; not in fields()
  std::optional<InterimDuration> duration;       ///< into "duration_months" (when written); not in fields()
};
template <class V>
void fields(AdaptiveCharacteristics& x, V&& v) {
  v("any_rejection", x.any_rejection);
  v("all_rejections", x.all_rejections);
  v("interims", x.interims);
  v("stopping", x.stopping);
  v("sample_size_reestimation", x.sample_size_reestimation);
  v("enrichment", x.enrichment);
  v("arm_selection", x.arm_selection);
}

/// The shares across active arms (with more than one) and, with interim looks, the interims,
/// stopping, adaptive designs' blocks and the sample size's and duration's interim keys.
AdaptiveCharacteristics adaptive_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth);

/// The blocks of summary.json `summary` (read from `file`, for the errors) that AdaptiveCharacteristics
/// holds: its declared keys and, with interim looks, the keys they add to "sample_size" and
/// "duration_months" (when written).
AdaptiveCharacteristics adaptive_from_json(const nlohmann::json& summary, const std::string& file = "summary.json");
/// Reads into `x` (whose declared keys are read) the keys interim looks add to "sample_size" and
/// "duration_months" of `summary`.
void read_interim_keys(AdaptiveCharacteristics& x, const nlohmann::json& summary, const std::string& file,
                       const std::string& key_path = "");
/// Writes the keys interim looks add into the "sample_size" and "duration_months" blocks of `summary`.
void write_interim_keys(const AdaptiveCharacteristics& x, nlohmann::json& summary);

}  // namespace celltrial

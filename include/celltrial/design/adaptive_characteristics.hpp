#pragma once
// Typed results of the group-sequential design (summary.json "interims" and "stopping") and the
// top-level shares across active arms ("any_rejection", "all_rejections"). Each struct declares its
// summary.json keys once in its fields() function (design/json_fields.hpp): summary.json is written
// from them and a reader parses a block once with from_json and uses typed members.
//
// The structs holding shares and effect estimates are templates on those types, so that
// design/operating_characteristics.hpp, which declares Share and EffectEstimate, can include this
// header and hold an AdaptiveCharacteristics: use the aliases at the end, with that header.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "celltrial/core/estimate.hpp"
#include "celltrial/design/json_fields.hpp"
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
template <class Effect>
struct StoppingEstimate {
  Effect estimate;
  std::string meaning;
};
template <class Effect, class V>
void fields(StoppingEstimate<Effect>& x, V&& v) {
  fields(x.estimate, v);
  v("meaning", x.meaning);
}

/// The median-unbiased estimate at stopping (stage-wise ordering). Its model SE is the decision
/// analysis's, in estimate_at_stopping: estimate.model_se is not written.
template <class Effect, class Proportion>
struct AdjustedEstimate {
  Effect estimate;
  std::string method;
  Proportion share_below_true;        ///< trials with the estimate at or below the truth
  Proportion naive_share_below_true;  ///< the same for the naive estimate
  std::string share_below_true_meaning;
  std::string meaning;
};
template <class Effect, class Proportion, class V>
void fields(AdjustedEstimate<Effect, Proportion>& x, V&& v) {
  Effect& e = x.estimate;
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
template <class Effect, class Proportion>
struct InterimCharacteristicsOf {
  std::optional<std::vector<double>> months;  ///< looks at calendar months (then the calendar members below)
  std::vector<double> information;            ///< per analysis; at calendar months the mean observed
  std::string information_meaning;
  std::optional<std::vector<ObservedInformation>> observed_information;  ///< calendar: per interim look
  std::string observed_information_meaning;
  std::optional<std::vector<Proportion>> held;  ///< calendar: share of trials holding each look
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
  StoppingEstimate<Effect> estimate_at_stopping;
  std::string estimate_at_stopping_adjusted_note;  ///< calendar: why there is no adjusted estimate
  std::optional<AdjustedEstimate<Effect, Proportion>> estimate_at_stopping_adjusted;
};
template <class Effect, class Proportion, class V>
void fields(InterimCharacteristicsOf<Effect, Proportion>& x, V&& v) {
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
template <class Proportion>
struct StoppingCharacteristicsOf {
  std::vector<Proportion> efficacy;  ///< [looks + 1]
  std::vector<Proportion> futility;  ///< [looks]
  std::optional<std::vector<Proportion>> harm;  ///< [looks + 1], two-sided
  Proportion any_interim;   ///< stopped at an interim look (efficacy, harm or futility)
  Proportion efficacy_any;  ///< efficacy at any analysis: the design's power
  std::string meaning;
};
template <class Proportion, class V>
void fields(StoppingCharacteristicsOf<Proportion>& x, V&& v) {
  v("efficacy", x.efficacy);
  v("futility", x.futility);
  v("harm", x.harm);
  v("any_interim", x.any_interim);
  v("efficacy_any", x.efficacy_any);
  v("meaning", x.meaning);
}

/// The top-level blocks of summary.json typed here: the shares across active arms (more than one)
/// and, with interim looks, "interims" and "stopping".
template <class Effect, class Proportion>
struct AdaptiveCharacteristicsOf {
  std::optional<Proportion> any_rejection;   ///< some active arm rejected
  std::optional<Proportion> all_rejections;  ///< every active arm rejected
  std::optional<InterimCharacteristicsOf<Effect, Proportion>> interims;
  std::optional<StoppingCharacteristicsOf<Proportion>> stopping;
};
template <class Effect, class Proportion, class V>
void fields(AdaptiveCharacteristicsOf<Effect, Proportion>& x, V&& v) {
  v("any_rejection", x.any_rejection);
  v("all_rejections", x.all_rejections);
  v("interims", x.interims);
  v("stopping", x.stopping);
}

struct Share;
struct EffectEstimate;
using InterimCharacteristics = InterimCharacteristicsOf<EffectEstimate, Share>;
using StoppingCharacteristics = StoppingCharacteristicsOf<Share>;
using AdaptiveCharacteristics = AdaptiveCharacteristicsOf<EffectEstimate, Share>;

/// The shares across active arms (with more than one) and, with interim looks, the interims and
/// stopping blocks.
AdaptiveCharacteristics adaptive_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth);

}  // namespace celltrial

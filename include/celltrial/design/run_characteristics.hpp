#pragma once
// Typed characteristics of a run beyond the comparisons: the analysis it used, each arm's sizes,
// outcomes and safety, the sample size, who enrolled, the accrual and duration distributions, the
// visits of trials followed over time, the delayed-treatment design's second period and the
// diagnostics. Like operating_characteristics.hpp, each struct declares its summary.json keys
// once in its fields() function (design/json_fields.hpp): summarise writes the blocks from them and
// the report reads them back with member_from_json<T>(summary, key, file, key_path).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "celltrial/core/estimate.hpp"
#include "celltrial/design/json_fields.hpp"
#include "celltrial/design/share.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct Truth;

/// The primary analysis (summary.json "analysis").
struct AnalysisCharacteristics {
  std::string method;
  double primary_visit_months = 0;
  double alpha = 0;
  int sides = 2;
  std::string multiplicity;
  std::string estimand;  ///< named where it makes a difference ("" otherwise)
};
template <class V>
void fields(AnalysisCharacteristics& x, V&& v) {
  v("method", x.method);
  v("primary_visit_months", x.primary_visit_months);
  v("alpha", x.alpha);
  v("sides", x.sides);
  v("multiplicity", x.multiplicity);
  v.omit_empty("estimand", x.estimand);
}
AnalysisCharacteristics analysis_characteristics(const Scenario& s);

/// One arm per trial: children randomised and analysed, mean change, SAEs, infusion reactions,
/// dose (summary.json "arms", in scenario order).
struct ArmCharacteristics {
  std::string name, role, product;
  double randomised_mean = 0;
  Estimate analysed_mean;
  Estimate mean_change;
  Estimate sae;                 ///< sae_mean / sae_mc_se
  Estimate infusion_reactions;  ///< infusion_reactions_mean / infusion_reactions_mc_se
  Estimate mean_dose;           ///< NaN without dosing (mean_dose null)
  std::string dose_unit;
};
template <class V>
void fields(ArmCharacteristics& x, V&& v) {
  v("name", x.name);
  v("role", x.role);
  v("randomised_mean", x.randomised_mean);
  v("analysed_mean", x.analysed_mean);
  v("mean_change", x.mean_change);
  v("sae_mean", x.sae, "sae_mc_se");
  v("infusion_reactions_mean", x.infusion_reactions, "infusion_reactions_mc_se");
  v("product", x.product);
  v("mean_dose", x.mean_dose);
  v("dose_unit", x.dose_unit);
}
std::vector<ArmCharacteristics> arm_characteristics(const Scenario& s, const Accumulator& acc);

/// Children per trial over all arms (summary.json "sample_size"; a design with interim looks adds
/// the keys of InterimSampleSize, design/adaptive_characteristics.hpp, to the block).
struct SampleSizeCharacteristics {
  Estimate randomised_mean;  ///< the design's sample size (MC SE 0), or the expected one with looks
  Estimate analysed_mean;
  Estimate screened;  ///< screened_mean / screened_mc_se
  Estimate screened_per_randomised;
  double screening_yield_prerun = 0;
};
template <class V>
void fields(SampleSizeCharacteristics& x, V&& v) {
  v("randomised_mean", x.randomised_mean);
  v("analysed_mean", x.analysed_mean);
  v("screened_mean", x.screened, "screened_mc_se");
  v("screened_per_randomised", x.screened_per_randomised);
  v("screening_yield_prerun", x.screening_yield_prerun);
}
SampleSizeCharacteristics sample_size_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth);

/// Who enrolled, per trial (summary.json "enrolled"; NaN for a generic model's children, who have
/// no age).
struct EnrolledCharacteristics {
  Estimate mean_age_months;
  Estimate share_under_5_years;
  Estimate share_gmfcs_I_III;
};
template <class V>
void fields(EnrolledCharacteristics& x, V&& v) {
  v("mean_age_months", x.mean_age_months);
  v("share_under_5_years", x.share_under_5_years);
  v("share_gmfcs_I_III", x.share_gmfcs_I_III);
}
EnrolledCharacteristics enrolled_characteristics(const Accumulator& acc);

/// A per-trial quantity's distribution: mean with its MC error, SD and quantiles (each the centre
/// of a histogram bin, within QuantileHistogram::kRelativeResolution of the order statistic).
struct Distribution {
  Estimate mean;  ///< mean / mc_se
  double sd = 0;
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
  double quantile_relative_resolution = 0;
  std::string unit;
  std::uint64_t trials = 0;
};
/// {mean, mc_se, sd, quantiles {"0.05", "0.25", "0.5", "0.75", "0.95"}, quantile_relative_resolution, unit, trials}
template <class V>
void fields(Distribution& x, V&& v) {
  v("mean", x.mean, "mc_se");
  v("sd", x.sd);
  v.object("quantiles", [&x](auto& w) {
    w("0.05", x.q05);
    w("0.25", x.q25);
    w("0.5", x.q50);
    w("0.75", x.q75);
    w("0.95", x.q95);
  });
  v("quantile_relative_resolution", x.quantile_relative_resolution);
  v("unit", x.unit);
  v("trials", x.trials);
}
Distribution distribution(const DistributionAccumulator& d, const char* unit);

/// One arm at one visit.
struct VisitArm {
  std::string name;
  TrialMean observed_share;        ///< share of the arm's children assessed
  TrialMean mean_change_observed;  ///< mean change of the assessed
  TrialMean mean_change_all;       ///< mean change of every child as it happened, assessed or not
};
template <class V>
void fields(VisitArm& x, V&& v) {
  v("name", x.name);
  v("observed_share", x.observed_share);
  v("mean_change_observed", x.mean_change_observed);
  v("mean_change_all", x.mean_change_all);
}
struct Visit {
  double month = 0;
  std::vector<VisitArm> arms;  ///< every arm, in scenario order
};
template <class V>
void fields(Visit& x, V&& v) {
  v("month", x.month);
  v("arms", x.arms);
}
/// One arm by the last visit.
struct FollowUpArm {
  std::string name;
  TrialMean dropped_out_share;
  TrialMean intercurrent_event_share;
};
template <class V>
void fields(FollowUpArm& x, V&& v) {
  v("name", x.name);
  v("dropped_out_share", x.dropped_out_share);
  v("intercurrent_event_share", x.intercurrent_event_share);
}
/// Trials followed over time (summary.json "follow_up"): every visit per arm, and per arm the
/// shares who dropped out and had an intercurrent event by the last visit.
struct FollowUpCharacteristics {
  std::vector<Visit> visits;
  std::vector<FollowUpArm> arms;
  std::vector<std::string> intercurrent_events;  ///< their names
  std::string note;
};
template <class V>
void fields(FollowUpCharacteristics& x, V&& v) {
  v("visits", x.visits);
  v("arms", x.arms);
  v("intercurrent_events", x.intercurrent_events);
  v("note", x.note);
}
FollowUpCharacteristics follow_up_characteristics(const Scenario& s, const FollowUpAccumulator& f);

/// The delayed-treatment design's second period (summary.json "delayed_treatment"): the delayed
/// group's gain after its start against the early group's from month 0.
struct DelayedTreatmentCharacteristics {
  double start_month = 0;
  std::string delayed_arm, product_of, comparison;
  TrialMean estimate;       ///< delayed gain - early gain
  TrialMean mean_model_se;
  TrialMean delayed_gain;
  TrialMean early_gain;
  Share power;              ///< the Welch test's two-sided rejections
  std::uint64_t estimable_trials = 0;
};
template <class V>
void fields(DelayedTreatmentCharacteristics& x, V&& v) {
  v("start_month", x.start_month);
  v("delayed_arm", x.delayed_arm);
  v("product_of", x.product_of);
  v("comparison", x.comparison);
  v("estimate", x.estimate);
  v("mean_model_se", x.mean_model_se);
  v("delayed_gain", x.delayed_gain);
  v("early_gain", x.early_gain);
  v("power", x.power);
  v("estimable_trials", x.estimable_trials);
}
DelayedTreatmentCharacteristics delayed_treatment_characteristics(const Scenario& s, const FollowUpAccumulator& f,
                                                                  std::uint64_t trials);

/// Trials that could not estimate or draw something (summary.json "diagnostics").
struct Diagnostics {
  std::uint64_t not_estimable = 0;        ///< comparisons not estimable, summed over the comparisons
  std::uint64_t values_out_of_range = 0;  ///< per-trial values outside the accumulators' range
};
template <class V>
void fields(Diagnostics& x, V&& v) {
  v("not_estimable", x.not_estimable);
  v("values_out_of_range", x.values_out_of_range);
}
Diagnostics diagnostics(const Scenario& s, const Accumulator& acc);

/// How the mixed models were fitted (summary.json "mmrm", with the MMRM analysis): the covariance
/// structure asked for, the fallbacks, the share of trials that needed one and which structure each
/// trial used, and the share in which none converged (their comparisons are not estimable).
struct MmrmCharacteristics {
  std::string covariance;                   ///< asked for
  std::string df;                           ///< denominator degrees of freedom
  std::vector<std::string> fallback_order;  ///< tried in turn when the fit does not converge
  std::vector<double> visits_months;        ///< the visits modelled (empty: every visit)
  Share fallback;                           ///< trials that used a fallback
  std::map<std::string, Share> structure_used;  ///< by structure, those used by some trial
  Share not_fitted;                             ///< trials in which no structure converged
};
template <class V>
void fields(MmrmCharacteristics& x, V&& v) {
  v("covariance", x.covariance);
  v("df", x.df);
  v("fallback_order", x.fallback_order);
  v.omit_empty("visits_months", x.visits_months);
  v("fallback", x.fallback);
  v("structure_used", x.structure_used);
  v("not_fitted", x.not_fitted);
}
/// With the MMRM analysis; nullopt otherwise.
std::optional<MmrmCharacteristics> mmrm_characteristics(const Scenario& s, const Accumulator& acc);

/// One point of the nuisance grid under the null hypothesis.
struct NuisancePoint {
  std::map<std::string, std::string> settings;  ///< scenario key -> value at this point
  Share type_one_error;          ///< the primary comparison's rejections in the direction of benefit
  std::optional<Share> family_wise;  ///< any claim of benefit, when the design tests more than one hypothesis
};
template <class V>
void fields(NuisancePoint& x, V&& v) {
  v("settings", x.settings);
  v("type_one_error", x.type_one_error);
  v("family_wise", x.family_wise);
}
/// The point with the largest rate.
struct NuisanceWorst {
  std::uint64_t point = 0;  ///< 1-based
  std::map<std::string, std::string> settings;
  std::string measure;      ///< "type_one_error" or "family_wise"
  Estimate rate;
  bool within_level = false;  ///< rate <= level + 3 MC SE
};
template <class V>
void fields(NuisanceWorst& x, V&& v) {
  v("point", x.point);
  v("settings", x.settings);
  v("measure", x.measure);
  v("estimate", x.rate, "mc_se");
  v("within_level", x.within_level);
}
/// The type I error over the nuisance grid (summary.json "nuisance_grid", design/nuisance.hpp).
struct NuisanceGridCharacteristics {
  std::uint64_t trials_per_point = 0;
  double alpha = 0;
  int sides = 2;
  double level = 0;  ///< alpha / sides: the rate a claim of benefit may have
  std::vector<NuisancePoint> points;
  std::optional<NuisanceWorst> worst;  ///< none without points
  std::string meaning;
};
template <class V>
void fields(NuisanceGridCharacteristics& x, V&& v) {
  v("trials_per_point", x.trials_per_point);
  v("alpha", x.alpha);
  v("sides", x.sides);
  v("level", x.level);
  v("points", x.points);
  v("worst", x.worst);
  v("meaning", x.meaning);
}

}  // namespace celltrial

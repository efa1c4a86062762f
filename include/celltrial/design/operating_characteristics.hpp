#pragma once
// Typed operating characteristics: each simulated quantity as an Estimate{value, mc_se} (or a
// Share, a proportion of the trials with its interval and counts). Each struct declares its
// summary.json keys once, in its fields() function (design/json_fields.hpp): to_json writes the
// blocks of summary.json from them and from_json reads them back, so a reader of summary.json
// (the report, a study) parses a block once and uses typed members. Non-finite values (nothing
// to estimate) are null in JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/core/estimate.hpp"
#include "celltrial/design/adaptive_characteristics.hpp"
#include "celltrial/design/json_fields.hpp"
#include "celltrial/design/run_characteristics.hpp"
#include "celltrial/design/share.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct Truth;

EffectEstimate effect_estimate(const ComparisonAccumulator& a, double truth_value, double truth_se, bool with_prior,
                               const char* true_source, double ci_level);

/// One active arm against control at the primary visit.
struct ComparisonCharacteristics {
  std::string arm, label;
  Share power;             ///< rejection (any direction, adjusted for multiplicity)
  Share power_favourable;  ///< rejection in the favourable direction
  Share power_unadjusted;  ///< favourable and significant at alpha without multiplicity adjustment
  EffectEstimate estimate;
  std::optional<Share> assurance;  ///< with an effect prior: favourable rejection over the prior
  Share safety;                    ///< active - control SAE proportion above the threshold
  double safety_threshold = 0;
};
/// {arm, label, power {share, favourable}, power_unadjusted, estimate, assurance (with an effect
/// prior), safety {share, threshold}}
template <class V>
void fields(ComparisonCharacteristics& x, V&& v) {
  v("arm", x.arm);
  v("label", x.label);
  v.object("power", [&x](auto& w) {
    fields(x.power, w);
    w("favourable", x.power_favourable);
  });
  v("power_unadjusted", x.power_unadjusted);
  v("estimate", x.estimate);
  v("assurance", x.assurance);
  v.object("safety", [&x](auto& w) {
    fields(x.safety, w);
    w("threshold", x.safety_threshold);
  });
}

/// The effect outside a subgroup (its complement).
struct SubgroupComplement {
  Share power_unadjusted;
  EffectEstimate estimate;
};
template <class V>
void fields(SubgroupComplement& x, V&& v) {
  v("power_unadjusted", x.power_unadjusted);
  v("estimate", x.estimate);
}

/// The treatment x subgroup interaction: effect inside - effect outside.
struct SubgroupInteraction {
  Estimate truth;               ///< true / true_mc_se (pre-run)
  Estimate mean;                ///< the estimates' mean
  double empirical_se = 0;      ///< SD of the estimates
  double model_se = 0;          ///< mean of the analyses' SEs
  double alpha = 0;             ///< level of the two-sided interaction test
  std::uint64_t estimable_trials = 0;
  Share power;                  ///< share of trials whose interaction test rejected
  std::string meaning;
};
template <class V>
void fields(SubgroupInteraction& x, V&& v) {
  v("true", x.truth);
  v("mean", x.mean, "mc_se");
  v("empirical_se", x.empirical_se);
  v("model_se", x.model_se);
  v("alpha", x.alpha);
  v("estimable_trials", x.estimable_trials);
  v("power", x.power);
  v("meaning", x.meaning);
}

/// One active arm against control within a subgroup (summary.json "subgroups", one per subgroup
/// and active arm, in the order of the hypotheses).
struct SubgroupCharacteristics {
  std::string name;        ///< the subgroup's
  std::string hypothesis;  ///< the hypothesis's name
  std::string definition;  ///< the subgroup's definition in words
  std::string arm, label;
  bool confirmatory = false;  ///< in the multiplicity family
  Estimate prevalence;        ///< share of eligible children in the subgroup (pre-run)
  Estimate analysed_mean;     ///< children analysed in the subgroup per trial
  std::uint64_t empty_trials = 0;  ///< trials with no analysed child in the subgroup
  std::string note;                ///< why some trials estimated nothing ("" when all did)
  Share power;                     ///< favourable rejection, with its meaning (adjusted when confirmatory)
  Share power_unadjusted;          ///< favourable and significant at alpha without adjustment
  EffectEstimate estimate;
  SubgroupComplement complement;
  SubgroupInteraction interaction;
};
template <class V>
void fields(SubgroupCharacteristics& x, V&& v) {
  v("name", x.name);
  v("hypothesis", x.hypothesis);
  v("definition", x.definition);
  v("arm", x.arm);
  v("label", x.label);
  v("confirmatory", x.confirmatory);
  v("prevalence_prerun", x.prevalence);
  v("analysed_mean", x.analysed_mean);
  v("empty_trials", x.empty_trials);
  v.omit_empty("note", x.note);
  v("power", x.power);
  v("power_unadjusted", x.power_unadjusted);
  v("estimate", x.estimate);
  v("complement", x.complement);
  v("interaction", x.interaction);
}

/// One hypothesis of the confirmatory family.
struct FamilyHypothesis {
  std::string name;
  Share power;             ///< favourable rejection under the multiplicity procedure
  Share power_unadjusted;  ///< favourable and significant at alpha without adjustment
};
template <class V>
void fields(FamilyHypothesis& x, V&& v) {
  v("name", x.name);
  v("power", x.power);
  v("power_unadjusted", x.power_unadjusted);
}

/// A claim: every hypothesis of all_of rejected in the favourable direction (the share's keys
/// sit beside name and all_of).
struct ClaimCharacteristics {
  std::string name;
  std::vector<std::string> all_of;
  Share share;
};
template <class V>
void fields(ClaimCharacteristics& x, V&& v) {
  v("name", x.name);
  v("all_of", x.all_of);
  fields(x.share, v);
}

/// The confirmatory family under its multiplicity procedure (summary.json "multiplicity").
struct FamilyCharacteristics {
  std::string procedure;
  double alpha = 0;
  int sides = 2;
  std::vector<double> weights;                   ///< as the scenario gives them (empty: none)
  std::vector<std::vector<double>> transitions;  ///< graphical procedure (empty: none)
  std::vector<FamilyHypothesis> hypotheses;      ///< in testing order
  Share at_least_one;   ///< at least one favourable rejection
  Share all;            ///< every hypothesis rejected favourably
  Share any_rejection;  ///< any rejection in either direction (FWER when every null is true)
  std::vector<ClaimCharacteristics> claims;
};
template <class V>
void fields(FamilyCharacteristics& x, V&& v) {
  v("procedure", x.procedure);
  v("alpha", x.alpha);
  v("sides", x.sides);
  v.omit_empty("weights", x.weights);
  v.omit_empty("transitions", x.transitions);
  v("hypotheses", x.hypotheses);
  v("at_least_one", x.at_least_one);
  v("all", x.all);
  v("any_rejection", x.any_rejection);
  v("claims", x.claims);
}

/// The typed content of summary.json, each block declared once in fields() below.
struct OperatingCharacteristics {
  std::string scenario;  ///< the scenario's name
  std::uint64_t trials = 0;
  std::uint64_t seed = 0;
  AnalysisCharacteristics analysis;
  std::optional<MmrmCharacteristics> mmrm;             ///< with the MMRM analysis
  std::vector<ComparisonCharacteristics> comparisons;  ///< one per active arm, in scenario order
  std::vector<SubgroupCharacteristics> subgroups;      ///< one per subgroup and active arm (none without subgroups)
  std::optional<FamilyCharacteristics> family;         ///< with more than one confirmatory hypothesis or claims
  std::vector<ArmCharacteristics> arms;                ///< every arm, in scenario order
  SampleSizeCharacteristics sample_size;
  EnrolledCharacteristics enrolled;
  std::optional<Distribution> accrual_months;   ///< with modelled accrual: first to last randomisation
  std::optional<Distribution> duration_months;  ///< with modelled accrual: to the decision or last assessment
  std::optional<FollowUpCharacteristics> follow_up;                  ///< trials followed over visits
  std::optional<DelayedTreatmentCharacteristics> delayed_treatment;  ///< the delayed-treatment design
  Diagnostics diagnostics;
  AdaptiveCharacteristics adaptive;  ///< across active arms, interim looks, stopping and the adaptive designs (adaptive_characteristics.hpp)
  std::optional<NuisanceGridCharacteristics> nuisance_grid;  ///< the type I error over the nuisance grid (design/nuisance.hpp)
};
/// summary.json's keys. Written besides these: "format", the first comparison's copies at top
/// level ("comparison", "power", "estimate", "assurance") and the keys interim looks add to
/// "sample_size" and "duration_months" (AdaptiveCharacteristics::sample_size and duration).
template <class V>
void fields(OperatingCharacteristics& x, V&& v) {
  v("scenario", x.scenario);
  v("trials", x.trials);
  v("seed", x.seed);
  v("analysis", x.analysis);
  v("mmrm", x.mmrm);
  v("comparisons", x.comparisons);
  fields(x.adaptive, v);  // its keys sit at top level
  v.omit_empty("subgroups", x.subgroups);
  v("multiplicity", x.family);
  v("arms", x.arms);
  v("sample_size", x.sample_size);
  v("enrolled", x.enrolled);
  v("accrual_months", x.accrual_months);
  v("duration_months", x.duration_months);
  v("follow_up", x.follow_up);
  v("delayed_treatment", x.delayed_treatment);
  v("diagnostics", x.diagnostics);
  v("nuisance_grid", x.nuisance_grid);
}
/// summary.json: the typed characteristics written through fields(), with the keys it adds.
nlohmann::json to_json(const OperatingCharacteristics& oc);
/// summary.json (read from `file`, at `key_path` of it, for the errors) as typed characteristics:
/// every block is checked, and a missing or mistyped key is an Error (ExitCode::data) naming the file
/// and the key path. to_json(operating_characteristics_from_json(to_json(oc))) == to_json(oc).
OperatingCharacteristics operating_characteristics_from_json(const nlohmann::json& summary,
                                                             const std::string& file = "summary.json",
                                                             const std::string& key_path = "");
OperatingCharacteristics operating_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth);
ComparisonCharacteristics comparison_characteristics(const Scenario& s, const Accumulator& acc, std::size_t c,
                                                     std::size_t arm, const Truth& truth);
std::vector<SubgroupCharacteristics> subgroup_characteristics(const Scenario& s, const Accumulator& acc);
/// The family's characteristics; nullopt unless the family has more than one hypothesis or there are claims.
std::optional<FamilyCharacteristics> family_characteristics(const Scenario& s, const Accumulator& acc);

/// summary.json's blocks, written through the fields() declarations above: a share is {estimate,
/// mc_se, ci95, count, of}; an effect estimate {mean, mc_se, true, true_mc_se, true_source, bias,
/// bias_mc_se, empirical_se, ...}; a comparison {arm, label, power (with favourable),
/// power_unadjusted, estimate, assurance, safety}; "subgroups" a list of SubgroupCharacteristics,
/// "multiplicity" a FamilyCharacteristics. Read them back with from_json<T>(block, file, key_path)
/// or member_from_json<T>(object, key, file, key_path) (json_fields.hpp), e.g.
/// member_from_json<std::vector<ComparisonCharacteristics>>(summary, "comparisons"); the top-level
/// comparison, power, estimate and assurance are copies of the first comparison's.
nlohmann::json to_json(const Share& x);
nlohmann::json to_json(const EffectEstimate& e);
nlohmann::json to_json(const ComparisonCharacteristics& c);
nlohmann::json to_json(const SubgroupCharacteristics& g);
nlohmann::json to_json(const std::vector<SubgroupCharacteristics>& gs);
nlohmann::json to_json(const FamilyCharacteristics& f);

}  // namespace celltrial

#include "celltrial/design/operating_characteristics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/design/summary.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/model/truth.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the shares mean, as summary.json states it.
constexpr const char* kComparisonUnadjusted = "favourable and significant at alpha without multiplicity adjustment";
constexpr const char* kAssurance =
    "probability of success: rejection in the favourable direction, averaged over the effect prior";
constexpr const char* kSafety = "probability that a trial shows an active - control SAE proportion above the threshold";
constexpr const char* kSubgroupConfirmatory = "favourable rejection under the multiplicity procedure";
constexpr const char* kSubgroupExploratory =
    "favourable and significant at alpha (not in the confirmatory family: unadjusted)";
constexpr const char* kInteraction = "treatment x subgroup interaction (effect inside - outside), two-sided test";
constexpr const char* kAtLeastOne = "at least one hypothesis of the family rejected in the favourable direction";
constexpr const char* kAll = "every hypothesis of the family rejected in the favourable direction";
constexpr const char* kAnyRejection =
    "at least one rejection in either direction: the family-wise error rate when every null hypothesis is true";

Share share_meaning(std::uint64_t x, std::uint64_t n, const char* meaning) {
  Share s = share(x, n);
  s.meaning = meaning;
  return s;
}
}  // namespace

nlohmann::json json_number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

Share share(std::uint64_t x, std::uint64_t n) {
  Share s;
  const double p = n ? static_cast<double>(x) / static_cast<double>(n) : kNaN;
  s.estimate = {p, n ? std::sqrt(p * (1 - p) / static_cast<double>(n)) : kNaN};
  std::tie(s.ci95_low, s.ci95_high) = wilson95(x, n);
  s.count = x;
  s.of = n;
  return s;
}

TrialMean trial_mean(const ExactMoments& m) {
  return {{m.count() ? m.mean() : kNaN, m.count() > 1 ? m.mc_se() : kNaN}, m.count()};
}

EffectEstimate effect_estimate(const ComparisonAccumulator& a, double truth_value, double truth_se, bool with_prior,
                               const char* true_source, double ci_level) {
  const std::uint64_t n = a.estimable;
  const double dn = static_cast<double>(n);
  const double emp_se = a.estimate.sd();
  const double rmse = std::sqrt(a.squared_error.mean());
  EffectEstimate e;
  e.mean = {a.estimate.mean(), a.estimate.mc_se()};
  e.truth = {with_prior ? a.truth.mean() : truth_value, with_prior ? std::hypot(a.truth.mc_se(), truth_se) : truth_se};
  e.true_source = true_source;
  e.bias = {a.error.mean(), std::hypot(a.error.mc_se(), truth_se)};
  e.empirical_se = {emp_se, n > 1 ? emp_se / std::sqrt(2.0 * (dn - 1)) : kNaN};
  e.model_se = {a.se.mean(), a.se.mc_se()};
  e.rmse = {rmse, rmse > 0 ? a.squared_error.mc_se() / (2 * rmse) : kNaN};
  const double cov = n ? static_cast<double>(a.covered) / dn : kNaN;
  e.coverage = {cov, n ? std::sqrt(cov * (1 - cov) / dn) : kNaN};
  e.ci_level = ci_level;
  e.estimable_trials = n;
  return e;
}

ComparisonCharacteristics comparison_characteristics(const Scenario& s, const Accumulator& acc, std::size_t c,
                                                     std::size_t arm, const Truth& truth) {
  const ComparisonAccumulator& a = acc.comparison(c);
  const bool with_prior = s.arms[arm].effect_prior.kind != PriorKind::none;
  ComparisonCharacteristics k;
  k.arm = s.arms[arm].name;
  k.label = s.arms[arm].name + " vs " + s.arms[s.control_arm()].name;
  k.power = share(a.rejections, acc.trials());
  k.power_favourable = share(a.rejections_favourable, acc.trials());
  k.power_unadjusted = share_meaning(a.rejections_unadjusted_favourable, acc.trials(), kComparisonUnadjusted);
  k.estimate = effect_estimate(a, acc.truth(c), truth.effect_mc_se[c], with_prior,
                               with_prior    ? "mean of the per-trial effects drawn from the prior"
                               : truth.exact ? "scenario effect at the primary visit"
                                             : "mean expected effect over eligible children (pre-run)",
                               s.analysis.ci_level);
  // The true effect is the estimand's: with the shift after dropout (what the children lost to
  // follow-up had), and with the intercurrent events under the treatment policy only.
  if (truth.follow_up_trials > 0) {
    const bool events = s.analysis.estimand == Estimand::treatment_policy && !s.design.intercurrent_events.empty();
    const std::string what = events && s.design.mnar() ? "intercurrent events and the shift after dropout"
                             : events                  ? "intercurrent events"
                                                       : "the shift after dropout";
    k.estimate.true_includes = what + ", averaged over " + std::to_string(truth.follow_up_trials) + " pre-run trials";
  }
  if (s.analysis.estimand == Estimand::hypothetical && !s.design.intercurrent_events.empty())
    k.estimate.true_excludes = "intercurrent events (the effect had they not happened)";
  if (with_prior) k.assurance = share_meaning(a.rejections_favourable, acc.trials(), kAssurance);
  k.safety = share_meaning(a.sae_difference_exceeds, acc.trials(), kSafety);
  k.safety_threshold = s.analysis.sae_difference_threshold;
  return k;
}

OperatingCharacteristics operating_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  OperatingCharacteristics oc;
  oc.scenario = s.name;
  oc.trials = acc.trials();
  oc.seed = s.simulation.seed;
  const auto active = s.active_arms();
  for (std::size_t c = 0; c < active.size(); ++c)
    oc.comparisons.push_back(comparison_characteristics(s, acc, c, active[c], truth));
  oc.subgroups = subgroup_characteristics(s, acc);
  oc.family = family_characteristics(s, acc);
  oc.analysis = analysis_characteristics(s);
  oc.mmrm = mmrm_characteristics(s, acc);
  oc.arms = arm_characteristics(s, acc);
  oc.sample_size = sample_size_characteristics(s, acc, truth);
  oc.enrolled = enrolled_characteristics(acc);
  if (s.design.accrual.modelled()) {
    // From the first site's opening (month 0); duration to the last child's scheduled assessment
    // at the primary visit, or to the stopping look.
    oc.accrual_months = distribution(acc.accrual_months(), "months from the first to the last randomisation");
    oc.duration_months = distribution(
        acc.duration_months(), s.design.interims.active()
                                   ? "months from the first site's opening to the decision: the stopping look, else the last "
                                     "primary-visit assessment"
                                   : "months from the first site's opening to the last primary-visit assessment");
  }
  if (acc.follow_up().visits > 0) oc.follow_up = follow_up_characteristics(s, acc.follow_up());
  if (acc.follow_up().delayed) oc.delayed_treatment = delayed_treatment_characteristics(s, acc.follow_up(), acc.trials());
  oc.diagnostics = diagnostics(s, acc);
  oc.adaptive = adaptive_characteristics(s, acc, truth);
  return oc;
}

std::vector<SubgroupCharacteristics> subgroup_characteristics(const Scenario& s, const Accumulator& acc) {
  std::vector<SubgroupCharacteristics> out;
  const auto active = s.active_arms();
  const std::size_t C = active.size();
  const auto hyps = all_hypotheses(s);
  const auto fam = family(s);
  const SubgroupTruth& t = acc.subgroup_truth();
  const std::uint64_t n = acc.trials();
  for (std::size_t h = 0; h < hyps.size(); ++h) {
    if (hyps[h].subgroup < 0) continue;
    const auto g = static_cast<std::size_t>(hyps[h].subgroup);
    const std::size_t c = hyps[h].comparison, slot = g * C + c;
    const Subgroup& sg = s.analysis.subgroups[g];
    const SubgroupAccumulator& a = acc.subgroup(slot);
    const bool in_family = std::find(fam.begin(), fam.end(), h) != fam.end();
    const bool prior = s.arms[active[c]].effect_prior.kind != PriorKind::none;
    SubgroupCharacteristics x;
    x.name = sg.name;
    x.hypothesis = hyps[h].name;
    x.definition = describe(sg);
    x.arm = s.arms[active[c]].name;
    x.label = s.arms[active[c]].name + " vs " + s.arms[s.control_arm()].name + " in " + sg.name;
    x.confirmatory = in_family;
    x.prevalence = {t.prevalence[g], t.prevalence_mc_se[g]};
    x.analysed_mean = {a.analysed.mean(), a.analysed.mc_se()};
    x.empty_trials = a.empty;
    if (n > 0 && a.empty == n)
      x.note = "the subgroup had no analysed child in any trial: nothing could be estimated";
    else if (a.inside.estimable < n)
      x.note = std::to_string(n - a.inside.estimable) +
               " trial(s) could not estimate the effect in the subgroup (an arm with no analysed child there)";
    x.power = share_meaning(a.inside.rejections_favourable, n, in_family ? kSubgroupConfirmatory : kSubgroupExploratory);
    x.power_unadjusted = share(a.inside.rejections_unadjusted_favourable, n);
    x.estimate = effect_estimate(a.inside, t.inside[slot], t.inside_mc_se[slot], prior,
                                 "mean expected effect over eligible children in the subgroup (pre-run)",
                                 s.analysis.ci_level);
    x.complement.power_unadjusted = share(a.outside.rejections_unadjusted_favourable, n);
    x.complement.estimate = effect_estimate(a.outside, t.outside[slot], t.outside_mc_se[slot], prior,
                                            "mean expected effect over eligible children outside the subgroup (pre-run)",
                                            s.analysis.ci_level);
    SubgroupInteraction& i = x.interaction;
    i.truth = {t.inside[slot] - t.outside[slot], std::hypot(t.inside_mc_se[slot], t.outside_mc_se[slot])};
    i.mean = {a.interaction.mean(), a.interaction.mc_se()};
    i.empirical_se = a.interaction.sd();
    i.model_se = a.interaction_se.mean();
    i.alpha = s.analysis.interaction_alpha;
    i.estimable_trials = a.interaction_estimable;
    i.power = share(a.interaction_rejections, n);
    i.meaning = kInteraction;
    out.push_back(std::move(x));
  }
  return out;
}

std::optional<FamilyCharacteristics> family_characteristics(const Scenario& s, const Accumulator& acc) {
  if (acc.family_size() <= 1 && s.analysis.claims.empty()) return std::nullopt;
  const auto hyps = all_hypotheses(s);
  const auto fam = family(s);
  const std::size_t C = s.active_arms().size();
  const std::uint64_t n = acc.trials();
  FamilyCharacteristics f;
  f.procedure = to_string(s.analysis.multiplicity);
  f.alpha = s.analysis.alpha;
  f.sides = s.analysis.sides;
  f.weights = s.analysis.testing.weights;
  f.transitions = s.analysis.testing.transitions;
  for (std::size_t h : fam) {
    const Hypothesis& x = hyps[h];
    const ComparisonAccumulator& a =
        x.subgroup < 0 ? acc.comparison(x.comparison) : acc.subgroup(static_cast<std::size_t>(x.subgroup) * C + x.comparison).inside;
    f.hypotheses.push_back({x.name, share(a.rejections_favourable, n), share(a.rejections_unadjusted_favourable, n)});
  }
  f.at_least_one = share_meaning(acc.family_any_favourable(), n, kAtLeastOne);
  f.all = share_meaning(acc.family_all_favourable(), n, kAll);
  f.any_rejection = share_meaning(acc.family_any_rejection(), n, kAnyRejection);
  for (std::size_t k = 0; k < s.analysis.claims.size(); ++k)
    f.claims.push_back({s.analysis.claims[k].name, s.analysis.claims[k].all_of, share(acc.claim(k), n)});
  return f;
}

nlohmann::json to_json(const Share& x) { return to_json_fields(x); }
nlohmann::json to_json(const EffectEstimate& e) { return to_json_fields(e); }
nlohmann::json to_json(const ComparisonCharacteristics& c) { return to_json_fields(c); }
nlohmann::json to_json(const SubgroupCharacteristics& g) { return to_json_fields(g); }
nlohmann::json to_json(const std::vector<SubgroupCharacteristics>& gs) { return to_json_fields(gs); }
nlohmann::json to_json(const FamilyCharacteristics& f) { return to_json_fields(f); }

nlohmann::json to_json(const OperatingCharacteristics& oc) {
  nlohmann::json j = to_json_fields(oc);
  j["format"] = "celltrial.summary/1";
  // The first active arm's comparison is also given at top level: power.estimate, estimate.mean...
  const nlohmann::json& first = j["comparisons"].at(0);
  j["comparison"] = first["label"];
  j["power"] = first["power"];
  j["estimate"] = first["estimate"];
  if (first.contains("assurance")) j["assurance"] = first["assurance"];
  // With interim looks: the expected, largest and distribution of N (also randomised_mean), the
  // expected duration.
  write_interim_keys(oc.adaptive, j);
  return j;
}

OperatingCharacteristics operating_characteristics_from_json(const nlohmann::json& summary, const std::string& file,
                                                             const std::string& key_path) {
  auto oc = from_json<OperatingCharacteristics>(summary, file, key_path);
  if (oc.comparisons.empty())
    throw Error(ExitCode::data,
                Diagnostic{Location{file, 0, 0}, key_path.empty() ? "comparisons" : key_path + ".comparisons",
                           "is empty: a run compares at least one active arm.",
                           "write the results again with celltrial, or restore the file."});
  read_interim_keys(oc.adaptive, summary, file, key_path);
  return oc;
}

}  // namespace celltrial

#include "celltrial/design/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json num(double x) { return json_number(x); }

nlohmann::json proportion(std::uint64_t x, std::uint64_t n) { return to_json(share(x, n)); }

// A per-trial quantity's distribution (Distribution in run_characteristics.hpp).
nlohmann::json distribution_json(const DistributionAccumulator& d, const char* unit) {
  return to_json_fields(distribution(d, unit));
}

// A per-trial mean over the trials that have it: {mean, mc_se, trials}.
nlohmann::json mean_json(const ExactMoments& m) { return to_json_fields(trial_mean(m)); }

// Sample-size re-estimation: the rule, the combination test's weights, how often each zone was met
// and N increased, the N of the trials increased, and the naive test that the combination replaces.
nlohmann::json reestimation_json(const Scenario& s, const Accumulator& acc) {
  const InterimAccumulator& a = acc.interims();
  const SampleSizeReestimation& r = s.design.interims.reestimation;
  const std::uint64_t n = acc.trials();
  const auto children = interim_children(s);
  const double n1 = static_cast<double>(children.back()), planned = static_cast<double>(s.design.sample_size);
  nlohmann::json j;
  j["rule"] = to_string(r.rule);
  j["target_power"] = r.target_power;
  j["planned_sample_size"] = s.design.sample_size;
  j["max_sample_size"] = r.max_sample_size;
  if (r.rule == ReestimationRule::promising_zone) j["promising_zone"] = {{"lower", r.zone_lower}, {"upper", r.zone_upper}};
  j["at_look"] = children.size();
  j["children_at_look"] = children.back();
  j["weights"] = {num(std::sqrt(n1 / planned)), num(std::sqrt(1 - n1 / planned))};
  j["weights_meaning"] =
      "final test after an increase: Z = w1 Z1 + w2 Z2 against the final critical value, w1 = sqrt(n1 / N) with n1 the "
      "look's children and N the planned sample size; Z1 the look's statistic, Z2 that of the second-stage children alone";
  j["decided"] = proportion(a.decided, n);
  j["decided"]["meaning"] = "trials that went on past the last look with an estimable Z (the rule was applied)";
  j["increase"] = proportion(a.increased, n);
  j["increase"]["meaning"] = "trials whose sample size was increased above the planned N";
  j["no_increase"] = proportion(n - a.increased, n);
  j["no_increase"]["meaning"] = "trials that kept the planned N or stopped at a look";
  if (r.rule == ReestimationRule::promising_zone) {
    nlohmann::json z;
    for (const auto& [name, k] : {std::pair{"unfavourable", InterimResult::Zone::unfavourable},
                                  {"promising", InterimResult::Zone::promising},
                                  {"favourable", InterimResult::Zone::favourable}})
      z[name] = proportion(a.zone[static_cast<std::size_t>(k)], n);
    z["meaning"] = "share of all trials whose conditional power at the planned N (under the current estimate) at the last "
                   "look was below the zone, in it, or at or above its upper end";
    j["zones"] = z;
  }
  j["conditional_power_at_look"] = mean_json(a.conditional_power);
  j["conditional_power_at_look"]["meaning"] = "mean conditional power at the planned N over the trials decided";
  j["sample_size_if_increased"] = mean_json(a.increased_n);
  j["sample_size_if_increased"]["meaning"] = "mean total N of the trials whose N was increased";
  j["naive_test"] = proportion(a.naive_efficacy, n);
  j["naive_test"]["meaning"] =
      "not a valid test: the share rejecting in the direction of benefit when, after an increase, the pooled Z of all "
      "children is compared with the final critical value; shows the inflation the combination test prevents";
  return j;
}

// Adaptive enrichment: the design (subgroup, rule, intersection test, weights, bounds), how often the
// look selected each population or stopped, the claims of the closed test in each, the naive tests
// the closed test replaces, and per selection the children screened and the months to the decision.
nlohmann::json enrichment_json(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  using Selection = EnrichmentResult::Selection;
  const InterimAccumulator& a = acc.interims();
  const AdaptiveEnrichment& en = s.design.interims.enrichment;
  const std::uint64_t n = acc.trials();
  const std::size_t g = enrichment_subgroup(s);
  const stats::Boundaries b = interim_boundaries(s);
  const auto children = interim_children(s);
  const double n1 = static_cast<double>(children.back()), planned = static_cast<double>(s.design.sample_size);
  nlohmann::json j;
  j["subgroup"] = en.subgroup;
  j["subgroup_description"] = describe(s.analysis.subgroups[g]);
  if (g < truth.subgroups.prevalence.size()) {
    j["prevalence"] = {{"estimate", num(truth.subgroups.prevalence[g])}, {"mc_se", num(truth.subgroups.prevalence_mc_se[g])}};
    j["prevalence"]["meaning"] = "share of eligible children in the subgroup (pre-run)";
  }
  j["rule"] = {{"name", to_string(en.rule)},
               {"statistic", to_string(en.statistic)},
               {"subgroup_threshold", en.subgroup_threshold},
               {"complement_threshold", en.complement_threshold},
               {"meaning", "at the look, when no claim is made: everyone when the complement's statistic is at least "
                           "complement_threshold, else the subgroup when its statistic is at least subgroup_threshold, "
                           "else stop for futility"}};
  j["intersection_test"] = to_string(en.intersection);
  j["children_at_look"] = children.back();
  j["weights"] = {num(std::sqrt(n1 / planned)), num(std::sqrt(1 - n1 / planned))};
  j["critical_values"] = {num(b.design.critical_values[0]), num(b.design.critical_values[1])};
  j["meaning"] =
      "closed test of H_F (everyone) and H_S (the subgroup): a claim needs its own and the intersection's combination "
      "statistic w1 Z1 + w2 Z2 at or above the final critical value (at the look: its own and the intersection's Z1 at "
      "or above the look's); Z2 from the children not yet at their primary visit at the look, in the population "
      "continued; one-sided in the direction of benefit";
  const std::array<std::pair<const char*, Selection>, 4> kinds{{{"full", Selection::full},
                                                                {"subgroup", Selection::subgroup},
                                                                {"stopped_futility", Selection::futility},
                                                                {"stopped_efficacy", Selection::efficacy}}};
  auto sum = [&](const std::array<std::uint64_t, 5>& v) {
    std::uint64_t t = 0;
    for (auto x : v) t += x;
    return t;
  };
  nlohmann::json sel, by, naive;
  for (const auto& [name, k] : kinds) {
    const auto i = static_cast<std::size_t>(k);
    sel[name] = proportion(a.selection[i], n);
    nlohmann::json c = {{"full", proportion(a.claim_full[i], n)}, {"subgroup", proportion(a.claim_subgroup[i], n)}};
    c["screened_mean"] = mean_json(a.screened[i]);
    c["duration_months"] = mean_json(a.duration[i]);
    by[name] = c;
  }
  const auto fin = static_cast<std::size_t>(Selection::full), sub = static_cast<std::size_t>(Selection::subgroup);
  const auto eff = static_cast<std::size_t>(Selection::efficacy), fut = static_cast<std::size_t>(Selection::futility);
  sel["meaning"] = "the look's decision: go on in everyone, only in the subgroup (later enrolment admits only its "
                   "children), stop for futility (the rule), stop for efficacy (a claim at the look)";
  j["selection"] = sel;
  j["final_population"] = {{"full", proportion(a.selection[fin], n)},
                           {"subgroup", proportion(a.selection[sub], n)},
                           {"stopped", proportion(a.selection[fut] + a.selection[eff], n)},
                           {"meaning", "the population the trial ended in: everyone, the subgroup, or stopped at the look"}};
  j["claim_in_final_population"] = {
      {"full", proportion(a.claim_full[fin], n)},
      {"subgroup", proportion(a.claim_subgroup[sub], n)},
      {"stopped", proportion(a.claim_full[eff] + a.claim_subgroup[eff] - a.claim_both[eff], n)},
      {"meaning", "share of all trials that ended in the population and made a claim in it (stopped: a claim at the look)"}};
  j["claim"] = {{"full", proportion(sum(a.claim_full), n)},
                {"subgroup", proportion(sum(a.claim_subgroup), n)},
                {"both", proportion(sum(a.claim_both), n)},
                {"any", proportion(sum(a.claim_full) + sum(a.claim_subgroup) - sum(a.claim_both), n)},
                {"meaning", "claims of the closed test in everyone (H_F) and in the subgroup (H_S); any: the "
                            "family-wise rejection rate (the FWER when both effects are null)"}};
  j["by_selection"] = by;
  j["by_selection_meaning"] =
      "per decision at the look: the share of all trials claiming in everyone and in the subgroup, and the mean "
      "children screened and months to the decision of those trials";
  naive = {{"full", proportion(sum(a.naive_full), n)},
           {"subgroup", proportion(sum(a.naive_subgroup), n)},
           {"any", proportion(sum(a.naive_any), n)},
           {"meaning", "not valid tests: each hypothesis tested alone on the pooled data so far at the group-sequential "
                       "bounds, at the look and at the final analysis of the population continued; shows the inflation "
                       "the closed combination test prevents"}};
  j["naive_test"] = naive;
  return j;
}

// Arm selection: the design (arms, rule, intersection test, weights, bounds), how often the look
// kept each arm and each set of arms or stopped, the closed test's claims per arm, the family-wise
// error rate (a claim for an arm whose true effect is 0), and the naive tests the closed test
// replaces.
nlohmann::json arm_selection_json(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  using Outcome = ArmSelectionResult::Outcome;
  const InterimAccumulator& a = acc.interims();
  const ArmSelection& as = s.design.interims.arm_selection;
  const std::uint64_t n = acc.trials();
  const auto active = s.active_arms();
  const std::size_t m = active.size();
  const stats::Boundaries b = interim_boundaries(s);
  const auto children = interim_children(s);
  const double n1 = static_cast<double>(children.back()), planned = static_cast<double>(s.design.sample_size);
  nlohmann::json j;
  nlohmann::json names = nlohmann::json::array(), effects = nlohmann::json::array(), nulls = nlohmann::json::array();
  for (std::size_t c = 0; c < m; ++c) {
    names.push_back(s.arms[active[c]].name);
    const double e = c < truth.effect.size() ? truth.effect[c] : kNaN;
    effects.push_back(num(e));
    if (e == 0) nulls.push_back(s.arms[active[c]].name);
  }
  j["arms"] = names;
  j["true_effect"] = effects;
  j["rule"] = {{"select", to_string(as.rule)},
               {"statistic", to_string(as.statistic)},
               {"threshold", num(std::isfinite(as.threshold) ? as.threshold : kNaN)},
               {"epsilon", num(std::isfinite(as.epsilon) ? as.epsilon : kNaN)},
               {"meaning", "at the look, when no arm is claimed: keep the arm with the largest statistic (best), every "
                           "arm whose statistic is at least threshold (threshold), or every arm within epsilon of the "
                           "largest (epsilon; with best and epsilon a threshold is a floor too); no arm kept: stop for "
                           "futility"}};
  j["intersection_test"] = to_string(as.intersection);
  j["children_at_look"] = children.back();
  j["weights"] = {num(std::sqrt(n1 / planned)), num(std::sqrt(1 - n1 / planned))};
  j["critical_values"] = {num(b.design.critical_values[0]), num(b.design.critical_values[1])};
  j["sample_size_note"] =
      "the arms dropped stop recruiting; the children randomised after the look are shared between control and the "
      "arms kept (their allocation ratios), so the total stays design.sample_size and the arms kept gain children";
  j["meaning"] =
      "closed test of H_j (no effect of arm j against control) over every intersection of the arms' hypotheses: a "
      "claim for arm j needs every intersection containing H_j rejected, at the look by its stage-1 Z at or above the "
      "look's critical value, at the final analysis also by its combination statistic w1 Z1 + w2 Z2 at or above the "
      "final one, Z2 from the children not yet at their primary visit at the look, over the arms kept; one-sided in the "
      "direction of benefit";
  const auto cont = static_cast<std::size_t>(Outcome::continued), fut = static_cast<std::size_t>(Outcome::futility),
             eff = static_cast<std::size_t>(Outcome::efficacy);
  j["outcome"] = {{"continued", proportion(a.outcome[cont], n)},
                  {"stopped_futility", proportion(a.outcome[fut], n)},
                  {"stopped_efficacy", proportion(a.outcome[eff], n)},
                  {"meaning", "the look's decision: go on with the arms kept, stop for futility (no arm kept), stop "
                              "for efficacy (a claim at the look)"}};
  nlohmann::json kept = nlohmann::json::array(), claim = nlohmann::json::array(), look = nlohmann::json::array(),
                 naive = nlohmann::json::array();
  for (std::size_t c = 0; c < m; ++c) {
    auto with_arm = [&](nlohmann::json x) {
      x["arm"] = names[c];
      return x;
    };
    kept.push_back(with_arm(proportion(a.arm_kept[c], n)));
    claim.push_back(with_arm(proportion(a.arm_claim[c], n)));
    look.push_back(with_arm(proportion(a.arm_claim_look[c], n)));
    naive.push_back(with_arm(proportion(a.arm_naive[c], n)));
  }
  j["selected"] = kept;
  j["selected_meaning"] = "share of all trials that went on past the look with the arm kept";
  nlohmann::json sets = nlohmann::json::array();
  for (unsigned mask = 1; mask < (1u << m); ++mask) {
    nlohmann::json arms = nlohmann::json::array();
    for (std::size_t c = 0; c < m; ++c)
      if (mask >> c & 1u) arms.push_back(names[c]);
    nlohmann::json x = proportion(a.kept_set[mask], n);
    x["arms"] = arms;
    sets.push_back(x);
  }
  j["final_selection"] = sets;
  j["final_selection_meaning"] = "share of all trials that went on past the look with exactly these arms (and control)";
  j["claim"] = claim;
  j["claim_any"] = proportion(a.arm_any_claim, n);
  j["claim_meaning"] = "claims of the closed test for each arm (at the look or at the final analysis); claim_any: a claim "
                       "for at least one arm";
  j["claim_at_look"] = look;
  j["fwer"] = proportion(a.arm_false_claim, n);
  j["fwer"]["null_arms"] = nulls;
  j["fwer"]["meaning"] = "family-wise error rate: share of trials with a claim for an arm whose true effect is 0 (0 "
                         "when no arm's effect is 0)";
  j["naive_test"] = {{"claim", naive},
                     {"any", proportion(a.arm_naive_any, n)},
                     {"false_claim", proportion(a.arm_naive_false, n)},
                     {"meaning", "not valid tests: each arm tested alone on the pooled data so far at the group-sequential "
                                 "bounds, at the look and at the final analysis of the arms kept; shows the inflation "
                                 "the closed combination test prevents"}};
  return j;
}

}  // namespace

std::pair<double, double> wilson95(std::uint64_t x, std::uint64_t n) {
  if (n == 0) return {kNaN, kNaN};
  const double z = 1.959963984540054;
  const double dn = static_cast<double>(n), p = static_cast<double>(x) / dn;
  const double denom = 1 + z * z / dn;
  const double centre = (p + z * z / (2 * dn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / dn + z * z / (4 * dn * dn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

nlohmann::json summarise(const Scenario& s, const Accumulator& acc) { return summarise(s, acc, Model(s).truth()); }

nlohmann::json run_provenance(const Scenario& s) {
  return {{"format", "celltrial.run/1"},
          {"celltrial_version", build::version},
          {"git_commit", build::git_commit},
          {"seed", s.simulation.seed},
          {"trials", s.simulation.trials}};
}

// How the mixed models were fitted: the structure asked for, the share of trials that needed a
// fallback and which, the share no structure fitted (their comparisons are not estimable).
nlohmann::json mmrm_json(const Scenario& s, const Accumulator& acc) {
  const auto& m = s.analysis.mmrm;
  nlohmann::json j = {{"covariance", to_string(m.covariance)}, {"df", to_string(m.df)}};
  nlohmann::json fb = nlohmann::json::array();
  for (auto f : m.fallback) fb.push_back(to_string(f));
  j["fallback_order"] = fb;
  if (!m.visits_months.empty()) j["visits_months"] = m.visits_months;
  const auto& used = acc.mmrm_structures();
  j["fallback"] = proportion(acc.mmrm_fallbacks(), acc.trials());
  j["fallback"]["meaning"] = "trials whose fit with the covariance asked for did not converge and used a fallback";
  nlohmann::json by = nlohmann::json::object();
  for (std::size_t k = 0; k < 5; ++k)
    if (used[k] > 0) by[to_string(static_cast<CovarianceStructure>(k))] = proportion(used[k], acc.trials());
  j["structure_used"] = by;
  j["not_fitted"] = proportion(used[5], acc.trials());
  j["not_fitted"]["meaning"] = "trials in which no structure converged (comparisons not estimable)";
  return j;
}

nlohmann::json summarise(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  return summarise(s, acc, truth, operating_characteristics(s, acc, truth));
}

nlohmann::json summarise(const Scenario& s, const Accumulator& acc, const Truth& truth, const OperatingCharacteristics& oc) {
  nlohmann::json j;
  j["format"] = "celltrial.summary/1";
  j["scenario"] = s.name;
  j["trials"] = acc.trials();
  j["seed"] = s.simulation.seed;
  j["analysis"] = to_json_fields(oc.analysis);
  if (s.analysis.method == AnalysisMethod::mmrm) j["mmrm"] = mmrm_json(s, acc);
  nlohmann::json comps = nlohmann::json::array();
  for (const ComparisonCharacteristics& c : oc.comparisons) comps.push_back(to_json(c));
  // The first active arm's comparison is also given at top level: power.estimate, estimate.mean...
  j["comparison"] = comps[0]["label"];
  j["power"] = comps[0]["power"];
  j["estimate"] = comps[0]["estimate"];
  if (comps[0].contains("assurance")) j["assurance"] = comps[0]["assurance"];
  j["comparisons"] = comps;
  // any_rejection and all_rejections (more than one active arm), interims and stopping (interim looks).
  j.update(to_json_fields(oc.adaptive));
  if (!s.analysis.subgroups.empty()) j["subgroups"] = to_json(oc.subgroups);
  if (oc.family) j["multiplicity"] = to_json(*oc.family);
  j["arms"] = to_json_fields(oc.arms);
  j["sample_size"] = to_json_fields(oc.sample_size);
  if (s.design.interims.active()) {
    // Trials that stop early randomise fewer children: the expected number with its MC error
    // (also sample_size.randomised_mean).
    const DistributionAccumulator& n = acc.interims().sample_size;
    j["sample_size"]["expected"] = num(n.moments.mean());
    j["sample_size"]["expected_mc_se"] = num(n.moments.mc_se());
    j["sample_size"]["max"] = s.design.sample_size;
    j["sample_size"]["distribution"] = distribution_json(n, "children randomised (a trial stopped at a look randomises those recruited by then)");
    j["sample_size"]["quantiles"] = j["sample_size"]["distribution"]["quantiles"];
    if (s.design.interims.reestimation.active()) {
      j["sample_size"]["planned"] = s.design.sample_size;
      j["sample_size"]["max"] = s.design.interims.reestimation.max_sample_size;
      j["sample_size"]["distribution"]["unit"] =
          "children randomised (a trial stopped at a look randomises those recruited by then; one whose N was "
          "re-estimated, the new N)";
      j["sample_size_reestimation"] = reestimation_json(s, acc);
      j["sample_size"]["max_observed"] = acc.interims().max_n;
    }
    if (s.design.interims.enrichment.active()) j["enrichment"] = enrichment_json(s, acc, truth);
    if (s.design.interims.arm_selection.active()) j["arm_selection"] = arm_selection_json(s, acc, truth);
  }
  j["enrolled"] = to_json_fields(oc.enrolled);
  if (oc.accrual_months) j["accrual_months"] = to_json_fields(*oc.accrual_months);
  if (oc.duration_months) {
    j["duration_months"] = to_json_fields(*oc.duration_months);
    if (s.design.interims.active()) {
      j["duration_months"]["expected"] = j["duration_months"]["mean"];
      j["duration_months"]["expected_mc_se"] = j["duration_months"]["mc_se"];
      if (s.design.interims.reestimation.active()) j["duration_months"]["max_observed"] = num(acc.interims().max_duration);
    }
  }
  if (oc.follow_up) j["follow_up"] = to_json_fields(*oc.follow_up);
  if (oc.delayed_treatment) j["delayed_treatment"] = to_json_fields(*oc.delayed_treatment);
  j["diagnostics"] = to_json_fields(oc.diagnostics);
  return j;
}

}  // namespace celltrial

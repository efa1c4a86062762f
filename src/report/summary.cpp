#include "celltrial/report/summary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <sstream>
#include <tuple>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

std::string dump_json(const nlohmann::json& j) { return j.dump(2) + "\n"; }

void write_run_results(const std::string& dir, const Scenario& s, const nlohmann::json& summary,
                       const nlohmann::json& run, const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> files = extra;
  files["summary.json"] = dump_json(summary);
  files["summary.csv"] = summary_csv(summary);
  files["run.json"] = dump_json(run);
  files["scenario.yaml"] = "# Fully resolved scenario of this run\n" + to_yaml(s);
  write_results_folder(dir, files);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {
std::string fmt(const nlohmann::json& v, int prec = 4) {
  if (v.is_null()) return "NA";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v.get<double>());
  return buf;
}
std::string fmt(double v, int prec = 4) { return fmt(json_number(v), prec); }
std::string csv_num(const nlohmann::json& v) { return v.is_null() ? "" : v.dump(); }
}  // namespace

std::string summary_csv(const OperatingCharacteristics& j) {
  std::ostringstream os;
  os << "scenario,trials,seed,comparison,metric,estimate,mc_se\n";
  const std::string head = csv_field(j.scenario) + "," + std::to_string(j.trials) + "," + std::to_string(j.seed) + ",";
  // One row: what it is about (comparison, subgroup, arm, ...), the metric, its value and MC SE.
  auto row = [&](const std::string& about, const std::string& metric, const nlohmann::json& est, const nlohmann::json& se) {
    os << head << csv_field(about) << "," << metric << "," << csv_num(est) << "," << csv_num(se) << "\n";
  };
  // A typed estimate: its value and MC SE.
  auto est = [&](const std::string& about, const std::string& metric, const Estimate& e) {
    row(about, metric, json_number(e.value), json_number(e.mc_se));
  };
  for (const ComparisonCharacteristics& c : j.comparisons) {
    const EffectEstimate& e = c.estimate;
    est(c.label, "power", c.power.estimate);
    est(c.label, "power_favourable", c.power_favourable.estimate);
    est(c.label, "estimate_mean", e.mean);
    est(c.label, "true_effect", e.truth);
    est(c.label, "bias", e.bias);
    est(c.label, "empirical_se", e.empirical_se);
    est(c.label, "model_se", e.model_se);
    est(c.label, "rmse", e.rmse);
    est(c.label, "coverage", e.coverage);
    est(c.label, "p_sae_difference_exceeds", c.safety.estimate);
  }
  for (const SubgroupCharacteristics& g : j.subgroups) {
      const EffectEstimate& e = g.estimate;
      est(g.label, "subgroup_analysed_mean", g.analysed_mean);
      est(g.label, "subgroup_power", g.power.estimate);
      est(g.label, "subgroup_power_unadjusted", g.power_unadjusted.estimate);
      est(g.label, "subgroup_estimate_mean", e.mean);
      est(g.label, "subgroup_true_effect", e.truth);
      est(g.label, "subgroup_bias", e.bias);
      est(g.label, "subgroup_coverage", e.coverage);
      est(g.label, "complement_estimate_mean", g.complement.estimate.mean);
      est(g.label, "interaction_mean", g.interaction.mean);
      est(g.label, "interaction_power", g.interaction.power.estimate);
    }
  if (j.family) {
    const FamilyCharacteristics& m = *j.family;
    for (const FamilyHypothesis& h : m.hypotheses) est("family:" + h.name, "power", h.power.estimate);
    est("family", "at_least_one", m.at_least_one.estimate);
    est("family", "all", m.all.estimate);
    est("family", "any_rejection", m.any_rejection.estimate);
    for (const ClaimCharacteristics& c : m.claims) est("claim:" + c.name, "probability", c.share.estimate);
  }
  for (const ArmCharacteristics& a : j.arms) {
    est(a.name, "analysed_mean", a.analysed_mean);
    est(a.name, "mean_change", a.mean_change);
    est(a.name, "sae_mean", a.sae);
    est(a.name, "infusion_reactions_mean", a.infusion_reactions);
    if (std::isfinite(a.mean_dose.value)) est(a.name, "mean_dose", a.mean_dose);
  }
  // Per-trial totals and who enrolled, under "all arms" (no age rows for a generic model, whose
  // children have none).
  const SampleSizeCharacteristics& size = j.sample_size;
  const EnrolledCharacteristics& en = j.enrolled;
  est("all arms", "randomised_mean", size.randomised_mean);
  est("all arms", "analysed_mean", size.analysed_mean);
  est("all arms", "screened_mean", size.screened);
  est("all arms", "screened_per_randomised", size.screened_per_randomised);
  if (std::isfinite(en.mean_age_months.value)) {
    est("all arms", "mean_age_months", en.mean_age_months);
    est("all arms", "share_under_5_years", en.share_under_5_years);
    est("all arms", "share_gmfcs_I_III", en.share_gmfcs_I_III);
  }
  if (j.accrual_months) est("all arms", "accrual_months", j.accrual_months->mean);
  if (j.duration_months) est("all arms", "duration_months", j.duration_months->mean);
  const AdaptiveCharacteristics& adaptive = j.adaptive;
  if (adaptive.sample_size_reestimation) {
    const ReestimationCharacteristics& r = *adaptive.sample_size_reestimation;
    const std::string lab = "sample-size re-estimation";
    est(lab, "expected_sample_size", adaptive.sample_size.value().expected);
    est(lab, "p_increase", r.increase.estimate);
    if (r.zones) {
      est(lab, "p_zone_unfavourable", r.zones->unfavourable.estimate);
      est(lab, "p_zone_promising", r.zones->promising.estimate);
      est(lab, "p_zone_favourable", r.zones->favourable.estimate);
    }
    est(lab, "sample_size_if_increased", r.sample_size_if_increased.mean.mean);
    est(lab, "naive_test_rejection", r.naive_test.estimate);
  }
  if (adaptive.enrichment) {
    const EnrichmentCharacteristics& e = *adaptive.enrichment;
    const std::string lab = "adaptive enrichment";
    const std::array<std::tuple<const char*, const Share*, const Share*>, 3> populations{
        {{"full", &e.final_population.full, &e.claim_in_final_population.full},
         {"subgroup", &e.final_population.subgroup, &e.claim_in_final_population.subgroup},
         {"stopped", &e.final_population.stopped, &e.claim_in_final_population.stopped}}};
    for (const auto& [k, population, claim] : populations) {
      est(lab, std::string("p_final_population_") + k, population->estimate);
      est(lab, std::string("p_claim_in_final_population_") + k, claim->estimate);
    }
    est(lab, "p_claim_full", e.claim.full.estimate);
    est(lab, "p_claim_subgroup", e.claim.subgroup.estimate);
    est(lab, "p_claim_any", e.claim.any.estimate);
    est(lab, "naive_test_any", e.naive_test.any.estimate);
  }
  if (adaptive.arm_selection) {
    const ArmSelectionCharacteristics& e = *adaptive.arm_selection;
    const std::string lab = "arm selection";
    for (const ArmShare& x : e.selected) est(lab, "p_selected_" + x.arm, x.share.estimate);
    for (const ArmShare& x : e.claim) est(lab, "p_claim_" + x.arm, x.share.estimate);
    est(lab, "p_continued", e.outcome.continued.estimate);
    est(lab, "p_stopped_futility", e.outcome.stopped_futility.estimate);
    est(lab, "p_stopped_efficacy", e.outcome.stopped_efficacy.estimate);
    est(lab, "p_claim_any", e.claim_any.estimate);
    est(lab, "fwer", e.fwer.share.estimate);
    est(lab, "naive_test_false_claim", e.naive_test.false_claim.estimate);
  }
  if (j.follow_up) {
    // Per arm and visit: metric_month_<month>.
    const FollowUpCharacteristics& f = *j.follow_up;
    for (const Visit& v : f.visits) {
      const std::string month = "_month_" + format_number(v.month);
      for (const VisitArm& a : v.arms) {
        est(a.name, "observed_share" + month, a.observed_share.mean);
        est(a.name, "mean_change_observed" + month, a.mean_change_observed.mean);
        est(a.name, "mean_change_all" + month, a.mean_change_all.mean);
      }
    }
    for (const FollowUpArm& a : f.arms) {
      est(a.name, "dropped_out_share", a.dropped_out_share.mean);
      est(a.name, "intercurrent_event_share", a.intercurrent_event_share.mean);
    }
  }
  if (j.delayed_treatment) {
    const DelayedTreatmentCharacteristics& d = *j.delayed_treatment;
    est("delayed treatment", "delayed_gain", d.delayed_gain.mean);
    est("delayed treatment", "early_gain", d.early_gain.mean);
    est("delayed treatment", "difference", d.estimate.mean);
    est("delayed treatment", "power", d.power.estimate);
  }
  return os.str();
}

std::string summary_table(const OperatingCharacteristics& j) {
  std::ostringstream os;
  const AnalysisCharacteristics& an = j.analysis;
  os << "Scenario " << j.scenario << ": " << j.trials << " trials, seed " << j.seed << ", "
     << (an.method == "mmrm" ? "MMRM" : "ANCOVA") << " at " << nlohmann::json(an.primary_visit_months) << " months, alpha " << nlohmann::json(an.alpha) << " ("
     << an.sides << "-sided)\n";
  char line[256];
  for (const ComparisonCharacteristics& c : j.comparisons) {
    const Share& p = c.power;
    const EffectEstimate& e = c.estimate;
    os << "\n  " << c.label << "\n";
    std::snprintf(line, sizeof line, "    %-22s %10s %10s   %s\n", "", "estimate", "MC SE", "");
    os << line;
    auto row = [&](const char* name, const Estimate& x, const std::string& extra = "") {
      std::snprintf(line, sizeof line, "    %-22s %10s %10s   %s\n", name, fmt(x.value).c_str(), fmt(x.mc_se).c_str(),
                    extra.c_str());
      os << line;
    };
    row("power (reject H0)", p.estimate, "95% CI " + fmt(p.ci95_low) + " to " + fmt(p.ci95_high));
    row("  favourable direction", c.power_favourable.estimate);
    row("mean estimate", e.mean,
        "true effect " + fmt(e.truth.value) + (e.truth.mc_se > 0 ? " (MC SE " + fmt(e.truth.mc_se) + ")" : ""));
    row("bias", e.bias);
    row("empirical SE", e.empirical_se);
    row("mean model SE", e.model_se);
    row("RMSE", e.rmse);
    row("CI coverage", e.coverage, "nominal " + fmt(e.ci_level, 2));
    if (c.assurance) row("assurance (prior)", c.assurance->estimate);
    row("P(SAE excess > thr.)", c.safety.estimate, "threshold " + fmt(c.safety_threshold, 3));
  }
  const AdaptiveCharacteristics& adaptive = j.adaptive;
  if (adaptive.any_rejection) {
    os << "\n  any active arm rejects: " << fmt(adaptive.any_rejection->estimate.value) << " (MC SE "
       << fmt(adaptive.any_rejection->estimate.mc_se) << ")\n";
  }
  if (!j.subgroups.empty()) {
    os << "\n  subgroup (definition)                     analysed  estimate (true)     power  unadj.   interaction (true)  P(int.)\n";
    for (const SubgroupCharacteristics& g : j.subgroups) {
      const std::string name = g.hypothesis + (g.confirmatory ? "*" : "");
      std::snprintf(line, sizeof line, "  %-16.16s %-24.24s %8s  %7s (%6s)  %6s  %6s   %7s (%6s)    %6s\n", name.c_str(),
                    g.definition.c_str(), fmt(g.analysed_mean.value, 1).c_str(), fmt(g.estimate.mean.value, 2).c_str(),
                    fmt(g.estimate.truth.value, 2).c_str(), fmt(g.power.estimate.value, 3).c_str(),
                    fmt(g.power_unadjusted.estimate.value, 3).c_str(), fmt(g.interaction.mean.value, 2).c_str(),
                    fmt(g.interaction.truth.value, 2).c_str(), fmt(g.interaction.power.estimate.value, 3).c_str());
      os << line;
      if (!g.note.empty()) os << "    note: " << g.note << "\n";
    }
    os << "  (* in the confirmatory family; power is then under the multiplicity procedure)\n";
  }
  if (j.family) {
    const FamilyCharacteristics& m = *j.family;
    os << "\n  multiplicity: " << m.procedure << " over " << m.hypotheses.size() << " hypotheses at alpha "
       << nlohmann::json(m.alpha) << "\n";
    for (const FamilyHypothesis& h : m.hypotheses)
      os << "    " << h.name << ": power " << fmt(h.power.estimate.value) << " (MC SE " << fmt(h.power.estimate.mc_se)
         << "), unadjusted " << fmt(h.power_unadjusted.estimate.value) << "\n";
    os << "    at least one claim " << fmt(m.at_least_one.estimate.value) << ", all claims " << fmt(m.all.estimate.value)
       << ", any rejection (FWER if all nulls true) " << fmt(m.any_rejection.estimate.value) << "\n";
    for (const ClaimCharacteristics& c : m.claims)
      os << "    claim " << c.name << ": " << fmt(c.share.estimate.value) << " (MC SE " << fmt(c.share.estimate.mc_se) << ")\n";
  }
  os << "\n  arm               randomised  analysed  mean change (MC SE)   SAEs  infusion r.  mean dose\n";
  for (const ArmCharacteristics& a : j.arms) {
    const std::string dose = std::isfinite(a.mean_dose.value) ? fmt(a.mean_dose.value, 2) + " x " + a.dose_unit : "-";
    std::snprintf(line, sizeof line, "  %-18s %9s %9s  %8s (%s)  %6s %8s     %s\n", a.name.c_str(),
                  fmt(a.randomised_mean, 1).c_str(), fmt(a.analysed_mean.value, 1).c_str(),
                  fmt(a.mean_change.value, 3).c_str(), fmt(a.mean_change.mc_se, 3).c_str(), fmt(a.sae.value, 1).c_str(),
                  fmt(a.infusion_reactions.value, 1).c_str(), dose.c_str());
    os << line;
  }
  const SampleSizeCharacteristics& size = j.sample_size;
  os << "  screened per trial: " << fmt(size.screened.value, 1) << " (MC SE " << fmt(size.screened.mc_se, 1) << "; "
     << fmt(size.screened_per_randomised.value, 2) << " per randomised child); analysed per trial: "
     << fmt(size.analysed_mean.value, 1) << " (MC SE " << fmt(size.analysed_mean.mc_se, 1) << ")\n";
  const EnrolledCharacteristics& en = j.enrolled;
  if (std::isfinite(en.mean_age_months.value))
    os << "  enrolled: mean age " << fmt(en.mean_age_months.value, 1) << " months, " << fmt(en.share_under_5_years.value, 3)
       << " under 5 years, " << fmt(en.share_gmfcs_I_III.value, 3) << " at GMFCS I-III\n";
  if (j.accrual_months && j.duration_months) {
    const Distribution& am = *j.accrual_months;
    const Distribution& dm = *j.duration_months;
    os << "  accrual: " << fmt(am.mean.value, 1) << " months first to last randomisation (MC SE " << fmt(am.mean.mc_se, 2)
       << "; 5-95 % of trials " << fmt(am.q05, 1) << "-" << fmt(am.q95, 1) << "); duration to the "
       << (adaptive.stopping ? "decision" : "last primary-visit assessment") << " " << fmt(dm.mean.value, 1)
       << " months (MC SE " << fmt(dm.mean.mc_se, 2) << ")\n";
  }
  if (adaptive.stopping && adaptive.interims) {
    // Group-sequential design: the bound and the share stopping at each analysis.
    const StoppingCharacteristics& st = *adaptive.stopping;
    const InterimCharacteristics& in = *adaptive.interims;
    const InterimSampleSize& ss = adaptive.sample_size.value();
    os << "  interims (" << in.boundary << ", futility "
       << (adaptive.enrichment ? std::string("by the enrichment rule") : in.futility.rule) << "): expected N "
       << fmt(ss.expected.value, 1) << " of " << ss.max << " (MC SE " << fmt(ss.expected.mc_se, 2) << ")\n";
    for (std::size_t k = 0; k < st.efficacy.size(); ++k) {
      const bool final = k + 1 == st.efficacy.size();
      os << "    " << (final ? std::string("final ") : "look " + std::to_string(k + 1)) << "  information "
         << fmt(in.information[k], 3) << "  bound Z >= " << fmt(in.critical_values[k], 3) << "  efficacy "
         << fmt(st.efficacy[k].estimate.value, 4) << " (MC SE " << fmt(st.efficacy[k].estimate.mc_se, 4) << ")";
      if (!final) os << "  futility " << fmt(st.futility[k].estimate.value, 4) << "  month " << fmt(in.look_months[k].mean.value, 1);
      // Looks at calendar months: the information above is the mean observed; the share of trials holding the look.
      if (!final && in.held) os << "  held " << fmt((*in.held)[k].estimate.value, 4);
      os << "\n";
    }
    const EffectEstimate& e = in.estimate_at_stopping.estimate;
    os << "    naive estimate at stopping: mean " << fmt(e.mean.value, 3) << ", bias " << fmt(e.bias.value, 3) << " (MC SE "
       << fmt(e.bias.mc_se, 3) << "), coverage " << fmt(e.coverage.value, 3) << "\n";
    if (in.estimate_at_stopping_adjusted) {
      const EffectEstimate& a = in.estimate_at_stopping_adjusted->estimate;
      os << "    median-unbiased estimate (stage-wise ordering): mean " << fmt(a.mean.value, 3) << ", bias " << fmt(a.bias.value, 3)
         << " (MC SE " << fmt(a.bias.mc_se, 3) << "), coverage " << fmt(a.coverage.value, 3) << "\n";
    }
  }
  if (adaptive.sample_size_reestimation) {
    // Sample-size re-estimation: how often N was increased, and the final N.
    const ReestimationCharacteristics& r = *adaptive.sample_size_reestimation;
    const InterimSampleSize& ss = adaptive.sample_size.value();
    os << "  sample-size re-estimation (" << r.rule << ", target " << fmt(r.target_power, 2) << ", cap "
       << r.max_sample_size << ", combination test w1 " << fmt(r.weights.at(0), 3) << "): increased "
       << fmt(r.increase.estimate.value, 4) << " (MC SE " << fmt(r.increase.estimate.mc_se, 4) << ")";
    if (r.zones)
      os << "; zones unfavourable " << fmt(r.zones->unfavourable.estimate.value, 4) << ", promising "
         << fmt(r.zones->promising.estimate.value, 4) << ", favourable " << fmt(r.zones->favourable.estimate.value, 4);
    os << "\n    N: planned " << ss.planned.value() << ", expected " << fmt(ss.expected.value, 1) << " (MC SE "
       << fmt(ss.expected.mc_se, 2) << "), 5-50-95 % " << fmt(ss.distribution.q05, 0) << "-" << fmt(ss.distribution.q50, 0)
       << "-" << fmt(ss.distribution.q95, 0) << ", largest " << ss.max_observed.value() << "; if increased "
       << fmt(r.sample_size_if_increased.mean.mean.value, 1) << "\n";
  }
  if (adaptive.enrichment) {
    // Adaptive enrichment: the population each trial ended in, the closed test's claims, the naive tests.
    const EnrichmentCharacteristics& e = *adaptive.enrichment;
    auto est = [](const Share& x) { return fmt(x.estimate.value, 4) + " (MC SE " + fmt(x.estimate.mc_se, 4) + ")"; };
    os << "  adaptive enrichment to '" << e.subgroup << "' (" << e.subgroup_description << "; rule " << e.rule.name
       << " on " << e.rule.statistic << ", " << e.intersection_test << " intersection, w1 " << fmt(e.weights.at(0), 3)
       << "):\n";
    os << "    " << std::left << std::setw(20) << "final population" << std::setw(23) << "share (MC SE)" << std::setw(23)
       << "claim in it (MC SE)" << std::right << std::setw(8) << "screened" << "  " << std::setw(6) << "months" << "\n";
    const std::array<std::tuple<const char*, const Share*, const Share*, const SelectionClaims*>, 2> populations{
        {{"everyone", &e.final_population.full, &e.claim_in_final_population.full, &e.by_selection.full},
         {"subgroup", &e.final_population.subgroup, &e.claim_in_final_population.subgroup, &e.by_selection.subgroup}}};
    for (const auto& [name, population, claim, by] : populations) {
      os << "    " << std::left << std::setw(20) << name << std::right << est(*population) << "  " << est(*claim) << "  "
         << std::setw(8) << fmt(by->screened_mean.mean.value, 0) << "  " << std::setw(6)
         << fmt(by->duration_months.mean.value, 1) << "\n";
    }
    os << "    " << std::left << std::setw(20) << "stopped at the look" << std::right << est(e.final_population.stopped)
       << "  " << est(e.claim_in_final_population.stopped) << "  (futility "
       << fmt(e.selection.stopped_futility.estimate.value, 4) << ", efficacy "
       << fmt(e.selection.stopped_efficacy.estimate.value, 4) << ")\n";
    os << "    claims (closed test): everyone " << est(e.claim.full) << ", subgroup " << est(e.claim.subgroup) << ", any "
       << est(e.claim.any) << "\n";
    os << "    naive unadjusted tests (not valid): any " << est(e.naive_test.any) << "\n";
  }
  if (const auto& g = j.nuisance_grid) {
    // The type I error under the null at each point of the nuisance grid, and the worst case.
    auto settings = [](const std::map<std::string, std::string>& x) {
      std::string t;
      for (const auto& [k, v] : x) t += (t.empty() ? "" : ", ") + k + "=" + v;
      return t;
    };
    auto est = [](const Estimate& x) { return fmt(x.value, 4) + " (MC SE " + fmt(x.mc_se, 4) + ")"; };
    os << "  type I error over the nuisance grid (" << g->points.size() << " points x " << g->trials_per_point
       << " trials, every effect 0; claims of benefit at level " << fmt(g->level, 4) << "):\n";
    for (const NuisancePoint& p : g->points) {
      os << "    " << est(p.type_one_error.estimate);
      if (p.family_wise) os << "  family-wise " << est(p.family_wise->estimate);
      os << "  at " << settings(p.settings) << "\n";
    }
    if (const auto& w = g->worst)
      os << "    worst " << (w->measure == "family_wise" ? "family-wise rate " : "") << est(w->rate) << " at "
         << settings(w->settings) << ": " << (w->within_level ? "within" : "ABOVE") << " level + 3 MC SE\n";
  }
  if (adaptive.arm_selection) {
    // Arm selection: how often each arm was kept and claimed, each final set of arms, the stops, the FWER.
    const ArmSelectionCharacteristics& e = *adaptive.arm_selection;
    auto est = [](const Share& x) { return fmt(x.estimate.value, 4) + " (MC SE " + fmt(x.estimate.mc_se, 4) + ")"; };
    const ArmSelectionLookRule& r = e.rule;
    os << "  arm selection (select " << r.select << " on " << r.statistic;
    if (std::isfinite(r.threshold)) os << ", threshold " << fmt(r.threshold, 3);
    if (std::isfinite(r.epsilon)) os << ", epsilon " << fmt(r.epsilon, 3);
    os << "; " << e.intersection_test << " intersections, w1 " << fmt(e.weights.at(0), 3) << "):\n";
    os << "    " << std::left << std::setw(20) << "arm" << std::setw(23) << "kept after look" << std::setw(23) << "claim"
       << std::setw(23) << "claim at look" << "true effect" << std::right << "\n";
    for (std::size_t c = 0; c < e.arms.size(); ++c)
      os << "    " << std::left << std::setw(20) << e.arms[c] << std::right << est(e.selected.at(c).share) << "  "
         << est(e.claim.at(c).share) << "  " << est(e.claim_at_look.at(c).share) << "  " << fmt(e.true_effect.at(c), 3)
         << "\n";
    os << "    final selection:";
    for (const ArmSetShare& x : e.final_selection) {
      std::string arms;
      for (const std::string& a : x.arms) arms += (arms.empty() ? "" : "+") + a;
      os << " " << arms << " " << fmt(x.share.estimate.value, 4) << ";";
    }
    os << "\n    stopped at the look: futility " << est(e.outcome.stopped_futility) << ", efficacy "
       << est(e.outcome.stopped_efficacy) << "\n";
    os << "    claim for any arm " << est(e.claim_any) << "; FWER (claim for an arm with no effect) " << est(e.fwer.share)
       << "\n";
    os << "    naive unadjusted tests (not valid): false claim " << est(e.naive_test.false_claim) << "\n";
  }
  if (j.follow_up) {
    // Per visit: share assessed and mean change of the assessed, per arm.
    const FollowUpCharacteristics& f = *j.follow_up;
    os << "  visits (share assessed, mean change of the assessed | of all):\n";
    for (const Visit& v : f.visits) {
      os << "    month " << std::setw(4) << fmt(v.month, 0) << ":";
      for (const VisitArm& a : v.arms)
        os << "  " << a.name << " " << fmt(a.observed_share.mean.value, 3) << ", " << fmt(a.mean_change_observed.mean.value, 2)
           << " | " << fmt(a.mean_change_all.mean.value, 2);
      os << "\n";
    }
    os << "    by the last visit:";
    for (const FollowUpArm& a : f.arms)
      os << "  " << a.name << " dropped out " << fmt(a.dropped_out_share.mean.value, 3) << ", intercurrent event "
         << fmt(a.intercurrent_event_share.mean.value, 3);
    os << "\n";
  }
  if (j.delayed_treatment) {
    const DelayedTreatmentCharacteristics& d = *j.delayed_treatment;
    os << "  delayed treatment at month " << fmt(d.start_month, 0) << ": delayed gain " << fmt(d.delayed_gain.mean.value, 3)
       << " vs early gain " << fmt(d.early_gain.mean.value, 3) << ", difference " << fmt(d.estimate.mean.value, 3)
       << " (MC SE " << fmt(d.estimate.mean.mc_se, 3) << "); power to detect it " << fmt(d.power.estimate.value, 4)
       << " (MC SE " << fmt(d.power.estimate.mc_se, 4) << ")\n";
  }
  const auto ne = j.diagnostics.not_estimable;
  if (ne) os << "  note: " << ne << " comparison(s) could not be estimated (an arm with no analysed child)\n";
  return os.str();
}

std::string summary_csv(const nlohmann::json& summary) { return summary_csv(operating_characteristics_from_json(summary)); }
std::string summary_table(const nlohmann::json& summary) { return summary_table(operating_characteristics_from_json(summary)); }

}  // namespace celltrial

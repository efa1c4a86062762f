#include "celltrial/report/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>
#include <sstream>

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

std::string summary_csv(const nlohmann::json& j) {
  std::ostringstream os;
  os << "scenario,trials,seed,comparison,metric,estimate,mc_se\n";
  const std::string head = csv_field(j["scenario"].get<std::string>()) + "," + j["trials"].dump() + "," +
                           j["seed"].dump() + ",";
  // One row: what it is about (comparison, subgroup, arm, ...), the metric, its value and MC SE.
  auto row = [&](const std::string& about, const std::string& metric, const nlohmann::json& est, const nlohmann::json& se) {
    os << head << csv_field(about) << "," << metric << "," << csv_num(est) << "," << csv_num(se) << "\n";
  };
  // A value and its MC SE from the keys `value` and `value_se` of `o`.
  auto pair = [&](const std::string& about, const std::string& metric, const nlohmann::json& o, const char* value,
                  const char* value_se) { row(about, metric, o[value], o[value_se]); };
  // A typed estimate: its value and MC SE.
  auto est = [&](const std::string& about, const std::string& metric, const Estimate& e) {
    row(about, metric, json_number(e.value), json_number(e.mc_se));
  };
  for (const ComparisonCharacteristics& c : member_from_json<std::vector<ComparisonCharacteristics>>(j, "comparisons")) {
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
  if (j.contains("subgroups"))
    for (const SubgroupCharacteristics& g : from_json<std::vector<SubgroupCharacteristics>>(j["subgroups"], "summary.json", "subgroups")) {
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
  if (j.contains("multiplicity")) {
    const auto m = from_json<FamilyCharacteristics>(j["multiplicity"], "summary.json", "multiplicity");
    for (const FamilyHypothesis& h : m.hypotheses) est("family:" + h.name, "power", h.power.estimate);
    est("family", "at_least_one", m.at_least_one.estimate);
    est("family", "all", m.all.estimate);
    est("family", "any_rejection", m.any_rejection.estimate);
    for (const ClaimCharacteristics& c : m.claims) est("claim:" + c.name, "probability", c.share.estimate);
  }
  for (const ArmCharacteristics& a : member_from_json<std::vector<ArmCharacteristics>>(j, "arms")) {
    est(a.name, "analysed_mean", a.analysed_mean);
    est(a.name, "mean_change", a.mean_change);
    est(a.name, "sae_mean", a.sae);
    est(a.name, "infusion_reactions_mean", a.infusion_reactions);
    if (std::isfinite(a.mean_dose.value)) est(a.name, "mean_dose", a.mean_dose);
  }
  // Per-trial totals and who enrolled, under "all arms" (no age rows for a generic model, whose
  // children have none).
  const auto size = member_from_json<SampleSizeCharacteristics>(j, "sample_size");
  const auto en = member_from_json<EnrolledCharacteristics>(j, "enrolled");
  est("all arms", "randomised_mean", size.randomised_mean);
  est("all arms", "analysed_mean", size.analysed_mean);
  est("all arms", "screened_mean", size.screened);
  est("all arms", "screened_per_randomised", size.screened_per_randomised);
  if (std::isfinite(en.mean_age_months.value)) {
    est("all arms", "mean_age_months", en.mean_age_months);
    est("all arms", "share_under_5_years", en.share_under_5_years);
    est("all arms", "share_gmfcs_I_III", en.share_gmfcs_I_III);
  }
  for (const char* key : {"accrual_months", "duration_months"})
    if (j.contains(key)) est("all arms", key, member_from_json<Distribution>(j, key).mean);
  if (j.contains("sample_size_reestimation")) {
    const auto& r = j["sample_size_reestimation"];
    const std::string lab = "sample-size re-estimation";
    pair(lab, "expected_sample_size", j["sample_size"], "expected", "expected_mc_se");
    pair(lab, "p_increase", r["increase"], "estimate", "mc_se");
    if (r.contains("zones"))
      for (const char* z : {"unfavourable", "promising", "favourable"})
        pair(lab, std::string("p_zone_") + z, r["zones"][z], "estimate", "mc_se");
    pair(lab, "sample_size_if_increased", r["sample_size_if_increased"], "mean", "mc_se");
    pair(lab, "naive_test_rejection", r["naive_test"], "estimate", "mc_se");
  }
  if (j.contains("enrichment")) {
    const auto& e = j["enrichment"];
    const std::string lab = "adaptive enrichment";
    for (const char* k : {"full", "subgroup", "stopped"}) {
      pair(lab, std::string("p_final_population_") + k, e["final_population"][k], "estimate", "mc_se");
      pair(lab, std::string("p_claim_in_final_population_") + k, e["claim_in_final_population"][k], "estimate", "mc_se");
    }
    for (const char* k : {"full", "subgroup", "any"}) pair(lab, std::string("p_claim_") + k, e["claim"][k], "estimate", "mc_se");
    pair(lab, "naive_test_any", e["naive_test"]["any"], "estimate", "mc_se");
  }
  if (j.contains("arm_selection")) {
    const auto& e = j["arm_selection"];
    const std::string lab = "arm selection";
    for (const auto& x : e["selected"]) pair(lab, "p_selected_" + x["arm"].get<std::string>(), x, "estimate", "mc_se");
    for (const auto& x : e["claim"]) pair(lab, "p_claim_" + x["arm"].get<std::string>(), x, "estimate", "mc_se");
    for (const char* k : {"continued", "stopped_futility", "stopped_efficacy"})
      pair(lab, std::string("p_") + k, e["outcome"][k], "estimate", "mc_se");
    pair(lab, "p_claim_any", e["claim_any"], "estimate", "mc_se");
    pair(lab, "fwer", e["fwer"], "estimate", "mc_se");
    pair(lab, "naive_test_false_claim", e["naive_test"]["false_claim"], "estimate", "mc_se");
  }
  if (j.contains("follow_up")) {
    // Per arm and visit: metric_month_<month>.
    const auto f = member_from_json<FollowUpCharacteristics>(j, "follow_up");
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
  if (j.contains("delayed_treatment")) {
    const auto d = member_from_json<DelayedTreatmentCharacteristics>(j, "delayed_treatment");
    est("delayed treatment", "delayed_gain", d.delayed_gain.mean);
    est("delayed treatment", "early_gain", d.early_gain.mean);
    est("delayed treatment", "difference", d.estimate.mean);
    est("delayed treatment", "power", d.power.estimate);
  }
  return os.str();
}

std::string summary_table(const nlohmann::json& j) {
  std::ostringstream os;
  const auto an = member_from_json<AnalysisCharacteristics>(j, "analysis");
  os << "Scenario " << j["scenario"].get<std::string>() << ": " << j["trials"] << " trials, seed " << j["seed"]
     << ", ANCOVA at " << nlohmann::json(an.primary_visit_months) << " months, alpha " << nlohmann::json(an.alpha) << " ("
     << an.sides << "-sided)\n";
  char line[256];
  for (const ComparisonCharacteristics& c : member_from_json<std::vector<ComparisonCharacteristics>>(j, "comparisons")) {
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
  const auto adaptive = from_json<AdaptiveCharacteristics>(j, "summary.json");
  if (adaptive.any_rejection) {
    os << "\n  any active arm rejects: " << fmt(adaptive.any_rejection->estimate.value) << " (MC SE "
       << fmt(adaptive.any_rejection->estimate.mc_se) << ")\n";
  }
  if (j.contains("subgroups")) {
    os << "\n  subgroup (definition)                     analysed  estimate (true)     power  unadj.   interaction (true)  P(int.)\n";
    for (const SubgroupCharacteristics& g : from_json<std::vector<SubgroupCharacteristics>>(j["subgroups"], "summary.json", "subgroups")) {
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
  if (j.contains("multiplicity")) {
    const auto m = from_json<FamilyCharacteristics>(j["multiplicity"], "summary.json", "multiplicity");
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
  for (const ArmCharacteristics& a : member_from_json<std::vector<ArmCharacteristics>>(j, "arms")) {
    const std::string dose = std::isfinite(a.mean_dose.value) ? fmt(a.mean_dose.value, 2) + " x " + a.dose_unit : "-";
    std::snprintf(line, sizeof line, "  %-18s %9s %9s  %8s (%s)  %6s %8s     %s\n", a.name.c_str(),
                  fmt(a.randomised_mean, 1).c_str(), fmt(a.analysed_mean.value, 1).c_str(),
                  fmt(a.mean_change.value, 3).c_str(), fmt(a.mean_change.mc_se, 3).c_str(), fmt(a.sae.value, 1).c_str(),
                  fmt(a.infusion_reactions.value, 1).c_str(), dose.c_str());
    os << line;
  }
  const auto size = member_from_json<SampleSizeCharacteristics>(j, "sample_size");
  os << "  screened per trial: " << fmt(size.screened.value, 1) << " (MC SE " << fmt(size.screened.mc_se, 1) << "; "
     << fmt(size.screened_per_randomised.value, 2) << " per randomised child); analysed per trial: "
     << fmt(size.analysed_mean.value, 1) << " (MC SE " << fmt(size.analysed_mean.mc_se, 1) << ")\n";
  const auto en = member_from_json<EnrolledCharacteristics>(j, "enrolled");
  if (std::isfinite(en.mean_age_months.value))
    os << "  enrolled: mean age " << fmt(en.mean_age_months.value, 1) << " months, " << fmt(en.share_under_5_years.value, 3)
       << " under 5 years, " << fmt(en.share_gmfcs_I_III.value, 3) << " at GMFCS I-III\n";
  if (j.contains("accrual_months")) {
    const auto am = member_from_json<Distribution>(j, "accrual_months");
    const auto dm = member_from_json<Distribution>(j, "duration_months");
    os << "  accrual: " << fmt(am.mean.value, 1) << " months first to last randomisation (MC SE " << fmt(am.mean.mc_se, 2)
       << "; 5-95 % of trials " << fmt(am.q05, 1) << "-" << fmt(am.q95, 1) << "); duration to the "
       << (adaptive.stopping ? "decision" : "last primary-visit assessment") << " " << fmt(dm.mean.value, 1)
       << " months (MC SE " << fmt(dm.mean.mc_se, 2) << ")\n";
  }
  const auto& ss = j["sample_size"];  // with interim looks, its adaptive keys
  if (adaptive.stopping && adaptive.interims) {
    // Group-sequential design: the bound and the share stopping at each analysis.
    const StoppingCharacteristics& st = *adaptive.stopping;
    const InterimCharacteristics& in = *adaptive.interims;
    os << "  interims (" << in.boundary << ", futility "
       << (j.contains("enrichment") ? std::string("by the enrichment rule") : in.futility.rule)
       << "): expected N " << fmt(ss["expected"], 1) << " of " << ss["max"].get<std::int64_t>() << " (MC SE "
       << fmt(ss["expected_mc_se"], 2) << ")\n";
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
  if (j.contains("sample_size_reestimation")) {
    // Sample-size re-estimation: how often N was increased, and the final N.
    const auto& r = j["sample_size_reestimation"];
    os << "  sample-size re-estimation (" << r["rule"].get<std::string>() << ", target " << fmt(r["target_power"], 2)
       << ", cap " << r["max_sample_size"].get<std::int64_t>() << ", combination test w1 " << fmt(r["weights"][0], 3)
       << "): increased " << fmt(r["increase"]["estimate"], 4) << " (MC SE " << fmt(r["increase"]["mc_se"], 4) << ")";
    if (r.contains("zones"))
      os << "; zones unfavourable " << fmt(r["zones"]["unfavourable"]["estimate"], 4) << ", promising "
         << fmt(r["zones"]["promising"]["estimate"], 4) << ", favourable " << fmt(r["zones"]["favourable"]["estimate"], 4);
    os << "\n    N: planned " << ss["planned"].get<std::int64_t>() << ", expected " << fmt(ss["expected"], 1) << " (MC SE "
       << fmt(ss["expected_mc_se"], 2) << "), 5-50-95 % " << fmt(ss["quantiles"]["0.05"], 0) << "-"
       << fmt(ss["quantiles"]["0.5"], 0) << "-" << fmt(ss["quantiles"]["0.95"], 0) << ", largest "
       << ss["max_observed"].get<std::int64_t>() << "; if increased " << fmt(r["sample_size_if_increased"]["mean"], 1)
       << "\n";
  }
  if (j.contains("enrichment")) {
    // Adaptive enrichment: the population each trial ended in, the closed test's claims, the naive tests.
    const auto& e = j["enrichment"];
    auto est = [&](const nlohmann::json& x) {
      return fmt(x["estimate"], 4) + " (MC SE " + fmt(x["mc_se"], 4) + ")";
    };
    os << "  adaptive enrichment to '" << e["subgroup"].get<std::string>() << "' ("
       << e["subgroup_description"].get<std::string>() << "; rule " << e["rule"]["name"].get<std::string>() << " on "
       << e["rule"]["statistic"].get<std::string>() << ", " << e["intersection_test"].get<std::string>()
       << " intersection, w1 " << fmt(e["weights"][0], 3) << "):\n";
    const auto& by = e["by_selection"];
    os << "    " << std::left << std::setw(20) << "final population" << std::setw(23) << "share (MC SE)" << std::setw(23)
       << "claim in it (MC SE)" << std::right << std::setw(8) << "screened" << "  " << std::setw(6) << "months" << "\n";
    for (const auto& [name, key] : {std::pair{"everyone", "full"}, {"subgroup", "subgroup"}}) {
      os << "    " << std::left << std::setw(20) << name << std::right << est(e["final_population"][key]) << "  "
         << est(e["claim_in_final_population"][key]) << "  " << std::setw(8) << fmt(by[key]["screened_mean"]["mean"], 0)
         << "  " << std::setw(6) << fmt(by[key]["duration_months"]["mean"], 1) << "\n";
    }
    os << "    " << std::left << std::setw(20) << "stopped at the look" << std::right << est(e["final_population"]["stopped"])
       << "  " << est(e["claim_in_final_population"]["stopped"]) << "  (futility " << fmt(e["selection"]["stopped_futility"]["estimate"], 4)
       << ", efficacy " << fmt(e["selection"]["stopped_efficacy"]["estimate"], 4) << ")\n";
    os << "    claims (closed test): everyone " << est(e["claim"]["full"]) << ", subgroup " << est(e["claim"]["subgroup"])
       << ", any " << est(e["claim"]["any"]) << "\n";
    os << "    naive unadjusted tests (not valid): any " << est(e["naive_test"]["any"]) << "\n";
  }
  if (j.contains("nuisance_grid")) {
    // The type I error under the null at each point of the nuisance grid, and the worst case.
    const auto& g = j["nuisance_grid"];
    auto settings = [](const nlohmann::json& x) {
      std::string t;
      for (const auto& [k, v] : x.items()) t += (t.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
      return t;
    };
    const bool fw = g["worst"]["measure"] == "family_wise";
    os << "  type I error over the nuisance grid (" << g["points"].size() << " points x "
       << g["trials_per_point"].get<std::uint64_t>() << " trials, every effect 0; claims of benefit at level "
       << fmt(g["level"], 4) << "):\n";
    for (const auto& p : g["points"]) {
      os << "    " << fmt(p["type_one_error"]["estimate"], 4) << " (MC SE " << fmt(p["type_one_error"]["mc_se"], 4) << ")";
      if (p.contains("family_wise"))
        os << "  family-wise " << fmt(p["family_wise"]["estimate"], 4) << " (MC SE " << fmt(p["family_wise"]["mc_se"], 4) << ")";
      os << "  at " << settings(p["settings"]) << "\n";
    }
    const auto& w = g["worst"];
    os << "    worst " << (fw ? "family-wise rate " : "") << fmt(w["estimate"], 4) << " (MC SE " << fmt(w["mc_se"], 4) << ") at "
       << settings(w["settings"]) << ": " << (w["within_level"].get<bool>() ? "within" : "ABOVE")
       << " level + 3 MC SE\n";
  }
  if (j.contains("arm_selection")) {
    // Arm selection: how often each arm was kept and claimed, each final set of arms, the stops, the FWER.
    const auto& e = j["arm_selection"];
    auto est = [&](const nlohmann::json& x) {
      return fmt(x["estimate"], 4) + " (MC SE " + fmt(x["mc_se"], 4) + ")";
    };
    const auto& r = e["rule"];
    os << "  arm selection (select " << r["select"].get<std::string>() << " on " << r["statistic"].get<std::string>();
    if (r["threshold"].is_number()) os << ", threshold " << fmt(r["threshold"], 3);
    if (r["epsilon"].is_number()) os << ", epsilon " << fmt(r["epsilon"], 3);
    os << "; " << e["intersection_test"].get<std::string>() << " intersections, w1 " << fmt(e["weights"][0], 3) << "):\n";
    os << "    " << std::left << std::setw(20) << "arm" << std::setw(23) << "kept after look" << std::setw(23) << "claim"
       << std::setw(23) << "claim at look" << "true effect" << std::right << "\n";
    for (std::size_t c = 0; c < e["arms"].size(); ++c)
      os << "    " << std::left << std::setw(20) << e["arms"][c].get<std::string>() << std::right << est(e["selected"][c])
         << "  " << est(e["claim"][c]) << "  " << est(e["claim_at_look"][c]) << "  " << fmt(e["true_effect"][c], 3)
         << "\n";
    os << "    final selection:";
    for (const auto& x : e["final_selection"]) {
      std::string arms;
      for (const auto& a : x["arms"]) arms += (arms.empty() ? "" : "+") + a.get<std::string>();
      os << " " << arms << " " << fmt(x["estimate"], 4) << ";";
    }
    os << "\n    stopped at the look: futility " << est(e["outcome"]["stopped_futility"]) << ", efficacy "
       << est(e["outcome"]["stopped_efficacy"]) << "\n";
    os << "    claim for any arm " << est(e["claim_any"]) << "; FWER (claim for an arm with no effect) " << est(e["fwer"])
       << "\n";
    os << "    naive unadjusted tests (not valid): false claim " << est(e["naive_test"]["false_claim"]) << "\n";
  }
  if (j.contains("follow_up")) {
    // Per visit: share assessed and mean change of the assessed, per arm.
    const auto f = member_from_json<FollowUpCharacteristics>(j, "follow_up");
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
  if (j.contains("delayed_treatment")) {
    const auto d = member_from_json<DelayedTreatmentCharacteristics>(j, "delayed_treatment");
    os << "  delayed treatment at month " << fmt(d.start_month, 0) << ": delayed gain " << fmt(d.delayed_gain.mean.value, 3)
       << " vs early gain " << fmt(d.early_gain.mean.value, 3) << ", difference " << fmt(d.estimate.mean.value, 3)
       << " (MC SE " << fmt(d.estimate.mean.mc_se, 3) << "); power to detect it " << fmt(d.power.estimate.value, 4)
       << " (MC SE " << fmt(d.power.estimate.mc_se, 4) << ")\n";
  }
  const auto ne = member_from_json<Diagnostics>(j, "diagnostics").not_estimable;
  if (ne) os << "  note: " << ne << " comparison(s) could not be estimated (an arm with no analysed child)\n";
  return os.str();
}

}  // namespace celltrial

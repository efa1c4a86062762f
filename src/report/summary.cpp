#include "celltrial/report/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "celltrial/core/error.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/version_info.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json num(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

nlohmann::json proportion(std::uint64_t x, std::uint64_t n) {
  const double p = n ? static_cast<double>(x) / static_cast<double>(n) : kNaN;
  const auto [lo, hi] = wilson95(x, n);
  return {{"estimate", num(p)},
          {"mc_se", num(n ? std::sqrt(p * (1 - p) / static_cast<double>(n)) : kNaN)},
          {"ci95", {num(lo), num(hi)}},
          {"count", x},
          {"of", n}};
}

// Estimate, bias, SEs and coverage of one comparison's accumulated estimates.
nlohmann::json estimate_json(const ComparisonAccumulator& a, double truth_value, double truth_se, bool with_prior,
                             const char* true_source, double ci_level) {
  const std::uint64_t n = a.estimable;
  const double mean = a.estimate.mean();
  const double emp_se = a.estimate.sd();
  const double rmse = std::sqrt(a.squared_error.mean());
  const double dn = static_cast<double>(n);
  nlohmann::json j = {
      {"mean", num(mean)},
      {"mc_se", num(a.estimate.mc_se())},
      {"true", num(with_prior ? a.truth.mean() : truth_value)},
      {"true_mc_se", num(with_prior ? std::hypot(a.truth.mc_se(), truth_se) : truth_se)},
      {"true_source", true_source},
      {"bias", num(a.error.mean())},
      {"bias_mc_se", num(std::hypot(a.error.mc_se(), truth_se))},
      {"empirical_se", num(emp_se)},
      {"empirical_se_mc_se", num(n > 1 ? emp_se / std::sqrt(2.0 * (dn - 1)) : kNaN)},
      {"model_se", num(a.se.mean())},
      {"model_se_mc_se", num(a.se.mc_se())},
      {"rmse", num(rmse)},
      {"rmse_mc_se", num(rmse > 0 ? a.squared_error.mc_se() / (2 * rmse) : kNaN)},
      {"coverage", num(n ? static_cast<double>(a.covered) / dn : kNaN)},
      {"coverage_mc_se", nullptr},
      {"ci_level", ci_level},
      {"estimable_trials", n},
  };
  if (n) {
    const double cov = static_cast<double>(a.covered) / dn;
    j["coverage_mc_se"] = num(std::sqrt(cov * (1 - cov) / dn));
  }
  return j;
}

nlohmann::json comparison_json(const Scenario& s, const Accumulator& acc, std::size_t c, std::size_t arm,
                               const Truth& truth) {
  const ComparisonAccumulator& a = acc.comparison(c);
  const bool with_prior = s.arms[arm].effect_prior.kind != PriorKind::none;
  nlohmann::json j;
  j["arm"] = s.arms[arm].name;
  j["label"] = s.arms[arm].name + " vs " + s.arms[s.control_arm()].name;
  j["power"] = proportion(a.rejections, acc.trials());
  j["power"]["favourable"] = proportion(a.rejections_favourable, acc.trials());
  j["power_unadjusted"] = proportion(a.rejections_unadjusted_favourable, acc.trials());
  j["power_unadjusted"]["meaning"] = "favourable and significant at alpha without multiplicity adjustment";
  j["estimate"] = estimate_json(a, acc.truth(c), truth.effect_mc_se[c], with_prior,
                                with_prior    ? "mean of the per-trial effects drawn from the prior"
                                : truth.exact ? "scenario effect at the primary visit"
                                              : "mean expected effect over eligible children (pre-run)",
                                s.analysis.ci_level);
  if (with_prior) {
    j["assurance"] = proportion(a.rejections_favourable, acc.trials());
    j["assurance"]["meaning"] = "probability of success: rejection in the favourable direction, averaged over the effect prior";
  }
  j["safety"] = proportion(a.sae_difference_exceeds, acc.trials());
  j["safety"]["threshold"] = s.analysis.sae_difference_threshold;
  j["safety"]["meaning"] = "probability that a trial shows an active - control SAE proportion above the threshold";
  return j;
}
nlohmann::json subgroups_json(const Scenario& s, const Accumulator& acc) {
  nlohmann::json out = nlohmann::json::array();
  const auto active = s.active_arms();
  const std::size_t C = active.size();
  const auto hyps = all_hypotheses(s);
  const auto fam = family(s);
  const SubgroupTruth& t = acc.subgroup_truth();
  for (std::size_t h = 0; h < hyps.size(); ++h) {
    if (hyps[h].subgroup < 0) continue;
    const auto g = static_cast<std::size_t>(hyps[h].subgroup);
    const std::size_t c = hyps[h].comparison, slot = g * C + c;
    const Subgroup& sg = s.analysis.subgroups[g];
    const SubgroupAccumulator& a = acc.subgroup(slot);
    const bool in_family = std::find(fam.begin(), fam.end(), h) != fam.end();
    const bool prior = s.arms[active[c]].effect_prior.kind != PriorKind::none;
    nlohmann::json j;
    j["name"] = sg.name;
    j["hypothesis"] = hyps[h].name;
    j["definition"] = describe(sg);
    j["arm"] = s.arms[active[c]].name;
    j["label"] = s.arms[active[c]].name + " vs " + s.arms[s.control_arm()].name + " in " + sg.name;
    j["confirmatory"] = in_family;
    j["prevalence_prerun"] = num(t.prevalence[g]);
    j["prevalence_prerun_mc_se"] = num(t.prevalence_mc_se[g]);
    j["analysed_mean"] = num(a.analysed.mean());
    j["analysed_mean_mc_se"] = num(a.analysed.mc_se());
    j["empty_trials"] = a.empty;
    if (acc.trials() > 0 && a.empty == acc.trials())
      j["note"] = "the subgroup had no analysed child in any trial: nothing could be estimated";
    else if (a.inside.estimable < acc.trials())
      j["note"] = std::to_string(acc.trials() - a.inside.estimable) +
                  " trial(s) could not estimate the effect in the subgroup (an arm with no analysed child there)";
    j["power"] = proportion(a.inside.rejections_favourable, acc.trials());
    j["power"]["meaning"] = in_family ? "favourable rejection under the multiplicity procedure"
                                      : "favourable and significant at alpha (not in the confirmatory family: unadjusted)";
    j["power_unadjusted"] = proportion(a.inside.rejections_unadjusted_favourable, acc.trials());
    const char* src = "mean expected effect over eligible children in the subgroup (pre-run)";
    j["estimate"] = estimate_json(a.inside, t.inside[slot], t.inside_mc_se[slot], prior, src, s.analysis.ci_level);
    nlohmann::json comp;
    comp["power_unadjusted"] = proportion(a.outside.rejections_unadjusted_favourable, acc.trials());
    comp["estimate"] = estimate_json(a.outside, t.outside[slot], t.outside_mc_se[slot], prior,
                                     "mean expected effect over eligible children outside the subgroup (pre-run)",
                                     s.analysis.ci_level);
    j["complement"] = comp;
    const double ti = t.inside[slot] - t.outside[slot];
    j["interaction"] = {{"true", num(ti)},
                        {"true_mc_se", num(std::hypot(t.inside_mc_se[slot], t.outside_mc_se[slot]))},
                        {"mean", num(a.interaction.mean())},
                        {"mc_se", num(a.interaction.mc_se())},
                        {"empirical_se", num(a.interaction.sd())},
                        {"model_se", num(a.interaction_se.mean())},
                        {"alpha", s.analysis.interaction_alpha},
                        {"estimable_trials", a.interaction_estimable},
                        {"power", proportion(a.interaction_rejections, acc.trials())},
                        {"meaning", "treatment x subgroup interaction (effect inside - outside), two-sided test"}};
    out.push_back(j);
  }
  return out;
}

nlohmann::json multiplicity_json(const Scenario& s, const Accumulator& acc) {
  const auto hyps = all_hypotheses(s);
  const auto fam = family(s);
  const std::size_t C = s.active_arms().size();
  nlohmann::json j;
  j["procedure"] = to_string(s.analysis.multiplicity);
  j["alpha"] = s.analysis.alpha;
  j["sides"] = s.analysis.sides;
  if (!s.analysis.testing.weights.empty()) j["weights"] = s.analysis.testing.weights;
  if (!s.analysis.testing.transitions.empty()) j["transitions"] = s.analysis.testing.transitions;
  nlohmann::json hs = nlohmann::json::array();
  for (std::size_t h : fam) {
    const Hypothesis& x = hyps[h];
    const ComparisonAccumulator& a =
        x.subgroup < 0 ? acc.comparison(x.comparison) : acc.subgroup(static_cast<std::size_t>(x.subgroup) * C + x.comparison).inside;
    hs.push_back({{"name", x.name},
                  {"power", proportion(a.rejections_favourable, acc.trials())},
                  {"power_unadjusted", proportion(a.rejections_unadjusted_favourable, acc.trials())}});
  }
  j["hypotheses"] = hs;
  j["at_least_one"] = proportion(acc.family_any_favourable(), acc.trials());
  j["at_least_one"]["meaning"] = "at least one hypothesis of the family rejected in the favourable direction";
  j["all"] = proportion(acc.family_all_favourable(), acc.trials());
  j["all"]["meaning"] = "every hypothesis of the family rejected in the favourable direction";
  j["any_rejection"] = proportion(acc.family_any_rejection(), acc.trials());
  j["any_rejection"]["meaning"] =
      "at least one rejection in either direction: the family-wise error rate when every null hypothesis is true";
  nlohmann::json cl = nlohmann::json::array();
  for (std::size_t k = 0; k < s.analysis.claims.size(); ++k) {
    nlohmann::json c = proportion(acc.claim(k), acc.trials());
    c["name"] = s.analysis.claims[k].name;
    c["all_of"] = s.analysis.claims[k].all_of;
    cl.push_back(c);
  }
  j["claims"] = cl;
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

nlohmann::json summarise(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  nlohmann::json j;
  j["format"] = "celltrial.summary/1";
  j["scenario"] = s.name;
  j["trials"] = acc.trials();
  j["seed"] = s.simulation.seed;
  j["analysis"] = {{"method", to_string(s.analysis.method)},
                   {"primary_visit_months", s.analysis.primary_visit_months},
                   {"alpha", s.analysis.alpha},
                   {"sides", s.analysis.sides},
                   {"multiplicity", to_string(s.analysis.multiplicity)}};
  const auto active = s.active_arms();
  nlohmann::json comps = nlohmann::json::array();
  for (std::size_t c = 0; c < active.size(); ++c) comps.push_back(comparison_json(s, acc, c, active[c], truth));
  // The first active arm's comparison is also given at top level: power.estimate, estimate.mean...
  j["comparison"] = comps[0]["label"];
  j["power"] = comps[0]["power"];
  j["estimate"] = comps[0]["estimate"];
  if (comps[0].contains("assurance")) j["assurance"] = comps[0]["assurance"];
  j["comparisons"] = comps;
  if (active.size() > 1) {
    j["any_rejection"] = proportion(acc.any_rejection(), acc.trials());
    j["all_rejections"] = proportion(acc.all_rejections(), acc.trials());
  }
  if (!s.analysis.subgroups.empty()) j["subgroups"] = subgroups_json(s, acc);
  if (acc.family_size() > 1 || !s.analysis.claims.empty()) j["multiplicity"] = multiplicity_json(s, acc);
  nlohmann::json arms = nlohmann::json::array();
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    const ArmAccumulator& x = acc.arm(a);
    arms.push_back({{"name", s.arms[a].name},
                    {"role", to_string(s.arms[a].role)},
                    {"randomised_mean", num(x.randomised.mean())},
                    {"analysed_mean", num(x.analysed.mean())},
                    {"analysed_mean_mc_se", num(x.analysed.mc_se())},
                    {"mean_change", num(x.mean_change.mean())},
                    {"mean_change_mc_se", num(x.mean_change.mc_se())},
                    {"sae_mean", num(x.sae.mean())},
                    {"sae_mc_se", num(x.sae.mc_se())},
                    {"infusion_reactions_mean", num(x.infusion.mean())},
                    {"infusion_reactions_mc_se", num(x.infusion.mc_se())},
                    {"product", to_string(s.arms[a].product)},
                    {"mean_dose", num(x.mean_dose.count() ? x.mean_dose.mean() : kNaN)},
                    {"mean_dose_mc_se", num(x.mean_dose.count() > 1 ? x.mean_dose.mc_se() : kNaN)},
                    {"dose_unit", s.arms[a].product == ProductType::ucb   ? "1e7 TNC/kg"
                                  : s.arms[a].product == ProductType::msc ? "1e6 cells/kg per dose"
                                                                           : ""}});
  }
  j["arms"] = arms;
  // Every trial randomises the design's sample size: the mean is that constant, with no MC error,
  // and the ratio's MC error is the screened count's divided by it.
  const double randomised = static_cast<double>(s.design.sample_size);
  j["sample_size"] = {{"randomised_mean", num(randomised)},
                      {"randomised_mean_mc_se", num(0.0)},
                      {"analysed_mean", num(acc.analysed_total().mean())},
                      {"analysed_mean_mc_se", num(acc.analysed_total().mc_se())},
                      {"screened_mean", num(acc.screened().mean())},
                      {"screened_mc_se", num(acc.screened().mc_se())},
                      {"screened_per_randomised", num(acc.screened().mean() / randomised)},
                      {"screened_per_randomised_mc_se", num(acc.screened().mc_se() / randomised)},
                      {"screening_yield_prerun", num(truth.screening_yield)}};
  j["enrolled"] = {{"mean_age_months", num(acc.mean_age().mean())},
                   {"mean_age_months_mc_se", num(acc.mean_age().mc_se())},
                   {"share_under_5_years", num(acc.share_under_5().mean())},
                   {"share_under_5_years_mc_se", num(acc.share_under_5().mc_se())},
                   {"share_gmfcs_I_III", num(acc.share_gmfcs_1_3().mean())},
                   {"share_gmfcs_I_III_mc_se", num(acc.share_gmfcs_1_3().mc_se())}};
  std::uint64_t not_estimable = 0;
  for (std::size_t c = 0; c < active.size(); ++c) not_estimable += acc.trials() - acc.comparison(c).estimable;
  j["diagnostics"] = {{"not_estimable", not_estimable}, {"values_out_of_range", acc.out_of_range()}};
  return j;
}

std::string dump_json(const nlohmann::json& j) { return j.dump(2) + "\n"; }

void write_run_results(const std::string& dir, const Scenario& s, const nlohmann::json& summary,
                       const nlohmann::json& run) {
  write_results_folder(dir, {{"summary.json", dump_json(summary)},
                             {"summary.csv", summary_csv(summary)},
                             {"run.json", dump_json(run)},
                             {"scenario.yaml", "# Fully resolved scenario of this run\n" + to_yaml(s)}});
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
  for (const auto& c : j["comparisons"]) {
    const std::string lab = c["label"].get<std::string>();
    const auto& e = c["estimate"];
    pair(lab, "power", c["power"], "estimate", "mc_se");
    pair(lab, "power_favourable", c["power"]["favourable"], "estimate", "mc_se");
    pair(lab, "estimate_mean", e, "mean", "mc_se");
    pair(lab, "true_effect", e, "true", "true_mc_se");
    pair(lab, "bias", e, "bias", "bias_mc_se");
    pair(lab, "empirical_se", e, "empirical_se", "empirical_se_mc_se");
    pair(lab, "model_se", e, "model_se", "model_se_mc_se");
    pair(lab, "rmse", e, "rmse", "rmse_mc_se");
    pair(lab, "coverage", e, "coverage", "coverage_mc_se");
    pair(lab, "p_sae_difference_exceeds", c["safety"], "estimate", "mc_se");
  }
  if (j.contains("subgroups"))
    for (const auto& g : j["subgroups"]) {
      const std::string lab = g["label"].get<std::string>();
      const auto& e = g["estimate"];
      pair(lab, "subgroup_analysed_mean", g, "analysed_mean", "analysed_mean_mc_se");
      pair(lab, "subgroup_power", g["power"], "estimate", "mc_se");
      pair(lab, "subgroup_power_unadjusted", g["power_unadjusted"], "estimate", "mc_se");
      pair(lab, "subgroup_estimate_mean", e, "mean", "mc_se");
      pair(lab, "subgroup_true_effect", e, "true", "true_mc_se");
      pair(lab, "subgroup_bias", e, "bias", "bias_mc_se");
      pair(lab, "subgroup_coverage", e, "coverage", "coverage_mc_se");
      pair(lab, "complement_estimate_mean", g["complement"]["estimate"], "mean", "mc_se");
      pair(lab, "interaction_mean", g["interaction"], "mean", "mc_se");
      pair(lab, "interaction_power", g["interaction"]["power"], "estimate", "mc_se");
    }
  if (j.contains("multiplicity")) {
    const auto& m = j["multiplicity"];
    for (const auto& h : m["hypotheses"]) pair("family:" + h["name"].get<std::string>(), "power", h["power"], "estimate", "mc_se");
    pair("family", "at_least_one", m["at_least_one"], "estimate", "mc_se");
    pair("family", "all", m["all"], "estimate", "mc_se");
    pair("family", "any_rejection", m["any_rejection"], "estimate", "mc_se");
    for (const auto& c : m["claims"]) pair("claim:" + c["name"].get<std::string>(), "probability", c, "estimate", "mc_se");
  }
  for (const auto& a : j["arms"]) {
    const std::string lab = a["name"].get<std::string>();
    pair(lab, "analysed_mean", a, "analysed_mean", "analysed_mean_mc_se");
    pair(lab, "mean_change", a, "mean_change", "mean_change_mc_se");
    pair(lab, "sae_mean", a, "sae_mean", "sae_mc_se");
    pair(lab, "infusion_reactions_mean", a, "infusion_reactions_mean", "infusion_reactions_mc_se");
    if (!a["mean_dose"].is_null()) pair(lab, "mean_dose", a, "mean_dose", "mean_dose_mc_se");
  }
  // Per-trial totals and who enrolled, under "all arms" (no age rows for a generic model, whose
  // children have none).
  const auto& ss = j["sample_size"];
  const auto& en = j["enrolled"];
  pair("all arms", "randomised_mean", ss, "randomised_mean", "randomised_mean_mc_se");
  pair("all arms", "analysed_mean", ss, "analysed_mean", "analysed_mean_mc_se");
  pair("all arms", "screened_mean", ss, "screened_mean", "screened_mc_se");
  pair("all arms", "screened_per_randomised", ss, "screened_per_randomised", "screened_per_randomised_mc_se");
  if (!en["mean_age_months"].is_null()) {
    pair("all arms", "mean_age_months", en, "mean_age_months", "mean_age_months_mc_se");
    pair("all arms", "share_under_5_years", en, "share_under_5_years", "share_under_5_years_mc_se");
    pair("all arms", "share_gmfcs_I_III", en, "share_gmfcs_I_III", "share_gmfcs_I_III_mc_se");
  }
  return os.str();
}

std::string summary_table(const nlohmann::json& j) {
  std::ostringstream os;
  os << "Scenario " << j["scenario"].get<std::string>() << ": " << j["trials"] << " trials, seed " << j["seed"]
     << ", ANCOVA at " << j["analysis"]["primary_visit_months"] << " months, alpha " << j["analysis"]["alpha"]
     << " (" << j["analysis"]["sides"] << "-sided)\n";
  char line[256];
  for (const auto& c : j["comparisons"]) {
    const auto& p = c["power"];
    const auto& e = c["estimate"];
    os << "\n  " << c["label"].get<std::string>() << "\n";
    std::snprintf(line, sizeof line, "    %-22s %10s %10s   %s\n", "", "estimate", "MC SE", "");
    os << line;
    auto row = [&](const char* name, const nlohmann::json& v, const nlohmann::json& se, const std::string& extra = "") {
      std::snprintf(line, sizeof line, "    %-22s %10s %10s   %s\n", name, fmt(v).c_str(), fmt(se).c_str(), extra.c_str());
      os << line;
    };
    row("power (reject H0)", p["estimate"], p["mc_se"],
        "95% CI " + fmt(p["ci95"][0]) + " to " + fmt(p["ci95"][1]));
    row("  favourable direction", p["favourable"]["estimate"], p["favourable"]["mc_se"]);
    row("mean estimate", e["mean"], e["mc_se"],
        "true effect " + fmt(e["true"]) + (e["true_mc_se"].get<double>() > 0 ? " (MC SE " + fmt(e["true_mc_se"]) + ")" : ""));
    row("bias", e["bias"], e["bias_mc_se"]);
    row("empirical SE", e["empirical_se"], e["empirical_se_mc_se"]);
    row("mean model SE", e["model_se"], e["model_se_mc_se"]);
    row("RMSE", e["rmse"], e["rmse_mc_se"]);
    row("CI coverage", e["coverage"], e["coverage_mc_se"], "nominal " + fmt(e["ci_level"], 2));
    if (c.contains("assurance")) row("assurance (prior)", c["assurance"]["estimate"], c["assurance"]["mc_se"]);
    row("P(SAE excess > thr.)", c["safety"]["estimate"], c["safety"]["mc_se"],
        "threshold " + fmt(c["safety"]["threshold"], 3));
  }
  if (j.contains("any_rejection")) {
    os << "\n  any active arm rejects: " << fmt(j["any_rejection"]["estimate"]) << " (MC SE "
       << fmt(j["any_rejection"]["mc_se"]) << ")\n";
  }
  if (j.contains("subgroups")) {
    os << "\n  subgroup (definition)                     analysed  estimate (true)     power  unadj.   interaction (true)  P(int.)\n";
    for (const auto& g : j["subgroups"]) {
      const std::string name = g["hypothesis"].get<std::string>() + (g["confirmatory"].get<bool>() ? "*" : "");
      std::snprintf(line, sizeof line, "  %-16.16s %-24.24s %8s  %7s (%6s)  %6s  %6s   %7s (%6s)    %6s\n", name.c_str(),
                    g["definition"].get<std::string>().c_str(), fmt(g["analysed_mean"], 1).c_str(),
                    fmt(g["estimate"]["mean"], 2).c_str(), fmt(g["estimate"]["true"], 2).c_str(),
                    fmt(g["power"]["estimate"], 3).c_str(), fmt(g["power_unadjusted"]["estimate"], 3).c_str(),
                    fmt(g["interaction"]["mean"], 2).c_str(), fmt(g["interaction"]["true"], 2).c_str(),
                    fmt(g["interaction"]["power"]["estimate"], 3).c_str());
      os << line;
      if (g.contains("note")) os << "    note: " << g["note"].get<std::string>() << "\n";
    }
    os << "  (* in the confirmatory family; power is then under the multiplicity procedure)\n";
  }
  if (j.contains("multiplicity")) {
    const auto& m = j["multiplicity"];
    os << "\n  multiplicity: " << m["procedure"].get<std::string>() << " over " << m["hypotheses"].size()
       << " hypotheses at alpha " << m["alpha"] << "\n";
    for (const auto& h : m["hypotheses"])
      os << "    " << h["name"].get<std::string>() << ": power " << fmt(h["power"]["estimate"]) << " (MC SE "
         << fmt(h["power"]["mc_se"]) << "), unadjusted " << fmt(h["power_unadjusted"]["estimate"]) << "\n";
    os << "    at least one claim " << fmt(m["at_least_one"]["estimate"]) << ", all claims " << fmt(m["all"]["estimate"])
       << ", any rejection (FWER if all nulls true) " << fmt(m["any_rejection"]["estimate"]) << "\n";
    for (const auto& c : m["claims"])
      os << "    claim " << c["name"].get<std::string>() << ": " << fmt(c["estimate"]) << " (MC SE " << fmt(c["mc_se"]) << ")\n";
  }
  os << "\n  arm               randomised  analysed  mean change (MC SE)   SAEs  infusion r.  mean dose\n";
  for (const auto& a : j["arms"]) {
    const std::string dose =
        a["mean_dose"].is_null() ? "-" : fmt(a["mean_dose"], 2) + " x " + a["dose_unit"].get<std::string>();
    std::snprintf(line, sizeof line, "  %-18s %9s %9s  %8s (%s)  %6s %8s     %s\n", a["name"].get<std::string>().c_str(),
                  fmt(a["randomised_mean"], 1).c_str(), fmt(a["analysed_mean"], 1).c_str(),
                  fmt(a["mean_change"], 3).c_str(), fmt(a["mean_change_mc_se"], 3).c_str(), fmt(a["sae_mean"], 1).c_str(),
                  fmt(a["infusion_reactions_mean"], 1).c_str(), dose.c_str());
    os << line;
  }
  const auto& ss = j["sample_size"];
  os << "  screened per trial: " << fmt(ss["screened_mean"], 1) << " (MC SE " << fmt(ss["screened_mc_se"], 1) << "; "
     << fmt(ss["screened_per_randomised"], 2) << " per randomised child); analysed per trial: " << fmt(ss["analysed_mean"], 1)
     << " (MC SE " << fmt(ss["analysed_mean_mc_se"], 1) << ")\n";
  const auto& en = j["enrolled"];
  if (!en["mean_age_months"].is_null())
    os << "  enrolled: mean age " << fmt(en["mean_age_months"], 1) << " months, " << fmt(en["share_under_5_years"], 3)
       << " under 5 years, " << fmt(en["share_gmfcs_I_III"], 3) << " at GMFCS I-III\n";
  const auto ne = j["diagnostics"]["not_estimable"].get<std::uint64_t>();
  if (ne) os << "  note: " << ne << " comparison(s) could not be estimated (an arm with no analysed child)\n";
  return os.str();
}

}  // namespace celltrial

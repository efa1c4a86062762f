#include "celltrial/design/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json proportion(std::uint64_t x, std::uint64_t n) { return to_json(share(x, n)); }

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
  return summarise(s, acc, operating_characteristics(s, acc, truth));
}

nlohmann::json summarise(const Scenario& s, const Accumulator& acc, const OperatingCharacteristics& oc) {
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
  // The adaptive designs' blocks.
  if (oc.adaptive.sample_size_reestimation) j["sample_size_reestimation"] = to_json_fields(*oc.adaptive.sample_size_reestimation);
  if (oc.adaptive.enrichment) j["enrichment"] = to_json_fields(*oc.adaptive.enrichment);
  if (oc.adaptive.arm_selection) j["arm_selection"] = to_json_fields(*oc.adaptive.arm_selection);
  if (!s.analysis.subgroups.empty()) j["subgroups"] = to_json(oc.subgroups);
  if (oc.family) j["multiplicity"] = to_json(*oc.family);
  j["arms"] = to_json_fields(oc.arms);
  j["sample_size"] = to_json_fields(oc.sample_size);
  // With interim looks: the expected, largest and distribution of N (also randomised_mean).
  if (oc.adaptive.sample_size) j["sample_size"].update(to_json_fields(*oc.adaptive.sample_size));
  j["enrolled"] = to_json_fields(oc.enrolled);
  if (oc.accrual_months) j["accrual_months"] = to_json_fields(*oc.accrual_months);
  if (oc.duration_months) {
    j["duration_months"] = to_json_fields(*oc.duration_months);
    if (oc.adaptive.duration) j["duration_months"].update(to_json_fields(*oc.adaptive.duration));
  }
  if (oc.follow_up) j["follow_up"] = to_json_fields(*oc.follow_up);
  if (oc.delayed_treatment) j["delayed_treatment"] = to_json_fields(*oc.delayed_treatment);
  j["diagnostics"] = to_json_fields(oc.diagnostics);
  return j;
}

}  // namespace celltrial

#include "celltrial/design/nuisance.hpp"

#include "celltrial/design/operating_characteristics.hpp"

namespace celltrial {

namespace {

std::vector<SweepAxis> axes_of(const NuisanceGrid& g) {
  std::vector<SweepAxis> axes;
  for (const auto& [key, values] : g.vary) axes.push_back(SweepAxis{key, values});
  return axes;
}

/// The family-wise rejection rate of a summary, when its design tests more than one hypothesis:
/// the closed test's claims in either population (adaptive enrichment) or for any arm (arm
/// selection), else the multiplicity family's rejections in the direction of benefit. Null when there
/// is none.
nlohmann::json family_wise(const nlohmann::json& summary) {
  const AdaptiveCharacteristics adaptive = adaptive_from_json(summary);
  if (adaptive.enrichment) return to_json(adaptive.enrichment->claim.any);
  if (adaptive.arm_selection) return to_json(adaptive.arm_selection->claim_any);
  // Claims of benefit, as the level alpha / sides counts them (any_rejection counts either direction).
  if (summary.contains("multiplicity"))
    return to_json(from_json<FamilyCharacteristics>(summary["multiplicity"], "summary.json", "multiplicity").at_least_one);
  return nullptr;
}

nlohmann::json share(const nlohmann::json& x) {
  nlohmann::json out;
  for (const char* k : {"estimate", "mc_se", "count", "of", "ci95"})
    if (x.contains(k)) out[k] = x[k];
  return out;
}

}  // namespace

std::vector<Variant> nuisance_variants(const NuisanceGrid& g) {
  std::vector<Variant> out = sweep_variants(sweep_grid(axes_of(g), false));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto open = out[i].name.find('(');
    out[i].name = "at nuisance grid point " + std::to_string(i + 1) + " " + out[i].name.substr(open);
  }
  return out;
}

std::vector<Scenario> nuisance_scenarios(const std::function<Scenario(const std::vector<std::string>&)>& load,
                                         const std::vector<std::string>& overrides, const Scenario& s) {
  std::vector<Scenario> points = load_variants(load, overrides, nuisance_variants(s.nuisance_grid));
  for (Scenario& p : points) {
    p = null_scenario(p);
    p.simulation.trials =
        s.nuisance_grid.trials > 0 ? static_cast<std::uint64_t>(s.nuisance_grid.trials) : s.simulation.trials;
    p.simulation.seed = s.simulation.seed;
  }
  return points;
}

nlohmann::json run_nuisance_grid(const Scenario& s, const std::vector<Scenario>& points, const SweepOptions& opt) {
  const auto grid = sweep_grid(axes_of(s.nuisance_grid), false);
  const nlohmann::json rows = run_sweep(points, grid, opt);
  nlohmann::json out;
  out["trials_per_point"] = points.empty() ? 0 : points.front().simulation.trials;
  // Claims of benefit are what a null design must not make too often: one side's share of alpha.
  const double level = s.analysis.alpha / s.analysis.sides;
  out["alpha"] = s.analysis.alpha;
  out["sides"] = s.analysis.sides;
  out["level"] = level;
  nlohmann::json list = nlohmann::json::array();
  std::size_t worst = 0;
  double worst_value = -1;
  std::string measure;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const nlohmann::json& summary = rows[i]["summary"];
    nlohmann::json p;
    p["settings"] = rows[i]["point"];
    const nlohmann::json& power = summary["power"];
    p["type_one_error"] = share(power.contains("favourable") ? power["favourable"] : power);
    const nlohmann::json fw = family_wise(summary);
    if (!fw.is_null()) p["family_wise"] = share(fw);
    // The measure the worst case is taken over: the family-wise rate when there is one.
    const nlohmann::json& m = fw.is_null() ? p["type_one_error"] : p["family_wise"];
    measure = fw.is_null() ? "type_one_error" : "family_wise";
    const double v = m["estimate"].get<double>();
    if (v > worst_value) {
      worst_value = v;
      worst = i;
    }
    list.push_back(p);
  }
  out["points"] = list;
  if (!list.empty()) {
    const nlohmann::json& m = list[worst][measure];
    const double se = m["mc_se"].get<double>();
    out["worst"] = {{"point", worst + 1},
                    {"settings", list[worst]["settings"]},
                    {"measure", measure},
                    {"estimate", m["estimate"]},
                    {"mc_se", m["mc_se"]},
                    {"within_level", worst_value <= level + 3 * se}};
  }
  out["meaning"] =
      "the scenario under the null hypothesis (every effect 0) at each point of the nuisance grid, with the same seed "
      "and trial indices at every point: the type I error (the primary comparison's rejections in the direction of "
      "benefit) and, when the design tests more than one hypothesis, the family-wise rate of any claim of benefit. "
      "level is alpha / sides, the rate a claim of benefit may have. worst is the point with the largest rate "
      "(family-wise when given); within_level: it is at most level + 3 MC SE. The largest of several estimates is "
      "biased upwards by chance; each point's own MC SE applies to it";
  return out;
}

}  // namespace celltrial

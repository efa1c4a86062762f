#include "celltrial/design/nuisance.hpp"

#include "celltrial/design/operating_characteristics.hpp"

namespace celltrial {

namespace {

std::vector<SweepAxis> axes_of(const NuisanceGrid& g) {
  std::vector<SweepAxis> axes;
  for (const auto& [key, values] : g.vary) axes.push_back(SweepAxis{key, values});
  return axes;
}

/// The family-wise rejection rate of a run, when its design tests more than one hypothesis: the
/// closed test's claims in either population (adaptive enrichment) or for any arm (arm selection),
/// else the multiplicity family's rejections in the direction of benefit. nullopt when there is none.
std::optional<Share> family_wise(const OperatingCharacteristics& oc) {
  if (oc.adaptive.enrichment) return oc.adaptive.enrichment->claim.any;
  if (oc.adaptive.arm_selection) return oc.adaptive.arm_selection->claim_any;
  // Claims of benefit, as the level alpha / sides counts them (any_rejection counts either direction).
  if (oc.family) return oc.family->at_least_one;
  return std::nullopt;
}

/// The share's numbers without its meaning (the grid's meaning says what they count).
Share numbers(Share x) {
  x.meaning.clear();
  return x;
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

NuisanceGridCharacteristics run_nuisance_grid(const Scenario& s, const std::vector<Scenario>& points,
                                              const SweepOptions& opt) {
  const auto grid = sweep_grid(axes_of(s.nuisance_grid), false);
  const nlohmann::json rows = run_sweep(points, grid, opt);
  NuisanceGridCharacteristics out;
  out.trials_per_point = points.empty() ? 0 : points.front().simulation.trials;
  // Claims of benefit are what a null design must not make too often: one side's share of alpha.
  out.alpha = s.analysis.alpha;
  out.sides = s.analysis.sides;
  out.level = s.analysis.alpha / s.analysis.sides;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const OperatingCharacteristics oc = operating_characteristics_from_json(rows[i]["summary"], "nuisance grid point");
    NuisancePoint p;
    for (const auto& [key, value] : grid[i]) p.settings[key] = value;
    p.type_one_error = numbers(oc.comparisons.front().power_favourable);
    if (const auto fw = family_wise(oc)) p.family_wise = numbers(*fw);
    out.points.push_back(std::move(p));
    // The worst case is taken over the family-wise rate when there is one.
    const auto rate = [](const NuisancePoint& x) { return (x.family_wise ? *x.family_wise : x.type_one_error).estimate.value; };
    if (i == 0 || rate(out.points[i]) > rate(out.points[worst])) worst = i;
  }
  if (!out.points.empty()) {
    const NuisancePoint& p = out.points[worst];
    const Share& m = p.family_wise ? *p.family_wise : p.type_one_error;
    out.worst = NuisanceWorst{worst + 1, p.settings, p.family_wise ? "family_wise" : "type_one_error", m.estimate,
                              m.estimate.value <= out.level + 3 * m.estimate.mc_se};
  }
  out.meaning =
      "the scenario under the null hypothesis (every effect 0) at each point of the nuisance grid, with the same seed "
      "and trial indices at every point: the type I error (the primary comparison's rejections in the direction of "
      "benefit) and, when the design tests more than one hypothesis, the family-wise rate of any claim of benefit. "
      "level is alpha / sides, the rate a claim of benefit may have. worst is the point with the largest rate "
      "(family-wise when given); within_level: it is at most level + 3 MC SE. The largest of several estimates is "
      "biased upwards by chance; each point's own MC SE applies to it";
  return out;
}

}  // namespace celltrial

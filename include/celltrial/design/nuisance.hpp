#pragma once
// The type I error over a grid of nuisance parameters (nuisance_grid): the scenario under the null
// hypothesis (null_scenario: every effect 0) simulated at every point of the crossed grid, each
// point with the same seed and trial indices. What a planner reports is the worst case: a design
// whose error holds at every plausible SD, dropout rate or subgroup prevalence.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/run_characteristics.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// The grid's points as variants ("at nuisance grid point i (k=v, ...)").
std::vector<Variant> nuisance_variants(const NuisanceGrid& g);

/// Loads every grid point of s.nuisance_grid (the caller's `overrides`, then the point's values),
/// turns each into its null scenario with the grid's trials (else s's) and s's seed. Throws the
/// located error of the first point that does not load.
std::vector<Scenario> nuisance_scenarios(const std::function<Scenario(const std::vector<std::string>&)>& load,
                                         const std::vector<std::string>& overrides, const Scenario& s);

/// Simulates the points (nuisance_scenarios(...)) and returns summary.json's "nuisance_grid" block
/// (NuisanceGridCharacteristics, design/run_characteristics.hpp): per point its settings, the type I
/// error and, when the design tests more than one hypothesis, the family-wise rate; the worst point.
NuisanceGridCharacteristics run_nuisance_grid(const Scenario& s, const std::vector<Scenario>& points,
                                              const SweepOptions& opt);

}  // namespace celltrial

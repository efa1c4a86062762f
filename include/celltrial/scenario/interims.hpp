#pragma once
// The boundaries of a scenario's group-sequential design (design.interims): computed once from the
// look fractions, the boundary family and the analysis' alpha and sides. Validation and the
// per-trial interim analyses both call this, so they agree on the bounds.
#include <string>

#include "celltrial/scenario/scenario.hpp"
#include "celltrial/stats/group_sequential.hpp"

namespace celltrial {

/// The command-line description of the design: the looks design.interims.information and 1, the
/// boundary family by name, its parameter when given, analysis.alpha and analysis.sides; with
/// beta-spending futility its function, parameter, planned drift and binding; with binding z
/// futility the threshold as a binding futility bound at every interim look.
stats::BoundariesOptions interim_boundaries_options(const Scenario& s);

/// The drift (expected final Z) that beta-spending futility bounds are derived for:
/// planned_effect / planned_sd x sqrt(sample_size x a (1 - a)), a the active arm's share of the
/// allocation (rpact's getSampleSizeMeans with the normal approximation, inverted for N).
double planned_drift(const Scenario& s);

/// The computed design. Requires s.design.interims.active() and a valid scenario (throws
/// celltrial::Error otherwise, with the option names of compute_boundaries). Computed once per
/// process for each distinct set of options (thread-safe); later calls copy the result. With looks
/// at calendar months the fractions are random: use interim_boundaries_at.
stats::Boundaries interim_boundaries(const Scenario& s);

/// The options and design of interim_boundaries_options / interim_boundaries with the interim looks
/// at the given fractions (increasing, in (0, 1); the final analysis, 1, is implied) instead of
/// design.interims.information: the boundaries of a trial whose calendar looks (design.interims.
/// months) were held at these observed fractions. The same computation for the same fractions
/// (compute_boundaries), so the same bits.
stats::BoundariesOptions interim_boundaries_options_at(const Scenario& s, const std::vector<double>& fractions);
/// Every option that decides a boundary set, as text (doubles exact): equal keys, equal boundaries.
std::string boundaries_key(const stats::BoundariesOptions& o);
stats::Boundaries interim_boundaries_at(const Scenario& s, const std::vector<double>& fractions);

/// Children whose primary visit must have been reached at each interim look: ceil(t_k N) (looks at
/// information fractions; empty with looks at calendar months).
std::vector<std::int64_t> interim_children(const Scenario& s);

/// The design is a plain group-sequential design at information fractions (no sample-size
/// re-estimation, enrichment or arm selection, no calendar looks: the ordering's tables assume fixed
/// fractions), for which the stage-wise ordering gives a median-unbiased estimate and confidence
/// interval at stopping (stats/stagewise_ordering.hpp).
bool stagewise_ordering_applies(const Scenario& s);

/// The index in analysis.subgroups of design.interims.enrichment's subgroup (a validated scenario
/// with enrichment).
std::size_t enrichment_subgroup(const Scenario& s);

/// The scenario whose eligibility admits only the children of the enrichment subgroup: ages in both
/// the eligibility's [min, max] and the subgroup's [min, max), GMFCS levels in both. Everything else,
/// the sample size included, is s's.
Scenario enriched_scenario(const Scenario& s);

/// Arm selection (design.interims.arm_selection): the scenario whose randomisation allocates only to
/// control and the active arms kept, bit c of `kept` for active arm c (s.active_arms()[c]); the arms
/// dropped keep their place (and index) with allocation 0. Everything else, the sample size
/// included, is s's.
Scenario selected_scenario(const Scenario& s, unsigned kept);

}  // namespace celltrial

#pragma once
// Subgroup membership and the true effects inside and outside each subgroup.
//
// A child's subgroup attributes are the ones known before randomisation (age, GMFCS level, sex,
// the planned dose per kg, the HLA mismatches of the unit found at screening), so every arm has
// children in every subgroup and the comparison within a subgroup stays randomised.
#include <cstdint>
#include <vector>

#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

inline bool in_subgroup(const Subgroup& g, double age_months, int level, bool male, double planned_dose, int hla) {
  if (g.has_age && (age_months < g.age_min_months || age_months >= g.age_max_months)) return false;
  if (g.has_gmfcs && !g.gmfcs[static_cast<std::size_t>(level)]) return false;
  if (g.has_dose && (planned_dose < g.dose_min || planned_dose >= g.dose_max)) return false;
  if (g.sex >= 0 && static_cast<int>(male) != g.sex) return false;
  if (g.has_hla && !g.hla[static_cast<std::size_t>(hla)]) return false;
  return true;
}

/// Bit g of the result is set when child j of `d` belongs to subgroup g (at most 32 subgroups).
inline std::uint32_t subgroup_mask(const std::vector<Subgroup>& gs, const TrialData& d, std::size_t j) {
  std::uint32_t m = 0;
  for (std::size_t g = 0; g < gs.size(); ++g)
    if (in_subgroup(gs[g], d.age[j], d.level[j], d.male[j] != 0, d.planned_dose[j], d.hla[j])) m |= 1u << g;
  return m;
}

/// The subgroups' true effects (see SubgroupTruth in model.hpp), from a pre-run of 200,000
/// eligible children on its own random stream.
SubgroupTruth subgroup_truth(const Model& m);

}  // namespace celltrial
